//! Every figure of the chapter: made from code that ran, written by `cargo xtask figures`, and checked
//! byte for byte against the committed files by the tests (seeded model, fixed number formatting).

use crate::FigureError;
use crate::lab_1_2_3::LabResults;
use course_utils::theme::{self, BACKGROUND, MUTED};
use plotters::prelude::*;
use std::path::Path;

/// The chapter's columns of the penguins used by the statistical plots.
pub const MEASUREMENTS: [&str; 4] = crate::model::NUMERIC;

// ANCHOR: subplots
/// Fundamentals: one figure, two subplots side by side (`fig, (left, right) = plt.subplots(1, 2)`), the same
/// curve on a linear and on a log y axis (`ax.set_yscale("log")`).
pub fn subplots_svg(loss: &[f64]) -> Result<String, FigureError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 360)).into_drawing_area();
        root.fill(&BACKGROUND)?;
        let root = root.titled("The same training loss, two y scales", theme::title_font())?; // fig.suptitle(...)
        let panels = root.split_evenly((1, 2)); // plt.subplots(1, 2)
        let epochs = 1..loss.len().max(2);
        let points = || loss.iter().enumerate().map(|(e, &v)| (e + 1, v));
        let top = loss.iter().copied().fold(0.0f64, f64::max) * 1.1;
        // log ticks start at the first power of ten inside the range: begin the axis just below one
        let bottom = 0.99 * 10f64.powf((loss.iter().copied().fold(f64::INFINITY, f64::min) * 0.8).log10().floor());

        let mut linear = ChartBuilder::on(&panels[0])
            .caption("linear", theme::label_font())
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(epochs.clone(), 0.0..top)?;
        linear.configure_mesh().x_desc("epoch").y_desc("loss").label_style(theme::small_font()).light_line_style(MUTED.mix(0.4)).draw()?;
        linear.draw_series(LineSeries::new(points(), theme::color(0).stroke_width(2)))?;

        let mut log = ChartBuilder::on(&panels[1])
            .caption("log scale", theme::label_font())
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(55)
            .build_cartesian_2d(epochs, (bottom..top).log_scale())?; // ax.set_yscale("log")
        log.configure_mesh()
            .x_desc("epoch")
            .y_desc("loss")
            .label_style(theme::small_font())
            .light_line_style(MUTED.mix(0.4))
            .y_labels(4) // few labels: only the powers of ten get one, as on a Matplotlib log axis
            .y_label_formatter(&|v| format!("{v:.2}"))
            .draw()?;
        log.draw_series(LineSeries::new(points(), theme::color(0).stroke_width(2)))?;
        root.present()?; // plt.savefig(...)
    }
    Ok(svg)
}
// ANCHOR_END: subplots

/// Every figure: (path under `figures/`, SVG). Trains the model once.
pub fn all(results: &LabResults, harder: &LabResults) -> Result<Vec<(&'static str, String)>, FigureError> {
    let penguins = dataframes::datasets::penguins()?;
    let history = &results.history;
    let noisy = &harder.history; // the model without bill length: its validation loss plateaus and wobbles
    Ok(vec![
        ("visualization/subplots.svg", subplots_svg(&history.train_loss)?),
        ("visualization/box-body-mass.svg", crate::stats::box_plot_svg(&penguins, "body_mass_g")?),
        ("visualization/violin-body-mass.svg", crate::stats::violin_svg(&penguins, "body_mass_g")?),
        ("visualization/pair-plot.svg", crate::stats::pair_plot_svg(&penguins, &MEASUREMENTS)?),
        ("visualization/scatter-bill.svg", crate::stats::scatter_svg(&penguins, "bill_length_mm", "bill_depth_mm")?),
        ("visualization/correlation.svg", crate::stats::correlation_svg(&penguins, &MEASUREMENTS)?),
        ("visualization/training-curves.svg", crate::curves::training_curves_svg(&noisy.train_loss, &noisy.val_loss, Some(0.6), (760, 420))?),
        ("visualization/attention.svg", crate::heatmaps::attention_figure(16)?),
        ("visualization/activations.svg", crate::heatmaps::activation_figure(results)?),
        ("visualization/feature-maps.svg", crate::conv::feature_map_figure()?),
    ])
}

/// Writes every figure and the lab's files under `out` (the book's `figures/`).
pub fn run(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    crate::lab_1_2_3::run(Some(out))?;
    let (results, harder) = (crate::lab_1_2_3::lab_results()?, crate::lab_1_2_3::harder_results()?);
    for (name, svg) in all(&results, &harder)? {
        course_utils::table::write_generated(&out.join(name), &svg)?;
        println!("wrote {name}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use course_utils::table::check_committed;

    #[test]
    fn committed_figures_are_current() {
        let (results, harder) = (crate::lab_1_2_3::lab_results().unwrap(), crate::lab_1_2_3::harder_results().unwrap());
        let figures = all(&results, &harder).unwrap();
        assert_eq!(figures.len(), 10);
        for (name, svg) in &figures {
            assert!(svg.starts_with("<svg") && svg.len() > 2_000, "{name} looks empty");
            check_committed(name, svg).unwrap();
        }
    }
}
