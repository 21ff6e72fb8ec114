//! Bad input gives a clear error naming the file; failed writes leave nothing behind.

use std::path::{Path, PathBuf};

use ndarray::Array3;
use pixelforest_io::{atomic_write, read_image, write_tiff_stack, Image, IoError, SampleType};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn message(path: &Path) -> String {
    read_image(path).unwrap_err().to_string()
}

#[test]
fn truncated_tiff_names_file() {
    let msg = message(&fixture("truncated.tiff"));
    assert!(msg.contains("truncated.tiff"), "{msg}");
}

#[test]
fn text_file_named_tiff_is_not_a_tiff() {
    let msg = message(&fixture("text.tiff"));
    assert!(
        msg.contains("text.tiff") && msg.contains("not a TIFF"),
        "{msg}"
    );
}

#[test]
fn csv_count_mismatch_names_csv_and_counts() {
    let msg = message(&fixture("bad_count.tiff"));
    assert!(
        msg.contains("bad_count.csv") && msg.contains("lists 2 channels") && msg.contains("has 3"),
        "{msg}"
    );
}

#[test]
fn missing_file_names_file() {
    for name in ["nope.tiff", "nope.h5"] {
        let msg = message(&fixture(name));
        assert!(msg.contains(name), "{msg}");
    }
}

#[test]
fn unknown_extension_is_refused() {
    assert!(matches!(
        read_image(Path::new("x.jpg")),
        Err(IoError::UnsupportedExtension { .. })
    ));
}

#[test]
fn h5_without_the_dataset_or_with_wrong_dims() {
    let dir = tempfile::tempdir().unwrap();
    // Not HDF5 at all.
    let fake = dir.path().join("fake.h5");
    std::fs::write(&fake, b"hello").unwrap();
    assert!(message(&fake).contains("fake.h5"));
}

#[test]
fn failed_atomic_write_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.tiff");
    let err = atomic_write(&out, |tmp| {
        std::fs::write(tmp, b"half").unwrap();
        Err(IoError::Format {
            path: tmp.to_path_buf(),
            message: "boom".into(),
        })
    });
    assert!(err.is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn atomic_write_replaces_existing_file_only_on_success() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.tiff");
    std::fs::write(&out, b"old").unwrap();
    let img = Image::unnamed(Array3::zeros((1, 2, 2)));
    write_tiff_stack(&out, &img, SampleType::U16).unwrap();
    assert_ne!(std::fs::read(&out).unwrap(), b"old");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let bad = dir.path().join("missing_dir/out.tiff");
    assert!(write_tiff_stack(&bad, &img, SampleType::U16)
        .unwrap_err()
        .to_string()
        .contains("missing_dir"));
}

#[test]
fn h5_missing_dataset_lists_what_is_there() {
    let msg = message(&fixture("two_datasets.h5"));
    assert!(
        msg.contains("two_datasets.h5") && msg.contains("missing dataset") && msg.contains("a, b"),
        "{msg}"
    );
}

#[test]
fn h5_with_a_thick_z_axis_is_wrong_dims() {
    let msg = message(&fixture("thick_z.h5"));
    assert!(
        msg.contains("thick_z.h5") && msg.contains("wrong dims") && msg.contains("`z`"),
        "{msg}"
    );
}
