//! The files the server writes into the project, each atomically (through `io` and `pipeline`'s
//! writers) so a crash or a concurrent training never sees a half-written file.

use std::path::Path;

use ndarray::Array2;
use pixelforest_io::IoError;

/// Writes a label map as an 8-bit grey PNG (the format `train` and `read_label_image` read),
/// creating the labels folder on first use.
pub fn save_labels(path: &Path, labels: &Array2<u8>) -> Result<(), IoError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| IoError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    pixelforest_io::write_label_image(path, labels)
}
