//! ilastik's input paths that name a dataset inside an HDF5 file, `file.h5/internal/dataset`
//! (steinbock passes `ilastik_img/<name>.h5/img`), split as lazyflow's `PathComponents` does:
//! at the first path component with an HDF5 extension (`.h5`, `.hdf5`, `.ilp`).

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::h5_image;

/// Extensions after which lazyflow allows an internal path.
const HDF5_EXTENSIONS: &[&str] = &["h5", "hdf5", "ilp"];

/// A path split into the HDF5 file and the dataset inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct H5DatasetPath {
    /// The file on disk.
    pub file: PathBuf,
    /// The dataset inside it, without a leading `/` (`img`, `volume/data`).
    pub dataset: String,
}

/// Splits `path` into an HDF5 file and an internal dataset when it has the form
/// `dir/file.h5/dataset` and is not itself an existing file; `None` for ordinary paths.
#[must_use]
pub fn split_h5_path(path: &Path) -> Option<H5DatasetPath> {
    if path.is_file() {
        return None;
    }
    let parts: Vec<_> = path.components().collect();
    let at = parts.iter().position(|c| {
        Path::new(c.as_os_str())
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .is_some_and(|e| HDF5_EXTENSIONS.contains(&e.as_str()))
    })?;
    if at + 1 == parts.len() {
        return None;
    }
    let file: PathBuf = parts[..=at].iter().collect();
    let dataset = parts[at + 1..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Some(H5DatasetPath { file, dataset })
}

/// The axis keys of `dataset` in `file` (its vigra `axistags`, else the reader's guess), read
/// without reading its values.
///
/// # Errors
/// The file cannot be opened, or holds no such dataset.
pub fn dataset_axes(file: &Path, dataset: &str) -> Result<String> {
    let h5 = h5_image::open(file)?;
    h5_image::stored_axes(file, &h5, dataset).map(|(axes, _)| axes)
}

/// The axis keys [`crate::read_image`] reads `path` with: for HDF5 inputs (also
/// `file.h5/dataset`) the dataset's axes; `None` for other formats, whose axes the reader
/// decides from the file.
///
/// # Errors
/// The file cannot be opened, or holds no usable dataset.
pub fn image_axes(path: &Path) -> Result<Option<String>> {
    if let Some(inner) = split_h5_path(path) {
        return dataset_axes(&inner.file, &inner.dataset).map(Some);
    }
    if crate::Kind::of(path).ok() != Some(crate::Kind::H5) {
        return Ok(None);
    }
    let file = h5_image::open(path)?;
    let stem = crate::image_stem(path);
    let name = h5_image::pick_dataset(path, &file, &crate::preferred_datasets(&stem))?;
    drop(file);
    dataset_axes(path, &name).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_hdf5_file_as_lazyflow_does() {
        let p = split_h5_path(Path::new("ilastik_img/a_001.h5/img")).unwrap();
        assert_eq!(p.file, PathBuf::from("ilastik_img/a_001.h5"));
        assert_eq!(p.dataset, "img");
        let p = split_h5_path(Path::new("/d/x.hdf5/volume/data")).unwrap();
        assert_eq!(p.file, PathBuf::from("/d/x.hdf5"));
        assert_eq!(p.dataset, "volume/data");
        assert_eq!(split_h5_path(Path::new("ilastik_img/a_001.h5")), None);
        assert_eq!(split_h5_path(Path::new("img/a.tiff")), None);
    }
}
