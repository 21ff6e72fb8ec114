//! The filter bank of one input channel at one scale, computed as ilastik computes it: a
//! pre-smoothing shared by all families, then each filter on the pre-smoothed image.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Zip};

use crate::convolve::{cols_into, cols_range, rows_range, separable, separable_f64};
use crate::kernels::gaussian_kernel;
use crate::scratch::{overwritten, recycle};
use crate::selection::{
    split_scale, Family, StructureTensorScales, FILTER_WINDOW, PRESMOOTH_WINDOW,
};
use crate::Region;

/// Descending eigenvalues of the symmetric 2x2 matrices [[a, b], [b, c]], per pixel, into
/// `e0` (larger) and `e1`.
fn eigenvalues_into(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    c: ArrayView2<f32>,
    e0: &mut ArrayViewMut2<f32>,
    e1: &mut ArrayViewMut2<f32>,
) {
    Zip::from(e0)
        .and(e1)
        .and(a)
        .and(b)
        .and(c)
        .for_each(|e0, e1, &a, &b, &c| {
            let m = 0.5 * (a + c);
            let d = (0.25 * (a - c) * (a - c) + b * b).sqrt();
            *e0 = m + d;
            *e1 = m - d;
        });
}

/// `f(a, b)` per pixel, into a pooled plane.
fn combine<A: Copy, B: Copy>(a: &Array2<A>, b: &Array2<B>, f: impl Fn(A, B) -> f32) -> Array2<f32> {
    let (h, w) = a.dim();
    let mut out = overwritten::<f32>(h, w);
    combine_into(a.view(), b.view(), &mut out.view_mut(), f);
    out
}

/// `f(a, b)` per pixel, into `out`.
fn combine_into<A: Copy, B: Copy>(
    a: ArrayView2<A>,
    b: ArrayView2<B>,
    out: &mut ArrayViewMut2<f32>,
    f: impl Fn(A, B) -> f32,
) {
    Zip::from(out)
        .and(a)
        .and(b)
        .for_each(|o, &a, &b| *o = f(a, b));
}

