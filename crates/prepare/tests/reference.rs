//! The prepare layer against reference numbers from `fixtures/make_fixtures.py` (steinbock's
//! hot-pixel filter, mean x 100 summary, cv2.resize INTER_LINEAR).

use ndarray::{Array3, Axis};
use pixelforest_core::Image;
use pixelforest_prepare::*;

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/prepare_reference.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &serde_json::Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn input() -> (Image, serde_json::Value) {
    let r = reference();
    let shape: Vec<usize> = r["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let data = Array3::from_shape_vec((shape[0], shape[1], shape[2]), floats(&r["input"])).unwrap();
    let image = Image::new(data, vec!["a".into(), "b".into(), "c".into()]).unwrap();
    (image, r)
}

fn assert_close(got: impl Iterator<Item = f32>, want: &[f32], tol: f32, what: &str) {
    let got: Vec<f32> = got.collect();
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

#[test]
fn hot_pixel_filter_matches_steinbock() {
    let (image, r) = input();
    let filtered: Vec<f32> = (0..3)
        .flat_map(|c| filter_hot_pixels(image.channel(c), 50.0).into_iter())
        .collect();
    let want = floats(&r["filtered"]);
    assert_close(filtered.into_iter(), &want, 0.0, "filtered");
    // The planted hot pixels were clipped, the one below the threshold kept.
    assert!(want[3 * 9 + 4] < 400.0);
    assert_eq!(image.data()[[2, 0, 5]], 80.0);
    assert_eq!(want[2 * 63 + 5], 80.0);
    // Threshold 0 disables the filter.
    assert_eq!(filter_hot_pixels(image.channel(0), 0.0), image.channel(0));
}

#[test]
fn summary_and_upscaling_match_opencv() {
    let (image, r) = input();
    let prepared = prepare_image(&image, &PrepareSettings::default());
    assert_eq!(prepared.data().dim(), (4, 14, 18));
    assert_eq!(prepared.channels(), ["mean", "a", "b", "c"]);
    assert_close(
        prepared.data().iter().copied(),
        &floats(&r["prepared_s2"]),
        1e-5,
        "prepared_s2",
    );
    let sum = prepare_image(
        &image,
        &PrepareSettings {
            summary: Summary::Sum,
            scale: 1,
            ..PrepareSettings::default()
        },
    );
    assert_close(
        sum.data().index_axis(Axis(0), 0).iter().copied(),
        &floats(&r["summary_sum"]),
        1e-6,
        "summary_sum",
    );
    let none = prepare_image(
        &image,
        &PrepareSettings {
            summary: Summary::None,
            scale: 3,
            ..PrepareSettings::default()
        },
    );
    assert_eq!(none.n_channels(), 3);
    assert_close(
        none.data().iter().copied(),
        &floats(&r["filtered_s3"]),
        1e-5,
        "filtered_s3",
    );
}

#[test]
fn upscaling_keeps_constants_and_the_mean_of_ramps() {
    let c = ndarray::Array2::<f32>::from_elem((5, 6), 7.5);
    let up = upscale_bilinear(c.view(), 2);
    assert!(up.iter().all(|&v| v == 7.5));
}

#[test]
fn crops_are_seeded_inside_and_short_sides_whole() {
    let a = random_crops(1000, 800, 500, 5, 3);
    assert_eq!(a, random_crops(1000, 800, 500, 5, 3));
    assert_ne!(a, random_crops(1000, 800, 500, 5, 4));
    for r in &a {
        assert!(r.x + r.w <= 800 && r.y + r.h <= 1000);
        assert_eq!((r.w, r.h), (500, 500));
    }
    let short = random_crops(300, 800, 500, 2, 1);
    assert!(short.iter().all(|r| r.y == 0 && r.h == 300 && r.w == 500));
    let (image, _) = input();
    let c = crop(
        &image,
        CropRect {
            x: 2,
            y: 1,
            w: 4,
            h: 3,
        },
    );
    assert_eq!(c.data().dim(), (3, 3, 4));
    assert_eq!(c.data()[[1, 0, 0]], image.data()[[1, 1, 2]]);
    assert_eq!(c.channels(), image.channels());
}
