//! Multichannel TIFF stacks: one page per channel (ImageJ/tifffile/CellProfiler style), or one
//! page with several interleaved samples per pixel (ilastik's 2-D `tiff` export of `yxc`).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

use ndarray::Array3;
use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::encoder::{colortype, TiffEncoder};
use tiff::tags::Tag;

use crate::budget::{check_samples, memory_budget};
use crate::error::{format_err, io_err, Result};
use crate::SampleType;

/// The sample type a TIFF was stored with, so callers can undo a known scaling (e.g. uint16
/// probabilities).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredType {
    /// 8-bit unsigned integers.
    U8,
    /// 16-bit unsigned integers.
    U16,
    /// 32-bit unsigned integers.
    U32,
    /// Floating point.
    Float,
    /// Any other type.
    Other,
}

/// A decoded stack: `(channels, y, x)` as f32, the stored type and the first page's description.
#[derive(Debug)]
pub struct TiffStack {
    pub data: Array3<f32>,
    pub stored: StoredType,
    pub description: Option<String>,
}

pub(crate) fn describe(path: &Path, err: tiff::TiffError) -> crate::IoError {
    match err {
        tiff::TiffError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            format_err(path, format!("truncated TIFF file ({e})"))
        }
        other => format_err(path, format!("cannot decode TIFF: {other}")),
    }
}

pub(crate) fn to_f32(result: DecodingResult) -> (Vec<f32>, StoredType) {
    match result {
        DecodingResult::U8(v) => (v.into_iter().map(f32::from).collect(), StoredType::U8),
        DecodingResult::U16(v) => (v.into_iter().map(f32::from).collect(), StoredType::U16),
        DecodingResult::U32(v) => (v.into_iter().map(|x| x as f32).collect(), StoredType::U32),
        DecodingResult::U64(v) => (v.into_iter().map(|x| x as f32).collect(), StoredType::Other),
        DecodingResult::F16(v) => (v.into_iter().map(f32::from).collect(), StoredType::Float),
        DecodingResult::F32(v) => (v, StoredType::Float),
        DecodingResult::F64(v) => (v.into_iter().map(|x| x as f32).collect(), StoredType::Float),
        DecodingResult::I8(v) => (v.into_iter().map(f32::from).collect(), StoredType::Other),
        DecodingResult::I16(v) => (v.into_iter().map(f32::from).collect(), StoredType::Other),
        DecodingResult::I32(v) => (v.into_iter().map(|x| x as f32).collect(), StoredType::Other),
        DecodingResult::I64(v) => (v.into_iter().map(|x| x as f32).collect(), StoredType::Other),
    }
}

pub(crate) fn samples_per_pixel(ct: tiff::ColorType) -> usize {
    use tiff::ColorType as C;
    match ct {
        C::Gray(_) | C::Palette(_) => 1,
        C::GrayA(_) => 2,
        C::RGB(_) | C::YCbCr(_) | C::Lab(_) => 3,
        C::RGBA(_) | C::CMYK(_) => 4,
        C::CMYKA(_) => 5,
        C::Multiband { num_samples, .. } => usize::from(num_samples),
        _ => 1,
    }
}

/// The decoder's own limits. Its buffer limit also bounds the arrays of tag values (16 bytes per
/// value, allocated before they are read), which a forged count would inflate; so besides the
/// memory budget it is held to 64 bytes per byte of file, but never below 1 GiB, which keeps
/// legitimate pages that compress very well (a mostly empty 16k x 16k page) readable.
pub(crate) fn decoder_limits(file_len: u64) -> Limits {
    let by_file = file_len.saturating_mul(64).max(1 << 30);
    let bound = usize::try_from(memory_budget().min(by_file)).unwrap_or(usize::MAX);
    let mut limits = Limits::default();
    limits.decoding_buffer_size = bound;
    limits.intermediate_buffer_size = bound;
    limits.ifd_value_size = 64 << 20;
    limits
}

pub(crate) fn bits_per_sample(ct: tiff::ColorType) -> u64 {
    use tiff::ColorType as C;
    match ct {
        C::Gray(b) | C::Palette(b) | C::GrayA(b) | C::RGB(b) | C::YCbCr(b) | C::Lab(b) => {
            u64::from(b)
        }
        C::RGBA(b) | C::CMYK(b) | C::CMYKA(b) => u64::from(b),
        C::Multiband { bit_depth, .. } => u64::from(bit_depth),
        _ => 8,
    }
}

