//! Our writers read back exactly through our readers.

use ndarray::{Array2, Array3};
use pixelforest_io::{
    read_image, read_label_image, read_probabilities, write_h5_image, write_label_image,
    write_probabilities, write_tiff_stack, H5Layout, Image, ProbabilityFormat, SampleType,
};

fn sample(c: usize, h: usize, w: usize) -> Array3<f32> {
    Array3::from_shape_fn((c, h, w), |(c, y, x)| (c * 1000 + y * 37 + x) as f32)
}

#[test]
fn tiff_u16_and_f32() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(4, 9, 13);
    let img = Image::unnamed(data.clone());
    for (name, s) in [("a.tiff", SampleType::U16), ("b.tiff", SampleType::F32)] {
        let p = dir.path().join(name);
        write_tiff_stack(&p, &img, s).unwrap();
        assert_eq!(read_image(&p).unwrap().data(), &data);
    }
    let frac = Image::unnamed(data.mapv(|v| v / 7.0 - 3.0));
    let p = dir.path().join("f.tiff");
    write_tiff_stack(&p, &frac, SampleType::F32).unwrap();
    assert_eq!(read_image(&p).unwrap().data(), frac.data());
    // U16 rounds and clamps
    write_tiff_stack(&p, &frac, SampleType::U16).unwrap();
    let back = read_image(&p).unwrap();
    let expected = frac.data().mapv(|v| v.round().clamp(0.0, 65535.0));
    assert_eq!(back.data(), &expected);
}

#[test]
fn h5_both_layouts() {
    let dir = tempfile::tempdir().unwrap();
    let data = sample(3, 300, 20);
    let img = Image::unnamed(data.clone());
    let p = dir.path().join("x_s2.h5");
    write_h5_image(&p, &img, &H5Layout::Ilastik).unwrap();
    let f = rust_hdf5::H5File::open(&p).unwrap();
    let ds = f.dataset("x_s2").unwrap();
    assert_eq!(ds.shape(), vec![1, 300, 20, 3]);
    assert!(ds
        .attr("axistags")
        .unwrap()
        .read_string()
        .unwrap()
        .contains("\"z\""));
    drop(f);
    assert_eq!(read_image(&p).unwrap().data(), &data);
    let p = dir.path().join("crop.h5");
    let frac = Image::unnamed(data.mapv(|v| v * 0.1));
    write_h5_image(
        &p,
        &frac,
        &H5Layout::Steinbock {
            name: "crop".into(),
        },
    )
    .unwrap();
    assert_eq!(read_image(&p).unwrap().data(), frac.data());
}

#[test]
fn probabilities_all_formats() {
    let dir = tempfile::tempdir().unwrap();
    let probs = Array3::from_shape_fn((3, 6, 5), |(c, y, x)| ((c + y * 5 + x) % 11) as f32 / 10.0);
    for fmt in [ProbabilityFormat::Tiff, ProbabilityFormat::H5] {
        let ext = if fmt == ProbabilityFormat::Tiff {
            "tiff"
        } else {
            "h5"
        };
        let p = dir.path().join(format!("p.{ext}"));
        write_probabilities(&p, &probs, SampleType::F32, fmt).unwrap();
        assert_eq!(read_probabilities(&p).unwrap(), probs);
        write_probabilities(&p, &probs, SampleType::U16, fmt).unwrap();
        let back = read_probabilities(&p).unwrap();
        let expected = probs.mapv(|v| f32::from((v * 65535.0f32) as u16) / 65535.0);
        assert_eq!(back, expected, "{ext}");
    }
}

#[test]
fn probability_tiffs_of_any_class_count() {
    let dir = tempfile::tempdir().unwrap();
    for c in [1, 2, 3, 5, 8, 9] {
        let probs = Array3::from_shape_fn((c, 4, 3), |(k, y, x)| {
            ((k * 7 + y * 3 + x) % 10) as f32 / 9.0
        });
        let p = dir.path().join(format!("p{c}.tiff"));
        write_probabilities(&p, &probs, SampleType::U16, ProbabilityFormat::Tiff).unwrap();
        let expected = probs.mapv(|v| f32::from((v * 65535.0f32) as u16) / 65535.0);
        assert_eq!(read_probabilities(&p).unwrap(), expected, "{c} classes");
        write_probabilities(&p, &probs, SampleType::F32, ProbabilityFormat::Tiff).unwrap();
        assert_eq!(read_probabilities(&p).unwrap(), probs, "{c} classes f32");
    }
}

#[test]
fn labels_tiff_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let labels = Array2::from_shape_fn((7, 11), |(y, x)| ((y * 3 + x) % 4) as u8);
    for name in ["l.tiff", "l.png"] {
        let p = dir.path().join(name);
        write_label_image(&p, &labels).unwrap();
        assert_eq!(read_label_image(&p).unwrap(), labels, "{name}");
    }
    assert!(write_label_image(&dir.path().join("l.jpg"), &labels).is_err());
}
