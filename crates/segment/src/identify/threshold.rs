//! The global threshold of CellProfiler's Threshold settings (`threshold.py`): MCE, times the
//! correction factor, clamped to the bounds; the binary image compares a Gaussian-smoothed
//! copy of the image (`sigma = smoothing scale / 0.6744 / 2`, or 1 in IdentifyPrimaryObjects'
//! basic mode) against it.
//!
//! The image is float32 (CellProfiler's images are), the threshold float64 (numpy 1.x turns
//! `float32 * 1.2` into float64); an unsmoothed comparison of the float32 image with that
//! float64 scalar runs in float32 (numpy 1.x's value-based casting), a smoothed one in float64.

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
    pub fn apply(&self, image: &Array2<f32>) -> (f64, Array2<bool>) {
        let data: Vec<f32> = image.iter().copied().collect();
        let threshold = self.correct(f64::from(mce_threshold(&data)));
        let foreground = if self.sigma == 0.0 {
            let t = threshold as f32;
            image.mapv(|v| v >= t)
        } else {
            smooth_with_mask(image, self.sigma).mapv(|v| v >= threshold)
        };
        (threshold, foreground)
    }
}
