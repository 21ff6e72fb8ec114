//! The io layer: every file format pixelforest reads or writes, and nothing else.
//!
//! Contract used by the layers above:
//! - [`read_image`] opens any supported image (TIFF/OME-TIFF stack, ilastik/steinbock HDF5) as an [`Image`].
//! - [`write_tiff_stack`] / [`write_h5_image`] write stacks in the reference workflow's layouts.
//! - [`read_label_image`] / [`write_label_image`] for sparse label maps (0 = unlabeled).
//! - [`write_probabilities`] / [`read_probabilities`]: ilastik-compatible probability export.
//! - [`atomic_write`]: every output goes through an exclusive temporary file, an fsync and a rename;
//!   [`remove_stale_temp_files`] clears what killed runs left.
//! - [`RowReader`] reads an image band by band; [`TiffBandWriter`], [`H5BandWriter`] and
//!   [`ProbabilityBandWriter`] write outputs band by band (memory bounded by the band).
//! - [`image_shape`] (headers only) and [`read_pixels`] (no channel names), for checks of existing files.
//! - [`McdFile`] / [`read_imc_txt`]: IMC instrument files (`.mcd`, `.txt`), as readimc reads them.
//! - Declared sizes are checked against the file and the memory budget (`PIXELFOREST_MAX_IMAGE_BYTES`) before anything is allocated.
//!
//! All errors name the file and the problem ([`IoError`]).
//!
//! ```
//! use ndarray::Array3;
//! use pixelforest_io::{read_image, write_tiff_stack, Image, SampleType};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("a_ilastik.tiff");
//! let data = Array3::from_shape_fn((2, 3, 4), |(c, y, x)| (c * 100 + y * 10 + x) as f32);
//! let image = Image::new(data, vec!["DNA1".into(), "CD45".into()]).unwrap();
//! write_tiff_stack(&path, &image, SampleType::U16).unwrap();
//! let back = read_image(&path).unwrap();
//! assert_eq!(back.data(), image.data());
//! ```

#![warn(missing_docs)]

mod atomic;
mod axistags;
mod band_writers;
mod budget;
mod channel_names;
mod error;
pub mod h5_image;
mod h5_path;
mod h5_rows;
mod image_info;
mod imc_channel;
mod imc_panel;
mod imc_txt;
mod interleaved;
mod labels;
mod mask_reader;
mod masks;
mod mcd;
mod mcd_schema;
mod ome;
mod panel;
mod parquet_table;
mod png_image;
mod probabilities;
mod py_float;
mod row_reader;
mod stored_layout;
mod table;
mod tiff_bands;
mod tiff_rows;
mod tiff_stack;

use std::path::Path;

use ndarray::{Array2, Array3};
pub use pixelforest_core::Image;

pub use atomic::{atomic_write, remove_stale_temp_files};
pub use axistags::axistags_json;
pub use band_writers::{H5BandWriter, ProbabilityBandWriter, TiffBandWriter};
pub use channel_names::image_stem;
use channel_names::resolve_channel_names;
pub use error::{IoError, Result};
pub use h5_path::{image_axes, split_h5_path, H5DatasetPath};
pub use image_info::{write_image_info, AcquisitionInfo, ImageInfo};
pub use imc_channel::ImcChannel;
pub use imc_panel::{panel_from_channels, write_panel, PanelRow};
pub use imc_txt::{read_imc_txt, read_imc_txt_channels, ImcTxt};
pub use labels::read_label_image;
pub use mask_reader::read_mask;
pub use masks::write_mask;
pub use mcd::{AcquisitionPixels, McdFile};
pub use mcd_schema::{Acquisition, Panorama, Slide};
pub use panel::{
    read_panel, read_panel_channels, read_panel_groups, ChannelGroup, PanelGroups, MEAN_CHANNEL,
};
pub use parquet_table::write_table_parquet;
pub use png_image::write_rgb_png;
pub use probabilities::{
    read_probabilities, renormalize_u16, write_probabilities, write_probabilities_compressed,
    write_u16_planes, EXPORT_DATASET, MAX_INTERLEAVED,
};
pub use py_float::{py_repr_f32, py_repr_f64};
pub use row_reader::RowReader;
pub use stored_layout::{stored_layout, StoredLayout};
pub use table::{read_table_csv, write_table_csv, Column, ColumnData, Table};
pub use tiff_stack::StoredType;

use error::format_err;

/// Sample type for stacks and probability maps on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleType {
    /// 16-bit unsigned integers (the workflow's stacks and ilastik's uint16 export).
    U16,
    /// 32-bit floats.
    F32,
}

/// HDF5 layouts of the reference workflows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum H5Layout {
    /// ImcSegmentationPipeline: one dataset named after the file stem, (1, y, x, c) `zyxc`, uint16.
    Ilastik,
    /// steinbock: dataset `name` (`img` or `crop`), float32, (c, y, x).
    Steinbock {
        /// The dataset's name.
        name: String,
    },
}

/// Compression of a written TIFF. ilastik's probability export goes through vigra's
/// `writeImage`, whose TIFF encoder defaults to LZW (`src/impex/tiff.cxx`, `TIFFEncoderImpl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TiffCompression {
    /// Uncompressed.
    None,
    #[default]
    /// LZW (vigra's and ilastik's default).
    Lzw,
    /// Deflate (zlib).
    Deflate,
}

/// Container of an exported probability map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbabilityFormat {
    /// A TIFF (ilastik's "tiff" export).
    Tiff,
    /// An HDF5 file (ilastik's "hdf5" export, dataset `exported_data`).
    H5,
}

