import pandas as pd

df = pd.read_csv("data/penguins.csv")  # the text NA is read as missing
print(df.head(3))
print("shape:", df.shape)
print(df.dtypes)

counts = df["species"].value_counts()
print(counts)

islands = pd.DataFrame({"island": df["island"].unique()})
print(islands)
assert df["island"].nunique() == 3
