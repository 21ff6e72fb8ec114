//! Which features are computed: ilastik's family x scale selection matrix, its presets, the
//! output order and names, and the halo a tile needs.

use serde::{Deserialize, Serialize};

use crate::kernels::radius;
use crate::FeatureError;

/// The six feature families of ilastik's feature dialog, in ilastik's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Family {
    /// Gaussian smoothing (1 channel per input channel).
    GaussianSmoothing,
    /// Laplacian of Gaussian (1 channel).
    LaplacianOfGaussian,
    /// Gaussian gradient magnitude (1 channel).
    GaussianGradientMagnitude,
    /// Difference of Gaussians at s and 0.66 s (1 channel).
    DifferenceOfGaussians,
    /// Structure tensor eigenvalues, larger first (2 channels).
    StructureTensorEigenvalues,
    /// Hessian of Gaussian eigenvalues, larger first (2 channels).
    HessianOfGaussianEigenvalues,
}

impl Family {
    /// All families in ilastik's order (the rows of the selection matrix). ilastik's names for
    /// them are the ilastik crate's `FEATURE_IDS`; `pipeline` pairs the two, row for row.
    pub const ALL: [Family; 6] = [
        Family::GaussianSmoothing,
        Family::LaplacianOfGaussian,
        Family::GaussianGradientMagnitude,
        Family::DifferenceOfGaussians,
        Family::StructureTensorEigenvalues,
        Family::HessianOfGaussianEigenvalues,
    ];

    /// Output channels per input channel.
    pub fn channels(self) -> usize {
        match self {
            Family::StructureTensorEigenvalues | Family::HessianOfGaussianEigenvalues => 2,
            _ => 1,
        }
    }

    /// The display name ilastik gives the family.
    pub fn display_name(self) -> &'static str {
        match self {
            Family::GaussianSmoothing => "Gaussian Smoothing",
            Family::LaplacianOfGaussian => "Laplacian of Gaussian",
            Family::GaussianGradientMagnitude => "Gaussian Gradient Magnitude",
            Family::DifferenceOfGaussians => "Difference of Gaussians",
            Family::StructureTensorEigenvalues => "Structure Tensor Eigenvalues",
            Family::HessianOfGaussianEigenvalues => "Hessian of Gaussian Eigenvalues",
        }
    }
}

/// The preset `train`, `serve` and `demo` use unless told otherwise: the reference workflow's
/// advice (see [`FeatureSelection::preset`]).
pub const DEFAULT_PRESET: &str = "sigma>=1";

/// ilastik's default scales.
pub const DEFAULT_SIGMAS: [f64; 7] = [0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0];

/// Window (in sigmas) of the pre-smoothing, and of the filters run on the pre-smoothed image.
pub const PRESMOOTH_WINDOW: f64 = 3.5;
pub const FILTER_WINDOW: f64 = 2.0;

/// The two scales of the structure tensor at filter scale s'. ilastik asks for inner scale s'
/// and outer scale s'/2; its default backend (fastfilters) computes the gradient at s'/2 and
/// smooths the tensor at s', while vigra (ilastik's backend without fastfilters, and older
/// projects) computes the gradient at s' and smooths at s'/2. A forest trained in ilastik needs
/// the convention its features were computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum StructureTensorScales {
    /// Gradient at s'/2, tensor smoothed at s' (fastfilters, ilastik's default).
    #[default]
    Fastfilters,
    /// Gradient at s', tensor smoothed at s'/2 (vigra).
    Vigra,
}

impl StructureTensorScales {
    /// (gradient sigma, tensor smoothing sigma) at filter scale `s`.
    pub fn scales(self, s: f64) -> (f64, f64) {
        match self {
            StructureTensorScales::Fastfilters => (0.5 * s, s),
            StructureTensorScales::Vigra => (s, 0.5 * s),
        }
    }
}

/// Largest scale accepted: ilastik's largest preset is 10; at 100 a filter's window (and every
/// tile's halo) is already over a thousand pixels wide, and a forged 1e6 would run for hours.
pub const MAX_SIGMA: f64 = 100.0;

/// Which (family, sigma) pairs are computed: ilastik's selection matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSelection {
    /// The scales, ascending (ilastik default 0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0).
    pub sigmas: Vec<f64>,
    /// `matrix[family][scale]`: computed or not; families in [`Family`] order.
    pub matrix: Vec<Vec<bool>>,
    /// Structure tensor convention (missing in older model files: fastfilters).
    #[serde(default)]
    pub structure_tensor: StructureTensorScales,
}

/// The pre-smoothing sigma and the filter sigma of scale `s`, as ilastik's
/// `OpPixelFeaturesPresmoothed`: above 1 the image is pre-smoothed with sqrt(s^2 - 1) and
/// filtered at 1 (so the total is s); at or below 1 it is pre-smoothed with s and filtered at s.
pub fn split_scale(s: f64) -> (f64, f64) {
    if s > 1.0 {
        ((s * s - 1.0).sqrt(), 1.0)
    } else {
        (s, s)
    }
}

