//! Lab 1.2.2's deliverable: a reusable preprocessing pipeline, the Rust `preprocessing_pipeline.rs`.
//!
//! A [`Preprocessor`] is configured (column roles, imputation, encoding, scaling), then [`Preprocessor::fit`]
//! learns every statistic from the training frame and returns a [`FittedPreprocessor`], which transforms any
//! frame with those statistics only (no leakage), into a polars `DataFrame` or an `ndarray::Array2<f32>`.
//! The fitted state saves to JSON and loads back. Bad input is a [`PreprocessError`], never a panic.

use ndarray::Array2;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use rayon::prelude::*;

// ANCHOR: config
/// What a column is to the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Numeric,
    Categorical,
}

/// How missing numeric values are filled (sklearn's `SimpleImputer` strategies, plus dropping the row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NumericImpute {
    Mean,
    Median,
    Constant(f64),
    /// Drop every row that has a null in this column (at fit and at transform).
    DropRows,
}

/// How missing categories are filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CategoricalImpute {
    /// The most frequent category at fit (ties: the alphabetically first, as scikit-learn does).
    MostFrequent,
    Constant(String),
    DropRows,
}

/// What to do with a category that was not seen at fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unknown {
    /// A [`PreprocessError::UnseenCategory`].
    Error,
    /// One-hot: all zeros; ordinal: -1.
    Ignore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    /// One 0/1 feature per category seen at fit.
    OneHot(Unknown),
    /// One feature: the category's index in the sorted categories seen at fit.
    Ordinal(Unknown),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scaling {
    None,
    /// (x - mean) / std (population std, as scikit-learn's `StandardScaler`).
    Standard,
    /// (x - min) / (max - min), into [0, 1] on the training data.
    MinMax,
    /// (x - median) / IQR, robust to outliers.
    Robust,
}
// ANCHOR_END: config

