import pandas as pd

df = pd.read_csv("data/penguins.csv")

nulls = df.isna().sum()
print(nulls)
print("rows:", len(df), "without any missing:", len(df.dropna()), "with a mass:", len(df.dropna(subset=["body_mass_g"])))

filled = df.assign(
    bill_length_mm=df.bill_length_mm.fillna(df.bill_length_mm.mean()),
    bill_depth_mm=df.bill_depth_mm.fillna(df.bill_depth_mm.median()),
    sex=df.sex.fillna(df.sex.mode()[0]),  # mode: the most frequent value
    flipper_length_mm=df.flipper_length_mm.fillna(0),
    body_mass_g=df.body_mass_g.ffill(),  # the previous row's value
    body_mass_missing=df.body_mass_g.isna(),  # an indicator column, from the original column
)
assert filled[["bill_length_mm", "bill_depth_mm", "sex", "flipper_length_mm"]].isna().sum().sum() == 0
assert filled.body_mass_missing.sum() == 2
