//! The `.pxf` container: round trip and corruption handling. (The metadata it carries is the
//! pipeline's model type, tested there.)

mod common;

use pixelforest_forest::{
    read_model_file, write_model_file, ForestError, ForestSettings, ModelFileProblem, RandomForest,
    TreeProblem,
};

const META: &[u8] = br#"{"program":"test"}"#;

fn forest() -> RandomForest {
    let (x, y) = common::noisy(300, 5, 3, 21);
    let settings = ForestSettings {
        n_trees: 8,
        ..Default::default()
    };
    RandomForest::train(x.view(), &y, 3, &settings).unwrap().0
}

fn saved(forest: &RandomForest) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_model_file(forest, META, &mut bytes).unwrap();
    bytes
}

fn load_err(bytes: &[u8]) -> ModelFileProblem {
    match read_model_file(bytes) {
        Err(ForestError::ModelFile(problem)) => problem,
        Err(other) => panic!("expected a model file error, got {other:?}"),
        Ok(_) => panic!("a corrupt file loaded"),
    }
}

#[test]
fn round_trip_predicts_bit_identically() {
    let forest = forest();
    let bytes = saved(&forest);
    assert_eq!(&bytes[..8], b"PXFOREST");
    assert_eq!(&bytes[20..20 + META.len()], META);
    let (meta, loaded) = read_model_file(bytes.as_slice()).unwrap();
    assert_eq!(meta, META);
    assert_eq!(loaded, forest);
    let (x, _) = common::noisy(500, 5, 3, 22);
    let bits = |f: &RandomForest| {
        f.predict_proba(x.view())
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&loaded), bits(&forest));
}

#[test]
fn every_truncation_is_a_model_error() {
    let bytes = saved(&forest());
    for len in 0..bytes.len() {
        load_err(&bytes[..len]);
    }
}

#[test]
fn flipped_bytes_are_model_errors() {
    let bytes = saved(&forest());
    for pos in (8..bytes.len()).step_by(131) {
        let mut bad = bytes.clone();
        bad[pos] ^= 0x40;
        load_err(&bad);
    }
}

#[test]
fn wrong_magic_and_unknown_version_are_named() {
    let bytes = saved(&forest());
    let mut bad = bytes.clone();
    bad[0] = b'Q';
    assert_eq!(load_err(&bad), ModelFileProblem::Magic);
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&99u32.to_le_bytes());
    assert_eq!(load_err(&newer), ModelFileProblem::Version(99));
    assert!(load_err(&newer).to_string().contains("version 99"));
    assert_eq!(load_err(b""), ModelFileProblem::Magic);
}

/// Appends the CRC-32 a valid file ends with.
fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

#[test]
fn huge_lengths_with_a_valid_checksum_are_errors_not_allocations() {
    // A hand-made file whose metadata length claims 2^60 bytes, with a correct checksum.
    let mut bytes = b"PXFOREST".to_vec();
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&(1u64 << 60).to_le_bytes());
    bytes.extend_from_slice(b"{}");
    assert_eq!(
        load_err(&with_crc(bytes)),
        ModelFileProblem::Truncated("the metadata")
    );

    // A valid header and metadata, then a tree claiming 2^32 - 1 nodes.
    let good = saved(&forest());
    let trees_at = 20 + META.len() + 12;
    let mut bad = good[..trees_at].to_vec();
    bad.extend_from_slice(&u32::MAX.to_le_bytes());
    bad.extend_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        load_err(&with_crc(bad)),
        ModelFileProblem::Tree {
            tree: 0,
            problem: TreeProblem::Truncated
        }
    );
}

#[test]
fn a_loop_in_a_checksummed_file_is_rejected() {
    let mut good = saved(&forest());
    // First tree's first node's left child (after n_internal, n_leaves, feature, threshold) -> 0.
    let left_at = 20 + META.len() + 12 + 8 + 8;
    good.truncate(good.len() - 4);
    good[left_at..left_at + 4].copy_from_slice(&0u32.to_le_bytes());
    assert_eq!(
        load_err(&with_crc(good)),
        ModelFileProblem::Tree {
            tree: 0,
            problem: TreeProblem::Child { node: 0, child: 0 }
        }
    );
}

#[test]
fn an_ilastik_forest_is_not_saved_as_pxf() {
    let forest = forest();
    let imported = RandomForest::from_vigra_forests(
        5,
        3,
        vec![forest.to_tree_specs(), forest.to_tree_specs()],
    )
    .unwrap();
    assert!(matches!(
        write_model_file(&imported, META, Vec::new()),
        Err(ForestError::ModelFile(ModelFileProblem::SubForests))
    ));
}
