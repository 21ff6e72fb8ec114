//! ilastik's own API test projects (ilastik `tests/test_ilastik/data/api_projects.zip`, kept
//! outside the repository: see `pixelforest-testdata`) applied with `predict --model
//! project.ilp`'s code path must meet ilastik's own cross-platform rule against ilastik's
//! expected probabilities (`assert_predictions_equal_ilastik_cross` in
//! `tests/test_ilastik/test_experimental/test_api/test_pipelines.py`): fewer than 0.1% of
//! values off by >= 0.015, none off by >= 0.15.

use std::path::Path;

use ndarray::{Array3, Axis};
use pixelforest::io::read_image;
use pixelforest::pipeline::{load_model, predict_image};
use pixelforest_testdata::real_fixture;

/// Reads a little-endian float32 `.npy` (version 1), C order.
fn read_npy_f32(path: &Path) -> Array3<f32> {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header_len = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(header.contains("'<f4'") && header.contains("'fortran_order': False"));
    let dims: Vec<usize> = header
        .split("'shape': (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .split(',')
        .filter_map(|d| d.trim().parse().ok())
        .collect();
    let values: Vec<f32> = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Array3::from_shape_vec((dims[0], dims[1], dims[2]), values).unwrap()
}

/// (values off by >= 0.015, values off by >= 0.15, all values, largest difference).
fn compare(ours: &Array3<f32>, theirs: &Array3<f32>) -> (usize, usize, usize, f32) {
    assert_eq!(ours.shape(), theirs.shape());
    let mut counts = (0, 0, ours.len(), 0.0f32);
    for (a, b) in ours.iter().zip(theirs) {
        let d = (a - b).abs();
        counts.0 += usize::from(d >= 0.015);
        counts.1 += usize::from(d >= 0.15);
        counts.3 = counts.3.max(d);
    }
    counts
}

fn check_project(project: &str, image: &str, expected: &str) {
    let dir = "ilastik/api_projects";
    let (Some(project), Some(image), Some(expected)) = (
        real_fixture(&format!("{dir}/{project}")),
        real_fixture(&format!("{dir}/{image}")),
        real_fixture(&format!("{dir}/{expected}")),
    ) else {
        return;
    };
    let model = load_model(&project).unwrap();
    let image = read_image(&image).unwrap();
    // (class, y, x) -> (y, x, class) as ilastik's result.
    let ours = predict_image(&model, &image, 256)
        .unwrap()
        .permuted_axes([1, 2, 0]);
    let theirs = read_npy_f32(&expected);
    let (off_2dec, off_1dec, n, max) = compare(&ours.to_owned(), &theirs);
    eprintln!(
        "{}: {off_2dec} of {n} values off by >= 0.015 ({:.4}%), {off_1dec} by >= 0.15, largest {max:.4}",
        project.display(),
        100.0 * off_2dec as f64 / n as f64
    );
    assert!(
        off_2dec * 1000 < n,
        "more than 0.1% of values off by >= 0.015"
    );
    assert_eq!(off_1dec, 0, "values off by >= 0.15");
    // And the classes agree wherever ilastik is not split.
    let argmax = |a: &Array3<f32>| {
        a.map_axis(Axis(2), |p| {
            (0..p.len()).fold(0, |best, c| if p[c] > p[best] { c } else { best })
        })
    };
    let (a, b) = (argmax(&ours.to_owned()), argmax(&theirs));
    let agree = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    eprintln!(
        "  argmax agreement {:.4}%",
        100.0 * agree as f64 / a.len() as f64
    );
}

#[test]
fn three_channel_project_matches_ilastiks_probabilities() {
    check_project(
        "PixelClass3Channel.ilp",
        "Data_3channel.png",
        "res-Data_3channel_pc3c.npy",
    );
}

#[test]
fn one_channel_yxc_project_matches_ilastiks_probabilities() {
    check_project(
        "PixelClass.ilp",
        "Data_1channel.png",
        "res-Data_1channel_pc1xyc.npy",
    );
}

#[test]
fn one_channel_yx_project_matches_ilastiks_probabilities() {
    check_project(
        "2464_PixelClassification_xy_input.ilp",
        "Data_1channel.png",
        "res-Data_1channel_pc1xy.npy",
    );
}

#[test]
fn a_project_without_a_forest_says_to_train_one() {
    let Some(project) = real_fixture("ilastik/api_projects/PixelClassNoClassifier.ilp") else {
        return;
    };
    let err = load_model(&project).unwrap_err().to_string();
    assert!(
        err.contains("PixelClassNoClassifier.ilp") && err.contains("train --from-ilp"),
        "{err}"
    );
}
