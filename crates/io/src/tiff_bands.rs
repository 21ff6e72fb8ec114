//! TIFF stacks read a band of rows at a time: for each page, only the strips the rows lie in are
//! decoded. An uncompressed page stored as a few very large strips (tifffile writes one strip
//! per page) has its rows read straight from their byte offsets. Tiled pages, and compressed
//! pages of very large strips (re-decoding a page-sized strip for every band would cost the
//! whole page per band), are read whole by the caller instead.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ndarray::Array3;
use tiff::decoder::{ChunkType, Decoder, DecodingResult};
use tiff::tags::Tag;

use crate::error::{format_err, io_err, Result};
use crate::tiff_stack::{
    declared_samples, describe, is_planar, open_decoder, page_size_mismatch, samples_per_pixel,
    to_f32, StoredType,
};

/// Compressed strips larger than this (decoded) make the stack be read whole.
const MAX_STRIP_BYTES: u64 = 32 << 20;

/// One page: its samples per pixel, whether they are planar, and its strip height.
#[derive(Debug, Clone)]
struct Page {
    samples: usize,
    /// IEEE floating point samples (which may be NaN).
    float: bool,
    planar: bool,
    rows_per_strip: usize,
    /// Uncompressed rows read by offset instead of strips decoded.
    raw: Option<RawRows>,
}

/// Where an uncompressed page's rows are and how its samples are stored.
#[derive(Debug, Clone)]
struct RawRows {
    offsets: Vec<u64>,
    kind: StoredType,
    bytes: usize,
    little_endian: bool,
}

/// A striped TIFF stack opened for band reads.
pub(crate) struct TiffBands {
    path: PathBuf,
    decoder: Decoder<BufReader<File>>,
    /// A second handle for raw row reads.
    file: File,
    pages: Vec<Page>,
    width: usize,
    height: usize,
    stored: Option<StoredType>,
    /// The first page's description (OME-XML), for channel names.
    pub(crate) description: Option<String>,
}

impl TiffBands {
    /// Opens `path` from its page headers; `None` when it is not a stack of striped pages
    /// (tiled, or strips too large to decode per band), which is then read whole.
    pub(crate) fn open(path: &Path) -> Result<Option<TiffBands>> {
        let (mut decoder, _, description) = open_decoder(path)?;
        let (w, h) = decoder.dimensions().map_err(|e| describe(path, e))?;
        let mut pages = Vec::new();
        loop {
            let dims = decoder.dimensions().map_err(|e| describe(path, e))?;
            if dims != (w, h) {
                return Err(page_size_mismatch(path, pages.len(), dims, (w, h)));
            }
            let Some(page) = page_info(path, &mut decoder, w)? else {
                return Ok(None);
            };
            pages.push(page);
            if !decoder.more_images() {
                break;
            }
            decoder.next_image().map_err(|e| describe(path, e))?;
        }
        if w == 0 || h == 0 {
            return Err(format_err(path, format!("page 0 is {w}x{h} pixels")));
        }
        let file = File::open(path).map_err(|e| io_err(path, e))?;
        Ok(Some(TiffBands {
            path: path.to_path_buf(),
            decoder,
            file,
            pages,
            width: w as usize,
            height: h as usize,
            stored: None,
            description,
        }))
    }

    /// `(channels, height, width)`.
    pub(crate) fn dims(&self) -> (usize, usize, usize) {
        let c = self.pages.iter().map(|p| p.samples).sum();
        (c, self.height, self.width)
    }

    /// The smallest strip height of the decoded pages (reads aligned to it decode each strip
    /// once); 1 for pages read by offset, whose rows are read one by one if need be.
    pub(crate) fn rows_per_strip(&self) -> usize {
        self.pages
            .iter()
            .map(|p| if p.raw.is_some() { 1 } else { p.rows_per_strip })
            .min()
            .unwrap_or(1)
    }

    /// True when a page holds floating-point samples (which may be NaN or infinite).
    pub(crate) fn float(&self) -> bool {
        self.pages.iter().any(|p| p.float)
    }

