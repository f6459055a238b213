import pandas as pd

df = pd.read_csv("data/penguins.csv")

summary = df.groupby("species").agg(
    n=("species", "size"),
    mass=("body_mass_g", "mean"),
    longest_flipper=("flipper_length_mm", "max"),
)
print(summary)
assert summary["n"].tolist() == [152, 68, 124]  # Adelie, Chinstrap, Gentoo
