//! `pixelforest measure` on steinbock's own test data (BodenmillerGroup/TestData,
//! `datasets/210308_ImcTestData/steinbock`, written by steinbock 0.16.1; see the fixture's
//! PROVENANCE.md): the same images and masks give steinbock's `intensities/` and `neighbors/`
//! (`--type expansion --dmax 4`) files byte for byte, its `regionprops/` to the last bits of
//! the eigenvalue solver, and its `export csv` table.

use std::path::Path;
use std::process::Command;

use pixelforest::io::{read_table_csv, ColumnData, Table};
use pixelforest_testdata::real_fixture;

const DATA: &str = "steinbock/210308_ImcTestData";

fn measure(data: &Path, masks: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_pixelforest"))
        .arg("measure")
        .arg("--images")
        .arg(data.join("img"))
        .arg("--masks")
        .arg(data.join(masks))
        .arg("--panel")
        .arg(data.join("panel.csv"))
        .arg("--out")
        .arg(out)
        .arg("-q")
        .status()
        .unwrap();
    assert!(status.success());
}

fn csv_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
}

/// Tables equal column by column: names and integer columns exactly, floats to `tol`
/// (relative above 1).
fn assert_tables_close(ours: &Table, theirs: &Table, tol: f64, what: &str) {
    assert_eq!(ours.names(), theirs.names(), "{what}");
    assert_eq!(ours.rows(), theirs.rows(), "{what}");
    for (a, b) in ours.columns.iter().zip(&theirs.columns) {
        match (&a.data, &b.data) {
            (ColumnData::Float64(x), ColumnData::Float64(y)) => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    let ok = (p - q).abs() <= tol * q.abs().max(1.0);
                    assert!(ok, "{what} {} row {i}: {p} vs {q}", a.name);
                }
            }
            (x, y) => assert_eq!(x, y, "{what} {}", a.name),
        }
    }
}

#[test]
fn ilastik_masks_give_steinbocks_tables() {
    let Some(data) = real_fixture(DATA) else {
        return;
    };
    if real_fixture(&format!("{DATA}/masks_ilastik")).is_none() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    measure(&data, "masks_ilastik", out.path());
    for table in ["intensities", "neighbors"] {
        let theirs = csv_files(&data.join(format!("{table}_ilastik")));
        assert_eq!(theirs.len(), 15);
        for file in theirs {
            let ours = out.path().join(table).join(file.file_name().unwrap());
            let (a, b) = (std::fs::read(&ours).unwrap(), std::fs::read(&file).unwrap());
            assert!(a == b, "{} differs from steinbock's", ours.display());
        }
    }
    for file in csv_files(&data.join("regionprops_ilastik")) {
        let ours = out
            .path()
            .join("regionprops")
            .join(file.file_name().unwrap());
        let (a, b) = (
            read_table_csv(&ours).unwrap(),
            read_table_csv(&file).unwrap(),
        );
        // Measured: at most 1.3e-14 apart (LAPACK's eigvalsh vs the closed form).
        assert_tables_close(&a, &b, 1e-12, &ours.display().to_string());
    }
}

#[test]
fn deepcell_masks_give_steinbocks_exported_cell_table() {
    let Some(data) = real_fixture(DATA) else {
        return;
    };
    if real_fixture(&format!("{DATA}/masks_deepcell")).is_none() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    measure(&data, "masks_deepcell", out.path());
    let ours = read_table_csv(&out.path().join("cells.csv")).unwrap();
    let theirs = read_table_csv(&data.join("cells.csv")).unwrap();
    assert_eq!(ours.rows(), 404);
    // steinbock's export re-reads its CSVs with pandas' default (not round-trip) float parser:
    // measured at most 2.8e-14 apart.
    assert_tables_close(&ours, &theirs, 1e-12, "cells.csv");
}
