//! Issue #15: `predict` and `prepare` stream their images band by band, and write the files the
//! whole-image path writes, byte for byte: on heights that are not multiples of the band, 1-row
//! and tiny images, and bands whose halo ends exactly at the image's edge.

use std::path::{Path, PathBuf};

use ndarray::{Array2, Array3};
use pixelforest_core::{default_classes, Image};
use pixelforest_features::FeatureSelection;
use pixelforest_forest::ForestSettings;
use pixelforest_io::{H5Layout, ProbabilityFormat, SampleType, TiffCompression};
use pixelforest_pipeline::Model;
use pixelforest_pipeline::{
    predict_batch, predict_image, prepare_batch, train_model, uncertainty_map, write_uncertainty,
    PredictOptions, PrepareOptions, Status, UncertaintyDir, UncertaintyMeasure,
};
use pixelforest_prepare::{crop, prepare_image, random_crops, PrepareSettings};

/// Smoothing at sigma 1 and gradient magnitude at sigma 3.5: a halo of several pixels, so band
/// edges matter.
fn selection() -> FeatureSelection {
    let mut matrix = vec![vec![false, false]; 6];
    matrix[0][0] = true;
    matrix[2][1] = true;
    FeatureSelection {
        sigmas: vec![1.0, 3.5],
        matrix,
        structure_tensor: pixelforest_features::StructureTensorScales::default(),
    }
}

/// Two channels of blobs on a ramp, `h` x `w`.
fn image(h: usize, w: usize) -> Image {
    let data = Array3::from_shape_fn((2, h, w), |(c, y, x)| {
        let blob = f32::from(u8::from((y / 7 + x / 5) % 3 == 0)) * 90.0;
        blob + (c * 3) as f32 + ((x * 7 + y * 3) % 11) as f32
    });
    Image::new(data, vec!["DNA1".into(), "CD45".into()]).unwrap()
}

