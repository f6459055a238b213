//! Activation maps of a convolution layer: a small image, four fixed 3 x 3 filters (vertical and horizontal
//! edges, a diagonal line, a blur), each slid over the image and passed through a ReLU, and the feature maps
//! drawn next to the image (the figure of the heatmaps page).

use crate::FigureError;
use crate::heatmaps::{Heatmap, draw_heatmap};
use course_utils::theme::{self, BACKGROUND};
use ndarray::{Array2, ArrayView2, Zip, array};
use plotters::prelude::*;

// ANCHOR: conv2d
/// One filter of a convolution layer, as PyTorch's `conv2d` computes it (a cross-correlation, no padding, stride
/// 1): output `[i, j]` is the sum of the image's window at `[i, j]` times the kernel, elementwise. The output is
/// `(h - kh + 1, w - kw + 1)`; a kernel larger than the image is an error.
pub fn conv2d(image: ArrayView2<'_, f64>, kernel: ArrayView2<'_, f64>) -> Result<Array2<f64>, FigureError> {
    let ((h, w), (kh, kw)) = (image.dim(), kernel.dim());
    if kh == 0 || kw == 0 || kh > h || kw > w {
        return Err(FigureError::Data { what: "conv2d".into(), why: "the kernel must be non-empty and fit inside the image" });
    }
    // windows() is a producer of views, one per output position: Zip maps each to its sum, in the output's shape
    Ok(Zip::from(image.windows((kh, kw))).map_collect(|window| (&window * &kernel).sum()))
}

/// A convolution layer with fixed filters: each filter's feature map after a ReLU (`max(0, x)`).
pub fn conv_layer(image: ArrayView2<'_, f64>, filters: &[(&str, Array2<f64>)]) -> Result<Vec<Array2<f64>>, FigureError> {
    filters.iter().map(|(_, k)| Ok(conv2d(image, k.view())?.mapv(|v| v.max(0.0)))).collect()
}
// ANCHOR_END: conv2d

/// The figure's input: a 16 x 16 image, a filled bright rectangle and a thin diagonal stroke on a dark ground.
pub fn sample_image() -> Array2<f64> {
    Array2::from_shape_fn((16, 16), |(i, j)| {
        let rectangle = (2..=7).contains(&i) && (2..=10).contains(&j);
        let stroke = (9..=14).contains(&i) && j == i;
        if rectangle || stroke { 1.0 } else { 0.0 }
    })
}

