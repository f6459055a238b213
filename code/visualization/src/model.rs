//! The model behind the chapter's figures: a one-hidden-layer MLP, written with ndarray, trained (seeded) on
//! the penguins preprocessed by Lab 1.2.2's `Preprocessor`. Its numbers feed the dashboard of Lab 1.2.3, the
//! training curves and the activation map.

use dataframes::preprocessing_pipeline::{PreprocessError, Preprocessor, train_test_split};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, Zip};
use polars::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// What can go wrong while preparing data, training or evaluating.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Preprocess(#[from] PreprocessError),
    #[error(transparent)]
    Polars(#[from] PolarsError),
    #[error("the label column {column:?} has a null in row {row}")]
    NullLabel { column: String, row: usize },
    #[error("{what}: {rows} rows of features but {labels} labels")]
    LengthMismatch { what: &'static str, rows: usize, labels: usize },
    #[error("{what} has no rows")]
    Empty { what: &'static str },
    #[error("label {label} in row {row}, but the model has {classes} classes")]
    LabelOutOfRange { row: usize, label: usize, classes: usize },
    #[error("the model takes {expected} features, the data has {got}")]
    FeatureCount { expected: usize, got: usize },
    #[error("invalid training setting: {0}")]
    Config(&'static str),
}

type Result<T> = std::result::Result<T, ModelError>;

/// The penguins, split 60/20/20 (stratified by species) and preprocessed with statistics of the training rows.
#[derive(Debug, Clone)]
pub struct PenguinData {
    pub x_train: Array2<f64>,
    pub y_train: Vec<usize>,
    pub x_val: Array2<f64>,
    pub y_val: Vec<usize>,
    pub x_test: Array2<f64>,
    pub y_test: Vec<usize>,
    /// one per feature column, e.g. `island_Biscoe`
    pub feature_names: Vec<String>,
    /// the original columns, each with the feature columns it became (one-hot groups stay together)
    pub columns: Vec<(String, Vec<usize>)>,
    /// the species, in label order
    pub classes: Vec<String>,
}

/// The numeric and categorical input columns of the penguins model.
pub const NUMERIC: [&str; 4] = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"];
pub const CATEGORICAL: [&str; 2] = ["island", "sex"];

// ANCHOR: data
/// Loads the bundled penguins and prepares them for the model: split, then fit the Lab 1.2.2 pipeline on the
/// training part only, so no statistic of the validation or test rows leaks into the features.
pub fn penguin_data(seed: u64) -> Result<PenguinData> {
    penguin_data_with(seed, &NUMERIC, &CATEGORICAL)
}

/// The same with a choice of input columns (e.g. to see how the model does without one).
pub fn penguin_data_with(seed: u64, numeric: &[&str], categorical: &[&str]) -> Result<PenguinData> {
    let all = dataframes::datasets::penguins()?;
    let (train, rest) = train_test_split(&all, 0.4, seed, Some("species"))?;
    let (val, test) = train_test_split(&rest, 0.5, seed, Some("species"))?;
    let pipeline = Preprocessor::new().numeric(numeric.iter().copied()).categorical(categorical.iter().copied());
    let fitted = pipeline.passthrough(["species"]).fit(&train)?;

    let classes = categories(&train, "species")?;
    let features = |df: &DataFrame| -> Result<(Array2<f64>, Vec<usize>)> {
        let (x, _kept) = fitted.transform_array(df)?; // no row is dropped: the defaults impute
        Ok((x.mapv(f64::from), labels(df, "species", &classes)?))
    };
    let ((x_train, y_train), (x_val, y_val), (x_test, y_test)) = (features(&train)?, features(&val)?, features(&test)?);

    let feature_names = fitted.feature_names();
    let columns = numeric
        .iter()
        .chain(categorical)
        .map(|column| {
            let own = |name: &String| name == column || name.starts_with(&format!("{column}_"));
            let indices = feature_names.iter().enumerate().filter(|(_, n)| own(n)).map(|(i, _)| i).collect();
            (column.to_string(), indices)
        })
        .collect();
    Ok(PenguinData { x_train, y_train, x_val, y_val, x_test, y_test, feature_names, columns, classes })
}
// ANCHOR_END: data

/// The sorted distinct non-null values of a string column.
fn categories(df: &DataFrame, column: &str) -> Result<Vec<String>> {
    let mut values: Vec<String> = df.column(column)?.str()?.iter().flatten().map(str::to_owned).collect();
    values.sort();
    values.dedup();
    Ok(values)
}

/// A string column as class indices into `classes`; a null or unknown value is an error.
fn labels(df: &DataFrame, column: &str, classes: &[String]) -> Result<Vec<usize>> {
    df.column(column)?
        .str()?
        .iter()
        .enumerate()
        .map(|(row, v)| {
            let null = || ModelError::NullLabel { column: column.to_owned(), row };
            v.and_then(|v| classes.iter().position(|c| c == v)).ok_or_else(null)
        })
        .collect()
}

// ANCHOR: mlp
/// A multilayer perceptron with one tanh hidden layer and a softmax output.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub w1: Array2<f64>, // (features, hidden)
    pub b1: Array1<f64>,
    pub w2: Array2<f64>, // (hidden, classes)
    pub b2: Array1<f64>,
}

impl Mlp {
    /// Seeded Glorot-uniform weights, zero biases.
    pub fn new(features: usize, hidden: usize, classes: usize, seed: u64) -> Self {
        use rand::Rng;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut glorot = |rows: usize, cols: usize| {
            let limit = (6.0 / (rows + cols) as f64).sqrt();
            Array2::from_shape_simple_fn((rows, cols), || rng.random_range(-limit..limit))
        };
        Mlp { w1: glorot(features, hidden), b1: Array1::zeros(hidden), w2: glorot(hidden, classes), b2: Array1::zeros(classes) }
    }

    /// Hidden-unit activations, (rows, hidden): what the activation map draws.
    pub fn hidden(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.w1.nrows() {
            return Err(ModelError::FeatureCount { expected: self.w1.nrows(), got: x.ncols() });
        }
        Ok((x.dot(&self.w1) + &self.b1).mapv_into(f64::tanh))
    }

    /// Class probabilities, (rows, classes); each row sums to 1.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let mut logits = self.hidden(x)?.dot(&self.w2) + &self.b2;
        logits.rows_mut().into_iter().for_each(softmax_in_place);
        Ok(logits)
    }

    /// The most probable class of each row.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        Ok(self.predict_proba(x)?.rows().into_iter().map(argmax).collect())
    }
}
// ANCHOR_END: mlp

