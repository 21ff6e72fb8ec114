//! Prediction of one in-memory image, tile by tile: each tile's features (with their halo) live
//! only while the forest runs over them, so memory is bounded by the tile size.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ndarray::{Array3, ArrayView3, ArrayViewMut3};
use pixelforest_core::Image;
use pixelforest_features::{compute_features_region_into, FeatureSelection, Region};

use crate::error::{PipelineError, Result};
use crate::model::Model;
use crate::model_check::names_mismatch;
use crate::tiles::{stitch, tile_grid};

/// Default tile edge for prediction: small enough that a tile's features for a 40-channel
/// stack stay in the low hundreds of MB, large enough that the halo is a small overhead.
pub const DEFAULT_TILE: usize = 256;

/// The feature selection a model was trained with.
///
/// # Errors
/// When the selection is unreadable or invalid (scales, matrix shape), or gives another feature
/// count for the model's channels than its forest uses: a hand-edited model is refused here,
/// before any pixel is computed.
pub fn model_selection(model: &Model) -> Result<FeatureSelection> {
    Ok(model.selection()?.clone())
}

/// Checks that `image` fits `model` (channels, feature count); returns the model's selection.
pub fn check_image(model: &Model, image: &Image) -> Result<FeatureSelection> {
    check_channels(model, image.channels())
}

/// [`check_image`] for an image known by its channel names.
pub(crate) fn check_channels(model: &Model, channels: &[String]) -> Result<FeatureSelection> {
    if let Some(why) = names_mismatch(model, channels) {
        return Err(PipelineError::Invalid(why));
    }
    let selection = model_selection(model)?;
    let n = selection.n_features(channels.len());
    if n != model.forest.n_features() {
        return Err(PipelineError::Invalid(format!(
            "the model's feature selection gives {n} features for {} channels but its forest \
             expects {}",
            channels.len(),
            model.forest.n_features()
        )));
    }
    Ok(selection)
}

/// Predicts per-class probabilities (class, y, x) of `image`, tile by tile with `tile_size` tiles.
pub fn predict_image(model: &Model, image: &Image, tile_size: usize) -> Result<Array3<f32>> {
    predict_image_with_progress(model, image, tile_size, &|_, _| {})
}

/// [`predict_image`], calling `on_tile(done, total)` after each tile (from worker threads).
pub fn predict_image_with_progress(
    model: &Model,
    image: &Image,
    tile_size: usize,
    on_tile: &(dyn Fn(usize, usize) + Sync),
) -> Result<Array3<f32>> {
    let selection = check_image(model, image)?;
    let (h, w) = (image.height(), image.width());
    let tiles = TileCounter::new(tile_grid(h, w, tile_size).len(), on_tile);
    let band = Band {
        window: image.view(),
        top: 0,
        rows: 0..h,
    };
    Ok(predict_band(model, &selection, &band, tile_size, &tiles))
}

/// Rows `rows` of an image and the window of image rows `top..` they are computed from, which
/// holds the selection's halo above and below them (or reaches the image's edge).
pub(crate) struct Band<'a> {
    pub(crate) window: ArrayView3<'a, f32>,
    pub(crate) top: usize,
    pub(crate) rows: Range<usize>,
}

/// What the tiles of one image share: the count of tiles done (reported as it grows), and the
/// feature buffers reused from tile to tile and from band to band. Kept per band, the buffers
/// (126 MB each for 480 features, up to one per tile of a band) were allocated afresh for
/// every band of a streamed image, and the kernel zeroing new pages for them is the largest
/// item of a `predict` profile.
pub(crate) struct TileCounter<'a> {
    done: AtomicUsize,
    total: usize,
    on_tile: &'a (dyn Fn(usize, usize) + Sync),
    buffers: Mutex<Vec<Vec<f32>>>,
}

impl<'a> TileCounter<'a> {
    pub(crate) fn new(total: usize, on_tile: &'a (dyn Fn(usize, usize) + Sync)) -> Self {
        Self {
            done: AtomicUsize::new(0),
            total,
            on_tile,
            buffers: Mutex::new(Vec::new()),
        }
    }

    fn tick(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        (self.on_tile)(n, self.total);
    }
}

/// Probabilities (class, rows, width) of `band.rows`, tile by tile. The
/// tiles are the whole image's tiles when bands start at multiples of `tile_size`, and each
/// tile's features read the same pixels as on the whole image, so the result is the same rows
/// of [`predict_image`] bit for bit.
pub(crate) fn predict_band(
    model: &Model,
    selection: &FeatureSelection,
    band: &Band<'_>,
    tile_size: usize,
    tiles: &TileCounter<'_>,
) -> Array3<f32> {
    let (n, w) = (band.rows.len(), band.window.dim().2);
    let offset = band.rows.start - band.top;
    let k = model.forest.n_classes();
    let regions = tile_grid(n, w, tile_size);
    let n_features = model.forest.n_features();
    // Feature buffers are reused from tile to tile (one per concurrently running tile, should a
    // caller run bands in parallel): a fresh 100 MB allocation per tile costs more in page
    // faults than the forest. Every buffer holds a whole tile, and a smaller (edge) tile uses
    // its start: grown to each tile's size instead, a buffer that served an edge tile was
    // reallocated (copied, and its new pages zeroed by the kernel) by the next whole tile, 12%
    // of a `predict` profile. The features overwrite every value of their tile, so stale values
    // are never read.
    let tile = tile_size.max(1);
    let full = n_features * tile.min(n) * tile.min(w);
    let pool = &tiles.buffers;
    // Tiles one after the other, each computed by all threads (the filter bank's (scale,
    // channel) tasks, then the forest's squares, run in parallel): one feature buffer in use
    // instead of one per thread. Tiles in parallel held 2 x 126 MB on 2 threads, and on the
    // benchmark's machine the kernel's zeroing of a buffer's new pages costs more than the
    // features of a tile; measured on the end-to-end image: peak memory 400 -> 280 MB, system
    // time 0.26-0.41 -> 0.04-0.05 s, wall time no worse.
    let parts: Vec<_> = regions
        .iter()
        .map(|r| {
            let mut buffer = pool
                .lock()
                .ok()
                .and_then(|mut p| p.pop())
                .unwrap_or_default();
            if buffer.len() < full {
                buffer = vec![0.0; full];
            }
            let used = &mut buffer[..n_features * r.h * r.w];
            let mut feats = ArrayViewMut3::from_shape((n_features, r.h, r.w), used)
                .unwrap_or_else(|e| unreachable!("the buffer was sized for the tile: {e}"));
            let in_window = Region {
                y: r.y + offset,
                ..*r
            };
            compute_features_region_into(band.window, selection, in_window, feats.view_mut());
            let probs = model.forest.predict_proba_grid(feats.view());
            if let Ok(mut p) = pool.lock() {
                p.push(buffer);
            }
            tiles.tick();
            probs
        })
        .collect();
    stitch(&regions, parts, k, n, w)
}
