//! `pixelforest measure --kmax` against steinbock 0.16.1's own `measure_neighbors` (run with
//! numpy 1.x, as in steinbock's container) on a seeded synthetic mask with many equal
//! distances (tests/fixtures/knn/, made by make.py there): the neighbour files byte for byte,
//! rows in the order numpy's `argpartition` leaves them. With the real-tool fixtures, also on
//! steinbock's TestData `masks_deepcell/` (references made by the same script's function,
//! kept beside those fixtures).

use std::path::{Path, PathBuf};
use std::process::Command;

use ndarray::Array3;
use pixelforest::io::{read_pixels, write_tiff_stack, Image, SampleType};
use pixelforest_testdata::real_fixture;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/knn")
        .join(name)
}

/// The options of each reference file (`make.py`'s CASES).
const CASES: [(&str, &[&str]); 4] = [
    ("centroids_k5", &["--neighbors", "centroids", "--kmax", "5"]),
    (
        "centroids_d15_k5",
        &["--neighbors", "centroids", "--dmax", "15", "--kmax", "5"],
    ),
    (
        "borders_d20_k5",
        &["--neighbors", "borders", "--dmax", "20", "--kmax", "5"],
    ),
    ("borders_k3", &["--neighbors", "borders", "--kmax", "3"]),
];

/// Runs `measure` on `masks/` (with a one-channel image of each mask's size in `img/`).
fn measure(root: &Path, options: &[&str]) -> PathBuf {
    let out = root.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_pixelforest"))
        .arg("measure")
        .arg("--images")
        .arg(root.join("img"))
        .arg("--masks")
        .arg(root.join("masks"))
        .arg("--out")
        .arg(&out)
        .args(["-q", "--no-table"])
        .args(options)
        .status()
        .unwrap();
    assert!(status.success(), "measure {options:?}");
    out.join("neighbors")
}

/// A folder with `mask` under `masks/<stem>.tiff` and a blank image `img/<stem>.tiff`.
fn add_image(root: &Path, mask: &Path) {
    let stem = mask.file_stem().unwrap().to_string_lossy().into_owned();
    let dims = read_pixels(mask).unwrap().dim();
    std::fs::create_dir_all(root.join("masks")).unwrap();
    std::fs::create_dir_all(root.join("img")).unwrap();
    std::fs::copy(mask, root.join("masks").join(format!("{stem}.tiff"))).unwrap();
    let image = Image::new(Array3::zeros((1, dims.1, dims.2)), vec!["c".into()]).unwrap();
    write_tiff_stack(
        &root.join("img").join(format!("{stem}.tiff")),
        &image,
        SampleType::F32,
    )
    .unwrap();
}

#[test]
fn k_nearest_neighbours_equal_steinbocks_files() {
    let dir = tempfile::tempdir().unwrap();
    add_image(dir.path(), &fixture("mask.tiff"));
    for (name, options) in CASES {
        let ours = measure(dir.path(), options).join("mask.csv");
        let want = std::fs::read_to_string(fixture(&format!("{name}.csv"))).unwrap();
        let got = std::fs::read_to_string(&ours).unwrap();
        assert!(want.lines().count() > 200, "{name}: a real reference");
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn k_nearest_neighbours_equal_steinbocks_on_its_test_data() {
    let Some(data) = real_fixture("steinbock/210308_ImcTestData") else {
        return;
    };
    let Some(references) = real_fixture("steinbock/210308_ImcTestData/neighbors_knn") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut masks: Vec<PathBuf> = std::fs::read_dir(data.join("masks_deepcell"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    masks.sort();
    for mask in &masks {
        add_image(dir.path(), mask);
    }
    for (name, options) in CASES {
        let ours = measure(dir.path(), options);
        for mask in &masks {
            let file = format!("{}.csv", mask.file_stem().unwrap().to_string_lossy());
            let want = std::fs::read_to_string(references.join(name).join(&file)).unwrap();
            let got = std::fs::read_to_string(ours.join(&file)).unwrap();
            assert_eq!(got, want, "{name} {file}");
        }
    }
}
