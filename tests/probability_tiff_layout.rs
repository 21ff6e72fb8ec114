//! Probability TIFFs as tifffile sees them must have the layout of ilastik's export (vigra's
//! TIFF writer, see tests/scripts/tiff_layout.py): uint16, (y, x, class), one page, classes as
//! interleaved samples, RGB photometric for 3 classes, LZW.

use std::path::Path;
use std::process::Command;

use ndarray::Array3;
use pixelforest::io::{write_probabilities, ProbabilityFormat, SampleType};

fn tifffile_layout(path: &Path) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/tiff_layout.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn three_class_map_has_ilastiks_tiff_layout() {
    if !pixelforest_testdata::python_ready("tifffile") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a_Probabilities.tiff");
    let (h, w) = (37, 53);
    let probs = Array3::from_shape_fn((3, h, w), |(c, y, x)| {
        let v = [(y * w + x) as f32 / (h * w) as f32, 0.25, 0.0][c];
        if c == 2 {
            1.0 - 0.25 - (y * w + x) as f32 / (h * w) as f32
        } else {
            v
        }
    });
    write_probabilities(&path, &probs, SampleType::U16, ProbabilityFormat::Tiff).unwrap();
    let layout = tifffile_layout(&path);
    assert_eq!(
        layout,
        serde_json::json!({
            "pages": 1,
            "shape": [h, w, 3],
            "axes": "YXS",
            "dtype": "uint16",
            "samples_per_pixel": 3,
            "planar_config": 1,   // contiguous: samples interleaved
            "compression": 5,     // LZW
            "photometric": 2,     // RGB
            "sample_format": 1,   // unsigned integer
            "bits_per_sample": 16,
            "extra_samples": [],
        })
    );
    // And the values read back are ilastik's truncated uint16 arithmetic.
    let back = pixelforest::io::read_probabilities(&path).unwrap();
    assert_eq!(back.dim(), (3, h, w));
    for ((c, y, x), &p) in probs.indexed_iter() {
        let want = f32::from(pixelforest::io::renormalize_u16(p)) / 65535.0;
        assert_eq!(back[[c, y, x]], want, "({c}, {y}, {x})");
    }
}

#[test]
fn four_and_five_class_maps_have_one_sample_per_class() {
    if !pixelforest_testdata::python_ready("tifffile") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // 4 classes: RGB plus one unassociated alpha sample, as vigra writes 4 bands.
    let path = dir.path().join("c_Probabilities.tiff");
    let probs = Array3::from_elem((4, 6, 7), 0.25f32);
    write_probabilities(&path, &probs, SampleType::U16, ProbabilityFormat::Tiff).unwrap();
    let layout = tifffile_layout(&path);
    assert_eq!(layout["shape"], serde_json::json!([6, 7, 4]));
    assert_eq!(layout["photometric"], 2);
    assert_eq!(layout["extra_samples"], serde_json::json!([2]));
    // 5 classes: MinIsBlack plus four extra samples (see io's interleaved.rs for why).
    let path = dir.path().join("d_Probabilities.tiff");
    let probs = Array3::from_elem((5, 6, 7), 0.2f32);
    write_probabilities(&path, &probs, SampleType::U16, ProbabilityFormat::Tiff).unwrap();
    let layout = tifffile_layout(&path);
    assert_eq!(layout["shape"], serde_json::json!([6, 7, 5]));
    assert_eq!(layout["photometric"], 1);
    assert_eq!(layout["extra_samples"], serde_json::json!([2, 2, 2, 2]));
}

#[test]
fn two_class_map_is_grey_with_an_extra_sample() {
    if !pixelforest_testdata::python_ready("tifffile") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b_Probabilities.tiff");
    let probs = Array3::from_shape_fn((2, 10, 12), |(c, _, x)| {
        if c == 0 {
            x as f32 / 12.0
        } else {
            1.0 - x as f32 / 12.0
        }
    });
    write_probabilities(&path, &probs, SampleType::U16, ProbabilityFormat::Tiff).unwrap();
    let layout = tifffile_layout(&path);
    assert_eq!(layout["shape"], serde_json::json!([10, 12, 2]));
    assert_eq!(layout["photometric"], 1); // MinIsBlack
    assert_eq!(layout["compression"], 5);
    assert_eq!(layout["planar_config"], 1);
    // vigra marks samples beyond the first as unassociated alpha (EXTRASAMPLE_UNASSALPHA).
    assert_eq!(layout["extra_samples"], serde_json::json!([2]));
}
