//! Regression tests for issue #13, each named after what broke: colliding outputs, outputs that
//! replace inputs, hostile image sizes, empty axes, incomplete outputs taken as done, NaN
//! pixels, non-probability inputs to `uncertainty`, and forged model files.

use std::path::{Path, PathBuf};

use ndarray::{Array2, Array3};
use pixelforest_core::{default_classes, Image};
use pixelforest_features::FeatureSelection;
use pixelforest_forest::ForestSettings;
use pixelforest_io::SampleType;
use pixelforest_pipeline::{
    convert_probabilities, load_model, predict_batch, prepare_batch, save_model, train_model,
    Model, NonFinite, PipelineError, PlanConflict, PredictOptions, PrepareOptions, Status,
    UncertaintyDir, UncertaintyMeasure,
};
use pixelforest_prepare::PrepareSettings;

/// Gaussian smoothing at sigma 1 only: one feature per channel, fast.
fn selection() -> FeatureSelection {
    let mut matrix = vec![vec![false]; 6];
    matrix[0][0] = true;
    FeatureSelection {
        sigmas: vec![1.0],
        matrix,
        structure_tensor: pixelforest_features::StructureTensorScales::default(),
    }
}

/// A 2-channel 24x24 image: a bright square (class 1) on a dim background (class 3).
fn image() -> Image {
    let data = Array3::from_shape_fn((2, 24, 24), |(c, y, x)| {
        let inside = (6..18).contains(&y) && (6..18).contains(&x);
        (if inside { 100.0 } else { 5.0 }) + c as f32 + ((x * 7 + y * 3) % 5) as f32
    });
    Image::new(data, vec!["DNA1".into(), "CD45".into()]).unwrap()
}

fn model() -> Model {
    let labels = Array2::from_shape_fn((24, 24), |(y, x)| match (y, x) {
        (10..14, 10..14) => 1,
        (0..3, _) => 3,
        (20..24, 0..8) => 2,
        _ => 0,
    });
    let settings = ForestSettings {
        n_trees: 4,
        ..Default::default()
    };
    train_model(
        &[(image(), labels)],
        &selection(),
        &default_classes(),
        &settings,
    )
    .unwrap()
}

fn write_image(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    pixelforest_io::write_tiff_stack(path, &image(), SampleType::U16).unwrap();
}

fn quiet(output_dir: Option<&Path>) -> PredictOptions {
    PredictOptions {
        output_dir: output_dir.map(Path::to_path_buf),
        progress: false,
        ..PredictOptions::default()
    }
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn same_named_images_in_two_folders_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("d1/x.tiff"), dir.path().join("d2/x.tiff"));
    write_image(&a);
    write_image(&b);
    let out = dir.path().join("out");
    let err = predict_batch(&model(), &[a.clone(), b.clone()], &quiet(Some(&out))).unwrap_err();
    match err {
        PipelineError::Plan(PlanConflict::SharedOutput {
            first,
            second,
            output,
        }) => {
            assert_eq!((first, second), (a, b));
            assert_eq!(output, out.join("x_Probabilities.tiff"));
        }
        other => panic!("expected a shared-output error, got {other}"),
    }
    assert!(files(&out).is_empty(), "{:?}", files(&out));
}

#[test]
fn tif_and_tiff_of_one_stem_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("y.tif"), dir.path().join("y.tiff"));
    write_image(&a);
    write_image(&b);
    let msg = predict_batch(&model(), &[a, b], &quiet(None))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("y.tif and ") && msg.contains("y.tiff would both write"),
        "{msg}"
    );
}

#[test]
fn prepare_refuses_a_and_a_ilastik_which_both_give_a_s2() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tiff"), dir.path().join("a_ilastik.tiff"));
    write_image(&a);
    write_image(&b);
    let out = dir.path().join("out");
    let err = prepare_batch(&[a, b], &prepare_options(&out)).unwrap_err();
    assert!(err.to_string().contains("a_s2"), "{err}");
    assert!(files(&out).is_empty());
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_are_refused_not_merged() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join(std::ffi::OsStr::from_bytes(b"im\xff.tiff"));
    let Ok(()) = std::fs::write(&a, b"") else {
        return; // a file system that refuses such names cannot have the problem
    };
    write_image(&a);
    let err = predict_batch(&model(), std::slice::from_ref(&a), &quiet(None)).unwrap_err();
    assert!(matches!(err, PipelineError::Plan(PlanConflict::NotUtf8(p)) if p == a));
}

