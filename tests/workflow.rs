//! End-to-end runs of the `pixelforest` binary on small synthetic data: synth -> prepare ->
//! train -> predict -> uncertainty, resume after a kill, and a corrupt image in a batch.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pixelforest::pipeline::upscale_labels;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pixelforest"))
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("the pixelforest binary runs");
    assert!(
        out.status.success(),
        "{:?} failed:\nstdout: {}\nstderr: {}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A small project: two synthetic acquisitions prepared, the first labelled with its
/// scribbles, and a 10-tree model trained on it.
struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let tiff = root.join("tiff");
        run_ok(
            bin()
                .args(["synth", "--images", "2", "--size", "100", "--out"])
                .arg(&tiff),
        );
        run_ok(
            bin()
                .args(["prepare", "-q", "--crop-size", "64"])
                .arg(&tiff)
                .arg("--out")
                .arg(&tiff)
                .arg("--crops")
                .arg(root.join("ilastik")),
        );
        let scribbles = pixelforest::io::read_label_image(
            &tiff.join("ground_truth").join("synth_01_scribbles.tiff"),
        )
        .unwrap();
        std::fs::create_dir_all(root.join("labels")).unwrap();
        pixelforest::io::write_label_image(
            &root.join("labels").join("synth_01_s2_labels.tiff"),
            &upscale_labels(&scribbles, 2),
        )
        .unwrap();
        run_ok(
            bin()
                .args(["train", "--trees", "10", "--images"])
                .arg(tiff.join("synth_01_s2.h5"))
                .arg("--labels")
                .arg(root.join("labels"))
                .arg("--out")
                .arg(root.join("classifier.pxf")),
        );
        Project { _dir: dir, root }
    }

    fn predict(&self, out: &Path, extra: &[&str]) -> Output {
        bin()
            .args(["predict", "--uncertainty", "--model"])
            .arg(self.root.join("classifier.pxf"))
            .arg(self.root.join("tiff"))
            .arg("--output-dir")
            .arg(out)
            .args(extra)
            .output()
            .unwrap()
    }
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn whole_flow_writes_ilastik_compatible_probabilities() {
    let p = Project::new();
    // prepare wrote the full scaled images and the crops, in the reference layout.
    let full = pixelforest::io::read_image(&p.root.join("tiff/synth_01_s2.h5")).unwrap();
    assert_eq!((full.height(), full.width()), (200, 200));
    let crops: Vec<_> = std::fs::read_dir(p.root.join("ilastik"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".h5"))
        .collect();
    assert_eq!(crops.len(), 2, "{crops:?}");
    assert!(crops
        .iter()
        .all(|c| c.contains("_s2_x") && c.ends_with("_w64_h64.h5")));

    let out = p.root.join("probs");
    let run = p.predict(&out, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for name in ["synth_01_s2", "synth_02_s2"] {
        let probs_path = out.join(format!("{name}_Probabilities.tiff"));
        let probs = pixelforest::io::read_probabilities(&probs_path).unwrap();
        assert_eq!(probs.dim(), (3, 200, 200));
        // Renormalized uint16 truncates each class, so a pixel's counts sum to 65535 - (0..k).
        for y in 0..200 {
            for x in 0..200 {
                let sum: f32 = (0..3).map(|c| (probs[[c, y, x]] * 65535.0).round()).sum();
                assert!(
                    (65532.0..=65535.0).contains(&sum),
                    "{name} ({y},{x}): {sum}"
                );
            }
        }
        let unc = out
            .join("uncertainty")
            .join(format!("{name}_Probabilities_uncertainty.tiff"));
        let u = pixelforest::io::read_image(&unc).unwrap();
        assert_eq!(u.data().dim(), (1, 200, 200));
    }
    // The held-out image is classified far better than chance.
    let truth =
        pixelforest::io::read_label_image(&p.root.join("tiff/ground_truth/synth_02_truth.tiff"))
            .unwrap();
    let probs =
        pixelforest::io::read_probabilities(&out.join("synth_02_s2_Probabilities.tiff")).unwrap();
    let scores = pixelforest::pipeline::score(
        &pixelforest::pipeline::argmax_classes(&probs),
        &upscale_labels(&truth, 2),
        3,
    );
    assert!(
        scores.accuracy > 0.75,
        "held-out accuracy {}",
        scores.accuracy
    );

    // The uncertainty command gives the same maps from the exported files (within uint16
    // rounding of the probabilities).
    let conv = p.root.join("conv");
    run_ok(
        bin()
            .args(["uncertainty", "-q"])
            .arg(out.join("synth_01_s2_Probabilities.tiff"))
            .arg("--out")
            .arg(&conv),
    );
    let a = pixelforest::io::read_image(&conv.join("synth_01_s2_Probabilities_uncertainty.tiff"))
        .unwrap();
    let b = pixelforest::io::read_image(
        &out.join("uncertainty/synth_01_s2_Probabilities_uncertainty.tiff"),
    )
    .unwrap();
    let max_diff = a
        .data()
        .iter()
        .zip(b.data().iter())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(max_diff <= 3.0, "{max_diff}");
}

/// Inputs of the kill-and-resume test: enough copies of the two images that a debug-build run
/// takes many times longer than the 5 ms between the first output and the kill.
const RESUME_INPUTS: usize = 8;

#[test]
fn killed_then_resumed_run_gives_identical_outputs() {
    let p = Project::new();
    let inputs = p.root.join("many");
    std::fs::create_dir_all(&inputs).unwrap();
    let stems: Vec<String> = (0..RESUME_INPUTS)
        .map(|i| format!("img_{i:02}_s2"))
        .collect();
    for (i, stem) in stems.iter().enumerate() {
        let source = p.root.join(format!("tiff/synth_0{}_s2.h5", 1 + i % 2));
        std::fs::copy(source, inputs.join(format!("{stem}.h5"))).unwrap();
    }
    let predict = |out: &Path| {
        let mut cmd = bin();
        cmd.args(["predict", "--uncertainty", "--jobs", "1", "--model"])
            .arg(p.root.join("classifier.pxf"))
            .arg(&inputs)
            .arg("--output-dir")
            .arg(out);
        cmd
    };
    let probabilities = |dir: &Path, stem: &str| dir.join(format!("{stem}_Probabilities.tiff"));
    let clean = p.root.join("clean");
    run_ok(&mut predict(&clean));

    // Kill a run as soon as its first output appears, and check that it was really interrupted.
    let resumed = p.root.join("resumed");
    let mut child = predict(&resumed).spawn().unwrap();
    let first = probabilities(&resumed, &stems[0]);
    while !first.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before writing its first output"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the run finished before the kill");
    let last = probabilities(&resumed, &stems[RESUME_INPUTS - 1]);
    assert!(
        !last.exists(),
        "the last output was written before the kill"
    );

    // The resumed run completes the batch; no output under its final name is partial.
    run_ok(&mut predict(&resumed));
    for stem in &stems {
        let f = probabilities(&clean, stem);
        assert_eq!(read(&f), read(&probabilities(&resumed, stem)), "{stem}");
        let u = format!("uncertainty/{stem}_Probabilities_uncertainty.tiff");
        assert_eq!(read(&clean.join(&u)), read(&resumed.join(&u)), "{u}");
    }
    // A third run skips everything.
    let third = run_ok(&mut predict(&resumed));
    let stderr = String::from_utf8_lossy(&third.stderr);
    let expected = format!("0 written, {RESUME_INPUTS} skipped");
    assert!(stderr.contains(&expected), "{stderr}");
}