/// Checks a page's declared size before it is decoded: uncompressed pixel data must fit in the
/// file, and the whole stack so far (`channels` before this page) must fit the memory budget.
fn check_page_size<R: std::io::Read + std::io::Seek>(
    path: &Path,
    decoder: &mut Decoder<R>,
    page: usize,
    (w, h): (u32, u32),
    color: tiff::ColorType,
    channels: usize,
    file_len: u64,
) -> Result<()> {
    if w == 0 || h == 0 {
        return Err(format_err(path, format!("page {page} is {w}x{h} pixels")));
    }
    let spp = samples_per_pixel(color) as u128;
    let pixels = u128::from(w) * u128::from(h);
    let stored_bytes = pixels * spp * u128::from(bits_per_sample(color)) / 8;
    let compression: u16 = decoder
        .find_tag_unsigned(Tag::Compression)
        .ok()
        .flatten()
        .unwrap_or(1);
    if compression == 1 && stored_bytes > u128::from(file_len) {
        return Err(format_err(
            path,
            format!(
                "page {page} declares {w}x{h} pixels x {spp} samples ({stored_bytes} bytes, \
                 uncompressed) but the file has only {file_len} bytes (truncated or corrupt)"
            ),
        ));
    }
    let what = format!("{w}x{h} pixels x {} channels", channels as u128 + spp);
    check_samples(path, pixels * (channels as u128 + spp), &what)
}

/// Opens `path` for decoding with the decoder limits its size allows; also returns the first
/// page's ImageDescription (OME-XML), where channel names live.
pub(crate) fn open_decoder(path: &Path) -> Result<(Decoder<BufReader<File>>, u64, Option<String>)> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let file_len = file.metadata().map_err(|e| io_err(path, e))?.len();
    let mut decoder = Decoder::new(BufReader::new(file))
        .map_err(|e| match e {
            tiff::TiffError::FormatError(_) => {
                format_err(path, "not a TIFF file (no valid TIFF header)")
            }
            other => describe(path, other),
        })?
        .with_limits(decoder_limits(file_len));
    let description = match decoder.find_tag(Tag::ImageDescription) {
        Ok(Some(v)) => v.into_string().ok(),
        _ => None,
    };
    Ok((decoder, file_len, description))
}

/// The error for page `page` of size `dims` in a stack whose page 0 is `first`.
pub(crate) fn page_size_mismatch(
    path: &Path,
    page: usize,
    dims: (u32, u32),
    first: (u32, u32),
) -> crate::IoError {
    format_err(
        path,
        format!(
            "page {page} is {}x{} but page 0 is {}x{}; pages of a stack must have one size",
            dims.0, dims.1, first.0, first.1
        ),
    )
}

/// The current page's samples per pixel. The tag, not the colour type: vigra writes RGB with
/// extra samples for > 3 bands.
pub(crate) fn declared_samples<R: std::io::Read + std::io::Seek>(
    decoder: &mut Decoder<R>,
    color: tiff::ColorType,
) -> usize {
    let by_colour = samples_per_pixel(color);
    decoder
        .find_tag_unsigned::<u16>(Tag::SamplesPerPixel)
        .ok()
        .flatten()
        .map_or(by_colour, usize::from)
        .max(by_colour)
}

/// True when the current page stores its samples as separate planes (PlanarConfiguration 2).
pub(crate) fn is_planar<R: std::io::Read + std::io::Seek>(decoder: &mut Decoder<R>) -> bool {
    decoder
        .find_tag_unsigned::<u16>(Tag::PlanarConfiguration)
        .ok()
        .flatten()
        == Some(2)
}

/// One decoded page: its samples as f32, their stored type, samples per pixel and whether
/// they are stored as separate planes.
struct DecodedPage {
    values: Vec<f32>,
    kind: StoredType,
    samples: usize,
    planar: bool,
}

/// Decodes the decoder's current page (`page`, of size `dims`, after `channels` channels),
/// checking its declared size first.
fn decode_page<R: std::io::Read + std::io::Seek>(
    path: &Path,
    decoder: &mut Decoder<R>,
    page: usize,
    dims: (u32, u32),
    channels: usize,
    file_len: u64,
) -> Result<DecodedPage> {
    let color = decoder.colortype().map_err(|e| describe(path, e))?;
    let spp = declared_samples(decoder, color);
    check_page_size(path, decoder, page, dims, color, channels, file_len)?;
    let planar = is_planar(decoder);
    // `read_image_to_buffer` reads every plane of a planar page (`read_image` only the first).
    let mut buffer = DecodingResult::U8(Vec::new());
    decoder
        .read_image_to_buffer(&mut buffer)
        .map_err(|e| describe(path, e))?;
    let (values, kind) = to_f32(buffer);
    let expected = dims.0 as usize * dims.1 as usize * spp;
    if values.len() != expected {
        return Err(format_err(
            path,
            format!(
                "page {page}: decoded {} samples, expected {expected}",
                values.len()
            ),
        ));
    }
    Ok(DecodedPage {
        values,
        kind,
        samples: spp,
        planar,
    })
}

impl DecodedPage {
    /// Appends the page's channels to `data` as planes `(s, y, x)`.
    fn append_planes(&self, data: &mut Vec<f32>) {
        let spp = self.samples;
        if spp == 1 || self.planar {
            data.extend_from_slice(&self.values);
        } else {
            // Interleaved (y, x, s) -> planes (s, y, x).
            for s in 0..spp {
                data.extend(self.values.iter().skip(s).step_by(spp).copied());
            }
        }
    }
}

