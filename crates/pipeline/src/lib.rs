//! The pipeline layer: runs over many images (prepare, train, predict, uncertainty, demo), tile by
//! tile through features into the forest, in parallel, with progress, resume and sharding.
//!
//! Contract used by `cli` and `server` (keep these signatures; add freely).

use ndarray::{Array2, Array3};
use pixelforest_core::{Image, LabelClass};
use pixelforest_features::FeatureSelection;
use pixelforest_forest::{ForestSettings, Model};

/// Errors of the pipeline layer.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Io(#[from] pixelforest_io::IoError),
    #[error(transparent)]
    Forest(#[from] pixelforest_forest::ForestError),
    #[error(transparent)]
    Features(#[from] pixelforest_features::FeatureError),
    #[error("{0}")]
    Invalid(String),
}

/// Trains a model on in-memory images and their label maps (same height and width; 0 = unlabeled).
pub fn train_model(
    samples: &[(Image, Array2<u8>)],
    selection: &FeatureSelection,
    classes: &[LabelClass],
    settings: &ForestSettings,
) -> Result<Model, PipelineError> {
    let _ = (samples, selection, classes, settings);
    todo!("pipeline: train_model")
}

/// Predicts per-class probabilities (class, y, x) of `image`, tile by tile with `tile_size` tiles.
pub fn predict_image(
    model: &Model,
    image: &Image,
    tile_size: usize,
) -> Result<Array3<f32>, PipelineError> {
    let _ = (model, image, tile_size);
    todo!("pipeline: predict_image")
}
