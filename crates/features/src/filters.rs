//! The filter bank of one input channel at one scale, computed as ilastik computes it: a
//! pre-smoothing shared by all families, then each filter on the pre-smoothed image.

use ndarray::{Array2, ArrayView2, Zip};

use crate::convolve::{cols, cols_range, rows, rows_range, separable, separable_f64};
use crate::kernels::gaussian_kernel;
use crate::scratch::{overwritten, recycle};
use crate::selection::{
    split_scale, Family, StructureTensorScales, FILTER_WINDOW, PRESMOOTH_WINDOW,
};
use crate::Region;

/// Descending eigenvalues of the symmetric 2x2 matrices [[a, b], [b, c]], per pixel.
fn eigenvalues(a: &Array2<f32>, b: &Array2<f32>, c: &Array2<f32>) -> [Array2<f32>; 2] {
    let (h, w) = a.dim();
    let mut e0 = overwritten::<f32>(h, w);
    let mut e1 = overwritten::<f32>(h, w);
    Zip::from(&mut e0)
        .and(&mut e1)
        .and(a)
        .and(b)
        .and(c)
        .for_each(|e0, e1, &a, &b, &c| {
            let m = 0.5 * (a + c);
            let d = (0.25 * (a - c) * (a - c) + b * b).sqrt();
            *e0 = m + d;
            *e1 = m - d;
        });
    [e0, e1]
}

/// `f(a, b)` per pixel, into a pooled plane.
fn combine<A: Copy, B: Copy>(a: &Array2<A>, b: &Array2<B>, f: impl Fn(A, B) -> f32) -> Array2<f32> {
    let (h, w) = a.dim();
    let mut out = overwritten::<f32>(h, w);
    Zip::from(&mut out)
        .and(a)
        .and(b)
        .for_each(|o, &a, &b| *o = f(a, b));
    out
}

/// The outputs of `families` for one channel at scale `sigma`, each with
/// [`Family::channels`] maps, in the order of `families`, and the (row, column) of `keep`'s
/// corner in them.
///
/// Only the maps' pixels in `keep` (a rectangle of `channel`) are wanted, and the filters after
/// the pre-smoothing reach `context` pixels ([`FeatureSelection::filter_halo`]): the
/// pre-smoothing is computed on `keep` plus `context` only (clipped to `channel`), not on the
/// whole window it reads (the window also holds the pre-smoothing's own, much wider, halo:
/// 35 pixels at sigma 10 against 4). Inside `keep` the values are the same bits as filtering
/// the whole pre-smoothed window: pixels further than `context` from `keep` never reach it,
/// and where the window ends at the image's edge the crop ends there too, mirrored alike.
///
/// [`FeatureSelection::filter_halo`]: crate::FeatureSelection::filter_halo
pub fn filter_bank(
    channel: ArrayView2<f32>,
    sigma: f64,
    families: &[Family],
    structure_tensor: StructureTensorScales,
    keep: Region,
    context: usize,
) -> (Vec<Vec<Array2<f32>>>, (usize, usize)) {
    let (pre, s) = split_scale(sigma);
    let kp = gaussian_kernel(pre, 0, PRESMOOTH_WINDOW);
    let (wh, ww) = channel.dim();
    let ys = keep.y.saturating_sub(context)..(keep.y + keep.h + context).min(wh);
    let xs = keep.x.saturating_sub(context)..(keep.x + keep.w + context).min(ww);
    let corner = (keep.y - ys.start, keep.x - xs.start);
    let p = cols_range(rows_range(channel, &kp, xs).view(), &kp, ys);
    let k0 = gaussian_kernel(s, 0, FILTER_WINDOW);
    let k1 = gaussian_kernel(s, 1, FILTER_WINDOW);
    let k2 = gaussian_kernel(s, 2, FILTER_WINDOW);
    let needs = |fs: &[Family]| families.iter().any(|f| fs.contains(f));
    // Row passes shared between families.
    let r0 = rows(p.view(), &k0);
    let r1 = needs(&[
        Family::GaussianGradientMagnitude,
        Family::HessianOfGaussianEigenvalues,
    ])
    .then(|| rows(p.view(), &k1));
    let r2 = needs(&[
        Family::LaplacianOfGaussian,
        Family::HessianOfGaussianEigenvalues,
    ])
    .then(|| rows(p.view(), &k2));
    let smooth = || cols(r0.view(), &k0);
    // Second derivatives are shared by the Laplacian and the Hessian.
    let second = r2
        .as_ref()
        .map(|r2| (cols(r2.view(), &k0), cols(r0.view(), &k2)));
    let maps = families
        .iter()
        .map(|f| match f {
            Family::GaussianSmoothing => vec![smooth()],
            Family::LaplacianOfGaussian => {
                let (xx, yy) = second.as_ref().expect("r2 computed");
                vec![combine(xx, yy, |a, b| a + b)]
            }
            Family::GaussianGradientMagnitude => {
                let gx = cols(r1.as_ref().expect("r1 computed").view(), &k0);
                let gy = cols(r0.view(), &k1);
                let mut m = gx;
                Zip::from(&mut m)
                    .and(&gy)
                    .for_each(|x, &y| *x = (*x * *x + y * y).sqrt());
                recycle([gy]);
                vec![m]
            }
            Family::DifferenceOfGaussians => {
                let kd = gaussian_kernel(0.66 * s, 0, FILTER_WINDOW);
                let a = separable_f64(p.view(), &k0, &k0);
                let b = separable_f64(p.view(), &kd, &kd);
                let dog = combine(&a, &b, |a, b| (a - b) as f32);
                recycle([a, b]);
                vec![dog]
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
                let e = eigenvalues(&tensor[0], &tensor[1], &tensor[2]);
                recycle(tensor.into_iter().chain([ix, iy]));
                e.into()
            }
            Family::HessianOfGaussianEigenvalues => {
                let gxy = cols(r1.as_ref().expect("r1 computed").view(), &k1);
                let (xx, yy) = second.as_ref().expect("r2 computed");
                let e = eigenvalues(xx, &gxy, yy);
                recycle([gxy]);
                e.into()
            }
        })
        .collect();
    let second = second.into_iter().flat_map(|(xx, yy)| [xx, yy]);
    recycle([p, r0].into_iter().chain(r1).chain(r2).chain(second));
    (maps, corner)
}