/// Everything that can go wrong, each with the column it concerns.
#[derive(Debug, thiserror::Error)]
pub enum PreprocessError {
    #[error("the frame has no rows")]
    EmptyFrame,
    #[error("no feature columns: every column is passthrough, or the frame has none")]
    NoFeatures,
    #[error("column {column:?} is missing")]
    MissingColumn { column: String },
    #[error("column {column:?} is listed twice: as {first} and as {second}")]
    TwoRoles { column: String, first: String, second: String },
    #[error("the output would have two features named {name:?}: {first}, and {second}")]
    NameClash { name: String, first: String, second: String },
    #[error("column {column:?} was {fitted} at fit but is {got} now")]
    DtypeChanged { column: String, fitted: String, got: String },
    #[error("column {column:?} has dtype {dtype}, which is neither numeric nor categorical (string, categorical, boolean)")]
    UnsupportedDtype { column: String, dtype: String },
    #[error("column {column:?} is entirely null at fit: there is nothing to learn a fill value from")]
    AllNull { column: String },
    #[error("no rows remain after dropping: every row has a null in at least one of the DropRows columns ({})", .columns.join(", "))]
    NoRowsLeft { columns: Vec<String> },
    #[error("column {column:?} holds {value:?} in row {row}, which is not a number (a numeric column stored as text must parse)")]
    NotANumber { column: String, row: usize, value: String },
    #[error("column {column:?} holds {value} in row {row}: clean NaN and infinity before the pipeline")]
    NonFinite { column: String, row: usize, value: f64 },
    #[error("column {column:?}: its {statistic} is beyond f64's range (values near 1e308); rescale the column first")]
    StatisticOverflow { column: String, statistic: &'static str },
    #[error("column {column:?} holds {value:e} in row {row}, which becomes {scaled:e} after scaling: beyond the range of the matrix's f32 (3.4e38)")]
    Overflow { column: String, row: usize, value: f64, scaled: f64 },
    #[error("column {column:?} holds {value:?} in row {row}, a category not seen at fit")]
    UnseenCategory { column: String, row: usize, value: String },
    #[error("the matrix would be {rows} rows x {features} features of f32 = {}, over the limit of {} \
             (max_matrix_bytes); column {widest:?} alone gives {widest_features} features: group its rare categories \
             with max_categories or min_frequency, or encode it as ordinal", course_utils::table::format_bytes(*.bytes), course_utils::table::format_bytes(*.limit))]
    MatrixTooLarge { rows: usize, features: usize, bytes: u64, limit: u64, widest: String, widest_features: usize },
    #[error("max_categories must be at least 1")]
    ZeroMaxCategories,
    #[error("test_fraction must be strictly between 0 and 1, got {0}")]
    BadFraction(f64),
    #[error("the {part} set would be empty: {rows} row(s) split with test_fraction {test_fraction}")]
    EmptySplit { rows: usize, test_fraction: f64, part: &'static str },
    #[error("class {class:?} of column {column:?} has {rows} row: a stratified split needs at least 2 rows per class")]
    ClassTooSmall { column: String, class: String, rows: usize },
    #[error("expected {expected} feature columns to invert, got {got}")]
    InverseShape { expected: usize, got: usize },
    #[error("fitted state: {0}")]
    InvalidState(String),
    #[error(transparent)]
    Polars(#[from] PolarsError),
    #[error("fitted state: {0}")]
    Json(#[from] serde_json::Error),
}

pub(crate) type Result<T> = std::result::Result<T, PreprocessError>;

// ANCHOR: builder
/// The pipeline's configuration. Defaults: roles inferred from dtypes, median and most-frequent imputation,
/// no missing indicators, one-hot encoding that rejects unseen categories, standard scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)] // a misspelt field in a hand-edited state is an error, not silently ignored
pub struct Preprocessor {
    pub(crate) roles: Vec<(String, Role)>,
    pub(crate) passthrough: Vec<String>,
    #[serde(default)]
    pub(crate) exclude: Vec<String>,
    pub(crate) numeric_impute: NumericImpute,
    categorical_impute: CategoricalImpute,
    indicators: bool,
    encoding: Encoding,
    pub(crate) scaling: Scaling,
    #[serde(default)]
    pub(crate) max_categories: Option<usize>,
    #[serde(default)]
    min_frequency: Option<usize>,
    #[serde(default = "default_max_matrix_bytes")]
    max_matrix_bytes: u64,
}

/// 4 GiB: a dense matrix larger than this is refused before it is allocated (`MatrixTooLarge`).
pub const DEFAULT_MAX_MATRIX_BYTES: u64 = 4 << 30;

fn default_max_matrix_bytes() -> u64 {
    DEFAULT_MAX_MATRIX_BYTES
}

impl Default for Preprocessor {
    fn default() -> Self {
        Preprocessor {
            roles: Vec::new(),
            passthrough: Vec::new(),
            exclude: Vec::new(),
            numeric_impute: NumericImpute::Median,
            categorical_impute: CategoricalImpute::MostFrequent,
            indicators: false,
            encoding: Encoding::OneHot(Unknown::Error),
            scaling: Scaling::Standard,
            max_categories: None,
            min_frequency: None,
            max_matrix_bytes: DEFAULT_MAX_MATRIX_BYTES,
        }
    }
}

impl Preprocessor {
    pub fn new() -> Self {
        Self::default()
    }
    /// Treat these columns as numeric (with any explicit role set, other columns are left out).
    pub fn numeric<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.roles.extend(columns.into_iter().map(|c| (c.into(), Role::Numeric)));
        self
    }
    /// Treat these columns as categorical.
    pub fn categorical<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.roles.extend(columns.into_iter().map(|c| (c.into(), Role::Categorical)));
        self
    }
    /// Copy these columns unchanged into the output frame (not into the matrix): labels, ids.
    pub fn passthrough<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.passthrough.extend(columns.into_iter().map(Into::into));
        self
    }
    /// Leave these columns out when the roles are inferred from dtypes (ids, free text, a leaking column),
    /// without listing the role of every other column.
    pub fn exclude<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.exclude.extend(columns.into_iter().map(Into::into));
        self
    }
    pub fn numeric_impute(mut self, strategy: NumericImpute) -> Self {
        self.numeric_impute = strategy;
        self
    }
    pub fn categorical_impute(mut self, strategy: CategoricalImpute) -> Self {
        self.categorical_impute = strategy;
        self
    }
    /// Add a 0/1 `<column>_missing` feature for every column that had nulls at fit.
    pub fn missing_indicators(mut self, on: bool) -> Self {
        self.indicators = on;
        self
    }
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }
    pub fn scaling(mut self, scaling: Scaling) -> Self {
        self.scaling = scaling;
        self
    }
    /// At most this many features per categorical column, the last of them `<column>_infrequent` for all the
    /// rarer categories (scikit-learn's `OneHotEncoder(max_categories=...)`).
    pub fn max_categories(mut self, max: usize) -> Self {
        self.max_categories = Some(max);
        self
    }
    /// Categories seen in fewer than `min` training rows share one `<column>_infrequent` feature
    /// (scikit-learn's `min_frequency`).
    pub fn min_frequency(mut self, min: usize) -> Self {
        self.min_frequency = Some(min);
        self
    }
    /// The largest dense matrix `transform_array` may allocate, in bytes (default 4 GiB).
    pub fn max_matrix_bytes(mut self, bytes: u64) -> Self {
        self.max_matrix_bytes = bytes;
        self
    }
    // ANCHOR_END: builder

    /// The roles used (the explicit ones, or every column by dtype that is not passthrough, excluded or a row
    /// index) and the columns inference left out, with the reason.
    fn roles_for(&self, df: &DataFrame) -> Result<(Vec<(String, Role)>, Vec<Excluded>)> {
        let columns: Vec<(String, DataType)> = df.columns().iter().map(|c| (c.name().to_string(), c.dtype().clone())).collect();
        self.roles_by_dtype(&columns, |name| is_row_index(column(df, name)?))
    }

    /// `roles_for` from the columns' names and dtypes alone; `is_index` reads a column's values to tell whether
    /// it is a row index (the out-of-core fit asks a lazy query).
    pub(crate) fn roles_by_dtype(&self, columns: &[(String, DataType)], mut is_index: impl FnMut(&str) -> Result<bool>) -> Result<(Vec<(String, Role)>, Vec<Excluded>)> {
        if !self.roles.is_empty() {
            return Ok((self.roles.clone(), Vec::new()));
        }
        let mut roles = Vec::new();
        let mut excluded = Vec::new();
        for (name, dtype) in columns {
            let name = name.clone();
            if self.passthrough.contains(&name) {
                continue;
            }
            if self.exclude.contains(&name) {
                excluded.push(Excluded { column: name, reason: "excluded by the configuration".into() });
                continue;
            }
            if could_be_row_index(&name, dtype) && is_index(&name)? {
                let reason = "an unnamed integer column counting 0, 1, 2, ... (or from 1): a row index, as pandas writes to CSV";
                excluded.push(Excluded { column: name, reason: reason.into() });
                continue;
            }
            let role = if dtype.is_primitive_numeric() {
                Role::Numeric
            } else if dtype.is_string() || dtype.is_categorical() || dtype.is_bool() {
                Role::Categorical
            } else {
                return Err(PreprocessError::UnsupportedDtype { column: name, dtype: dtype.to_string() });
            };
            roles.push((name, role));
        }
        Ok((roles, excluded))
    }

    // ANCHOR: fit
    /// Learns every statistic from `train`.
    pub fn fit(&self, train: &DataFrame) -> Result<FittedPreprocessor> {
        // rows dropped by a DropRows strategy do not take part in any statistic
        let (roles, excluded, drop_mask) = self.checked_roles(train)?;
        let dropped = drop_mask.iter().any(|d| *d).then_some(drop_mask.as_slice());
        // the columns are independent: learn them in parallel, then report the first error in column order
        let results: Vec<Result<FittedColumn>> = roles
            .into_par_iter()
            .map(|(name, role)| {
                let col = column(train, &name)?;
                let dtype = col.dtype().to_string();
                match role {
                    Role::Numeric => {
                        let (values, null) = numeric_column(col, &name)?;
                        self.fit_numeric(name, dtype, &values, &null, dropped)
                    }
                    Role::Categorical => {
                        let series = category_series(col)?;
                        let kept = match dropped {
                            Some(d) => series.filter(&BooleanChunked::from_iter_values("keep".into(), d.iter().map(|d| !d)))?,
                            None => series,
                        };
                        let counts = category_counts(kept.str()?)?;
                        self.fit_categorical(name, dtype, counts, kept.null_count())
                    }
                }
            })
            .collect();
        let columns = results.into_iter().collect::<Result<Vec<_>>>()?;
        let fitted = FittedPreprocessor { config: self.clone(), columns, excluded };
        fitted.check()?; // two features of one name, say
        Ok(fitted)
    }
    // ANCHOR_END: fit

    /// The roles of a frame that can be fitted: not empty, at least one feature, every passthrough column
    /// there, no column given two roles, and some rows left after dropping; with the columns inference left out
    /// and the rows a DropRows strategy drops.
    fn checked_roles(&self, train: &DataFrame) -> Result<(Vec<(String, Role)>, Vec<Excluded>, Vec<bool>)> {
        if train.height() == 0 {
            return Err(PreprocessError::EmptyFrame);
        }
        if self.max_categories == Some(0) {
            return Err(PreprocessError::ZeroMaxCategories);
        }
        let (roles, excluded) = self.roles_for(train)?;
        self.check_roles(&roles)?;
        for p in &self.passthrough {
            column(train, p)?;
        }
        let drop_mask = self.drop_mask(train, &roles)?;
        if drop_mask.iter().all(|d| *d) {
            let columns = roles.iter().filter(|(_, r)| self.drops(*r)).map(|(c, _)| c.clone()).collect();
            return Err(PreprocessError::NoRowsLeft { columns });
        }
        Ok((roles, excluded, drop_mask))
    }

    /// No column given two roles (in the order given: the first role wins the message), and at least one.
    pub(crate) fn check_roles(&self, roles: &[(String, Role)]) -> Result<()> {
        let given = roles.iter().map(|(c, r)| (c.as_str(), format!("{r:?}").to_lowercase())).chain(self.exclude.iter().map(|c| (c.as_str(), "excluded".to_string())));
        let mut seen: Vec<(&str, String)> = Vec::new();
        for (c, role) in given {
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == c) {
                return Err(PreprocessError::TwoRoles { column: c.into(), first: first.clone(), second: role });
            }
            seen.push((c, role));
        }
        if roles.is_empty() {
            return Err(PreprocessError::NoFeatures);
        }
        Ok(())
    }

    // ANCHOR: fit_transform_array
    /// `fit`, then `transform_array` on the same frame, reading each column once: the values and category
    /// codes read to learn the statistics are encoded straight away (the two calls would read them twice).
    /// The output is the same as theirs (tested). With rows to drop, it takes the two calls' road.
    pub fn fit_transform_array(&self, train: &DataFrame) -> Result<(FittedPreprocessor, Array2<f32>, Vec<bool>)> {
        let (roles, excluded, drop_mask) = self.checked_roles(train)?;
        if drop_mask.iter().any(|d| *d) {
            // the statistics skip the dropped rows, the codes cover all: two passes keep that simple
            let fitted = self.fit(train)?;
            let (matrix, keep) = fitted.transform_array(train)?;
            return Ok((fitted, matrix, keep));
        }
        let keep = vec![true; train.height()];
        let results: Vec<Result<(FittedColumn, Encoded)>> = roles
            .into_par_iter()
            .map(|(name, role)| {
                let col = column(train, &name)?;
                let dtype = col.dtype().to_string();
                match role {
                    Role::Numeric => {
                        let (values, null) = numeric_column(col, &name)?;
                        let fitted = self.fit_numeric(name, dtype, &values, &null, None)?;
                        let FittedColumn::Numeric { name, fill, center, scale, indicator, .. } = &fitted else { unreachable!("fit_numeric fits a numeric column") };
                        let encoded = encode_numeric(name, values, null, *fill, *center, *scale, *indicator)?;
                        Ok((fitted, encoded))
                    }
                    Role::Categorical => {
                        let series = category_series(col)?;
                        let values = series.str()?;
                        let (counts, met) = category_counts_and_codes(values, true)?;
                        let fitted = self.fit_categorical(name, dtype, counts.clone(), values.null_count())?;
                        let FittedColumn::Categorical { name, fill, categories, infrequent, indicator, .. } = &fitted else { unreachable!("fit_categorical fits a categorical column") };
                        let codes = match met {
                            // codes in the order the values were met -> their places among the sorted categories
                            Some(met) => {
                                let place: Vec<u32> = counts.iter().map(|(v, _)| code_of(categories, infrequent, v)).collect();
                                met.into_iter().map(|m| if m == UNKNOWN { UNKNOWN } else { place[m as usize] }).collect()
                            }
                            None => category_codes(values, categories, infrequent)?,
                        };
                        let fill_code = fill.as_deref().map_or(UNKNOWN, |f| code_of(categories, infrequent, f));
                        let encoded = self.encode_categorical(values, codes, name, fill_code, *indicator, &keep)?;
                        Ok((fitted, encoded))
                    }
                }
            })
            .collect();
        let (columns, encoded): (Vec<FittedColumn>, Vec<Encoded>) = results.into_iter().collect::<Result<Vec<_>>>()?.into_iter().unzip();
        let fitted = FittedPreprocessor { config: self.clone(), columns, excluded };
        fitted.check()?;
        let matrix = fitted.assemble(&encoded, &keep)?;
        Ok((fitted, matrix, keep))
    }
    // ANCHOR_END: fit_transform_array

    // ANCHOR: fit_numeric
    /// A numeric column's fill value, centre and scale, from its values and null mask (`numeric_column`).
    /// `dropped` marks the rows a DropRows strategy removes.
    fn fit_numeric(&self, name: String, dtype: String, values: &[f64], null: &[bool], dropped: Option<&[bool]>) -> Result<FittedColumn> {
        // ANCHOR: exercise_fit_numeric
        let kept = |r: usize| dropped.is_none_or(|d| !d[r]);
        let mut present: Vec<f64> = (0..values.len()).filter(|&r| kept(r) && !null[r]).map(|r| values[r]).collect();
        if present.is_empty() {
            return Err(PreprocessError::AllNull { column: name });
        }
        let nulls = (0..values.len()).filter(|&r| kept(r)).count() - present.len();
        let fill = match &self.numeric_impute {
            NumericImpute::Mean => Some(mean(&present)),
            NumericImpute::Median => Some(quantile(&mut present, 0.5)),
            NumericImpute::Constant(c) => Some(*c),
            NumericImpute::DropRows => None,
        };
        // statistics of the column as the model will see it: after imputation (as a Pipeline does),
        // i.e. of the present values plus `imputed` copies of the fill value
        let imputed = if fill.is_some() { nulls } else { 0 };
        let f = fill.unwrap_or(0.0);
        let n = (present.len() + imputed) as f64;
        let (center, scale) = match self.scaling {
            Scaling::None => (0.0, 1.0),
            Scaling::Standard => {
                let m = (present.iter().sum::<f64>() + imputed as f64 * f) / n;
                let squares = present.iter().map(|v| (v - m) * (v - m)).sum::<f64>() + imputed as f64 * (f - m) * (f - m);
                let std = (squares / n).sqrt();
                // values near f64's limit overflow the sum or the squares: compute on values divided by the largest
                if m.is_finite() && std.is_finite() { (m, std) } else { rescaled_mean_std(&present, imputed, f) }
            }
            Scaling::MinMax => {
                let (lo, hi) = present.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                let (lo, hi) = if imputed > 0 { (lo.min(f), hi.max(f)) } else { (lo, hi) };
                (lo, hi - lo)
            }
            Scaling::Robust => {
                let mut all = present;
                all.extend(std::iter::repeat_n(f, imputed));
                let median = quantile(&mut all, 0.5);
                (median, quantile(&mut all, 0.75) - quantile(&mut all, 0.25))
            }
        };
        self.numeric_state(name, dtype, fill, center, scale, nulls)
        // ANCHOR_END: exercise_fit_numeric
    }
    // ANCHOR_END: fit_numeric

    /// A numeric column's fitted state from its statistics (in memory or out of core): each must be finite.
    pub(crate) fn numeric_state(&self, name: String, dtype: String, fill: Option<f64>, center: f64, scale: f64, nulls: usize) -> Result<FittedColumn> {
        for (statistic, value) in [("fill value", fill.unwrap_or(0.0)), ("centre", center), ("scale", scale)] {
            if !value.is_finite() {
                return Err(PreprocessError::StatisticOverflow { column: name, statistic });
            }
        }
        // a constant column would divide by zero: leave it centred, unscaled (scikit-learn does the same).
        // "Constant" includes a spread that is only rounding error: the mean of three copies of x is
        // not always exactly x, and dividing by that 1e-11 would blow 0 up to +-1.
        let negligible = 10.0 * f64::EPSILON * center.abs().max(1.0);
        let scale = if scale > negligible { scale } else { 1.0 };
        Ok(FittedColumn::Numeric { name, dtype, fill, center, scale, indicator: self.indicators && nulls > 0 })
    }

    // ANCHOR: fit_categorical
    /// A categorical column's fill value, its sorted categories and its sorted infrequent ones, from its
    /// distinct values with their counts (`category_counts`, over the rows kept) and its number of nulls.
    pub(crate) fn fit_categorical(&self, name: String, dtype: String, mut counts: Vec<(String, usize)>, nulls: usize) -> Result<FittedColumn> {
        // ANCHOR: exercise_fit_categorical
        if counts.is_empty() {
            return Err(PreprocessError::AllNull { column: name });
        }
        let fill = match &self.categorical_impute {
            // ties: the alphabetically first, as scikit-learn does
            CategoricalImpute::MostFrequent => counts.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(k, _)| k.clone()),
            CategoricalImpute::Constant(c) => Some(c.clone()),
            CategoricalImpute::DropRows => None,
        };
        // the fill value is a category the model will see, even if never seen at fit: it takes the nulls' rows
        if let Some(f) = &fill {
            match counts.iter_mut().find(|(v, _)| v == f) {
                Some((_, n)) => *n += nulls,
                None => counts.push((f.clone(), nulls)),
            }
        }
        let (mut categories, mut infrequent) = self.split_infrequent(counts);
        categories.sort();
        infrequent.sort();
        Ok(FittedColumn::Categorical { name, dtype, fill, categories, infrequent, indicator: self.indicators && nulls > 0 })
        // ANCHOR_END: exercise_fit_categorical
    }
    // ANCHOR_END: fit_categorical

    /// The categories that get a feature of their own and the infrequent ones that share one: fewer than
    /// `min_frequency` rows, or past the `max_categories - 1` most frequent (ties: alphabetical), as
    /// scikit-learn's `OneHotEncoder` decides.
    fn split_infrequent(&self, mut counts: Vec<(String, usize)>) -> (Vec<String>, Vec<String>) {
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let min = self.min_frequency.unwrap_or(0);
        let mut frequent = counts.iter().take_while(|(_, n)| *n >= min).count();
        if let Some(max) = self.max_categories {
            let features = frequent + usize::from(frequent < counts.len()); // one more for the infrequent ones
            if features > max {
                frequent = max - 1; // the last feature is the infrequent one
            }
        }
        let infrequent = counts.split_off(frequent).into_iter().map(|(v, _)| v).collect();
        (counts.into_iter().map(|(v, _)| v).collect(), infrequent)
    }

    // ANCHOR: encode_categorical
    /// A categorical column's features from its `codes` (each row's index in the categories, `UNKNOWN` for a
    /// null or a value not seen at fit; `category_codes`): nulls get `fill_code`. A value that has no code is
    /// an `UnseenCategory` error if the configuration says so and its row is kept.
    fn encode_categorical(&self, values: &StringChunked, mut codes: Vec<u32>, name: &str, fill_code: u32, indicator: bool, keep: &[bool]) -> Result<Encoded> {
        // ANCHOR: exercise_encode_categorical
        let nulls = null_mask(&values.clone().into_column());
        let unknown = match self.encoding {
            Encoding::OneHot(u) | Encoding::Ordinal(u) => u,
        };
        for (r, code) in codes.iter_mut().enumerate() {
            if nulls[r] {
                *code = fill_code;
            }
            if *code == UNKNOWN && unknown == Unknown::Error && keep[r] {
                let value = values.get(r).unwrap_or("null").to_string();
                return Err(PreprocessError::UnseenCategory { column: name.into(), row: r, value });
            }
        }
        let features = match self.encoding {
            Encoding::OneHot(_) => Features::OneHot(codes),
            Encoding::Ordinal(_) => Features::Ordinal(codes),
        };
        Ok(Encoded { features, missing: indicator.then_some(nulls) })
        // ANCHOR_END: exercise_encode_categorical
    }
    // ANCHOR_END: encode_categorical

    /// Whether a column of this role drops its null rows.
    pub(crate) fn drops(&self, role: Role) -> bool {
        match role {
            Role::Numeric => self.numeric_impute == NumericImpute::DropRows,
            Role::Categorical => self.categorical_impute == CategoricalImpute::DropRows,
        }
    }

    fn drop_mask(&self, df: &DataFrame, roles: &[(String, Role)]) -> Result<Vec<bool>> {
        let mut drop = vec![false; df.height()];
        for (name, role) in roles {
            if self.drops(*role) {
                for (d, null) in drop.iter_mut().zip(null_mask(column(df, name)?)) {
                    *d |= null;
                }
            }
        }
        Ok(drop)
    }

    /// `fit` then `transform` on the same frame.
    pub fn fit_transform(&self, train: &DataFrame) -> Result<(FittedPreprocessor, DataFrame)> {
        let fitted = self.fit(train)?;
        let out = fitted.transform(train)?;
        Ok((fitted, out))
    }
}

