//! Shared server state: the project, a small cache of decoded images and predictions, the current
//! model and the training status.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use ndarray::Array3;
use pixelforest_core::Image;
use pixelforest_io::IoError;
use pixelforest_pipeline::{Model, PipelineError};
use serde::Serialize;

use crate::feature_cache::FeatureCache;
use crate::project::{Project, ProjectSettings};
use crate::project_error::ProjectError;
use crate::render::ChannelStats;
use crate::training::{TrainError, Trained};

/// Decoded images kept in memory: a crop is read once, then every tile request is a lookup.
const IMAGE_CACHE_SIZE: usize = 6;

/// Where training stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrainState {
    /// No training has run (or the model was dropped); overlays answer 409.
    Idle,
    /// A training runs in the background; the page waits on `GET /api/status?wait=`.
    Training,
    /// A model is there to predict with.
    Ready,
    /// The last training failed; `error` says why and the previous model (if any) stays.
    Error,
}

/// What `GET /api/status` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainStatus {
    /// Where training stands.
    pub state: TrainState,
    /// Increments with every finished training; overlays are cached per generation.
    pub generation: u64,
    /// A model is there to predict with (false before any training and after a class was deleted).
    pub has_model: bool,
    /// Why the last training failed, for the page to show.
    pub error: Option<String>,
    /// Images with saved labels the last training used.
    pub labelled_images: usize,
    /// Labelled pixels per class (index 0 = class 1) of the last training.
    pub class_counts: Vec<usize>,
    /// Duration of the last training.
    pub seconds: f64,
    /// A training was requested while one ran; it starts when that one ends.
    pub queued: bool,
    /// The model was read at start from this file of the project (`classifier.pxf`), not trained here.
    pub model_file: Option<PathBuf>,
}

/// Probabilities (class, y, x) of one image and the model generation that made them.
type Prediction = (u64, Arc<Array3<f32>>);

/// Everything the handlers share.
pub struct AppState {
    /// The project folder being labelled.
    pub project: Project,
    settings: Mutex<ProjectSettings>,
    images: Mutex<VecDeque<(PathBuf, Arc<Image>)>>,
    stats: Mutex<HashMap<(PathBuf, usize), ChannelStats>>,
    meta: Mutex<HashMap<PathBuf, ImageMeta>>,
    model: Mutex<Option<Arc<Model>>>,
    predictions: Mutex<HashMap<PathBuf, Prediction>>,
    status: Mutex<TrainStatus>,
    /// Serializes writes into the project, so two saves of one file land in the order they came.
    writes: Mutex<()>,
    /// Features kept between trainings and predictions.
    pub features: FeatureCache,
    /// The image being labelled: the last whose labels were read or saved.
    focus: Mutex<Option<PathBuf>>,
    /// Counts changes of the training status, for requests waiting on one.
    changes: tokio::sync::watch::Sender<u64>,
}

impl AppState {
    /// Opens the project folder and its settings (defaults when `pixelforest.json` does not exist).
    pub fn new(project_dir: &Path) -> Result<Arc<Self>, ProjectError> {
        let project = Project::open(project_dir)?;
        let settings = project.load_settings()?;
        project.remove_stale_temp_files();
        let (model, status) = saved_model(&project, &settings);
        Ok(Arc::new(Self {
            project,
            settings: Mutex::new(settings),
            images: Mutex::new(VecDeque::new()),
            stats: Mutex::new(HashMap::new()),
            meta: Mutex::new(HashMap::new()),
            model: Mutex::new(model),
            predictions: Mutex::new(HashMap::new()),
            status: Mutex::new(status),
            writes: Mutex::new(()),
            features: FeatureCache::default(),
            focus: Mutex::new(None),
            changes: tokio::sync::watch::Sender::new(0),
        }))
    }

    /// Runs `write` while no other request writes into the project folder.
    pub fn exclusive_write<T>(&self, write: impl FnOnce() -> T) -> T {
        let _guard = lock(&self.writes);
        write()
    }

    /// A copy of the settings, so no lock is held while a request uses them.
    pub fn settings(&self) -> ProjectSettings {
        lock(&self.settings).clone()
    }

    /// Replaces the settings in memory (after `pixelforest.json` was written).
    pub fn set_settings(&self, settings: ProjectSettings) {
        *lock(&self.settings) = settings;
    }

    /// The decoded image at `path`, read on first use (blocking: call from a blocking thread).
    pub fn image(&self, path: &Path) -> Result<Arc<Image>, IoError> {
        if let Some((_, image)) = lock(&self.images).iter().find(|(p, _)| p == path) {
            return Ok(image.clone());
        }
        let image = Arc::new(pixelforest_io::read_image(path)?);
        let mut cache = lock(&self.images);
        if cache.len() >= IMAGE_CACHE_SIZE {
            cache.pop_front();
        }
        cache.push_back((path.to_path_buf(), image.clone()));
        Ok(image)
    }

