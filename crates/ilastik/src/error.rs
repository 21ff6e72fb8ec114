//! Errors of the ilastik project reader and writer; every one names the project file.

use std::path::PathBuf;

/// Errors of reading or writing an ilastik project; each names the project file.
#[derive(Debug, thiserror::Error)]
pub enum IlpError {
    /// Not an HDF5 file the reader can open.
    #[error("{path}: not a readable ilastik project (HDF5): {message}")]
    NotAProject {
        /// The project file.
        path: PathBuf,
        /// The HDF5 reader's message.
        message: String,
    },
    /// A project of another ilastik workflow.
    #[error(
        "{path}: this is a {workflow:?} project; pixelforest reads Pixel Classification projects"
    )]
    WrongWorkflow {
        /// The project file.
        path: PathBuf,
        /// The workflow it names.
        workflow: String,
    },
    /// A dataset or attribute missing or not as ilastik writes it.
    #[error("{path}: {message}")]
    Format {
        /// The project file.
        path: PathBuf,
        /// What is wrong, for people.
        message: String,
    },
    /// A dataset declaring more than can be read, or a damaged file the HDF5 reader failed on.
    #[error(transparent)]
    Damaged(#[from] pixelforest_io::IoError),
    /// `block` names the block dataset, its `blockSlice` and its axes.
    #[error("{path}: lane {lane}: label block {block} lies outside the lane's image ({shape})")]
    BlockOutside {
        /// The project file.
        path: PathBuf,
        /// The lane, 0-based.
        lane: usize,
        /// The block's dataset, slice and axes.
        block: String,
        /// The lane's shape and axes.
        shape: String,
    },
    /// A project this program would write in a form ilastik cannot read.
    #[error("{path}: ilastik could not read this: {reason}")]
    Incompatible {
        /// The project file.
        path: PathBuf,
        /// Why ilastik could not read it.
        reason: String,
    },
    /// A lane's raw image is not where the project says (nor found by name).
    #[error("{path}: lane {lane} raw data {stored} not found{hint}")]
    MissingRaw {
        /// The project file.
        path: PathBuf,
        /// The lane, 0-based.
        lane: usize,
        /// The path the project stores.
        stored: PathBuf,
        /// Where else it was looked for, or advice.
        hint: String,
    },
}

impl IlpError {
    pub(crate) fn format(path: &std::path::Path, message: impl Into<String>) -> Self {
        IlpError::Format {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// The ilastik layer's result.
pub type Result<T> = std::result::Result<T, IlpError>;
