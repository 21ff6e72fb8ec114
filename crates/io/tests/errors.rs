//! Bad input gives a clear error naming the file; failed writes leave nothing behind.

use std::path::{Path, PathBuf};

use ndarray::Array3;
use pixelforest_io::{atomic_write, read_image, write_tiff_stack, Image, IoError, SampleType};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The error of reading `path`, which must fail.
fn read_err(path: &Path) -> IoError {
    match read_image(path) {
        Ok(_) => panic!("{} was read", path.display()),
        Err(e) => e,
    }
}

/// Asserts `err` is a format error about the file `path` whose message contains every one of `parts`.
fn assert_format(err: IoError, path: &Path, parts: &[&str]) {
    match err {
        IoError::Format {
            path: named,
            message,
        } => {
            assert_eq!(named, path);
            for part in parts {
                assert!(message.contains(part), "{part:?} missing from {message:?}");
            }
        }
        other => panic!(
            "expected a format error about {}, got {other:?}",
            path.display()
        ),
    }
}

#[test]
fn truncated_tiff_names_file() {
    let path = fixture("truncated.tiff");
    assert_format(read_err(&path), &path, &["truncated TIFF"]);
}

#[test]
fn text_file_named_tiff_is_not_a_tiff() {
    let path = fixture("text.tiff");
    assert_format(read_err(&path), &path, &["not a TIFF"]);
}

#[test]
fn csv_count_mismatch_names_csv_and_counts() {
    // The error is about the channel list, and names the image it disagrees with.
    let err = read_err(&fixture("bad_count.tiff"));
    assert_format(
        err,
        &fixture("bad_count.csv"),
        &["lists 2 channels", "bad_count.tiff has 3"],
    );
}

#[test]
fn missing_file_names_file() {
    for name in ["nope.tiff", "nope.h5"] {
        let path = fixture(name);
        match read_err(&path) {
            IoError::Io {
                path: named,
                source,
            } => {
                assert_eq!(named, path);
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound, "{name}");
            }
            other => panic!("{name}: expected a not-found error, got {other:?}"),
        }
    }
}

#[test]
fn unknown_extension_is_refused() {
    assert!(matches!(
        read_image(Path::new("x.jpg")),
        Err(IoError::UnsupportedExtension { path }) if path == Path::new("x.jpg")
    ));
}

#[test]
fn h5_that_is_not_hdf5_is_a_format_error() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.h5");
    std::fs::write(&fake, b"hello").unwrap();
    assert_format(read_err(&fake), &fake, &["not a readable HDF5 file"]);
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
    // Into a folder that does not exist: a not-found error about a file in that folder.
    let bad = dir.path().join("missing_dir/out.tiff");
    match write_tiff_stack(&bad, &img, SampleType::U16).unwrap_err() {
        IoError::Io { path, source } => {
            assert_eq!(path.parent(), bad.parent(), "{}", path.display());
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected a not-found error, got {other:?}"),
    }
}

#[test]
fn h5_missing_dataset_lists_what_is_there() {
    let path = fixture("two_datasets.h5");
    assert_format(
        read_err(&path),
        &path,
        &["missing dataset", "several (a, b)"],
    );
}

#[test]
fn h5_with_a_thick_z_axis_is_wrong_dims() {
    let path = fixture("thick_z.h5");
    assert_format(
        read_err(&path),
        &path,
        &["wrong dims", "axis 0 (`z`) has length 2"],
    );
}