impl FeatureSelection {
    /// A named preset: `ilastik` / `all` (all six families at all default scales, Gaussian
    /// smoothing only at 0.3: 49 channels per input channel), or `sigma>=1` (all families at
    /// 1.0, 1.6, 3.5, 5.0, 10.0: the reference workflow's advice, 40 per input channel).
    pub fn preset(name: &str) -> Result<Self, FeatureError> {
        match name {
            "ilastik" | "all" => Ok(Self {
                structure_tensor: StructureTensorScales::Fastfilters,
                sigmas: DEFAULT_SIGMAS.to_vec(),
                matrix: Family::ALL
                    .iter()
                    .map(|f| {
                        DEFAULT_SIGMAS
                            .iter()
                            .map(|&s| s > 0.5 || *f == Family::GaussianSmoothing)
                            .collect()
                    })
                    .collect(),
            }),
            "sigma>=1" => {
                let sigmas: Vec<f64> = DEFAULT_SIGMAS
                    .iter()
                    .copied()
                    .filter(|&s| s >= 1.0)
                    .collect();
                Ok(Self {
                    structure_tensor: StructureTensorScales::Fastfilters,
                    matrix: vec![vec![true; sigmas.len()]; 6],
                    sigmas,
                })
            }
            other => Err(FeatureError::UnknownPreset(other.to_string())),
        }
    }

    /// Checks the matrix shape, the scales and ilastik's rule that only Gaussian smoothing may
    /// run below sigma 0.7 (derivatives at 0.3 are noise).
    pub fn validate(&self) -> Result<(), FeatureError> {
        let bad = |m: String| Err(FeatureError::InvalidSelection(m));
        if self.matrix.len() != 6 {
            return bad(format!(
                "the matrix has {} rows, expected 6 (one per family)",
                self.matrix.len()
            ));
        }
        if let Some(row) = self.matrix.iter().find(|r| r.len() != self.sigmas.len()) {
            return bad(format!(
                "a matrix row has {} entries for {} scales",
                row.len(),
                self.sigmas.len()
            ));
        }
        if self.sigmas.iter().any(|s| !s.is_finite() || *s <= 0.0) {
            return bad(format!("scales must be positive: {:?}", self.sigmas));
        }
        if let Some(s) = self.sigmas.iter().find(|&&s| s > MAX_SIGMA) {
            return bad(format!(
                "scale {s} is larger than the largest supported ({MAX_SIGMA})"
            ));
        }
        if self.sigmas.windows(2).any(|w| w[0] >= w[1]) {
            return bad(format!("scales must be ascending: {:?}", self.sigmas));
        }
        if !self.matrix.iter().flatten().any(|&b| b) {
            return bad("no feature selected".into());
        }
        for (f, row) in Family::ALL.iter().zip(&self.matrix) {
            for (s, &on) in self.sigmas.iter().zip(row) {
                if on && *s < 0.5 && *f != Family::GaussianSmoothing {
                    return bad(format!(
                        "{} is not available at sigma {s} (only Gaussian Smoothing is)",
                        f.display_name()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Selected (family, scale index) pairs in output order (family, then scale).
    pub fn selected(&self) -> Vec<(Family, usize)> {
        let mut out = Vec::new();
        for (f, row) in Family::ALL.iter().zip(&self.matrix) {
            for (j, &on) in row.iter().enumerate() {
                if on {
                    out.push((*f, j));
                }
            }
        }
        out
    }

    /// Number of output channels for an image with `n_channels` input channels.
    pub fn n_features(&self, n_channels: usize) -> usize {
        self.selected()
            .iter()
            .map(|(f, _)| f.channels())
            .sum::<usize>()
            * n_channels
    }

    /// Output channel names in output order (family -> scale -> input channel -> eigenvalue),
    /// e.g. `Gaussian Smoothing (sigma=1.0) [DNA1]`.
    pub fn feature_names(&self, channel_names: &[String]) -> Vec<String> {
        let mut names = Vec::new();
        for (f, j) in self.selected() {
            for ch in channel_names {
                let base = format!("{} (sigma={:?}) [{ch}]", f.display_name(), self.sigmas[j]);
                if f.channels() == 1 {
                    names.push(base);
                } else {
                    names.extend((0..f.channels()).map(|e| format!("{base} [{e}]")));
                }
            }
        }
        names
    }

    /// Pixels of context a tile needs on each side so that its features equal the whole image's.
    pub fn halo(&self) -> usize {
        (0..self.sigmas.len())
            .filter(|&j| self.matrix.iter().any(|row| row.get(j) == Some(&true)))
            .map(|j| self.scale_halo(j))
            .max()
            .unwrap_or(1)
    }

    /// Pixels of context the features of scale `j` need on each side: the pre-smoothing radius
    /// plus [`Self::filter_halo`].
    pub fn scale_halo(&self, j: usize) -> usize {
        let (pre, _) = split_scale(self.sigmas[j]);
        radius(pre, PRESMOOTH_WINDOW) + self.filter_halo(j)
    }

    /// Pixels of pre-smoothed context the filters of scale `j` need on each side: the widest
    /// filter chain (the structure tensor's two smoothings), plus one.
    pub fn filter_halo(&self, j: usize) -> usize {
        let (_, filt) = split_scale(self.sigmas[j]);
        radius(filt, FILTER_WINDOW)
            .max(radius(0.5 * filt, FILTER_WINDOW) + radius(filt, FILTER_WINDOW))
            + 1
    }
}
