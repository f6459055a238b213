//! When the data outgrows memory: Lab 1.2.2's [`Preprocessor`] fitted from a lazy scan by polars' streaming
//! engine, and its transform written to Parquet a batch at a time. Neither holds the whole input in memory.
//!
//! - [`Preprocessor::fit_lazy`] learns the same fitted state as [`Preprocessor::fit`] with lazy aggregations:
//!   counts, sums, minima and maxima stream; a median or quantile does not stream in polars, so it is found by
//!   `order_statistic`, a few streaming passes that narrow down a range of values (exact, not approximate).
//! - [`transform_parquet`] streams the input through the fitted transform into a Parquet file, batch by batch,
//!   written to a temporary name and renamed at the end: an error leaves no partial output.

use crate::preprocessing_pipeline::{FittedColumn, FittedPreprocessor, NumericImpute, PreprocessError, Preprocessor, Role, Scaling};
use polars::prelude::*;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What can go wrong out of core: the file, or the data (a [`PreprocessError`], with the row counted from the
/// start of the file).
#[derive(Debug, thiserror::Error)]
pub enum OutOfCoreError {
    #[error("{}: no such file or folder", .0.display())]
    NotFound(PathBuf),
    #[error("{}: cannot be read as Parquet: {source}", path.display())]
    Unreadable { path: PathBuf, source: PolarsError },
    #[error("{}: cannot be written: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Preprocess(#[from] PreprocessError),
}

impl From<PolarsError> for OutOfCoreError {
    fn from(e: PolarsError) -> Self {
        OutOfCoreError::Preprocess(e.into())
    }
}

type Result<T, E = PreprocessError> = std::result::Result<T, E>;

// ANCHOR: scan
/// A lazy scan of a Parquet file, or of a folder of them (hive-style `key=value/` folders become columns),
/// checked: a missing path or a file that is not Parquet is an error now, before any query runs.
pub fn scan(path: &Path) -> Result<LazyFrame, OutOfCoreError> {
    if !path.exists() {
        return Err(OutOfCoreError::NotFound(path.to_path_buf()));
    }
    let unreadable = |source| OutOfCoreError::Unreadable { path: path.to_path_buf(), source };
    let mut lf = LazyFrame::scan_parquet(path.to_string_lossy().as_ref().into(), ScanArgsParquet::default()).map_err(unreadable)?;
    lf.collect_schema().map_err(unreadable)?; // reads the footer of the (first) file
    Ok(lf)
}
// ANCHOR_END: scan

/// Runs a query on polars' streaming engine: the input is read in morsels, never whole.
fn stream(lf: LazyFrame) -> Result<DataFrame> {
    Ok(lf.collect_with_engine(Engine::Streaming)?.unwrap_single())
}

/// One f64 (or null) from a one-row frame.
fn number(df: &DataFrame, name: &str) -> Result<Option<f64>> {
    Ok(df.column(name)?.cast(&DataType::Float64)?.f64()?.get(0))
}

/// A count from a one-row frame.
fn count(df: &DataFrame, name: &str) -> Result<u64> {
    Ok(number(df, name)?.map_or(0, |n| n as u64))
}

/// A numeric column as the pipeline reads it: cast to f64. Text that does not parse becomes null here;
/// `check_numbers` reports it as `NotANumber` before any statistic is computed.
fn as_f64(name: &str) -> Expr {
    col(name).cast(DataType::Float64)
}

impl Preprocessor {
    // ANCHOR: fit_lazy
    /// Learns the same state as [`fit`](Preprocessor::fit) from a lazy frame (a scan), without collecting it:
    /// every statistic is a streaming aggregation. Order statistics (median, quantiles), minima, maxima and
    /// categories are exactly those of `fit`; means and standard deviations agree to rounding (their sums are
    /// added in another order), within 1e-9 of the column's largest magnitude (tested).
    pub fn fit_lazy(&self, mut lf: LazyFrame) -> Result<FittedPreprocessor> {
        let schema = lf.collect_schema()?;
        // the checks in `fit`'s order; a count of rows alone is read from the Parquet footer
        if count(&stream(lf.clone().select([len().alias("rows")]))?, "rows")? == 0 {
            return Err(PreprocessError::EmptyFrame);
        }
        if self.max_categories == Some(0) {
            return Err(PreprocessError::ZeroMaxCategories);
        }
        let columns: Vec<(String, DataType)> = schema.iter().map(|(n, d)| (n.to_string(), d.clone())).collect();
        let (roles, excluded) = self.roles_by_dtype(&columns, |name| is_row_index_lazy(&lf, name))?;
        self.check_roles(&roles)?;
        let dtype_of = |name: &str| schema.get(name).cloned().ok_or_else(|| PreprocessError::MissingColumn { column: name.into() });
        for name in roles.iter().map(|(c, _)| c).chain(&self.passthrough) {
            dtype_of(name)?;
        }
        let numeric: Vec<&str> = roles.iter().filter(|(_, r)| *r == Role::Numeric).map(|(c, _)| c.as_str()).collect();
        // pass 1, over every row: text or NaN in a numeric column (as `fit` checks them)
        check_numbers(&lf, &numeric)?;
        // rows with a null in a DropRows column take part in no statistic
        let dropping: Vec<&str> = roles.iter().filter(|(_, r)| self.drops(*r)).map(|(c, _)| c.as_str()).collect();
        let kept = match dropping.iter().map(|c| col(*c).is_not_null()).reduce(|a, b| a.and(b)) {
            Some(keep) => lf.clone().filter(keep),
            None => lf.clone(),
        };
        // pass 2, over the kept rows: their number, and each numeric column's count, sum, minimum and maximum
        let mut first = vec![len().alias("rows")];
        for (i, c) in numeric.iter().enumerate() {
            let x = as_f64(c);
            first.extend([x.clone().count().alias(format!("present{i}")), x.clone().sum().alias(format!("sum{i}")), x.clone().min().alias(format!("min{i}")), x.max().alias(format!("max{i}"))]);
        }
        let first = stream(kept.clone().select(first))?;
        let rows = count(&first, "rows")?;
        if rows == 0 {
            return Err(PreprocessError::NoRowsLeft { columns: dropping.iter().map(|c| c.to_string()).collect() });
        }
        // the fill values, medians and quantiles of each numeric column: a few passes each
        let mut partial = Vec::new();
        for (i, c) in numeric.iter().enumerate() {
            partial.push(self.numeric_partial(&kept, c, &first, i, rows)?);
        }
        // pass 3, for standard scaling: every column's squared deviations from its mean at once
        let means: Vec<(usize, f64)> = partial.iter().enumerate().filter_map(|(i, p)| p.mean.map(|m| (i, m))).collect();
        let squares = if means.is_empty() {
            None
        } else {
            let sums = means.iter().map(|&(i, m)| (as_f64(numeric[i]) - lit(m)).pow(2).sum().alias(format!("squares{i}")));
            Some(stream(kept.clone().select(sums.collect::<Vec<_>>()))?)
        };
        let mut fitted = Vec::with_capacity(roles.len());
        let mut partial = partial.into_iter();
        for (name, role) in &roles {
            let dtype = dtype_of(name)?.to_string();
            fitted.push(match role {
                Role::Numeric => {
                    let i = numeric.iter().position(|c| c == name).expect("a numeric column");
                    let p = partial.next().expect("one per numeric column");
                    let squares = squares.as_ref().map(|s| number(s, &format!("squares{i}"))).transpose()?.flatten();
                    self.numeric_lazy(&kept, p, squares, dtype)?
                }
                Role::Categorical => {
                    let (counts, nulls) = category_counts_lazy(&kept, name)?;
                    self.fit_categorical(name.clone(), dtype, counts, nulls)?
                }
            });
        }
        let fitted = FittedPreprocessor { config: self.clone(), columns: fitted, excluded };
        fitted.check()?;
        Ok(fitted)
    }
    // ANCHOR_END: fit_lazy

    /// A numeric column's fill value and, unless it needs the squared deviations, its centre and scale.
    fn numeric_partial<'a>(&self, kept: &LazyFrame, name: &'a str, first: &DataFrame, i: usize, rows: u64) -> Result<Partial<'a>> {
        let present = count(first, &format!("present{i}"))?;
        if present == 0 {
            return Err(PreprocessError::AllNull { column: name.into() });
        }
        let nulls = (rows - present) as usize;
        let lo = number(first, &format!("min{i}"))?.expect("a column with values has a minimum");
        let hi = number(first, &format!("max{i}"))?.expect("and a maximum");
        let range = Range { column: name, present, lo, hi };
        let sum = number(first, &format!("sum{i}"))?.unwrap_or(0.0);
        let fill = match &self.numeric_impute {
            NumericImpute::Mean => Some(mean_lazy(kept, &range, sum)?),
            NumericImpute::Median => Some(quantile_lazy(kept, &range, 0.5, 0.0, 0)?),
            NumericImpute::Constant(c) => Some(*c),
            NumericImpute::DropRows => None,
        };
        // the statistics of the column after imputation, as `fit` computes them
        let imputed = if fill.is_some() { nulls } else { 0 };
        let f = fill.unwrap_or(0.0);
        let (mut mean, mut center_scale) = (None, None);
        match self.scaling {
            Scaling::None => center_scale = Some((0.0, 1.0)),
            Scaling::Standard => mean = Some((sum + imputed as f64 * f) / (present as usize + imputed) as f64),
            Scaling::MinMax => {
                let (lo, hi) = if imputed > 0 { (lo.min(f), hi.max(f)) } else { (lo, hi) };
                center_scale = Some((lo, hi - lo));
            }
            Scaling::Robust => {
                let median = quantile_lazy(kept, &range, 0.5, f, imputed)?;
                center_scale = Some((median, quantile_lazy(kept, &range, 0.75, f, imputed)? - quantile_lazy(kept, &range, 0.25, f, imputed)?));
            }
        }
        Ok(Partial { range, nulls, fill, mean, center_scale })
    }

    /// A numeric column's state, with standard scaling's deviation from the squared deviations (as `fit`).
    fn numeric_lazy(&self, kept: &LazyFrame, p: Partial, squares: Option<f64>, dtype: String) -> Result<FittedColumn> {
        let (center, scale) = match (p.center_scale, p.mean) {
            (Some(cs), _) => cs,
            (None, m) => {
                let m = m.expect("standard scaling has a mean");
                let imputed = if p.fill.is_some() { p.nulls } else { 0 };
                let f = p.fill.unwrap_or(0.0);
                let n = (p.range.present as usize + imputed) as f64;
                let std = ((squares.unwrap_or(0.0) + imputed as f64 * (f - m) * (f - m)) / n).sqrt();
                if m.is_finite() && std.is_finite() { (m, std) } else { rescaled_lazy(kept, &p.range, imputed, f)? }
            }
        };
        self.numeric_state(p.range.column.into(), dtype, p.fill, center, scale, p.nulls)
    }
}

