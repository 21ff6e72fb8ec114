//! The io layer: every file format pixelforest reads or writes, and nothing else.
//!
//! Contract used by the layers above (keep these signatures; add freely):
//! - [`read_image`] opens any supported image (TIFF/OME-TIFF stack, ilastik/steinbock HDF5) as an [`Image`].
//! - [`write_tiff_stack`] / [`write_h5_image`] write stacks in the reference workflow's layouts.
//! - [`read_label_image`] / [`write_label_image`] for sparse label maps (0 = unlabeled).
//! - [`write_probabilities`] / [`read_probabilities`]: ilastik-compatible probability export.
//! - [`atomic_write`]: every output goes through a temporary name and a rename.
//! All errors name the file and the problem ([`IoError`]).

use std::path::{Path, PathBuf};

use ndarray::{Array2, Array3};
pub use pixelforest_core::Image;

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

/// Sample type for stacks and probability maps on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleType {
    U16,
    F32,
}

/// HDF5 layouts of the reference workflows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum H5Layout {
    /// ImcSegmentationPipeline: one dataset named after the file stem, (1, y, x, c) `zyxc`, uint16.
    Ilastik,
    /// steinbock: dataset `name` (`img` or `crop`), float32, (c, y, x).
    Steinbock { name: String },
}

/// Container of an exported probability map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbabilityFormat {
    Tiff,
    H5,
}

/// Reads a multichannel image, choosing the reader by extension; channel names are resolved
/// (sidecar CSV, OME-XML, `panel.csv`) or generated.
pub fn read_image(path: &Path) -> Result<Image> {
    let _ = path;
    todo!("io: read_image")
}

/// Writes `image` as a TIFF stack, one page per channel.
pub fn write_tiff_stack(path: &Path, image: &Image, sample: SampleType) -> Result<()> {
    let _ = (path, image, sample);
    todo!("io: write_tiff_stack")
}

/// Writes `image` as HDF5 in `layout`, with the vigra `axistags` attribute ilastik reads.
pub fn write_h5_image(path: &Path, image: &Image, layout: &H5Layout) -> Result<()> {
    let _ = (path, image, layout);
    todo!("io: write_h5_image")
}

/// Reads a label image (TIFF, PNG or HDF5), values 0 = unlabeled, 1..=K classes.
pub fn read_label_image(path: &Path) -> Result<Array2<u8>> {
    let _ = path;
    todo!("io: read_label_image")
}

/// Writes a label image; the format follows the extension (.tiff or .png).
pub fn write_label_image(path: &Path, labels: &Array2<u8>) -> Result<()> {
    let _ = (path, labels);
    todo!("io: write_label_image")
}

/// Writes per-class probabilities `probs` (class, y, x), values in [0, 1], as ilastik's export does
/// (uint16 renormalized [0,1] -> [0,65535], or float32).
pub fn write_probabilities(
    path: &Path,
    probs: &Array3<f32>,
    sample: SampleType,
    format: ProbabilityFormat,
) -> Result<()> {
    let _ = (path, probs, sample, format);
    todo!("io: write_probabilities")
}

/// Reads a probability map written by [`write_probabilities`] or by ilastik, as (class, y, x) in [0, 1].
pub fn read_probabilities(path: &Path) -> Result<Array3<f32>> {
    let _ = path;
    todo!("io: read_probabilities")
}

/// Runs `write` on a temporary path beside `path`, then renames it into place; on error the
/// temporary file is removed, so no half-written output is ever left under the final name.
pub fn atomic_write<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    let _ = (path, write);
    todo!("io: atomic_write")
}
