//! The pipeline layer's error type.

use std::path::PathBuf;

/// Errors of the pipeline layer. Errors about one file name it.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Io(#[from] pixelforest_io::IoError),
    #[error(transparent)]
    Forest(#[from] pixelforest_forest::ForestError),
    #[error(transparent)]
    Features(#[from] pixelforest_features::FeatureError),
    #[error(transparent)]
    Ilastik(#[from] pixelforest_ilastik::IlpError),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
}

impl PipelineError {
    /// An error about the file at `path`.
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::File {
            path: path.into(),
            message: message.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, PipelineError>;
