//! Generators of the chapter's figures and tables (run by `cargo xtask figures`, checked by the tests).

use course_utils::theme::{self, BACKGROUND, INK, MUTED};
use ndarray::{Array2, ArrayView2, array, s};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Where this module's outputs go, relative to `figures/`.
pub const BROADCASTING_SVG: &str = "arrays/broadcasting.svg";
/// The memory-layout page's diagram of a view's offset and strides.
pub const STRIDES_SVG: &str = "arrays/strides.svg";
/// The einsum notation's diagram: which letters are summed and which are kept.
pub const EINSUM_SVG: &str = "arrays/einsum.svg";
/// Lab 1.2.4's diagram of attention's data flow.
pub const ATTENTION_FLOW_SVG: &str = "arrays/attention-flow.svg";
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

/// A diagram: a white SVG of `size` with `title` centred on top, and what `draw` adds.
fn diagram(
    (width, height): (u32, u32),
    title: &str,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> FigureResult<()>,
) -> FigureResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&BACKGROUND)?;
        root.draw(&Text::new(title, (width as i32 / 2, 22), theme::title_font().pos(Pos::new(HPos::Center, VPos::Center))))?;
        draw(&root)?;
        root.present()?;
    }
    Ok(svg)
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

/// The memory-layout diagram: a (3, 4) array, the view `x[:, 1:3]`, and where the view's elements sit in the
/// array's memory. Every number is ndarray's: the array holds 0..12 in row-major order, so each value is also
/// its offset in memory, and the view's strides and first offset are read from the view.
pub fn strides_diagram() -> FigureResult<String> {
    let x = Array2::from_shape_vec((3, 4), (0..12).map(f64::from).collect())?;
    let view = x.slice(s![.., 1..3]);
    let first = view[[0, 0]] as usize; // the values are offsets
    let (s0, s1) = (view.strides()[0], view.strides()[1]);
    let in_view: Vec<usize> = view.iter().map(|&v| v as usize).collect();
    let fill = theme::color(0);

    let (width, height) = (760u32, 330u32);
    diagram((width, height), "A view is the same memory, with its own offset, shape and strides", |root| {
        let centred = |style: TextStyle<'static>| style.pos(Pos::new(HPos::Center, VPos::Center));
        let (grid_x, grid_y) = (40, 70);
        let (mem_x, mem_y) = (40, 250);
        let cell = |r: usize, c: usize| (grid_x + c as i32 * CELL, grid_y + r as i32 * CELL);
        let slot = |offset: usize| (mem_x + offset as i32 * CELL, mem_y);
        // lines first, so the cells cover their ends: each element of the view to its place in memory
        for ((r, c), &v) in x.indexed_iter() {
            if in_view.contains(&(v as usize)) {
                let (x0, y0) = cell(r, c);
                let (x1, y1) = slot(v as usize);
                root.draw(&PathElement::new([(x0 + CELL / 2, y0 + CELL / 2), (x1 + CELL / 2, y1 + CELL / 2)], fill.mix(0.6).stroke_width(1)))?;
            }
        }
        let draw_cell = |(x0, y0): (i32, i32), v: f64, chosen: bool| -> FigureResult<()> {
            let background = if chosen { fill.mix(0.35) } else { BACKGROUND.mix(1.0) };
            root.draw(&Rectangle::new([(x0, y0), (x0 + CELL, y0 + CELL)], background.filled()))?;
            root.draw(&Rectangle::new([(x0, y0), (x0 + CELL, y0 + CELL)], if chosen { INK.stroke_width(2) } else { MUTED.stroke_width(1) }))?;
            root.draw(&Text::new(format!("{v}"), (x0 + CELL / 2, y0 + CELL / 2), centred(theme::label_font())))?;
            Ok(())
        };
        for ((r, c), &v) in x.indexed_iter() {
            draw_cell(cell(r, c), v, in_view.contains(&(v as usize)))?;
        }
        for (offset, &v) in x.as_slice().ok_or("x is row-major")?.iter().enumerate() {
            draw_cell(slot(offset), v, in_view.contains(&offset))?;
            root.draw(&Text::new(format!("{offset}"), (slot(offset).0 + CELL / 2, mem_y + CELL + 12), centred(theme::small_font())))?;
        }
        root.draw(&Text::new("x, shape (3, 4): how it is indexed", (grid_x, grid_y - 14), theme::label_font().pos(Pos::new(HPos::Left, VPos::Center))))?;
        root.draw(&Text::new("x's memory, one row of 12; the offset under each element", (mem_x, mem_y - 14), theme::label_font().pos(Pos::new(HPos::Left, VPos::Center))))?;
        let notes = [
            format!("x: strides ({}, {}), offset 0", x.strides()[0], x.strides()[1]),
            format!("view = x.slice(s![.., 1..3]): shape ({}, {}), strides ({s0}, {s1}), offset {first}", view.nrows(), view.ncols()),
            format!("view[[i, j]] is at offset {first} + {s0} i + {s1} j"),
            "nothing is copied: the view points into x's memory".to_owned(),
        ];
        for (k, note) in notes.iter().enumerate() {
            root.draw(&Text::new(note.clone(), (grid_x + 4 * CELL + 40, grid_y + 16 + 28 * k as i32), theme::label_font().pos(Pos::new(HPos::Left, VPos::Center))))?;
        }
        Ok(())
    })
}

