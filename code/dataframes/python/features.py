import numpy as np
import pandas as pd

df = pd.read_csv("data/penguins.csv")
mass = df.body_mass_g

features = df.assign(
    bill_ratio=df.bill_length_mm / df.bill_depth_mm,
    log_mass=np.log(mass),
    sqrt_mass=np.sqrt(mass),
    bill_depth_sq=df.bill_depth_mm**2,
    flipper_x_mass=df.flipper_length_mm * mass,
    species_mean_mass=df.groupby("species").body_mass_g.transform("mean"),
    mass_class=pd.cut(mass, [0, 3500, 4500, np.inf], labels=["light", "medium", "heavy"]),
)
new_columns = ["bill_ratio", "log_mass", "sqrt_mass", "bill_depth_sq", "flipper_x_mass", "species_mean_mass", "mass_class"]
print(features[new_columns].head(3))

one_hot = pd.get_dummies(features, columns=["island"])
assert "island_Biscoe" in one_hot and "island" not in one_hot
