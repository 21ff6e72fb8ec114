//! `prepare` of one stack, streamed: the prepared image is computed band by band (256 output
//! rows, one row of the output's chunks) from the input rows each band needs (the rows the
//! upscaling interpolates plus the hot-pixel filter's one-row halo), written as it is made, and
//! the training crops are filled from the bands that cross them. The outputs are byte-identical
//! to preparing the whole image (`pixelforest_prepare::prepare_rows`).

use ndarray::{s, Array3};
use pixelforest_core::Image;
use pixelforest_prepare::{prepare_rows, prepare_window, CropRect, PrepareSettings};

use crate::bands::{bands, RowWindow};
use crate::error::{PipelineError, Result};

/// Output rows per band: one row of the written chunks.
const OUT_BAND: usize = 256;

/// Hands each band of the prepared image of `window`'s image to `sink` (the band and its first
/// output row); `pre` transforms the input rows first (steinbock's hot pixels and groups).
pub(crate) fn prepared_bands(
    window: &mut RowWindow,
    settings: &PrepareSettings,
    pre: &dyn Fn(Image) -> Result<Image>,
    sink: &mut dyn FnMut(&Image, usize) -> Result<()>,
) -> Result<()> {
    let h = window.reader().height();
    let names = window.reader().channel_names().to_vec();
    let scale = settings.scale.max(1);
    for out in bands(h * scale, OUT_BAND) {
        let need = prepare_window(out.clone(), h, settings);
        let (view, top) = window.rows(need)?;
        let rows = Image::new(view.to_owned(), names.clone())
            .map_err(|e| PipelineError::file(window.path(), e.to_string()))?;
        let rows = pre(rows)?;
        let band = prepare_rows(&rows, top, h, settings, out.clone());
        sink(&band, out.start)?;
    }
    Ok(())
}

/// The training crops of a prepared image, filled band by band.
pub(crate) struct CropBuffers {
    rects: Vec<CropRect>,
    data: Vec<Array3<f32>>,
}

impl CropBuffers {
    /// Empty crops of `rects` (clipped to the `h` x `w` image, as `crop` clips them) with `c`
    /// channels.
    pub(crate) fn new(rects: &[CropRect], c: usize, h: usize, w: usize) -> Self {
        let rects: Vec<CropRect> = rects
            .iter()
            .map(|r| {
                let (y1, x1) = ((r.y + r.h).min(h), (r.x + r.w).min(w));
                let (y, x) = (r.y.min(y1), r.x.min(x1));
                CropRect {
                    x,
                    y,
                    w: x1 - x,
                    h: y1 - y,
                }
            })
            .collect();
        let data = rects.iter().map(|r| Array3::zeros((c, r.h, r.w))).collect();
        Self { rects, data }
    }

    /// Copies the part of every crop that `band` (output rows from `y0`) covers.
    pub(crate) fn fill(&mut self, band: &Image, y0: usize) {
        let y1 = y0 + band.height();
        for (r, dst) in self.rects.iter().zip(&mut self.data) {
            let (a, b) = (r.y.max(y0), (r.y + r.h).min(y1));
            if a >= b {
                continue;
            }
            dst.slice_mut(s![.., a - r.y..b - r.y, ..])
                .assign(&band.data().slice(s![.., a - y0..b - y0, r.x..r.x + r.w]));
        }
    }

    /// The crops, with `names`.
    pub(crate) fn into_images(self, names: &[String]) -> Result<Vec<Image>> {
        self.data
            .into_iter()
            .map(|d| {
                Image::new(d, names.to_vec()).map_err(|e| PipelineError::Invalid(e.to_string()))
            })
            .collect()
    }
}

/// Values outside uint16's range, clipped on writing.
pub(crate) fn count_clipped(data: &Array3<f32>) -> usize {
    data.iter()
        .filter(|v| !(-0.5..65535.5).contains(*v))
        .count()
}
