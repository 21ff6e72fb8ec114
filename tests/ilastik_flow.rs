//! Labels through ilastik projects: `ilp export` -> `ilp import` keeps every label pixel, and
//! `train --from-ilp` trains on a project's labels, finding moved images with `--data-dir`.

use std::path::Path;
use std::process::{Command, Output};

use pixelforest::pipeline::upscale_labels;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pixelforest"))
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn export_import_and_train_from_an_ilastik_project() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let tiff = root.join("tiff");
    ok(bin()
        .args(["synth", "--images", "1", "--size", "60", "--out"])
        .arg(&tiff)
        .output()
        .unwrap());
    ok(bin()
        .args(["prepare", "-q", "--crops-per-image", "0"])
        .arg(&tiff)
        .arg("--out")
        .arg(&tiff)
        .output()
        .unwrap());
    let scribbles =
        pixelforest::io::read_label_image(&tiff.join("ground_truth/synth_01_scribbles.tiff"))
            .unwrap();
    let labels = upscale_labels(&scribbles, 2);
    std::fs::create_dir_all(root.join("labels")).unwrap();
    pixelforest::io::write_label_image(&root.join("labels/synth_01_s2_labels.tiff"), &labels)
        .unwrap();

    let ilp = root.join("project/labels.ilp");
    ok(bin()
        .args(["ilp", "export", "--images"])
        .arg(tiff.join("synth_01_s2.h5"))
        .arg("--labels")
        .arg(root.join("labels"))
        .arg("--out")
        .arg(&ilp)
        .output()
        .unwrap());
    let project = pixelforest::ilastik::IlpProject::open(&ilp).unwrap();
    assert_eq!(
        project.label_names,
        ["Nuclei", "Cytoplasm/membrane", "Background"]
    );
    // The images lie outside the project folder, so the lane holds their absolute path plus
    // the dataset inside the HDF5 file.
    let stored = &project.lanes[0].file_path;
    assert!(Path::new(stored).is_absolute(), "{stored}");
    assert!(
        stored.ends_with("tiff/synth_01_s2.h5/synth_01_s2"),
        "{stored}"
    );

    // Import writes the same labels back.
    let imported = root.join("imported");
    ok(bin()
        .args(["ilp", "import"])
        .arg(&ilp)
        .arg("--out")
        .arg(&imported)
        .output()
        .unwrap());
    let back =
        pixelforest::io::read_label_image(&imported.join("synth_01_s2_labels.tiff")).unwrap();
    assert_eq!(back, labels);
    assert!(imported.join("pixelforest.json").is_file());

    // Train from the project.
    let model = root.join("m.pxf");
    let train = |extra: &[&Path]| {
        let mut c = bin();
        c.args(["train", "--trees", "5", "--from-ilp"])
            .arg(&ilp)
            .arg("--out")
            .arg(&model);
        for (i, p) in extra.iter().enumerate() {
            if i == 0 {
                c.arg("--data-dir");
            }
            c.arg(p);
        }
        c.output().unwrap()
    };
    let out = ok(train(&[]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("out-of-bag accuracy"));
    assert!(model.is_file());

    // Images moved away: a clear error, then found with --data-dir.
    let moved = root.join("moved");
    std::fs::rename(&tiff, &moved).unwrap();
    std::fs::remove_file(&model).unwrap();
    let out = train(&[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("labels.ilp") && err.contains("not found") && err.contains("--data-dir"),
        "{err}"
    );
    ok(train(&[&moved]));
    assert!(model.is_file());
}