/// What `fit` learned about one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) enum FittedColumn {
    Numeric { name: String, dtype: String, fill: Option<f64>, center: f64, scale: f64, indicator: bool },
    Categorical {
        name: String,
        dtype: String,
        fill: Option<String>,
        categories: Vec<String>,
        /// Categories seen at fit that share the one `<column>_infrequent` feature (`max_categories`, `min_frequency`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        infrequent: Vec<String>,
        indicator: bool,
    },
}

impl FittedColumn {
    pub(crate) fn name(&self) -> &str {
        match self {
            FittedColumn::Numeric { name, .. } | FittedColumn::Categorical { name, .. } => name,
        }
    }
    pub(crate) fn dtype(&self) -> &str {
        match self {
            FittedColumn::Numeric { dtype, .. } | FittedColumn::Categorical { dtype, .. } => dtype,
        }
    }
}

/// A column that inferred roles left out of the features, and why: the fitted state says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Excluded {
    pub column: String,
    pub reason: String,
}

/// Rows per block when the matrix is assembled: a block of 4096 rows x a few dozen f32 fits in L2 cache.
const ROWS_PER_BLOCK: usize = 4096;
/// The code of a null without a fill value or of a category not seen at fit.
const UNKNOWN: u32 = u32::MAX;

/// One column's features, one entry per input row, before the rows are assembled into the matrix.
enum Features {
    /// Imputed and scaled values.
    Scaled(Vec<f32>),
    /// Category codes (`UNKNOWN`: all zeros); the column's width comes from the fitted state.
    OneHot(Vec<u32>),
    /// Category codes (`UNKNOWN`: -1).
    Ordinal(Vec<u32>),
}

