//! Held-out accuracy against scikit-learn on a fixture made by `fixtures/make_fixtures.py`.

use std::path::PathBuf;

use ndarray::{s, Array2};
use pixelforest_forest::{ForestSettings, RandomForest};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn held_out_accuracy_matches_scikit_learn() {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("classification.json")).unwrap()).unwrap();
    let n_rows = meta["n_rows"].as_u64().unwrap() as usize;
    let n_features = meta["n_features"].as_u64().unwrap() as usize;
    let n_train = meta["n_train"].as_u64().unwrap() as usize;
    let sklearn = meta["sklearn_accuracy"].as_f64().unwrap();
    let bytes = std::fs::read(fixture("classification_x.f32")).unwrap();
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let x = Array2::from_shape_vec((n_rows, n_features), values).unwrap();
    let y = std::fs::read(fixture("classification_y.u8")).unwrap();

    let mut accuracies = Vec::new();
    for seed in 0..3 {
        let settings = ForestSettings {
            seed,
            ..Default::default()
        };
        let (forest, report) =
            RandomForest::train(x.slice(s![..n_train, ..]), &y[..n_train], 3, &settings).unwrap();
        let p = forest.predict_proba(x.slice(s![n_train.., ..]));
        let correct = p
            .rows()
            .into_iter()
            .zip(&y[n_train..])
            .filter(|(row, &label)| {
                let best = (0..3).fold(0, |b, c| if row[c] > row[b] { c } else { b });
                best + 1 == label as usize
            })
            .count();
        let accuracy = correct as f64 / (n_rows - n_train) as f64;
        assert!(
            (report.oob_accuracy - accuracy).abs() < 0.06,
            "oob {} vs held-out {accuracy}",
            report.oob_accuracy
        );
        accuracies.push(accuracy);
    }
    let ours = accuracies.iter().sum::<f64>() / accuracies.len() as f64;
    eprintln!("held-out accuracy: ours {ours:.4} {accuracies:?}, scikit-learn {sklearn:.4}");
    assert!(
        (ours - sklearn).abs() <= 0.02,
        "ours {ours:.4} ({accuracies:?}) vs scikit-learn {sklearn:.4}"
    );
}
