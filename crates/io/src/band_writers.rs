//! Outputs written band by band, each under a temporary name until [`finish`](TiffBandWriter::finish)
//! renames it into place (see [`crate::atomic_write`]): the same files the whole-image writers
//! write, without the whole image in memory.

use std::path::Path;

use ndarray::{Array3, ArrayView3};

use crate::atomic::PendingFile;
use crate::channel_names::image_stem;
use crate::error::Result;
use crate::h5_rows::{H5RowWriter, RowLayout};
use crate::probabilities::{renormalize_u16, EXPORT_DATASET, MAX_INTERLEAVED};
use crate::tiff_rows::TiffRowWriter;
use crate::{H5Layout, ProbabilityFormat, SampleType, TiffCompression};

/// A row writer of a temporary file.
trait RowSink {
    fn write_rows(&mut self, band: ArrayView3<f32>) -> Result<()>;
    fn finish(self) -> Result<()>;
}

impl RowSink for TiffRowWriter {
    fn write_rows(&mut self, band: ArrayView3<f32>) -> Result<()> {
        TiffRowWriter::write_rows(self, band)
    }

    fn finish(self) -> Result<()> {
        TiffRowWriter::finish(self)
    }
}

impl RowSink for H5RowWriter {
    fn write_rows(&mut self, band: ArrayView3<f32>) -> Result<()> {
        H5RowWriter::write_rows(self, band)
    }

    fn finish(self) -> Result<()> {
        H5RowWriter::finish(self)
    }
}

/// A row writer on the temporary file of `pending`: its errors name the output, not the
/// temporary file, and `finish` renames the file into place.
struct Pending<W> {
    pending: PendingFile,
    writer: W,
}

impl<W: RowSink> Pending<W> {
    fn write_rows(&mut self, band: ArrayView3<f32>) -> Result<()> {
        self.writer.write_rows(band).map_err(|e| {
            crate::atomic::rename_path(e, self.pending.temp_path(), self.pending.path())
        })
    }

    fn finish(self) -> Result<()> {
        let (tmp, path) = (
            self.pending.temp_path().to_path_buf(),
            self.pending.path().to_path_buf(),
        );
        self.writer
            .finish()
            .map_err(|e| crate::atomic::rename_path(e, &tmp, &path))?;
        self.pending.commit()
    }
}

/// A one-page TIFF of `c` interleaved samples per pixel written band by band: for one channel,
/// the file [`crate::write_tiff_stack`] writes (uncompressed); for more, the one
/// [`crate::write_probabilities_compressed`] writes. `U16` rounds and clamps.
pub struct TiffBandWriter(Pending<TiffRowWriter>);

impl TiffBandWriter {
    /// Starts `path` for a `(c, h, w)` image.
    ///
    /// # Errors
    /// When the temporary file cannot be created or the size does not fit a TIFF.
    pub fn create(
        path: &Path,
        dims: (usize, usize, usize),
        sample: SampleType,
        compression: TiffCompression,
    ) -> Result<Self> {
        let pending = PendingFile::create(path)?;
        let writer = TiffRowWriter::create(pending.temp_path(), dims, sample, compression)?;
        Ok(Self(Pending { pending, writer }))
    }

    /// Appends the next rows `(c, n, w)`.
    ///
    /// # Errors
    /// A write error naming the output.
    pub fn write_rows(&mut self, band: ArrayView3<f32>) -> Result<()> {
        self.0.write_rows(band)
    }

    /// Completes the file and renames it into place.
    ///
    /// # Errors
    /// When rows are missing, or the file cannot be completed.
    pub fn finish(self) -> Result<()> {
        self.0.finish()
    }
}

/// An HDF5 image in one of the workflow layouts, written band by band (see [`crate::write_h5_image`]).
pub struct H5BandWriter(Pending<H5RowWriter>);

