import pandas as pd

pd.read_csv("data/penguins.csv").to_parquet("penguins.parquet")  # a Parquet file to query

# pandas has no lazy plan, but it can push the same two things down to pyarrow: read only the three columns the
# query names, and only Biscoe's rows (filtered while reading)
columns = ["island", "species", "body_mass_g"]
biscoe = pd.read_parquet("penguins.parquet", columns=columns, filters=[("island", "==", "Biscoe")])
print(biscoe.groupby("species")["body_mass_g"].mean())

# eagerly: the whole file, then the filter
df = pd.read_parquet("penguins.parquet")
print(df[df["island"] == "Biscoe"].groupby("species")["body_mass_g"].mean())
