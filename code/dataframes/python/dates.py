import pandas as pd

raw = pd.read_csv("data/penguins-raw.csv", parse_dates=["Date Egg"])
egg = raw["Date Egg"].dt
dated = pd.DataFrame({"Species": raw["Species"], "year": egg.year, "month": egg.month, "day_of_year": egg.dayofyear})
print(dated.head(3))
assert dated.year.between(2007, 2009).all()