    /// Reads rows `y0..y0 + n` of every page as `(channels, n, width)`.
    pub(crate) fn read_rows(&mut self, y0: usize, n: usize) -> Result<Array3<f32>> {
        let (c, _, w) = self.dims();
        let mut out = Array3::<f32>::zeros((c, n, w));
        let mut channel = 0;
        for p in 0..self.pages.len() {
            if let Some(raw) = self.pages[p].raw.clone() {
                let page = self.pages[p].clone();
                self.raw_rows(p, &page, &raw, (y0, n), &mut out, channel)?;
                channel += page.samples;
                continue;
            }
            let page = self.pages[p].clone();
            self.decoder
                .seek_to_image(p)
                .map_err(|e| describe(&self.path, e))?;
            let strips_per_plane = self.height.div_ceil(page.rows_per_strip);
            let planes = if page.planar { page.samples } else { 1 };
            let per_plane = if page.planar { 1 } else { page.samples };
            let first = y0 / page.rows_per_strip;
            let last = (y0 + n - 1) / page.rows_per_strip;
            for plane in 0..planes {
                for s in first..=last {
                    let index = plane * strips_per_plane + s;
                    let values = self.strip(p, index, per_plane)?;
                    let top = s * page.rows_per_strip;
                    let rows = values.len() / (w * per_plane);
                    for r in 0..rows {
                        let y = top + r;
                        if y < y0 || y >= y0 + n {
                            continue;
                        }
                        let src = &values[r * w * per_plane..(r + 1) * w * per_plane];
                        for k in 0..per_plane {
                            let mut dst =
                                out.slice_mut(ndarray::s![channel + plane + k, y - y0, ..]);
                            for (d, v) in dst.iter_mut().zip(src.iter().skip(k).step_by(per_plane))
                            {
                                *d = *v;
                            }
                        }
                    }
                }
            }
            channel += page.samples;
        }
        Ok(out)
    }

    /// Rows `y0..y0 + n` of uncompressed page `p`, read from their offsets into `out` from
    /// channel `channel` on.
    fn raw_rows(
        &mut self,
        p: usize,
        page: &Page,
        raw: &RawRows,
        (y0, n): (usize, usize),
        out: &mut Array3<f32>,
        channel: usize,
    ) -> Result<()> {
        self.check_kind(p, raw.kind)?;
        let spp = page.samples;
        let row_bytes = self.width * spp * raw.bytes;
        let mut y = y0;
        while y < y0 + n {
            let s = y / page.rows_per_strip;
            let strip_end = ((s + 1) * page.rows_per_strip).min(y0 + n);
            let start = raw.offsets[s] + ((y - s * page.rows_per_strip) * row_bytes) as u64;
            let mut buf = vec![0u8; (strip_end - y) * row_bytes];
            self.file
                .seek(SeekFrom::Start(start))
                .and_then(|_| self.file.read_exact(&mut buf))
                .map_err(|e| describe(&self.path, tiff::TiffError::IoError(e)))?;
            let values = raw.decode(&buf);
            for (r, row) in values.chunks_exact(self.width * spp).enumerate() {
                for k in 0..spp {
                    let mut dst = out.slice_mut(ndarray::s![channel + k, y - y0 + r, ..]);
                    for (d, v) in dst.iter_mut().zip(row.iter().skip(k).step_by(spp)) {
                        *d = *v;
                    }
                }
            }
            y = strip_end;
        }
        Ok(())
    }

