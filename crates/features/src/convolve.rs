//! Separable f32 correlation with mirror borders (scipy `mode="mirror"`: the edge pixel is not
//! repeated; reflected again when the kernel is longer than the line).
//!
//! Hand-written (CRATES.md: faster than scipy; `ndarray-ndimage` has the opposite derivative
//! sign and panics when the kernel is wider than the image). Loops put the pixel index innermost
//! so the compiler vectorises them; every output sums its taps in the same order wherever it
//! lies, so a tile computes bit-identical values to the whole image.

use std::ops::Range;

use ndarray::{Array2, ArrayView2};

use crate::scratch::{recycle, zeros};

/// Mirror index into a line of `n` pixels.
pub fn mirror(i: isize, n: usize) -> usize {
    if n == 1 {
        return 0;
    }
    let period = 2 * (n as isize - 1);
    let mut j = i.rem_euclid(period);
    if j >= n as isize {
        j = period - j;
    }
    j as usize
}

/// `dst += k * src`, the inner loop of every pass. Compiled for AVX2 as well as the baseline
/// and picked at run time (`multiversion`; CRATES.md measured 1.7x on this loop). Separate
/// multiply and add (no FMA contraction), so every path gives bit-identical results.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+avx"))]
fn axpy(dst: &mut [f32], k: f32, src: &[f32]) {
    for (d, &p) in dst.iter_mut().zip(src) {
        *d += k * p;
    }
}

/// [`axpy`] in f64.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+avx"))]
fn axpy64(dst: &mut [f64], k: f64, src: &[f64]) {
    for (d, &p) in dst.iter_mut().zip(src) {
        *d += k * p;
    }
}

/// Copies `line` into the middle of `padded` and mirrors `r` pixels on each side (the index
/// arithmetic only runs for the border pixels).
fn fill_padded(padded: &mut [f32], line: ndarray::ArrayView1<f32>, r: usize) {
    let w = line.len();
    match line.as_slice() {
        Some(sl) => padded[r..r + w].copy_from_slice(sl),
        None => padded[r..r + w]
            .iter_mut()
            .zip(line.iter())
            .for_each(|(p, &v)| *p = v),
    }
    for i in 0..r {
        padded[i] = line[mirror(i as isize - r as isize, w)];
        padded[r + w + i] = line[mirror((w + i) as isize, w)];
    }
}

/// Correlates every row with `k` (2r + 1 taps).
pub fn rows(src: ArrayView2<f32>, k: &[f32]) -> Array2<f32> {
    rows_range(src, k, 0..src.dim().1)
}

/// [`rows`], output columns `xs` only (every row still mirrored at its own ends): the same
/// values as those columns of [`rows`], without computing the others.
pub fn rows_range(src: ArrayView2<f32>, k: &[f32], xs: Range<usize>) -> Array2<f32> {
    let (h, w) = src.dim();
    let r = k.len() / 2;
    let n = xs.len();
    let mut out = zeros::<f32>(h, n);
    let mut padded = vec![0f32; w + 2 * r];
    for (y, mut dst) in out.outer_iter_mut().enumerate() {
        fill_padded(&mut padded, src.row(y), r);
        let dst = dst.as_slice_mut().expect("fresh arrays are contiguous");
        for (j, &kj) in k.iter().enumerate() {
            axpy(dst, kj, &padded[xs.start + j..xs.start + j + n]);
        }
    }
    out
}

/// Correlates every column with `k` (2r + 1 taps): output rows are weighted sums of input rows.
pub fn cols(src: ArrayView2<f32>, k: &[f32]) -> Array2<f32> {
    cols_range(src, k, 0..src.dim().0)
}

/// [`cols`], output rows `ys` only (columns still mirrored at the top and bottom of `src`).
pub fn cols_range(src: ArrayView2<f32>, k: &[f32], ys: Range<usize>) -> Array2<f32> {
    let (h, w) = src.dim();
    let r = k.len() / 2;
    let src = src.as_standard_layout();
    let data = src.as_slice().expect("standard layout is contiguous");
    let mut out = zeros::<f32>(ys.len(), w);
    for (y, mut dst) in ys.zip(out.outer_iter_mut()) {
        let dst = dst.as_slice_mut().expect("fresh arrays are contiguous");
        for (j, &kj) in k.iter().enumerate() {
            let yy = mirror(y as isize + j as isize - r as isize, h);
            axpy(dst, kj, &data[yy * w..(yy + 1) * w]);
        }
    }
    out
}

/// Separable smoothing / derivative: rows with `kx`, then columns with `ky`.
pub fn separable(src: ArrayView2<f32>, kx: &[f32], ky: &[f32]) -> Array2<f32> {
    let r = rows(src, kx);
    let out = cols(r.view(), ky);
    recycle([r]);
    out
}

/// [`separable`] with f64 accumulation and output: for differences of nearly equal smoothings
/// (DoG at large sigma), where f32 intermediates would lose the result in rounding.
pub fn separable_f64(src: ArrayView2<f32>, kx: &[f32], ky: &[f32]) -> Array2<f64> {
    let (h, w) = src.dim();
    let (rx, ry) = (kx.len() / 2, ky.len() / 2);
    let mut tmp = zeros::<f64>(h, w);
    let mut padded = vec![0f64; w + 2 * rx];
    for (y, mut dst) in tmp.outer_iter_mut().enumerate() {
        let line = src.row(y);
        for (i, p) in padded.iter_mut().enumerate() {
            let j = i as isize - rx as isize;
            let k = if j >= 0 && (j as usize) < w {
                j as usize
            } else {
                mirror(j, w)
            };
            *p = f64::from(line[k]);
        }
        let dst = dst.as_slice_mut().expect("fresh arrays are contiguous");
        for (j, &kj) in kx.iter().enumerate() {
            axpy64(dst, f64::from(kj), &padded[j..j + w]);
        }
    }
    let data = tmp.as_slice().expect("fresh arrays are contiguous");
    let mut out = zeros::<f64>(h, w);
    for (y, mut dst) in out.outer_iter_mut().enumerate() {
        let dst = dst.as_slice_mut().expect("fresh arrays are contiguous");
        for (j, &kj) in ky.iter().enumerate() {
            let yy = mirror(y as isize + j as isize - ry as isize, h);
            axpy64(dst, f64::from(kj), &data[yy * w..(yy + 1) * w]);
        }
    }
    recycle([tmp]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_reflects_repeatedly() {
        let got: Vec<usize> = (-5..9).map(|i| mirror(i, 4)).collect();
        assert_eq!(got, [1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2]);
        assert_eq!(mirror(-3, 1), 0);
    }

    /// The ranged passes are the same numbers as the whole passes' rows / columns.
    #[test]
    fn ranged_passes_equal_slices_of_whole_passes() {
        let src = Array2::from_shape_fn((9, 11), |(y, x)| ((y * 7 + x * 3) % 10) as f32 * 0.37);
        let k = [0.1f32, 0.2, 0.4, 0.2, 0.1];
        let whole = rows(src.view(), &k);
        let part = rows_range(src.view(), &k, 3..8);
        assert_eq!(part, whole.slice(ndarray::s![.., 3..8]));
        let whole = cols(src.view(), &k);
        let part = cols_range(src.view(), &k, 1..4);
        assert_eq!(part, whole.slice(ndarray::s![1..4, ..]));
    }
}