struct Encoded {
    features: Features,
    /// Present when the column has a missing indicator: true where the input was null.
    missing: Option<Vec<bool>>,
}

impl Encoded {
    /// Writes input row `r`'s features at the start of `out` (which starts zeroed); `width` is the number of
    /// features before the indicator.
    fn write_row(&self, r: usize, width: usize, out: &mut [f32]) {
        match &self.features {
            Features::Scaled(values) => out[0] = values[r],
            Features::OneHot(codes) => {
                if let Some(hot) = out[..width].get_mut(codes[r] as usize) {
                    *hot = 1.0;
                }
            }
            Features::Ordinal(codes) => out[0] = if codes[r] == UNKNOWN { -1.0 } else { codes[r] as f32 },
        }
        if let Some(missing) = &self.missing {
            out[width] = f32::from(u8::from(missing[r]));
        }
    }
}

/// A fitted pipeline: transforms any frame with the statistics of the training frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedPreprocessor {
    pub(crate) config: Preprocessor,
    pub(crate) columns: Vec<FittedColumn>,
    /// What inferred roles left out (a row index, the configuration's `exclude`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) excluded: Vec<Excluded>,
}

impl FittedPreprocessor {
    /// The output's feature names, in column order: numeric columns keep their name, one-hot features are
    /// `<column>_<category>` (and `<column>_infrequent`), indicators `<column>_missing`.
    pub fn feature_names(&self) -> Vec<String> {
        self.features().into_iter().map(|(name, _)| name).collect()
    }

    /// The columns that inferred roles left out, and why.
    pub fn excluded(&self) -> &[Excluded] {
        &self.excluded
    }

    /// Each feature's name and where it comes from (for the error when two share a name).
    fn features(&self) -> Vec<(String, String)> {
        let mut names = Vec::new();
        for c in &self.columns {
            match c {
                FittedColumn::Numeric { name, .. } => names.push((name.clone(), format!("numeric column {name:?}"))),
                FittedColumn::Categorical { name, categories, infrequent, .. } => match self.config.encoding {
                    Encoding::OneHot(_) => {
                        names.extend(categories.iter().map(|cat| (format!("{name}_{cat}"), format!("column {name:?}'s category {cat:?}"))));
                        if !infrequent.is_empty() {
                            names.push((format!("{name}_infrequent"), format!("column {name:?}'s infrequent categories")));
                        }
                    }
                    Encoding::Ordinal(_) => names.push((name.clone(), format!("ordinal column {name:?}"))),
                },
            }
            if self.has_indicator(c) {
                names.push((format!("{}_missing", c.name()), format!("column {:?}'s missing indicator", c.name())));
            }
        }
        names
    }

    fn has_indicator(&self, c: &FittedColumn) -> bool {
        match c {
            FittedColumn::Numeric { indicator, .. } | FittedColumn::Categorical { indicator, .. } => *indicator,
        }
    }

