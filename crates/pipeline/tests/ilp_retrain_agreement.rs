//! Retraining from an ilastik project (its labels and feature selection, pixelforest's features
//! and forest) must classify the image as the forest ilastik trained on the same labels: >= 98% of
//! pixels get the same argmax class, averaged over three seeds and the three projects (issue #11
//! item 6).
//!
//! Measured (2026-11-29): vs the stored forest, PixelClass3Channel 0.9563, PixelClass 0.9897,
//! 2464_PixelClassification_xy_input 0.9978, mean 0.9813 (with 256 quantile bins and `seed + t`
//! tree seeds: 0.9564, 0.9628, 0.9970, mean 0.9721). PixelClass3Channel cannot reach 98%: its
//! stored forest is as random as ours. Its two halves (50 vigra trees each) agree on 0.9362 of
//! the pixels, two 50-tree halves of ours on 0.941 to 0.943, and even a 1000-tree pixelforest,
//! close to the mean of all forests, agrees with it on only 0.968; so each project is held to
//! 95%, and the mean over projects to 98%.
//!
//! Real projects from ilastik's own tests (`ilastik/api_projects/`, see its PROVENANCE.md): each
//! has one labelled lane, a feature selection and a trained vigra forest; `res-*.npy` is the
//! probability map ilastik's headless API computed with that forest (yxc, float32). Printed: per
//! project, agreement with the stored forest (applied by pixelforest) and with ilastik's map, per
//! seed and mean; pixelforest against itself across seeds; and two halves of the stored vigra
//! forest against each other (the spread two independently trained vigra forests show).
//!
//! Run with `PIXELFOREST_REAL_FIXTURES=/work/ref/fixtures cargo test -p pixelforest-pipeline
//! --test ilp_retrain_agreement -- --nocapture`.

use std::path::Path;

use ndarray::{Array2, Array3, ArrayView2};
use pixelforest_core::Image;
use pixelforest_features::compute_features;
use pixelforest_forest::{ForestSettings, RandomForest};
use pixelforest_ilastik::IlpProject;
use pixelforest_pipeline::{forest_from_ilp, labelled_rows, selection_from_ilp};

/// (project, raw image, ilastik's probabilities) as ilastik's tests pair them
/// (tests/test_ilastik/test_experimental/types.py).
const CASES: [(&str, &str, &str); 3] = [
    (
        "PixelClass3Channel.ilp",
        "Data_3channel.png",
        "res-Data_3channel_pc3c.npy",
    ),
    (
        "PixelClass.ilp",
        "Data_1channel.png",
        "res-Data_1channel_pc1xyc.npy",
    ),
    (
        "2464_PixelClassification_xy_input.ilp",
        "Data_1channel.png",
        "res-Data_1channel_pc1xy.npy",
    ),
];

const SEEDS: [u64; 3] = [1, 2, 3];

/// An 8-bit grey or RGB PNG as a channel-first f32 image (ilastik reads the raw values).
fn read_png(path: &Path) -> Image {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("open PNG"),
    ));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0u8; reader.output_buffer_size().expect("PNG size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
    let c = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    let (h, w) = (info.height as usize, info.width as usize);
    let data = Array3::from_shape_fn((c, h, w), |(k, y, x)| f32::from(buf[(y * w + x) * c + k]));
    Image::unnamed(data)
}

/// A little-endian float32 C-order `.npy` array of rank 3 (numpy's format 1.0 header).
fn read_npy3(path: &Path) -> Array3<f32> {
    let bytes = std::fs::read(path).expect("read npy");
    assert_eq!(&bytes[..6], b"\x93NUMPY", "{}", path.display());
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).expect("npy header");
    assert!(header.contains("'<f4'") && header.contains("'fortran_order': False"));
    let shape: Vec<usize> = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("npy shape")
        .split(',')
        .filter_map(|d| d.trim().parse().ok())
        .collect();
    let values = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Array3::from_shape_vec((shape[0], shape[1], shape[2]), values).expect("npy data")
}

/// Index of the first largest value of each column of `p` (class, pixel).
fn argmax_columns(p: ArrayView2<f32>) -> Vec<usize> {
    p.columns()
        .into_iter()
        .map(|col| (0..col.len()).fold(0, |b, c| if col[c] > col[b] { c } else { b }))
        .collect()
}

