//! Turning float channels and probabilities into 8-bit PNGs for the page.

use ndarray::{Array3, ArrayView2};
use serde::Serialize;

/// Display range of a channel: its data range and the 0.5 / 99.5 % percentiles used by auto-contrast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChannelStats {
    pub min: f32,
    pub max: f32,
    pub low: f32,
    pub high: f32,
}

pub const LOW_PERCENTILE: f64 = 0.5;
pub const HIGH_PERCENTILE: f64 = 99.5;

/// Data range and nearest-rank percentiles of the finite values of `channel`.
pub fn channel_stats(channel: ArrayView2<f32>) -> ChannelStats {
    let mut values: Vec<f32> = channel.iter().copied().filter(|v| v.is_finite()).collect();
    if values.is_empty() {
        return ChannelStats {
            min: 0.0,
            max: 1.0,
            low: 0.0,
            high: 1.0,
        };
    }
    let n = values.len();
    let rank = |p: f64| ((p / 100.0) * (n - 1) as f64).round() as usize;
    let mut select = |k: usize| *values.select_nth_unstable_by(k, f32::total_cmp).1;
    let low = select(rank(LOW_PERCENTILE));
    let high = select(rank(HIGH_PERCENTILE));
    let min = select(0);
    let max = select(n - 1);
    ChannelStats {
        min,
        max,
        low,
        high,
    }
}

/// Maps `value` linearly from [min, max] to [0, 255], clamped; non-finite values become 0.
pub fn window(value: f32, min: f32, max: f32) -> u8 {
    if !value.is_finite() {
        return 0;
    }
    let span = max - min;
    if span.abs() < f32::EPSILON {
        return if value > min { 255 } else { 0 };
    }
    ((value - min) / span * 255.0).round().clamp(0.0, 255.0) as u8
}

/// A grey window-levelled channel.
pub fn grey(channel: ArrayView2<f32>, min: f32, max: f32) -> Vec<u8> {
    channel.iter().map(|&v| window(v, min, max)).collect()
}

/// Up to three window-levelled channels as red, green, blue.
pub fn composite(channels: &[(ArrayView2<f32>, f32, f32)], height: usize, width: usize) -> Vec<u8> {
    let mut rgb = vec![0u8; height * width * 3];
    for (slot, (channel, min, max)) in channels.iter().take(3).enumerate() {
        for (i, &v) in channel.iter().enumerate() {
            rgb[i * 3 + slot] = window(v, *min, *max);
        }
    }
    rgb
}

/// RGBA overlay of probabilities (class, y, x): each pixel takes its most probable class's colour,
/// with that probability as opacity.
pub fn prediction_overlay(probs: &Array3<f32>, colors: &[[u8; 3]]) -> Vec<u8> {
    let (classes, height, width) = probs.dim();
    let mut rgba = vec![0u8; height * width * 4];
    for (i, pixel) in rgba.chunks_exact_mut(4).enumerate() {
        let (y, x) = (i / width, i % width);
        let (mut best, mut p) = (0, f32::MIN);
        for k in 0..classes {
            if probs[[k, y, x]] > p {
                (best, p) = (k, probs[[k, y, x]]);
            }
        }
        let color = colors.get(best).copied().unwrap_or([128, 128, 128]);
        pixel[..3].copy_from_slice(&color);
        pixel[3] = window(p, 0.0, 1.0);
    }
    rgba
}

/// Anchors of the inferno colour map (matplotlib 3.x `colormaps['inferno'](i / 16)`, rounded): a perceptual
/// heat map from black through purple and orange to pale yellow, which no grey or single-hue
/// channel display can be confused with.
const INFERNO: [[u8; 3]; 17] = [
    [0, 0, 4],
    [11, 7, 36],
    [33, 12, 74],
    [61, 9, 101],
    [87, 16, 110],
    [113, 25, 110],
    [138, 34, 106],
    [163, 44, 97],
    [188, 55, 84],
    [210, 70, 68],
    [228, 90, 49],
    [241, 115, 29],
    [249, 142, 9],
    [252, 172, 17],
    [249, 203, 53],
    [242, 234, 105],
    [252, 255, 164],
];

/// The inferno colour of `t` in [0, 1] (clamped), linearly between the anchors.
pub fn inferno(t: f32) -> [u8; 3] {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (INFERNO.len() - 1) as f32;
    let i = (pos.floor() as usize).min(INFERNO.len() - 2);
    let f = pos - i as f32;
    let (a, b) = (INFERNO[i], INFERNO[i + 1]);
    std::array::from_fn(|k| {
        (f32::from(a[k]) + (f32::from(b[k]) - f32::from(a[k])) * f).round() as u8
    })
}

/// RGBA overlay of an uncertainty map (y, x) in [0, 1]: inferno colours, transparent where certain
/// and opaque where uncertain.
pub fn uncertainty_overlay(uncertainty: ArrayView2<f32>) -> Vec<u8> {
    uncertainty
        .iter()
        .flat_map(|&u| {
            let [r, g, b] = inferno(u);
            [r, g, b, window(u, 0.0, 1.0)]
        })
        .collect()
}

