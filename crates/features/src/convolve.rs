//! Separable f32 correlation with mirror borders (scipy `mode="mirror"`: the edge pixel is not
//! repeated; reflected again when the kernel is longer than the line).
//!
//! Hand-written (CRATES.md: faster than scipy; `ndarray-ndimage` has the opposite derivative
//! sign and panics when the kernel is wider than the image). Loops put the pixel index innermost
//! so the compiler vectorises them; every output sums its taps in the same order wherever it
//! lies, so a tile computes bit-identical values to the whole image.

use std::ops::Range;

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use crate::scratch::{overwritten, recycle};

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

/// Outputs per step of [`correlate`]: 64 f32 (32 f64) sums in registers while every tap is
/// added, so four AVX-512 (eight AVX2) vector additions are in flight at once: with 32 the
/// loop waited on the latency of its two dependent chains.
const LANES: usize = 64;
const LANES64: usize = 32;
/// Outputs per step after the wide steps: one AVX2 vector.
const NARROW: usize = 8;
const NARROW64: usize = 4;

/// `out[i] = 0 + k[0] * src[starts[0] + i0 + i] + ...` for the `L` outputs of `out`, from
/// position `i0` of every tap's line (the caller checked that the lines lie in `src`).
#[inline(always)]
fn correlate_step<T, const L: usize>(out: &mut [T], k: &[T], src: &[T], starts: &[usize], i0: usize)
where
    T: Copy + Default + std::ops::Add<Output = T> + std::ops::Mul<Output = T>,
{
    let mut acc = [T::default(); L];
    for (&kj, &s) in k.iter().zip(starts) {
        let line: &[T; L] = src[s + i0..s + i0 + L]
            .try_into()
            .unwrap_or_else(|_| unreachable!("the range holds L values"));
        for (a, &v) in acc.iter_mut().zip(line) {
            *a = *a + kj * v;
        }
    }
    out.copy_from_slice(&acc);
}

/// The inner loop of every pass, as a macro for f32 and f64:
/// `dst[i] = 0 + k[0] * src[starts[0] + i] + k[1] * src[starts[1] + i] + ...`, added left to
/// right. These are the operations, in the same order, of zeroing `dst` and adding one tap
/// after the other (`dst += k[j] * line j`, what the passes did before), so the results are
/// the same bits; but each output is loaded and stored once instead of once per tap (measured
/// 12% of a `predict` profile in the per-tap loop, plus the zeroing). Separate multiply and
/// add (Rust never contracts them to FMA), so every instruction set gives the same bits;
/// compiled for AVX-512, AVX2 and AVX as well as the baseline and picked at run time.
///
/// # Panics
/// When `k` and `starts` differ in length or a tap's line `src[start..start + dst.len()]`
/// lies outside `src`.
macro_rules! correlate_fn {
    ($name:ident, $t:ty, $wide:expr, $narrow:expr) => {
        #[multiversion::multiversion(targets(
            "x86_64+avx512f+avx2+avx",
            "x86_64+avx2+avx",
            "x86_64+avx"
        ))]
        fn $name(dst: &mut [$t], k: &[$t], src: &[$t], starts: &[usize]) {
            let n = dst.len();
            assert!(
                k.len() == starts.len() && starts.iter().all(|&s| s + n <= src.len()),
                "every tap's line lies in the source"
            );
            let mut i0 = 0;
            while i0 + $wide <= n {
                correlate_step::<$t, { $wide }>(&mut dst[i0..i0 + $wide], k, src, starts, i0);
                i0 += $wide;
            }
            while i0 + $narrow <= n {
                correlate_step::<$t, { $narrow }>(&mut dst[i0..i0 + $narrow], k, src, starts, i0);
                i0 += $narrow;
            }
            if i0 < n && n >= $narrow {
                // The last few outputs as one more narrow step that ends at `n`: the outputs
                // it shares with the previous step get the same bits again. One at a time
                // they cost 10-20% of the f32 loop (a tile's lines are 256 + 2 x halo long).
                let i = n - $narrow;
                correlate_step::<$t, { $narrow }>(&mut dst[i..n], k, src, starts, i);
            } else {
                for i in i0..n {
                    correlate_step::<$t, 1>(&mut dst[i..i + 1], k, src, starts, i);
                }
            }
        }
    };
}

correlate_fn!(correlate, f32, LANES, NARROW);
correlate_fn!(correlate64, f64, LANES64, NARROW64);

