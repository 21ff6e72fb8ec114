//! The features layer: ilastik's Gaussian-derivative filter bank, computed as ilastik computes it.
//!
//! Contract used by the layers above (keep these signatures; add freely).

use ndarray::{Array3, ArrayView3};
use serde::{Deserialize, Serialize};

/// The six feature families of ilastik's feature dialog, in ilastik's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Family {
    GaussianSmoothing,
    LaplacianOfGaussian,
    GaussianGradientMagnitude,
    DifferenceOfGaussians,
    StructureTensorEigenvalues,
    HessianOfGaussianEigenvalues,
}

/// Which (family, sigma) pairs are computed: ilastik's selection matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSelection {
    /// The scales, ascending (ilastik default 0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0).
    pub sigmas: Vec<f64>,
    /// `matrix[family][scale]`: computed or not; families in [`Family`] order.
    pub matrix: Vec<Vec<bool>>,
}

/// Errors of the features layer.
#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    #[error("unknown feature preset {0:?} (expected one of: ilastik, all, sigma>=1)")]
    UnknownPreset(String),
    #[error("invalid feature selection: {0}")]
    InvalidSelection(String),
}

impl FeatureSelection {
    /// A named preset: `ilastik` (ilastik's default selection), `all`, or `sigma>=1`.
    pub fn preset(name: &str) -> Result<Self, FeatureError> {
        let _ = name;
        todo!("features: preset")
    }

    /// Number of output channels for an image with `n_channels` input channels.
    pub fn n_features(&self, n_channels: usize) -> usize {
        let _ = n_channels;
        todo!("features: n_features")
    }

    /// Output channel names in output order (family -> scale -> input channel -> eigenvalue),
    /// e.g. `Gaussian Smoothing (sigma=1.0) [DNA1]`.
    pub fn feature_names(&self, channel_names: &[String]) -> Vec<String> {
        let _ = channel_names;
        todo!("features: feature_names")
    }

    /// Pixels of context a tile needs on each side so that its features equal the whole image's.
    pub fn halo(&self) -> usize {
        todo!("features: halo")
    }
}

/// Computes all selected features of `image` (c, y, x) -> (feature, y, x).
pub fn compute_features(image: ArrayView3<f32>, selection: &FeatureSelection) -> Array3<f32> {
    let _ = (image, selection);
    todo!("features: compute_features")
}

/// A rectangle of an image, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub y: usize,
    pub x: usize,
    pub h: usize,
    pub w: usize,
}

/// Computes the features of `region` of `image` only, reading up to [`FeatureSelection::halo`]
/// pixels of context around it; equal to the same window of [`compute_features`] on the whole image.
/// Output (feature, region.h, region.w).
pub fn compute_features_region(
    image: ArrayView3<f32>,
    selection: &FeatureSelection,
    region: Region,
) -> Array3<f32> {
    let _ = (image, selection, region);
    todo!("features: compute_features_region")
}
