//! All 49 channels of ilastik's full feature set against `fixtures/make_fixtures.py` (the
//! recipe with explicit kernels, scipy `correlate1d` mode "mirror", float64).

use ndarray::{Array3, Axis};
use pixelforest_features::{compute_features, FeatureSelection};

fn read_f32(name: &str) -> Vec<f32> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

#[test]
fn all_49_channels_match_the_reference_recipe() {
    let (h, w) = (48, 56);
    let image = Array3::from_shape_vec((1, h, w), read_f32("image.f32")).unwrap();
    let want = Array3::from_shape_vec((49, h, w), read_f32("features.f32")).unwrap();
    let selection = FeatureSelection::preset("ilastik").unwrap();
    assert_eq!(selection.n_features(1), 49);
    let got = compute_features(image.view(), &selection);
    assert_eq!(got.dim(), (49, h, w));
    let names = selection.feature_names(&["DNA1".to_string()]);
    for (i, (g, r)) in got
        .axis_iter(Axis(0))
        .zip(want.axis_iter(Axis(0)))
        .enumerate()
    {
        let scale = r.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
        let err = g
            .iter()
            .zip(r.iter())
            .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            err <= 1e-4 * scale,
            "{}: max error {err} vs max |value| {scale}",
            names[i]
        );
    }
}