    /// A column's number of features, before its indicator.
    fn width(&self, c: &FittedColumn) -> usize {
        match (c, self.config.encoding) {
            (FittedColumn::Categorical { categories, infrequent, .. }, Encoding::OneHot(_)) => categories.len() + usize::from(!infrequent.is_empty()),
            _ => 1,
        }
    }

    /// Everything a state must satisfy to transform without a silent NaN, infinity or always-zero feature:
    /// checked after `fit` and when a state is loaded (a hand-edited or corrupted file).
    pub(crate) fn check(&self) -> Result<()> {
        let bad = |what: String| Err(PreprocessError::InvalidState(what));
        if self.columns.is_empty() {
            return bad("no columns: there is nothing to transform".into());
        }
        if self.config.max_categories == Some(0) {
            return Err(PreprocessError::ZeroMaxCategories);
        }
        for c in &self.columns {
            match c {
                FittedColumn::Numeric { name, fill, center, scale, .. } => {
                    if !(scale.is_finite() && *scale > 0.0) {
                        return bad(format!("column {name:?} has scale {scale}; a scale must be finite and positive"));
                    }
                    if !center.is_finite() {
                        return bad(format!("column {name:?} has centre {center}; it must be finite"));
                    }
                    match (fill, &self.config.numeric_impute) {
                        (Some(f), NumericImpute::DropRows) => return bad(format!("column {name:?} has fill value {f} but its nulls are dropped (DropRows)")),
                        (Some(f), _) if !f.is_finite() => return bad(format!("column {name:?} has fill value {f}; it must be finite")),
                        (None, NumericImpute::DropRows) | (Some(_), _) => {}
                        (None, _) => return bad(format!("column {name:?} has no fill value, but its nulls are imputed")),
                    }
                }
                FittedColumn::Categorical { name, fill, categories, infrequent, .. } => {
                    if categories.is_empty() && infrequent.is_empty() {
                        return bad(format!("column {name:?} has no categories"));
                    }
                    for (list, what) in [(categories, "categories"), (infrequent, "infrequent categories")] {
                        if let Some(pair) = list.windows(2).find(|p| p[0] >= p[1]) {
                            let why = if pair[0] == pair[1] { "twice" } else { "out of order" };
                            return bad(format!("column {name:?} lists {:?} {why} among its {what} (they must be sorted and distinct)", pair[1]));
                        }
                    }
                    if let Some(both) = categories.iter().find(|c| infrequent.binary_search(c).is_ok()) {
                        return bad(format!("column {name:?} lists {both:?} both as a category and as infrequent"));
                    }
                    match (fill, &self.config.categorical_impute) {
                        (Some(f), CategoricalImpute::DropRows) => return bad(format!("column {name:?} has fill value {f:?} but its nulls are dropped (DropRows)")),
                        (Some(f), _) if code_of(categories, infrequent, f) == UNKNOWN => {
                            return bad(format!("column {name:?} has fill value {f:?}, which is not among its categories"));
                        }
                        (None, CategoricalImpute::DropRows) | (Some(_), _) => {}
                        (None, _) => return bad(format!("column {name:?} has no fill value, but its nulls are imputed")),
                    }
                }
            }
        }
        // two features of one name: the frame could not hold both, and a model could not tell them apart
        let mut sources: Vec<(String, String)> = self.features();
        sources.extend(self.config.passthrough.iter().map(|p| (p.clone(), format!("passthrough column {p:?}"))));
        let mut seen: PlHashMap<&str, &str> = PlHashMap::new();
        for (name, source) in &sources {
            if let Some(first) = seen.insert(name, source) {
                return Err(PreprocessError::NameClash { name: name.clone(), first: first.into(), second: source.clone() });
            }
        }
        Ok(())
    }

    /// `MatrixTooLarge` if `rows` rows of the features would take more than `max_matrix_bytes`.
    fn check_size(&self, rows: usize) -> Result<()> {
        let features: usize = self.columns.iter().map(|c| self.width(c) + usize::from(self.has_indicator(c))).sum();
        let bytes = (rows as u64).saturating_mul(features as u64).saturating_mul(4);
        if bytes > self.config.max_matrix_bytes {
            let widest = self.columns.iter().max_by_key(|c| self.width(c)).expect("a checked state has columns");
            return Err(PreprocessError::MatrixTooLarge {
                rows,
                features,
                bytes,
                limit: self.config.max_matrix_bytes,
                widest: widest.name().into(),
                widest_features: self.width(widest),
            });
        }
        Ok(())
    }

    // ANCHOR: transform
    /// The features as a dense f32 matrix (rows x features, row-major), ready for a model, and the mask of
    /// the input rows kept (all true unless a DropRows strategy dropped some).
    pub fn transform_array(&self, df: &DataFrame) -> Result<(Array2<f32>, Vec<bool>)> {
        let roles: Vec<(String, Role)> = self
            .columns
            .iter()
            .map(|c| (c.name().to_string(), if matches!(c, FittedColumn::Numeric { .. }) { Role::Numeric } else { Role::Categorical }))
            .collect();
        for c in &self.columns {
            let got = column(df, c.name())?.dtype().to_string();
            if got != c.dtype() {
                return Err(PreprocessError::DtypeChanged { column: c.name().into(), fitted: c.dtype().into(), got });
            }
        }
        let keep: Vec<bool> = self.config.drop_mask(df, &roles)?.into_iter().map(|d| !d).collect();
        self.check_size(keep.iter().filter(|k| **k).count())?; // before anything large is allocated
        // 1. each column on its own (in parallel): scaled values or category codes, one per input row
        let results: Vec<Result<Encoded>> = self.columns.par_iter().map(|c| self.encode(c, column(df, c.name())?, &keep)).collect();
        let encoded = results.into_iter().collect::<Result<Vec<_>>>()?;
        // 2. the matrix
        Ok((self.assemble(&encoded, &keep)?, keep))
    }
    // ANCHOR_END: transform

    /// The matrix of the kept rows, a block of rows at a time (in parallel): each block is written once, while
    /// in cache.
    fn assemble(&self, encoded: &[Encoded], keep: &[bool]) -> Result<Array2<f32>> {
        // the input rows in output order (none listed when all are kept: output row r is input row r)
        let kept_rows: Option<Vec<usize>> = keep.contains(&false).then(|| (0..keep.len()).filter(|&r| keep[r]).collect());
        let height = kept_rows.as_ref().map_or(keep.len(), Vec::len);
        self.check_size(height)?;
        // each column's width before its indicator, and where its features start
        let widths: Vec<usize> = self.columns.iter().map(|c| self.width(c)).collect();
        let width = self.feature_names().len();
        let mut out = Array2::<f32>::zeros((height, width));
        if width > 0 {
            let flat = out.as_slice_mut().expect("a new array is contiguous");
            flat.par_chunks_mut(ROWS_PER_BLOCK * width).enumerate().for_each(|(b, block)| {
                let first = b * ROWS_PER_BLOCK;
                for (i, row) in block.chunks_exact_mut(width).enumerate() {
                    let r = kept_rows.as_ref().map_or(first + i, |rows| rows[first + i]);
                    let mut j = 0;
                    for (e, &w) in encoded.iter().zip(&widths) {
                        e.write_row(r, w, &mut row[j..]);
                        j += w + usize::from(e.missing.is_some());
                    }
                }
            });
        }
        Ok(out)
    }

