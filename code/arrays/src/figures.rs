//! Generators of the chapter's figures and tables (run by `cargo xtask figures`, checked by the tests).

use course_utils::theme::{self, BACKGROUND, INK, MUTED};
use ndarray::{Array2, ArrayView2, array};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Where this module's outputs go, relative to `figures/`.
pub const BROADCASTING_SVG: &str = "arrays/broadcasting.svg";
/// The source file named in the generated files' headers.
pub const SOURCE: &str = "code/arrays/src/figures.rs";

type FigureResult<T> = Result<T, Box<dyn std::error::Error>>;

const CELL: i32 = 38;

/// Draws one array as a grid of cells at `(x, y)`. Cells outside `real` (rows, cols) are broadcast copies:
/// drawn dashed-grey, because ndarray never stores them (they are a stride-0 view).
fn draw_grid(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    (x, y): (i32, i32),
    values: ArrayView2<'_, f64>,
    real: (usize, usize),
    fill: RGBColor,
) -> FigureResult<()> {
    let centred = theme::label_font().pos(Pos::new(HPos::Center, VPos::Center));
    for ((r, c), v) in values.indexed_iter() {
        let (x0, y0) = (x + c as i32 * CELL, y + r as i32 * CELL);
        let is_real = r < real.0 && c < real.1;
        let background = if is_real { fill.mix(0.25) } else { MUTED.mix(0.35) };
        area.draw(&Rectangle::new([(x0, y0), (x0 + CELL, y0 + CELL)], background.filled()))?;
        let border = if is_real { INK.stroke_width(2) } else { MUTED.stroke_width(1) };
        area.draw(&Rectangle::new([(x0, y0), (x0 + CELL, y0 + CELL)], border))?;
        let text = if is_real { centred.clone() } else { centred.color(&RGBColor(0x88, 0x88, 0x88)) };
        area.draw(&Text::new(format!("{v}"), (x0 + CELL / 2, y0 + CELL / 2), text))?;
    }
    Ok(())
}

/// The chapter's broadcasting diagram: `(3, 1) + (1, 4) -> (3, 4)`, with every number computed by ndarray.
pub fn broadcasting_diagram() -> FigureResult<String> {
    let a = array![[0.0], [10.0], [20.0]];
    let b = array![[0.0, 1.0, 2.0, 3.0]];
    let sum: Array2<f64> = &a + &b; // the broadcast itself
    let shape = (sum.nrows(), sum.ncols());
    let (a_wide, b_tall) = (a.broadcast(shape).ok_or("a cannot broadcast")?, b.broadcast(shape).ok_or("b cannot broadcast")?);

    let (width, height) = (720u32, 250u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&BACKGROUND)?;
        let centred = |style: TextStyle<'static>| style.pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(
            "Broadcasting: shapes align from the last axis; a length-1 axis is stretched",
            (width as i32 / 2, 22),
            centred(theme::title_font()),
        ))?;
        let grid_w = CELL * shape.1 as i32;
        let top = 78;
        let lefts = [30, 30 + grid_w + 80, 30 + 2 * (grid_w + 80)];
        let grids = [(a_wide, (3, 1), theme::color(0)), (b_tall, (1, 4), theme::color(1)), (sum.view(), shape, theme::color(2))];
        let titles = ["a: shape (3, 1)", "b: shape (1, 4)", "a + b: shape (3, 4)"];
        let notes = ["copied along axis 1", "copied along axis 0", "computed, stored"];
        for (((left, (values, real, fill)), title), note) in lefts.iter().zip(grids).zip(titles).zip(notes) {
            let centre = left + grid_w / 2;
            root.draw(&Text::new(title, (centre, top - 20), centred(theme::label_font())))?;
            draw_grid(&root, (*left, top), values, real, fill)?;
            let below = top + CELL * shape.0 as i32 + 18;
            root.draw(&Text::new(note, (centre, below), centred(theme::small_font())))?;
        }
        let mid_y = top + CELL * shape.0 as i32 / 2;
        for (sign, x) in [("+", lefts[1] - 40), ("=", lefts[2] - 40)] {
            root.draw(&Text::new(sign, (x, mid_y), centred(theme::title_font())))?;
        }
        root.draw(&Text::new(
            "Grey cells are not stored: ndarray's broadcast is a view with stride 0 along the stretched axis.",
            (width as i32 / 2, height as i32 - 22),
            centred(theme::small_font()),
        ))?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use course_utils::table::check_committed;

    #[test]
    fn committed_broadcasting_diagram_is_current() {
        let fresh = crate::figures::broadcasting_diagram().unwrap();
        assert!(fresh.starts_with("<svg") && fresh.contains("a + b: shape (3, 4)"));
        // the bottom-right cell holds 20 + 3, computed by ndarray
        assert!(fresh.contains(">\n23\n</text>"), "the broadcast result is in the figure");
        check_committed(BROADCASTING_SVG, &fresh).unwrap();
    }
}
