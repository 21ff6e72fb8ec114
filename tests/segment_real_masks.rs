//! `pixelforest segment` against masks CellProfiler itself wrote, from the probability maps
//! ilastik wrote (BodenmillerGroup/TestData `210308_ImcTestData`, CC BY 4.0; see each fixture
//! folder's PROVENANCE.md):
//! - steinbock 0.16.1's `segment cellprofiler run` (CellProfiler 4.2.5 in its container):
//!   `ilastik_probabilities/` -> `masks_ilastik/`;
//! - ImcSegmentationPipeline v3.6's `2_segment_ilastik.cppipe`:
//!   `ilastik/*_s2_Probabilities.tiff` -> `cpout/masks/*_mask.tiff`, and its resized
//!   probabilities `cpout/probabilities/*_s1.tiff` (`--probabilities-out`).
//!
//! Every mask must be the same pixel for pixel. Several of these maps are nearly empty
//! (nucleus probabilities close to 0 everywhere), where thresholds computed in float64
//! instead of CellProfiler's float32 split nuclei differently: this test caught that.

use std::path::{Path, PathBuf};
use std::process::Command;

use pixelforest::io::read_pixels;
use pixelforest_testdata::real_fixture;

fn tiffs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tiff"))
        .collect();
    files.sort();
    files
}

fn segment(layout: &str, input: &Path, out: &Path, extra: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_pixelforest"))
        .args(["segment", "--layout", layout, "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .arg(input)
        .status()
        .expect("runs");
    assert!(status.success(), "segment --layout {layout} failed");
}

/// Compares every reference image with ours of the same name (values, not bytes: CellProfiler
/// and pixelforest compress differently); returns how many were compared.
fn assert_same_images(reference_dir: &Path, ours_dir: &Path) -> usize {
    let references = tiffs(reference_dir);
    let mut differing = Vec::new();
    for reference in &references {
        let name = reference.file_name().unwrap();
        let ours = read_pixels(&ours_dir.join(name))
            .unwrap_or_else(|e| panic!("ours {}: {e}", name.to_string_lossy()));
        let theirs = read_pixels(reference).unwrap();
        assert_eq!(ours.dim(), theirs.dim(), "{}", name.to_string_lossy());
        let differ = ours
            .iter()
            .zip(theirs.iter())
            .filter(|(a, b)| a != b)
            .count();
        if differ > 0 {
            differing.push(format!("{}: {differ} pixels", name.to_string_lossy()));
        }
    }
    assert!(
        differing.is_empty(),
        "masks differ from CellProfiler's: {differing:?}"
    );
    references.len()
}

#[test]
fn steinbock_masks_equal_steinbocks_cellprofiler_run() {
    let Some(data) = real_fixture("steinbock/210308_ImcTestData") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    segment(
        "steinbock",
        &data.join("ilastik_probabilities"),
        out.path(),
        &[],
    );
    let compared = assert_same_images(&data.join("masks_ilastik"), out.path());
    assert_eq!(compared, 15);
}

#[test]
fn imc_segmentation_pipeline_masks_equal_its_cellprofiler_run() {
    let Some(data) = real_fixture("isp/210308_ImcTestData") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let s1 = out.path().join("probabilities");
    let s1_arg = s1.to_str().unwrap();
    segment(
        "isp",
        &data.join("ilastik"),
        out.path(),
        &["--probabilities-out", s1_arg],
    );
    assert_eq!(
        assert_same_images(&data.join("cpout/masks"), out.path()),
        15
    );
    assert_eq!(
        assert_same_images(&data.join("cpout/probabilities"), &s1),
        15
    );
}
