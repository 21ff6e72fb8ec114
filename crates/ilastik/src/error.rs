//! Errors of the ilastik project reader and writer; every one names the project file.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IlpError {
    #[error("{path}: not a readable ilastik project (HDF5): {message}")]
    NotAProject { path: PathBuf, message: String },
    #[error(
        "{path}: this is a {workflow:?} project; pixelforest reads Pixel Classification projects"
    )]
    WrongWorkflow { path: PathBuf, workflow: String },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    /// A dataset declaring more than can be read, or a damaged file the HDF5 reader failed on.
    #[error(transparent)]
    Damaged(#[from] pixelforest_io::IoError),
    /// `block` names the block dataset, its `blockSlice` and its axes.
    #[error("{path}: lane {lane}: label block {block} lies outside the lane's image ({shape})")]
    BlockOutside {
        path: PathBuf,
        lane: usize,
        block: String,
        shape: String,
    },
    #[error("{path}: ilastik could not read this: {reason}")]
    Incompatible { path: PathBuf, reason: String },
    #[error("{path}: lane {lane} raw data {stored} not found{hint}")]
    MissingRaw {
        path: PathBuf,
        lane: usize,
        stored: PathBuf,
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

pub type Result<T> = std::result::Result<T, IlpError>;