fn softmax_in_place(mut row: ndarray::ArrayViewMut1<f64>) {
    let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v)); // subtract the max: exp cannot overflow
    row.mapv_inplace(|v| (v - max).exp());
    let sum = row.sum();
    row /= sum;
}

/// Index of the largest value (the first, on ties).
pub fn argmax(row: ArrayView1<f64>) -> usize {
    row.iter().enumerate().fold((0, f64::NEG_INFINITY), |best, (i, &v)| if v > best.1 { (i, v) } else { best }).0
}

fn check(x: ArrayView2<f64>, y: &[usize], classes: usize, what: &'static str) -> Result<()> {
    if x.nrows() == 0 {
        return Err(ModelError::Empty { what });
    }
    if x.nrows() != y.len() {
        return Err(ModelError::LengthMismatch { what, rows: x.nrows(), labels: y.len() });
    }
    match y.iter().position(|&label| label >= classes) {
        Some(row) => Err(ModelError::LabelOutOfRange { row, label: y[row], classes }),
        None => Ok(()),
    }
}

/// Mean cross-entropy of the model on (x, y).
pub fn cross_entropy(model: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> Result<f64> {
    check(x, y, model.b2.len(), "cross_entropy")?;
    let p = model.predict_proba(x)?;
    // clamp: a probability that underflowed to 0 gives a large finite loss, not infinity
    Ok(y.iter().enumerate().map(|(i, &c)| -p[[i, c]].max(1e-300).ln()).sum::<f64>() / y.len() as f64)
}

/// Share of rows whose predicted class is the label.
pub fn accuracy(model: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> Result<f64> {
    check(x, y, model.b2.len(), "accuracy")?;
    let predicted = model.predict(x)?;
    Ok(predicted.iter().zip(y).filter(|(p, t)| p == t).count() as f64 / y.len() as f64)
}

// ANCHOR: gradients
/// Gradients of the mean cross-entropy with respect to every parameter (backpropagation).
pub fn gradients(model: &Mlp, x: ArrayView2<f64>, y: &[usize]) -> Result<Mlp> {
    check(x, y, model.b2.len(), "gradients")?;
    let n = x.nrows() as f64;
    let h = model.hidden(x)?;
    let mut d_logits = h.dot(&model.w2) + &model.b2;
    d_logits.rows_mut().into_iter().for_each(softmax_in_place);
    for (mut row, &label) in d_logits.rows_mut().into_iter().zip(y) {
        row[label] -= 1.0; // d(loss)/d(logits) = p - onehot(y)
    }
    d_logits /= n;
    let mut d_hidden = d_logits.dot(&model.w2.t());
    Zip::from(&mut d_hidden).and(&h).for_each(|d, &a| *d *= 1.0 - a * a); // tanh' = 1 - tanh²
    Ok(Mlp { w1: x.t().dot(&d_hidden), b1: d_hidden.sum_axis(Axis(0)), w2: h.t().dot(&d_logits), b2: d_logits.sum_axis(Axis(0)) })
}
// ANCHOR_END: gradients

/// How to train.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub hidden: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { hidden: 8, epochs: 60, batch_size: 16, learning_rate: 0.05, seed: 42 }
    }
}

