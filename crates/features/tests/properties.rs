//! Properties of the filter bank: constants, tiling, ordering and names, tiny images.

use ndarray::{s, Array3};
use pixelforest_features::*;

fn blobs(c: usize, h: usize, w: usize) -> Array3<f32> {
    Array3::from_shape_fn((c, h, w), |(k, y, x)| {
        let (y, x) = (y as f32, x as f32);
        ((y * 0.3 + k as f32).sin() * (x * 0.17).cos() * 20.0 + (x * y * 0.01).sin() * 5.0).abs()
            + k as f32
    })
}

#[test]
fn smoothing_keeps_constants_and_derivatives_of_constants_vanish() {
    let image = Array3::from_elem((1, 30, 41), 7.25f32);
    let selection = FeatureSelection::preset("ilastik").unwrap();
    let f = compute_features(image.view(), &selection);
    let names = selection.feature_names(&["c".into()]);
    for (i, name) in names.iter().enumerate() {
        let (lo, hi) = f
            .slice(s![i, .., ..])
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        if name.starts_with("Gaussian Smoothing") {
            assert!(
                (lo - 7.25).abs() < 1e-4 && (hi - 7.25).abs() < 1e-4,
                "{name}: {lo}..{hi}"
            );
        } else if name.starts_with("Structure Tensor") {
            assert!(hi.abs() < 1e-6, "{name}: {hi}");
        } else {
            assert!(lo.abs() < 1e-4 && hi.abs() < 1e-4, "{name}: {lo}..{hi}");
        }
    }
}

#[test]
fn smoothing_preserves_the_mean() {
    let image = blobs(1, 40, 40);
    let sel = FeatureSelection {
        sigmas: vec![1.6],
        matrix: vec![
            vec![true],
            vec![false],
            vec![false],
            vec![false],
            vec![false],
            vec![false],
        ],
        structure_tensor: StructureTensorScales::Fastfilters,
    };
    let f = compute_features(image.view(), &sel);
    let mean_in = image.mean().unwrap();
    let mean_out = f.mean().unwrap();
    // Mirror borders keep the mean only approximately.
    assert!(
        (mean_in - mean_out).abs() / mean_in < 0.02,
        "{mean_in} vs {mean_out}"
    );
}

#[test]
fn tiles_with_halo_equal_the_whole_image() {
    let image = blobs(2, 70, 83);
    for preset in ["ilastik", "sigma>=1"] {
        let sel = FeatureSelection::preset(preset).unwrap();
        let whole = compute_features(image.view(), &sel);
        for region in [
            Region {
                y: 0,
                x: 0,
                h: 16,
                w: 16,
            },
            Region {
                y: 30,
                x: 40,
                h: 20,
                w: 25,
            },
            Region {
                y: 54,
                x: 67,
                h: 16,
                w: 16,
            },
            Region {
                y: 0,
                x: 60,
                h: 70,
                w: 23,
            },
        ] {
            let tile = compute_features_region(image.view(), &sel, region);
            let want = whole.slice(s![
                ..,
                region.y..region.y + region.h,
                region.x..region.x + region.w
            ]);
            assert_eq!(tile, want, "{preset} {region:?}");
        }
    }
}

#[test]
fn order_names_and_counts_agree() {
    let image = blobs(2, 20, 24);
    let sel = FeatureSelection::preset("sigma>=1").unwrap();
    let names = sel.feature_names(&["DNA1".into(), "CD45".into()]);
    assert_eq!(names.len(), sel.n_features(2));
    assert_eq!(sel.n_features(1), 40);
    assert_eq!(names[0], "Gaussian Smoothing (sigma=1.0) [DNA1]");
    assert_eq!(names[1], "Gaussian Smoothing (sigma=1.0) [CD45]");
    assert_eq!(names[2], "Gaussian Smoothing (sigma=1.6) [DNA1]");
    let st = names
        .iter()
        .position(|n| n.starts_with("Structure"))
        .unwrap();
    assert_eq!(
        names[st],
        "Structure Tensor Eigenvalues (sigma=1.0) [DNA1] [0]"
    );
    assert_eq!(
        names[st + 1],
        "Structure Tensor Eigenvalues (sigma=1.0) [DNA1] [1]"
    );
    assert_eq!(
        names[st + 2],
        "Structure Tensor Eigenvalues (sigma=1.0) [CD45] [0]"
    );
    let f = compute_features(image.view(), &sel);
    assert_eq!(f.shape()[0], names.len());
    // Channel 1's smoothing equals computing channel 1 alone.
    let alone = compute_features(image.slice(s![1..2, .., ..]), &sel);
    assert_eq!(f.slice(s![1, .., ..]), alone.slice(s![0, .., ..]));
    // Eigenvalues are descending.
    assert!(f
        .slice(s![st, .., ..])
        .iter()
        .zip(f.slice(s![st + 1, .., ..]).iter())
        .all(|(a, b)| a >= b));
}