    /// Records page 0's sample type, or checks page `page`'s against it.
    fn check_kind(&mut self, page: usize, kind: StoredType) -> Result<()> {
        match self.stored {
            None => self.stored = Some(kind),
            Some(s) if s != kind => {
                return Err(format_err(
                    &self.path,
                    format!("page {page} has a different sample type from page 0"),
                ))
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Decodes strip `index` of page `page` to f32, checking its sample type against page 0's.
    fn strip(&mut self, page: usize, index: usize, per_pixel: usize) -> Result<Vec<f32>> {
        let chunk = u32::try_from(index).map_err(|_| format_err(&self.path, "too many strips"))?;
        let decoded: DecodingResult = self
            .decoder
            .read_chunk(chunk)
            .map_err(|e| describe(&self.path, e))?;
        let (values, kind) = to_f32(decoded);
        self.check_kind(page, kind)?;
        if values.len() % (self.width * per_pixel) != 0 {
            return Err(format_err(
                &self.path,
                format!(
                    "page {page}: strip {index} decoded {} samples, not whole rows of {}",
                    values.len(),
                    self.width * per_pixel
                ),
            ));
        }
        Ok(values)
    }
}

/// The current page's layout, or `None` when it cannot be read strip by strip.
fn page_info(
    path: &Path,
    decoder: &mut Decoder<BufReader<File>>,
    width: u32,
) -> Result<Option<Page>> {
    if decoder.get_chunk_type() != ChunkType::Strip {
        return Ok(None);
    }
    let color = decoder.colortype().map_err(|e| describe(path, e))?;
    let by_colour = samples_per_pixel(color);
    let samples = declared_samples(decoder, color);
    let planar = is_planar(decoder);
    let rows_per_strip = decoder.chunk_dimensions().1 as usize;
    let strip_bytes = u64::from(width) * rows_per_strip as u64 * samples as u64 * 8;
    if rows_per_strip == 0 || samples != by_colour {
        return Ok(None);
    }
    // Uncompressed rows are read from their offsets whatever the strip size: no decoding.
    let raw = raw_rows(decoder, color, samples == 1 || !planar)?;
    if raw.is_none() && strip_bytes > MAX_STRIP_BYTES {
        return Ok(None);
    }
    let float = decoder
        .find_tag_unsigned_vec::<u16>(Tag::SampleFormat)
        .ok()
        .flatten()
        .is_some_and(|f| f.contains(&3));
    Ok(Some(Page {
        samples,
        float,
        planar,
        rows_per_strip,
        raw,
    }))
}

/// How to read an uncompressed page's rows by offset, if it is one this reads: no predictor,
/// contiguous samples of 8, 16 or 32-bit unsigned integers or 32-bit floats.
fn raw_rows(
    decoder: &mut Decoder<BufReader<File>>,
    color: tiff::ColorType,
    contiguous: bool,
) -> Result<Option<RawRows>> {
    let tag = |decoder: &mut Decoder<BufReader<File>>, t: Tag, default: u16| {
        decoder
            .find_tag_unsigned::<u16>(t)
            .ok()
            .flatten()
            .unwrap_or(default)
    };
    let compression = tag(decoder, Tag::Compression, 1);
    let predictor = tag(decoder, Tag::Predictor, 1);
    let format = tag(decoder, Tag::SampleFormat, 1);
    if compression != 1 || predictor != 1 || !contiguous {
        return Ok(None);
    }
    let bits = crate::tiff_stack::bits_per_sample(color);
    let (kind, bytes) = match (format, bits) {
        (1, 8) => (StoredType::U8, 1),
        (1, 16) => (StoredType::U16, 2),
        (1, 32) => (StoredType::U32, 4),
        (3, 32) => (StoredType::Float, 4),
        _ => return Ok(None),
    };
    let Ok(Some(offsets)) = decoder.find_tag(Tag::StripOffsets) else {
        return Ok(None);
    };
    let Ok(offsets) = offsets.into_u64_vec() else {
        return Ok(None);
    };
    let little_endian = decoder.byte_order() == tiff::tags::ByteOrder::LittleEndian;
    Ok(Some(RawRows {
        offsets,
        kind,
        bytes,
        little_endian,
    }))
}

impl RawRows {
    /// Stored samples to f32, as the decoder converts them.
    fn decode(&self, buf: &[u8]) -> Vec<f32> {
        let le = self.little_endian;
        match self.kind {
            StoredType::U8 => buf.iter().map(|&b| f32::from(b)).collect(),
            StoredType::U16 => buf
                .chunks_exact(2)
                .map(|b| {
                    let a = [b[0], b[1]];
                    f32::from(if le {
                        u16::from_le_bytes(a)
                    } else {
                        u16::from_be_bytes(a)
                    })
                })
                .collect(),
            StoredType::U32 => buf
                .chunks_exact(4)
                .map(|b| {
                    let a = [b[0], b[1], b[2], b[3]];
                    (if le {
                        u32::from_le_bytes(a)
                    } else {
                        u32::from_be_bytes(a)
                    }) as f32
                })
                .collect(),
            _ => buf
                .chunks_exact(4)
                .map(|b| {
                    let a = [b[0], b[1], b[2], b[3]];
                    if le {
                        f32::from_le_bytes(a)
                    } else {
                        f32::from_be_bytes(a)
                    }
                })
                .collect(),
        }
    }
}
