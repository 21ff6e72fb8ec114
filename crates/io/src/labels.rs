//! Label images: `u8` maps, 0 = unlabeled, 1..=K classes. TIFF, PNG and HDF5 read; TIFF and
//! PNG written. Wider integer labels are accepted while every value fits in `u8`.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use ndarray::{Array2, Array3, Axis};
use tiff::encoder::{colortype, TiffEncoder};

use crate::error::{format_err, io_err, Result};
use crate::tiff_stack::{read_tiff_stack, StoredType};
use crate::{h5_image, Kind};

/// Converts a single-channel `(1, y, x)` stack of integer values into `u8` labels.
fn to_labels(path: &Path, data: Array3<f32>, stored: StoredType) -> Result<Array2<u8>> {
    if data.shape()[0] != 1 {
        return Err(format_err(
            path,
            format!(
                "wrong dims: a label image needs one channel, found {}",
                data.shape()[0]
            ),
        ));
    }
    if let Some(v) = data
        .iter()
        .find(|v| !(0.0..=255.0).contains(*v) || v.fract() != 0.0)
    {
        let kind = if stored == StoredType::Float {
            "float"
        } else {
            "integer"
        };
        return Err(format_err(
            path,
            format!("label value {v} ({kind}) is not an integer in 0..=255"),
        ));
    }
    Ok(data.index_axis(Axis(0), 0).mapv(|v| v as u8))
}

/// Reads a label image (TIFF, PNG or HDF5: the first dataset, 2-D or with singleton axes).
pub fn read_label_image(path: &Path) -> Result<Array2<u8>> {
    match Kind::of(path)? {
        Kind::Tiff => {
            let s = read_tiff_stack(path)?;
            to_labels(path, s.data, s.stored)
        }
        Kind::H5 => {
            let file = h5_image::open(path)?;
            let name = h5_image::pick_dataset(path, &file, &["labels", "label", "exported_data"])?;
            let d = h5_image::read_dataset(path, &file, &name)?;
            to_labels(path, d.data, d.stored)
        }
        Kind::Png => read_png(path),
    }
}

fn read_png(path: &Path) -> Result<Array2<u8>> {
    let data = crate::png_image::read_png(path, crate::png_image::Palette::Indices)?;
    if data.shape()[0] != 1 {
        return Err(format_err(
            path,
            format!(
                "a label PNG has one sample per pixel (grey or palette), this one has {}",
                data.shape()[0]
            ),
        ));
    }
    to_labels(path, data, StoredType::U16)
}

/// Writes `labels` to `path` (not atomically: see [`crate::write_label_image`]).
pub fn write_labels_to(path: &Path, final_path: &Path, labels: &Array2<u8>) -> Result<()> {
    let (h, w) = labels.dim();
    let buf: Vec<u8> = labels.iter().copied().collect();
    let file = File::create(path).map_err(|e| io_err(path, e))?;
    match Kind::of(final_path)? {
        Kind::Tiff => {
            let werr =
                |e: tiff::TiffError| format_err(final_path, format!("cannot write TIFF: {e}"));
            let mut enc = TiffEncoder::new(BufWriter::new(file)).map_err(werr)?;
            enc.write_image::<colortype::Gray8>(w as u32, h as u32, &buf)
                .map_err(werr)
        }
        Kind::Png => {
            let perr =
                |e: png::EncodingError| format_err(final_path, format!("cannot write PNG: {e}"));
            let mut enc = png::Encoder::new(BufWriter::new(file), w as u32, h as u32);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            let mut writer = enc.write_header().map_err(perr)?;
            writer.write_image_data(&buf).map_err(perr)?;
            writer.finish().map_err(perr)
        }
        Kind::H5 => Err(format_err(
            final_path,
            "label images are written as .tiff or .png",
        )),
    }
}
