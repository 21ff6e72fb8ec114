//! Prediction of one in-memory image, tile by tile: each tile's features (with their halo) live
//! only while the forest runs over them, so memory is bounded by the tile size.

use std::sync::Mutex;

use ndarray::{Array3, ArrayView2, ArrayViewMut3};
use pixelforest_core::Image;
use pixelforest_features::{compute_features_region_into, FeatureSelection};
use rayon::prelude::*;

use crate::error::{PipelineError, Result};
use crate::model::Model;
use crate::model_check::channel_mismatch;
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
    if let Some(why) = channel_mismatch(model, image) {
        return Err(PipelineError::Invalid(why));
    }
    let selection = model_selection(model)?;
    let n = selection.n_features(image.n_channels());
    if n != model.forest.n_features() {
        return Err(PipelineError::Invalid(format!(
            "the model's feature selection gives {n} features for {} channels but its forest \
             expects {}",
            image.n_channels(),
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
    let k = model.forest.n_classes();
    let tiles = tile_grid(h, w, tile_size);
    let total = tiles.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let n_features = model.forest.n_features();
    // Feature buffers are reused from tile to tile (at most one per concurrently running tile):
    // a fresh 100 MB allocation per tile costs more in page faults than the forest.
    let pool: Mutex<Vec<Vec<f32>>> = Mutex::new(Vec::new());
    let parts: Vec<_> = tiles
        .par_iter()
        .map(|r| {
            let mut buffer = pool
                .lock()
                .ok()
                .and_then(|mut p| p.pop())
                .unwrap_or_default();
            buffer.resize(n_features * r.h * r.w, 0.0);
            let mut feats = ArrayViewMut3::from_shape((n_features, r.h, r.w), &mut buffer)
                .unwrap_or_else(|e| unreachable!("the buffer was sized for the tile: {e}"));
            compute_features_region_into(image.view(), &selection, *r, feats.view_mut());
            let columns = ArrayView2::from_shape((n_features, r.h * r.w), &buffer)
                .unwrap_or_else(|e| unreachable!("the buffer was sized for the tile: {e}"));
            let probs = model
                .forest
                .predict_proba_columns(columns)
                .into_shape_with_order((k, r.h, r.w))
                .unwrap_or_else(|e| unreachable!("forest output is (class, pixel): {e}"));
            if let Ok(mut p) = pool.lock() {
                p.push(buffer);
            }
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            on_tile(n, total);
            probs
        })
        .collect();
    Ok(stitch(&tiles, parts, k, h, w))
}