/// The einsum diagram of the batched product `bij,bjk->bik`: each letter of the operands joined to the same
/// letter of the output, and `j`, missing from the output, summed. The shapes are those of an einsum run.
pub fn einsum_diagram() -> FigureResult<String> {
    let (a, b) = (ndarray::Array3::<f64>::ones((2, 3, 4)), ndarray::Array3::<f64>::ones((2, 4, 5)));
    let out = crate::einsum::einsum("bij,bjk->bik", &[&a, &b])?;
    let sizes = [("b", a.shape()[0]), ("i", a.shape()[1]), ("j", a.shape()[2]), ("k", b.shape()[2])];
    let size = |l: char| sizes.iter().find(|(n, _)| n.starts_with(l)).map_or(0, |(_, s)| *s);
    let sum_over_j = out.iter().all(|&v| v == size('j') as f64); // a sum of j ones

    let (width, height) = (760u32, 300u32);
    diagram((width, height), "einsum(\"bij,bjk->bik\", a, b): letters kept are joined, the missing letter is summed", |root| {
        let centred = |style: TextStyle<'static>| style.pos(Pos::new(HPos::Center, VPos::Center));
        let letter_box = |(x, y): (i32, i32), l: char, summed: bool| -> FigureResult<()> {
            let fill = if summed { theme::color(1) } else { theme::color(0) };
            root.draw(&Rectangle::new([(x - 18, y - 18), (x + 18, y + 18)], fill.mix(0.3).filled()))?;
            root.draw(&Rectangle::new([(x - 18, y - 18), (x + 18, y + 18)], INK.stroke_width(1)))?;
            root.draw(&Text::new(l.to_string(), (x, y), centred(theme::title_font())))?;
            root.draw(&Text::new(format!("{}", size(l)), (x, y + 32), centred(theme::small_font())))?;
            Ok(())
        };
        let row = |word: &str, left: i32, y: i32| -> Vec<(char, (i32, i32))> { word.chars().enumerate().map(|(n, l)| (l, (left + 50 * n as i32, y))).collect() };
        let (a_letters, b_letters, out_letters) = (row("bij", 130, 100), row("bjk", 490, 100), row("bik", 310, 230));
        // lines first: a kept letter to the output; j between the operands
        for (l, (x, y)) in a_letters.iter().chain(&b_letters) {
            if let Some((_, (ox, oy))) = out_letters.iter().find(|(o, _)| o == l) {
                root.draw(&PathElement::new([(*x, y + 18), (*ox, oy - 18)], theme::color(0).stroke_width(2)))?;
            }
        }
        // j joins the two operands over the top, and goes nowhere else
        let (ja, jb) = (a_letters[2].1, b_letters[1].1);
        let over = ja.1 - 36;
        root.draw(&PathElement::new([(ja.0, ja.1 - 18), (ja.0, over), (jb.0, over), (jb.0, jb.1 - 18)], theme::color(1).stroke_width(2)))?;
        root.draw(&Text::new(format!("j is not in the output: multiply along it and sum its {} terms", size('j')), ((ja.0 + jb.0) / 2, over - 12), centred(theme::label_font())))?;
        for (l, at) in a_letters.iter().chain(&b_letters).chain(&out_letters) {
            letter_box(*at, *l, *l == 'j')?;
        }
        let label = |text: String, (x, y): (i32, i32)| root.draw(&Text::new(text, (x, y), theme::label_font().pos(Pos::new(HPos::Right, VPos::Center))));
        label(format!("a {:?}", a.shape()), (a_letters[0].1.0 - 30, 100))?;
        label(format!("b {:?}", b.shape()), (b_letters[0].1.0 - 30, 100))?;
        label(format!("out {:?}", out.shape()), (out_letters[0].1.0 - 30, 230))?;
        let check = if sum_over_j { format!("(with a and b all ones, every output element is {})", size('j')) } else { String::new() };
        root.draw(&Text::new(format!("out[b, i, k] = sum over j of a[b, i, j] * b[b, j, k]   {check}"), (width as i32 / 2, height as i32 - 18), centred(theme::small_font())))?;
        Ok(())
    })
}

