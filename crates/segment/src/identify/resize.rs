//! Resizing as the two reference pipelines do it.
//!
//! - [`resize_bilinear`]: CellProfiler's Resize module, "by a factor", bilinear:
//!   `skimage.transform.resize(image, round(shape * factor), order=1, mode="symmetric")`, which
//!   first blurs a shrinking image with `sigma = max(0, (in / out - 1) / 2)` (`mode="reflect"`)
//!   and then samples the pixel-centre mapping `src = (out + 0.5) * in / out - 0.5`.
//! - [`resize_labels`]: CellProfiler's ResizeObjects "by factor":
//!   `scipy.ndimage.zoom(labels, factor, order=0, mode="nearest")` (corner-aligned grid:
//!   `src = out * (in - 1) / (out - 1)`, nearest = `floor(src + 0.5)`).

use ndarray::{Array2, Array3, Axis};

use super::smooth::{gaussian_filter_yx_f32, Border};

/// numpy/Python `round`: half to even.
fn round_half_even(v: f64) -> f64 {
    let r = v.round();
    if (v - v.trunc()).abs() == 0.5 {
        2.0 * (v / 2.0).round()
    } else {
        r
    }
}

/// The output length for `len * factor` (at least 1).
#[must_use]
pub fn resized_len(len: usize, factor: f64) -> usize {
    (round_half_even(len as f64 * factor) as usize).max(1)
}

/// CellProfiler's bilinear Resize of one float32 plane by `factor`: the anti-aliasing
/// Gaussian rounds each pass to float32 (scipy on a float32 image), the interpolation runs in
/// `f64` and is stored as float32 (scikit-image's `warp` output, then CellProfiler's image).
#[must_use]
pub fn resize_bilinear(image: &Array2<f32>, factor: f64) -> Array2<f32> {
    let (h, w) = image.dim();
    let (oh, ow) = (resized_len(h, factor), resized_len(w, factor));
    let (fy, fx) = (h as f64 / oh as f64, w as f64 / ow as f64);
    let blurred = if oh < h || ow < w {
        let sigma = [((fy - 1.0) / 2.0).max(0.0), ((fx - 1.0) / 2.0).max(0.0)];
        gaussian_filter_yx_f32(image, sigma, Border::Reflect)
    } else {
        image.clone()
    };
    let sym = |i: i64, n: usize| -> usize {
        let n = n as i64;
        let period = 2 * n;
        let m = i.rem_euclid(period);
        (if m >= n { period - 1 - m } else { m }) as usize
    };
    Array2::from_shape_fn((oh, ow), |(r, c)| {
        let sr = fy * (r as f64 + 0.5) - 0.5;
        let sc = fx * (c as f64 + 0.5) - 0.5;
        let (r0, c0) = (sr.floor(), sc.floor());
        let (dr, dc) = (sr - r0, sc - c0);
        let (r0, c0) = (r0 as i64, c0 as i64);
        let (r1, c1) = (sr.ceil() as i64, sc.ceil() as i64);
        let px = |rr: i64, cc: i64| f64::from(blurred[[sym(rr, h), sym(cc, w)]]);
        let top = (1.0 - dc) * px(r0, c0) + dc * px(r0, c1);
        let bottom = (1.0 - dc) * px(r1, c0) + dc * px(r1, c1);
        ((1.0 - dr) * top + dr * bottom) as f32
    })
}

/// [`resize_bilinear`] of every plane of a `(c, y, x)` stack (Resize on a colour image).
#[must_use]
pub fn resize_stack(stack: &Array3<f32>, factor: f64) -> Array3<f32> {
    let (c, h, w) = stack.dim();
    let mut out = Array3::zeros((c, resized_len(h, factor), resized_len(w, factor)));
    for (plane, mut dst) in stack.axis_iter(Axis(0)).zip(out.axis_iter_mut(Axis(0))) {
        dst.assign(&resize_bilinear(&plane.to_owned(), factor));
    }
    out
}

/// CellProfiler's ResizeObjects by `factor` (nearest neighbour on scipy's zoom grid).
#[must_use]
pub fn resize_labels(labels: &Array2<i32>, factor: f64) -> Array2<i32> {
    let (h, w) = labels.dim();
    let (oh, ow) = (resized_len(h, factor), resized_len(w, factor));
    let grid = |n: usize, o: usize| -> Vec<usize> {
        let zoom = if o > 1 {
            (n as f64 - 1.0) / (o as f64 - 1.0)
        } else {
            1.0
        };
        (0..o)
            .map(|k| ((k as f64 * zoom + 0.5).floor() as usize).min(n - 1))
            .collect()
    };
    let (ys, xs) = (grid(h, oh), grid(w, ow));
    Array2::from_shape_fn((oh, ow), |(r, c)| labels[[ys[r], xs[c]]])
}