fn agreement(a: &[usize], b: &[usize]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

/// The project's labels on a map of the image's size.
fn labels_of(project: &IlpProject, h: usize, w: usize) -> Array2<u8> {
    let plane = project.lanes[0].first_plane().expect("labels");
    let mut labels = Array2::<u8>::zeros((h, w));
    for ((y, x), &v) in plane.indexed_iter() {
        if v != 0 {
            labels[[y, x]] = v;
        }
    }
    labels
}

/// The stored forest's trees `range` as a forest of their own.
fn sub_forest(forest: &RandomForest, range: std::ops::Range<usize>) -> RandomForest {
    let trees = forest.to_tree_specs()[range].to_vec();
    RandomForest::from_tree_specs(forest.n_features(), forest.n_classes(), trees).expect("trees")
}

struct Agreement {
    with_stored: Vec<f64>,
    with_ilastik: Vec<f64>,
    across_seeds: Vec<f64>,
}

fn run_case(dir: &Path, (ilp, raw, res): (&str, &str, &str)) -> Agreement {
    let project = IlpProject::open(&dir.join(ilp)).expect("open project");
    let selection = selection_from_ilp(&project).expect("feature selection");
    let image = read_png(&dir.join(raw));
    let (h, w) = (image.height(), image.width());
    let labels = labels_of(&project, h, w);
    let rows = labelled_rows(&image, &labels, &selection).expect("training rows");
    let features = compute_features(image.view(), &selection);
    let columns = features
        .into_shape_with_order((selection.n_features(image.n_channels()), h * w))
        .expect("feature columns");

    let stored = forest_from_ilp(&project).expect("stored forest");
    let n_classes = stored.n_classes();
    let stored_class = argmax_columns(stored.predict_proba_columns(columns.view()).view());
    let expected = read_npy3(&dir.join(res));
    assert_eq!(expected.dim(), (h, w, n_classes));
    let expected = expected
        .into_shape_with_order((h * w, n_classes))
        .expect("expected map");
    let ilastik_class = argmax_columns(expected.t());
    // The measurement itself: pixelforest's features through ilastik's forest give ilastik's map.
    let stored_vs_ilastik = agreement(&stored_class, &ilastik_class);
    assert!(stored_vs_ilastik >= 0.999, "{ilp}: {stored_vs_ilastik}");
    let half = stored.n_trees() / 2;
    let halves = [0..half, half..stored.n_trees()].map(|r| {
        argmax_columns(
            sub_forest(&stored, r)
                .predict_proba_columns(columns.view())
                .view(),
        )
    });
    println!(
        "{ilp}: {} labelled pixels, {} features; stored forest vs ilastik's map {:.4}; \
         vigra half-forests vs each other {:.4}",
        rows.y.len(),
        columns.nrows(),
        stored_vs_ilastik,
        agreement(&halves[0], &halves[1]),
    );

    let mut result = Agreement {
        with_stored: Vec::new(),
        with_ilastik: Vec::new(),
        across_seeds: Vec::new(),
    };
    let mut ours = Vec::new();
    for seed in SEEDS {
        let settings = ForestSettings {
            seed,
            ..ForestSettings::default()
        };
        let (forest, _) =
            RandomForest::train(rows.x.view(), &rows.y, n_classes, &settings).expect("train");
        let class = argmax_columns(forest.predict_proba_columns(columns.view()).view());
        result.with_stored.push(agreement(&class, &stored_class));
        result.with_ilastik.push(agreement(&class, &ilastik_class));
        println!(
            "  seed {seed}: vs stored forest {:.4}, vs ilastik's map {:.4}",
            result.with_stored.last().unwrap_or(&0.0),
            result.with_ilastik.last().unwrap_or(&0.0),
        );
        ours.push(class);
    }
    for i in 0..ours.len() {
        for j in i + 1..ours.len() {
            result.across_seeds.push(agreement(&ours[i], &ours[j]));
        }
    }
    println!(
        "  mean: vs stored {:.4}, vs ilastik's map {:.4}; pixelforest seed vs seed {:.4}",
        mean(&result.with_stored),
        mean(&result.with_ilastik),
        mean(&result.across_seeds),
    );
    result
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn retrained_forest_agrees_with_ilastiks_on_98_percent_of_pixels() {
    let Some(dir) = pixelforest_testdata::real_fixture("ilastik/api_projects/PixelClass.ilp")
        .and_then(|p| p.parent().map(Path::to_path_buf))
    else {
        return;
    };
    let mut means = Vec::new();
    for case in CASES {
        let a = run_case(&dir, case);
        means.push((case.0, mean(&a.with_stored)));
    }
    let overall = mean(&means.iter().map(|m| m.1).collect::<Vec<_>>());
    println!("mean over projects and seeds, vs stored forest: {overall:.4}");
    for (ilp, m) in means {
        assert!(m >= 0.95, "{ilp}: mean agreement {m:.4} < 0.95");
    }
    assert!(overall >= 0.98, "mean agreement {overall:.4} < 0.98");
}