#[test]
fn tiny_images_do_not_panic() {
    let image = blobs(1, 5, 7);
    let f = compute_features(image.view(), &FeatureSelection::preset("ilastik").unwrap());
    assert_eq!(f.dim(), (49, 5, 7));
    assert!(f.iter().all(|v| v.is_finite()));
    let one = blobs(1, 1, 1);
    assert!(
        compute_features(one.view(), &FeatureSelection::preset("all").unwrap())
            .iter()
            .all(|v| v.is_finite())
    );
}

#[test]
fn bad_selections_are_errors() {
    assert!(matches!(
        FeatureSelection::preset("fancy"),
        Err(FeatureError::UnknownPreset(_))
    ));
    let mut sel = FeatureSelection::preset("ilastik").unwrap();
    sel.validate().unwrap();
    sel.matrix[1][0] = true; // LoG at 0.3
    assert!(sel.validate().is_err());
    let short = FeatureSelection {
        sigmas: vec![1.0],
        matrix: vec![vec![true]],
        structure_tensor: StructureTensorScales::Fastfilters,
    };
    assert!(short.validate().is_err());
    let none = FeatureSelection {
        sigmas: vec![1.0],
        matrix: vec![vec![false]; 6],
        structure_tensor: StructureTensorScales::Fastfilters,
    };
    assert!(none.validate().is_err());
}

#[test]
fn every_scale_with_its_own_halo_equals_the_whole_image() {
    // Large enough that even sigma 10's window ends inside the image, so every scale's own
    // (smaller) halo is exercised away from the image border, for both tensor conventions.
    let image = blobs(1, 150, 160);
    for structure_tensor in [
        StructureTensorScales::Fastfilters,
        StructureTensorScales::Vigra,
    ] {
        let sel = FeatureSelection {
            structure_tensor,
            ..FeatureSelection::preset("all").unwrap()
        };
        assert!(sel.scale_halo(0) < sel.halo() && sel.halo() < 60);
        let whole = compute_features(image.view(), &sel);
        let region = Region {
            y: 62,
            x: 70,
            h: 21,
            w: 18,
        };
        let tile = compute_features_region(image.view(), &sel, region);
        let want = whole.slice(s![.., 62..83, 70..88]);
        assert_eq!(tile, want, "{structure_tensor:?}");
    }
}

#[test]
fn a_reused_buffer_is_completely_overwritten() {
    let image = blobs(2, 40, 50);
    let sel = FeatureSelection::preset("sigma>=1").unwrap();
    let region = Region {
        y: 10,
        x: 5,
        h: 20,
        w: 30,
    };
    let fresh = compute_features_region(image.view(), &sel, region);
    let mut stale = Array3::<f32>::from_elem(fresh.dim(), f32::NAN);
    compute_features_region_into(image.view(), &sel, region, stale.view_mut());
    assert_eq!(stale, fresh);
}

#[test]
#[should_panic(expected = "output buffer does not match")]
fn a_buffer_of_the_wrong_shape_is_refused() {
    let image = blobs(1, 20, 20);
    let sel = FeatureSelection::preset("sigma>=1").unwrap();
    let region = Region {
        y: 0,
        x: 0,
        h: 8,
        w: 8,
    };
    let mut out = Array3::<f32>::zeros((39, 8, 8));
    compute_features_region_into(image.view(), &sel, region, out.view_mut());
}
