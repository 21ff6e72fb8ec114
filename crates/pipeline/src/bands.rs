//! Row bands of an image streamed from its file: [`RowWindow`] keeps only the rows the current
//! band needs (the band plus its halo), reading ahead in whole stored chunks so each chunk is
//! decoded once, and dropping rows once no later band needs them. With it `predict` and
//! `prepare` hold a band, not the image: memory is bounded by band height x width.

use std::ops::Range;
use std::path::Path;

use ndarray::{concatenate, s, Array3, ArrayView3, Axis};
use pixelforest_io::RowReader;

use crate::error::Result;
use crate::finite::{non_finite_error, NonFinite};

/// A sliding window of consecutive rows of an image.
pub(crate) struct RowWindow {
    reader: RowReader,
    /// `None` passes NaN and infinite values through (steinbock's prepare keeps them).
    non_finite: Option<NonFinite>,
    /// Rows `top..top + data.dim().1`.
    data: Array3<f32>,
    top: usize,
}

impl RowWindow {
    /// Wraps `reader`; with [`NonFinite::Error`] an image holding NaN or infinite values is
    /// refused here, before any band is handed out (the error counts them over the whole image,
    /// as the whole-image check did). Integer images cannot hold them and are not scanned.
    pub(crate) fn new(mut reader: RowReader, non_finite: Option<NonFinite>) -> Result<Self> {
        if non_finite == Some(NonFinite::Error) && reader.may_hold_non_finite() {
            let bad = count_non_finite(&mut reader)?;
            if bad > 0 {
                let total = reader.n_channels() * reader.height() * reader.width();
                return Err(non_finite_error(reader.path(), bad, total));
            }
        }
        let data = Array3::zeros((reader.n_channels(), 0, reader.width()));
        Ok(Self {
            reader,
            non_finite,
            data,
            top: 0,
        })
    }

    pub(crate) fn reader(&self) -> &RowReader {
        &self.reader
    }

    /// The image file.
    pub(crate) fn path(&self) -> &Path {
        self.reader.path()
    }

    /// Rows `rows` of the image (`rows.start` never below an earlier call's), with the rows
    /// before `rows.start` dropped; returns the view and the image row its first row is.
    pub(crate) fn rows(&mut self, rows: Range<usize>) -> Result<(ArrayView3<'_, f32>, usize)> {
        let end = self.top + self.data.dim().1;
        if rows.start > self.top {
            let keep = rows.start.min(end);
            self.data = self.data.slice(s![.., keep - self.top.., ..]).to_owned();
            self.top = keep;
        }
        let end = self.top + self.data.dim().1;
        if rows.end > end {
            let chunk = self.reader.chunk_rows();
            let to = rows
                .end
                .div_ceil(chunk)
                .saturating_mul(chunk)
                .min(self.reader.height());
            let mut more = self.reader.read_rows(end, to - end)?;
            if self.non_finite == Some(NonFinite::Zero) {
                more.mapv_inplace(|v| if v.is_finite() { v } else { 0.0 });
            }
            self.data = if self.data.dim().1 == 0 {
                more
            } else {
                concatenate(Axis(1), &[self.data.view(), more.view()])
                    .unwrap_or_else(|e| unreachable!("bands share channels and width: {e}"))
            };
        }
        let (a, b) = (rows.start - self.top, rows.end - self.top);
        Ok((self.data.slice(s![.., a..b, ..]), rows.start))
    }
}

/// NaN and infinite values in the whole image, read chunk row by chunk row.
fn count_non_finite(reader: &mut RowReader) -> Result<usize> {
    let (h, step) = (reader.height(), reader.chunk_rows());
    let mut bad = 0;
    let mut y = 0;
    while y < h {
        let n = step.min(h - y);
        bad += reader
            .read_rows(y, n)?
            .iter()
            .filter(|v| !v.is_finite())
            .count();
        y += n;
    }
    Ok(bad)
}

/// Consecutive bands of `band` rows covering `height` rows.
pub(crate) fn bands(height: usize, band: usize) -> impl Iterator<Item = Range<usize>> {
    let band = band.max(1);
    (0..height)
        .step_by(band)
        .map(move |y| y..(y + band).min(height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;
    use pixelforest_io::{H5Layout, Image};

    /// The memory bound without measuring memory: however tall the image, the window never
    /// holds more than a band, its halo on both sides and one chunk read ahead.
    #[test]
    fn the_window_holds_a_band_and_its_halo_never_the_image() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tall_s2.h5");
        let (h, w) = (1500, 9);
        let data = Array3::from_shape_fn((2, h, w), |(c, y, x)| (c * 7 + y * 3 + x) as f32 % 500.0);
        let image = Image::new(data.clone(), vec!["a".into(), "b".into()]).unwrap();
        pixelforest_io::write_h5_image(&path, &image, &H5Layout::Ilastik).unwrap();
        let reader = RowReader::open(&path).unwrap();
        let chunk = reader.chunk_rows();
        assert_eq!(chunk, 256);
        let mut window = RowWindow::new(reader, Some(NonFinite::Error)).unwrap();
        let (band, halo) = (16, 21);
        let mut most = 0;
        for rows in bands(h, band) {
            let need = rows.start.saturating_sub(halo)..(rows.end + halo).min(h);
            let (view, top) = window.rows(need.clone()).unwrap();
            assert_eq!(top, need.start);
            assert_eq!(view, data.slice(s![.., need.clone(), ..]));
            most = most.max(window.data.dim().1);
        }
        assert!(most <= band + 2 * halo + chunk, "held {most} rows");
        assert!(most < h / 4, "held {most} of {h} rows");
    }
}
