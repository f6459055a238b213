//! The one look of every figure in the book: colours, fonts, sizes.
//!
//! Figures are SVG with a white background, so they read the same on the book's light and dark themes.
//! Colours are the Okabe-Ito palette, which stays distinguishable with the common colour-vision deficiencies;
//! heatmaps use viridis, a sequential map that is perceptually even and prints in greyscale.

use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::{Color, FontFamily, IntoFont, RGBColor, TextStyle};

/// Categorical colours, in the order series take them (Okabe & Ito, 2008).
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// Figure background: white, legible on both of the book's themes.
pub const BACKGROUND: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
/// Text and axis lines.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Light grey for grids, boxes and de-emphasised marks.
pub const MUTED: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);
/// The font family; SVG viewers pick the reader's sans-serif font.
pub const FONT: &str = "sans-serif";

/// The `i`-th categorical colour (wrapping round the palette).
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Viridis at `t` in `[0, 1]` (clamped; NaN maps to 0).
pub fn sequential(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    ViridisRGB::get_color(t)
}

/// Black or white, whichever reads better on `background` (for numbers written in heatmap cells).
pub fn ink_on(background: RGBColor) -> RGBColor {
    let RGBColor(r, g, b) = background;
    let luminance = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
    if luminance > 140.0 { INK } else { BACKGROUND }
}

fn font(size: f64) -> TextStyle<'static> {
    (FontFamily::Name(FONT), size).into_font().color(&INK)
}

/// Figure and panel titles.
pub fn title_font() -> TextStyle<'static> {
    font(20.0)
}

/// Titles of the panels of a multi-panel figure.
pub fn panel_title_font() -> TextStyle<'static> {
    font(17.0)
}

/// `style` in another colour (plotters' own `.color(&c)` borrows the colour for the style's lifetime).
pub fn recolor(mut style: TextStyle<'static>, color: RGBColor) -> TextStyle<'static> {
    style.color = color.to_backend_color();
    style
}

/// Axis labels and legend entries.
pub fn label_font() -> TextStyle<'static> {
    font(15.0)
}

/// Tick labels and annotations.
pub fn small_font() -> TextStyle<'static> {
    font(13.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_wraps_and_colours_are_distinct() {
        assert_eq!(color(0), color(PALETTE.len()));
        for (i, a) in PALETTE.iter().enumerate() {
            assert!(PALETTE[i + 1..].iter().all(|b| a != b));
        }
    }

    #[test]
    fn sequential_runs_dark_to_light_and_clamps() {
        let lum = |RGBColor(r, g, b): RGBColor| u32::from(r) + u32::from(g) + u32::from(b);
        assert!(lum(sequential(0.0)) < lum(sequential(0.5)) && lum(sequential(0.5)) < lum(sequential(1.0)));
        assert_eq!(sequential(-3.0), sequential(0.0));
        assert_eq!(sequential(f64::NAN), sequential(0.0));
        assert_eq!(sequential(7.0), sequential(1.0));
    }

    #[test]
    fn cell_text_contrasts_with_its_background() {
        assert_eq!(ink_on(sequential(0.0)), BACKGROUND, "dark purple takes white text");
        assert_eq!(ink_on(sequential(1.0)), INK, "light yellow takes dark text");
    }
}