/// The loss per epoch on both sets, and the epoch whose model was kept.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub train_loss: Vec<f64>,
    pub val_loss: Vec<f64>,
    /// 0-based epoch with the lowest validation loss; `train` returns that epoch's model
    pub best_epoch: usize,
}

// ANCHOR: train
/// Mini-batch gradient descent, rows shuffled each epoch (seeded). Returns the model of the epoch with the lowest
/// validation loss (early-stopping checkpoint) and the loss history.
pub fn train(data: &PenguinData, config: &TrainConfig) -> Result<(Mlp, History)> {
    if config.epochs == 0 || config.batch_size == 0 || config.hidden == 0 {
        return Err(ModelError::Config("epochs, batch_size and hidden must be at least 1"));
    }
    if !(config.learning_rate.is_finite() && config.learning_rate > 0.0) {
        return Err(ModelError::Config("learning_rate must be positive and finite"));
    }
    let classes = data.classes.len();
    check(data.x_train.view(), &data.y_train, classes, "training set")?;
    check(data.x_val.view(), &data.y_val, classes, "validation set")?;

    let mut model = Mlp::new(data.x_train.ncols(), config.hidden, classes, config.seed);
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut order: Vec<usize> = (0..data.y_train.len()).collect();
    let (mut best, mut history) = (model.clone(), History { train_loss: vec![], val_loss: vec![], best_epoch: 0 });
    for epoch in 0..config.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(config.batch_size) {
            let x = data.x_train.select(Axis(0), batch);
            let y: Vec<usize> = batch.iter().map(|&i| data.y_train[i]).collect();
            let g = gradients(&model, x.view(), &y)?;
            let lr = config.learning_rate;
            model.w1.scaled_add(-lr, &g.w1);
            model.b1.scaled_add(-lr, &g.b1);
            model.w2.scaled_add(-lr, &g.w2);
            model.b2.scaled_add(-lr, &g.b2);
        }
        history.train_loss.push(cross_entropy(&model, data.x_train.view(), &data.y_train)?);
        history.val_loss.push(cross_entropy(&model, data.x_val.view(), &data.y_val)?);
        if history.val_loss[epoch] < history.val_loss[history.best_epoch] || epoch == 0 {
            (best, history.best_epoch) = (model.clone(), epoch);
        }
    }
    Ok((best, history))
}
// ANCHOR_END: train

/// Counts of (true class, predicted class): row = truth, column = prediction, as scikit-learn's.
pub fn confusion_matrix(truth: &[usize], predicted: &[usize], classes: usize) -> Result<Array2<u64>> {
    if truth.len() != predicted.len() {
        return Err(ModelError::LengthMismatch { what: "confusion_matrix", rows: predicted.len(), labels: truth.len() });
    }
    let mut counts = Array2::zeros((classes, classes));
    for (row, (&t, &p)) in truth.iter().zip(predicted).enumerate() {
        if t >= classes || p >= classes {
            return Err(ModelError::LabelOutOfRange { row, label: t.max(p), classes });
        }
        counts[[t, p]] += 1;
    }
    Ok(counts)
}

