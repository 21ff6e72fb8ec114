//! One training run over every labelled image of the project, on a blocking thread. Loading,
//! checking and training are `pipeline`'s `train_from_files`, as for the `train` command.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use pixelforest_core::LabelClass;
use pixelforest_features::{FeatureError, FeatureSelection};
use pixelforest_forest::ForestSettings;
use pixelforest_io::IoError;
use pixelforest_pipeline::{Model, PipelineError};

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
    #[error("only {0:?} is labelled: label at least two classes")]
    OneClass(String),
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

/// An image file and its label file.
type ImageAndLabels = (PathBuf, PathBuf);

/// The images with a label file holding at least one stroke, paired with that file, and the
/// label values present. An image whose strokes were all undone keeps an all-zero file: it is
/// not a labelled image.
fn labelled_pairs(state: &AppState) -> Result<(Vec<ImageAndLabels>, [bool; 256]), IoError> {
    let mut pairs = Vec::new();
    let mut present = [false; 256];
    for entry in state.project.images() {
        let Some(labels) = state.project.existing_labels(&entry) else {
            continue;
        };
        let mut any = false;
        for &v in pixelforest_io::read_label_image(&labels)?.iter() {
            present[usize::from(v)] = true;
            any |= v != 0;
        }
        if any {
            pairs.push((entry.path, labels));
        }
    }
    Ok((pairs, present))
}

/// The forest needs two classes; say which one is alone by its name, not its number.
fn check_two_classes(present: &[bool; 256], classes: &[LabelClass]) -> Result<(), TrainError> {
    let mut values = (1..256).filter(|&v| present[v]);
    match (values.next(), values.next()) {
        (Some(only), None) => Err(TrainError::OneClass(
            classes
                .get(only - 1)
                .map_or_else(|| format!("label value {only}"), |c| c.name.clone()),
        )),
        _ => Ok(()),
    }
}

/// Trains a model on every labelled image with the project's settings.
fn train(state: &AppState) -> Result<Trained, TrainError> {
    let settings = state.settings();
    let (pairs, present) = labelled_pairs(state)?;
    if pairs.is_empty() {
        return Err(TrainError::NoLabels);
    }
    check_two_classes(&present, &settings.classes)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_labelled_class_is_named_by_its_name() {
        let classes = pixelforest_core::default_classes();
        let mut present = [false; 256];
        present[0] = true;
        present[2] = true;
        let error = check_two_classes(&present, &classes).unwrap_err();
        assert_eq!(
            error.to_string(),
            "only \"Cytoplasm/membrane\" is labelled: label at least two classes"
        );
        present[3] = true;
        assert!(check_two_classes(&present, &classes).is_ok());
    }
}
