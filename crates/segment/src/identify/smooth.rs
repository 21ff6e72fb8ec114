//! The smoothing CellProfiler applies, in the precision scipy computes it.
//!
//! - [`gaussian_filter`]: `scipy.ndimage.gaussian_filter` (truncate 4, axis 0 then axis 1,
//!   each pass summed as scipy's symmetric `correlate1d` pairs it). scipy sums in `f64` but
//!   writes each pass into an array of the input's type, so a float32 image (every image
//!   CellProfiler hands a module) is rounded to `f32` after each pass: [`gaussian_filter_f32`].
//! - [`smooth_with_mask`]: centrosome `smooth.smooth_with_function_and_mask` with a Gaussian
//!   in `constant` mode: the Smooth module and the thresholds' smoothing (edge pixels are
//!   divided by the kernel weight that fell inside the image).
//! - [`declump_smooth`]: IdentifyPrimaryObjects' `smooth_image`, the 2-SD kernel used before
//!   looking for intensity maxima.
//!
//! Hand-written: the workspace's filter crate works in `f32` with ilastik's border handling,
//! and the thresholds compare against these values, so the mode and precision must be scipy's.

use ndarray::{Array2, Axis};

use super::numpy_sum::pairwise_sum;

/// How values beyond the border are read (scipy's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// Zero outside (`mode="constant", cval=0`).
    Zero,
    /// Half-sample mirror, `d c b a | a b c d` (`mode="reflect"`).
    Reflect,
}

/// scipy's `_gaussian_kernel1d` for order 0: radius `int(4 * sigma + 0.5)`, normalised.
pub(crate) fn gaussian_kernel(sigma: f64) -> Vec<f64> {
    let radius = (4.0 * sigma + 0.5) as i64;
    let s2 = sigma * sigma;
    let w: Vec<f64> = (-radius..=radius)
        .map(|x| (-0.5 / s2 * (x * x) as f64).exp())
        .collect();
    let sum = pairwise_sum(&w);
    w.into_iter().map(|v| v / sum).collect()
}

/// `scipy.ndimage.gaussian_filter(image, sigma, mode=border)` for a 2-D `f64` image.
#[must_use]
pub fn gaussian_filter(image: &Array2<f64>, sigma: f64, border: Border) -> Array2<f64> {
    if sigma <= 1e-15 {
        return image.clone();
    }
    let kernel = gaussian_kernel(sigma);
    let rows = correlate_axis(image, &kernel, Axis(0), border);
    correlate_axis(&rows, &kernel, Axis(1), border)
}

/// [`gaussian_filter`] of a float32 image as scipy runs it: each pass rounded to `f32`.
#[must_use]
pub fn gaussian_filter_f32(image: &Array2<f32>, sigma: f64, border: Border) -> Array2<f32> {
    gaussian_filter_yx_f32(image, [sigma, sigma], border)
}

/// [`gaussian_filter_f32`] with per-axis sigmas (skimage's anti-aliasing before a resize);
/// scipy skips an axis whose sigma is not above `1e-15`.
#[must_use]
pub fn gaussian_filter_yx_f32(image: &Array2<f32>, sigma: [f64; 2], border: Border) -> Array2<f32> {
    let mut out = image.clone();
    for (axis, s) in sigma.into_iter().enumerate() {
        if s > 1e-15 {
            out = correlate_axis_f32(&out, &gaussian_kernel(s), Axis(axis), border);
        }
    }
    out
}

/// One `correlate1d` pass over a float32 image as scipy runs it: summed in `f64`, written
/// into a float32 array.
fn correlate_axis_f32(
    image: &Array2<f32>,
    kernel: &[f64],
    axis: Axis,
    border: Border,
) -> Array2<f32> {
    to_f32(&correlate_axis(
        &image.mapv(f64::from),
        kernel,
        axis,
        border,
    ))
}

/// numpy's `astype(float32)`: round to nearest.
pub(crate) fn to_f32(image: &Array2<f64>) -> Array2<f32> {
    image.mapv(|v| v as f32)
}

/// One pass of scipy's `correlate1d` with a symmetric kernel: the centre tap, then the pairs
/// `(x[i-k] + x[i+k]) * w[k]` from the outermost inwards.
fn correlate_axis(image: &Array2<f64>, kernel: &[f64], axis: Axis, border: Border) -> Array2<f64> {
    if axis == Axis(0) {
        return correlate_rows(image, kernel, border);
    }
    let r = kernel.len() / 2;
    let mut out = Array2::<f64>::zeros(image.raw_dim());
    let n = image.len_of(axis);
    let mut line = vec![0.0; n + 2 * r];
    for (src, mut dst) in image.lanes(axis).into_iter().zip(out.lanes_mut(axis)) {
        for (slot, &v) in line[r..r + n].iter_mut().zip(src.iter()) {
            *slot = v;
        }
        for k in (0..r).chain(r + n..n + 2 * r) {
            line[k] = fetch(&src, k as i64 - r as i64, n, border);
        }
        for (i, o) in dst.iter_mut().enumerate() {
            let c = i + r;
            let mut acc = line[c] * kernel[r];
            for k in (1..=r).rev() {
                acc += (line[c - k] + line[c + k]) * kernel[r - k];
            }
            *o = acc;
        }
    }
    out
}

