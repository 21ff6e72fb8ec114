//! `pixelforest measure` against outside implementations on a fixed synthetic mask (seeded
//! ellipses, touching and overlapping, split objects, a one-pixel cell, a one-pixel-wide line,
//! labels with gaps up to 60000) and image: numpy's means and steinbock's intensities,
//! scikit-image's `regionprops_table`, steinbock's three neighbour types, and pyarrow reading
//! the Parquet table. The references come from tests/scripts/measure_reference.py.

use std::path::{Path, PathBuf};
use std::process::Command;

use ndarray::{Array2, Array3};
use pixelforest::io::{read_table_csv, ColumnData, Table};

/// A small deterministic generator (no dependency needed for fixed test data).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

const H: usize = 120;
const W: usize = 170;

fn synthetic_mask() -> Array2<u16> {
    let mut rng = Lcg(14);
    let mut mask = Array2::<u16>::zeros((H, W));
    for i in 0..90u16 {
        let (cy, cx) = (rng.next() * H as f64, rng.next() * W as f64);
        let (a, b) = (1.5 + rng.next() * 8.0, 1.0 + rng.next() * 5.0);
        let t = rng.next() * std::f64::consts::PI;
        let label = if i == 89 { 60_000 } else { 3 * i + 2 };
        for ((y, x), v) in mask.indexed_iter_mut() {
            let (dy, dx) = (y as f64 - cy, x as f64 - cx);
            let (u, w) = (dx * t.cos() + dy * t.sin(), -dx * t.sin() + dy * t.cos());
            if (u / a).powi(2) + (w / b).powi(2) <= 1.0 {
                *v = label;
            }
        }
    }
    mask[[0, 0]] = 7_000; // one pixel, on the border
    for x in 40..60 {
        mask[[H - 1, x]] = 7_001; // a one-pixel-wide line
    }
    mask
}

fn synthetic_image() -> Array3<f32> {
    let mut rng = Lcg(41);
    Array3::from_shape_fn((4, H, W), |(c, _, _)| {
        let v = rng.next() as f32;
        [v, v * 1000.0, v * v * 40_000.0, (v * 7.0).floor()][c]
    })
}

fn write_mask(path: &Path, mask: &Array2<u16>) {
    let file = std::fs::File::create(path).unwrap();
    let mut enc = tiff::encoder::TiffEncoder::new(file).unwrap();
    let data: Vec<u16> = mask.iter().copied().collect();
    enc.write_image::<tiff::encoder::colortype::Gray16>(W as u32, H as u32, &data)
        .unwrap();
}

/// A steinbock-like project: img/cells.tiff, masks/cells.tiff, panel.csv.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::create_dir_all(root.join("img")).unwrap();
    std::fs::create_dir_all(root.join("masks")).unwrap();
    let names: Vec<String> = ["c0", "c1", "c2", "c3"].map(String::from).to_vec();
    let image = pixelforest::core::Image::new(synthetic_image(), names).unwrap();
    pixelforest::io::write_tiff_stack(
        &root.join("img/cells.tiff"),
        &image,
        pixelforest::io::SampleType::F32,
    )
    .unwrap();
    write_mask(&root.join("masks/cells.tiff"), &synthetic_mask());
    std::fs::write(
        root.join("panel.csv"),
        "channel,name,keep\nX1,c0,1\nX2,c1,1\nX9,dropped,0\nX3,c2,1\nX4,c3,1\n",
    )
    .unwrap();
    (dir, root)
}

fn measure(root: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pixelforest"))
        .arg("measure")
        .arg("--images")
        .arg(root.join("img"))
        .arg("--masks")
        .arg(root.join("masks"))
        .arg("--panel")
        .arg(root.join("panel.csv"))
        .arg("--out")
        .arg(root.join(out))
        .arg("-q")
        .args(extra)
        .output()
        .unwrap()
}

fn reference(root: &Path) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/measure_reference.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(root.join("img/cells.tiff"))
        .arg(root.join("masks/cells.tiff"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn floats(table: &Table, name: &str) -> Vec<f64> {
    let column = table.columns.iter().find(|c| c.name == name).unwrap();
    match &column.data {
        ColumnData::Float64(v) => v.clone(),
        ColumnData::UInt(v) => v.iter().map(|&x| x as f64).collect(),
        other => panic!("{name}: {other:?}"),
    }
}

/// The script writes floats as `repr` strings: serde_json's own float parsing is not correctly
/// rounded, and these comparisons are bit for bit.
fn json_float(x: &serde_json::Value) -> f64 {
    match x {
        serde_json::Value::String(s) => s.parse().unwrap(),
        serde_json::Value::Null => f64::NAN,
        other => other.as_f64().unwrap(),
    }
}

fn json_floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(json_float).collect()
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: row count");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what} row {i}: {g} vs {w}"
        );
    }
}

