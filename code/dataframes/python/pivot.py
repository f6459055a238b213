import pandas as pd

df = pd.read_csv("data/penguins.csv")

wide = df.pivot_table(index="species", columns="island", values="body_mass_g", aggfunc="mean")
print(wide)

long = wide.reset_index().melt(id_vars="species", var_name="island", value_name="mean_mass").dropna()
print(long)
assert len(long) == 5  # Adelie on three islands, Chinstrap on Dream, Gentoo on Biscoe
