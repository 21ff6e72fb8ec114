//! Datasets of a project opened only after what reading them would allocate is checked: a
//! damaged project (one flipped bit in `ClassifierForests/.../topology`, found by
//! `tests/reader_robustness.rs`) made the HDF5 crate ask for about 10 GB.

use std::path::Path;

use rust_hdf5::{H5Dataset, H5File};

use crate::error::{FormatKind, IlpError, Result};

/// Dataset `name` of the project at `path`, its declared size checked against the memory budget
/// and the file (see `pixelforest_io::h5_image::check_dataset_size`).
pub(crate) fn dataset(path: &Path, file: &H5File, name: &str) -> Result<H5Dataset> {
    let ds = file
        .dataset(name)
        .map_err(|e| IlpError::format(path, FormatKind::unreadable(name, e)))?;
    pixelforest_io::h5_image::check_dataset_size(path, name, &ds)?;
    Ok(ds)
}
