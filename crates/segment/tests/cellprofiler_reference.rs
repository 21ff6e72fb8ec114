//! The identify algorithms against `reference/cellprofiler_reference.py`: the code
//! CellProfiler 4.2 calls (scikit-image 0.18.3 `threshold_li` with CellProfiler's tolerance,
//! centrosome `propagate` / `fill_labeled_holes` / `is_local_maximum` / `binary_shrink`,
//! scikit-image `watershed` and `resize`, scipy `label` / `zoom`) run on fixed, seeded inputs
//! whose outputs are the fixtures beside the script.

use ndarray::{Array2, Array3};
use pixelforest_segment::identify::{match_objects, mce_threshold, propagate};
use pixelforest_segment::{segment_probabilities, SegmentSettings};

fn read(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/reference/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
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
    assert_eq!(cases.len(), 5);
    for (name, case) in cases {
        let data = f64s(&format!("mce_{name}.f64"));
        assert_eq!(data.len() as u64, case["len"].as_u64().unwrap());
        let expected = case["threshold"].as_f64().unwrap();
        let got = mce_threshold(&data);
        assert!(
            (got - expected).abs() <= 1e-6,
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

fn reference_masks(preset: &str) -> (Array2<i32>, Array2<i32>) {
    let read_mask = |what: &str| {
        let v = u16s(&format!("pipeline_{preset}_{what}.u16"));
        Array2::from_shape_vec((100, 100), v.into_iter().map(i32::from).collect()).unwrap()
    };
    (read_mask("nuclei"), read_mask("cells"))
}

fn probabilities() -> Array3<f32> {
    let yxc = u16s("pipeline_probabilities.u16");
    Array3::from_shape_fn((3, 200, 200), |(c, y, x)| {
        f32::from(yxc[(y * 200 + x) * 3 + c]) / 65535.0
    })
}

fn check_preset(preset: &str, settings: &SegmentSettings) {
    let (nuclei, cells) = reference_masks(preset);
    let got = segment_probabilities(&probabilities(), settings).unwrap();
    assert_eq!(got.nuclei.dim(), (100, 100));
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
        eprintln!(
            "{preset} {what}: {d:?} F1 {:.4}, identical pixels {same}/10000",
            d.f1()
        );
        assert!(
            d.reference > 40,
            "{preset} {what}: too few reference objects"
        );
        assert!(
            d.f1() >= 0.95,
            "{preset} {what}: F1 {} < 0.95 ({d:?})",
            d.f1()
        );
        assert!(
            same >= 9990,
            "{preset} {what}: only {same} identical pixels"
        );
    }
}

#[test]
fn isp_pipeline_masks_match_the_python_reference() {
    check_preset("isp", &SegmentSettings::imc_segmentation_pipeline());
}

#[test]
fn steinbock_pipeline_masks_match_the_python_reference() {
    check_preset("steinbock", &SegmentSettings::steinbock());
}