/// A numeric column's statistics before the pass of squared deviations.
struct Partial<'a> {
    range: Range<'a>,
    nulls: usize,
    fill: Option<f64>,
    /// standard scaling: the mean after imputation, whose squared deviations pass 3 sums
    mean: Option<f64>,
    /// any other scaling: the centre and scale, already known
    center_scale: Option<(f64, f64)>,
}

/// What a numeric column's first pass found: its number of present values and their least and greatest.
#[derive(Debug, Clone, Copy)]
struct Range<'a> {
    column: &'a str,
    present: u64,
    lo: f64,
    hi: f64,
}

/// `NotANumber` or `NonFinite` for the first row (counted from the start) that has one, as `fit` reports it.
fn check_numbers(lf: &LazyFrame, numeric: &[&str]) -> Result<()> {
    if numeric.is_empty() {
        return Ok(());
    }
    let bad_text = |c: &str| as_f64(c).is_null().and(col(c).is_not_null());
    let bad_number = |c: &str| as_f64(c).is_nan().or(as_f64(c).is_infinite());
    let mut counts = Vec::new();
    for (i, c) in numeric.iter().enumerate() {
        counts.push(bad_text(c).sum().alias(format!("text{i}")));
        counts.push(bad_number(c).sum().alias(format!("number{i}")));
    }
    let found = stream(lf.clone().select(counts))?;
    for (i, c) in numeric.iter().enumerate() {
        for (kind, bad) in [("text", bad_text(c)), ("number", bad_number(c))] {
            if count(&found, &format!("{kind}{i}"))? == 0 {
                continue;
            }
            // the first such row: only now is a row index needed
            let first = stream(lf.clone().with_row_index("row", None).filter(bad).select([col("row"), col(*c)]).first())?;
            let row = count(&first, "row")? as usize;
            let value = first.column(c)?.get(0)?;
            return Err(match kind {
                "text" => PreprocessError::NotANumber { column: c.to_string(), row, value: value.str_value().to_string() },
                _ => PreprocessError::NonFinite { column: c.to_string(), row, value: value.extract::<f64>().unwrap_or(f64::NAN) },
            });
        }
    }
    Ok(())
}