/// Copies `line` into the middle of `padded` (converted to `T`) and mirrors `r` pixels on
/// each side (the index arithmetic only runs for the border pixels).
fn fill_padded<T: Copy + From<f32>>(padded: &mut [T], line: ndarray::ArrayView1<f32>, r: usize) {
    let w = line.len();
    let middle = &mut padded[r..r + w];
    match line.as_slice() {
        Some(sl) => middle
            .iter_mut()
            .zip(sl)
            .for_each(|(p, &v)| *p = T::from(v)),
        None => middle
            .iter_mut()
            .zip(line.iter())
            .for_each(|(p, &v)| *p = T::from(v)),
    }
    for i in 0..r {
        padded[i] = T::from(line[mirror(i as isize - r as isize, w)]);
        padded[r + w + i] = T::from(line[mirror((w + i) as isize, w)]);
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
    let mut out = overwritten::<f32>(h, xs.len());
    let mut padded = vec![0f32; w + 2 * r];
    let starts: Vec<usize> = (0..k.len()).map(|j| xs.start + j).collect();
    for (y, mut dst) in out.outer_iter_mut().enumerate() {
        fill_padded(&mut padded, src.row(y), r);
        let dst = dst.as_slice_mut().expect("fresh arrays are contiguous");
        correlate(dst, k, &padded, &starts);
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
    let mut out = overwritten::<f32>(ys.len(), w);
    let mut starts = vec![0; k.len()];
    for (y, mut dst) in ys.zip(out.outer_iter_mut()) {
        let dst = dst.as_slice_mut().expect("fresh arrays are contiguous");
        for (j, s) in starts.iter_mut().enumerate() {
            *s = mirror(y as isize + j as isize - r as isize, h) * w;
        }
        correlate(dst, k, data, &starts);
    }
    out
}

/// [`cols`] of `src` at rows `oy..oy + out.nrows()` only (mirrored at the top and bottom of
/// `src`), written into `out`: a feature's last pass writes its output plane directly.
pub fn cols_into(src: ArrayView2<f32>, k: &[f32], oy: usize, out: &mut ArrayViewMut2<f32>) {
    let (h, w) = src.dim();
    assert_eq!(
        out.ncols(),
        w,
        "the output rows are as wide as the source's"
    );
    let r = k.len() / 2;
    let src = src.as_standard_layout();
    let data = src.as_slice().expect("standard layout is contiguous");
    let mut starts = vec![0; k.len()];
    let mut line = Vec::new();
    for (y, mut dst) in out.outer_iter_mut().enumerate() {
        for (j, s) in starts.iter_mut().enumerate() {
            *s = mirror((oy + y) as isize + j as isize - r as isize, h) * w;
        }
        match dst.as_slice_mut() {
            Some(dst) => correlate(dst, k, data, &starts),
            None => {
                line.resize(w, 0.0);
                correlate(&mut line, k, data, &starts);
                dst.iter_mut().zip(&line).for_each(|(d, &v)| *d = v);
            }
        }
    }
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
    let (kx, ky): (Vec<f64>, Vec<f64>) = (
        kx.iter().map(|&v| f64::from(v)).collect(),
        ky.iter().map(|&v| f64::from(v)).collect(),
    );
    let mut tmp = overwritten::<f64>(h, w);
    let mut padded = vec![0f64; w + 2 * rx];
    let starts: Vec<usize> = (0..kx.len()).collect();
    for (y, mut dst) in tmp.outer_iter_mut().enumerate() {
        fill_padded(&mut padded, src.row(y), rx);
        let dst = dst.as_slice_mut().expect("fresh arrays are contiguous");
        correlate64(dst, &kx, &padded, &starts);
    }
    let data = tmp.as_slice().expect("fresh arrays are contiguous");
    let mut out = overwritten::<f64>(h, w);
    let mut starts = vec![0; ky.len()];
    for (y, mut dst) in out.outer_iter_mut().enumerate() {
        let dst = dst.as_slice_mut().expect("fresh arrays are contiguous");
        for (j, s) in starts.iter_mut().enumerate() {
            *s = mirror(y as isize + j as isize - ry as isize, h) * w;
        }
        correlate64(dst, &ky, data, &starts);
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

    /// The register-blocked sums are the bits of zeroing the output and adding one tap at a
    /// time (the passes' previous loop, which the whole-image / tile equality was built on), at
    /// lengths that end in each of the wide, narrow and single-value steps, and with signed
    /// zeros (`0 + -0.0` is `+0.0`, not `-0.0`).
    #[test]
    fn correlate_gives_the_bits_of_tap_by_tap_sums() {
        let k = [0.1f32, -0.25, 0.4, 1e-3, -0.2];
        for n in [1, 3, 8, 13, 64, 71, 137, 260] {
            let src: Vec<f32> = (0..n + k.len() * 3)
                .map(|i| match i % 17 {
                    0 => -0.0,
                    1 => 0.0,
                    m => ((i * 7919) % 1000) as f32 * 0.013 - 6.0 + m as f32 * 1e-4,
                })
                .collect();
            let starts: Vec<usize> = (0..k.len()).map(|j| (j * 3) % (k.len() * 3)).collect();
            let mut want = vec![0f32; n];
            for (&kj, &s) in k.iter().zip(&starts) {
                for (i, w) in want.iter_mut().enumerate() {
                    *w += kj * src[s + i];
                }
            }
            let mut got = vec![f32::NAN; n];
            correlate(&mut got, &k, &src, &starts);
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want), "length {n}");
            let k64: Vec<f64> = k.iter().map(|&v| f64::from(v)).collect();
            let src64: Vec<f64> = src.iter().map(|&v| f64::from(v)).collect();
            let mut want = vec![0f64; n];
            for (&kj, &s) in k64.iter().zip(&starts) {
                for (i, w) in want.iter_mut().enumerate() {
                    *w += kj * src64[s + i];
                }
            }
            let mut got = vec![f64::NAN; n];
            correlate64(&mut got, &k64, &src64, &starts);
            assert_eq!(
                got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                "f64, length {n}"
            );
        }
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
