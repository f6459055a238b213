//! Lab 1.2.3, end to end: train the penguins model, collect its results into `DashboardData`, draw the
//! dashboard, and time the drawing.

use crate::dashboard::{DashboardData, dashboard_svg};
use crate::model::{CATEGORICAL, History, Mlp, ModelError, NUMERIC, PenguinData, TrainConfig, accuracy, argmax, confusion_matrix, cross_entropy, penguin_data_with, permutation_importance, train};
use course_utils::table::{Align, Table, generated_header, write_generated};
use course_utils::{Compare, Machine};
use std::path::Path;

/// Outputs, relative to `figures/`.
pub const DASHBOARD_SVG: &str = "visualization/lab-1-2-3-dashboard.svg";
/// The same dashboard for a model that does not see the bill length: a model with mistakes to analyse.
pub const HARDER_SVG: &str = "visualization/lab-1-2-3-dashboard-no-bill-length.svg";
pub const HARDER_SUMMARY: &str = "visualization/lab-1-2-3-summary-no-bill-length.md";
pub const SUMMARY: &str = "visualization/lab-1-2-3-summary.md";
pub const RENDER_TABLE: &str = "visualization/lab-1-2-3-render.md";
pub const SOURCE: &str = "code/visualization/src/lab_1_2_3.rs";
/// The dashboard's size in pixels (Matplotlib's `figsize=(11, 8.2)` at 100 dpi).
pub const SIZE: (u32, u32) = (1100, 820);
/// The seed of the split, the initial weights, the shuffling and the permutations.
pub const SEED: u64 = 42;

/// The trained model and everything measured on it.
pub struct LabResults {
    pub data: PenguinData,
    pub model: Mlp,
    pub history: History,
    pub dashboard: DashboardData,
}

// ANCHOR: results
/// Trains the model (seeded) and gathers the four panels' numbers: loss curves from training, the confusion
/// matrix and confidences on the held-out test set, permutation importance on the validation set.
pub fn lab_results() -> Result<LabResults, ModelError> {
    lab_results_with(&NUMERIC, &CATEGORICAL, "Penguin species MLP: training and held-out analysis")
}

/// The same for a model that sees only some of the columns.
pub fn lab_results_with(numeric: &[&str], categorical: &[&str], title: &str) -> Result<LabResults, ModelError> {
    let data = penguin_data_with(SEED, numeric, categorical)?;
    let (model, history) = train(&data, &TrainConfig { seed: SEED, ..TrainConfig::default() })?;

    let proba = model.predict_proba(data.x_test.view())?;
    let predicted: Vec<usize> = proba.rows().into_iter().map(argmax).collect();
    let confidence: Vec<f64> = proba.rows().into_iter().zip(&predicted).map(|(row, &c)| row[c]).collect();
    let confusion = confusion_matrix(&data.y_test, &predicted, data.classes.len())?;
    let importance = permutation_importance(&model, data.x_val.view(), &data.y_val, &data.columns, 10, SEED)?;

    let dashboard = DashboardData {
        title: title.into(),
        train_loss: history.train_loss.clone(),
        val_loss: history.val_loss.clone(),
        class_names: data.classes.clone(),
        confusion: confusion.rows().into_iter().map(|r| r.to_vec()).collect(),
        importance,
        predicted,
        confidence,
    };
    Ok(LabResults { data, model, history, dashboard })
}
// ANCHOR_END: results

/// The model's numbers as markdown: accuracy and loss per set, then the importance ranking. Deterministic
/// (seeded), so the committed file is checked against a fresh run.
pub fn summary(results: &LabResults) -> Result<String, ModelError> {
    let LabResults { data, model, history, dashboard } = results;
    let mut sets = Table::new(["set", "rows", "accuracy", "cross-entropy"]);
    sets.align(0, Align::Left);
    for (name, x, y) in [("train", &data.x_train, &data.y_train), ("validation", &data.x_val, &data.y_val), ("test (held out)", &data.x_test, &data.y_test)] {
        let (acc, loss) = (accuracy(model, x.view(), y)?, cross_entropy(model, x.view(), y)?);
        sets.push([name.to_string(), y.len().to_string(), format!("{:.1}%", 100.0 * acc), format!("{loss:.4}")]);
    }
    let mut ranking = Table::new(["column", "accuracy drop (mean)", "std"]);
    ranking.align(0, Align::Left);
    for imp in &dashboard.importance {
        ranking.push([imp.feature.clone(), format!("{:.3}", imp.mean), format!("{:.3}", imp.std)]);
    }
    let config = TrainConfig::default();
    Ok(format!(
        "{}\n{}\n*MLP {} -> {} tanh -> {} softmax, {} epochs of mini-batch gradient descent (batch {}, learning rate {}), seed {SEED}; \
         the model kept is epoch {} of {}, the one with the lowest validation loss.*\n\n{}\n*Permutation importance on the \
         validation set, 10 shuffles per column; a one-hot column's features are shuffled together.*\n",
        generated_header(SOURCE),
        sets.to_markdown(),
        data.feature_names.len(),
        config.hidden,
        data.classes.len(),
        config.epochs,
        config.batch_size,
        config.learning_rate,
        history.best_epoch + 1,
        history.train_loss.len(),
        ranking.to_markdown(),
    ))
}