#[test]
fn predict_refuses_to_overwrite_its_own_input() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tiff");
    write_image(&a);
    let before = std::fs::read(&a).unwrap();
    for overwrite in [false, true] {
        let options = PredictOptions {
            name_pattern: "{stem}".into(),
            overwrite,
            ..quiet(None)
        };
        let err = predict_batch(&model(), std::slice::from_ref(&a), &options).unwrap_err();
        assert!(
            matches!(&err, PipelineError::Plan(PlanConflict::OutputIsInput { input, by }) if *input == a && *by == a),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&a).unwrap(), before);
}

fn hostile(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../io/tests/fixtures/hostile")
        .join(name)
}

#[test]
fn an_image_declaring_20_gb_fails_alone_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("a_huge.tiff");
    std::fs::copy(hostile("huge_declared.tiff"), &bad).unwrap();
    let good = dir.path().join("b_fine.tiff");
    write_image(&good);
    let report = predict_batch(&model(), &[bad, good], &quiet(None)).unwrap();
    assert!(
        matches!(&report.outcomes[0].status, Status::Failed(m) if m.contains("declares 100000x100000"))
    );
    assert_eq!(report.outcomes[1].status, Status::Written);
    assert!(dir.path().join("b_fine_Probabilities.tiff").is_file());
}

fn prepare_options(out: &Path) -> PrepareOptions {
    PrepareOptions {
        settings: PrepareSettings::default(),
        out_dir: out.to_path_buf(),
        crops_dir: out.join("crops"),
        crops_per_image: 1,
        crop_size: 8,
        seed: 1,
        overwrite: false,
        progress: false,
    }
}

#[test]
fn prepare_of_an_h5_with_an_empty_axis_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let report = prepare_batch(&[hostile("zero_y.h5")], &prepare_options(dir.path())).unwrap();
    assert!(
        matches!(&report.outcomes[0].status, Status::Failed(m) if m.contains("axis 1 is empty")),
        "{:?}",
        report.outcomes[0].status
    );
}

#[test]
fn a_truncated_or_empty_output_is_redone_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tiff");
    write_image(&a);
    let model = model();
    let out = dir.path().join("a_Probabilities.tiff");
    let first = predict_batch(&model, std::slice::from_ref(&a), &quiet(None)).unwrap();
    assert_eq!(first.written(), 1);
    let good = std::fs::read(&out).unwrap();
    let again = predict_batch(&model, std::slice::from_ref(&a), &quiet(None)).unwrap();
    assert_eq!(again.skipped(), 1, "a complete output is skipped");
    for damaged in [Vec::new(), good[..good.len() / 2].to_vec()] {
        std::fs::write(&out, &damaged).unwrap();
        let report = predict_batch(&model, std::slice::from_ref(&a), &quiet(None)).unwrap();
        assert_eq!(
            report.written(),
            1,
            "{} bytes taken as complete",
            damaged.len()
        );
        assert_eq!(std::fs::read(&out).unwrap(), good);
    }
}

#[test]
fn nan_pixels_are_an_error_naming_the_count_unless_taken_as_zero() {
    let dir = tempfile::tempdir().unwrap();
    let nan = dir.path().join("nan_f32.tiff");
    std::fs::copy(hostile("nan_f32.tiff"), &nan).unwrap();
    let report = predict_batch(&model(), std::slice::from_ref(&nan), &quiet(None)).unwrap();
    assert!(
        matches!(&report.outcomes[0].status, Status::Failed(m) if m.contains("nan_f32.tiff") && m.contains("3 of 60 values are NaN or infinite")),
        "{:?}",
        report.outcomes[0].status
    );
    // The fixture is 2 x 6 x 5; treated as 0 the image is predicted.
    let options = PredictOptions {
        non_finite: NonFinite::Zero,
        ..quiet(None)
    };
    let report = predict_batch(&model(), std::slice::from_ref(&nan), &options).unwrap();
    assert_eq!(report.written(), 1);
}

