//! `train` on a labeling project's labels uses the project's feature selection (`pixelforest.json`
//! beside `labels/`, as `serve` writes it), unless `--features` names a preset.

use std::process::Command;

use pixelforest::features::FeatureSelection;
use pixelforest::pipeline::{load_model, ProjectSettings, PROJECT_SETTINGS};

#[test]
fn train_uses_the_feature_matrix_of_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let tiff = dir.path().join("tiff");
    let labels = dir.path().join("labels");
    std::fs::create_dir_all(&labels).unwrap();
    let bin = || Command::new(env!("CARGO_BIN_EXE_pixelforest"));
    let synth = bin()
        .args(["synth", "--images", "1", "--size", "40", "--out"])
        .arg(&tiff)
        .output()
        .unwrap();
    assert!(synth.status.success());
    let mut map = ndarray::Array2::<u8>::zeros((40, 40));
    map.slice_mut(ndarray::s![2..6, 2..30]).fill(1);
    map.slice_mut(ndarray::s![20..24, 5..35]).fill(2);
    pixelforest::io::write_label_image(&labels.join("synth_01_ilastik_labels.png"), &map).unwrap();
    // Gaussian smoothing at 0.3 and the Hessian at 1.6: 3 features per channel.
    let mut features = FeatureSelection {
        sigmas: vec![0.3, 1.6],
        matrix: vec![vec![false; 2]; 6],
        structure_tensor: pixelforest::features::StructureTensorScales::default(),
    };
    features.matrix[0][0] = true;
    features.matrix[5][1] = true;
    let settings = ProjectSettings {
        features,
        ..ProjectSettings::default()
    };
    settings.write(&dir.path().join(PROJECT_SETTINGS)).unwrap();
    let train = |extra: &[&str]| {
        let out = dir.path().join("m.pxf");
        let run = bin()
            .args(["train", "--trees", "5", "--images"])
            .arg(tiff.join("synth_01_ilastik.tiff"))
            .arg("--labels")
            .arg(&labels)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        load_model(&out).unwrap()
    };
    let model = train(&[]);
    let channels = model.meta.channel_names.len();
    assert_eq!(model.forest.n_features(), 3 * channels);
    assert_eq!(model.meta.feature_selection, settings.features);
    let model = train(&["--features", "ilastik"]);
    assert_eq!(model.forest.n_features(), 49 * channels);
}