    /// One column's features for every input row, checked: an unseen category in a kept row is an error here.
    fn encode(&self, c: &FittedColumn, col: &Column, keep: &[bool]) -> Result<Encoded> {
        match c {
            FittedColumn::Numeric { name, fill, center, scale, indicator, .. } => {
                let (values, null) = numeric_column(col, name)?;
                encode_numeric(name, values, null, *fill, *center, *scale, *indicator)
            }
            FittedColumn::Categorical { name, fill, categories, infrequent, indicator, .. } => {
                let series = category_series(col)?;
                let values = series.str()?;
                let codes = category_codes(values, categories, infrequent)?;
                let fill_code = fill.as_deref().map_or(UNKNOWN, |f| code_of(categories, infrequent, f));
                self.config.encode_categorical(values, codes, name, fill_code, *indicator, keep)
            }
        }
    }

    /// The features as a polars frame (one f32 column per feature name), followed by the passthrough columns
    /// of the kept rows.
    pub fn transform(&self, df: &DataFrame) -> Result<DataFrame> {
        let (matrix, keep) = self.transform_array(df)?;
        let mut columns: Vec<Column> = self
            .feature_names()
            .into_iter()
            .zip(matrix.columns())
            .map(|(name, values)| Column::new(name.into(), values.to_vec()))
            .collect();
        let mask = BooleanChunked::from_slice("keep".into(), &keep);
        for p in &self.config.passthrough {
            columns.push(column(df, p)?.filter(&mask)?);
        }
        Ok(DataFrame::new(matrix.nrows(), columns)?)
    }

    /// Undoes scaling and encoding on a transformed frame: numeric columns back in their units (as f64),
    /// categorical ones back to their category (null where one-hot was all zeros).
    pub fn inverse_transform(&self, transformed: &DataFrame) -> Result<DataFrame> {
        let names = self.feature_names();
        let features: Vec<&Column> = names.iter().map(|n| column(transformed, n)).collect::<Result<_>>()?;
        let get = |k: usize| -> Result<Vec<f64>> { Ok(numeric_values(features[k], &names[k])?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect()) };
        let mut out = Vec::new();
        let mut j = 0;
        for c in &self.columns {
            match c {
                FittedColumn::Numeric { name, center, scale, indicator, .. } => {
                    let values: Vec<f64> = get(j)?.into_iter().map(|z| z * scale + center).collect();
                    out.push(Column::new(name.as_str().into(), values));
                    j += 1 + usize::from(*indicator);
                }
                FittedColumn::Categorical { name, categories, indicator, .. } => {
                    let decoded: Vec<Option<String>> = match self.config.encoding {
                        Encoding::OneHot(_) => {
                            let cols: Vec<Vec<f64>> = (0..categories.len()).map(|k| get(j + k)).collect::<Result<_>>()?;
                            (0..transformed.height())
                                .map(|r| (0..categories.len()).find(|&k| cols[k][r] > 0.5).map(|k| categories[k].clone()))
                                .collect()
                        }
                        Encoding::Ordinal(_) => get(j)?.into_iter().map(|code| categories.get(code.round() as usize).filter(|_| code >= 0.0).cloned()).collect(),
                    };
                    out.push(Column::new(name.as_str().into(), decoded));
                    j += self.width(c) + usize::from(*indicator);
                }
            }
        }
        if j != names.len() {
            return Err(PreprocessError::InverseShape { expected: names.len(), got: j });
        }
        Ok(DataFrame::new(transformed.height(), out)?)
    }

    // ANCHOR: json
    /// The fitted state as JSON (configuration and every learned statistic).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }
    /// A saved state, checked: an edited or corrupted file (a zero scale, a missing fill value, a category
    /// listed twice, an unknown field) is an `InvalidState` or `Json` error, never a silently wrong matrix.
    pub fn from_json(json: &str) -> Result<Self> {
        let state: Self = serde_json::from_str(json)?;
        state.check()?;
        Ok(state)
    }
    // ANCHOR_END: json
}

fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Column> {
    df.column(name).map_err(|_| PreprocessError::MissingColumn { column: name.into() })
}

/// true where the column is null (read from the validity bits, not row by row through `Option`s).
fn null_mask(col: &Column) -> Vec<bool> {
    col.as_materialized_series().is_null().downcast_iter().flat_map(|chunk| chunk.values().iter()).collect()
}

// ANCHOR: encode_numeric
/// A numeric column's features for every input row, from its values and null mask (`numeric_column`): nulls
/// filled with `fill`, then `(x - center) / scale`, as f32; with `indicator`, also the null mask for the
/// `<column>_missing` feature. A value whose scaled result does not fit in an f32 is an `Overflow` error.
fn encode_numeric(name: &str, values: Vec<f64>, nulls: Vec<bool>, fill: Option<f64>, center: f64, scale: f64, indicator: bool) -> Result<Encoded> {
    // ANCHOR: exercise_encode_numeric
    // a null in a DropRows column never reaches the matrix (its row is not kept): NaN is never seen
    let filled = |r: usize| if nulls[r] { fill.unwrap_or(f64::NAN) } else { values[r] };
    let mut finite = true; // checked in the same pass, without a branch per row
    let scaled: Vec<f32> = (0..values.len())
        .map(|r| {
            let z = ((filled(r) - center) / scale) as f32;
            finite &= z.is_finite() || fill.is_none() && nulls[r]; // a dropped null's NaN does not count
            z
        })
        .collect();
    if !finite {
        let row = (0..values.len()).find(|&r| !(scaled[r].is_finite() || fill.is_none() && nulls[r])).expect("a row overflowed");
        return Err(PreprocessError::Overflow { column: name.into(), row, value: filled(row), scaled: (filled(row) - center) / scale });
    }
    Ok(Encoded { features: Features::Scaled(scaled), missing: indicator.then_some(nulls) })
    // ANCHOR_END: exercise_encode_numeric
}
// ANCHOR_END: encode_numeric

/// The mean and population standard deviation of the present values plus `imputed` copies of `fill`, for
/// values so large that their sum or squares overflow f64: computed on the values divided by the largest
/// magnitude, then multiplied back (infinite only if the result itself is beyond f64's range).
pub(crate) fn rescaled_mean_std(present: &[f64], imputed: usize, fill: f64) -> (f64, f64) {
    let fills = std::iter::repeat_n(fill, imputed);
    let largest = present.iter().chain(&[fill][..usize::from(imputed > 0)]).fold(0.0f64, |m, v| m.max(v.abs()));
    let n = (present.len() + imputed) as f64;
    let m = present.iter().copied().chain(fills.clone()).map(|v| v / largest).sum::<f64>() / n;
    let var = present.iter().copied().chain(fills).map(|v| (v / largest - m).powi(2)).sum::<f64>() / n;
    (m * largest, var.sqrt() * largest)
}

/// A numeric column as f64 values and its null mask (the value under a null is meaningless). NaN and
/// infinity are errors: polars keeps them apart from null, and a model must not see them. A text column
/// given a numeric role must parse: "n/a" or "1,5" is a `NotANumber` error, never a silent null or 0.
fn numeric_column(col: &Column, name: &str) -> Result<(Vec<f64>, Vec<bool>)> {
    let series = col.as_materialized_series().cast(&DataType::Float64)?;
    if series.null_count() > col.null_count() {
        // the cast turned something into null: the first value it could not parse
        let (now, before) = (null_mask(&series.clone().into_column()), null_mask(col));
        let row = (0..now.len()).find(|&r| now[r] && !before[r]).expect("a value became null");
        let value = col.get(row)?.str_value().to_string();
        return Err(PreprocessError::NotANumber { column: name.into(), row, value });
    }
    let mut values = Vec::with_capacity(series.len());
    for chunk in series.f64()?.downcast_iter() {
        values.extend_from_slice(chunk.values());
    }
    let nulls = null_mask(&series.into_column());
    if let Some(row) = (0..values.len()).find(|&r| !nulls[r] && !values[r].is_finite()) {
        return Err(PreprocessError::NonFinite { column: name.into(), row, value: values[row] });
    }
    Ok((values, nulls))
}

