//! Training on in-memory images and sparse label maps: features are computed tile by tile and
//! only the labelled pixels are kept, so memory follows the label count, not the image size.

use ndarray::{Array2, Axis};
use pixelforest_core::{Image, LabelClass};
use pixelforest_features::{compute_features_region, FeatureSelection};
use pixelforest_forest::{ForestSettings, RandomForest};
use rayon::prelude::*;

use crate::error::{PipelineError, Result, SampleProblem};
use crate::model::{Model, ModelMeta};
use crate::tiles::tile_grid;

/// Tile edge used while gathering training rows.
const TRAIN_TILE: usize = 256;

/// Labelled feature rows of one or more images: `x` is (sample, feature), `y` the labels.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRows {
    /// Feature rows, (sample, feature).
    pub x: Array2<f32>,
    /// Their labels (1 = first class).
    pub y: Vec<u8>,
}

/// Feature rows of the labelled pixels of `image`, in row-major pixel order.
pub fn labelled_rows(
    image: &Image,
    labels: &Array2<u8>,
    selection: &FeatureSelection,
) -> Result<TrainingRows> {
    let (h, w) = labels.dim();
    if (h, w) != (image.height(), image.width()) {
        return Err(PipelineError::Invalid(format!(
            "the label image is {h}x{w} (height x width) but the image is {}x{}",
            image.height(),
            image.width()
        )));
    }
    let n_features = selection.n_features(image.n_channels());
    let tiles: Vec<_> = tile_grid(h, w, TRAIN_TILE)
        .into_iter()
        .filter(|r| {
            labels
                .slice(ndarray::s![r.y..r.y + r.h, r.x..r.x + r.w])
                .iter()
                .any(|&l| l != 0)
        })
        .collect();
    let parts: Vec<(Vec<f32>, Vec<u8>)> = tiles
        .par_iter()
        .map(|r| {
            let feats = compute_features_region(image.view(), selection, *r);
            let mut rows = Vec::new();
            let mut ys = Vec::new();
            for ty in 0..r.h {
                for tx in 0..r.w {
                    let label = labels[[r.y + ty, r.x + tx]];
                    if label != 0 {
                        rows.extend(feats.index_axis(Axis(1), ty).column(tx).iter());
                        ys.push(label);
                    }
                }
            }
            (rows, ys)
        })
        .collect();
    let n: usize = parts.iter().map(|(_, y)| y.len()).sum();
    let mut flat = Vec::with_capacity(n * n_features);
    let mut y = Vec::with_capacity(n);
    for (rows, ys) in parts {
        flat.extend(rows);
        y.extend(ys);
    }
    let x = Array2::from_shape_vec((n, n_features), flat)
        .map_err(|e| PipelineError::Invalid(format!("feature rows: {e}")))?;
    Ok(TrainingRows { x, y })
}

/// Trains a model on in-memory images and their label maps (same height and width; 0 = unlabeled).
pub fn train_model(
    samples: &[(Image, Array2<u8>)],
    selection: &FeatureSelection,
    classes: &[LabelClass],
    settings: &ForestSettings,
) -> Result<Model> {
    let Some((first, _)) = samples.first() else {
        return Err(PipelineError::Invalid("no training images".into()));
    };
    if classes.len() < 2 {
        return Err(PipelineError::Invalid(format!(
            "{} label classes given; a classifier needs at least two",
            classes.len()
        )));
    }
    let channel_names = first.channels().to_vec();
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for (i, (image, labels)) in samples.iter().enumerate() {
        let problem = if image.n_channels() == channel_names.len() {
            labels
                .iter()
                .find(|&&l| usize::from(l) > classes.len())
                .map(|&value| SampleProblem::Label {
                    value,
                    n_classes: classes.len(),
                    names: class_names(classes),
                })
        } else {
            Some(SampleProblem::Channels {
                have: image.n_channels(),
                want: channel_names.len(),
            })
        };
        if let Some(problem) = problem {
            return Err(PipelineError::Sample { index: i, problem });
        }
        let rows = labelled_rows(image, labels, selection)
            .map_err(|e| PipelineError::Invalid(format!("training image {}: {e}", i + 1)))?;
        xs.push(rows.x);
        ys.extend(rows.y);
    }
    let views: Vec<_> = xs.iter().map(|x| x.view()).collect();
    let x = ndarray::concatenate(Axis(0), &views)
        .map_err(|e| PipelineError::Invalid(format!("feature rows: {e}")))?;
    let (forest, report) = RandomForest::train(x.view(), &ys, classes.len(), settings)?;
    let meta = ModelMeta {
        feature_names: selection.feature_names(&channel_names),
        channel_names,
        feature_selection: selection.clone(),
        classes: classes.to_vec(),
        settings: settings.clone(),
        report: Some(report),
        provenance: serde_json::json!({
            "program": "pixelforest",
            "version": env!("CARGO_PKG_VERSION"),
            "training_images": samples.len(),
            "labelled_pixels": ys.len(),
        }),
    };
    Ok(Model { forest, meta })
}

fn class_names(classes: &[LabelClass]) -> String {
    classes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = {}", i + 1, c.name))
        .collect::<Vec<_>>()
        .join(", ")
}