/// Reads every page of a TIFF file into a `(channels, y, x)` stack.
///
/// Pages must all have the same size; a page with `n` interleaved samples contributes `n`
/// channels, whether its samples are interleaved (contig) or stored as separate planes.
pub fn read_tiff_stack(path: &Path) -> Result<TiffStack> {
    let (mut decoder, file_len, description) = open_decoder(path)?;
    let mut data: Vec<f32> = Vec::new();
    let mut stored = StoredType::Other;
    let mut first: Option<(u32, u32)> = None;
    let mut channels = 0usize;
    for page in 0.. {
        let dims = decoder.dimensions().map_err(|e| describe(path, e))?;
        if let Some(d0) = first.filter(|&d0| d0 != dims) {
            return Err(page_size_mismatch(path, page, dims, d0));
        }
        first = Some(dims);
        let decoded = decode_page(path, &mut decoder, page, dims, channels, file_len)?;
        if page == 0 {
            stored = decoded.kind;
        } else if decoded.kind != stored {
            return Err(format_err(
                path,
                format!("page {page} has a different sample type from page 0"),
            ));
        }
        decoded.append_planes(&mut data);
        channels += decoded.samples;
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(|e| describe(path, e))?;
    }
    let (w, h) = first.unwrap_or((0, 0));
    let data = Array3::from_shape_vec((channels, h as usize, w as usize), data)
        .map_err(|e| format_err(path, format!("inconsistent TIFF pages: {e}")))?;
    Ok(TiffStack {
        data,
        stored,
        description,
    })
}

/// The `(channels, y, x)` size of a TIFF stack, from its page headers only.
pub fn read_tiff_shape(path: &Path) -> Result<[usize; 3]> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let file_len = file.metadata().map_err(|e| io_err(path, e))?.len();
    let mut decoder = Decoder::new(BufReader::new(file))
        .map_err(|e| describe(path, e))?
        .with_limits(decoder_limits(file_len));
    let mut channels = 0usize;
    loop {
        let color = decoder.colortype().map_err(|e| describe(path, e))?;
        channels += samples_per_pixel(color);
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(|e| describe(path, e))?;
    }
    let (w, h) = decoder.dimensions().map_err(|e| describe(path, e))?;
    Ok([channels, h as usize, w as usize])
}

/// Writes a `(channels, y, x)` stack to `path` (not atomically: see [`crate::write_tiff_stack`]),
/// one uncompressed page per channel, `u16` values rounded and clamped to [0, 65535].
///
/// No ImageDescription on purpose: with an ImageJ or tifffile "shaped" description tifffile
/// reads the pages as one contiguous block of pixel data, which the `tiff` crate's layout
/// (data, IFD, data, IFD, ...) is not, and it returned wrong values for the later pages of
/// small images (tifffile 2026.3.3). Without one, tifffile stacks the equal-sized pages into a
/// `(c, y, x)` series page by page; Fiji opens a stack of `c` slices.
pub fn write_stack_pages(path: &Path, data: &Array3<f32>, sample: SampleType) -> Result<()> {
    write_described_pages(path, data, sample, None)
}

/// [`write_stack_pages`] with `description` (OME-XML, whose `TiffData` elements map each page
/// to its channel, so tifffile reads page by page) as the first page's ImageDescription.
pub fn write_described_pages(
    path: &Path,
    data: &Array3<f32>,
    sample: SampleType,
    description: Option<&str>,
) -> Result<()> {
    let (_, h, w) = data.dim();
    let (wu, hu) = (
        u32::try_from(w).map_err(|_| format_err(path, "image too wide for TIFF"))?,
        u32::try_from(h).map_err(|_| format_err(path, "image too tall for TIFF"))?,
    );
    let file = File::create(path).map_err(|e| io_err(path, e))?;
    let werr = |e: tiff::TiffError| format_err(path, format!("cannot write TIFF: {e}"));
    let mut enc = TiffEncoder::new(BufWriter::new(file)).map_err(werr)?;
    for (i, plane) in data.outer_iter().enumerate() {
        let text = description.filter(|_| i == 0);
        match sample {
            SampleType::U16 => {
                let buf: Vec<u16> = plane.iter().map(|&v| to_u16(v)).collect();
                let mut img = enc.new_image::<colortype::Gray16>(wu, hu).map_err(werr)?;
                if let Some(t) = text {
                    img.encoder()
                        .write_tag(Tag::ImageDescription, t)
                        .map_err(werr)?;
                }
                img.write_data(&buf).map_err(werr)?;
            }
            SampleType::F32 => {
                let buf: Vec<f32> = plane.iter().copied().collect();
                let mut img = enc
                    .new_image::<colortype::Gray32Float>(wu, hu)
                    .map_err(werr)?;
                if let Some(t) = text {
                    img.encoder()
                        .write_tag(Tag::ImageDescription, t)
                        .map_err(werr)?;
                }
                img.write_data(&buf).map_err(werr)?;
            }
        }
    }
    Ok(())
}

/// Rounds to the nearest integer and clamps into `u16` (NaN becomes 0).
pub(crate) fn to_u16(v: f32) -> u16 {
    if v.is_nan() {
        0
    } else {
        v.round().clamp(0.0, 65535.0) as u16
    }
}