/// Whether an unnamed integer column counts 0, 1, 2, ... or 1, 2, 3, ... (as `fit` decides), from one
/// streaming pass: the column minus its row number is one constant, 0 or 1.
fn is_row_index_lazy(lf: &LazyFrame, name: &str) -> Result<bool> {
    let offset = col(name).cast(DataType::Int64) - col("__row").cast(DataType::Int64);
    let found = stream(lf.clone().with_row_index("__row", None).select([
        offset.clone().min().alias("min"),
        offset.max().alias("max"),
        col(name).null_count().alias("nulls"),
        len().alias("rows"),
    ]))?;
    let (min, max) = (number(&found, "min")?, number(&found, "max")?);
    Ok(count(&found, "nulls")? == 0 && count(&found, "rows")? > 0 && min == max && matches!(min, Some(0.0) | Some(1.0)))
}

/// The distinct non-null values of a categorical column (as text, as `fit` reads it) with their counts, and its
/// number of nulls: a streaming group_by, whose memory is one entry per category.
fn category_counts_lazy(kept: &LazyFrame, name: &str) -> Result<(Vec<(String, usize)>, usize)> {
    let groups = stream(kept.clone().select([col(name).cast(DataType::String)]).group_by([col(name)]).agg([len().alias("n")]))?;
    let (values, n) = (groups.column(name)?.str()?, groups.column("n")?.cast(&DataType::UInt64)?);
    let mut counts = Vec::with_capacity(groups.height());
    let mut nulls = 0;
    for (value, n) in values.iter().zip(n.u64()?.iter()) {
        let n = n.unwrap_or(0) as usize;
        match value {
            Some(v) => counts.push((v.to_string(), n)),
            None => nulls += n,
        }
    }
    Ok((counts, nulls))
}

/// The mean of the present values, as `fit`'s `mean`: their sum over their number, and for values so large that
/// the sum overflows, the mean of the values divided by the largest magnitude.
fn mean_lazy(kept: &LazyFrame, range: &Range, sum: f64) -> Result<f64> {
    let m = sum / range.present as f64;
    if m.is_finite() { Ok(m) } else { Ok(rescaled_lazy(kept, range, 0, 0.0)?.0) }
}

/// The mean and standard deviation on the values divided by the largest magnitude, then multiplied back (`fit` does the same).
fn rescaled_lazy(kept: &LazyFrame, range: &Range, imputed: usize, fill: f64) -> Result<(f64, f64)> {
    let largest = range.lo.abs().max(range.hi.abs()).max(if imputed > 0 { fill.abs() } else { 0.0 });
    let x = as_f64(range.column) / lit(largest);
    let n = (range.present as usize + imputed) as f64;
    let sum = number(&stream(kept.clone().select([x.clone().sum().alias("sum")]))?, "sum")?.unwrap_or(0.0);
    let m = (sum + imputed as f64 * (fill / largest)) / n;
    let squares = number(&stream(kept.clone().select([(x - lit(m)).pow(2).sum().alias("squares")]))?, "squares")?.unwrap_or(0.0);
    let var = (squares + imputed as f64 * (fill / largest - m).powi(2)) / n;
    Ok((m * largest, var.sqrt() * largest))
}

/// The `q` quantile (linear interpolation, NumPy's default, as `fit`'s `quantile`) of the present values plus
/// `imputed` copies of `fill`, from at most two exact order statistics.
fn quantile_lazy(kept: &LazyFrame, range: &Range, q: f64, fill: f64, imputed: usize) -> Result<f64> {
    let n = range.present + imputed as u64;
    let pos = q * (n - 1) as f64;
    let (lo, hi) = (pos.floor() as u64, pos.ceil() as u64);
    // the imputed copies sit among the present values equal to `fill`: before them come those below `fill`
    let below = if imputed == 0 {
        0
    } else {
        count(&stream(kept.clone().select([as_f64(range.column).lt(lit(fill)).sum().alias("below")]))?, "below")?
    };
    let nth = |k: u64| -> Result<f64> {
        if imputed == 0 || k < below {
            order_statistic(kept, range, k)
        } else if k < below + imputed as u64 {
            Ok(fill)
        } else {
            order_statistic(kept, range, k - imputed as u64)
        }
    };
    let low = nth(lo)?;
    let high = if hi > lo { nth(hi)? } else { low };
    Ok(low + (high - low) * (pos - lo as f64)) // the arithmetic of `quantile`, so the result is the same bits
}

/// At most this many values are collected to finish an order statistic in memory (8 MiB of f64).
const COLLECT_AT_MOST: u64 = 1 << 20;
/// Buckets per pass of `order_statistic` (one more, in fact: see its bucket numbers). Few enough that a morsel
/// of 100,000 rows shrinks to at most 1,025 partial groups: with 65,536 buckets, the streaming group_by kept a
/// partial group for almost every row, and its memory grew with the input.
const BUCKETS: f64 = 1024.0;

// ANCHOR: order_statistic
/// The `k`-th smallest (from 0) present value of a column, exactly, in bounded memory. Each pass is one
/// streaming group_by: it splits the values between `lo` and `hi` into 1,025 buckets by value (0 to 1,024)
/// and counts each bucket with its least and greatest value; the bucket that holds the `k`-th becomes the new
/// range.
/// Once at most 2^20 values are left, they are collected and the `k`-th is selected in memory.
fn order_statistic(kept: &LazyFrame, range: &Range, k: u64) -> Result<f64> {
    order_statistic_within(kept, range, k, COLLECT_AT_MOST)
}

