//! One-page TIFFs written band by band, so a probability or uncertainty map is never whole in
//! memory: the same bytes as the `tiff` crate's `ImageEncoder::write_data` (what
//! [`crate::interleaved`] and [`crate::tiff_stack`] write), strip after strip.
//!
//! Why not the crate's own strip writer: `ImageEncoder::write_strip` compresses only inside
//! `write_data` (it sets the compressor there; a strip written alone is stored uncompressed,
//! tiff 0.11.3 `src/encoder/mod.rs`), and its encoder borrows the file, so it cannot be kept
//! between bands. So this writes the directory itself, in the crate's order: header, the
//! rational and long tag values written when `new_image` sets them, the strips (compressed by
//! the crate's own LZW / Deflate), the values written when the image finishes, then the
//! directory. `tests/stream_io.rs` compares every byte with the crate's output.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ndarray::ArrayView3;
use tiff::encoder::compression::{CompressionAlgorithm, Deflate, DeflateLevel, Lzw};
use tiff::tags::{CompressionMethod, PhotometricInterpretation, Tag, Type};

use crate::error::{format_err, io_err, Result};
use crate::tiff_stack::to_u16;
use crate::{SampleType, TiffCompression};

/// TIFF writes strips of at most this many bytes (before compression), as the `tiff` crate.
const STRIP_BYTES: u64 = 1_000_000;

/// A one-page TIFF of `samples` interleaved samples per pixel, filled row band by row band.
pub(crate) struct TiffRowWriter {
    path: PathBuf,
    out: BufWriter<File>,
    offset: u64,
    width: usize,
    height: usize,
    samples: usize,
    sample: SampleType,
    compression: TiffCompression,
    rows_per_strip: usize,
    /// Encoded rows of the strip being filled.
    pending: Vec<u8>,
    pending_rows: usize,
    rows_done: usize,
    strip_offsets: Vec<u32>,
    strip_counts: Vec<u32>,
    /// Directory entries: tag, type, count, value or offset (little-endian bytes).
    entries: Vec<(u16, u16, u32, [u8; 4])>,
}

impl TiffRowWriter {
    /// Creates `path` (the temporary file of an atomic write) for a `height` x `width` page.
    pub(crate) fn create(
        path: &Path,
        (samples, height, width): (usize, usize, usize),
        sample: SampleType,
        compression: TiffCompression,
    ) -> Result<Self> {
        let too_big = |what: &str| format_err(path, format!("image too {what} for TIFF"));
        let w32 = u32::try_from(width).map_err(|_| too_big("wide"))?;
        let h32 = u32::try_from(height).map_err(|_| too_big("tall"))?;
        if width == 0 || height == 0 || samples == 0 {
            return Err(format_err(
                path,
                format!("cannot write TIFF: invalid dimensions {width}x{height}x{samples}"),
            ));
        }
        let file = File::create(path).map_err(|e| io_err(path, e))?;
        let bytes = sample_bytes(sample);
        let row_bytes = (width * samples * bytes) as u64;
        let rows_per_strip = STRIP_BYTES.div_ceil(row_bytes) as usize;
        let mut w = Self {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            offset: 0,
            width,
            height,
            samples,
            sample,
            compression,
            rows_per_strip,
            pending: Vec::new(),
            pending_rows: 0,
            rows_done: 0,
            strip_offsets: Vec::new(),
            strip_counts: Vec::new(),
            entries: Vec::new(),
        };
        let order: &[u8; 2] = if cfg!(target_endian = "little") {
            b"II"
        } else {
            b"MM"
        };
        w.put(order)?;
        w.put(&42u16.to_ne_bytes())?;
        w.put(&0u32.to_ne_bytes())?;
        let comp = match compression {
            TiffCompression::None => CompressionMethod::None,
            TiffCompression::Lzw => CompressionMethod::LZW,
            TiffCompression::Deflate => CompressionMethod::Deflate,
        };
        let photometric = if samples == 3 || samples == 4 {
            PhotometricInterpretation::RGB
        } else {
            PhotometricInterpretation::BlackIsZero
        };
        let rps = u32::try_from(rows_per_strip).map_err(|_| too_big("wide"))?;
        w.tag_u32(Tag::ImageWidth, &[w32])?;
        w.tag_u32(Tag::ImageLength, &[h32])?;
        w.tag_u16(Tag::Compression, &[comp.to_u16()])?;
        w.tag_u16(Tag::Predictor, &[1])?;
        w.tag_u16(Tag::PhotometricInterpretation, &[photometric.to_u16()])?;
        w.tag_u32(Tag::RowsPerStrip, &[rps])?;
        w.tag_u16(Tag::SamplesPerPixel, &[samples as u16])?;
        w.tag(Tag::XResolution, Type::RATIONAL, 1, &rational_one())?;
        w.tag(Tag::YResolution, Type::RATIONAL, 1, &rational_one())?;
        w.tag_u16(Tag::ResolutionUnit, &[1])?;
        let extra = if samples == 3 || samples == 4 {
            samples - 3
        } else {
            samples - 1
        };
        if extra > 0 {
            // Unassociated alpha, as `interleaved` marks the samples beyond the colour ones.
            w.tag_u16(Tag::ExtraSamples, &vec![2; extra])?;
        }
        Ok(w)
    }