/// The outputs of `families` for one channel at scale `sigma`, written into `out`: each family
/// [`Family::channels`] planes, in the order of `families`, each plane of `keep`'s size.
///
/// Only the maps' pixels in `keep` (a rectangle of `channel`) are wanted, and the filters after
/// the pre-smoothing reach `context` pixels ([`FeatureSelection::filter_halo`]): the
/// pre-smoothing is computed on `keep` plus `context` only (clipped to `channel`), not on the
/// whole window it reads (the window also holds the pre-smoothing's own, much wider, halo:
/// 35 pixels at sigma 10 against 4). Inside `keep` the values are the same bits as filtering
/// the whole pre-smoothed window: pixels further than `context` from `keep` never reach it,
/// and where the window ends at the image's edge the crop ends there too, mirrored alike.
/// The row passes of the Gaussian derivatives keep `keep`'s columns only (a column pass
/// reads its own column), and each family's last step writes `keep` into its output plane:
/// computed on the whole crop and copied, those planes were a tenth of a `predict` profile.
///
/// # Panics
/// When `out` holds fewer planes than the families have channels.
///
/// [`FeatureSelection::filter_halo`]: crate::FeatureSelection::filter_halo
pub fn filter_bank(
    channel: ArrayView2<f32>,
    sigma: f64,
    families: &[Family],
    structure_tensor: StructureTensorScales,
    keep: Region,
    context: usize,
    out: &mut [ArrayViewMut2<f32>],
) {
    let (pre, s) = split_scale(sigma);
    let kp = gaussian_kernel(pre, 0, PRESMOOTH_WINDOW);
    let (wh, ww) = channel.dim();
    let ys = keep.y.saturating_sub(context)..(keep.y + keep.h + context).min(wh);
    let xs = keep.x.saturating_sub(context)..(keep.x + keep.w + context).min(ww);
    let (oy, ox) = (keep.y - ys.start, keep.x - xs.start);
    let p = cols_range(rows_range(channel, &kp, xs).view(), &kp, ys);
    let window = s![oy..oy + keep.h, ox..ox + keep.w];
    let k0 = gaussian_kernel(s, 0, FILTER_WINDOW);
    let k1 = gaussian_kernel(s, 1, FILTER_WINDOW);
    let k2 = gaussian_kernel(s, 2, FILTER_WINDOW);
    let needs = |fs: &[Family]| families.iter().any(|f| fs.contains(f));
    // Row passes shared between families, on `keep`'s columns.
    let cols_of_keep = ox..ox + keep.w;
    let r0 = rows_range(p.view(), &k0, cols_of_keep.clone());
    let r1 = needs(&[
        Family::GaussianGradientMagnitude,
        Family::HessianOfGaussianEigenvalues,
    ])
    .then(|| rows_range(p.view(), &k1, cols_of_keep.clone()));
    let r2 = needs(&[
        Family::LaplacianOfGaussian,
        Family::HessianOfGaussianEigenvalues,
    ])
    .then(|| rows_range(p.view(), &k2, cols_of_keep));
    // The column pass of `r` with `k` on `keep`'s rows, into a pooled plane.
    let kept_cols = |r: &Array2<f32>, k: &[f32]| {
        let mut plane = overwritten::<f32>(keep.h, keep.w);
        cols_into(r.view(), k, oy, &mut plane.view_mut());
        plane
    };
    // Second derivatives are shared by the Laplacian and the Hessian.
    let second = r2
        .as_ref()
        .map(|r2| (kept_cols(r2, &k0), kept_cols(&r0, &k2)));
    let mut planes = out.iter_mut();
    let mut next = move || planes.next().expect("an output plane per family channel");
    for f in families {
        match f {
            Family::GaussianSmoothing => cols_into(r0.view(), &k0, oy, next()),
            Family::LaplacianOfGaussian => {
                let (xx, yy) = second.as_ref().expect("r2 computed");
                combine_into(xx.view(), yy.view(), next(), |a, b| a + b);
            }
            Family::GaussianGradientMagnitude => {
                let gx = kept_cols(r1.as_ref().expect("r1 computed"), &k0);
                let gy = kept_cols(&r0, &k1);
                combine_into(gx.view(), gy.view(), next(), |x, y| (x * x + y * y).sqrt());
                recycle([gx, gy]);
            }
            Family::DifferenceOfGaussians => {
                let kd = gaussian_kernel(0.66 * s, 0, FILTER_WINDOW);
                let a = separable_f64(p.view(), &k0, &k0);
                let b = separable_f64(p.view(), &kd, &kd);
                combine_into(a.slice(window), b.slice(window), next(), |a, b| {
                    (a - b) as f32
                });
                recycle([a, b]);
            }
            Family::StructureTensorEigenvalues => {
                let (grad, outer) = structure_tensor.scales(s);
                let g0 = gaussian_kernel(grad, 0, FILTER_WINDOW);
                let g1 = gaussian_kernel(grad, 1, FILTER_WINDOW);
                let k0 = gaussian_kernel(outer, 0, FILTER_WINDOW);
                let ix = separable(p.view(), &g1, &g0);
                let iy = separable(p.view(), &g0, &g1);
                let mut tensor = Vec::with_capacity(3);
                for (a, b) in [(&ix, &ix), (&ix, &iy), (&iy, &iy)] {
                    let product = combine(a, b, |a, b| a * b);
                    tensor.push(separable(product.view(), &k0, &k0));
                    recycle([product]);
                }
                let (e0, e1) = (next(), next());
                let [t0, t1, t2] = [&tensor[0], &tensor[1], &tensor[2]].map(|t| t.slice(window));
                eigenvalues_into(t0, t1, t2, e0, e1);
                recycle(tensor.into_iter().chain([ix, iy]));
            }
            Family::HessianOfGaussianEigenvalues => {
                let gxy = kept_cols(r1.as_ref().expect("r1 computed"), &k1);
                let (xx, yy) = second.as_ref().expect("r2 computed");
                let (e0, e1) = (next(), next());
                eigenvalues_into(xx.view(), gxy.view(), yy.view(), e0, e1);
                recycle([gxy]);
            }
        }
    }
    let second = second.into_iter().flat_map(|(xx, yy)| [xx, yy]);
    recycle([p, r0].into_iter().chain(r1).chain(r2).chain(second));
}
