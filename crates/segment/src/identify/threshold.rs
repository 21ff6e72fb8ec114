//! The global threshold of CellProfiler's Threshold settings (`threshold.py`): MCE, times the
//! correction factor, clamped to the bounds; the binary image compares a Gaussian-smoothed
//! copy of the image (`sigma = smoothing scale / 0.6744 / 2`, or 1 in IdentifyPrimaryObjects'
//! basic mode) against it.

use ndarray::Array2;

use super::mce::mce_threshold;
use super::smooth::smooth_with_mask;

/// A global Minimum Cross-Entropy threshold setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdSettings {
    /// "Threshold correction factor".
    pub correction: f64,
    /// "Lower and upper bounds on threshold".
    pub bounds: (f64, f64),
    /// Sigma of the Gaussian applied before comparing (0: compare the image itself).
    pub sigma: f64,
}

impl ThresholdSettings {
    /// The sigma CellProfiler derives from a "Threshold smoothing scale".
    #[must_use]
    pub fn sigma_of_scale(scale: f64) -> f64 {
        scale / 0.6744 / 2.0
    }

    /// `_correct_global_threshold`: Python's `min(max(t * factor, lo), hi)`, NaN kept.
    #[must_use]
    pub fn correct(&self, raw: f64) -> f64 {
        let t = raw * self.correction;
        let t = if self.bounds.0 > t { self.bounds.0 } else { t };
        if self.bounds.1 < t {
            self.bounds.1
        } else {
            t
        }
    }

    /// The final threshold of `image` and its foreground (`smoothed >= threshold`).
    #[must_use]
    pub fn apply(&self, image: &Array2<f64>) -> (f64, Array2<bool>) {
        let data: Vec<f64> = image.iter().copied().collect();
        let threshold = self.correct(mce_threshold(&data));
        let compared = if self.sigma == 0.0 {
            image.clone()
        } else {
            smooth_with_mask(image, self.sigma)
        };
        (threshold, compared.mapv(|v| v >= threshold))
    }
}