    /// Appends `band` (sample, rows, width): rows in order, any number at a time.
    pub(crate) fn write_rows(&mut self, band: ArrayView3<f32>) -> Result<()> {
        let (c, n, w) = band.dim();
        if c != self.samples || w != self.width || self.rows_done + n > self.height {
            return Err(format_err(
                &self.path,
                format!(
                    "internal error: a band of {c}x{n}x{w} does not fit the {}x{}x{} image at \
                     row {}",
                    self.samples, self.height, self.width, self.rows_done
                ),
            ));
        }
        for y in 0..n {
            for x in 0..w {
                for s in 0..c {
                    let v = band[[s, y, x]];
                    match self.sample {
                        SampleType::U16 => self.pending.extend(to_u16(v).to_ne_bytes()),
                        SampleType::F32 => self.pending.extend(v.to_ne_bytes()),
                    }
                }
            }
            self.pending_rows += 1;
            self.rows_done += 1;
            if self.pending_rows == self.rows_per_strip || self.rows_done == self.height {
                self.flush_strip()?;
            }
        }
        Ok(())
    }

    /// Writes the directory; every row must have been written.
    pub(crate) fn finish(mut self) -> Result<()> {
        if self.rows_done != self.height {
            return Err(format_err(
                &self.path,
                format!(
                    "internal error: {} of {} rows written",
                    self.rows_done, self.height
                ),
            ));
        }
        let (bits, format) = match self.sample {
            SampleType::U16 => (16u16, 1u16),
            SampleType::F32 => (32, 3),
        };
        self.tag_u16(Tag::BitsPerSample, &vec![bits; self.samples])?;
        self.tag_u16(Tag::SampleFormat, &vec![format; self.samples])?;
        let offsets = std::mem::take(&mut self.strip_offsets);
        let counts = std::mem::take(&mut self.strip_counts);
        self.tag_u32(Tag::StripOffsets, &offsets)?;
        self.tag_u32(Tag::StripByteCounts, &counts)?;
        let ifd = self.offset_u32()?;
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by_key(|e| e.0);
        self.put(&(entries.len() as u16).to_ne_bytes())?;
        for (tag, ty, count, value) in entries {
            self.put(&tag.to_ne_bytes())?;
            self.put(&ty.to_ne_bytes())?;
            self.put(&count.to_ne_bytes())?;
            self.put(&value)?;
        }
        self.put(&0u32.to_ne_bytes())?;
        let path = self.path.clone();
        let mut file = self
            .out
            .into_inner()
            .map_err(|e| io_err(&path, e.into_error()))?;
        file.seek(SeekFrom::Start(4))
            .and_then(|_| file.write_all(&ifd.to_ne_bytes()))
            .map_err(|e| io_err(&path, e))
    }

    /// Compresses and writes the pending rows as one strip.
    fn flush_strip(&mut self) -> Result<()> {
        let raw = std::mem::take(&mut self.pending);
        self.pending_rows = 0;
        let offset = self.offset_u32()?;
        let encoded = match self.compression {
            TiffCompression::None => raw,
            TiffCompression::Lzw => compress(&self.path, Lzw, &raw)?,
            TiffCompression::Deflate => compress(
                &self.path,
                Deflate::with_level(DeflateLevel::default()),
                &raw,
            )?,
        };
        self.put(&encoded)?;
        self.strip_offsets.push(offset);
        let count = u32::try_from(encoded.len())
            .map_err(|_| format_err(&self.path, "strip too large for TIFF"))?;
        self.strip_counts.push(count);
        Ok(())
    }

    fn offset_u32(&self) -> Result<u32> {
        u32::try_from(self.offset)
            .map_err(|_| format_err(&self.path, "file larger than 4 GB: too large for TIFF"))
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| io_err(&self.path, e))?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    fn tag_u16(&mut self, tag: Tag, values: &[u16]) -> Result<()> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        self.tag(tag, Type::SHORT, values.len(), &bytes)
    }

    fn tag_u32(&mut self, tag: Tag, values: &[u32]) -> Result<()> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        self.tag(tag, Type::LONG, values.len(), &bytes)
    }

    /// Records a directory entry; a value longer than 4 bytes is written now, as the `tiff`
    /// crate does, and the entry points at it.
    fn tag(&mut self, tag: Tag, ty: Type, count: usize, bytes: &[u8]) -> Result<()> {
        let mut value = [0u8; 4];
        if bytes.len() > 4 {
            value = self.offset_u32()?.to_ne_bytes();
            self.put(bytes)?;
        } else {
            value[..bytes.len()].copy_from_slice(bytes);
        }
        let count =
            u32::try_from(count).map_err(|_| format_err(&self.path, "too many TIFF values"))?;
        self.entries.retain(|e| e.0 != tag.to_u16());
        self.entries.push((tag.to_u16(), ty.to_u16(), count, value));
        Ok(())
    }
}

fn sample_bytes(sample: SampleType) -> usize {
    match sample {
        SampleType::U16 => 2,
        SampleType::F32 => 4,
    }
}

fn rational_one() -> Vec<u8> {
    [1u32, 1u32].iter().flat_map(|v| v.to_ne_bytes()).collect()
}

fn compress(path: &Path, mut algorithm: impl CompressionAlgorithm, raw: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() / 2);
    algorithm
        .write_to(&mut out, raw)
        .map_err(|e| io_err(path, e))?;
    Ok(out)
}
