//! `convert` and `info` on IMC files from the command line: exit status, messages, the panel
//! default, the written files (values are checked against steinbock in the pipeline crate).

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pixelforest"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/io/tests/fixtures/imc")
        .join(name)
}

#[test]
fn convert_writes_the_steinbock_layout_and_fails_on_the_bad_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .current_dir(dir.path())
        .args(["convert", "--out", "img"])
        .arg(fixture("small.mcd"))
        .arg(fixture("small_ROI_002_2.txt"))
        .arg(fixture("lone.txt"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "lone.txt lacks Yb176: {stderr}");
    assert!(
        stderr.contains("lone.txt") && stderr.contains("no channel Yb176"),
        "{stderr}"
    );
    assert!(
        stderr.contains("acquisition 2") && stderr.contains("read from"),
        "{stderr}"
    );
    for name in ["small_001.tiff", "small_002.tiff", "small_003.tiff"] {
        assert!(dir.path().join("img").join(name).is_file(), "{name}");
    }
    let panel = std::fs::read_to_string(dir.path().join("panel.csv")).expect("panel made");
    assert!(
        panel.starts_with("channel,name,keep,ilastik,deepcell,cellpose\nYb176,CD45 & co,1,1,,\n"),
        "{panel}"
    );
    // A second run reads the panel it made and skips the complete outputs.
    let again = bin()
        .current_dir(dir.path())
        .args(["convert", "--out", "img"])
        .arg(fixture("small.mcd"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        stderr.contains("panel.csv (read)") && stderr.contains("1 skipped"),
        "{stderr}"
    );
}

#[test]
fn info_lists_mcd_acquisitions() {
    let out = bin()
        .arg("info")
        .arg(fixture("small.mcd"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("panorama 1: Pano 1, 640 x 480 pixels"),
        "{text}"
    );
    assert!(text.contains("acquisition 3: ROI_003, 4 x 2 pixels, 3 channels: Yb176 (CD45 & co), Ir191 (DNA1), Ir193 (DNA2)"), "{text}");
    let bad = bin()
        .arg("info")
        .arg(fixture("expected.json").with_extension("mcd"))
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn prepare_converts_mcd_inputs_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = bin()
        .current_dir(dir.path())
        .args(["prepare", "--layout", "steinbock", "-q"])
        .arg(fixture("small.mcd"))
        .arg(fixture("small_ROI_002_2.txt"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["small_001", "small_002", "small_003"] {
        assert!(
            dir.path().join(format!("img/{name}.tiff")).is_file(),
            "{name}"
        );
        let h5 = dir.path().join(format!("ilastik_img/{name}.h5"));
        let image = pixelforest::io::read_image(&h5).expect("prepared");
        // steinbock: the mean x 100, then one channel per panel `ilastik` group (1, 2, 3).
        assert_eq!(image.n_channels(), 4, "{name}");
    }
    let h5 = dir.path().join("ilastik_img/small_003.h5");
    let image = pixelforest::io::read_image(&h5).expect("prepared");
    assert_eq!((image.height(), image.width()), (4, 8), "2 x 4 upscaled x2");
}
