//! Training on in-memory images and sparse label maps: features are computed tile by tile and
//! only the labelled pixels are kept, so memory follows the label count, not the image size.

use ndarray::{s, Array2, ArrayView3, Axis, CowArray, Ix3};
use pixelforest_core::{Image, LabelClass};
use pixelforest_features::{compute_features_region, FeatureSelection, Region};
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

/// Feature rows of the labelled pixels of `image`, tile by tile (row-major within a tile): only
/// the tiles holding labels are computed.
pub fn labelled_rows(
    image: &Image,
    labels: &Array2<u8>,
    selection: &FeatureSelection,
) -> Result<TrainingRows> {
    check_size(labels, image.height(), image.width())?;
    let n_features = selection.n_features(image.n_channels());
    rows_by_tile(labels, n_features, |r| {
        compute_features_region(image.view(), selection, r).into()
    })
}

/// [`labelled_rows`] taken from the image's features computed beforehand (feature, y, x), as
/// `compute_features` returns them for the whole image: the same rows in the same order, so the
/// forest trained on them is the same.
pub fn labelled_rows_of_features(
    features: ArrayView3<f32>,
    labels: &Array2<u8>,
) -> Result<TrainingRows> {
    let (n_features, h, w) = features.dim();
    check_size(labels, h, w)?;
    rows_by_tile(labels, n_features, |r| {
        features
            .slice(s![.., r.y..r.y + r.h, r.x..r.x + r.w])
            .into()
    })
}

fn check_size(labels: &Array2<u8>, height: usize, width: usize) -> Result<()> {
    let (h, w) = labels.dim();
    if (h, w) != (height, width) {
        return Err(PipelineError::Invalid(format!(
            "the label image is {h}x{w} (height x width) but the image is {height}x{width}"
        )));
    }
    Ok(())
}

/// The rows of the labelled pixels, gathered from `tile_features` of every tile holding labels.
fn rows_by_tile<'a>(
    labels: &Array2<u8>,
    n_features: usize,
    tile_features: impl Fn(Region) -> CowArray<'a, f32, Ix3> + Sync,
) -> Result<TrainingRows> {
    let (h, w) = labels.dim();
    let tiles: Vec<_> = tile_grid(h, w, TRAIN_TILE)
        .into_iter()
        .filter(|r| {
            labels
                .slice(s![r.y..r.y + r.h, r.x..r.x + r.w])
                .iter()
                .any(|&l| l != 0)
        })
        .collect();
    let parts: Vec<(Vec<f32>, Vec<u8>)> = tiles
        .par_iter()
        .map(|r| {
            let feats = tile_features(*r);
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
    for (i, (image, labels)) in samples.iter().enumerate() {
        let problem = if image.n_channels() == channel_names.len() {
            label_problem(labels.iter(), classes)
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
        xs.push(rows);
    }
    train_on_rows(xs, channel_names, selection, classes, settings)
}

/// Trains a model on labelled feature rows, one [`TrainingRows`] per training image (from
/// [`labelled_rows`] or [`labelled_rows_of_features`]), all of `channel_names`' features under
/// `selection`. A label beyond the classes is an error naming its image.
pub fn train_on_rows(
    samples: Vec<TrainingRows>,
    channel_names: Vec<String>,
    selection: &FeatureSelection,
    classes: &[LabelClass],
    settings: &ForestSettings,
) -> Result<Model> {
    if samples.is_empty() || classes.len() < 2 {
        return Err(PipelineError::Invalid(format!(
            "{} training images and {} classes: at least one image and two classes are needed",
            samples.len(),
            classes.len()
        )));
    }
    let n_features = selection.n_features(channel_names.len());
    let per_channel = selection.n_features(1).max(1);
    for (index, rows) in samples.iter().enumerate() {
        let problem = if rows.x.ncols() == n_features {
            label_problem(rows.y.iter(), classes)
        } else {
            Some(SampleProblem::Channels {
                have: rows.x.ncols() / per_channel,
                want: channel_names.len(),
            })
        };
        if let Some(problem) = problem {
            return Err(PipelineError::Sample { index, problem });
        }
    }
    let n_images = samples.len();
    let mut ys = Vec::new();
    let mut xs = Vec::new();
    for rows in samples {
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
            "training_images": n_images,
            "labelled_pixels": ys.len(),
        }),
    };
    Ok(Model { forest, meta })
}

/// The first label value of `labels` beyond the classes, as a problem.
fn label_problem<'a>(
    mut labels: impl Iterator<Item = &'a u8>,
    classes: &[LabelClass],
) -> Option<SampleProblem> {
    labels
        .find(|&&l| usize::from(l) > classes.len())
        .map(|&value| SampleProblem::Label {
            value,
            n_classes: classes.len(),
            names: class_names(classes),
        })
}

fn class_names(classes: &[LabelClass]) -> String {
    classes
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = {}", i + 1, c.name))
        .collect::<Vec<_>>()
        .join(", ")
}
