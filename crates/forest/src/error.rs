//! The errors of the forest layer.

/// Errors of the forest layer.
#[derive(Debug, thiserror::Error)]
pub enum ForestError {
    #[error("no labelled samples to train on")]
    NoLabels,
    #[error("only one class is labelled ({0}); label at least two classes")]
    OneClass(String),
    #[error("feature {feature} of sample {sample} is not finite ({value})")]
    NotFinite {
        sample: usize,
        feature: usize,
        value: f32,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("model file: {0}")]
    Model(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