    /// Size and channel names of the image at `path`, kept after the pixels leave the cache.
    pub fn image_meta(&self, path: &Path) -> Result<ImageMeta, IoError> {
        if let Some(meta) = lock(&self.meta).get(path) {
            return Ok(meta.clone());
        }
        let image = self.image(path)?;
        let meta = ImageMeta {
            width: image.width(),
            height: image.height(),
            channels: image.channels().to_vec(),
        };
        lock(&self.meta).insert(path.to_path_buf(), meta.clone());
        Ok(meta)
    }

    /// Display statistics of channel `c` of the image at `path`, computed once.
    pub fn channel_stats(&self, path: &Path, image: &Image, c: usize) -> ChannelStats {
        let key = (path.to_path_buf(), c);
        if let Some(stats) = lock(&self.stats).get(&key) {
            return *stats;
        }
        let stats = crate::render::channel_stats(image.channel(c));
        lock(&self.stats).insert(key, stats);
        stats
    }

    /// The image being labelled.
    pub fn focus(&self) -> Option<PathBuf> {
        lock(&self.focus).clone()
    }

    /// Marks the image at `path` as the one being labelled; true when it was not already.
    pub fn set_focus(&self, path: &Path) -> bool {
        let mut focus = lock(&self.focus);
        if focus.as_deref() == Some(path) {
            return false;
        }
        *focus = Some(path.to_path_buf());
        true
    }