/// A numeric column as f64 values, `None` for null.
fn numeric_values(col: &Column, name: &str) -> Result<Vec<Option<f64>>> {
    let (values, nulls) = numeric_column(col, name)?;
    Ok(values.into_iter().zip(nulls).map(|(v, null)| (!null).then_some(v)).collect())
}

/// Each row's index in `categories`, `categories.len()` for an infrequent category (the shared feature that
/// follows them), or `UNKNOWN` for a null or a category not seen at fit. With few categories, one vectorised
/// comparison of the whole column per category (polars' string kernels) beats hashing every row's string;
/// with many, a hash map.
fn category_codes(values: &StringChunked, categories: &[String], infrequent: &[String]) -> Result<Vec<u32>> {
    let mut codes = vec![UNKNOWN; values.len()];
    let infrequent_code = categories.len() as u32;
    if categories.len() + infrequent.len() <= 32 {
        for (k, category) in categories.iter().enumerate() {
            set_where(&mut codes, &equal_bits(values, category), k as u32);
        }
        for category in infrequent {
            set_where(&mut codes, &equal_bits(values, category), infrequent_code);
        }
    } else {
        let mut index: PlHashMap<&str, u32> = categories.iter().enumerate().map(|(k, c)| (c.as_str(), k as u32)).collect();
        index.extend(infrequent.iter().map(|c| (c.as_str(), infrequent_code)));
        for (code, value) in codes.iter_mut().zip(values.iter()) {
            if let Some(&k) = value.and_then(|v| index.get(v)) {
                *code = k;
            }
        }
    }
    Ok(codes)
}

/// One value's code, as `category_codes` gives it (both lists sorted).
fn code_of(categories: &[String], infrequent: &[String], value: &str) -> u32 {
    match categories.binary_search_by(|c| c.as_str().cmp(value)) {
        Ok(k) => k as u32,
        Err(_) if infrequent.binary_search_by(|c| c.as_str().cmp(value)).is_ok() => categories.len() as u32,
        Err(_) => UNKNOWN,
    }
}

/// An integer column without a name: a row index if its values count from 0 or 1 (`is_row_index`).
pub(crate) fn could_be_row_index(name: &str, dtype: &DataType) -> bool {
    let unnamed = name.is_empty() || name == "index" || name.strip_prefix("Unnamed: ").is_some_and(|n| n.parse::<usize>().is_ok());
    unnamed && dtype.is_integer()
}

/// A row index, not a feature: an integer column without a name (pandas writes its index to CSV under an
/// empty header, read back as "" or "Unnamed: 0") whose values count 0, 1, 2, ... or 1, 2, 3, ...
fn is_row_index(col: &Column) -> Result<bool> {
    if !could_be_row_index(col.name(), col.dtype()) || col.null_count() > 0 || col.is_empty() {
        return Ok(false);
    }
    let values = col.as_materialized_series().cast(&DataType::Int64)?;
    let values = values.i64()?;
    let first = values.get(0).expect("no nulls");
    Ok((first == 0 || first == 1) && values.into_no_null_iter().zip(first..).all(|(v, want)| v == want))
}

/// Where `values` equals `value` (never for a null), as a bit mask: bit `r % 8` of byte `r / 8` for row `r`.
/// polars compares the whole column in one vectorised kernel and returns its bits; reading them a byte at a
/// time, 8 rows per step, costs less than the comparison (a bool or a u32 per row would cost 8 or 32 times the
/// memory, all of it fresh pages).
fn equal_bits(values: &StringChunked, value: &str) -> Vec<u8> {
    as_bits(&values.equal_missing(value))
}

/// A boolean column as bits (nulls as false), 8 rows per byte, the first row in the lowest bit.
fn as_bits(mask: &BooleanChunked) -> Vec<u8> {
    let mut bits = vec![0u8; mask.len().div_ceil(8)];
    let no_nulls = mask.null_count() == 0; // else a null's value bit may be set: go through `iter`
    let mut row = 0;
    for chunk in mask.downcast_iter() {
        // the chunk's bits start at bit `offset` (< 8) of `bytes`; they go to bit `row` of `bits`
        let (bytes, offset, len) = chunk.values().as_slice();
        if no_nulls {
            let shift = row % 8;
            for i in 0..len.div_ceil(8) {
                // the chunk's rows 8i .. 8i + 7, as one byte
                let mut byte = bytes[i] >> offset;
                if offset > 0 && i + 1 < bytes.len() {
                    byte |= bytes[i + 1] << (8 - offset);
                }
                if i == len / 8 {
                    byte &= (1u8 << (len % 8)) - 1; // past the chunk's end: not rows (a test found 1s there)
                }
                let at = (row + 8 * i) / 8;
                bits[at] |= byte << shift;
                if shift > 0 && at + 1 < bits.len() {
                    bits[at + 1] |= byte >> (8 - shift);
                }
            }
        } else {
            for (r, bit) in (row..).zip(chunk.iter()) {
                bits[r / 8] |= u8::from(bit == Some(true)) << (r % 8);
            }
        }
        row += len;
    }
    bits
}

/// `codes[r] = code` for every row `r` whose bit is set.
fn set_where(codes: &mut [u32], bits: &[u8], code: u32) {
    for (i, &byte) in bits.iter().enumerate() {
        let mut byte = byte;
        while byte != 0 {
            codes[i * 8 + byte.trailing_zeros() as usize] = code;
            byte &= byte - 1; // clear the lowest set bit
        }
    }
}

/// The distinct non-null values of a column and how often each occurs. Categorical features have few
/// distinct values, so: take the first row not yet counted, compare the whole column with its value (one
/// vectorised polars comparison), repeat. Past 32 distinct values, polars' hash-based `value_counts` is faster.
fn category_counts(values: &StringChunked) -> Result<Vec<(String, usize)>> {
    Ok(category_counts_and_codes(values, false)?.0)
}

/// `category_counts`, and with `with_codes` each row's index among the values in the order returned
/// (`UNKNOWN` for a null), found on the way: `fit_transform_array` needs no second pass for the codes. The
/// codes are `None` past 32 values (or when not asked for).
fn category_counts_and_codes(values: &StringChunked, with_codes: bool) -> Result<(Vec<(String, usize)>, Option<Vec<u32>>)> {
    // bit set: null or counted. Past the last row, bits are set: they never look like a row to count.
    let mut counted = as_bits(&values.is_null());
    if values.len() % 8 != 0 {
        *counted.last_mut().expect("a partial byte exists") |= !((1u8 << (values.len() % 8)) - 1);
    }
    let mut codes = with_codes.then(|| vec![UNKNOWN; values.len()]);
    let mut counts = Vec::new();
    let mut next = 0; // every byte before `next` is all counted
    while let Some(i) = counted[next..].iter().position(|&c| c != u8::MAX).map(|p| p + next) {
        let r = i * 8 + counted[i].trailing_ones() as usize; // the first row not counted yet
        if counts.len() == 32 {
            let counted = values.clone().into_series().value_counts(false, true, "count".into(), false)?;
            let distinct = counted.column(values.name())?.str()?.clone();
            let totals = counted.column("count")?.idx()?.clone();
            let counts = distinct.iter().zip(totals.iter()).filter_map(|(v, c)| Some((v?.to_string(), c? as usize))).collect();
            return Ok((counts, None));
        }
        let value = values.get(r).expect("a row not counted is not null");
        let hits = equal_bits(values, value);
        let mut n = 0;
        for (c, &hit) in counted.iter_mut().zip(&hits) {
            *c |= hit;
            n += hit.count_ones() as usize;
        }
        if let Some(codes) = &mut codes {
            set_where(codes, &hits, counts.len() as u32);
        }
        counts.push((value.to_string(), n));
        next = i;
    }
    Ok((counts, codes))
}

