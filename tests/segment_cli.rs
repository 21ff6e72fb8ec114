//! `segment` from the command line: names per layout, masks equal to the CellProfiler reference
//! (crates/segment/tests/reference/cellprofiler_reference.py), a bad map reported and the exit
//! status 1, a re-run resumed.

use std::path::{Path, PathBuf};
use std::process::Command;

use ndarray::Array3;
use pixelforest::io::{read_pixels, write_probabilities, ProbabilityFormat, SampleType};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pixelforest"))
}

fn reference(name: &str) -> Vec<u16> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/segment/tests/reference")
        .join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// The reference probabilities, written as ilastik exports them (uint16, yxc).
fn write_reference_map(path: &Path) {
    let yxc = reference("pipeline_probabilities.u16");
    let probs = Array3::from_shape_fn((3, 200, 200), |(c, y, x)| {
        f32::from(yxc[(y * 200 + x) * 3 + c]) / 65535.0
    });
    write_probabilities(path, &probs, SampleType::U16, ProbabilityFormat::Tiff).unwrap();
}

fn mask(path: &Path) -> Vec<u16> {
    read_pixels(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .iter()
        .map(|&v| v as u16)
        .collect()
}

fn run(args: &[&str], inputs: &[PathBuf]) -> (Option<i32>, String) {
    let out = bin().args(args).args(inputs).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn isp_masks_equal_the_reference_and_a_bad_map_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let ilastik = dir.path().join("ilastik");
    std::fs::create_dir_all(&ilastik).unwrap();
    write_reference_map(&ilastik.join("a_s2_Probabilities.tiff"));
    std::fs::write(ilastik.join("b_s2_Probabilities.tiff"), b"not a tiff").unwrap();
    let masks = dir.path().join("masks");
    let nuclei = dir.path().join("nuclei");
    let args = [
        "segment",
        "-q",
        "--out",
        masks.to_str().unwrap(),
        "--nuclei-out",
        nuclei.to_str().unwrap(),
    ];
    let (code, stderr) = run(&args, std::slice::from_ref(&ilastik));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("b_s2_Probabilities.tiff"), "{stderr}");
    let name = "a_s2_Probabilities_mask.tiff";
    assert_eq!(mask(&masks.join(name)), reference("pipeline_isp_cells.u16"));
    assert_eq!(
        mask(&nuclei.join(name)),
        reference("pipeline_isp_nuclei.u16")
    );
    assert!(!masks.join("b_s2_Probabilities_mask.tiff").exists());

    // Resume: the good map is skipped, the bad one fails again.
    let before = std::fs::metadata(masks.join(name))
        .unwrap()
        .modified()
        .unwrap();
    let (code, _) = run(&args, std::slice::from_ref(&ilastik));
    assert_eq!(code, Some(1));
    let after = std::fs::metadata(masks.join(name))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "a complete mask was written again");
}

#[test]
fn steinbock_folder_gives_steinbock_names_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let probs = dir.path().join("ilastik_probabilities");
    std::fs::create_dir_all(&probs).unwrap();
    write_reference_map(&probs.join("ROI_001.tiff"));
    let masks = dir.path().join("masks");
    let args = ["segment", "-q", "--out", masks.to_str().unwrap()];
    let (code, stderr) = run(&args, &[probs]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        mask(&masks.join("ROI_001.tiff")),
        reference("pipeline_steinbock_cells.u16")
    );
}

#[test]
fn a_zero_minimum_diameter_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("a_Probabilities.tiff");
    write_reference_map(&map);
    let masks = dir.path().join("masks");
    let args = ["segment", "-q", "--nucleus-diameter", "0,30", "--out"];
    let (code, stderr) = run(&args, &[masks.clone(), map]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("diameter"), "{stderr}");
    assert!(!masks.exists());
}

#[test]
fn resized_probabilities_are_written_once_and_refused_without_a_resize() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("a_s2_Probabilities.tiff");
    write_reference_map(&map);
    let (masks, s1) = (dir.path().join("masks"), dir.path().join("s1"));
    let args = [
        "segment",
        "-q",
        "--out",
        masks.to_str().unwrap(),
        "--probabilities-out",
        s1.to_str().unwrap(),
    ];
    let (code, stderr) = run(&args, std::slice::from_ref(&map));
    assert_eq!(code, Some(0), "{stderr}");
    let written = s1.join("a_s2_Probabilities_s1.tiff");
    assert_eq!(
        pixelforest::io::image_shape(&written).unwrap(),
        [3, 100, 100]
    );
    let modified = std::fs::metadata(&written).unwrap().modified().unwrap();
    // A re-run finds masks and resized maps complete and writes nothing.
    let (code, stderr) = run(&args, std::slice::from_ref(&map));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        std::fs::metadata(&written).unwrap().modified().unwrap(),
        modified
    );
    // The steinbock pipeline does not resize its probabilities: nothing to write.
    let mut steinbock = args.to_vec();
    steinbock.extend(["--layout", "steinbock"]);
    let (code, stderr) = run(&steinbock, &[map]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("only written when the pipeline resizes"),
        "{stderr}"
    );
}