    /// Tells requests waiting in [`AppState::status_after`] that the status changed.
    fn status_changed(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The status once it differs from "training with model `generation`" (a training ended,
    /// failed, or a newer model is there), or after `timeout`: the page waits here instead of
    /// polling.
    pub async fn status_after(&self, generation: u64, timeout: std::time::Duration) -> TrainStatus {
        let mut changes = self.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            changes.mark_unchanged();
            let status = self.status();
            if status.state != TrainState::Training || status.generation != generation {
                return status;
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                _ => return self.status(),
            }
        }
    }

    /// The current model, shared so a long prediction keeps it while a new one is trained.
    pub fn model(&self) -> Option<Arc<Model>> {
        lock(&self.model).clone()
    }

    /// A snapshot of the training status.
    pub fn status(&self) -> TrainStatus {
        lock(&self.status).clone()
    }

    /// Marks training as started; false (and queues a rerun) when one is already running.
    pub fn begin_training(&self) -> bool {
        let mut status = lock(&self.status);
        if status.state == TrainState::Training {
            status.queued = true;
            return false;
        }
        status.state = TrainState::Training;
        status.error = None;
        status.queued = false;
        drop(status);
        self.status_changed();
        true
    }

    /// Drops the model (its classes no longer match the project's); refused while a training runs,
    /// which would bring back a model of the old classes.
    pub fn forget_model(&self) -> Result<(), TrainingRuns> {
        let mut status = lock(&self.status);
        if status.state == TrainState::Training {
            return Err(TrainingRuns);
        }
        *lock(&self.model) = None;
        lock(&self.predictions).clear();
        status.state = TrainState::Idle;
        status.error = None;
        status.class_counts.clear();
        status.labelled_images = 0;
        status.has_model = false;
        status.model_file = None;
        drop(status);
        self.status_changed();
        Ok(())
    }

    /// Records a finished training; true when another was queued meanwhile and should start now.
    pub fn finish_training(&self, outcome: Result<Trained, TrainError>, seconds: f64) -> bool {
        let rerun = self.record_training(outcome, seconds);
        self.status_changed();
        rerun
    }

    fn record_training(&self, outcome: Result<Trained, TrainError>, seconds: f64) -> bool {
        let mut status = lock(&self.status);
        status.seconds = seconds;
        match outcome {
            Ok(trained) => {
                *lock(&self.model) = Some(Arc::new(trained.model));
                status.generation += 1;
                let mut predictions = lock(&self.predictions);
                predictions.clear();
                if let Some((path, probs)) = trained.prediction {
                    predictions.insert(path, (status.generation, probs));
                }
                status.state = TrainState::Ready;
                status.labelled_images = trained.labelled_images;
                status.class_counts = trained.class_counts;
                status.model_file = None;
                status.has_model = true;
            }
            Err(error) => {
                status.state = TrainState::Error;
                status.error = Some(error.to_string());
            }
        }
        if status.queued {
            status.queued = false;
            status.state = TrainState::Training;
            return true;
        }
        false
    }

    /// Probabilities of the image at `path` under the current model, predicted once per generation.
    pub fn prediction(&self, path: &Path) -> Result<Arc<Array3<f32>>, PredictError> {
        // Read under the status lock, which `finish_training` holds while swapping the model, so the
        // cached probabilities are never filed under a newer model's generation.
        let (model, generation) = {
            let status = lock(&self.status);
            (self.model(), status.generation)
        };
        let model = model.ok_or(PredictError::NoModel)?;
        if let Some((g, probs)) = lock(&self.predictions).get(path) {
            if *g == generation {
                return Ok(probs.clone());
            }
        }
        let probs = self.predict_with(&model, path)?;
        lock(&self.predictions).insert(path.to_path_buf(), (generation, probs.clone()));
        Ok(probs)
    }

    /// Probabilities of the image at `path` under `model`: from its kept feature planes (computed
    /// now when they fit), else tile by tile as `predict` does.
    pub fn predict_with(
        &self,
        model: &Model,
        path: &Path,
    ) -> Result<Arc<Array3<f32>>, PredictError> {
        let failed = |source| PredictError::Failed {
            path: path.to_path_buf(),
            source,
        };
        let image = self.image(path).map_err(|e| failed(e.into()))?;
        let selection = pixelforest_pipeline::check_image(model, &image).map_err(failed)?;
        let probs = match self.features.planes(path, &image, &selection) {
            Some(features) => pixelforest_pipeline::predict_features(model, features.view()),
            None => pixelforest_pipeline::predict_image(model, &image, 256),
        };
        probs.map(Arc::new).map_err(failed)
    }
}

/// A training is running (the change asked for must wait until it ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a training is running: try again when it has finished")]
pub struct TrainingRuns;

fn idle_status() -> TrainStatus {
    TrainStatus {
        state: TrainState::Idle,
        generation: 0,
        has_model: false,
        error: None,
        labelled_images: 0,
        class_counts: Vec::new(),
        seconds: 0.0,
        queued: false,
        model_file: None,
    }
}

/// The project's saved model (`classifier.pxf`), so a restarted server predicts at once. An
/// unreadable file, or one trained on another number of classes than the project has now (a
/// class deleted since), is reported in the status instead of stopping the server.
fn saved_model(project: &Project, settings: &ProjectSettings) -> (Option<Arc<Model>>, TrainStatus) {
    let path = project.model_path();
    let mut status = idle_status();
    if !path.is_file() {
        return (None, status);
    }
    let loaded = pixelforest_pipeline::load_model(&path)
        .map_err(|e| e.to_string())
        .and_then(|model| {
            let (has, wants) = (model.meta.classes.len(), settings.classes.len());
            if has == wants {
                Ok(model)
            } else {
                Err(format!(
                    "{}: {has} classes, the project has {wants}: train again",
                    path.display()
                ))
            }
        });
    match loaded {
        Ok(model) => {
            status.state = TrainState::Ready;
            status.generation = 1;
            status.has_model = true;
            status.class_counts = model
                .meta
                .report
                .as_ref()
                .map(|r| r.class_counts.clone())
                .unwrap_or_default();
            status.model_file = path
                .strip_prefix(project.root())
                .ok()
                .map(Path::to_path_buf);
            (Some(Arc::new(model)), status)
        }
        Err(e) => {
            status.state = TrainState::Error;
            status.error = Some(format!("saved model not loaded: {e}"));
            (None, status)
        }
    }
}

/// What the image list shows of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageMeta {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Channel names, for the channel pickers.
    pub channels: Vec<String>,
}

/// Why no prediction could be made.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    /// Nothing trained or loaded yet (409).
    #[error("no model yet: POST /api/train first")]
    NoModel,
    /// The image could not be read or does not fit the model (its channels, its size).
    #[error("{path}: {source}")]
    Failed {
        /// The image.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: PipelineError,
    },
}

/// Locks `mutex`, recovering the data if a panicking thread poisoned it (the data stays consistent:
/// every critical section here is a plain assignment or lookup).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_training_requested_while_one_runs_is_queued_once() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path()).unwrap();
        assert!(state.begin_training());
        assert!(!state.begin_training());
        assert!(!state.begin_training());
        assert!(state.status().queued);
        // The first run fails; the queued rerun starts at once, and nothing is queued after it.
        let unreadable = IoError::Format {
            path: "labels/a_labels.png".into(),
            message: "boom".into(),
        };
        assert!(state.finish_training(Err(unreadable.into()), 0.5));
        assert_eq!(state.status().state, TrainState::Training);
        assert!(!state.finish_training(Err(TrainError::NoLabels), 0.25));
        let status = state.status();
        assert_eq!((status.state, status.generation), (TrainState::Error, 0));
        assert_eq!(
            status.error.as_deref(),
            Some("no labels yet: draw some strokes for at least two classes")
        );
        assert!(state.model().is_none());
    }
}