fn model() -> Model {
    let img = image(40, 40);
    let labels = Array2::from_shape_fn((40, 40), |(y, x)| match (y / 7 + x / 5) % 3 {
        0 if (x + y) % 4 == 0 => 1,
        1 if (x + y) % 5 == 0 => 2,
        2 if (x + y) % 6 == 0 => 3,
        _ => 0,
    });
    let settings = ForestSettings {
        n_trees: 6,
        ..Default::default()
    };
    train_model(
        &[(img, labels)],
        &selection(),
        &default_classes(),
        &settings,
    )
    .unwrap()
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn streamed_predictions_equal_whole_image_predictions_byte_for_byte() {
    let model = model();
    let tile = 16;
    let halo = selection().halo();
    // 128 wide: 8 tiles across, so a band is one tile row (16) on up to 8 threads.
    let w = 128;
    // 16 + halo and 32 + halo: the last band's halo ends exactly at the image's bottom edge.
    let mut heights = vec![
        1,
        2,
        15,
        16,
        17,
        16 + halo,
        32 + halo,
        16 + halo + 1,
        16 * 3 + 5,
    ];
    heights.sort_unstable();
    heights.dedup();
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<PathBuf> = heights
        .iter()
        .map(|&h| {
            let p = dir.path().join(format!("in/h{h}_s2.h5"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            pixelforest_io::write_h5_image(&p, &image(h, w), &H5Layout::Ilastik).unwrap();
            p
        })
        .collect();
    for (format, sample) in [
        (ProbabilityFormat::Tiff, SampleType::U16),
        (ProbabilityFormat::H5, SampleType::F32),
    ] {
        let out = dir.path().join(format!("out_{format:?}"));
        let options = PredictOptions {
            output_dir: Some(out.clone()),
            format,
            sample,
            tile_size: tile,
            uncertainty_dir: Some(UncertaintyDir::Folder(out.join("u"))),
            progress: false,
            ..PredictOptions::default()
        };
        let report = predict_batch(&model, &inputs, &options).unwrap();
        assert!(
            report.outcomes.iter().all(|o| o.status == Status::Written),
            "{:?}",
            report.outcomes
        );
        for (input, &h) in inputs.iter().zip(&heights) {
            let img = pixelforest_io::read_image(input).unwrap();
            let probs = predict_image(&model, &img, tile).unwrap();
            let whole = dir.path().join("whole.x");
            let whole = whole.with_extension(if format == ProbabilityFormat::H5 {
                "h5"
            } else {
                "tiff"
            });
            pixelforest_io::write_probabilities_compressed(
                &whole,
                &probs,
                sample,
                format,
                TiffCompression::Lzw,
            )
            .unwrap();
            let streamed = options.output_path(input);
            assert!(
                bytes(&whole) == bytes(&streamed),
                "height {h} {format:?}: probabilities differ"
            );
            let u_whole = dir.path().join("u_whole.tiff");
            write_uncertainty(
                &u_whole,
                &uncertainty_map(&probs, UncertaintyMeasure::Margin),
                sample,
            )
            .unwrap();
            let u_streamed = options.uncertainty_output(&streamed).unwrap();
            assert!(
                bytes(&u_whole) == bytes(&u_streamed),
                "height {h} {format:?}: uncertainty differs"
            );
        }
    }
}

#[test]
fn streamed_prepare_equals_the_whole_prepared_image_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    // Prepared heights 2, 4, 256 (one band exactly), 258 (a second band of 2 rows), 514.
    let heights = [1, 2, 128, 129, 257];
    let inputs: Vec<PathBuf> = heights
        .iter()
        .map(|&h| {
            let p = dir.path().join(format!("in/p{h}_ilastik.tiff"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let mut img = image(h, 37);
            // A hot pixel on each side of the band edge at input row 128.
            for &(y, x) in &[(127usize, 3usize), (128, 4), (0, 0)] {
                if y < h {
                    img = with_hot_pixel(img, y, x);
                }
            }
            pixelforest_io::write_tiff_stack(&p, &img, SampleType::U16).unwrap();
            p
        })
        .collect();
    let options = PrepareOptions {
        settings: PrepareSettings::default(),
        out_dir: dir.path().join("out"),
        crops_dir: dir.path().join("crops"),
        crops_per_image: 2,
        crop_size: 30,
        seed: 4,
        overwrite: false,
        progress: false,
    };
    let report = prepare_batch(&inputs, &options).unwrap();
    assert!(
        report.outcomes.iter().all(|o| o.status == Status::Written),
        "{report:?}"
    );
    for (input, outcome) in inputs.iter().zip(&report.outcomes) {
        let img = pixelforest_io::read_image(input).unwrap();
        let prepared = prepare_image(&img, &options.settings);
        let full = &outcome.outputs[0];
        let whole = dir.path().join("whole").join(full.file_name().unwrap());
        std::fs::create_dir_all(whole.parent().unwrap()).unwrap();
        pixelforest_io::write_h5_image(&whole, &prepared, &H5Layout::Ilastik).unwrap();
        assert!(bytes(&whole) == bytes(full), "{}", full.display());
        let stem = pixelforest_io::image_stem(full);
        let rects = random_crops(
            prepared.height(),
            prepared.width(),
            30,
            2,
            image_seed(4, &stem),
        );
        assert_eq!(rects.len(), outcome.outputs.len() - 1);
        for path in &outcome.outputs[1..] {
            let rect = rects
                .iter()
                .find(|r| path.ends_with(format!("{stem}_x{}_y{}_w{}_h{}.h5", r.x, r.y, r.w, r.h)))
                .unwrap_or_else(|| panic!("{} is not one of {rects:?}", path.display()));
            let whole_crop = dir.path().join("whole").join(path.file_name().unwrap());
            pixelforest_io::write_h5_image(
                &whole_crop,
                &crop(&prepared, *rect),
                &H5Layout::Ilastik,
            )
            .unwrap();
            assert!(bytes(&whole_crop) == bytes(path), "{}", path.display());
        }
    }
}

/// `prepare`'s per-image crop seed (FNV-1a of the name, pinned in `prepare_run.rs`).
fn image_seed(seed: u64, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn with_hot_pixel(img: Image, y: usize, x: usize) -> Image {
    let names = img.channels().to_vec();
    let mut data = img.data().clone();
    data[[1, y, x]] = 4000.0;
    Image::new(data, names).unwrap()
}
