"""Lab 1.2.2 in Python, the way the Python module teaches it: scikit-learn, pure pandas, and Python polars.

The pipeline: median imputation of the four numeric columns, most-frequent imputation of species, island and sex,
one-hot encoding of the three, standard scaling (population std, after imputation), fit_transform to a dense
float32 matrix. The input is the penguins replicated to 1,000,000 rows, written by the Rust side to a CSV file
(`--data`), so both languages preprocess identical rows; reading the file is not timed.
Prints the protocol of lab_1_2_1.py. `--smoke` runs once on a small frame (its own, or `--data`) and checks that all versions agree.
"""
import argparse
import sys
import time

from lab_1_2_1 import info, np

NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
CATEGORICAL = ["species", "island", "sex"]

try:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
except ImportError:
    pd = None
try:
    import polars as pl
except ImportError:
    pl = None


def checksum(matrix):
    """A weighted sum with weights 1..11 that vary by row and column, so a wrong value anywhere shows.
    (The plain sum of squares would not: it is n per standardised or one-hot column, whatever the values.)"""
    wide = np.asarray(matrix, dtype=np.float64)
    i = np.arange(wide.shape[0], dtype=np.int64)[:, None]
    j = np.arange(wide.shape[1], dtype=np.int64)[None, :]
    return float((wide * (1 + (i * 31 + j * 17) % 11)).sum())


def with_sklearn(df):
    transformer = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
        ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                      OneHotEncoder(handle_unknown="error", sparse_output=False)), CATEGORICAL),
    ])
    return transformer.fit_transform(df).astype(np.float32)


def with_pandas(df):
    numeric = df[NUMERIC].astype("float64")
    numeric = numeric.fillna(numeric.median())
    numeric = (numeric - numeric.mean()) / numeric.std(ddof=0)
    categorical = df[CATEGORICAL].fillna(df[CATEGORICAL].mode().iloc[0])
    dummies = pd.get_dummies(categorical, dtype="float32")
    return np.hstack([numeric.to_numpy(dtype=np.float32), dummies.to_numpy(dtype=np.float32)])


def with_polars(df):
    exprs = []
    for name in NUMERIC:
        filled = pl.col(name).cast(pl.Float64).fill_null(pl.col(name).median())
        exprs.append(((filled - filled.mean()) / filled.std(ddof=0)).cast(pl.Float32).alias(name))
    for name in CATEGORICAL:
        exprs.append(pl.col(name).fill_null(pl.col(name).mode().sort().first()))  # ties: the smallest, as sklearn
    return df.select(exprs).to_dummies(CATEGORICAL).to_numpy().astype(np.float32)


def run(runs, pandas_frame, polars_frame, emit):
    impls = []
    if pd is not None:
        impls += [("scikit-learn `ColumnTransformer`", with_sklearn, pandas_frame),
                  ("pandas `fillna` + `get_dummies`", with_pandas, pandas_frame)]
    if pl is not None:
        impls.append(("Python polars expressions + `to_dummies`", with_polars, polars_frame))
    for name, f, frame in impls:
        f(frame)  # warm-up
        for _ in range(runs):
            start = time.perf_counter()
            out = f(frame)
            elapsed = time.perf_counter() - start
            emit("preprocess", name, elapsed, checksum(out))


def smoke_frames():
    data = {
        "species": ["Adelie", "Gentoo", None, "Adelie", "Chinstrap", "Adelie"],
        "island": ["Torgersen", "Biscoe", "Dream", None, "Dream", "Torgersen"],
        "bill_length_mm": [39.1, None, 46.5, 38.6, 49.0, 40.3],
        "bill_depth_mm": [18.7, 15.0, None, 21.2, 19.5, 18.0],
        "flipper_length_mm": [181.0, 217.0, 192.0, None, 210.0, 195.0],
        "body_mass_g": [3750.0, 5000.0, 3500.0, 3800.0, None, 3250.0],
        "sex": ["male", None, "female", "female", "male", "female"],
    }
    return (pd.DataFrame(data) if pd is not None else None), (pl.DataFrame(data) if pl is not None else None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--data", help="the CSV written by the Rust side")
    parser.add_argument("--smoke", action="store_true", help="a tiny frame, one run, check agreement")
    args = parser.parse_args()
    checks = []

    def emit(workload, name, seconds, value):
        checks.append(value)
        print(f"sample\t{workload}\t{name}\t{seconds:.9f}\t{value!r}", flush=True)

    info(lambda k, v: print(f"info\t{k}\t{v}", flush=True))
    print(f"info\tpandas\t{pd.__version__ if pd is not None else 'missing'}", flush=True)
    print(f"info\tpolars\t{pl.__version__ if pl is not None else 'missing'}", flush=True)
    if pd is not None:
        import sklearn
        print(f"info\tscikit-learn\t{sklearn.__version__}", flush=True)
    if args.smoke:
        frames = smoke_frames()
        if args.data:
            frames = (pd.read_csv(args.data) if pd is not None else None, pl.read_csv(args.data) if pl is not None else None)
        run(1, *frames, emit)
        if checks and max(checks) - min(checks) > 1e-4 * max(1.0, abs(checks[0])):
            sys.exit(f"preprocess: implementations disagree: {checks}")
        print("smoke: ok", flush=True)
        return
    if not args.data:
        sys.exit("--data is required (the Rust side writes it)")
    pandas_frame = pd.read_csv(args.data) if pd is not None else None
    polars_frame = pl.read_csv(args.data) if pl is not None else None
    run(args.runs, pandas_frame, polars_frame, emit)


if __name__ == "__main__":
    main()
