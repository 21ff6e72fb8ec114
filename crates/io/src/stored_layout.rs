//! How a raw image file lays out its pixels, as ilastik's readers see it: the axis keys and shape
//! in stored order (and the dataset inside an HDF5 file). ilastik takes a lane's shape from the
//! file and checks the project's `axistags` against it, so a project must describe each file as
//! it is stored (`zyxc` for ImcSegmentationPipeline h5, `cyx` for steinbock h5 and multi-page
//! TIFFs, `yx` / `yxc` for single-page TIFFs).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use tiff::decoder::Decoder;

use crate::error::{format_err, io_err, Result};
use crate::{h5_image, image_stem, Kind};

/// A file's stored layout: `axes` and `shape` in the same (stored) order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLayout {
    /// The image dataset inside an HDF5 file; `None` for TIFF.
    pub dataset: Option<String>,
    /// vigra axis keys in stored order, e.g. `zyxc`.
    pub axes: String,
    /// The stored shape, in `axes` order.
    pub shape: Vec<usize>,
}

/// The dataset [`crate::read_image`] reads from an HDF5 file: the one named after the file stem
/// (ImcSegmentationPipeline), else `img`, `crop`, `exported_data`, `data`, else the only one.
pub(crate) fn image_dataset(path: &Path, file: &rust_hdf5::H5File) -> Result<String> {
    let stem = image_stem(path);
    h5_image::pick_dataset(path, file, &crate::preferred_datasets(&stem))
}

/// The stored layout of the image [`crate::read_image`] would read from `path`.
///
/// # Errors
/// An unreadable file, or a layout ilastik cannot read as one image (a multi-page TIFF whose
/// pages hold several samples each; PNG, which pixelforest reads only as label images).
pub fn stored_layout(path: &Path) -> Result<StoredLayout> {
    match Kind::of(path)? {
        Kind::H5 => {
            let file = h5_image::open(path)?;
            let name = image_dataset(path, &file)?;
            let (axes, shape) = h5_image::stored_axes(path, &file, &name)?;
            Ok(StoredLayout {
                dataset: Some(name.trim_start_matches('/').to_string()),
                axes,
                shape,
            })
        }
        Kind::Tiff => tiff_layout(path),
        Kind::Png => Err(format_err(
            path,
            "PNG files are read as label images, not raw images",
        )),
    }
}

/// Pages and samples per pixel, read from the TIFF's directories without decoding pixels.
/// tifffile (which ilastik's TIFF reader uses) gives one page `(y, x)` or `(y, x, samples)`,
/// and equal pages `(pages, y, x)`.
fn tiff_layout(path: &Path) -> Result<StoredLayout> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let bad = |e: tiff::TiffError| format_err(path, format!("cannot read TIFF directory: {e}"));
    let mut decoder = Decoder::new(BufReader::new(file)).map_err(bad)?;
    let (w, h) = decoder.dimensions().map_err(bad)?;
    let samples = crate::tiff_stack::samples_per_pixel(decoder.colortype().map_err(bad)?);
    let planar = decoder
        .find_tag_unsigned::<u16>(tiff::tags::Tag::PlanarConfiguration)
        .ok()
        .flatten()
        .unwrap_or(1);
    if samples > 1 && planar == 2 {
        // ilastik's TIFF reader asserts one planar sample per page (opTiffReader.py).
        return Err(format_err(
            path,
            format!("{samples} samples stored as separate planes: ilastik reads only interleaved samples"),
        ));
    }
    let mut pages = 1usize;
    while decoder.more_images() {
        decoder.next_image().map_err(bad)?;
        pages += 1;
    }
    let (h, w) = (h as usize, w as usize);
    let (axes, shape) = match (pages, samples) {
        (1, 1) => ("yx", vec![h, w]),
        (1, s) => ("yxc", vec![h, w, s]),
        (p, 1) => ("cyx", vec![p, h, w]),
        (p, s) => {
            return Err(format_err(
                path,
                format!(
                    "{p} pages of {s} samples each: ilastik reads either channels as pages or \
                     as samples, not both"
                ),
            ))
        }
    };
    Ok(StoredLayout {
        dataset: None,
        axes: axes.to_string(),
        shape,
    })
}
