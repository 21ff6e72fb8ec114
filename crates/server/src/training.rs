//! One training run over every labelled image of the project, on a blocking thread, with the
//! project's settings (`pixelforest.json`, as `train` reads them). Rows come from the feature
//! cache (the image being labelled keeps its feature planes), so a live update runs the forest,
//! not the filters; the new model's map of the image being labelled is predicted before the
//! training is announced, so the page's overlay request is answered at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ndarray::{Array2, Array3};
use pixelforest_core::LabelClass;
use pixelforest_io::IoError;
use pixelforest_pipeline::{Model, PipelineError};

use crate::state::AppState;

/// A finished training.
pub struct Trained {
    /// The new model, which replaces the old one only once training succeeded.
    pub model: Model,
    /// Images whose labels were used, for the status line.
    pub labelled_images: usize,
    /// Labelled pixels per class (index 0 = class 1), as the forest counted them.
    pub class_counts: Vec<usize>,
    /// The new model's probabilities of the image being labelled.
    pub prediction: Option<(PathBuf, Arc<Array3<f32>>)>,
}

/// Why a training run failed; its message is what `GET /api/status` shows.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// No saved label has any labelled pixel.
    #[error("no labels yet: draw some strokes for at least two classes")]
    NoLabels,
    /// A forest needs two classes to tell apart; the one labelled is named.
    #[error("only {0:?} is labelled: label at least two classes")]
    OneClass(String),
    /// A label file could not be read.
    #[error(transparent)]
    Labels(#[from] IoError),
    /// Features or the forest failed (an image unreadable, channels not matching).
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The training thread panicked; the server keeps running.
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

/// Marks the image at `path` as the one being labelled and, when it was not, computes its
/// feature planes in the background, so its first training and overlay do not wait for the
/// filters.
pub fn prefetch_features(state: &Arc<AppState>, path: &std::path::Path) {
    if !state.set_focus(path) {
        return;
    }
    let state = state.clone();
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let selection = state.settings().features;
        if let Ok(image) = state.image(&path) {
            state.features.planes(&path, &image, &selection);
        }
    });
}

/// An image file, its label file and the labels read from it.
type Labelled = (PathBuf, PathBuf, Array2<u8>);

/// The images with a label file holding at least one stroke, with their labels, and the label
/// values present. An image whose strokes were all undone keeps an all-zero file: it is not a
/// labelled image.
fn labelled_images(state: &AppState) -> Result<(Vec<Labelled>, [bool; 256]), IoError> {
    let mut found = Vec::new();
    let mut present = [false; 256];
    for entry in state.project.images() {
        let Some(path) = state.project.existing_labels(&entry) else {
            continue;
        };
        let labels = pixelforest_io::read_label_image(&path)?;
        let mut any = false;
        for &v in &labels {
            present[usize::from(v)] = true;
            any |= v != 0;
        }
        if any {
            found.push((entry.path, path, labels));
        }
    }
    Ok((found, present))
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

/// Trains a model on every labelled image with the project's settings, then predicts the image
/// being labelled with it.
fn train(state: &AppState) -> Result<Trained, TrainError> {
    let settings = state.settings();
    let (labelled, present) = labelled_images(state)?;
    if labelled.is_empty() {
        return Err(TrainError::NoLabels);
    }
    check_two_classes(&present, &settings.classes)?;
    let selection = &settings.features;
    let focus = state.focus();
    let pairs: Vec<(PathBuf, PathBuf)> = labelled
        .iter()
        .map(|(image, labels, _)| (image.clone(), labels.clone()))
        .collect();
    let mut rows = Vec::with_capacity(labelled.len());
    let mut channel_names = Vec::new();
    for (path, _, labels) in &labelled {
        let image = state.image(path)?;
        if channel_names.is_empty() {
            channel_names = image.channels().to_vec();
        }
        let is_focus = focus.as_deref() == Some(path.as_path());
        let found = state
            .features
            .rows(path, &image, labels, selection, is_focus)
            .map_err(|e| pixelforest_pipeline::in_terms_of_files(e, &pairs))?;
        rows.push(found.as_ref().clone());
    }
    let mut model = pixelforest_pipeline::train_on_rows(
        rows,
        channel_names,
        selection,
        &settings.classes,
        &settings.forest(),
    )
    .map_err(|e| pixelforest_pipeline::in_terms_of_files(e, &pairs))?;
    pixelforest_pipeline::record_training_files(&mut model, &pairs);
    let class_counts = model
        .meta
        .report
        .as_ref()
        .map(|r| r.class_counts.clone())
        .unwrap_or_default();
    let prediction = focus.and_then(|path| {
        let probs = state.predict_with(&model, &path).ok()?;
        Some((path, probs))
    });
    Ok(Trained {
        model,
        labelled_images: labelled.len(),
        class_counts,
        prediction,
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