/// [`correlate_axis`] along axis 0 computed a whole row at a time (contiguous memory), each
/// pixel summed in the same order.
fn correlate_rows(image: &Array2<f64>, kernel: &[f64], border: Border) -> Array2<f64> {
    if !image.is_standard_layout() {
        return correlate_rows(&image.as_standard_layout().into_owned(), kernel, border);
    }
    let (h, w) = image.dim();
    let r = kernel.len() / 2;
    let zero = vec![0.0; w];
    let row = |y: i64| -> &[f64] {
        match source_index(y, h, border) {
            Some(k) => image.row(k).to_slice().unwrap_or(&zero),
            None => &zero,
        }
    };
    let mut out = vec![0.0f64; h * w];
    for (y, dst) in out.chunks_exact_mut(w.max(1)).enumerate() {
        let centre = row(y as i64);
        for (o, &c) in dst.iter_mut().zip(centre) {
            *o = c * kernel[r];
        }
        for k in (1..=r).rev() {
            let (up, down) = (row(y as i64 - k as i64), row(y as i64 + k as i64));
            let wk = kernel[r - k];
            for ((o, &a), &b) in dst.iter_mut().zip(up).zip(down) {
                *o += (a + b) * wk;
            }
        }
    }
    Array2::from_shape_vec((h, w), out).expect("h * w values")
}

/// The in-image index that `i` reads under `border`, `None` for a zero.
fn source_index(i: i64, n: usize, border: Border) -> Option<usize> {
    let n = n as i64;
    if (0..n).contains(&i) {
        return Some(i as usize);
    }
    match border {
        Border::Zero => None,
        Border::Reflect => {
            let period = 2 * n;
            let m = i.rem_euclid(period);
            Some((if m >= n { period - 1 - m } else { m }) as usize)
        }
    }
}

fn fetch(line: &ndarray::ArrayView1<f64>, i: i64, n: usize, border: Border) -> f64 {
    source_index(i, n, border).map_or(0.0, |k| line[k])
}

/// centrosome `smooth_with_function_and_mask` with `gaussian_filter(x, sigma,
/// mode="constant")` and an all-true mask on a float32 image: `G(image) / (G(ones) + eps)`,
/// the first filter in float32 (the image's type), the second and the quotient in `f64`.
#[must_use]
pub fn smooth_with_mask(image: &Array2<f32>, sigma: f64) -> Array2<f64> {
    if sigma <= 1e-15 {
        return image.mapv(|v| f64::from(v) / (1.0 + f64::EPSILON));
    }
    let bleed = filtered_ones(image.dim(), &gaussian_kernel(sigma));
    let smoothed = gaussian_filter_f32(image, sigma, Border::Zero).mapv(f64::from);
    smoothed / (bleed + f64::EPSILON)
}

/// The separable filter of an image of ones with zeros outside, bit for bit as the two passes
/// compute it: the first pass gives every column the same values, so it runs on one column.
fn filtered_ones((h, w): (usize, usize), kernel: &[f64]) -> Array2<f64> {
    let column = correlate_axis(&Array2::ones((h, 1)), kernel, Axis(0), Border::Zero);
    let rows = Array2::from_shape_fn((h, w), |(y, _)| column[[y, 0]]);
    correlate_axis(&rows, kernel, Axis(1), Border::Zero)
}

/// The Smooth module's Gaussian: `sigma = artifact diameter / 2.35`; its output is stored
/// as a CellProfiler image, so float32. (Its "clip to 0 and 1" applies only to the
/// polynomial fit, not to the Gaussian.)
#[must_use]
pub fn smooth_module(image: &Array2<f32>, artifact_diameter: f64) -> Array2<f32> {
    to_f32(&smooth_with_mask(image, artifact_diameter / 2.35))
}

/// IdentifyPrimaryObjects `smooth_image`: an unnormalised Gaussian of `sigma = size / 2.35`
/// cut at `max(int(size / 2), 1)` taps each side, divided by the same filter of ones.
#[must_use]
pub fn declump_smooth(image: &Array2<f32>, filter_size: f64) -> Array2<f32> {
    if filter_size == 0.0 {
        return image.clone();
    }
    let sigma = filter_size / 2.35;
    let half = ((filter_size / 2.0) as i64).max(1);
    let kernel: Vec<f64> = (-half..=half)
        .map(|x| {
            1.0 / (2.0 * std::f64::consts::PI).sqrt() / sigma
                * (-0.5 * (x * x) as f64 / (sigma * sigma)).exp()
        })
        .collect();
    // `convolve1d` of the float32 image writes float32 after each pass.
    let rows = correlate_axis_f32(image, &kernel, Axis(0), Border::Zero);
    let both = correlate_axis_f32(&rows, &kernel, Axis(1), Border::Zero);
    let edge = filtered_ones(image.dim(), &kernel);
    // The quotient is stored back into the float32 copy of the image.
    to_f32(&(both.mapv(f64::from) / edge))
}
