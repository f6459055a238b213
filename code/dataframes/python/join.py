import pandas as pd

df = pd.read_csv("data/penguins.csv")
# a small lookup table: each island's research station (made up for the example)
stations = pd.DataFrame({"island": ["Biscoe", "Dream", "Torgersen"], "station": ["B-1", "D-2", "T-3"]})

joined = df.merge(stations, on="island", how="left")
# one row per island, to see what the join added
per_island = joined[["island", "station"]].drop_duplicates()
print(per_island)
assert len(joined) == 344
assert joined["station"].isna().sum() == 0
