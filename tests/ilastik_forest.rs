//! A forest trained in ilastik, applied by pixelforest: the vigra forest stored in ilastik's own
//! test project (crates/ilastik/tests/fixtures/README.md), on pixelforest's features of the
//! project's raw data, must classify the project's labelled pixels as ilastik trained them.

use std::path::Path;

use ndarray::Array3;
use pixelforest::features::{compute_features, StructureTensorScales};
use pixelforest::ilastik::IlpProject;
use pixelforest::pipeline::{forest_from_ilp, selection_from_ilp};

fn plane(name: &str) -> Array3<f32> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/ilastik/tests/fixtures")
        .join(name);
    let data: Vec<f32> = std::fs::read(&path)
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Array3::from_shape_vec((1, 105, 99), data).unwrap()
}

/// Mean probability of the true class over the project's labelled pixels, and the lowest one.
fn score(project: &IlpProject, convention: StructureTensorScales) -> (f32, f32) {
    let mut selection = selection_from_ilp(project).unwrap();
    selection.structure_tensor = convention;
    let forest = forest_from_ilp(project).unwrap();
    assert_eq!(forest.n_features(), selection.n_features(1));
    let mut true_class_probability = Vec::new();
    for p in &project.lanes[0].labels {
        let t = p
            .plane
            .iter()
            .find(|(a, _)| *a == 't')
            .map(|(_, i)| *i)
            .unwrap();
        let image = plane(&format!("mitocheck_t{t}.f32"));
        let feats = compute_features(image.view(), &selection);
        for ((y, x), &label) in p.labels.indexed_iter() {
            if label == 0 {
                continue;
            }
            let row = feats
                .slice(ndarray::s![.., y, x])
                .to_owned()
                .insert_axis(ndarray::Axis(0));
            let probs = forest.predict_proba(row.view());
            true_class_probability.push(probs[[0, usize::from(label) - 1]]);
        }
    }
    assert_eq!(true_class_probability.len(), 113);
    let n = true_class_probability.len() as f32;
    let mean = true_class_probability.iter().sum::<f32>() / n;
    let min = true_class_probability
        .iter()
        .copied()
        .fold(1.0f32, f32::min);
    (mean, min)
}

#[test]
fn ilastik_forest_reproduces_its_training_labels() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/ilastik/tests/fixtures/mitocheckPixelClassification.ilp");
    let project = IlpProject::open(&path).unwrap();
    let names = project.forest.as_ref().unwrap().feature_names.len();
    assert_eq!(names, 49);
    // This project (ilastik 1.2.0rc10, 2016) was computed with vigra's structure tensor
    // convention: with it, its forest gives its labelled pixels their class with mean
    // probability 0.998; fastfilters' convention (today's default) still classifies every
    // labelled pixel correctly, at 0.989.
    let (vigra_mean, vigra_min) = score(&project, StructureTensorScales::Vigra);
    assert!(vigra_mean >= 0.99, "vigra convention: mean {vigra_mean}");
    assert!(
        vigra_min > 0.5,
        "vigra convention: a labelled pixel misclassified ({vigra_min})"
    );
    let (ff_mean, ff_min) = score(&project, StructureTensorScales::Fastfilters);
    assert!(
        ff_min > 0.5,
        "fastfilters convention: a labelled pixel misclassified ({ff_min})"
    );
    assert!(vigra_mean > ff_mean, "{vigra_mean} vs {ff_mean}");
}
