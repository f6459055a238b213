import pandas as pd

df = pd.read_csv("data/penguins.csv")
described = df[["bill_length_mm", "body_mass_g"]].describe()
print(described)
assert described.loc["count", "body_mass_g"] == 342  # two of 344 masses are missing
