//! Why a project folder cannot be opened for labeling.

use std::path::PathBuf;

use pixelforest_io::IoError;

/// Errors opening a project folder or reading its settings; each names the path.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The project folder given does not exist or is a file.
    #[error("{0}: not a directory")]
    NotADirectory(PathBuf),
    /// `pixelforest.json` is unreadable (the message names it).
    #[error(transparent)]
    Settings(pixelforest_pipeline::PipelineError),
    /// A file of the project could not be read or written.
    #[error(transparent)]
    Io(#[from] IoError),
}
