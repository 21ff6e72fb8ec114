//! Fluidigm / Standard BioTools `.mcd` files: the schema at the end, acquisition pixel blocks.
//!
//! Follows readimc's `MCDFile` (0.9.2): the schema is UTF-16LE XML between the last
//! `<MCDSchema` and the `</MCDSchema>` after it (older files hold several; the last one
//! counts); an acquisition's pixels are float32 rows of `3 + channels` values (X, Y, Z, then one
//! per channel) between `DataStartOffset` and `DataEndOffset`, placed at (X, Y) in a
//! `MaxY` x `MaxX` image that starts as zeros.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ndarray::Array3;

use crate::budget::check_samples;
use crate::error::{format_err, io_err, Result};
use crate::mcd_schema::{Acquisition, Slide};

/// An opened `.mcd` file: its slides (with panoramas and acquisitions).
#[derive(Debug, Clone)]
pub struct McdFile {
    path: PathBuf,
    len: u64,
    slides: Vec<Slide>,
}

/// An acquisition's pixels, `(channels, y, x)`, and whether every pixel was in the file.
#[derive(Debug, Clone)]
pub struct AcquisitionPixels {
    /// The pixels, `(channels, y, x)`.
    pub data: Array3<f32>,
    /// Pixels stored in the data block; fewer than width x height when the acquisition was
    /// stopped early (the rest are zeros, as readimc leaves them).
    pub stored: usize,
}

impl AcquisitionPixels {
    /// Whether the block held every pixel of the image.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        let (_, h, w) = self.data.dim();
        self.stored >= h * w
    }
}

const START: &str = "<MCDSchema";
/// How far from the end the schema is looked for: schemas are a few MB even for hundreds of
/// acquisitions; this bounds the memory a file that is no `.mcd` can take.
const MAX_TAIL: u64 = 256 << 20;
const END: &str = "</MCDSchema>";

impl McdFile {
    /// Opens `path` and parses its schema.
    ///
    /// # Errors
    /// The file cannot be read, has no schema, or the schema is malformed.
    pub fn open(path: &Path) -> Result<McdFile> {
        let mut file = File::open(path).map_err(|e| io_err(path, e))?;
        let len = file.metadata().map_err(|e| io_err(path, e))?.len();
        let xml = read_schema(path, &mut file, len)?;
        let slides = crate::mcd_schema::parse_slides(&xml)
            .map_err(|m| format_err(path, format!("corrupted MCD schema: {m}")))?;
        Ok(McdFile {
            path: path.to_path_buf(),
            len,
            slides,
        })
    }

    /// The slides, by id.
    #[must_use]
    pub fn slides(&self) -> &[Slide] {
        &self.slides
    }

    /// Every acquisition of every slide, in slide then acquisition id order.
    pub fn acquisitions(&self) -> impl Iterator<Item = &Acquisition> {
        self.slides.iter().flat_map(|s| s.acquisitions.iter())
    }

    /// The number of pixels an acquisition's data block holds, from its offsets alone.
    ///
    /// # Errors
    /// As [`McdFile::read_acquisition`], for everything but the pixel positions.
    pub fn stored_pixels(&self, acq: &Acquisition) -> Result<u64> {
        let path = &self.path;
        let err = |m: String| format_err(path, format!("acquisition {}: {m}", acq.id));
        let (start, end) = (acq.data_start, acq.data_end);
        if acq.value_bytes != 4 {
            return Err(err(format!(
                "{} bytes per value, expected 4 (float32)",
                acq.value_bytes
            )));
        }
        if start >= end {
            return Err(err(format!(
                "no pixel data (DataStartOffset {start}, DataEndOffset {end})"
            )));
        }
        if end > self.len {
            return Err(err(format!(
                "data truncated: block ends at {end}, file is {} bytes",
                self.len
            )));
        }
        let values = acq.channels.len() + 3;
        let pixel_bytes = values as u64 * 4;
        if (end - start) % pixel_bytes != 0 {
            return Err(err(format!(
                "data truncated: {} bytes is not a whole number of {values}-value pixels",
                end - start
            )));
        }
        Ok((end - start) / pixel_bytes)
    }

    /// Reads an acquisition's pixels.
    ///
    /// # Errors
    /// The block is empty, reaches past the end of the file, is not a whole number of pixels
    /// (readimc's strict check), or places a pixel outside `MaxX` x `MaxY`.
    pub fn read_acquisition(&self, acq: &Acquisition) -> Result<AcquisitionPixels> {
        let path = &self.path;
        let err = |m: String| format_err(path, format!("acquisition {}: {m}", acq.id));
        let pixels = self.stored_pixels(acq)?;
        let (start, values) = (acq.data_start, acq.channels.len() + 3);
        let (c, h, w) = (acq.channels.len(), acq.height, acq.width);
        let samples = (c as u128) * (h as u128) * (w as u128);
        check_samples(path, samples, &format!("a {c} x {h} x {w} acquisition"))?;
        let mut data = Array3::<f32>::zeros((c, h, w));
        let mut file = File::open(path).map_err(|e| io_err(path, e))?;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| io_err(path, e))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut row = vec![0u8; values * 4];
        let value = |i: usize, row: &[u8]| {
            f32::from_le_bytes([row[4 * i], row[4 * i + 1], row[4 * i + 2], row[4 * i + 3]])
        };
        for _ in 0..pixels {
            reader.read_exact(&mut row).map_err(|e| io_err(path, e))?;
            // numpy's astype(int): truncation toward zero.
            let (x, y) = (value(0, &row) as i64, value(1, &row) as i64);
            let inside = (0..w as i64).contains(&x) && (0..h as i64).contains(&y);
            if !inside {
                return Err(err(format!(
                    "pixel at ({x}, {y}) outside the {w} x {h} image"
                )));
            }
            for k in 0..c {
                data[[k, y as usize, x as usize]] = value(k + 3, &row);
            }
        }
        let stored = usize::try_from(pixels).unwrap_or(usize::MAX);
        Ok(AcquisitionPixels { data, stored })
    }
}

/// The UTF-16LE schema text: searched in growing tails of the file, since it sits at the end.
fn read_schema(path: &Path, file: &mut File, len: u64) -> Result<String> {
    let start_pat = utf16le(START);
    let end_pat = utf16le(END);
    let mut tail_len = (1u64 << 20).min(len);
    loop {
        let mut tail = vec![0u8; usize::try_from(tail_len).unwrap_or(usize::MAX)];
        file.seek(SeekFrom::Start(len - tail_len))
            .map_err(|e| io_err(path, e))?;
        file.read_exact(&mut tail).map_err(|e| io_err(path, e))?;
        if let Some(s) = rfind(&tail, &start_pat) {
            let e = rfind(&tail[s..], &end_pat).ok_or_else(|| {
                format_err(path, format!("corrupted MCD: no {END} after {START}"))
            })?;
            return decode_utf16le(path, &tail[s..s + e + end_pat.len()]);
        }
        if tail_len == len || tail_len >= MAX_TAIL {
            let within = if tail_len == len {
                ""
            } else {
                " in the last 256 MiB"
            };
            return Err(format_err(
                path,
                format!("not an MCD file: no {START} schema found{within}"),
            ));
        }
        tail_len = (tail_len * 4).min(len).min(MAX_TAIL);
    }
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn decode_utf16le(path: &Path, bytes: &[u8]) -> Result<String> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    String::from_utf16(&units)
        .map_err(|_| format_err(path, "corrupted MCD: schema is not UTF-16LE text"))
}
