//! The pipeline layer's error type.

use std::path::PathBuf;

/// Errors of the pipeline layer. Errors about one file name it.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Reading or writing a file failed.
    #[error(transparent)]
    Io(#[from] pixelforest_io::IoError),
    /// Training or prediction refused the rows or the forest.
    #[error(transparent)]
    Forest(#[from] pixelforest_forest::ForestError),
    /// A feature preset or selection that cannot be computed.
    #[error(transparent)]
    Features(#[from] pixelforest_features::FeatureError),
    /// An ilastik project that cannot be read or written.
    #[error(transparent)]
    Ilastik(#[from] pixelforest_ilastik::IlpError),
    /// A training sample (0-based `index`) does not fit the others or the class list.
    #[error("training image {}: {problem}", .index + 1)]
    Sample {
        /// The sample, 0-based.
        index: usize,
        /// What is wrong with it.
        problem: SampleProblem,
    },
    /// A problem with one file.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong, for people.
        message: String,
    },
    /// A file that is not a usable model.
    #[error("{path}: not a usable model file: {source}")]
    Model {
        /// The file.
        path: PathBuf,
        /// Why it cannot be used.
        source: crate::model::ModelError,
    },
    /// A model whose metadata disagrees with its forest.
    #[error(transparent)]
    ModelMeta(#[from] crate::model::MetaProblem),
    /// A batch's outputs collide with each other or with its inputs; nothing was written.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanConflict),
    /// Inputs that do not fit together (sizes, counts) where no one file is at fault.
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
    Channels {
        /// Channels of this image.
        have: usize,
        /// Channels of the first image.
        want: usize,
    },
    /// The label map uses a value beyond the class list.
    #[error("label value {value} but only {n_classes} classes are defined ({names})")]
    Label {
        /// The label value found.
        value: u8,
        /// The number of classes.
        n_classes: usize,
        /// The classes, `1 = name, ...`.
        names: String,
    },
}

/// The pipeline layer's result.
pub type Result<T> = std::result::Result<T, PipelineError>;
