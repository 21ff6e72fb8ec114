//! Label masks as CellProfiler's ConvertObjectsToImage ("uint16") + SaveImages ("16-bit
//! integer", tiff) write them, the form steinbock's `masks/` and ImcSegmentationPipeline's
//! `masks/` hold: one uncompressed page of `uint16` object numbers, 0 = background.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use ndarray::Array2;
use tiff::encoder::{colortype, TiffEncoder};

use crate::atomic_write;
use crate::error::{format_err, io_err, Result};

/// Writes `labels` to `path` (`.tiff`/`.tif`) atomically.
///
/// # Errors
/// A label above 65535 or below 0 (the mask format holds uint16), or a write failure.
pub fn write_mask(path: &Path, labels: &Array2<i32>) -> Result<()> {
    let (h, w) = labels.dim();
    let mut buf = Vec::with_capacity(h * w);
    for &v in labels.iter() {
        let v = u16::try_from(v).map_err(|_| {
            format_err(
                path,
                format!("object number {v} does not fit a uint16 mask"),
            )
        })?;
        buf.push(v);
    }
    atomic_write(path, |tmp| {
        let werr = |e: tiff::TiffError| format_err(path, format!("cannot write TIFF: {e}"));
        let file = File::create(tmp).map_err(|e| io_err(tmp, e))?;
        let mut enc = TiffEncoder::new(BufWriter::new(file)).map_err(werr)?;
        enc.write_image::<colortype::Gray16>(w as u32, h as u32, &buf)
            .map_err(werr)
    })
}