/// File kinds, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tiff,
    H5,
    Png,
}

impl Kind {
    pub(crate) fn of(path: &Path) -> Result<Kind> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "tif" | "tiff" => Ok(Kind::Tiff),
            "h5" | "hdf5" => Ok(Kind::H5),
            "png" => Ok(Kind::Png),
            _ => Err(IoError::UnsupportedExtension {
                path: path.to_path_buf(),
            }),
        }
    }
}

fn named(path: &Path, data: Array3<f32>, description: Option<&str>) -> Result<Image> {
    let names = resolve_channel_names(path, data.shape()[0], description)?;
    Image::new(data, names).map_err(|e| format_err(path, e.to_string()))
}

/// Reads a multichannel image, choosing the reader by extension; channel names are resolved
/// (sidecar CSV, OME-XML, `panel.csv`) or generated.
///
/// HDF5: the dataset named after the file stem (ImcSegmentationPipeline), else `img`, `crop`,
/// `exported_data`, `data`, else the only dataset; see [`h5_image`] for axis orders. A path
/// `file.h5/dataset` (ilastik's form) reads that dataset of `file.h5`.
pub fn read_image(path: &Path) -> Result<Image> {
    if let Some(inner) = split_h5_path(path) {
        let file = h5_image::open(&inner.file)?;
        let d = h5_image::read_dataset(&inner.file, &file, &inner.dataset)?;
        return named(&inner.file, d.data, None);
    }
    let (data, description) = read_stack(path)?;
    named(path, data, description.as_deref())
}

/// The pixels [`read_image`] reads, `(c, y, x)`, without resolving channel names: for checks of
/// a file's content (e.g. whether an existing output is complete).
pub fn read_pixels(path: &Path) -> Result<Array3<f32>> {
    read_stack(path).map(|(data, _)| data)
}

/// The pixels of an image and, for TIFF, its first page's description (OME-XML).
fn read_stack(path: &Path) -> Result<(Array3<f32>, Option<String>)> {
    match Kind::of(path)? {
        Kind::Tiff => {
            let stack = tiff_stack::read_tiff_stack(path)?;
            Ok((stack.data, stack.description))
        }
        Kind::H5 => {
            let file = h5_image::open(path)?;
            let name = stored_layout::image_dataset(path, &file)?;
            Ok((h5_image::read_dataset(path, &file, &name)?.data, None))
        }
        Kind::Png => Ok((
            png_image::read_png(path, png_image::Palette::Colours)?,
            None,
        )),
    }
}

/// The datasets [`read_image`] looks for in an HDF5 file, in order.
pub(crate) fn preferred_datasets(stem: &str) -> [&str; 5] {
    [stem, "img", "crop", EXPORT_DATASET, "data"]
}

/// The `(channels, y, x)` size of the image [`read_image`] would read, from headers only (no
/// pixel is decoded, except for PNG): what resume checks compare an existing output against.
pub fn image_shape(path: &Path) -> Result<[usize; 3]> {
    if let Some(inner) = split_h5_path(path) {
        let file = h5_image::open(&inner.file)?;
        return h5_image::dataset_shape(&inner.file, &file, &inner.dataset);
    }
    match Kind::of(path)? {
        Kind::Tiff => tiff_stack::read_tiff_shape(path),
        Kind::H5 => {
            let file = h5_image::open(path)?;
            let name = stored_layout::image_dataset(path, &file)?;
            h5_image::dataset_shape(path, &file, &name)
        }
        Kind::Png => {
            let (c, h, w) = png_image::read_png(path, png_image::Palette::Colours)?.dim();
            Ok([c, h, w])
        }
    }
}

/// Writes `image` as a TIFF stack, one uncompressed page per channel, which tifffile reads as
/// `(c, y, x)`. `U16` rounds and clamps to [0, 65535].
pub fn write_tiff_stack(path: &Path, image: &Image, sample: SampleType) -> Result<()> {
    atomic_write(path, |tmp| {
        tiff_stack::write_stack_pages(tmp, image.data(), sample)
    })
}

/// Writes `image` as an OME-TIFF stack: one uncompressed page per channel, the channel names in
/// the OME-XML of the first page (tifffile reads `(c, y, x)` and the names). `U16` rounds and
/// clamps to [0, 65535].
pub fn write_ome_tiff_stack(path: &Path, image: &Image, sample: SampleType) -> Result<()> {
    let xml = ome::ome_xml(image.channels(), image.height(), image.width(), sample);
    atomic_write(path, |tmp| {
        tiff_stack::write_described_pages(tmp, image.data(), sample, Some(&xml))
    })
}

/// Writes `image` as HDF5 in `layout`, with the vigra `axistags` attribute ilastik reads.
/// The ilastik layout rounds and clamps to uint16. Datasets are chunked and gzip-compressed.
pub fn write_h5_image(path: &Path, image: &Image, layout: &H5Layout) -> Result<()> {
    atomic_write(path, |tmp| {
        // The ilastik layout names its dataset after the final file, not the temporary one.
        let data = image.data();
        match layout {
            H5Layout::Ilastik => h5_image::write_ilastik_named(tmp, &image_stem(path), data),
            H5Layout::Steinbock { .. } => h5_image::write_layout(tmp, data, layout),
        }
    })
}

/// Writes a label image; the format follows the extension (.tiff or .png).
pub fn write_label_image(path: &Path, labels: &Array2<u8>) -> Result<()> {
    Kind::of(path)?;
    atomic_write(path, |tmp| labels::write_labels_to(tmp, path, labels))
}