/// The permutation importance of one original column: how much accuracy drops when its values are shuffled.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Importance {
    pub feature: String,
    /// mean drop in accuracy over the repeats
    pub mean: f64,
    /// standard deviation of the drop over the repeats
    pub std: f64,
}

// ANCHOR: importance
/// Permutation importance (scikit-learn's `permutation_importance` with accuracy): for each original column,
/// shuffle its rows (all of its one-hot features together) `repeats` times and record the drop in accuracy.
/// Sorted from most to least important.
pub fn permutation_importance(
    model: &Mlp,
    x: ArrayView2<f64>,
    y: &[usize],
    columns: &[(String, Vec<usize>)],
    repeats: usize,
    seed: u64,
) -> Result<Vec<Importance>> {
    if repeats == 0 {
        return Err(ModelError::Config("repeats must be at least 1"));
    }
    let baseline = accuracy(model, x, y)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(columns.len());
    for (name, features) in columns {
        if let Some(&bad) = features.iter().find(|&&f| f >= x.ncols()) {
            return Err(ModelError::FeatureCount { expected: bad + 1, got: x.ncols() });
        }
        let drops: Vec<f64> = (0..repeats)
            .map(|_| {
                let mut order: Vec<usize> = (0..x.nrows()).collect();
                order.shuffle(&mut rng);
                let mut shuffled = x.to_owned();
                for &f in features {
                    let column = x.column(f).select(Axis(0), &order);
                    shuffled.column_mut(f).assign(&column);
                }
                accuracy(model, shuffled.view(), y).map(|a| baseline - a)
            })
            .collect::<Result<_>>()?;
        let mean = drops.iter().sum::<f64>() / repeats as f64;
        let std = (drops.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / repeats as f64).sqrt();
        out.push(Importance { feature: name.clone(), mean, std });
    }
    out.sort_by(|a, b| b.mean.total_cmp(&a.mean));
    Ok(out)
}
// ANCHOR_END: importance

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn tiny() -> (Mlp, Array2<f64>, Vec<usize>) {
        let x = array![[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.8, 0.1], [0.0, -0.4, 1.1]];
        (Mlp::new(3, 4, 3, 7), x, vec![0, 2, 1, 2])
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (model, x, y) = tiny();
        let g = gradients(&model, x.view(), &y).unwrap();
        let loss = |m: &Mlp| cross_entropy(m, x.view(), &y).unwrap();
        let h = 1e-6;
        let mut checked = 0;
        // every parameter of every array, against the central difference
        for which in 0..4 {
            let len = [model.w1.len(), model.b1.len(), model.w2.len(), model.b2.len()][which];
            for i in 0..len {
                let nudge = |delta: f64| {
                    let mut m = model.clone();
                    match which {
                        0 => m.w1.as_slice_mut().unwrap()[i] += delta,
                        1 => m.b1[i] += delta,
                        2 => m.w2.as_slice_mut().unwrap()[i] += delta,
                        _ => m.b2[i] += delta,
                    }
                    loss(&m)
                };
                let numeric = (nudge(h) - nudge(-h)) / (2.0 * h);
                let analytic = [&g.w1.as_slice().unwrap()[..], g.b1.as_slice().unwrap(), g.w2.as_slice().unwrap(), g.b2.as_slice().unwrap()][which][i];
                assert!((numeric - analytic).abs() < 1e-7, "parameter {which}/{i}: {numeric} vs {analytic}");
                checked += 1;
            }
        }
        assert_eq!(checked, 3 * 4 + 4 + 4 * 3 + 3);
    }

    #[test]
    fn probabilities_are_a_distribution_even_for_huge_logits() {
        let (mut model, x, _) = tiny();
        model.w2 *= 1e6; // logits in the millions: a naive softmax gives NaN
        let p = model.predict_proba(x.view()).unwrap();
        for row in p.rows() {
            assert!(row.iter().all(|v| v.is_finite() && *v >= 0.0));
            assert!((row.sum() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let (model, x, y) = tiny();
        assert!(matches!(cross_entropy(&model, x.view(), &y[..3]), Err(ModelError::LengthMismatch { .. })));
        assert!(matches!(accuracy(&model, x.view(), &[0, 1, 2, 3]), Err(ModelError::LabelOutOfRange { row: 3, .. })));
        assert!(matches!(model.hidden(x.slice(ndarray::s![.., ..2])), Err(ModelError::FeatureCount { expected: 3, got: 2 })));
        assert!(matches!(confusion_matrix(&[0, 1], &[0], 2), Err(ModelError::LengthMismatch { .. })));
        assert!(matches!(confusion_matrix(&[0, 5], &[0, 1], 2), Err(ModelError::LabelOutOfRange { row: 1, .. })));
        let empty = Array2::<f64>::zeros((0, 3));
        assert!(matches!(accuracy(&model, empty.view(), &[]), Err(ModelError::Empty { .. })));
    }

    #[test]
    fn confusion_matrix_counts_pairs() {
        let m = confusion_matrix(&[0, 0, 1, 2, 2, 2], &[0, 1, 1, 2, 2, 0], 3).unwrap();
        assert_eq!(m, array![[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
        assert_eq!(m.sum(), 6);
    }

    #[test]
    fn permutation_importance_finds_the_only_informative_column() {
        // the label is the sign of feature 0; feature 1 is noise
        let x = Array2::from_shape_fn((200, 2), |(i, j)| if j == 0 { (i as f64 - 99.5).signum() } else { ((i * 37) % 11) as f64 });
        let y: Vec<usize> = (0..200).map(|i| usize::from(i >= 100)).collect();
        let mut model = Mlp::new(2, 1, 2, 1);
        model.w1 = array![[1.0], [0.0]];
        model.w2 = array![[-5.0, 5.0]];
        assert_eq!(accuracy(&model, x.view(), &y).unwrap(), 1.0);
        let columns = vec![("signal".to_string(), vec![0]), ("noise".to_string(), vec![1])];
        let imp = permutation_importance(&model, x.view(), &y, &columns, 5, 3).unwrap();
        assert_eq!(imp[0].feature, "signal");
        assert!(imp[0].mean > 0.3, "shuffling the signal costs about half the accuracy: {imp:?}");
        assert_eq!((imp[1].mean, imp[1].std), (0.0, 0.0), "the model ignores the noise column");
        assert!(permutation_importance(&model, x.view(), &y, &[("x".into(), vec![9])], 1, 0).is_err());
    }

    #[test]
    fn trains_on_the_penguins_and_is_reproducible() {
        let data = penguin_data(42).unwrap();
        assert_eq!(data.classes, ["Adelie", "Chinstrap", "Gentoo"]);
        assert_eq!(data.y_train.len() + data.y_val.len() + data.y_test.len(), 344);
        // every feature column belongs to exactly one original column
        let mut owned: Vec<usize> = data.columns.iter().flat_map(|(_, f)| f.clone()).collect();
        owned.sort();
        assert_eq!(owned, (0..data.feature_names.len()).collect::<Vec<_>>());

        let config = TrainConfig::default();
        let (model, history) = train(&data, &config).unwrap();
        assert_eq!(history.train_loss.len(), config.epochs);
        assert!(history.train_loss.last().unwrap() < &(history.train_loss[0] / 4.0), "{history:?}");
        let best = history.val_loss[history.best_epoch];
        assert!(history.val_loss.iter().all(|&v| v >= best));
        assert_eq!(cross_entropy(&model, data.x_val.view(), &data.y_val).unwrap(), best, "the kept model is the best epoch's");
        assert!(accuracy(&model, data.x_test.view(), &data.y_test).unwrap() > 0.9);
        assert_eq!(train(&data, &config).unwrap().0, model, "seeded: the same model twice");
    }

    #[test]
    fn bad_settings_are_rejected() {
        let data = penguin_data(1).unwrap();
        for config in [TrainConfig { epochs: 0, ..Default::default() }, TrainConfig { learning_rate: f64::NAN, ..Default::default() }] {
            assert!(matches!(train(&data, &config), Err(ModelError::Config(_))));
        }
    }
}