/// `order_statistic`, collecting once at most `collect_at_most` values are left (the tests make it small, to
/// take many passes on small data).
fn order_statistic_within(kept: &LazyFrame, range: &Range, k: u64, collect_at_most: u64) -> Result<f64> {
    let x = || as_f64(range.column);
    let (mut lo, mut hi, mut k, mut left) = (range.lo, range.hi, k, range.present);
    loop {
        let in_range = x().gt_eq(lit(lo)).and(x().lt_eq(lit(hi)));
        if lo == hi && lo != 0.0 {
            return Ok(lo);
        }
        if lo == hi {
            // zeros: -0.0 sorts before 0.0 (f64::total_cmp, as `fit` sorts), and 1 / -0.0 is -infinity
            let negative = count(&stream(kept.clone().filter(in_range).select([(lit(1.0) / x()).lt(lit(0.0)).sum().alias("n")]))?, "n")?;
            return Ok(if k < negative { -0.0 } else { 0.0 });
        }
        if left <= collect_at_most {
            let values = stream(kept.clone().filter(in_range).select([x().alias("x")]))?;
            let mut values: Vec<f64> = values.column("x")?.f64()?.into_no_null_iter().collect();
            let (_, &mut kth, _) = values.select_nth_unstable_by(k as usize, f64::total_cmp);
            return Ok(kth);
        }
        // Bucket numbers only grow with the value, so each bucket holds a run of the sorted values; `lo` goes
        // to bucket 0 and `hi` to the last, so each pass leaves fewer values than the one before. polars
        // divides by a constant as a product with its reciprocal, so the width must have a finite one: a range
        // wider than f64 holds is measured in halves, a range narrower than 1e-270 in units of 2^-600
        // (products with powers of two are exact).
        let s = match hi - lo {
            w if !w.is_finite() => 0.5,
            w if w < 1e-270 => 2f64.powi(600),
            _ => 1.0,
        };
        let offset = (x() * lit(s) - lit(lo * s)) / lit(hi * s - lo * s);
        // + 0.0 turns a bucket -0.0 into 0.0: a group_by tells the two apart, a range filter does not
        let bucket = ((offset * lit(BUCKETS)).floor() + lit(0.0)).alias("bucket");
        let buckets = stream(
            kept.clone()
                .filter(in_range)
                .select([bucket, x().alias("x")])
                .group_by([col("bucket")])
                .agg([len().alias("n"), col("x").min().alias("lo"), col("x").max().alias("hi")])
                .sort(["bucket"], Default::default()),
        )?;
        let n = buckets.column("n")?.cast(&DataType::UInt64)?;
        let (n, los, his) = (n.u64()?, buckets.column("lo")?.f64()?, buckets.column("hi")?.f64()?);
        let mut before = 0;
        let mut found = None;
        for i in 0..buckets.height() {
            let size = n.get(i).unwrap_or(0);
            if k < before + size {
                found = Some((los.get(i).expect("a bucket has values"), his.get(i).expect("a bucket has values"), size));
                break;
            }
            before += size;
        }
        let (new_lo, new_hi, size) = found.expect("the buckets hold every value of the range, the k-th among them");
        (lo, hi, k, left) = (new_lo, new_hi, k - before, size);
    }
}
// ANCHOR_END: order_statistic

/// How polars' streaming engine runs a node of a query's physical plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// Morsel by morsel: memory does not grow with the input.
    Streaming,
    /// Streaming, but "potentially memory-intensive": holding state that can grow (a group_by's groups, a
    /// sort's rows, a join's table).
    MemoryIntensive,
    /// Not supported by the streaming engine: its whole input is collected and handed to the in-memory engine.
    InMemory,
}

// ANCHOR: plan
/// The nodes of `lf`'s streaming physical plan, from the source up, with how each runs: what polars' own
/// `to_dot_streaming_phys` draws (Python: `lf.show_graph(engine="streaming", plan_stage="physical")`).
pub fn streaming_plan(lf: &LazyFrame) -> Result<Vec<(String, Runs)>> {
    let dot = lf.to_dot_streaming_phys(true)?;
    let mut nodes = Vec::new();
    for line in dot.lines().filter(|l| l.contains(" [label=\"")) {
        let label = &line[line.find("[label=\"").expect("filtered") + 8..];
        // the node's kind is the label's first line (its end: a `\n` escape, or the label's closing quote)
        let name = label.split("\\n").next().unwrap_or(label);
        let name = name.split("\",").next().unwrap_or(name).trim_end_matches("\"]").replace("\\\"", "\"");
        // the colours of the graph's legend: red for the in-memory fallback, yellow for "potentially
        // memory-intensive", none for a plain streaming node
        let runs = if line.contains("fillcolor=\"0.0 0.3 1.0\"") {
            Runs::InMemory
        } else if line.contains("fillcolor=\"0.16 0.3 1.0\"") {
            Runs::MemoryIntensive
        } else {
            Runs::Streaming
        };
        nodes.push((name.to_string(), runs));
    }
    nodes.reverse(); // the graph lists the top node first
    Ok(nodes)
}
// ANCHOR_END: plan

/// The queries of the page's table: what each does, its polars expression as the page shows it, and the query.
pub fn plan_queries(scan: &LazyFrame) -> Vec<(&'static str, &'static str, LazyFrame)> {
    let x = || col("body_mass_g");
    let small = df!("species" => ["Adelie", "Gentoo"], "code" => [1i64, 2]).expect("a valid frame").lazy();
    vec![
        ("filter and select columns", "filter(col(\"year\").eq(lit(2008))).select([..])", scan.clone().filter(col("year").eq(lit(2008i64))).select([col("species"), x()])),
        ("new columns", "with_columns([(x - lit(m)) / lit(s)])", scan.clone().with_columns([((x() - lit(4200.0)) / lit(800.0)).alias("z")])),
        ("count, sum, mean, min, max", "select([x.mean(), x.min(), ..])", scan.clone().select([x().count().alias("n"), x().sum().alias("sum"), x().mean().alias("mean"), x().min().alias("min"), x().max().alias("max")])),
        ("variance", "select([x.var(0)])", scan.clone().select([x().var(0)])),
        ("group_by and aggregate", "group_by([col(\"species\")]).agg([len()])", scan.clone().group_by([col("species")]).agg([len()])),
        ("median", "select([x.median()])", scan.clone().select([x().median()])),
        ("quantile", "select([x.quantile(lit(0.25), ..)])", scan.clone().select([x().quantile(lit(0.25), QuantileMethod::Linear)])),
        ("sort", "sort([\"body_mass_g\"], ..)", scan.clone().sort(["body_mass_g"], Default::default())),
        ("distinct values", "select([col(\"island\").unique()])", scan.clone().select([col("island").unique()])),
        ("join with a small table", "join(small, [col(\"species\")], ..)", scan.clone().join(small.clone(), [col("species")], [col("species")], JoinArgs::new(JoinType::Inner))),
    ]
}

/// The generated table of what streams.
pub const PLANS: &str = "dataframes/streaming-plans.md";

