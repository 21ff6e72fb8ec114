//! One-page TIFFs with `n` interleaved samples per pixel (`y, x, c`), the layout ilastik's 2-D
//! `tiff` export writes and CellProfiler reads as one multi-channel (colour) image.
//!
//! The `tiff` crate only ships fixed colour types (gray, RGB, RGBA, ...), so this defines
//! `n`-sample types laid out as vigra's TIFF writer (`src/impex/tiff.cxx`, `finalizeSettings`)
//! lays out `n` bands: 3 or 4 samples are RGB with a fourth marked as unassociated alpha
//! (`ExtraSamples`), 1 or 2 are MinIsBlack with the second one marked so. vigra writes 5 or more
//! as RGB with more extra samples too, but the `tiff` crate's decoder reads such a page as 4
//! samples (measured: 48 of 60 values for 5 classes), so we write those as MinIsBlack with
//! extra samples, which every reader (tifffile, the tiff crate) reads as `n` samples.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use ndarray::Array3;
use tiff::encoder::colortype::ColorType;
use tiff::encoder::compression::DeflateLevel;
use tiff::encoder::{Compression, TiffEncoder};
use tiff::tags::{ExtraSamples, PhotometricInterpretation, SampleFormat};

use crate::error::{format_err, io_err, Result};
use crate::tiff_stack::to_u16;
use crate::{SampleType, TiffCompression};

/// Most classes written interleaved; more are written one page per class.
pub const MAX_INTERLEAVED: usize = 8;

struct Samples<T, const N: usize>(std::marker::PhantomData<T>);

macro_rules! samples_type {
    ($inner:ty, $bits:expr, $format:expr) => {
        impl<const N: usize> ColorType for Samples<$inner, N> {
            type Inner = $inner;
            const TIFF_VALUE: PhotometricInterpretation = if N == 3 || N == 4 {
                PhotometricInterpretation::RGB
            } else {
                PhotometricInterpretation::BlackIsZero
            };
            const BITS_PER_SAMPLE: &'static [u16] = &[$bits; N];
            const SAMPLE_FORMAT: &'static [SampleFormat] = &[$format; N];

            /// Unused: we never set a predictor.
            fn horizontal_predict(row: &[Self::Inner], result: &mut Vec<Self::Inner>) {
                result.extend_from_slice(row);
            }
        }
    };
}

samples_type!(u16, 16, SampleFormat::Uint);
samples_type!(f32, 32, SampleFormat::IEEEFP);

fn write_n<T, const N: usize>(
    path: &Path,
    buf: &[T],
    (w, h): (u32, u32),
    compression: TiffCompression,
) -> Result<()>
where
    Samples<T, N>: ColorType<Inner = T>,
    [T]: tiff::encoder::TiffValue,
{
    let werr = |e: tiff::TiffError| format_err(path, format!("cannot write TIFF: {e}"));
    let file = File::create(path).map_err(|e| io_err(path, e))?;
    let mut enc = TiffEncoder::new(BufWriter::new(file))
        .map_err(werr)?
        .with_compression(match compression {
            TiffCompression::None => Compression::Uncompressed,
            TiffCompression::Lzw => Compression::Lzw,
            TiffCompression::Deflate => Compression::Deflate(DeflateLevel::default()),
        });
    let mut img = enc.new_image::<Samples<T, N>>(w, h).map_err(werr)?;
    let n_extra = if N == 3 || N == 4 { N - 3 } else { N - 1 };
    if n_extra > 0 {
        // Only the tag: the encoder's colour type already counts every sample.
        let extras = vec![ExtraSamples::UnassociatedAlpha.to_u16(); n_extra];
        img.encoder()
            .write_tag(tiff::tags::Tag::ExtraSamples, &extras[..])
            .map_err(werr)?;
    }
    img.write_data(buf).map_err(werr)
}

macro_rules! dispatch {
    ($t:ty, $n:expr, $path:expr, $buf:expr, $w:expr, $h:expr, $comp:expr) => {
        match $n {
            1 => write_n::<$t, 1>($path, $buf, ($w, $h), $comp),
            2 => write_n::<$t, 2>($path, $buf, ($w, $h), $comp),
            3 => write_n::<$t, 3>($path, $buf, ($w, $h), $comp),
            4 => write_n::<$t, 4>($path, $buf, ($w, $h), $comp),
            5 => write_n::<$t, 5>($path, $buf, ($w, $h), $comp),
            6 => write_n::<$t, 6>($path, $buf, ($w, $h), $comp),
            7 => write_n::<$t, 7>($path, $buf, ($w, $h), $comp),
            8 => write_n::<$t, 8>($path, $buf, ($w, $h), $comp),
            n => Err(format_err(
                $path,
                format!("{n} samples per pixel is more than {MAX_INTERLEAVED}"),
            )),
        }
    };
}

/// Writes `(c, y, x)` data as one page of `(y, x)` pixels with `c` interleaved samples.
/// `U16` values are rounded and clamped (pass already-quantised values to keep them exact).
pub fn write_interleaved(
    path: &Path,
    data: &Array3<f32>,
    sample: SampleType,
    compression: TiffCompression,
) -> Result<()> {
    let (c, h, w) = data.dim();
    let (wu, hu) = (
        u32::try_from(w).map_err(|_| format_err(path, "image too wide for TIFF"))?,
        u32::try_from(h).map_err(|_| format_err(path, "image too tall for TIFF"))?,
    );
    let yxc = data.view().permuted_axes([1, 2, 0]);
    match sample {
        SampleType::U16 => {
            let buf: Vec<u16> = yxc.iter().map(|&v| to_u16(v)).collect();
            dispatch!(u16, c, path, &buf, wu, hu, compression)
        }
        SampleType::F32 => {
            let buf: Vec<f32> = yxc.iter().copied().collect();
            dispatch!(f32, c, path, &buf, wu, hu, compression)
        }
    }
}