/// A categorical column as strings (`series.str()?.iter()` gives `Option<&str>` per row).
fn category_series(col: &Column) -> Result<Series> {
    Ok(col.as_materialized_series().cast(&DataType::String)?)
}

pub(crate) fn mean(values: &[f64]) -> f64 {
    let m = values.iter().sum::<f64>() / values.len() as f64;
    if m.is_finite() { m } else { rescaled_mean_std(values, 0, 0.0).0 } // a sum beyond f64's range
}

// ANCHOR: quantile
/// Linear-interpolation quantile (NumPy's default method) by selection, O(n): the values are reordered.
pub(crate) fn quantile(values: &mut [f64], q: f64) -> f64 {
    // ANCHOR: exercise_quantile
    let pos = q * (values.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let (_, &mut low, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    // the next order statistic is the smallest of the values above the lo-th
    let high = if hi > lo { above.iter().copied().fold(f64::INFINITY, f64::min) } else { low };
    low + (high - low) * (pos - lo as f64)
    // ANCHOR_END: exercise_quantile
}
// ANCHOR_END: quantile

// ANCHOR: split
/// A seeded train/test split; with `stratify`, each value of that column keeps its share in both parts.
/// Errors, as scikit-learn's: no rows, a fraction outside (0, 1), a class of one row when stratified, or a
/// split that leaves either part empty.
pub fn train_test_split(df: &DataFrame, test_fraction: f64, seed: u64, stratify: Option<&str>) -> Result<(DataFrame, DataFrame)> {
    if df.height() == 0 {
        return Err(PreprocessError::EmptyFrame);
    }
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(PreprocessError::BadFraction(test_fraction));
    }
    // the row indices of each label, in label order (one group of all rows without `stratify`)
    let groups: Vec<(Option<String>, Vec<IdxSize>)> = match stratify {
        None => vec![(None, (0..df.height() as IdxSize).collect())],
        Some(name) => {
            let labels = category_series(column(df, name)?)?;
            let mut by_label: std::collections::BTreeMap<Option<&str>, Vec<IdxSize>> = Default::default();
            for (r, label) in labels.str()?.iter().enumerate() {
                by_label.entry(label).or_default().push(r as IdxSize);
            }
            if let Some((label, rows)) = by_label.iter().find(|(_, rows)| rows.len() < 2) {
                let class = label.unwrap_or("null").to_string();
                return Err(PreprocessError::ClassTooSmall { column: name.into(), class, rows: rows.len() });
            }
            by_label.into_iter().map(|(label, rows)| (label.map(str::to_string), rows)).collect()
        }
    };
    let (train, test) = split_groups(groups.into_iter().map(|(_, rows)| rows).collect(), test_fraction, seed);
    for (part, rows) in [("training", &train), ("test", &test)] {
        if rows.is_empty() {
            return Err(PreprocessError::EmptySplit { rows: df.height(), test_fraction, part });
        }
    }
    let take = |rows: Vec<IdxSize>| df.take(&IdxCa::from_vec("rows".into(), rows));
    Ok((take(train)?, take(test)?))
}

/// The training and test rows (each sorted, so the rows keep their order): each group shuffled with the
/// seeded generator, its first `round(len * test_fraction)` rows to the test part.
fn split_groups(groups: Vec<Vec<IdxSize>>, test_fraction: f64, seed: u64) -> (Vec<IdxSize>, Vec<IdxSize>) {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    // ANCHOR: exercise_split_groups
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for mut group in groups {
        group.shuffle(&mut rng);
        let n_test = (group.len() as f64 * test_fraction).round() as usize;
        test.extend_from_slice(&group[..n_test]);
        train.extend_from_slice(&group[n_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
    // ANCHOR_END: exercise_split_groups
}
// ANCHOR_END: split

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: sort, then interpolate between the two neighbouring order statistics.
    fn quantile_by_sorting(values: &[f64], q: f64) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let pos = q * (sorted.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    }

    proptest! {
        #[test]
        fn selection_quantile_matches_sorting(values in proptest::collection::vec(-1e6f64..1e6, 1..200), q in 0.0f64..=1.0) {
            let mut scratch = values.clone();
            prop_assert_eq!(quantile(&mut scratch, q), quantile_by_sorting(&values, q));
        }
    }

    /// A string column in up to three chunks, then sliced: the chunk boundaries and the slice's offset fall
    /// inside bytes of the bit masks, the paths `as_bits` takes besides the usual single chunk.
    fn chunked(parts: &[Vec<Option<String>>], skip: usize) -> StringChunked {
        let mut column = StringChunked::new("c".into(), &parts[0]);
        for part in &parts[1..] {
            column.append(&StringChunked::new("c".into(), part)).unwrap();
        }
        column.slice(skip.min(column.len()) as i64, column.len())
    }

    fn parts() -> impl Strategy<Value = (Vec<Vec<Option<String>>>, usize)> {
        let value = proptest::option::weighted(0.8, "[abc]|a long category name");
        (proptest::collection::vec(proptest::collection::vec(value, 0..30), 1..4), 0usize..5)
    }

    proptest! {
        #[test]
        fn bits_of_any_chunking_match_the_booleans((parts, skip) in parts()) {
            let column = chunked(&parts, skip);
            let mask = column.equal_missing("b");
            let bits = as_bits(&mask);
            prop_assert_eq!(bits.len(), mask.len().div_ceil(8));
            let want: Vec<bool> = mask.iter().map(|b| b == Some(true)).collect();
            let got: Vec<bool> = (0..mask.len()).map(|r| bits[r / 8] >> (r % 8) & 1 == 1).collect();
            prop_assert_eq!(got, want);
            prop_assert!(mask.len() % 8 == 0 || bits[bits.len() - 1] >> (mask.len() % 8) == 0, "bits past the end");
        }

        #[test]
        fn counts_and_codes_match_a_row_by_row_count((parts, skip) in parts()) {
            let column = chunked(&parts, skip);
            let mut want: Vec<(String, usize)> = Vec::new(); // in the order met
            let mut want_codes = Vec::new();
            for value in column.iter() {
                want_codes.push(match value {
                    None => UNKNOWN,
                    Some(v) => match want.iter().position(|(w, _)| w == v) {
                        Some(k) => { want[k].1 += 1; k as u32 }
                        None => { want.push((v.to_string(), 1)); want.len() as u32 - 1 }
                    },
                });
            }
            let (counts, codes) = category_counts_and_codes(&column, true).unwrap();
            prop_assert_eq!(&counts, &want);
            prop_assert_eq!(codes, Some(want_codes));
            let sorted: Vec<String> = { let mut s: Vec<String> = want.iter().map(|(v, _)| v.clone()).collect(); s.sort(); s };
            let by_place: Vec<u32> = column.iter().map(|v| v.and_then(|v| sorted.iter().position(|s| s == v)).map_or(UNKNOWN, |k| k as u32)).collect();
            prop_assert_eq!(category_codes(&column, &sorted, &[]).unwrap(), by_place);
        }
    }

    #[test]
    fn quantiles_of_known_values() {
        assert_eq!(quantile(&mut [5.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(quantile(&mut [4.0, 1.0, 3.0, 2.0], 0.5), 2.5);
        assert_eq!(quantile(&mut [1.0, 2.0, 3.0, 4.0, 5.0], 0.25), 2.0);
        assert_eq!(quantile(&mut [7.0], 0.75), 7.0);
    }
}
