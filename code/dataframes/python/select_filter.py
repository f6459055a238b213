import pandas as pd

df = pd.read_csv("data/penguins.csv")

heavy_gentoos = (
    df[(df.species == "Gentoo") & (df.body_mass_g > 5500)]
    .assign(mass_kg=lambda d: d.body_mass_g / 1000)
    [["island", "sex", "mass_kg"]]
    .sort_values("mass_kg", ascending=False, kind="stable")
)
print(heavy_gentoos)
assert (heavy_gentoos.mass_kg > 5.5).all()
