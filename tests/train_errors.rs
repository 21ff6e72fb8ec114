//! `train` rejects bad label input with messages that name the file.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pixelforest"))
}

#[test]
fn bad_label_images_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let tiff = dir.path().join("tiff");
    let labels = dir.path().join("labels");
    std::fs::create_dir_all(&labels).unwrap();
    let synth = bin()
        .args(["synth", "--images", "1", "--size", "32", "--out"])
        .arg(&tiff)
        .output()
        .unwrap();
    assert!(synth.status.success());
    let stack = tiff.join("synth_01_ilastik.tiff");
    let train = |extra: &[&str]| {
        bin()
            .args(["train", "--trees", "5", "--images"])
            .arg(&stack)
            .arg("--labels")
            .arg(&labels)
            .arg("--out")
            .arg(dir.path().join("m.pxf"))
            .args(extra)
            .output()
            .unwrap()
    };

    // No label image at all.
    let run = train(&[]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("no labelled images"), "{err}");

    // A label image of the wrong size.
    let wrong = labels.join("synth_01_ilastik_labels.tiff");
    let mut map = ndarray::Array2::<u8>::zeros((20, 32));
    map[[1, 1]] = 1;
    map[[2, 2]] = 2;
    pixelforest::io::write_label_image(&wrong, &map).unwrap();
    let run = train(&[]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("synth_01_ilastik_labels.tiff") && err.contains("20x32"),
        "{err}"
    );

    // One class only.
    let mut map = ndarray::Array2::<u8>::zeros((32, 32));
    map[[1, 1]] = 1;
    map[[5, 5]] = 1;
    pixelforest::io::write_label_image(&wrong, &map).unwrap();
    let run = train(&[]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("one class"), "{err}");

    // A label value beyond the defined classes.
    map[[6, 6]] = 7;
    pixelforest::io::write_label_image(&wrong, &map).unwrap();
    let run = train(&[]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("label value 7"), "{err}");
    assert!(!dir.path().join("m.pxf").exists());

    // An unknown feature preset.
    let run = train(&["--features", "fancy"]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("unknown feature preset"));
}
