//! Regression tests for hostile or unlucky files (issue #13): declared sizes are checked before
//! allocating, empty axes are errors, temporary files are exclusive and cleaned up.
//! Fixtures: tests/fixtures/hostile/make_hostile.py.

use std::path::{Path, PathBuf};

use ndarray::Array3;
use pixelforest_io::{
    atomic_write, read_image, read_label_image, remove_stale_temp_files, write_tiff_stack, Image,
    IoError, SampleType,
};

fn hostile(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name)
}

fn message(path: &Path) -> String {
    read_image(path).unwrap_err().to_string()
}

#[test]
fn tiff_declaring_100000_squared_pixels_is_refused_before_allocating() {
    // 186 bytes declaring 100000 x 100000 uint16: the old reader asked for 20 GB and aborted.
    let msg = message(&hostile("huge_declared.tiff"));
    assert!(
        msg.contains("huge_declared.tiff")
            && msg.contains("100000x100000")
            && msg.contains("only 186 bytes"),
        "{msg}"
    );
    let labels = read_label_image(&hostile("huge_declared.tiff")).unwrap_err();
    assert!(labels.to_string().contains("only 186 bytes"), "{labels}");
}

#[test]
fn compressed_tiff_beyond_the_memory_budget_is_refused() {
    // LZW can expand without bound, so only the budget (8 GiB of f32) stops this one: 40 GB.
    let msg = message(&hostile("huge_lzw.tiff"));
    assert!(
        msg.contains("huge_lzw.tiff")
            && msg.contains("40000000000 bytes")
            && msg.contains("memory budget"),
        "{msg}"
    );
}

#[test]
fn h5_with_an_empty_y_or_x_axis_is_a_clear_error() {
    let y = message(&hostile("zero_y.h5"));
    assert!(
        y.contains("zero_y.h5") && y.contains("[1, 0, 5, 3]") && y.contains("axis 1 is empty"),
        "{y}"
    );
    let x = message(&hostile("zero_x.h5"));
    assert!(x.contains("axis 2 is empty"), "{x}");
}

#[cfg(unix)]
#[test]
fn symlink_planted_at_the_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, b"precious").unwrap();
    let out = dir.path().join("out.tiff");
    // The name the old writer used, predictable from the process id.
    let planted = dir
        .path()
        .join(format!(".out.tiff.tmp-{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    let img = Image::unnamed(Array3::from_elem((1, 2, 3), 7.0));
    write_tiff_stack(&out, &img, SampleType::U16).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(std::fs::symlink_metadata(&out).unwrap().is_file());
    assert_eq!(read_image(&out).unwrap().data(), img.data());
}

#[test]
fn temporary_files_of_killed_runs_are_removed_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let host: String = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .collect();
    // Process ids far above Linux's pid_max: these writers of this host are gone.
    let stale = [
        format!(".a.tiff.pf4000000001@{host}-Q8x2Lm.tmp"),
        ".b_s2.h5.tmp-4000000002".to_string(),
    ];
    for name in &stale {
        std::fs::write(dir.path().join(name), vec![0u8; 100]).unwrap();
    }
    let own = format!(".c.tiff.pf{}@{host}-abcdef.tmp", std::process::id());
    // A job on another host sharing the folder may still be writing this one.
    let other_host = ".d.tiff.pf4000000003@elsewhere-abcdef.tmp".to_string();
    let mut kept = vec![own, other_host, ".hidden_notes.tmp".into(), "a.tiff".into()];
    for keep in &kept {
        std::fs::write(dir.path().join(keep), b"x").unwrap();
    }
    let removed = remove_stale_temp_files(dir.path());
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    kept.sort();
    assert_eq!((removed, left), (2, kept));
}

#[test]
fn write_errors_name_the_output_not_the_hidden_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("result.tiff");
    let err = atomic_write(&out, |tmp| {
        Err(IoError::Format {
            path: tmp.to_path_buf(),
            message: "disk on fire".into(),
        })
    })
    .unwrap_err();
    assert_eq!(err.to_string(), format!("{}: disk on fire", out.display()));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn h5_declaring_data_it_does_not_hold_is_refused_before_allocating() {
    // 6 KB declaring 20000 x 20000 uint16, never written: it was read as 800 MB of zeros.
    let msg = message(&hostile("unwritten.h5"));
    assert!(
        msg.contains("unwritten.h5")
            && msg.contains("800000000 bytes")
            && msg.contains("only 6144 bytes"),
        "{msg}"
    );
}
