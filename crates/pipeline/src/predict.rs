//! Prediction of one in-memory image, tile by tile: each tile's features (with their halo) live
//! only while the forest runs over them, so memory is bounded by the tile size.

use ndarray::{Array2, Array3};
use pixelforest_core::Image;
use pixelforest_features::{compute_features_region, FeatureSelection};
use pixelforest_forest::Model;
use rayon::prelude::*;

use crate::error::{PipelineError, Result};
use crate::model_check::channel_mismatch;
use crate::tiles::{stitch, tile_grid};

/// Default tile edge for prediction: small enough that a tile's features for a 40-channel
/// stack stay in the low hundreds of MB, large enough that the halo is a small overhead.
pub const DEFAULT_TILE: usize = 256;

/// The feature selection a model was trained with.
pub fn model_selection(model: &Model) -> Result<FeatureSelection> {
    serde_json::from_value(model.meta.feature_selection.clone()).map_err(|e| {
        PipelineError::Invalid(format!("the model's feature selection is unreadable: {e}"))
    })
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
    let parts: Vec<_> = tiles
        .par_iter()
        .map(|r| {
            let feats = compute_features_region(image.view(), &selection, *r);
            let columns = to_columns(feats);
            let probs = model
                .forest
                .predict_proba_columns(columns.view())
                .into_shape_with_order((k, r.h, r.w))
                .unwrap_or_else(|e| unreachable!("forest output is (class, pixel): {e}"));
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            on_tile(n, total);
            probs
        })
        .collect();
    Ok(stitch(&tiles, parts, k, h, w))
}

/// A (feature, y, x) tile as (feature, pixel) columns, without a copy when it is contiguous.
fn to_columns(feats: Array3<f32>) -> Array2<f32> {
    let (f, h, w) = feats.dim();
    let feats = if feats.is_standard_layout() {
        feats
    } else {
        feats.as_standard_layout().into_owned()
    };
    match feats.into_shape_with_order((f, h * w)) {
        Ok(columns) => columns,
        Err(e) => unreachable!("a standard-layout array always reshapes row-major: {e}"),
    }
}