/// Attention's data flow with the shapes of a run of Lab 1.2.4's `attention_einsum`: Q and K give the scores,
/// softmax over the keys gives the weights, and the weights average V.
pub fn attention_flow_diagram() -> FigureResult<String> {
    use crate::attention::{Mask, attention_einsum, attention_weights};
    let (b, h, s, d) = (1, 2, 5, 8);
    let q = ndarray::Array4::<f32>::from_shape_fn((b, h, s, d), |(_, _, i, j)| ((i * d + j) as f32 * 0.1).sin());
    let (k, v) = (q.mapv(|x| x * 0.5), q.mapv(|x| x + 1.0));
    let out = attention_einsum(q.view(), k.view(), v.view(), Mask::Causal)?;
    let weights = attention_weights(q.view(), k.view(), Mask::Causal, 0, 0)?;
    let rows_sum_to_one = weights.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-5);
    let shape = |x: &[usize]| format!("({})", x.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "));

    let (width, height) = (900u32, 300u32);
    diagram((width, height), "Attention: scores from Q and K, softmax over the keys, then a weighted average of V", |root| {
        let centred = |style: TextStyle<'static>| style.pos(Pos::new(HPos::Center, VPos::Center));
        let node = |(x, y): (i32, i32), title: &str, note: String, color: RGBColor| -> FigureResult<()> {
            root.draw(&Rectangle::new([(x - 70, y - 28), (x + 70, y + 28)], color.mix(0.25).filled()))?;
            root.draw(&Rectangle::new([(x - 70, y - 28), (x + 70, y + 28)], INK.stroke_width(1)))?;
            root.draw(&Text::new(title.to_owned(), (x, y - 9), centred(theme::label_font())))?;
            root.draw(&Text::new(note, (x, y + 11), centred(theme::small_font())))?;
            Ok(())
        };
        let arrow = |(x0, y0): (i32, i32), (x1, y1): (i32, i32), label: &str| -> FigureResult<()> {
            root.draw(&PathElement::new([(x0, y0), (x1, y1)], INK.stroke_width(1)))?;
            root.draw(&Polygon::new(vec![(x1, y1), (x1 - 8, y1 - 4), (x1 - 8, y1 + 4)], INK.filled()))?;
            root.draw(&Text::new(label.to_owned(), ((x0 + x1) / 2, (y0 + y1) / 2 - 12), centred(theme::small_font())))?;
            Ok(())
        };
        let (q_at, k_at, v_at) = ((90, 90), (90, 170), (90, 250));
        let (scores_at, weights_at, out_at) = ((330, 130), (560, 130), (790, 190));
        let bhsd = shape(q.shape());
        node(q_at, "Q (queries)", format!("b, h, s, d = {bhsd}"), theme::color(0))?;
        node(k_at, "K (keys)", format!("b, h, t, d = {}", shape(k.shape())), theme::color(0))?;
        node(v_at, "V (values)", format!("b, h, t, d = {}", shape(v.shape())), theme::color(0))?;
        node(scores_at, "scores", format!("b, h, s, t = {}", shape(&[b, h, s, s])), theme::color(1))?;
        node(weights_at, "weights", "masked; rows sum to 1".to_owned(), theme::color(1))?;
        node(out_at, "output", format!("b, h, s, d = {}", shape(out.shape())), theme::color(2))?;
        arrow((q_at.0 + 70, q_at.1), (scores_at.0 - 70, scores_at.1 - 10), "")?;
        arrow((k_at.0 + 70, k_at.1), (scores_at.0 - 70, scores_at.1 + 10), "")?;
        root.draw(&Text::new("bhsd,bhtd->bhst, / sqrt(d)", (scores_at.0, scores_at.1 - 44), centred(theme::small_font())))?;
        arrow((scores_at.0 + 70, scores_at.1), (weights_at.0 - 70, weights_at.1), "softmax over t")?;
        arrow((weights_at.0 + 70, weights_at.1), (out_at.0 - 70, out_at.1 - 10), "")?;
        arrow((v_at.0 + 70, v_at.1), (out_at.0 - 70, out_at.1 + 10), "")?;
        root.draw(&Text::new("bhst,bhtd->bhsd", (out_at.0, out_at.1 - 44), centred(theme::small_font())))?;
        let note = if rows_sum_to_one { "Checked on this run: every row of the weights sums to 1 (within 1e-5)." } else { "" };
        root.draw(&Text::new(note, (width as i32 / 2, height as i32 - 14), centred(theme::small_font())))?;
        Ok(())
    })
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

    #[test]
    fn committed_strides_diagram_is_current() {
        let fresh = crate::figures::strides_diagram().unwrap();
        // ndarray's numbers for x[:, 1:3] of a (3, 4) row-major array
        assert!(fresh.contains("strides (4, 1), offset 1") && fresh.contains("offset 1 + 4 i + 1 j"), "{fresh}");
        check_committed(STRIDES_SVG, &fresh).unwrap();
    }

    #[test]
    fn committed_einsum_and_attention_diagrams_are_current() {
        let einsum = crate::figures::einsum_diagram().unwrap();
        assert!(einsum.contains("out [2, 3, 5]") && einsum.contains("every output element is 4"), "shapes and sum from the run");
        check_committed(EINSUM_SVG, &einsum).unwrap();
        let flow = crate::figures::attention_flow_diagram().unwrap();
        assert!(flow.contains("b, h, s, d = (1, 2, 5, 8)") && flow.contains("every row of the weights sums to 1"));
        check_committed(ATTENTION_FLOW_SVG, &flow).unwrap();
    }
}
