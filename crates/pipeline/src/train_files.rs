//! `train` from files: crops or images plus label images matched to them by name (the labeling
//! UI's `labels/<stem>_labels.png`, or label images from napari / Fiji / ilastik).

use std::path::{Path, PathBuf};

use ndarray::Array2;
use pixelforest_core::{Image, LabelClass};
use pixelforest_features::FeatureSelection;
use pixelforest_forest::ForestSettings;

use crate::error::{PipelineError, Result, SampleProblem};
use crate::model::Model;
use crate::project_settings::ProjectSettings;
use crate::train::train_model;

/// Extensions a label image may have, in the order they are looked for.
const LABEL_EXTENSIONS: &[&str] = &["tiff", "tif", "png", "h5"];

/// The label image for `image` in `labels_dir`: `<stem>_labels.<ext>` or `<stem>.<ext>`, looked for
/// first in the subfolder named after the image's folder (where `serve` saves them), then in
/// `labels_dir` itself.
pub fn find_label_image(image: &Path, labels_dir: &Path) -> Option<PathBuf> {
    let stem = pixelforest_io::image_stem(image);
    // `serve` keeps the labels of `PROJECT/ilastik/x.h5` in `labels/ilastik/`.
    let mirrored = image
        .parent()
        .and_then(Path::file_name)
        .map(|folder| labels_dir.join(folder));
    for dir in mirrored.iter().map(PathBuf::as_path).chain([labels_dir]) {
        for name in [format!("{stem}_labels"), stem.clone()] {
            for ext in LABEL_EXTENSIONS {
                let candidate = dir.join(format!("{name}.{ext}"));
                if candidate.is_file() && !same_file(&candidate, image) {
                    return Some(candidate);
                }
            }
        }
    }
    None
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Images paired with their label images, and the images that have none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pairing {
    /// (image, label image) pairs.
    pub pairs: Vec<(PathBuf, PathBuf)>,
    /// Images without a label image.
    pub unlabeled: Vec<PathBuf>,
}

/// Pairs every image with its label image in `labels_dir`.
pub fn pair_labels(images: &[PathBuf], labels_dir: &Path) -> Pairing {
    let mut pairing = Pairing::default();
    for image in images {
        match find_label_image(image, labels_dir) {
            Some(labels) => pairing.pairs.push((image.clone(), labels)),
            None => pairing.unlabeled.push(image.clone()),
        }
    }
    pairing
}

/// The class list of a labeling project: that of its `pixelforest.json` in `labels_dir` or its
/// parent (see [`ProjectSettings::of_labels`]), else Nuclei, Cytoplasm/membrane, Background.
pub fn project_classes(labels_dir: &Path) -> Result<Vec<LabelClass>> {
    ProjectSettings::of_labels(labels_dir).map(|s| s.classes)
}

/// Reads an image and its label image, checking that their sizes agree.
pub fn load_pair(image_path: &Path, labels_path: &Path) -> Result<(Image, Array2<u8>)> {
    let image = pixelforest_io::read_image(image_path)?;
    let labels = pixelforest_io::read_label_image(labels_path)?;
    if labels.dim() != (image.height(), image.width()) {
        return Err(PipelineError::file(
            labels_path,
            format!(
                "label image is {}x{} (height x width) but {} is {}x{}",
                labels.nrows(),
                labels.ncols(),
                image_path.display(),
                image.height(),
                image.width()
            ),
        ));
    }
    Ok((image, labels))
}

/// Trains on image files paired with label files; errors name the offending file.
pub fn train_from_files(
    pairs: &[(PathBuf, PathBuf)],
    selection: &FeatureSelection,
    classes: &[LabelClass],
    settings: &ForestSettings,
) -> Result<Model> {
    train_pairs(pairs, |samples| {
        train_model(samples, selection, classes, settings)
    })
}

/// [`train_from_files`], then pruned to the fewest (family, scale) pairs whose out-of-bag
/// accuracy is within `tolerance` of the full selection's (see [`crate::train_pruned`]).
pub fn train_from_files_pruned(
    pairs: &[(PathBuf, PathBuf)],
    selection: &FeatureSelection,
    classes: &[LabelClass],
    settings: &ForestSettings,
    tolerance: f64,
) -> Result<Model> {
    train_pairs(pairs, |samples| {
        crate::prune::train_pruned(samples, selection, classes, settings, tolerance).map(|(m, _)| m)
    })
}

/// Loads `pairs` and trains on them with `train`; errors name the offending file.
fn train_pairs(
    pairs: &[(PathBuf, PathBuf)],
    train: impl FnOnce(&[(pixelforest_core::Image, ndarray::Array2<u8>)]) -> Result<Model>,
) -> Result<Model> {
    if pairs.is_empty() {
        return Err(PipelineError::Invalid(
            "no labelled images: no label image matched any image by name \
             (expected <image stem>_labels.tiff/.png/.h5 or <image stem>.tiff/.png/.h5)"
                .into(),
        ));
    }
    let samples = pairs
        .iter()
        .map(|(image, labels)| load_pair(image, labels))
        .collect::<Result<Vec<_>>>()?;
    // train_model checks the samples; its errors are told here in terms of the files.
    let mut model = train(&samples).map_err(|e| in_terms_of_files(e, pairs))?;
    record_training_files(&mut model, pairs);
    Ok(model)
}

/// A training error about sample `index` of `pairs` said of the file at fault (the image for its
/// channels, the label image for its values); other errors as they are.
pub fn in_terms_of_files(error: PipelineError, pairs: &[(PathBuf, PathBuf)]) -> PipelineError {
    match error {
        PipelineError::Sample { index, problem } if index < pairs.len() => {
            let (image, labels) = &pairs[index];
            let path = match problem {
                SampleProblem::Channels { .. } => image,
                SampleProblem::Label { .. } => labels,
            };
            PipelineError::file(path, problem.to_string())
        }
        other => other,
    }
}

/// Records the image and label files a model was trained on in its provenance.
pub fn record_training_files(model: &mut Model, pairs: &[(PathBuf, PathBuf)]) {
    model.meta.provenance["training_images"] = pairs
        .iter()
        .map(|(i, l)| {
            serde_json::json!({
                "image": i.display().to_string(),
                "labels": l.display().to_string(),
            })
        })
        .collect();
}
