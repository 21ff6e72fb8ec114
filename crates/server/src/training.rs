//! One training run over every labelled image of the project, on a blocking thread. Loading,
//! checking and training are `pipeline`'s `train_from_files`, as for the `train` command.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use pixelforest_features::{FeatureError, FeatureSelection};
use pixelforest_forest::{ForestSettings, Model};
use pixelforest_io::IoError;
use pixelforest_pipeline::PipelineError;

use crate::state::AppState;

/// A finished training.
pub struct Trained {
    pub model: Model,
    pub labelled_images: usize,
    /// Labelled pixels per class (index 0 = class 1), as the forest counted them.
    pub class_counts: Vec<usize>,
}

/// Why a training run failed; its message is what `GET /api/status` shows.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("no labels yet: draw some strokes for at least two classes")]
    NoLabels,
    #[error(transparent)]
    Labels(#[from] IoError),
    #[error("feature preset in pixelforest.json: {0}")]
    Features(#[from] FeatureError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error("training failed: {0}")]
    Crashed(#[from] tokio::task::JoinError),
}

/// Starts training in the background unless it is already running (then a rerun is queued).
pub fn request_training(state: &Arc<AppState>) {
    if !state.begin_training() {
        return;
    }
    let state = state.clone();
    tokio::task::spawn(async move {
        loop {
            let worker = state.clone();
            let started = Instant::now();
            let outcome = tokio::task::spawn_blocking(move || train(&worker))
                .await
                .unwrap_or_else(|e| Err(e.into()));
            if !state.finish_training(outcome, started.elapsed().as_secs_f64()) {
                break;
            }
        }
    });
}

/// The images with a label file holding at least one stroke, paired with that file. An image
/// whose strokes were all undone keeps an all-zero file: it is not a labelled image.
fn labelled_pairs(state: &AppState) -> Result<Vec<(PathBuf, PathBuf)>, IoError> {
    let mut pairs = Vec::new();
    for entry in state.project.images() {
        let Some(labels) = state.project.existing_labels(&entry) else {
            continue;
        };
        if pixelforest_io::read_label_image(&labels)?
            .iter()
            .any(|&v| v != 0)
        {
            pairs.push((entry.path, labels));
        }
    }
    Ok(pairs)
}

/// Trains a model on every labelled image with the project's settings.
fn train(state: &AppState) -> Result<Trained, TrainError> {
    let settings = state.settings();
    let pairs = labelled_pairs(state)?;
    if pairs.is_empty() {
        return Err(TrainError::NoLabels);
    }
    let selection = FeatureSelection::preset(&settings.features)?;
    let forest = ForestSettings {
        n_trees: settings.n_trees,
        seed: settings.seed,
        ..ForestSettings::default()
    };
    let model =
        pixelforest_pipeline::train_from_files(&pairs, &selection, &settings.classes, &forest)?;
    let class_counts = model
        .meta
        .report
        .as_ref()
        .map(|r| r.class_counts.clone())
        .unwrap_or_default();
    Ok(Trained {
        model,
        labelled_images: pairs.len(),
        class_counts,
    })
}
