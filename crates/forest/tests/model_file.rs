//! The `.pxf` model file: round trip and corruption handling.

mod common;

use pixelforest_forest::{
    ClassInfo, ForestError, ForestSettings, Model, ModelMeta, RandomForest, TrainReport,
};

fn model() -> Model {
    let (x, y) = common::noisy(300, 5, 3, 21);
    let settings = ForestSettings {
        n_trees: 8,
        ..Default::default()
    };
    let (forest, report) = RandomForest::train(x.view(), &y, 3, &settings).unwrap();
    Model {
        forest,
        meta: ModelMeta {
            channel_names: vec!["DNA1".into(), "CD45".into()],
            feature_names: (0..5).map(|i| format!("f{i}")).collect(),
            feature_selection: serde_json::json!({"sigmas": [0.3, 1.0]}),
            classes: ["nuclei", "cytoplasm", "background"]
                .iter()
                .zip([[255, 0, 0], [0, 255, 0], [0, 0, 255]])
                .map(|(n, c)| ClassInfo {
                    name: n.to_string(),
                    color: c,
                })
                .collect(),
            settings,
            report: Some(TrainReport { ..report }),
            provenance: serde_json::json!({"program": "test"}),
        },
    }
}

fn saved(model: &Model) -> Vec<u8> {
    let mut bytes = Vec::new();
    model.save(&mut bytes).unwrap();
    bytes
}

fn load_err(bytes: &[u8]) -> String {
    match Model::load(bytes) {
        Err(ForestError::Model(m)) => m,
        Err(other) => panic!("expected a model error, got {other:?}"),
        Ok(_) => panic!("a corrupt file loaded"),
    }
}

#[test]
fn round_trip_predicts_bit_identically() {
    let model = model();
    let bytes = saved(&model);
    assert_eq!(&bytes[..8], b"PXFOREST");
    let loaded = Model::load(bytes.as_slice()).unwrap();
    assert_eq!(loaded, model);
    let (x, _) = common::noisy(500, 5, 3, 22);
    let bits = |m: &Model| {
        m.forest
            .predict_proba(x.view())
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&loaded), bits(&model));
    // Through a real file, too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.pxf");
    model
        .save(std::io::BufWriter::new(
            std::fs::File::create(&path).unwrap(),
        ))
        .unwrap();
    let from_file = Model::load(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(from_file, model);
}

#[test]
fn every_truncation_is_a_model_error() {
    let bytes = saved(&model());
    for len in 0..bytes.len() {
        load_err(&bytes[..len]);
    }
}

#[test]
fn flipped_bytes_are_model_errors() {
    let bytes = saved(&model());
    for pos in (8..bytes.len()).step_by(131) {
        let mut bad = bytes.clone();
        bad[pos] ^= 0x40;
        load_err(&bad);
    }
}

#[test]
fn wrong_magic_and_unknown_version_are_named() {
    let bytes = saved(&model());
    let mut bad = bytes.clone();
    bad[0] = b'Q';
    assert!(load_err(&bad).contains("magic"));
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&99u32.to_le_bytes());
    assert!(load_err(&newer).contains("version 99"));
    assert!(load_err(b"").contains("magic"));
}

#[test]
fn huge_lengths_with_a_valid_checksum_are_errors_not_allocations() {
    // A hand-made file whose metadata length claims 2^60 bytes, with a correct checksum.
    let mut bytes = b"PXFOREST".to_vec();
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&(1u64 << 60).to_le_bytes());
    bytes.extend_from_slice(b"{}");
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    assert!(load_err(&bytes).contains("length"));

    // A valid header and metadata, then a tree claiming 2^32 - 1 nodes.
    let model = model();
    let good = saved(&model);
    let meta_len = u64::from_le_bytes(good[12..20].try_into().unwrap()) as usize;
    let trees_at = 20 + meta_len + 12;
    let mut bad = good[..trees_at].to_vec();
    bad.extend_from_slice(&u32::MAX.to_le_bytes());
    bad.extend_from_slice(&u32::MAX.to_le_bytes());
    let crc = crc32fast::hash(&bad);
    bad.extend_from_slice(&crc.to_le_bytes());
    assert!(load_err(&bad).contains("truncated"));
}

#[test]
fn a_loop_in_a_checksummed_file_is_rejected() {
    let model = model();
    let mut good = saved(&model);
    let meta_len = u64::from_le_bytes(good[12..20].try_into().unwrap()) as usize;
    // First tree's first node's left child (after n_internal, n_leaves, feature, threshold) -> 0.
    let left_at = 20 + meta_len + 12 + 8 + 8;
    good.truncate(good.len() - 4);
    good[left_at..left_at + 4].copy_from_slice(&0u32.to_le_bytes());
    let crc = crc32fast::hash(&good);
    good.extend_from_slice(&crc.to_le_bytes());
    assert!(load_err(&good).contains("invalid child"));
}

/// Saves `model` after `edit` (so the checksum is valid) and returns the load error.
fn forged(edit: impl FnOnce(&mut Model)) -> String {
    let mut model = model();
    edit(&mut model);
    load_err(&saved(&model))
}

#[test]
fn forged_metadata_with_a_valid_checksum_is_rejected() {
    let two_classes = forged(|m| {
        m.meta.classes.pop();
    });
    assert!(
        two_classes.contains("2 classes are named but the forest has 3"),
        "{two_classes}"
    );
    let names = forged(|m| {
        m.meta.feature_names.truncate(2);
    });
    assert!(
        names.contains("2 feature names but the forest uses 5 features"),
        "{names}"
    );
    let channels = forged(|m| m.meta.channel_names.clear());
    assert!(channels.contains("no channel names"), "{channels}");
    let trees = forged(|m| m.meta.settings.min_samples_leaf = 0);
    assert!(trees.contains("min_samples_leaf 0"), "{trees}");
}
