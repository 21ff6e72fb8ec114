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
