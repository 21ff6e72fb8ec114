//! The files the server writes into the project, each through `atomic_write` so a crash or a
//! concurrent training never sees a half-written file.

use std::io::{BufWriter, Write};
use std::path::Path;

use ndarray::Array2;
use pixelforest_forest::Model;
use pixelforest_io::IoError;

use crate::render::{encode_png, Layout};

/// Writes a label map as an 8-bit grey PNG (the format `train` and `read_label_image` read).
/// The PNG is encoded here rather than by `write_label_image`, because that picks the format from the
/// file extension and `atomic_write` hands the writer a temporary name.
pub fn save_labels(path: &Path, labels: &Array2<u8>) -> Result<(), IoError> {
    let format_error = |message: String| IoError::Format {
        path: path.to_path_buf(),
        message,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| IoError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let (height, width) = labels.dim();
    let pixels: Vec<u8> = labels.iter().copied().collect();
    let png = encode_png(&pixels, width, height, Layout::Grey).map_err(format_error)?;
    pixelforest_io::atomic_write(path, |tmp| {
        std::fs::write(tmp, &png).map_err(|source| IoError::Io {
            path: tmp.to_path_buf(),
            source,
        })
    })
}

/// Writes the model file (`classifier.pxf`).
pub fn save_model(path: &Path, model: &Model) -> Result<(), IoError> {
    pixelforest_io::atomic_write(path, |tmp| {
        let io_error = |source: std::io::Error| IoError::Io {
            path: tmp.to_path_buf(),
            source,
        };
        let file = std::fs::File::create(tmp).map_err(io_error)?;
        let mut writer = BufWriter::new(file);
        model.save(&mut writer).map_err(|e| IoError::Format {
            path: tmp.to_path_buf(),
            message: e.to_string(),
        })?;
        writer.flush().map_err(io_error)
    })
}
