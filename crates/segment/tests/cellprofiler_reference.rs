//! The identify algorithms against `reference/cellprofiler_reference.py`: CellProfiler 4.2.5's
//! own modules (the Threshold module's Minimum Cross-Entropy on float32 data, centrosome
//! 1.2.1's `propagate`, and steinbock's and ImcSegmentationPipeline's `.cppipe` modules run
//! headless) on fixed, seeded inputs whose outputs are the fixtures beside the script.

use ndarray::{Array2, Array3};
use pixelforest_segment::identify::{match_objects, mce_threshold, propagate};
use pixelforest_segment::{segment_probabilities, SegmentSettings};

fn read(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/reference/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn f32s(name: &str) -> Vec<f32> {
    read(name)
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn f64s(name: &str) -> Vec<f64> {
    read(name)
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn i32s(name: &str, shape: (usize, usize)) -> Array2<i32> {
    let v = read(name)
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    Array2::from_shape_vec(shape, v).unwrap()
}

fn u16s(name: &str) -> Vec<u16> {
    read(name)
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

#[test]
fn mce_threshold_equals_cellprofiler_4() {
    let want: serde_json::Value = serde_json::from_slice(&read("mce.json")).unwrap();
    let cases = want.as_object().unwrap();
    assert_eq!(cases.len(), 6);
    for (name, case) in cases {
        let data = f32s(&format!("mce_{name}.f32"));
        assert_eq!(data.len() as u64, case["len"].as_u64().unwrap());
        // A float32 value, written exactly by Python's json; serde_json may read such a
        // decimal 1 ulp off in float64, which rounding to float32 removes.
        let expected = case["threshold"].as_f64().unwrap() as f32;
        let got = mce_threshold(&data);
        assert_eq!(
            got.to_bits(),
            expected.to_bits(),
            "{name}: {got} vs CellProfiler {expected}"
        );
    }
}

#[test]
fn propagation_labels_equal_centrosome() {
    let shape = (48, 64);
    let image = Array2::from_shape_vec(shape, f64s("propagate_image.f64")).unwrap();
    let seeds = i32s("propagate_seeds.i32", shape);
    let mask = Array2::from_shape_vec(shape, read("propagate_mask.u8"))
        .unwrap()
        .mapv(|v| v != 0);
    for weight in ["0.05", "1.0"] {
        let want = i32s(&format!("propagate_w{weight}.i32"), shape);
        let (got, _) = propagate(&image, &seeds, &mask, weight.parse().unwrap());
        let differ = got.iter().zip(want.iter()).filter(|(a, b)| a != b).count();
        assert_eq!(differ, 0, "weight {weight}: {differ} pixels differ");
        assert!(want.iter().filter(|&&l| l > 0).count() > 500);
    }
}

/// A reference map (`pipeline`: 200x200, `faint`: 120x120) and CellProfiler's masks of it
/// (files `<masks>_<preset>_{nuclei,cells}.u16`).
struct Case {
    map: &'static str,
    masks: &'static str,
    side: usize,
    min_objects: usize,
}

const PIPELINE: Case = Case {
    map: "pipeline",
    masks: "pipeline",
    side: 200,
    min_objects: 40,
};
const FAINT: Case = Case {
    map: "faint",
    masks: "faint",
    side: 120,
    min_objects: 10,
};
/// The `pipeline` map with minimum diameters above 10 (maxima searched at low resolution).
const LOWRES: Case = Case {
    map: "pipeline",
    masks: "lowres",
    side: 200,
    min_objects: 30,
};

fn reference_masks(case: &Case, preset: &str) -> (Array2<i32>, Array2<i32>) {
    let side = case.side / 2;
    let read_mask = |what: &str| {
        let v = u16s(&format!("{}_{preset}_{what}.u16", case.masks));
        Array2::from_shape_vec((side, side), v.into_iter().map(i32::from).collect()).unwrap()
    };
    (read_mask("nuclei"), read_mask("cells"))
}

fn probabilities(case: &Case) -> Array3<f32> {
    let yxc = u16s(&format!("{}_probabilities.u16", case.map));
    let n = case.side;
    Array3::from_shape_fn((3, n, n), |(c, y, x)| {
        f32::from(yxc[(y * n + x) * 3 + c]) / 65535.0
    })
}

fn check_preset(case: &Case, preset: &str, settings: &SegmentSettings) {
    let (nuclei, cells) = reference_masks(case, preset);
    let got = segment_probabilities(&probabilities(case), settings).unwrap();
    assert_eq!(got.nuclei.dim(), nuclei.dim());
    for (what, reference, ours) in [
        ("nuclei", &nuclei, &got.nuclei),
        ("cells", &cells, &got.cells),
    ] {
        let d = match_objects(reference, ours, 0.5);
        let same = reference
            .iter()
            .zip(ours.iter())
            .filter(|(a, b)| a == b)
            .count();
        let map = case.masks;
        eprintln!(
            "{map} {preset} {what}: {d:?} F1 {:.4}, identical pixels {same}/{}",
            d.f1(),
            reference.len()
        );
        assert!(
            d.reference > case.min_objects,
            "{map} {preset} {what}: too few reference objects"
        );
        assert_eq!(
            same,
            reference.len(),
            "{map} {preset} {what}: pixels differ ({d:?})"
        );
    }
}

#[test]
fn isp_pipeline_masks_equal_cellprofilers() {
    check_preset(
        &PIPELINE,
        "isp",
        &SegmentSettings::imc_segmentation_pipeline(),
    );
}

#[test]
fn steinbock_pipeline_masks_equal_cellprofilers() {
    check_preset(&PIPELINE, "steinbock", &SegmentSettings::steinbock());
}

/// Minimum diameters 15 (steinbock) and 11 (ImcSegmentationPipeline): CellProfiler looks for
/// maxima on a cubic-spline-resampled image (`cellprofiler_reference.py`'s LOWRES_DIAMETERS).
#[test]
fn low_resolution_maxima_masks_equal_cellprofilers() {
    let mut steinbock = SegmentSettings::steinbock();
    steinbock.primary.diameter = (15, 40);
    check_preset(&LOWRES, "steinbock", &steinbock);
    let mut isp = SegmentSettings::imc_segmentation_pipeline();
    isp.primary.diameter = (11, 30);
    check_preset(&LOWRES, "isp", &isp);
}

/// A nearly empty map: float64 thresholds (instead of CellProfiler's float32) split its
/// nuclei differently.
#[test]
fn faint_map_masks_equal_cellprofilers_in_both_pipelines() {
    check_preset(&FAINT, "isp", &SegmentSettings::imc_segmentation_pipeline());
    check_preset(&FAINT, "steinbock", &SegmentSettings::steinbock());
}
