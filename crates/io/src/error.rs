//! The io layer's error type: every variant names the file it concerns.

use std::path::{Path, PathBuf};

/// Errors of the io layer. Every variant names the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error("{path}: unsupported file type (expected .tif, .tiff, .ome.tiff, .h5, .hdf5 or .png)")]
    UnsupportedExtension { path: PathBuf },
}

pub type Result<T> = std::result::Result<T, IoError>;

/// A [`IoError::Format`] about `path`.
pub(crate) fn format_err(path: &Path, message: impl Into<String>) -> IoError {
    IoError::Format {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A [`IoError::Io`] about `path`.
pub(crate) fn io_err(path: &Path, source: std::io::Error) -> IoError {
    IoError::Io {
        path: path.to_path_buf(),
        source,
    }
}