#[test]
fn uncertainty_refuses_raw_counts_and_single_channel_images() {
    let dir = tempfile::tempdir().unwrap();
    let counts = dir.path().join("counts.tiff");
    write_image(&counts);
    let single = dir.path().join("single.tiff");
    let one = Image::unnamed(Array3::from_elem((1, 4, 4), 0.5));
    pixelforest_io::write_tiff_stack(&single, &one, SampleType::F32).unwrap();
    let out = dir.path().join("u");
    let run = |f: &Path| {
        convert_probabilities(
            &[f.to_path_buf()],
            &out,
            UncertaintyMeasure::Margin,
            SampleType::U16,
            false,
            false,
        )
        .unwrap()
    };
    let report = run(&counts);
    assert!(
        matches!(&report.outcomes[0].status, Status::Failed(m) if m.contains("not a probability map") && m.contains("at 576 of 576 pixels")),
        "{:?}",
        report.outcomes[0].status
    );
    let report = run(&single);
    assert!(
        matches!(&report.outcomes[0].status, Status::Failed(m) if m.contains("1 channel(s)")),
        "{:?}",
        report.outcomes[0].status
    );
    assert!(files(&out).is_empty());
}

#[test]
fn uncertainty_without_output_dir_goes_beside_the_probabilities_not_the_working_dir() {
    let options = PredictOptions {
        uncertainty_dir: Some(UncertaintyDir::BesideProbabilities),
        ..quiet(None)
    };
    let outputs = options.outputs(Path::new("/data/tiff/a_s2.h5"));
    assert_eq!(
        outputs,
        [
            PathBuf::from("/data/tiff/a_s2_Probabilities.tiff"),
            PathBuf::from("/data/tiff/uncertainty/a_s2_Probabilities_uncertainty.tiff")
        ]
    );
}

/// Saves `model` with its feature selection replaced (the checksum stays valid) and loads it.
fn load_forged(selection: serde_json::Value) -> String {
    let mut forged = model();
    forged.meta.feature_selection = serde_json::from_value(selection).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forged.pxf");
    save_model(&forged, &path).unwrap();
    load_model(&path).unwrap_err().to_string()
}

#[test]
fn a_model_with_a_short_sigmas_list_is_refused_on_load() {
    let msg = load_forged(serde_json::json!({
        "sigmas": [],
        "matrix": [[true], [false], [false], [false], [false], [false]],
    }));
    assert!(
        msg.contains("forged.pxf") && msg.contains("a matrix row has 1 entries for 0 scales"),
        "{msg}"
    );
}

#[test]
fn a_model_with_sigma_1e6_is_refused_on_load_instead_of_hanging() {
    let msg = load_forged(serde_json::json!({
        "sigmas": [1e6],
        "matrix": [[true], [false], [false], [false], [false], [false]],
    }));
    assert!(msg.contains("scale 1000000 is larger"), "{msg}");
}

#[test]
fn labels_saved_by_serve_in_a_subfolder_are_found_by_train() {
    let dir = tempfile::tempdir().unwrap();
    let (crops, ilastik) = (
        dir.path().join("crops/x.h5"),
        dir.path().join("ilastik/x.h5"),
    );
    let labels = dir.path().join("labels");
    for sub in ["labels/ilastik", "labels"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    let mirrored = labels.join("ilastik/x_labels.png");
    let flat = labels.join("x_labels.png");
    std::fs::write(&mirrored, b"").unwrap();
    std::fs::write(&flat, b"").unwrap();
    assert_eq!(
        pixelforest_pipeline::find_label_image(&ilastik, &labels),
        Some(mirrored)
    );
    assert_eq!(
        pixelforest_pipeline::find_label_image(&crops, &labels),
        Some(flat)
    );
}

#[test]
fn temporary_files_of_a_killed_run_are_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tiff");
    write_image(&a);
    // What a run killed mid-write left: the old fixed-name scheme, and the current one of a
    // process that is gone (pid above Linux's pid_max).
    let host: String = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .collect();
    let leftovers = [
        ".a_Probabilities.tiff.tmp-4000000005".to_string(),
        format!(".a_Probabilities.tiff.pf4000000006@{host}-r4nd0m.tmp"),
    ];
    for name in &leftovers {
        std::fs::write(dir.path().join(name), vec![0u8; 4096]).unwrap();
    }
    let report = predict_batch(&model(), std::slice::from_ref(&a), &quiet(None)).unwrap();
    assert_eq!(report.written(), 1);
    assert_eq!(files(dir.path()), ["a.tiff", "a_Probabilities.tiff"]);
}