/// The four fixed filters: what each responds to.
pub fn filters() -> Vec<(&'static str, Array2<f64>)> {
    vec![
        ("vertical edges (Sobel x)", array![[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
        ("horizontal edges (Sobel y)", array![[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),
        ("diagonal lines", array![[2.0, -1.0, -1.0], [-1.0, 2.0, -1.0], [-1.0, -1.0, 2.0]]),
        ("blur (3 x 3 mean)", Array2::from_elem((3, 3), 1.0 / 9.0)),
    ]
}

// ANCHOR: feature_maps
/// The image and the layer's four feature maps, each a heatmap with its own colour bar from 0 to its maximum.
pub fn feature_map_figure() -> Result<String, FigureError> {
    let image = sample_image();
    let filters = filters();
    let maps = conv_layer(image.view(), &filters)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&BACKGROUND)?;
        let root = root.titled("One convolution layer: four 3 x 3 filters, then ReLU", theme::title_font())?;
        let panels = root.split_evenly((2, 3));
        let input = Heatmap { values: image.view(), range: (0.0, 1.0), caption: "input image, 16 x 16".into(), ..blank() };
        draw_heatmap(&panels[0], &input)?;
        for (panel, ((name, _), map)) in panels[1..].iter().zip(filters.iter().zip(&maps)) {
            let top = map.iter().copied().fold(0.0f64, f64::max).max(f64::MIN_POSITIVE); // an all-zero map still draws
            draw_heatmap(panel, &Heatmap { values: map.view(), range: (0.0, top), caption: format!("{name}, 14 x 14"), ..blank() })?;
        }
        root.present()?;
    }
    Ok(svg)
}
// ANCHOR_END: feature_maps

fn blank() -> Heatmap<'static> {
    static EMPTY: [f64; 0] = [];
    Heatmap {
        values: ArrayView2::from_shape((0, 0), &EMPTY).expect("an empty view"),
        range: (0.0, 1.0),
        caption: String::new(),
        x_desc: String::new(),
        y_desc: String::new(),
        col_labels: vec![],
        row_labels: vec![],
        annotate: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, with four loops: the reference the windowed version is checked against.
    fn conv2d_loops(image: &Array2<f64>, kernel: &Array2<f64>) -> Array2<f64> {
        let ((h, w), (kh, kw)) = (image.dim(), kernel.dim());
        Array2::from_shape_fn((h - kh + 1, w - kw + 1), |(i, j)| {
            let mut s = 0.0;
            for a in 0..kh {
                for b in 0..kw {
                    s += image[[i + a, j + b]] * kernel[[a, b]];
                }
            }
            s
        })
    }

    #[test]
    fn an_edge_filter_fires_at_the_edge_and_is_silent_on_flat_regions() {
        // dark on the left, bright from column 2: the vertical-edge filter sees the step in windows 0 and 1
        let image = Array2::from_shape_fn((5, 5), |(_, j)| if j >= 2 { 1.0 } else { 0.0 });
        let map = conv2d(image.view(), filters()[0].1.view()).unwrap();
        assert_eq!(map, array![[4.0, 4.0, 0.0], [4.0, 4.0, 0.0], [4.0, 4.0, 0.0]]);
        // the horizontal-edge filter sees no step
        assert!(conv2d(image.view(), filters()[1].1.view()).unwrap().iter().all(|&v| v == 0.0));
    }

    #[test]
    fn a_kernel_that_does_not_fit_is_an_error() {
        let image = Array2::<f64>::zeros((2, 5));
        assert!(conv2d(image.view(), Array2::<f64>::zeros((3, 3)).view()).is_err());
        assert!(conv2d(image.view(), Array2::<f64>::zeros((0, 1)).view()).is_err());
        assert_eq!(conv2d(image.view(), Array2::<f64>::zeros((2, 5)).view()).unwrap().dim(), (1, 1));
    }

    proptest! {
        #[test]
        fn windows_agree_with_the_loops(h in 1usize..9, w in 1usize..9, kh in 1usize..4, kw in 1usize..4, seed in 0u64..1000) {
            prop_assume!(kh <= h && kw <= w);
            let value = |i: usize, j: usize, salt: u64| (((i * 31 + j * 17) as u64 + seed * salt) % 13) as f64 - 6.0;
            let image = Array2::from_shape_fn((h, w), |(i, j)| value(i, j, 7));
            let kernel = Array2::from_shape_fn((kh, kw), |(i, j)| value(i, j, 3));
            prop_assert_eq!(conv2d(image.view(), kernel.view()).unwrap(), conv2d_loops(&image, &kernel));
        }
    }

    #[test]
    fn the_layer_applies_relu_and_each_filter_finds_its_feature() {
        let image = sample_image();
        let maps = conv_layer(image.view(), &filters()).unwrap();
        assert!(maps.iter().all(|m| m.dim() == (14, 14) && m.iter().all(|&v| v >= 0.0)));
        // the rectangle's left edge (column 2 of the image) is window column 0 or 1; its inside (columns 4..8) is flat
        assert!(maps[0][[3, 0]] > 0.0 && maps[0][[3, 4]] == 0.0);
        // the diagonal filter responds most on the stroke, not on the rectangle's straight edges
        let (best, _) = maps[2].indexed_iter().fold(((0, 0), f64::MIN), |b, (ij, &v)| if v > b.1 { (ij, v) } else { b });
        assert!(best.0 >= 8, "strongest diagonal response at {best:?}, not on the stroke");
    }
}
