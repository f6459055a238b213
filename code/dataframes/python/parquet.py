import tempfile
from pathlib import Path

import pandas as pd

df = pd.read_csv("data/penguins.csv")  # the text NA is read as missing
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "penguins.parquet"
    df.to_parquet(path)  # through pyarrow, pandas' Parquet engine
    back = pd.read_parquet(path)
    assert back.equals(df)  # types and missing values survive, unlike a CSV round trip's guesses
    two = pd.read_parquet(path, columns=["species", "body_mass_g"])  # reads only those two columns
print(two.head(3))  # body_mass_g as floats: NumPy's integers have no missing value, so pandas makes it float64
assert two.shape == (344, 2)
