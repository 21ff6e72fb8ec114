//! Integer upscaling with bilinear interpolation on pixel centres: OpenCV's `INTER_LINEAR`
//! (which steinbock uses) for floating-point input. Output pixel `i` samples source position
//! `(i + 0.5) / f - 0.5`, clamped to the first and last source pixel.
//!
//! Hand-written: a separable pass with weights computed once per axis; `fast_image_resize` would
//! need its pixel-centre convention checked against OpenCV, and this is already memory-bound.

use std::ops::Range;

use ndarray::{Array2, ArrayView2};

/// Source indices and the weight of the second one, for each output position.
fn taps(n_in: usize, scale: usize) -> Vec<(usize, usize, f32)> {
    let f = scale as f64;
    (0..n_in * scale)
        .map(|i| {
            let src = (i as f64 + 0.5) / f - 0.5;
            if src <= 0.0 {
                return (0, 0, 0.0);
            }
            let i0 = src.floor() as usize;
            if i0 + 1 >= n_in {
                return (n_in - 1, n_in - 1, 0.0);
            }
            (i0, i0 + 1, (src - i0 as f64) as f32)
        })
        .collect()
}

/// Upscales one channel by the integer factor `scale` (1 returns a copy).
pub fn upscale_bilinear(channel: ArrayView2<f32>, scale: usize) -> Array2<f32> {
    let h = channel.nrows();
    upscale_rows(channel, 0, h, scale, 0..h * scale.max(1))
}

/// The source rows output rows `out` of a `height`-row channel upscaled by `scale` interpolate.
pub fn source_rows(out: Range<usize>, height: usize, scale: usize) -> Range<usize> {
    if scale <= 1 || out.is_empty() {
        return out;
    }
    let ys = taps(height, scale);
    let first = ys[out.start].0;
    let last = ys[out.start..out.end]
        .iter()
        .map(|&(a, b, _)| a.max(b))
        .max()
        .unwrap_or(first);
    first..last + 1
}

/// Output rows `out` of [`upscale_bilinear`] of a `height`-row channel, from `rows`: its source
/// rows `first..first + rows.nrows()`, which must include [`source_rows`] of `out`. The same
/// arithmetic as the whole channel, so equal to the same rows of it bit for bit.
///
/// # Panics
/// If `rows` does not hold the source rows `out` needs.
pub fn upscale_rows(
    rows: ArrayView2<f32>,
    first: usize,
    height: usize,
    scale: usize,
    out: Range<usize>,
) -> Array2<f32> {
    let (n, w) = rows.dim();
    if scale <= 1 {
        return rows
            .slice(ndarray::s![out.start - first..out.end - first, ..])
            .to_owned();
    }
    if height == 0 || w == 0 {
        return Array2::zeros((out.len(), w * scale));
    }
    let xs = taps(w, scale);
    let ys = taps(height, scale);
    // Horizontal pass: (n, w * scale).
    let mut wide = Array2::<f32>::zeros((n, w * scale));
    for (src, mut dst) in rows.outer_iter().zip(wide.outer_iter_mut()) {
        for (d, &(a, b, t)) in dst.iter_mut().zip(&xs) {
            *d = src[a] * (1.0 - t) + src[b] * t;
        }
    }
    // Vertical pass: rows combined as wholes, which vectorises.
    let mut result = Array2::<f32>::zeros((out.len(), w * scale));
    for (mut dst, &(a, b, t)) in result.outer_iter_mut().zip(&ys[out]) {
        let ra = wide.row(a - first);
        let rb = wide.row(b - first);
        ndarray::Zip::from(&mut dst)
            .and(&ra)
            .and(&rb)
            .for_each(|d, &p, &q| *d = p * (1.0 - t) + q * t);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_follow_pixel_centres() {
        // 2x: outputs 0..4 of 2 inputs sample -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        let t = taps(2, 2);
        assert_eq!(t[0], (0, 0, 0.0));
        assert_eq!((t[1].0, t[1].1), (0, 1));
        assert!((t[1].2 - 0.25).abs() < 1e-7);
        assert!((t[2].2 - 0.75).abs() < 1e-7);
        assert_eq!(t[3], (1, 1, 0.0));
    }
}