/// The page's table of what streams: each query's plan over a Parquet scan, node by node.
pub fn plans_table() -> Result<String> {
    let dir = tempfile::tempdir().map_err(|e| PolarsError::IO { error: e.into(), msg: None })?;
    let path = dir.path().join("penguins.parquet");
    let mut df = df!("species" => ["Adelie"], "island" => ["Biscoe"], "body_mass_g" => [3750.0], "year" => [2008i64])?;
    ParquetWriter::new(std::fs::File::create(&path).map_err(PolarsError::from)?).finish(&mut df)?;
    let scan = LazyFrame::scan_parquet(path.to_string_lossy().as_ref().into(), ScanArgsParquet::default())?;
    let mut t = course_utils::table::Table::new(["query", "polars", "nodes that hold state", "nodes that leave the streaming engine", "streams?"]);
    for a in 0..4 {
        t.align(a, course_utils::table::Align::Left);
    }
    for (what, code, query) in plan_queries(&scan) {
        let plan = streaming_plan(&query)?;
        // the scan and a constant are where rows come from, not state that grows with them
        let source = |name: &str| name.contains("scan") || name.contains("source") || name.starts_with("input-independent");
        let names = |runs: Runs| {
            let mut found: Vec<&str> = plan.iter().filter(|(n, r)| *r == runs && !source(n)).map(|(n, _)| n.as_str()).collect();
            found.dedup();
            if found.is_empty() { "none".to_string() } else { found.join(", ") }
        };
        let (state, fallback) = (names(Runs::MemoryIntensive), names(Runs::InMemory));
        let verdict = if fallback != "none" {
            "no: its input is collected whole"
        } else if state != "none" {
            "yes, holding state"
        } else {
            "yes"
        };
        t.push([what.to_string(), format!("`{code}`"), state, fallback, verdict.to_string()]);
    }
    Ok(t.to_markdown())
}

/// What [`transform_parquet`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub rows_in: u64,
    pub rows_out: u64,
    pub batches: u64,
}

/// The state the batches share: the open writer, the rows seen so far, and the first error.
struct Sink {
    writer: Option<polars::io::parquet::write::BatchedWriter<std::fs::File>>,
    rows_in: u64,
    rows_out: u64,
    batches: u64,
    error: Option<PreprocessError>,
}

// ANCHOR: transform_parquet
/// Transforms the Parquet file (or folder) `input` with `fitted` into the Parquet file `output`, in batches of
/// about `batch_rows` rows: each batch is transformed (`transform`, with all its checks) and written, then
/// dropped. The output is written to a temporary name beside `output` and renamed when complete: on any error
/// nothing is left at `output` (an earlier file there stays as it was).
pub fn transform_parquet(fitted: &FittedPreprocessor, input: &Path, output: &Path, batch_rows: NonZeroUsize) -> Result<Written, OutOfCoreError> {
    let mut lf = scan(input)?;
    let schema = lf.collect_schema().map_err(|source| OutOfCoreError::Unreadable { path: input.to_path_buf(), source })?;
    // a schema that differs from the fitted state is an error before anything is written
    let mut needed = Vec::new();
    for c in &fitted.columns {
        let got = schema.get(c.name()).ok_or_else(|| PreprocessError::MissingColumn { column: c.name().into() })?;
        if got.to_string() != c.dtype() {
            return Err(PreprocessError::DtypeChanged { column: c.name().into(), fitted: c.dtype().into(), got: got.to_string() }.into());
        }
        needed.push(col(c.name()));
    }
    let mut out_schema = Schema::default();
    for name in fitted.feature_names() {
        out_schema.insert(name.into(), DataType::Float32);
    }
    for p in &fitted.config.passthrough {
        let dtype = schema.get(p).ok_or_else(|| PreprocessError::MissingColumn { column: p.clone() })?;
        out_schema.insert(p.as_str().into(), dtype.clone());
        needed.push(col(p.as_str()));
    }
    let folder = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let write_error = |source| OutOfCoreError::Write { path: output.to_path_buf(), source };
    let file = tempfile::Builder::new().prefix(".transform-").suffix(".parquet.tmp").tempfile_in(folder).map_err(write_error)?;
    let writer = ParquetWriter::new(file.reopen().map_err(write_error)?).batched(&out_schema)?;
    let sink = Arc::new(Mutex::new(Sink { writer: Some(writer), rows_in: 0, rows_out: 0, batches: 0, error: None }));
    let state = Arc::clone(&sink);
    let fitted_copy = fitted.clone();
    let callback = PlanCallback::new(move |batch: DataFrame| {
        let mut s = state.lock().expect("no batch panicked while holding the state");
        let offset = s.rows_in as usize;
        let written = fitted_copy.transform(&batch).map_err(|e| from_row(e, offset)).and_then(|mut out| {
            // the passthrough columns keep the batch's chunks (one per morsel), the features have one: the
            // writer needs them aligned
            out.align_chunks();
            s.writer.as_mut().expect("open until the end").write_batch(&out)?;
            Ok(out.height())
        });
        match written {
            Ok(rows) => {
                s.rows_in += batch.height() as u64;
                s.rows_out += rows as u64;
                s.batches += 1;
                Ok(false) // go on
            }
            Err(e) => {
                s.error = Some(e);
                Ok(true) // stop the query
            }
        }
    });
    lf.select(needed).sink_batches(callback, true, Some(batch_rows))?.collect_with_engine(Engine::Streaming)?;
    let mut s = sink.lock().expect("the query has finished");
    if let Some(e) = s.error.take() {
        return Err(e.into()); // `file` is dropped: the temporary file is deleted
    }
    s.writer.take().expect("open until the end").finish()?;
    file.persist(output).map_err(|e| write_error(e.error))?;
    Ok(Written { rows_in: s.rows_in, rows_out: s.rows_out, batches: s.batches })
}
// ANCHOR_END: transform_parquet

