//! Images read a band of rows at a time, so a caller working band by band holds the band, not
//! the image: HDF5 by hyperslab (`read_slice`, the dataset's chunks decoded as the rows need
//! them), striped TIFF stacks strip by strip. Other files (PNG, tiled or single-strip TIFF) are
//! read whole once and handed out in bands.

use std::path::{Path, PathBuf};

use ndarray::{s, Array3};
use rust_hdf5::H5File;

use crate::budget::check_samples;
use crate::error::{format_err, Result};
use crate::h5_image::{self, DatasetRows, Element};
use crate::tiff_bands::TiffBands;
use crate::{resolve_channel_names, split_h5_path, stored_layout, Kind};

/// An image opened for reading in row bands.
pub struct RowReader {
    path: PathBuf,
    source: Source,
    dims: (usize, usize, usize),
    channels: Vec<String>,
}

enum Source {
    H5 {
        // Kept open for `rows.ds`.
        _file: H5File,
        rows: DatasetRows,
    },
    Tiff(Box<TiffBands>),
    Memory {
        data: Array3<f32>,
        float: bool,
    },
}

impl RowReader {
    /// Opens `path` (any image [`crate::read_image`] reads) from its headers, with its channel
    /// names resolved as [`crate::read_image`] resolves them.
    ///
    /// # Errors
    /// As [`crate::read_image`]: unreadable files, wrong dimensions, an image over the memory
    /// budget.
    pub fn open(path: &Path) -> Result<RowReader> {
        let (file_path, source, description) = open_source(path)?;
        let dims = match &source {
            Source::H5 { rows, .. } => rows.axes.dims(),
            Source::Tiff(t) => t.dims(),
            Source::Memory { data, .. } => data.dim(),
        };
        let (c, h, w) = dims;
        check_samples(
            &file_path,
            (c as u128) * (h as u128) * (w as u128),
            &format!("{w}x{h} pixels x {c} channels"),
        )?;
        let channels = resolve_channel_names(&file_path, c, description.as_deref())?;
        Ok(RowReader {
            path: file_path,
            source,
            dims,
            channels,
        })
    }

    /// The file read (for an HDF5 `file.h5/dataset` path, the file).
    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rows of the image.
    pub fn height(&self) -> usize {
        self.dims.1
    }

    /// Columns of the image.
    pub fn width(&self) -> usize {
        self.dims.2
    }

    /// Channels of the image.
    pub fn n_channels(&self) -> usize {
        self.dims.0
    }

    /// The channel names (channel list CSV, OME-XML, or generated), one per channel.
    pub fn channel_names(&self) -> &[String] {
        &self.channels
    }

    /// Rows per stored chunk or strip: bands starting at multiples of it decode each chunk once.
    pub fn chunk_rows(&self) -> usize {
        match &self.source {
            Source::H5 { rows, .. } => rows.chunk_rows,
            Source::Tiff(t) => t.rows_per_strip(),
            Source::Memory { .. } => self.dims.1,
        }
        .max(1)
    }

    /// False when the stored type cannot hold NaN or infinity (integers), so no check is needed.
    pub fn may_hold_non_finite(&self) -> bool {
        match &self.source {
            Source::H5 { rows, .. } => matches!(rows.element, Element::F32 | Element::F64),
            Source::Tiff(t) => t.float(),
            Source::Memory { float, .. } => *float,
        }
    }

    /// Rows `y0..y0 + n` as `(channels, n, width)`.
    ///
    /// # Errors
    /// Rows outside the image, or a read error naming the file.
    pub fn read_rows(&mut self, y0: usize, n: usize) -> Result<Array3<f32>> {
        if n == 0 || y0 + n > self.dims.1 {
            return Err(format_err(
                &self.path,
                format!("internal error: rows {y0}..{} of {}", y0 + n, self.dims.1),
            ));
        }
        match &mut self.source {
            Source::H5 { rows, .. } => {
                h5_image::read_rows(&self.path, &rows.ds, rows.element, &rows.axes, y0, n)
            }
            Source::Tiff(t) => t.read_rows(y0, n),
            Source::Memory { data, .. } => Ok(data.slice(s![.., y0..y0 + n, ..]).to_owned()),
        }
    }
}

/// The file, its source and its description (OME-XML) for channel names.
fn open_source(path: &Path) -> Result<(PathBuf, Source, Option<String>)> {
    if let Some(inner) = split_h5_path(path) {
        let file = h5_image::open(&inner.file)?;
        let rows = h5_image::open_rows(&inner.file, &file, &inner.dataset)?;
        return Ok((inner.file, Source::H5 { _file: file, rows }, None));
    }
    let owned = path.to_path_buf();
    match Kind::of(path)? {
        Kind::H5 => {
            let file = h5_image::open(path)?;
            let name = stored_layout::image_dataset(path, &file)?;
            let rows = h5_image::open_rows(path, &file, &name)?;
            Ok((owned, Source::H5 { _file: file, rows }, None))
        }
        Kind::Tiff => match TiffBands::open(path)? {
            Some(bands) => {
                let description = bands.description.clone();
                Ok((owned, Source::Tiff(Box::new(bands)), description))
            }
            None => {
                let stack = crate::tiff_stack::read_tiff_stack(path)?;
                let float = stack.stored == crate::tiff_stack::StoredType::Float;
                let source = Source::Memory {
                    data: stack.data,
                    float,
                };
                Ok((owned, source, stack.description))
            }
        },
        Kind::Png => {
            let data = crate::png_image::read_png(path, crate::png_image::Palette::Colours)?;
            Ok((owned, Source::Memory { data, float: false }, None))
        }
    }
}
