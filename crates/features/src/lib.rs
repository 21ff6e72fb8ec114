//! The features layer: ilastik's Gaussian-derivative filter bank, computed as ilastik computes it
//! (pre-smoothing per scale, filters at min(s, 1), fastfilters' structure tensor), with tiling
//! that reproduces the whole-image result exactly.

mod convolve;
mod filters;
mod kernels;
mod selection;

use ndarray::{s, Array3, ArrayView3};
use rayon::prelude::*;

pub use convolve::mirror;
pub use filters::filter_bank;
pub use kernels::{gaussian_kernel, radius};
pub use selection::{
    split_scale, Family, FeatureSelection, StructureTensorScales, DEFAULT_SIGMAS, FILTER_WINDOW,
    PRESMOOTH_WINDOW,
};

/// Errors of the features layer.
#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    #[error("unknown feature preset {0:?} (expected one of: ilastik, all, sigma>=1)")]
    UnknownPreset(String),
    #[error("invalid feature selection: {0}")]
    InvalidSelection(String),
}

/// A rectangle of an image, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub y: usize,
    pub x: usize,
    pub h: usize,
    pub w: usize,
}

/// Computes all selected features of `image` (c, y, x) -> (feature, y, x).
pub fn compute_features(image: ArrayView3<f32>, selection: &FeatureSelection) -> Array3<f32> {
    let (_, h, w) = image.dim();
    compute_features_region(image, selection, Region { y: 0, x: 0, h, w })
}

/// Computes the features of `region` of `image` only, reading up to [`FeatureSelection::halo`]
/// pixels of context around it; equal to the same window of [`compute_features`] on the whole image.
/// Output (feature, region.h, region.w).
pub fn compute_features_region(
    image: ArrayView3<f32>,
    selection: &FeatureSelection,
    region: Region,
) -> Array3<f32> {
    let (c, h, w) = image.dim();
    let region = Region {
        y: region.y.min(h),
        x: region.x.min(w),
        h: region.h.min(h.saturating_sub(region.y)),
        w: region.w.min(w.saturating_sub(region.x)),
    };
    let n_out = selection.n_features(c);
    let mut out = Array3::<f32>::zeros((n_out, region.h, region.w));
    if c == 0 || region.h == 0 || region.w == 0 {
        return out;
    }
    let halo = selection.halo();
    let (y0, x0) = (region.y.saturating_sub(halo), region.x.saturating_sub(halo));
    let (y1, x1) = (
        (region.y + region.h + halo).min(h),
        (region.x + region.w + halo).min(w),
    );
    let window = image.slice(s![.., y0..y1, x0..x1]);
    let (oy, ox) = (region.y - y0, region.x - x0);
    let selected = selection.selected();
    // One task per (scale, input channel): the pre-smoothing is shared by its families.
    let scales: Vec<usize> = {
        let mut v: Vec<usize> = selected.iter().map(|&(_, j)| j).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let tasks: Vec<(usize, usize)> = scales
        .iter()
        .flat_map(|&j| (0..c).map(move |ch| (j, ch)))
        .collect();
    let results: Vec<Vec<(usize, ndarray::Array2<f32>)>> = tasks
        .par_iter()
        .map(|&(j, ch)| {
            let families: Vec<Family> = selected
                .iter()
                .filter(|&&(_, sj)| sj == j)
                .map(|&(f, _)| f)
                .collect();
            let maps = filter_bank(
                window.index_axis(ndarray::Axis(0), ch),
                selection.sigmas[j],
                &families,
                selection.structure_tensor,
            );
            let mut placed = Vec::new();
            for (f, fmaps) in families.iter().zip(maps) {
                let base = output_offset(&selected, *f, j, c) + ch * f.channels();
                for (e, m) in fmaps.into_iter().enumerate() {
                    let crop = m.slice(s![oy..oy + region.h, ox..ox + region.w]).to_owned();
                    placed.push((base + e, crop));
                }
            }
            placed
        })
        .collect();
    for (index, map) in results.into_iter().flatten() {
        out.index_axis_mut(ndarray::Axis(0), index).assign(&map);
    }
    out
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
