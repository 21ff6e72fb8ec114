//! One training run over every labelled image of the project, on a blocking thread.

use std::sync::Arc;
use std::time::Instant;

use ndarray::Array2;
use pixelforest_features::FeatureSelection;
use pixelforest_forest::{ForestSettings, Model};

use crate::state::AppState;

/// A finished training.
pub struct Trained {
    pub model: Model,
    pub labelled_images: usize,
    pub class_counts: Vec<usize>,
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
                .unwrap_or_else(|e| Err(format!("training failed: {e}")));
            if !state.finish_training(outcome, started.elapsed().as_secs_f64()) {
                break;
            }
        }
    });
}

/// Loads every image with a non-empty label map and trains a model on them.
fn train(state: &AppState) -> Result<Trained, String> {
    let settings = state.settings();
    let n_classes = settings.classes.len();
    let mut samples = Vec::new();
    let mut class_counts = vec![0usize; n_classes];
    for entry in state.project.images() {
        let Some(path) = state.project.existing_labels(&entry) else {
            continue;
        };
        let labels: Array2<u8> =
            pixelforest_io::read_label_image(&path).map_err(|e| e.to_string())?;
        if labels.iter().all(|&v| v == 0) {
            continue;
        }
        let image = state.image(&entry.path)?;
        if labels.dim() != (image.height(), image.width()) {
            return Err(format!(
                "{}: label map is {}x{} but {} is {}x{}",
                path.display(),
                labels.ncols(),
                labels.nrows(),
                entry.name,
                image.width(),
                image.height()
            ));
        }
        for &v in labels.iter().filter(|&&v| v > 0) {
            let slot = class_counts.get_mut(usize::from(v) - 1).ok_or_else(|| {
                format!(
                    "{}: label {v} but only {n_classes} classes are defined",
                    path.display()
                )
            })?;
            *slot += 1;
        }
        samples.push(((*image).clone(), labels));
    }
    if samples.is_empty() {
        return Err("no labels yet: draw some strokes for at least two classes".into());
    }
    let selection = FeatureSelection::preset(&settings.features).map_err(|e| e.to_string())?;
    let forest = ForestSettings {
        n_trees: settings.n_trees,
        seed: settings.seed,
        ..ForestSettings::default()
    };
    let model = pixelforest_pipeline::train_model(&samples, &selection, &settings.classes, &forest)
        .map_err(|e| e.to_string())?;
    Ok(Trained {
        model,
        labelled_images: samples.len(),
        class_counts,
    })
}
