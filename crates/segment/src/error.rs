//! Errors of the segment layer.

/// Why a segmentation could not run.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum SegmentError {
    /// Nucleus and cytoplasm probabilities are both needed.
    #[error("a probability map needs nucleus and cytoplasm classes; this one has {classes}")]
    TooFewClasses {
        /// Classes found.
        classes: usize,
    },
    /// CellProfiler's low-resolution maxima search (minimum diameter above 10) is not implemented.
    #[error(
        "minimum nucleus diameter {min_diameter} > 10 makes CellProfiler search maxima on a \
         resampled image, which pixelforest does not implement; use 10 or less"
    )]
    LowResolutionMaxima {
        /// The minimum diameter asked for.
        min_diameter: u32,
    },
    /// A setting outside what the algorithm accepts.
    #[error(transparent)]
    Setting(#[from] InvalidSetting),
}

/// A setting outside what the algorithm accepts.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{setting}: {why}")]
pub struct InvalidSetting {
    /// The setting, as the pipeline names it.
    pub setting: &'static str,
    /// What is wrong.
    pub why: &'static str,
}
