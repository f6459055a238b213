//! The operations page's drawing of a lazy query plan: the same query as written and as polars optimises it,
//! node by node, from polars' own graph of the plan (`LazyFrame::to_dot`, Python's `lf.show_graph()`).

use course_utils::theme::{self, BACKGROUND, INK};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use polars::prelude::*;

/// Where the figure goes, under `figures/`.
pub const PLAN_SVG: &str = "dataframes/lazy-plan.svg";

/// The page's query (the listing of "Reading a lazy plan"): a new column, a filter, two columns kept.
pub fn query(penguins: DataFrame) -> LazyFrame {
    penguins
        .lazy()
        .with_columns([(col("body_mass_g").cast(DataType::Float64) / lit(1000.0)).alias("mass_kg")])
        .filter(col("species").eq(lit("Gentoo")))
        .select([col("island"), col("mass_kg")])
}

// ANCHOR: nodes
/// The nodes of a plan, from the data up to the last step, each as the lines of its label in polars' graph
/// (a chain: every node of these plans has one input).
pub fn plan_nodes(lf: &LazyFrame, optimized: bool) -> PolarsResult<Vec<Vec<String>>> {
    let dot = lf.to_dot(optimized)?;
    let nodes = dot
        .lines()
        .filter_map(|line| {
            let label = line.split_once("[label=\"")?.1.strip_suffix("\"]")?;
            Some(label.split("\\n").map(|part| part.replace("\\\"", "\"")).filter(|part| !part.is_empty()).collect())
        })
        .collect();
    Ok(nodes)
}
// ANCHOR_END: nodes

/// The two plans side by side, the data at the bottom and arrows up through each step.
pub fn plan_figure() -> Result<String, Box<dyn std::error::Error>> {
    let lf = query(crate::datasets::penguins()?);
    let plans = [("as written", plan_nodes(&lf, false)?), ("optimised: filter first, 3 of 8 columns read", plan_nodes(&lf, true)?)];
    let tallest = plans.iter().map(|(_, n)| n.len()).max().unwrap_or(1) as i32;
    let (box_w, box_h, gap) = (400, 64, 30);
    let (width, height) = (2 * box_w as u32 + 90, (tallest * (box_h + gap) + 80) as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&BACKGROUND)?;
        let centred = |style: TextStyle<'static>| style.pos(Pos::new(HPos::Center, VPos::Center));
        for (column, (title, nodes)) in plans.iter().enumerate() {
            let left = 30 + column as i32 * (box_w + 30);
            let centre = left + box_w / 2;
            root.draw(&Text::new(title.to_string(), (centre, 20), centred(theme::label_font())))?;
            // the data at the bottom, the last step at the top, as `explain` prints them
            for (k, lines) in nodes.iter().enumerate() {
                let top = 40 + (tallest - 1 - k as i32) * (box_h + gap);
                let fill = if k == 0 { theme::color(0) } else { theme::color(2) };
                root.draw(&Rectangle::new([(left, top), (left + box_w, top + box_h)], fill.mix(0.2).filled()))?;
                root.draw(&Rectangle::new([(left, top), (left + box_w, top + box_h)], INK.stroke_width(1)))?;
                // what the node's name means, in plain words
                let kind = &lines[0];
                let gloss = if kind.contains('π') {
                    "select: keep these columns"
                } else if kind.starts_with("FILTER") {
                    "filter: keep the matching rows"
                } else if kind.starts_with("WITH COLUMNS") {
                    "with_columns: compute a new column"
                } else if kind.starts_with("TABLE") || kind.starts_with("DF") {
                    "the data frame: the columns read from it"
                } else {
                    ""
                };
                root.draw(&Text::new(gloss, (centre, top + box_h - 12), centred(theme::recolor(theme::small_font(), RGBColor(0x55, 0x55, 0x55)))))?;
                for (n, line) in lines.iter().take(2).enumerate() {
                    let text: String = if line.chars().count() > 62 { line.chars().take(61).chain(['…']).collect() } else { line.clone() };
                    let style = if n == 0 { theme::label_font() } else { theme::small_font() };
                    root.draw(&Text::new(text, (centre, top + 14 + 18 * n as i32), centred(style)))?;
                }
                if k + 1 < nodes.len() {
                    // data flows up: from this node into the next step, above it
                    let (y0, y1) = (top, top - gap);
                    root.draw(&PathElement::new([(centre, y0), (centre, y1)], INK.stroke_width(1)))?;
                    root.draw(&Polygon::new(vec![(centre, y1), (centre - 5, y1 + 8), (centre + 5, y1 + 8)], INK.filled()))?;
                }
            }
        }
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_optimised_plan_filters_before_the_new_column_and_reads_three_columns() {
        let lf = query(crate::datasets::penguins().unwrap());
        let written = plan_nodes(&lf, false).unwrap();
        let optimised = plan_nodes(&lf, true).unwrap();
        let position = |nodes: &[Vec<String>], word: &str| nodes.iter().position(|n| n[0].contains(word));
        // nodes run from the data up: a smaller index is an earlier step
        assert!(position(&written, "WITH COLUMNS").unwrap() < position(&written, "FILTER").unwrap(), "as written: {written:?}");
        assert!(position(&optimised, "FILTER").unwrap() < position(&optimised, "WITH COLUMNS").unwrap(), "the filter runs first once optimised: {optimised:?}");
        assert!(optimised[0].iter().any(|l| l.contains("3/8")), "three of eight columns read: {optimised:?}");
    }

    #[test]
    fn committed_plan_figure_is_current() {
        let fresh = plan_figure().unwrap();
        course_utils::table::check_committed(PLAN_SVG, &fresh).unwrap();
    }
}
