//! The features layer: ilastik's Gaussian-derivative filter bank, computed as ilastik computes it
//! (pre-smoothing per scale, filters at min(s, 1), fastfilters' structure tensor), with tiling
//! that reproduces the whole-image result exactly.
//!
//! ```
//! use ndarray::Array3;
//! use pixelforest_features::{compute_features, FeatureSelection};
//!
//! // The workflow's advice: every filter at sigma 1, 1.6, 3.5, 5 and 10: 40 features per channel.
//! let selection = FeatureSelection::preset("sigma>=1").unwrap();
//! let image = Array3::<f32>::zeros((2, 32, 32));
//! let features = compute_features(image.view(), &selection);
//! assert_eq!(features.dim(), (80, 32, 32));
//! ```

#![warn(missing_docs)]

mod convolve;
mod filters;
mod kernels;
mod scratch;
mod selection;

use ndarray::{s, Array3, ArrayView3};
use rayon::prelude::*;

pub use convolve::mirror;
use filters::filter_bank;
pub use kernels::radius;
pub use selection::{
    Family, FeatureSelection, StructureTensorScales, DEFAULT_PRESET, DEFAULT_SIGMAS, MAX_SIGMA,
};

/// Errors of the features layer.
#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    #[error("unknown feature preset {0:?} (expected one of: ilastik, all, sigma>=1)")]
    /// A preset name that is none of `ilastik`, `all`, `sigma>=1`.
    UnknownPreset(String),
    #[error("invalid feature selection: {0}")]
    /// A selection that cannot be computed (matrix shape, scales out of range).
    InvalidSelection(String),
}

/// A rectangle of an image, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Top row.
    pub y: usize,
    /// Left column.
    pub x: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
}

/// Computes all selected features of `image` (c, y, x) -> (feature, y, x).
pub fn compute_features(image: ArrayView3<f32>, selection: &FeatureSelection) -> Array3<f32> {
    let (_, h, w) = image.dim();
    compute_features_region(image, selection, Region { y: 0, x: 0, h, w })
}

/// Computes the features of `region` of `image` only, reading up to [`FeatureSelection::halo`]
/// pixels of context around it; equal to the same window of [`compute_features`] on the whole image.
/// Output (feature, region.h, region.w), with the region clipped to the image.
pub fn compute_features_region(
    image: ArrayView3<f32>,
    selection: &FeatureSelection,
    region: Region,
) -> Array3<f32> {
    let region = clip(region, image.dim());
    let n_out = selection.n_features(image.dim().0);
    let mut out = Array3::<f32>::zeros((n_out, region.h, region.w));
    compute_features_region_into(image, selection, region, out.view_mut());
    out
}

/// The rectangle of `region` that lies inside an image of dimensions `(c, h, w)`.
fn clip(region: Region, (_, h, w): (usize, usize, usize)) -> Region {
    Region {
        y: region.y.min(h),
        x: region.x.min(w),
        h: region.h.min(h.saturating_sub(region.y)),
        w: region.w.min(w.saturating_sub(region.x)),
    }
}

/// [`compute_features_region`] into `out` (feature, h, w) of the clipped region's size, so a
/// caller that predicts tile after tile can reuse one buffer (a tile of 480 features is
/// 126 MB; allocating it afresh costs page faults on every tile).
///
/// Each (scale, channel) is computed on the region plus that scale's own halo
/// ([`FeatureSelection::scale_halo`]), not the largest one, and written straight into its
/// output planes.
///
/// # Panics
/// If `out` does not have the shape (n_features, region.h, region.w) of the clipped region.
pub fn compute_features_region_into(
    image: ArrayView3<f32>,
    selection: &FeatureSelection,
    region: Region,
    mut out: ndarray::ArrayViewMut3<f32>,
) {
    let (c, h, w) = image.dim();
    let region = clip(region, (c, h, w));
    let n_out = selection.n_features(c);
    assert_eq!(
        out.dim(),
        (n_out, region.h, region.w),
        "output buffer does not match the features of the region"
    );
    if c == 0 || region.h == 0 || region.w == 0 {
        return;
    }
    let selected = selection.selected();
    // One task per (scale, input channel): the pre-smoothing is shared by its families.
    let scales: Vec<usize> = {
        let mut v: Vec<usize> = selected.iter().map(|&(_, j)| j).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    // Hand every task the output planes it writes (each plane belongs to exactly one task).
    let mut planes: Vec<Option<ndarray::ArrayViewMut2<f32>>> =
        out.outer_iter_mut().map(Some).collect();
    let mut tasks = Vec::new();
    for &j in &scales {
        let families: Vec<Family> = selected
            .iter()
            .filter(|&&(_, sj)| sj == j)
            .map(|&(f, _)| f)
            .collect();
        for ch in 0..c {
            let mut mine = Vec::new();
            for f in &families {
                let base = output_offset(&selected, *f, j, c) + ch * f.channels();
                for e in 0..f.channels() {
                    mine.push(planes[base + e].take().expect("each plane has one task"));
                }
            }
            tasks.push((j, ch, families.clone(), mine));
        }
    }
    tasks
        .into_par_iter()
        .for_each(|(j, ch, families, mut mine)| {
            let halo = selection.scale_halo(j);
            let (y0, x0) = (region.y.saturating_sub(halo), region.x.saturating_sub(halo));
            let (y1, x1) = (
                (region.y + region.h + halo).min(h),
                (region.x + region.w + halo).min(w),
            );
            let window = image.slice(s![ch, y0..y1, x0..x1]);
            let keep = Region {
                y: region.y - y0,
                x: region.x - x0,
                ..region
            };
            filter_bank(
                window,
                selection.sigmas[j],
                &families,
                selection.structure_tensor,
                keep,
                selection.filter_halo(j),
                &mut mine,
            );
        });
}

/// First output channel of (family, scale) in the family -> scale -> channel -> eigenvalue order.
fn output_offset(
    selected: &[(Family, usize)],
    family: Family,
    scale: usize,
    n_channels: usize,
) -> usize {
    selected
        .iter()
        .take_while(|&&(f, j)| !(f == family && j == scale))
        .map(|(f, _)| f.channels() * n_channels)
        .sum()
}
