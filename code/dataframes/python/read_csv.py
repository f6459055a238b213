import pandas as pd

df = pd.read_csv("data/penguins.csv")  # a header row; the text NA is read as missing (pandas' default)
print("shape", df.shape)
print(df.isna().sum())  # missing values per column