#[test]
fn measure_equals_numpy_means_and_scikit_image_regionprops() {
    if !pixelforest_testdata::python_ready("tifffile, skimage") {
        return;
    }
    let (_dir, root) = project();
    let out = measure(&root, "cells", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference = reference(&root);
    let intensities = read_table_csv(&root.join("cells/intensities/cells.csv")).unwrap();
    assert_eq!(intensities.names(), vec!["Object", "c0", "c1", "c2", "c3"]);
    let objects = json_floats(&reference["objects"]);
    assert!(objects.len() > 60, "{} objects", objects.len());
    assert_close(&floats(&intensities, "Object"), &objects, 0.0, "objects");
    let means = reference["means"].as_array().unwrap();
    for c in 0..4 {
        let want: Vec<f64> = means.iter().map(|row| json_float(&row[c])).collect();
        assert_close(&floats(&intensities, &format!("c{c}")), &want, 0.0, "mean");
    }
    let props = read_table_csv(&root.join("cells/regionprops/cells.csv")).unwrap();
    let skimage = &reference["regionprops"];
    for (ours, theirs) in [
        ("Object", "label"),
        ("area", "area"),
        ("centroid-0", "centroid-0"),
        ("centroid-1", "centroid-1"),
        ("axis_major_length", "axis_major_length"),
        ("axis_minor_length", "axis_minor_length"),
        ("eccentricity", "eccentricity"),
    ] {
        assert_close(
            &floats(&props, ours),
            &json_floats(&skimage[theirs]),
            1e-9,
            ours,
        );
    }
}

/// Our edge list for a neighbour type, as `[object, neighbor, distance or NaN]` rows.
fn edges(root: &Path, kind: &str, dmax: &str) -> Vec<(u64, u64, f64)> {
    let out_dir = format!("n_{kind}");
    let out = measure(root, &out_dir, &["--neighbors", kind, "--dmax", dmax]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = read_table_csv(&root.join(out_dir).join("neighbors/cells.csv")).unwrap();
    let o = floats(&t, "Object");
    let n = floats(&t, "Neighbor");
    let d = floats(&t, "Distance");
    (0..t.rows())
        .map(|i| (o[i] as u64, n[i] as u64, d[i]))
        .collect()
}

#[test]
fn intensities_and_neighbours_equal_steinbocks_own_functions() {
    if !pixelforest_testdata::python_ready("tifffile, skimage, steinbock.measurement.neighbors") {
        return;
    }
    let (_dir, root) = project();
    let reference = reference(&root);
    let steinbock = &reference["steinbock"];
    // Intensities: steinbock's scipy.ndimage.mean, bit for bit.
    let out = measure(&root, "cells", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let intensities = read_table_csv(&root.join("cells/intensities/cells.csv")).unwrap();
    let rows = steinbock["means"].as_array().unwrap();
    for c in 0..4 {
        let want: Vec<f64> = rows.iter().map(|row| json_float(&row[c])).collect();
        assert_eq!(floats(&intensities, &format!("c{c}")), want, "channel {c}");
    }
    for (kind, dmax) in [("centroids", "15"), ("borders", "4"), ("expansion", "4")] {
        let ours = edges(&root, kind, dmax);
        let theirs: Vec<(u64, u64, f64)> = steinbock["neighbors"][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let d = json_float(&e[2]);
                (e[0].as_u64().unwrap(), e[1].as_u64().unwrap(), d)
            })
            .collect();
        assert!(theirs.len() > 50, "{kind}: only {} edges", theirs.len());
        assert_eq!(ours.len(), theirs.len(), "{kind}: edge count");
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!((a.0, a.1), (b.0, b.1), "{kind} edge {i}");
            let same = (a.2.is_nan() && b.2.is_nan()) || (a.2 - b.2).abs() <= 1e-6 * b.2.max(1.0);
            assert!(same, "{kind} edge {i}: distance {} vs {}", a.2, b.2);
        }
    }
}

#[test]
fn parquet_table_reads_back_in_pyarrow_as_the_csv_table() {
    if !pixelforest_testdata::python_ready("pyarrow") {
        return;
    }
    let (_dir, root) = project();
    for (out_dir, format) in [("csv", "csv"), ("pq", "parquet")] {
        let out = measure(&root, out_dir, &["--format", format]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let script = "import sys, json, pyarrow.parquet as pq\n\
                  t = pq.read_table(sys.argv[1])\n\
                  print(json.dumps({'names': t.column_names, 'types': [str(f.type) for f in t.schema],\n\
                  'columns': {n: [repr(v) if isinstance(v, float) else v\n\
                  for v in t.column(n).to_pylist()] for n in t.column_names}}))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(root.join("pq/cells.parquet"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let csv = read_table_csv(&root.join("csv/cells.csv")).unwrap();
    let names: Vec<&str> = got["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names, csv.names());
    assert_eq!(got["types"][0], "string");
    assert_eq!(got["types"][1], "int64");
    let images = got["columns"]["Image"].as_array().unwrap();
    assert_eq!(images.len(), csv.rows());
    assert!(images.iter().all(|v| v == "cells.tiff"));
    for name in &names[1..] {
        let want = floats(&csv, name);
        assert_close(&json_floats(&got["columns"][*name]), &want, 0.0, name);
    }
}

#[test]
fn a_missing_mask_fails_that_image_naming_the_mask_and_the_others_are_measured() {
    let (_dir, root) = project();
    std::fs::copy(root.join("img/cells.tiff"), root.join("img/other.tiff")).unwrap();
    std::fs::copy(root.join("masks/cells.tiff"), root.join("masks/other.tiff")).unwrap();
    assert!(measure(&root, "cells", &[]).status.success());
    // Its mask gone, `other` fails; its tables of the first run must not reach cells.csv.
    let missing = root.join("masks/other.tiff");
    std::fs::remove_file(&missing).unwrap();
    let out = measure(&root, "cells", &["--overwrite"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: mask not found", missing.display())),
        "{stderr}"
    );
    let table = read_table_csv(&root.join("cells/cells.csv")).unwrap();
    assert!(table.rows() > 60);
    let Some(ColumnData::Text(images)) = table.columns.first().map(|c| &c.data) else {
        panic!("no Image column");
    };
    assert!(images.iter().all(|name| name == "cells.tiff"));
}