impl H5BandWriter {
    /// Starts `path` for a `(c, h, w)` image; the ilastik layout's dataset is named after `path`.
    ///
    /// # Errors
    /// When the file cannot be created or the image is empty.
    pub fn create(path: &Path, layout: &H5Layout, dims: (usize, usize, usize)) -> Result<Self> {
        let layout = match layout {
            H5Layout::Ilastik => RowLayout::Ilastik {
                name: image_stem(path),
            },
            H5Layout::Steinbock { name } => RowLayout::Steinbock { name: name.clone() },
        };
        Self::with_layout(path, layout, dims)
    }

    fn with_layout(path: &Path, layout: RowLayout, dims: (usize, usize, usize)) -> Result<Self> {
        let pending = PendingFile::create(path)?;
        let writer = H5RowWriter::create(pending.temp_path(), layout, dims)?;
        Ok(Self(Pending { pending, writer }))
    }

    /// Appends the next rows `(c, n, w)`.
    ///
    /// # Errors
    /// A write error naming the output.
    pub fn write_rows(&mut self, band: ArrayView3<f32>) -> Result<()> {
        self.0.write_rows(band)
    }

    /// Completes the file and renames it into place.
    ///
    /// # Errors
    /// When rows are missing, or the file cannot be completed.
    pub fn finish(self) -> Result<()> {
        self.0.finish()
    }
}

/// A probability map `(class, y, x)` written band by band: the file
/// [`crate::write_probabilities_compressed`] writes.
pub struct ProbabilityBandWriter {
    sink: Sink,
}

enum Sink {
    Tiff(TiffBandWriter, SampleType),
    H5(H5BandWriter),
    /// More classes than one interleaved page holds: one page per class, so the map is kept
    /// whole and written at the end.
    Pages {
        path: std::path::PathBuf,
        rows: Vec<Array3<f32>>,
        sample: SampleType,
        compression: TiffCompression,
    },
}

impl ProbabilityBandWriter {
    /// Starts `path` for `classes` x `h` x `w` probabilities.
    ///
    /// # Errors
    /// When the output cannot be created.
    pub fn create(
        path: &Path,
        dims: (usize, usize, usize),
        sample: SampleType,
        format: ProbabilityFormat,
        compression: TiffCompression,
    ) -> Result<Self> {
        let sink = match format {
            ProbabilityFormat::Tiff if dims.0 <= MAX_INTERLEAVED => Sink::Tiff(
                TiffBandWriter::create(path, dims, sample, compression)?,
                sample,
            ),
            ProbabilityFormat::Tiff => Sink::Pages {
                path: path.to_path_buf(),
                rows: Vec::new(),
                sample,
                compression,
            },
            ProbabilityFormat::H5 => Sink::H5(H5BandWriter::with_layout(
                path,
                RowLayout::Export {
                    name: EXPORT_DATASET.into(),
                    sample,
                },
                dims,
            )?),
        };
        Ok(Self { sink })
    }

    /// Appends the next rows of probabilities `(class, n, w)`.
    ///
    /// # Errors
    /// A write error naming the output.
    pub fn write_rows(&mut self, probs: ArrayView3<f32>) -> Result<()> {
        match &mut self.sink {
            Sink::Tiff(w, SampleType::U16) => {
                // Already truncated to integers, so the writer's rounding is a no-op.
                w.write_rows(probs.mapv(|p| f32::from(renormalize_u16(p))).view())
            }
            Sink::Tiff(w, SampleType::F32) => w.write_rows(probs),
            Sink::H5(w) => w.write_rows(probs),
            Sink::Pages { rows, .. } => {
                rows.push(probs.to_owned());
                Ok(())
            }
        }
    }

    /// Completes the file and renames it into place.
    ///
    /// # Errors
    /// When rows are missing, or the file cannot be completed.
    pub fn finish(self) -> Result<()> {
        match self.sink {
            Sink::Tiff(w, _) => w.finish(),
            Sink::H5(w) => w.finish(),
            Sink::Pages {
                path,
                rows,
                sample,
                compression,
            } => {
                let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
                let whole = ndarray::concatenate(ndarray::Axis(1), &views)
                    .map_err(|e| crate::error::format_err(&path, format!("internal error: {e}")))?;
                crate::write_probabilities_compressed(
                    &path,
                    &whole,
                    sample,
                    ProbabilityFormat::Tiff,
                    compression,
                )
            }
        }
    }
}
