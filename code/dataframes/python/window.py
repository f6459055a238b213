import pandas as pd

df = pd.read_csv("data/penguins.csv")

df["mass_vs_species"] = df.body_mass_g - df.groupby("species").body_mass_g.transform("mean")
print(df[["species", "body_mass_g", "mass_vs_species"]].head(4))
# deviations from each species' own mean average to zero within each species
assert (df.groupby("species").mass_vs_species.mean().abs() < 1e-9).all()
