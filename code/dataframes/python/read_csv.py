import pandas as pd

# a header row; the text NA is read as missing (pandas' default). The Rust reader also turns date columns into
# dates (with_try_parse_dates), as pandas' parse_dates=[...] does: this file has none, the raw one has `Date Egg`
df = pd.read_csv("data/penguins.csv")
print("shape", df.shape)
print(df.isna().sum())  # missing values per column
