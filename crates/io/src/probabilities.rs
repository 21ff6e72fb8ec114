//! Probability export, compatible with ilastik's "Convert to datatype: uint16" +
//! "Renormalize [0,1] -> [0,65535]" export.
//!
//! Facts, from ilastik's `lazyflow/operators/ioOperators/opFormattedDataExport.py`
//! (`OpFormattedDataExport.setupOutputs`, inner `normalize`): the scale factor is
//! `frac = float32((65535 - 0) / (1.0 - 0.0))` and the result is
//! `numpy.asarray(0 + (a - 0.0) * frac, uint16)` with `a` the float32 prediction: the product
//! is computed in float32 and the cast to uint16 TRUNCATES (no rounding). So 0.5 -> 32767.
//!
//! Axis order: without `--output_axis_order` ilastik keeps the input's original axis order;
//! its `tiff` format for a 2-D result goes through `OpExport2DImage` (vigra `writeImage`),
//! one page with the classes as interleaved samples. steinbock's
//! `steinbock/classification/ilastik/_ilastik.py` (`run_pixel_classification`) asks for
//! `--output_format=tiff --export_dtype=uint16 --output_axis_order=yxc
//! --pipeline_result_drange=(0.0,1.0) --export_drange=(0,65535)`, i.e. a `yxc` uint16 map.
//! We write TIFF the same way: one LZW-compressed page (vigra's default), `(y, x)` pixels with one sample per class
//! (RGB photometric for 3 classes, as vigra writes 3 bands), which tifffile reads as `(y, x, c)`
//! and CellProfiler as one colour image (the downstream segmentation pipelines split it with
//! ColorToGray). More than [`MAX_INTERLEAVED`] classes fall back to one page per class.
//! [`read_probabilities`] reads both layouts. The H5 format mirrors ilastik's: dataset
//! `exported_data`, shape `(y, x, c)`, `yxc` axistags.

use std::path::Path;

use ndarray::Array3;

use crate::error::{format_err, Result};
use crate::h5_rows::{H5RowWriter, RowLayout};
use crate::interleaved::write_interleaved;
pub use crate::interleaved::MAX_INTERLEAVED;
use crate::tiff_stack::{read_tiff_stack, write_stack_pages, StoredType};
use crate::{atomic_write, h5_image, Kind, ProbabilityFormat, SampleType, TiffCompression};

/// ilastik's default internal dataset name for exports.
pub const EXPORT_DATASET: &str = "exported_data";

/// One probability as ilastik's uint16 renormalized export stores it (float32 product,
/// truncated). Values outside [0, 1] saturate (numpy's cast would wrap; ilastik never
/// produces them).
pub fn renormalize_u16(p: f32) -> u16 {
    let scaled = p * 65535.0f32;
    if scaled.is_nan() {
        0
    } else {
        scaled.clamp(0.0, 65535.0) as u16
    }
}

/// Writes a probability map (class, y, x) as ilastik's export does, LZW-compressed TIFF.
pub fn write_probabilities(
    path: &Path,
    probs: &Array3<f32>,
    sample: SampleType,
    format: ProbabilityFormat,
) -> Result<()> {
    write_probabilities_compressed(path, probs, sample, format, TiffCompression::Lzw)
}

/// [`write_probabilities`] with the TIFF compression chosen (ignored for HDF5).
pub fn write_probabilities_compressed(
    path: &Path,
    probs: &Array3<f32>,
    sample: SampleType,
    format: ProbabilityFormat,
    compression: TiffCompression,
) -> Result<()> {
    let (c, h, w) = probs.dim();
    match format {
        ProbabilityFormat::Tiff => {
            // Already truncated to integers, so the writer's rounding is a no-op.
            let data = match sample {
                SampleType::U16 => probs.mapv(|p| f32::from(renormalize_u16(p))),
                SampleType::F32 => probs.clone(),
            };
            if c <= MAX_INTERLEAVED {
                atomic_write(path, |tmp| {
                    write_interleaved(tmp, &data, sample, compression)
                })
            } else {
                atomic_write(path, |tmp| write_stack_pages(tmp, &data, sample))
            }
        }
        ProbabilityFormat::H5 => atomic_write(path, |tmp| {
            let layout = RowLayout::Export {
                name: EXPORT_DATASET.into(),
                sample,
            };
            let mut writer = H5RowWriter::create(tmp, layout, (c, h, w))?;
            writer.write_rows(probs.view())?;
            writer.finish()
        }),
    }
}

/// Writes uint16 planes `(c, y, x)` as they are (no renormalising), one page with the planes
/// interleaved (more than [`MAX_INTERLEAVED`]: a page per plane), atomically: the form
/// CellProfiler's SaveImages gives a 16-bit colour image.
///
/// # Errors
/// A write failure, named with `path`.
pub fn write_u16_planes(
    path: &Path,
    planes: &Array3<u16>,
    compression: TiffCompression,
) -> Result<()> {
    // Integers up to 65535 are exact in f32, and the writer rounds them back unchanged.
    let data = planes.mapv(f32::from);
    if planes.dim().0 <= MAX_INTERLEAVED {
        atomic_write(path, |tmp| {
            write_interleaved(tmp, &data, SampleType::U16, compression)
        })
    } else {
        atomic_write(path, |tmp| write_stack_pages(tmp, &data, SampleType::U16))
    }
}

/// Reads a probability map (TIFF or ilastik HDF5 export) as `(class, y, x)` f32; uint16 and uint8 maps are scaled back to [0, 1].
pub fn read_probabilities(path: &Path) -> Result<Array3<f32>> {
    let (data, stored) = match Kind::of(path)? {
        Kind::Tiff => {
            let s = read_tiff_stack(path)?;
            (s.data, s.stored)
        }
        Kind::H5 => {
            let file = h5_image::open(path)?;
            let name = h5_image::pick_dataset(path, &file, &[EXPORT_DATASET])?;
            let d = h5_image::read_dataset(path, &file, &name)?;
            (d.data, d.stored)
        }
        Kind::Png => {
            return Err(format_err(
                path,
                "probability maps are read from TIFF or HDF5",
            ))
        }
    };
    Ok(match stored {
        StoredType::U16 => data.mapv(|v| v / 65535.0),
        StoredType::U8 => data.mapv(|v| v / 255.0),
        StoredType::Float => data,
        StoredType::U32 | StoredType::Other => {
            return Err(format_err(
                path,
                "probabilities must be stored as uint8, uint16 or float",
            ))
        }
    })
}
