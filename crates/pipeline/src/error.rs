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
    /// A training sample (0-based `index`) does not fit the others or the class list.
    #[error("training image {}: {problem}", .index + 1)]
    Sample {
        index: usize,
        problem: SampleProblem,
    },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// A file that is not a usable model.
    #[error("{path}: not a usable model file: {source}")]
    Model {
        path: PathBuf,
        source: crate::model::ModelError,
    },
    /// A batch's outputs collide with each other or with its inputs; nothing was written.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanConflict),
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

/// What is wrong with a training sample; says which of its two files is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleProblem {
    /// The image's channel count differs from the first image's.
    #[error("has {have} channels but the first training image has {want}; all training images need the same channels")]
    Channels { have: usize, want: usize },
    /// The label map uses a value beyond the class list.
    #[error("label value {value} but only {n_classes} classes are defined ({names})")]
    Label {
        value: u8,
        n_classes: usize,
        names: String,
    },
}

pub type Result<T> = std::result::Result<T, PipelineError>;
