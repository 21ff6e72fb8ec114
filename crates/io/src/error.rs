//! The io layer's error type: every variant names the file it concerns.

use std::path::{Path, PathBuf};

/// Errors of the io layer. Every variant names the file it concerns.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The operating system refused to read or write the file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file's contents are not what its format requires.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, for people.
        message: String,
    },
    /// A file extension no reader handles.
    #[error("{path}: unsupported file type (expected .tif, .tiff, .ome.tiff, .h5, .hdf5 or .png)")]
    UnsupportedExtension {
        /// The file.
        path: PathBuf,
    },
}

/// The io layer's result.
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