/// A batch's error with its row counted from the start of the input, not of the batch.
fn from_row(e: PreprocessError, offset: usize) -> PreprocessError {
    use PreprocessError as E;
    match e {
        E::NotANumber { column, row, value } => E::NotANumber { column, row: row + offset, value },
        E::NonFinite { column, row, value } => E::NonFinite { column, row: row + offset, value },
        E::Overflow { column, row, value, scaled } => E::Overflow { column, row: row + offset, value, scaled },
        E::UnseenCategory { column, row, value } => E::UnseenCategory { column, row: row + offset, value },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab_1_2_2::{CATEGORICAL, NUMERIC, replicate_penguins};
    use crate::preprocessing_pipeline::{CategoricalImpute, Encoding, Unknown};
    use proptest::prelude::*;

    /// Every configuration the comparison draws from (as the in-memory property tests do).
    fn configuration(numeric: u8, categorical: u8, encoding: u8, scaling: u8, indicators: bool) -> Preprocessor {
        let numeric = [NumericImpute::Mean, NumericImpute::Median, NumericImpute::Constant(-3.5), NumericImpute::DropRows][numeric as usize % 4].clone();
        let categorical = [CategoricalImpute::MostFrequent, CategoricalImpute::Constant("zz".into()), CategoricalImpute::DropRows][categorical as usize % 3].clone();
        let encoding = [Encoding::OneHot(Unknown::Error), Encoding::OneHot(Unknown::Ignore), Encoding::Ordinal(Unknown::Error)][encoding as usize % 3];
        let scaling = [Scaling::None, Scaling::Standard, Scaling::MinMax, Scaling::Robust][scaling as usize % 4];
        Preprocessor::new().numeric_impute(numeric).categorical_impute(categorical).encoding(encoding).scaling(scaling).missing_indicators(indicators)
    }

    /// The two states are the same: every field equal, except that a statistic built from a floating-point
    /// sum (a mean, a standard deviation, and what is computed from a mean fill value) may differ by rounding,
    /// at most 1e-9 of the column's largest magnitude in `df`. Every other number must be equal.
    fn assert_same_state(lazy: &FittedPreprocessor, memory: &FittedPreprocessor, df: &DataFrame) {
        assert_eq!(lazy.config, memory.config);
        assert_eq!(lazy.excluded, memory.excluded);
        assert_eq!(lazy.columns.len(), memory.columns.len());
        let fill_exact = memory.config.numeric_impute != NumericImpute::Mean;
        let scale_exact = fill_exact && memory.config.scaling != Scaling::Standard;
        for (a, b) in lazy.columns.iter().zip(&memory.columns) {
            match (a, b) {
                (
                    FittedColumn::Numeric { name, dtype, fill, center, scale, indicator },
                    FittedColumn::Numeric { name: n2, dtype: d2, fill: f2, center: c2, scale: s2, indicator: i2 },
                ) => {
                    assert_eq!((name, dtype, indicator, fill.is_some()), (n2, d2, i2, f2.is_some()));
                    let values = df.column(name).unwrap().cast(&DataType::Float64).unwrap();
                    let largest = values.f64().unwrap().iter().flatten().fold(f2.unwrap_or(0.0).abs(), |m, v| m.max(v.abs()));
                    let close = |x: f64, y: f64, exact: bool| {
                        // equal as numbers: -0.0 and 0.0 (the least of {0.0, -0.0} is either) scale alike
                        if exact { x == y } else { (x - y).abs() <= 1e-9 * largest.max(1.0) }
                    };
                    assert!(close(fill.unwrap_or(0.0), f2.unwrap_or(0.0), fill_exact), "{name}: fill {fill:?} against {f2:?}");
                    assert!(close(*center, *c2, scale_exact), "{name}: centre {center} against {c2}");
                    assert!(close(*scale, *s2, scale_exact), "{name}: scale {scale} against {s2}");
                }
                _ => assert_eq!(a, b),
            }
        }
    }

    /// A frame with a numeric column and a categorical one, nulls in both.
    fn frame(xs: &[Option<f64>], cats: &[Option<String>]) -> DataFrame {
        let n = xs.len().min(cats.len());
        df!("x" => &xs[..n], "c" => cats[..n].to_vec()).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        // The out-of-core fit against the in-memory fit, in every configuration: the same state, or the same error.
        #[test]
        fn the_lazy_fit_equals_the_in_memory_fit(
            xs in proptest::collection::vec(proptest::option::weighted(0.8, prop_oneof![-1e3f64..1e3, Just(0.0), Just(-0.0), Just(7.25)]), 1..60),
            cats in proptest::collection::vec(proptest::option::weighted(0.8, "[a-d]{1,2}"), 1..60),
            (numeric, categorical, encoding, scaling, indicators) in (0u8..4, 0u8..3, 0u8..3, 0u8..4, any::<bool>()),
        ) {
            let df = frame(&xs, &cats);
            let pre = configuration(numeric, categorical, encoding, scaling, indicators);
            match (pre.fit_lazy(df.clone().lazy()), pre.fit(&df)) {
                (Ok(lazy), Ok(memory)) => assert_same_state(&lazy, &memory, &df),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "out of core {:?}, in memory {:?}", a.map(|_| ()), b.map(|_| ())),
            }
        }

        // Order statistics in many passes (at most 8 values collected): equal, bit for bit, to sorting, for
        // values with duplicates, both zeros and magnitudes near f64's limits.
        #[test]
        fn order_statistics_equal_sorting(
            values in proptest::collection::vec(prop_oneof![
                -1e6f64..1e6, Just(0.0), Just(-0.0), Just(f64::MAX), Just(f64::MIN), Just(5e-324), Just(1.5), -1e300f64..1e300,
            ], 1..120),
            pick in 0.0f64..1.0,
        ) {
            let df = df!("x" => &values).unwrap();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let k = ((values.len() - 1) as f64 * pick) as usize;
            let range = Range { column: "x", present: values.len() as u64, lo: sorted[0], hi: sorted[values.len() - 1] };
            let found = order_statistic_within(&df.lazy(), &range, k as u64, 8).unwrap();
            prop_assert_eq!(found.to_bits(), sorted[k].to_bits(), "k = {}: {} against {}", k, found, sorted[k]);
        }
    }

    #[test]
    fn the_penguins_fit_from_parquet_equals_the_in_memory_fit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("penguins.parquet");
        let mut df = replicate_penguins(5_000, 7).unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        let df = scan(&path).unwrap().collect().unwrap(); // the frame as the file holds it (the same dtypes)
        for scaling in [Scaling::Standard, Scaling::Robust, Scaling::MinMax] {
            for impute in [NumericImpute::Median, NumericImpute::Mean, NumericImpute::DropRows] {
                let pre = Preprocessor::new().numeric(NUMERIC).categorical(CATEGORICAL).scaling(scaling).numeric_impute(impute).missing_indicators(true);
                assert_same_state(&pre.fit_lazy(scan(&path).unwrap()).unwrap(), &pre.fit(&df).unwrap(), &df);
            }
        }
        // roles inferred from the file's schema
        let pre = Preprocessor::new();
        assert_same_state(&pre.fit_lazy(scan(&path).unwrap()).unwrap(), &pre.fit(&df).unwrap(), &df);
    }

    #[test]
    fn the_table_of_streaming_plans_is_current() {
        let table = plans_table().unwrap();
        // what the page says of it: a median or a quantile leaves the streaming engine, a mean does not
        let row = |what: &str| table.lines().find(|l| l.starts_with(&format!("| {what} |"))).unwrap_or_else(|| panic!("no row {what}")).to_string();
        let streams = |what: &str| !row(what).ends_with("| no: its input is collected whole |");
        assert!(!streams("median") && !streams("quantile"), "{table}");
        assert!(streams("count, sum, mean, min, max") && streams("group_by and aggregate") && streams("filter and select columns"), "{table}");
        course_utils::table::check_committed(PLANS, &format!("{}{table}", course_utils::table::generated_header("code/dataframes/src/out_of_core.rs"))).unwrap();
    }

    /// The rows of a committed markdown table, cells trimmed, header and separator left out.
    fn table_rows(name: &str) -> Vec<Vec<String>> {
        let text = course_utils::table::read_committed(name).unwrap();
        course_utils::table::check_timing_table(&text).unwrap_or_else(|e| panic!("figures/{name}: {e}"));
        let rows = text.lines().filter(|l| l.starts_with('|')).skip(2);
        rows.map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect()).collect()
    }

    /// "641 MiB" -> bytes.
    fn bytes(cell: &str) -> f64 {
        let (n, unit) = cell.split_once(' ').unwrap_or_else(|| panic!("not a size: {cell}"));
        let scale = match unit {
            "KiB" => 1024.0,
            "MiB" => 1024.0 * 1024.0,
            "GiB" => 1024.0 * 1024.0 * 1024.0,
            _ => panic!("unit of {cell}"),
        };
        n.parse::<f64>().unwrap() * scale
    }

    // What the out-of-core page says of its measured tables, checked against them: a new run that changes
    // a reading fails here, so the prose is read again.
    #[test]
    fn the_page_readings_agree_with_the_measured_tables() {
        const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
        let runs = table_rows("dataframes/out-of-core.md");
        let cell = |rows: &str, mode: &str, column: usize| runs.iter().find(|r| r[0] == rows && r[2] == mode).map(|r| r[column].clone());
        let (rss, own, mapped) = (3, 4, 5);
        // in memory: about three times the memory for three times the rows; not run at 100 million rows
        let grow = bytes(&cell("30 M", "in memory", rss).unwrap()) / bytes(&cell("10 M", "in memory", rss).unwrap());
        assert!((2.5..3.5).contains(&grow), "in memory grew {grow}x");
        assert!(cell("100 M", "in memory", rss).is_none());
        for size in ["10 M", "30 M", "100 M"] {
            // out of core: its own memory under 1 GiB; mapped file pages about the file's size
            assert!(bytes(&cell(size, "out of core", own).unwrap()) < GIB, "{size}");
            let file = bytes(&cell(size, "out of core", 1).unwrap());
            let pages = bytes(&cell(size, "out of core", mapped).unwrap());
            assert!((0.8 * file..1.3 * file).contains(&pages), "{size}: {pages} mapped of a {file} file");
        }
        // not mapped: under 1 GiB up to 30 million rows, over at 100 million
        assert!(bytes(&cell("10 M", "out of core, file not mapped", rss).unwrap()) < GIB);
        assert!(bytes(&cell("30 M", "out of core, file not mapped", rss).unwrap()) < GIB);
        assert!(bytes(&cell("100 M", "out of core, file not mapped", rss).unwrap()) > GIB);
        // about a million rows per second, every way
        for r in &runs {
            let rate: f64 = r[7].trim_end_matches(" M").parse().unwrap();
            assert!((0.7..1.5).contains(&rate), "{r:?}");
        }
        // row groups: the smaller, the less of its own memory
        let groups = table_rows("dataframes/row-groups.md");
        let own: Vec<f64> = groups.iter().map(|r| bytes(&r[2])).collect();
        assert!(own.windows(2).all(|w| w[1] < w[0]), "{own:?}");
        assert_eq!(groups[1][0], "262,144");
        // partitions: sorted and hive both less than half the time of the generated order
        let layouts = table_rows("dataframes/partitions.md");
        let ms = |cell: &str| -> f64 {
            let (n, unit) = cell.split_once(' ').unwrap();
            n.parse::<f64>().unwrap() * match unit { "ms" => 1.0, "s" => 1000.0, "µs" => 0.001, _ => panic!("{cell}") }
        };
        let all = ms(&layouts[0][2]);
        assert!(ms(&layouts[1][2]) < all / 2.0 && ms(&layouts[2][2]) < all / 2.0, "{layouts:?}");
    }

    #[test]
    fn a_row_index_and_bad_numbers_are_found_as_in_memory() {
        let df = df!("" => [0i64, 1, 2, 3], "x" => [1.0, 2.0, 4.0, 8.0], "c" => ["a", "b", "a", "b"]).unwrap();
        let pre = Preprocessor::new();
        assert_same_state(&pre.fit_lazy(df.clone().lazy()).unwrap(), &pre.fit(&df).unwrap(), &df);
        assert_eq!(pre.fit_lazy(df.clone().lazy()).unwrap().excluded()[0].column, "");
        let text = df!("x" => ["1.5", "2", "n/a", "4"]).unwrap();
        let pre = Preprocessor::new().numeric(["x"]);
        let (lazy, memory) = (pre.fit_lazy(text.clone().lazy()).unwrap_err(), pre.fit(&text).unwrap_err());
        assert!(matches!(lazy, PreprocessError::NotANumber { row: 2, .. }), "{lazy}");
        assert_eq!(lazy.to_string(), memory.to_string());
        let nan = df!("x" => [1.0, f64::INFINITY, 3.0]).unwrap();
        assert!(matches!(pre.fit_lazy(nan.lazy()).unwrap_err(), PreprocessError::NonFinite { row: 1, .. }));
    }

    /// The penguins in a Parquet file, fitted in memory: the reference of the transform tests.
    fn penguins_file(dir: &Path, rows: usize) -> (PathBuf, DataFrame, FittedPreprocessor) {
        let path = dir.join("in.parquet");
        let mut df = replicate_penguins(rows, 11).unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        let df = scan(&path).unwrap().collect().unwrap();
        let fitted = Preprocessor::new().numeric(NUMERIC).categorical(CATEGORICAL).fit(&df).unwrap();
        (path, df, fitted)
    }

    /// Files in `dir` other than `keep`: a failed transform must leave none behind.
    fn others(dir: &Path, keep: &[&str]) -> Vec<String> {
        let names = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned());
        names.filter(|n| !keep.contains(&n.as_str())).collect()
    }

    #[test]
    fn a_transform_in_batches_equals_the_in_memory_frame() {
        let dir = tempfile::tempdir().unwrap();
        let (input, df, fitted) = penguins_file(dir.path(), 3_000);
        let output = dir.path().join("out.parquet");
        let written = transform_parquet(&fitted, &input, &output, NonZeroUsize::new(256).unwrap()).unwrap();
        assert_eq!((written.rows_in, written.rows_out), (3_000, 3_000));
        assert!(written.batches > 1, "{written:?}");
        let streamed = ParquetReader::new(std::fs::File::open(&output).unwrap()).finish().unwrap();
        assert!(streamed.equals_missing(&fitted.transform(&df).unwrap()));
        assert_eq!(others(dir.path(), &["in.parquet", "out.parquet"]), Vec::<String>::new());
    }

    #[test]
    fn batches_across_row_groups_with_a_passthrough_column_equal_the_in_memory_frame() {
        // row groups of 100 rows and batches of 256: each batch's passthrough column comes in several chunks
        // (a polars writer panicked on that before the output was aligned)
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.parquet");
        let mut df = replicate_penguins(2_000, 5).unwrap();
        ParquetWriter::new(std::fs::File::create(&input).unwrap()).with_row_group_size(Some(100)).finish(&mut df).unwrap();
        let df = scan(&input).unwrap().collect().unwrap();
        let fitted = Preprocessor::new().numeric(NUMERIC).categorical(["island", "sex"]).passthrough(["species"]).fit_lazy(scan(&input).unwrap()).unwrap();
        let output = dir.path().join("out.parquet");
        let written = transform_parquet(&fitted, &input, &output, NonZeroUsize::new(256).unwrap()).unwrap();
        assert_eq!(written.rows_out, 2_000);
        let streamed = ParquetReader::new(std::fs::File::open(&output).unwrap()).finish().unwrap();
        assert!(streamed.equals_missing(&fitted.transform(&df).unwrap()));
    }

    #[test]
    fn a_missing_or_corrupt_file_is_a_typed_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (_, _, fitted) = penguins_file(dir.path(), 100);
        let output = dir.path().join("out.parquet");
        let batch = NonZeroUsize::new(64).unwrap();
        let missing = transform_parquet(&fitted, &dir.path().join("nowhere.parquet"), &output, batch).unwrap_err();
        assert!(matches!(missing, OutOfCoreError::NotFound(_)), "{missing}");
        assert!(matches!(scan(&dir.path().join("nowhere.parquet")), Err(OutOfCoreError::NotFound(_))));
        let corrupt = dir.path().join("corrupt.parquet");
        std::fs::write(&corrupt, b"PAR1 this is not a Parquet file").unwrap();
        let error = transform_parquet(&fitted, &corrupt, &output, batch).unwrap_err();
        assert!(matches!(error, OutOfCoreError::Unreadable { .. }), "{error}");
        assert!(matches!(scan(&corrupt), Err(OutOfCoreError::Unreadable { .. })));
        assert_eq!(others(dir.path(), &["in.parquet", "corrupt.parquet"]), Vec::<String>::new());
    }

    #[test]
    fn a_schema_that_differs_from_the_fitted_state_is_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let (_, df, fitted) = penguins_file(dir.path(), 100);
        let output = dir.path().join("out.parquet");
        std::fs::write(&output, b"an earlier output").unwrap();
        let batch = NonZeroUsize::new(64).unwrap();
        for (change, what) in [(df.drop("sex").unwrap(), "missing"), (df.clone().lazy().with_column(col("body_mass_g").cast(DataType::Float32)).collect().unwrap(), "dtype")] {
            let changed = dir.path().join("changed.parquet");
            ParquetWriter::new(std::fs::File::create(&changed).unwrap()).finish(&mut change.clone()).unwrap();
            let error = transform_parquet(&fitted, &changed, &output, batch).unwrap_err();
            match what {
                "missing" => assert!(matches!(error, OutOfCoreError::Preprocess(PreprocessError::MissingColumn { .. })), "{error}"),
                _ => assert!(matches!(error, OutOfCoreError::Preprocess(PreprocessError::DtypeChanged { .. })), "{error}"),
            }
            // and a lazy fit of a state-less Preprocessor with explicit roles says the same
            if what == "missing" {
                let fit = Preprocessor::new().numeric(NUMERIC).categorical(CATEGORICAL).fit_lazy(scan(&changed).unwrap());
                assert!(matches!(fit, Err(PreprocessError::MissingColumn { .. })));
            }
        }
        assert_eq!(std::fs::read(&output).unwrap(), b"an earlier output"); // untouched
        assert_eq!(others(dir.path(), &["in.parquet", "out.parquet", "changed.parquet"]), Vec::<String>::new());
    }

    #[test]
    fn an_error_in_a_late_batch_leaves_no_output_and_names_the_row_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (_, df, fitted) = penguins_file(dir.path(), 1_000);
        // row 900 holds an island not seen at fit: found in a late batch, after earlier batches were written
        let islands: StringChunked = df.column("island").unwrap().str().unwrap().iter().enumerate().map(|(r, v)| if r == 900 { Some("Atlantis") } else { v }).collect();
        let mut bad = df.clone();
        bad.with_column(islands.with_name("island".into()).into_column()).unwrap();
        let input = dir.path().join("bad.parquet");
        ParquetWriter::new(std::fs::File::create(&input).unwrap()).finish(&mut bad).unwrap();
        let output = dir.path().join("out.parquet");
        let error = transform_parquet(&fitted, &input, &output, NonZeroUsize::new(100).unwrap()).unwrap_err();
        match &error {
            OutOfCoreError::Preprocess(PreprocessError::UnseenCategory { row, value, .. }) => assert_eq!((*row, value.as_str()), (900, "Atlantis")),
            other => panic!("{other}"),
        }
        assert!(!output.exists());
        assert_eq!(others(dir.path(), &["in.parquet", "bad.parquet"]), Vec::<String>::new());
    }
}