/// The uncertainty colour map as a 256 x 1 RGB strip (0 at the left), for the page's legend.
pub fn uncertainty_legend() -> Vec<u8> {
    (0..256u16)
        .flat_map(|i| inferno(f32::from(i) / 255.0))
        .collect()
}

/// Why an overlay or PNG could not be made (an internal error: the inputs come from the server).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{width}x{height} is too large for a PNG")]
    TooLarge { width: usize, height: usize },
    #[error("cannot encode PNG: {0}")]
    Png(#[from] png::EncodingError),
    #[error("probability array layout: {0}")]
    Shape(#[from] ndarray::ShapeError),
}

/// ilastik's uncertainty 1 - (p_max - p_second) of probabilities (class, y, x), as a (y, x) map.
pub fn uncertainty(probs: &Array3<f32>) -> Result<ndarray::Array2<f32>, RenderError> {
    let (classes, height, width) = probs.dim();
    let columns = probs.to_shape((classes, height * width))?;
    Ok(pixelforest_forest::uncertainty(columns.view()).into_shape_with_order((height, width))?)
}

/// PNG colour layout of a pixel buffer.
#[derive(Debug, Clone, Copy)]
pub enum Layout {
    Grey,
    Rgb,
    Rgba,
}

/// Encodes an 8-bit buffer as PNG with fast compression (overlays are re-sent after every training).
pub fn encode_png(
    pixels: &[u8],
    width: usize,
    height: usize,
    layout: Layout,
) -> Result<Vec<u8>, RenderError> {
    let mut out = Vec::new();
    let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else {
        return Err(RenderError::TooLarge { width, height });
    };
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(match layout {
        Layout::Grey => png::ColorType::Grayscale,
        Layout::Rgb => png::ColorType::Rgb,
        Layout::Rgba => png::ColorType::Rgba,
    });
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn windows_linearly_and_clamps() {
        assert_eq!(window(5.0, 0.0, 10.0), 128);
        assert_eq!(window(-1.0, 0.0, 10.0), 0);
        assert_eq!(window(11.0, 0.0, 10.0), 255);
        assert_eq!(window(f32::NAN, 0.0, 10.0), 0);
        assert_eq!(window(3.0, 3.0, 3.0), 0);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let values = Array2::from_shape_fn((10, 101), |(y, x)| (y * 101 + x) as f32);
        let stats = channel_stats(values.view());
        // n = 1010, rank(0.5 %) = round(0.005 * 1009) = 5, rank(99.5 %) = round(1003.955) = 1004.
        assert_eq!(
            stats,
            ChannelStats {
                min: 0.0,
                max: 1009.0,
                low: 5.0,
                high: 1004.0
            }
        );
    }

    #[test]
    fn overlays_take_argmax_colour_and_uncertainty() {
        let probs = array![[[0.7f32, 0.2]], [[0.3, 0.3]], [[0.0, 0.5]]];
        let colors = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
        assert_eq!(
            prediction_overlay(&probs, &colors),
            vec![255, 0, 0, 179, 0, 0, 255, 128]
        );
        let u = uncertainty(&probs).unwrap();
        assert!((u[[0, 0]] - 0.6).abs() < 1e-6 && (u[[0, 1]] - 0.8).abs() < 1e-6);
        // u = 0.6: between the anchors at 0.5625 and 0.625, 60 % of the way: alpha 0.6 * 255.
        assert_eq!(uncertainty_overlay(u.view())[..4], [221, 82, 57, 153]);
    }

    #[test]
    fn uncertainty_colours_are_inferno_not_grey() {
        assert_eq!(inferno(0.0), [0, 0, 4]);
        assert_eq!(inferno(0.5), [188, 55, 84]);
        // Between anchors, within 4 of matplotlib's own 256-entry map
        // (`[round(v * 255) for v in colormaps['inferno'](t)[:3]]`).
        let reference = [
            (0.1, [22, 11, 57]),
            (0.3, [106, 23, 110]),
            (0.6, [221, 81, 58]),
            (0.9, [246, 215, 70]),
        ];
        for (t, expected) in reference {
            let got = inferno(t);
            assert!(
                (0..3).all(|k| got[k].abs_diff(expected[k]) <= 4),
                "{t}: {got:?} vs {expected:?}"
            );
        }
        assert_eq!(inferno(1.0), [252, 255, 164]);
        assert_eq!(inferno(f32::NAN), [0, 0, 4]);
        // The regression: the overlay was white, which reads as bright signal on a grey channel.
        let strip = uncertainty_legend();
        assert_eq!(strip.len(), 256 * 3);
        assert!(strip
            .chunks_exact(3)
            .skip(1)
            .all(|p| p[0] != p[1] || p[1] != p[2]));
    }

    #[test]
    fn encodes_decodable_png() {
        let png = encode_png(&[0, 255, 7, 9], 2, 2, Layout::Grey).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (2, 2));
        assert_eq!(&buf[..4], &[0, 255, 7, 9]);
    }
}
