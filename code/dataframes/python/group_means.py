import pandas as pd

df = pd.DataFrame({
    "species": ["Adelie", "Gentoo", "Adelie", "Chinstrap"],
    "body_mass_g": [3750.0, 5000.0, 3800.0, 3500.0],
})

means = df.groupby("species")["body_mass_g"].mean().sort_index()
print(means)
assert means["Adelie"] == 3775.0
