//! The model type and its `.pxf` file: a file an older version wrote still loads, re-saves
//! byte for byte and predicts the same bytes; metadata that disagrees with its forest is refused.

use std::path::{Path, PathBuf};

use ndarray::Array2;
use pixelforest_core::default_classes;
use pixelforest_features::{FeatureSelection, DEFAULT_PRESET};
use pixelforest_forest::ForestSettings;
use pixelforest_io::{SampleType, TiffCompression};
use pixelforest_pipeline::{
    load_model, predict_batch, train_model, MetaProblem, Model, ModelError, PipelineError,
    PredictOptions,
};

/// Written by pixelforest before the model type left the forest crate (see `make.sh` there).
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/model_v1");

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

#[test]
fn a_model_written_before_the_typed_model_loads_with_its_fields() {
    let model = load_model(&fixture("model_v1.pxf")).unwrap();
    let meta = &model.meta;
    assert_eq!(meta.channel_names, ["DNA", "CD45"]);
    let names: Vec<&str> = meta.classes.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Nuclei", "Membrane", "Background"]);
    let colors: Vec<[u8; 3]> = default_classes().iter().map(|c| c.color).collect();
    assert_eq!(
        meta.classes.iter().map(|c| c.color).collect::<Vec<_>>(),
        colors
    );
    assert_eq!(
        meta.feature_selection,
        FeatureSelection::preset(DEFAULT_PRESET).unwrap()
    );
    assert_eq!(meta.feature_names.len(), 80);
    assert_eq!(
        meta.feature_names[1],
        "Gaussian Smoothing (sigma=1.0) [CD45]"
    );
    assert_eq!(
        meta.settings,
        ForestSettings {
            n_trees: 3,
            max_depth: Some(4),
            seed: 5,
            ..ForestSettings::DEFAULT
        }
    );
    assert_eq!(meta.report.as_ref().unwrap().class_counts, [9, 23, 12]);
    assert_eq!(model.forest.n_trees(), 3);
}

#[test]
fn a_model_written_before_the_typed_model_saves_byte_identically() {
    let bytes = std::fs::read(fixture("model_v1.pxf")).unwrap();
    let model = Model::load(bytes.as_slice()).unwrap();
    let mut again = Vec::new();
    model.save(&mut again).unwrap();
    assert!(again == bytes, "the re-saved model differs from the file");
}

#[test]
fn a_model_written_before_the_typed_model_predicts_the_same_bytes() {
    let model = load_model(&fixture("model_v1.pxf")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let options = PredictOptions {
        output_dir: Some(out.path().to_path_buf()),
        sample: SampleType::F32,
        compression: TiffCompression::None,
        progress: false,
        ..PredictOptions::default()
    };
    let report = predict_batch(&model, &[fixture("tiny.tiff")], &options).unwrap();
    assert_eq!(report.failed(), 0);
    let written = std::fs::read(out.path().join("tiny_Probabilities.tiff")).unwrap();
    let before = std::fs::read(fixture("tiny_Probabilities.tiff")).unwrap();
    assert!(
        written == before,
        "the probabilities differ from the older version's"
    );
}

fn trained() -> Model {
    let labels = Array2::from_shape_fn((16, 16), |(y, _)| match y {
        0..2 => 1,
        14..16 => 2,
        _ => 0,
    });
    let data = ndarray::Array3::from_shape_fn((2, 16, 16), |(c, y, x)| (y * 10 + x % 3 + c) as f32);
    let image = pixelforest_core::Image::new(data, vec!["a".into(), "b".into()]).unwrap();
    let mut selection = FeatureSelection::preset(DEFAULT_PRESET).unwrap();
    selection.sigmas.truncate(1);
    for row in &mut selection.matrix {
        row.truncate(1);
    }
    let settings = ForestSettings {
        n_trees: 2,
        ..ForestSettings::DEFAULT
    };
    train_model(
        &[(image, labels)],
        &selection,
        &default_classes()[..2],
        &settings,
    )
    .unwrap()
}

/// Saves `model` after `edit` (so the checksum is valid) and returns what loading it says.
fn forged(edit: impl FnOnce(&mut Model)) -> MetaProblem {
    let mut model = trained();
    edit(&mut model);
    let mut bytes = Vec::new();
    model.save(&mut bytes).unwrap();
    match Model::load(bytes.as_slice()) {
        Err(ModelError::Meta(problem)) => problem,
        other => panic!("expected a metadata error, got {other:?}"),
    }
}

#[test]
fn forged_metadata_with_a_valid_checksum_is_rejected() {
    let model = trained();
    let n_features = model.forest.n_features();
    assert!(matches!(
        forged(|m| {
            m.meta.classes.pop();
        }),
        MetaProblem::Classes {
            named: 1,
            forest: 2
        }
    ));
    assert!(matches!(
        forged(|m| m.meta.feature_names.truncate(2)),
        MetaProblem::FeatureNames { names: 2, forest } if forest == n_features
    ));
    assert!(matches!(
        forged(|m| m.meta.channel_names.clear()),
        MetaProblem::NoChannels
    ));
    let settings = forged(|m| m.meta.settings.min_samples_leaf = 0);
    assert!(matches!(settings, MetaProblem::Settings(_)));
    assert!(settings.to_string().contains("min_samples_leaf 0"));
    assert!(matches!(
        forged(|m| m.meta.feature_selection.sigmas = vec![1e6]),
        MetaProblem::Selection(_)
    ));
    assert!(matches!(
        forged(|m| m.meta.channel_names.push("c".into())),
        MetaProblem::SelectionFeatures { channels: 3, .. }
    ));
}

#[test]
fn a_forged_model_file_is_a_model_error_naming_the_file() {
    let mut model = trained();
    model.meta.channel_names.clear();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forged.pxf");
    pixelforest_pipeline::save_model(&model, &path).unwrap();
    match load_model(&path) {
        Err(PipelineError::Model { path: p, source }) => {
            assert_eq!(p, path);
            assert!(matches!(source, ModelError::Meta(MetaProblem::NoChannels)));
        }
        other => panic!("{other:?}"),
    }
}
