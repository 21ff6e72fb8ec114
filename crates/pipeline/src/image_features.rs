//! The features of a whole image held in memory, for a caller that trains on and predicts the
//! same image again and again (the labeling server): computed once per image and selection, then
//! training gathers its rows from them ([`crate::labelled_rows_of_features`]) and the forest
//! predicts straight from them, with no filter run at all.

use crate::model::Model;
use ndarray::{Array3, ArrayView2, ArrayView3};
use pixelforest_core::Image;
use pixelforest_features::{compute_features, FeatureSelection};

use crate::error::{PipelineError, Result};

/// Every selected feature of `image`, (feature, y, x): equal to the tiles `predict` computes.
pub fn image_features(image: &Image, selection: &FeatureSelection) -> Array3<f32> {
    compute_features(image.view(), selection)
}

/// Bytes [`image_features`] of `image` take (f32 per feature and pixel).
pub fn image_features_bytes(image: &Image, selection: &FeatureSelection) -> usize {
    selection.n_features(image.n_channels()) * image.height() * image.width() * 4
}

/// Per-class probabilities (class, y, x) from an image's features (feature, y, x) as
/// [`image_features`] computed them under the model's selection; the same numbers
/// [`crate::predict_image`] gives for the image.
///
/// # Errors
/// When the features are not as many as the model's forest uses.
pub fn predict_features(model: &Model, features: ArrayView3<f32>) -> Result<Array3<f32>> {
    let (n_features, h, w) = features.dim();
    let standard = features.as_standard_layout();
    let columns = ArrayView2::from_shape((n_features, h * w), standard.as_slice().unwrap_or(&[]))
        .map_err(|e| PipelineError::Invalid(format!("feature planes: {e}")))?;
    let probs = model.forest.try_predict_proba_columns(columns)?;
    let k = probs.nrows();
    probs
        .into_shape_with_order((k, h, w))
        .map_err(|e| PipelineError::Invalid(format!("probabilities: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pixelforest_core::default_classes;
    use pixelforest_forest::ForestSettings;

    /// A 3-channel 70x90 image with structure at several scales, and sparse labels.
    fn sample() -> (Image, ndarray::Array2<u8>) {
        let data = Array3::from_shape_fn((3, 70, 90), |(c, y, x)| {
            ((x as f32 * 0.3 + c as f32).sin() * (y as f32 * 0.17).cos() * 100.0).abs()
        });
        let image = Image::new(data, vec!["a".into(), "b".into(), "c".into()]).unwrap();
        let labels = ndarray::Array2::from_shape_fn((70, 90), |(y, x)| match (y % 9, x % 11) {
            (0, _) => 1 + (x % 3) as u8,
            (_, 0) => 1 + (y % 3) as u8,
            _ => 0,
        });
        (image, labels)
    }

    #[test]
    fn training_and_predicting_on_kept_features_gives_the_models_and_maps_of_the_tiled_path() {
        let (image, labels) = sample();
        let selection = FeatureSelection::preset("ilastik").unwrap();
        let classes = default_classes();
        let settings = ForestSettings {
            n_trees: 8,
            ..ForestSettings::default()
        };
        let tiled = crate::train_model(
            &[(image.clone(), labels.clone())],
            &selection,
            &classes,
            &settings,
        )
        .unwrap();
        let features = image_features(&image, &selection);
        assert_eq!(image_features_bytes(&image, &selection), features.len() * 4);
        let rows = crate::labelled_rows_of_features(features.view(), &labels).unwrap();
        let kept = crate::train_on_rows(
            vec![rows],
            image.channels().to_vec(),
            &selection,
            &classes,
            &settings,
        )
        .unwrap();
        assert_eq!(kept.forest, tiled.forest);
        let from_tiles = crate::predict_image(&tiled, &image, 32).unwrap();
        let from_kept = predict_features(&kept, features.view()).unwrap();
        assert_eq!(from_kept, from_tiles);
    }
}