/// The harder variant: every column but `bill_length_mm`, which tells Adelie from Chinstrap penguins.
pub fn harder_results() -> Result<LabResults, ModelError> {
    let numeric: Vec<&str> = NUMERIC.into_iter().filter(|c| *c != "bill_length_mm").collect();
    lab_results_with(&numeric, &CATEGORICAL, "The same MLP without bill_length_mm: held-out analysis")
}

/// Runs the lab: prints progress and the tables; with `out`, writes the figure, the summary and the timing table
/// under it (the book's `figures/`).
pub fn run(out: Option<&Path>) -> Result<(), Box<dyn std::error::Error>> {
    println!("Lab 1.2.3: training the penguins MLP (seed {SEED}) ...");
    let results = lab_results()?;
    let main_summary = summary(&results)?;
    println!("{}", main_summary.lines().skip(1).collect::<Vec<_>>().join("\n"));

    println!("drawing the dashboard ({}x{} SVG) ...", SIZE.0, SIZE.1);
    let svg = dashboard_svg(&results.dashboard, SIZE)?;
    let report = Compare::new("Render the 2x2 dashboard to an SVG string (model already trained)")
        .add("plotters SVGBackend", |data: &DashboardData| dashboard_svg(data, SIZE).map(|s| s.len()).unwrap_or(0))
        .runs(50)
        .run(&results.dashboard)?;
    println!("{report}");
    println!("training the same model without bill_length_mm ...");
    let harder = harder_results()?;
    let harder_summary = summary(&harder)?;
    println!("{}", harder_summary.lines().skip(1).collect::<Vec<_>>().join("\n"));
    if let Some(out) = out {
        write_generated(&out.join(DASHBOARD_SVG), &svg)?;
        write_generated(&out.join(SUMMARY), &main_summary)?;
        write_generated(&out.join(HARDER_SVG), &dashboard_svg(&harder.dashboard, SIZE)?)?;
        write_generated(&out.join(HARDER_SUMMARY), &harder_summary)?;
        let table = format!("{}{}", generated_header(SOURCE), report.to_markdown(&Machine::current()));
        write_generated(&out.join(RENDER_TABLE), &table)?;
        println!("wrote {DASHBOARD_SVG}, {HARDER_SVG}, their summaries and {RENDER_TABLE} under {}", out.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use course_utils::table::{check_committed, check_timing_table, read_committed};

    #[test]
    fn committed_dashboard_and_summary_are_current() {
        let results = lab_results().unwrap();
        results.dashboard.validate().unwrap();
        // the panels come from the model: the confusion matrix counts every held-out row once
        let counted: u64 = results.dashboard.confusion.iter().flatten().sum();
        assert_eq!(counted as usize, results.data.y_test.len());
        assert_eq!(results.dashboard.confidence.len(), results.data.y_test.len());
        assert!(results.dashboard.confidence.iter().all(|&p| p >= 1.0 / 3.0), "the top class of three has at least 1/3");
        // regenerating gives byte-identical files
        check_committed(DASHBOARD_SVG, &dashboard_svg(&results.dashboard, SIZE).unwrap()).unwrap();
        check_committed(SUMMARY, &summary(&results).unwrap()).unwrap();
        check_timing_table(&read_committed(RENDER_TABLE).unwrap()).unwrap();

        let harder = harder_results().unwrap();
        assert!(!harder.data.feature_names.iter().any(|f| f.starts_with("bill_length")));
        check_committed(HARDER_SVG, &dashboard_svg(&harder.dashboard, SIZE).unwrap()).unwrap();
        check_committed(HARDER_SUMMARY, &summary(&harder).unwrap()).unwrap();
        // what the lab page reads from the confidence panel: the mistakes are among the less confident predictions
        let d = &harder.dashboard;
        let (mut right, mut wrong) = (vec![], vec![]);
        for ((&p, &c), &t) in d.predicted.iter().zip(&d.confidence).zip(&harder.data.y_test) {
            if p == t { right.push(c) } else { wrong.push(c) }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(!wrong.is_empty() && mean(&wrong) < mean(&right) - 0.1, "wrong {wrong:?}");
        assert!(wrong.iter().all(|&c| c < 0.95), "no mistake is made with near-certainty");
    }
}
