//! Features kept between trainings. Live training retrains after every stroke on images whose
//! pixels do not change: the filter bank was most of each update (500x500 crop, 12 channels,
//! 480 features: features 5.5 s of a 9.2 s training and of a 7.8 s prediction, debug build on a
//! loaded machine, `examples/latency_parts.rs`). So the image being labelled keeps its whole
//! feature planes (training gathers its rows from them, the overlay's forest reads them), and
//! every other labelled image keeps the rows of its labelled pixels until its labels change.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ndarray::{Array2, Array3};
use pixelforest_core::Image;
use pixelforest_features::FeatureSelection;
use pixelforest_pipeline::{PipelineError, TrainingRows};

use crate::state::lock;

/// Memory the feature planes may take: two 500x500 crops of 12 channels at 480 features
/// (480 MB each; a 250x250 crop takes 120 MB).
const PLANES_BUDGET: usize = 1 << 30;
/// Images whose labelled rows are kept (a few MB each).
const ROWS_KEPT: usize = 64;

/// Feature planes (feature, y, x) of one image under one selection.
struct Planes {
    path: PathBuf,
    selection: FeatureSelection,
    features: Arc<Array3<f32>>,
}

/// The labelled rows of one image, for the labels they were taken from.
struct Rows {
    path: PathBuf,
    selection: FeatureSelection,
    labels: Array2<u8>,
    rows: Arc<TrainingRows>,
}

/// The kept planes (least recently used first) and rows.
#[derive(Default)]
pub struct FeatureCache {
    planes: Mutex<VecDeque<Planes>>,
    rows: Mutex<VecDeque<Rows>>,
    /// Held while planes are computed, so two requests never compute the same planes at once.
    computing: Mutex<()>,
}

impl FeatureCache {
    /// The planes of the image at `path`, computed now unless kept; `None` when they alone would
    /// exceed the budget (a large full image: its tiles are then computed as `predict` does).
    pub fn planes(
        &self,
        path: &Path,
        image: &Image,
        selection: &FeatureSelection,
    ) -> Option<Arc<Array3<f32>>> {
        let bytes = pixelforest_pipeline::image_features_bytes(image, selection);
        if bytes > PLANES_BUDGET {
            return None;
        }
        if let Some(found) = self.kept_planes(path, selection) {
            return Some(found);
        }
        let _computing = lock(&self.computing);
        if let Some(found) = self.kept_planes(path, selection) {
            return Some(found);
        }
        let features = Arc::new(pixelforest_pipeline::image_features(image, selection));
        let mut planes = lock(&self.planes);
        let mut used: usize = planes.iter().map(|p| p.features.len() * 4).sum();
        while used + bytes > PLANES_BUDGET {
            let Some(old) = planes.pop_front() else { break };
            used -= old.features.len() * 4;
        }
        planes.push_back(Planes {
            path: path.to_path_buf(),
            selection: selection.clone(),
            features: features.clone(),
        });
        Some(features)
    }

    /// The planes of `path` if they are kept (marked as just used).
    pub fn kept_planes(
        &self,
        path: &Path,
        selection: &FeatureSelection,
    ) -> Option<Arc<Array3<f32>>> {
        let mut planes = lock(&self.planes);
        let at = planes
            .iter()
            .position(|p| p.path == path && p.selection == *selection)?;
        let entry = planes.remove(at)?;
        let features = entry.features.clone();
        planes.push_back(entry);
        Some(features)
    }

    /// The rows of the pixels `labels` marks in the image at `path`: kept ones when the labels are
    /// those they were taken for, else from the image's planes when kept (or when `focus`, the
    /// image being labelled, whose planes are computed now), else from its labelled tiles.
    pub fn rows(
        &self,
        path: &Path,
        image: &Image,
        labels: &Array2<u8>,
        selection: &FeatureSelection,
        focus: bool,
    ) -> Result<Arc<TrainingRows>, PipelineError> {
        let same = |r: &Rows| r.path == path && r.selection == *selection;
        if let Some(kept) = lock(&self.rows)
            .iter()
            .find(|r| same(r) && r.labels == *labels)
        {
            return Ok(kept.rows.clone());
        }
        let planes = if focus {
            self.planes(path, image, selection)
        } else {
            self.kept_planes(path, selection)
        };
        let rows = Arc::new(match planes {
            Some(features) => {
                pixelforest_pipeline::labelled_rows_of_features(features.view(), labels)?
            }
            None => pixelforest_pipeline::labelled_rows(image, labels, selection)?,
        });
        let mut kept = lock(&self.rows);
        kept.retain(|r| !same(r));
        if kept.len() >= ROWS_KEPT {
            kept.pop_front();
        }
        kept.push_back(Rows {
            path: path.to_path_buf(),
            selection: selection.clone(),
            labels: labels.clone(),
            rows: rows.clone(),
        });
        Ok(rows)
    }
}
