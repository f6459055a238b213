import numpy as np
import pandas as pd

s = pd.Series([1.0, None, np.nan, 4.0], name="x")
print(s)  # pandas stores the None as NaN: one kind of missing
print("missing:", s.isna().sum())
print("mean:", s.mean())  # both skipped