#[test]
fn a_corrupt_image_is_reported_and_the_others_are_written() {
    let p = Project::new();
    // Sorted between synth_01 and synth_02.
    let bad = p.root.join("tiff").join("synth_01x_s2.h5");
    std::fs::write(&bad, b"this is not an HDF5 file").unwrap();
    let out = p.root.join("probs");
    let run = p.predict(&out, &[]);
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("synth_01x_s2.h5"), "{stderr}");
    assert!(
        stderr.contains("2 written") && stderr.contains("1 failed"),
        "{stderr}"
    );
    assert!(out.join("synth_02_s2_Probabilities.tiff").is_file());
    assert!(!out.join("synth_01x_s2_Probabilities.tiff").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_model_applied_to_other_channels_is_a_clear_error() {
    let p = Project::new();
    let tiff = p.root.join("tiff");
    // The raw stacks have one channel fewer than the prepared images the model knows.
    let out = p.root.join("probs");
    let run = bin()
        .args(["predict", "-q", "--model"])
        .arg(p.root.join("classifier.pxf"))
        .arg(tiff.join("synth_01_ilastik.tiff"))
        .arg("--output-dir")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("synth_01_ilastik.tiff") && stderr.contains("channels"),
        "{stderr}"
    );
}

#[test]
fn sharding_splits_the_batch() {
    let p = Project::new();
    let out = p.root.join("probs");
    assert!(p.predict(&out, &["--shard", "1/2"]).status.success());
    assert!(!out.join("synth_01_s2_Probabilities.tiff").exists());
    assert!(out.join("synth_02_s2_Probabilities.tiff").is_file());
    let bad = p.predict(&out, &["--shard", "2/2"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn suggest_writes_the_most_uncertain_regions_as_new_crops() {
    let p = Project::new();
    let crops = p.root.join("ilastik");
    let before: Vec<_> = std::fs::read_dir(&crops)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    // A project holding the labelled image, for `--ilp`.
    let ilp = p.root.join("project.ilp");
    run_ok(
        bin()
            .args(["ilp", "export", "--images"])
            .arg(p.root.join("tiff/synth_01_s2.h5"))
            .arg("--labels")
            .arg(p.root.join("labels"))
            .arg("--out")
            .arg(&ilp),
    );
    let project_before = pixelforest::ilastik::IlpProject::open(&ilp).unwrap();
    let run = run_ok(
        bin()
            .args(["suggest", "--n", "4", "--size", "48", "--model"])
            .arg(p.root.join("classifier.pxf"))
            .arg(p.root.join("tiff"))
            .arg("--crops")
            .arg(&crops)
            .arg("--ilp")
            .arg(&ilp),
    );
    let table = String::from_utf8_lossy(&run.stdout);
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{table}");
    // Ranked: mean uncertainty never increases down the table.
    let means: Vec<f32> = rows
        .iter()
        .map(|r| r.split(',').nth(6).unwrap().parse().unwrap())
        .collect();
    assert!(means.windows(2).all(|w| w[0] >= w[1]), "{means:?}");
    // Each region is a new crop named as prepare names crops, overlapping no existing crop,
    // holding the image's pixels there.
    let existing: Vec<_> = before
        .iter()
        .filter_map(|p| {
            pixelforest::pipeline::parse_crop_file_name(&p.file_name()?.to_string_lossy())
        })
        .collect();
    for row in rows {
        let crop = PathBuf::from(row.split(',').nth(7).unwrap());
        let (stem, rect) = pixelforest::pipeline::parse_crop_file_name(
            &crop.file_name().unwrap().to_string_lossy(),
        )
        .unwrap();
        assert_eq!((rect.w, rect.h), (48, 48));
        for (s, r) in &existing {
            let apart = rect.x >= r.x + r.w
                || r.x >= rect.x + rect.w
                || rect.y >= r.y + r.h
                || r.y >= rect.y + rect.h;
            assert!(s != &stem || apart, "{crop:?} overlaps an existing crop");
        }
        let full =
            pixelforest::io::read_image(&p.root.join("tiff").join(format!("{stem}.h5"))).unwrap();
        let cut = pixelforest::io::read_image(&crop).unwrap();
        assert_eq!(cut.channels(), full.channels());
        assert_eq!(
            cut.data()[[1, 5, 7]],
            full.data()[[1, rect.y + 5, rect.x + 7]]
        );
    }
    assert!(crops.join("suggestions.png").is_file());
    assert!(crops.join("suggestions.csv").is_file());
    // --ilp: four unlabelled lanes appended, the existing lanes and their labels untouched.
    let project = pixelforest::ilastik::IlpProject::open(&ilp).unwrap();
    let n = project_before.lanes.len();
    assert_eq!(project.lanes.len(), n + 4);
    assert_eq!(project.lanes[..n], project_before.lanes[..]);
    assert!(project.lanes[n..].iter().all(|l| l.labels.is_empty()));
}

#[test]
fn train_prune_keeps_fewer_filters_within_the_tolerance_and_predict_uses_them() {
    let p = Project::new();
    let pruned = p.root.join("pruned.pxf");
    run_ok(
        bin()
            .args([
                "train",
                "--prune",
                "--prune-tolerance",
                "0.5",
                "--trees",
                "30",
                "--images",
            ])
            .arg(p.root.join("tiff/synth_01_s2.h5"))
            .arg("--labels")
            .arg(p.root.join("labels"))
            .arg("--out")
            .arg(&pruned),
    );
    let model = pixelforest::pipeline::load_model(&pruned).unwrap();
    let report = &model.meta.provenance["pruning"];
    let (before, after) = (
        report["features_before"].as_u64().unwrap(),
        report["features_after"].as_u64().unwrap(),
    );
    assert!(after < before, "{after} of {before} features kept");
    assert_eq!(model.forest.n_features() as u64, after);
    let (full, kept) = (
        report["oob_accuracy_full"].as_f64().unwrap(),
        report["oob_accuracy_pruned"].as_f64().unwrap(),
    );
    assert!(kept + 0.005 + 0.01 >= full, "pruned {kept} vs full {full}");
    // The stored selection computes exactly the kept filters, so predict works on it.
    let out = p.root.join("pruned_probs");
    run_ok(
        bin()
            .args(["predict", "-q", "--model"])
            .arg(&pruned)
            .arg(p.root.join("tiff/synth_02_s2.h5"))
            .arg("--output-dir")
            .arg(&out),
    );
    assert!(out.join("synth_02_s2_Probabilities.tiff").is_file());
}
