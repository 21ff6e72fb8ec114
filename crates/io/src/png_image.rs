//! PNG decoding for both of its uses: label images (palette indices kept as values) and raw
//! images such as ilastik's test data (grey, RGB, RGBA: one channel per sample, as ilastik
//! reads them).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use ndarray::Array3;

use crate::error::{format_err, io_err, Result};

/// What a palette PNG's values mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Palette {
    /// The indices are the values (label images).
    Indices,
    /// The indices are looked up in the palette (images).
    Colours,
}

/// Decodes `path` into (channel, y, x) values; 8- and 16-bit samples.
pub(crate) fn read_png(path: &Path, palette: Palette) -> Result<Array3<f32>> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let mut decoder = png::Decoder::new(BufReader::new(file));
    if palette == Palette::Colours {
        decoder.set_transformations(png::Transformations::EXPAND);
    }
    let bad = |e: png::DecodingError| format_err(path, format!("cannot decode PNG: {e}"));
    let mut reader = decoder.read_info().map_err(bad)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| format_err(path, "PNG too large to decode"))?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(bad)?;
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.color_type.samples();
    let values: Vec<f32> = match info.bit_depth {
        png::BitDepth::Eight => buf[..w * h * channels]
            .iter()
            .map(|&v| f32::from(v))
            .collect(),
        png::BitDepth::Sixteen => buf[..w * h * channels * 2]
            .chunks_exact(2)
            .map(|b| f32::from(u16::from_be_bytes([b[0], b[1]])))
            .collect(),
        other => {
            return Err(format_err(
                path,
                format!("PNG with {other:?} samples (8 or 16 bits are read)"),
            ))
        }
    };
    // Interleaved (y, x, c) -> (c, y, x).
    let yxc = Array3::from_shape_vec((h, w, channels), values)
        .map_err(|e| format_err(path, e.to_string()))?;
    Ok(yxc
        .permuted_axes([2, 0, 1])
        .as_standard_layout()
        .into_owned())
}

/// Writes an 8-bit RGB picture (y, x, 3) as PNG, atomically (a contact sheet, an overlay).
pub fn write_rgb_png(path: &Path, rgb: &Array3<u8>) -> Result<()> {
    let (h, w, c) = rgb.dim();
    if c != 3 || h == 0 || w == 0 {
        return Err(format_err(
            path,
            format!("not an RGB picture: {:?}", rgb.dim()),
        ));
    }
    let (wu, hu) = (
        u32::try_from(w).map_err(|_| format_err(path, "picture too wide for PNG"))?,
        u32::try_from(h).map_err(|_| format_err(path, "picture too tall for PNG"))?,
    );
    let data: Vec<u8> = rgb.iter().copied().collect();
    crate::atomic_write(path, |tmp| {
        let file = File::create(tmp).map_err(|e| io_err(tmp, e))?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), wu, hu);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let bad = |e: png::EncodingError| format_err(path, format!("cannot write PNG: {e}"));
        let mut writer = encoder.write_header().map_err(bad)?;
        writer.write_image_data(&data).map_err(bad)?;
        writer.finish().map_err(bad)
    })
}
