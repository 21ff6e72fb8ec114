//! Reading a real ilastik project (ilastik's own test data, see fixtures/README.md) and writing
//! projects: values equal what h5py reads; export -> import keeps every label pixel; bad input
//! gives clear errors naming the file.

use std::path::{Path, PathBuf};

use ndarray::Array2;
use pixelforest_ilastik::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap()
}

#[test]
fn real_project_reads_as_h5py_reads_it() {
    let p = IlpProject::open(&fixture("mitocheckPixelClassification.ilp")).unwrap();
    let e = expected();
    assert_eq!(p.workflow, e["workflow"]);
    assert_eq!(p.ilastik_version, "1.2.0rc10");
    assert_eq!(p.label_names, ["Label 1", "Label 2"]);
    let colors: Vec<[u8; 3]> = serde_json::from_value(e["label_colors"].clone()).unwrap();
    assert_eq!(p.label_colors, colors);

    let f = p.features.as_ref().unwrap();
    let scales: Vec<f64> = serde_json::from_value(e["scales"].clone()).unwrap();
    assert_eq!(f.scales, scales);
    let ids: Vec<String> = serde_json::from_value(e["feature_ids"].clone()).unwrap();
    let matrix: Vec<Vec<bool>> = serde_json::from_value(e["matrix"].clone()).unwrap();
    for (row, id) in ids.iter().enumerate() {
        let family = FEATURE_IDS.iter().position(|f| f == id).unwrap();
        assert_eq!(f.matrix[family], matrix[row], "{id}");
    }

    assert_eq!(p.lanes.len(), 1);
    let lane = &p.lanes[0];
    assert_eq!(lane.file_path, e["file_path"]);
    assert_eq!(lane.nickname, e["nickname"]);
    assert_eq!(lane.axes, e["axes"]);
    assert_eq!(
        lane.split_file_path(),
        (
            "mitocheck_2d+t/mitocheck_small_2D+t.h5".to_string(),
            Some("exported_data".to_string())
        )
    );
    // Every labelled pixel of every plane, as h5py assembles it.
    let pixels = e["pixels"].as_object().unwrap();
    assert_eq!(lane.labels.len(), pixels.len());
    for plane in &lane.labels {
        let key: Vec<String> = plane
            .plane
            .iter()
            .map(|(a, i)| format!("{a}={i}"))
            .collect();
        let want: Vec<[usize; 3]> = serde_json::from_value(pixels[&key.join(",")].clone()).unwrap();
        let mut got: Vec<[usize; 3]> = plane
            .labels
            .indexed_iter()
            .filter(|(_, &v)| v != 0)
            .map(|((y, x), &v)| [y, x, usize::from(v)])
            .collect();
        got.sort_unstable();
        assert_eq!(got, want, "{key:?}");
    }
}

#[test]
fn export_then_import_keeps_every_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exported.ilp");
    let mut a = Array2::<u8>::zeros((40, 50));
    a[[3, 4]] = 1;
    a[[30, 45]] = 3;
    a[[10, 10]] = 2;
    let mut b = Array2::<u8>::zeros((20, 25));
    b[[19, 24]] = 2;
    let features = IlpFeatures {
        scales: vec![0.3, 1.0, 3.5],
        matrix: (0..6).map(|f| vec![f == 0, true, f != 3]).collect(),
    };
    let project = ExportProject {
        label_names: vec![
            "Nuclei".into(),
            "Cytoplasm/membrane".into(),
            "Background".into(),
        ],
        label_colors: vec![[255, 225, 25], [0, 130, 200], [230, 25, 75]],
        features: features.clone(),
        lanes: vec![
            ExportLane {
                file_path: "images/a_s2.h5/a_s2".into(),
                nickname: "a_s2".into(),
                axes: "zyxc".into(),
                shape: vec![1, 40, 50, 12],
                labels: a.clone(),
            },
            ExportLane {
                file_path: "images/b.tiff".into(),
                nickname: "b".into(),
                axes: "cyx".into(),
                shape: vec![12, 20, 25],
                labels: b.clone(),
            },
        ],
        version: IlastikVersion::V1_4,
    };
    write_project(&path, &project).unwrap();
    let back = IlpProject::open(&path).unwrap();
    assert_eq!(back.label_names, project.label_names);
    assert_eq!(back.label_colors, project.label_colors);
    assert_eq!(back.features.as_ref(), Some(&features));
    assert_eq!(back.lanes.len(), 2);
    assert_eq!(back.lanes[0].axes, "zyxc");
    assert_eq!(back.lanes[0].shape, Some(vec![1, 40, 50, 12]));
    assert_eq!(back.lanes[0].first_plane(), Some(&a));
    // A `cyx` lane's 1.4 block is in ilastik's reordered `yxc` order: read back by that rule.
    assert_eq!(back.lanes[1].first_plane(), Some(&b));
    assert_eq!(back.lanes[1].file_path, "images/b.tiff");
    // The same lanes for 1.3.3post3 (blocks in stored order) read back the same.
    let mut p13 = project.clone();
    p13.version = IlastikVersion::V1_3;
    write_project(&path, &p13).unwrap();
    let back = IlpProject::open(&path).unwrap();
    assert_eq!(back.ilastik_version, "1.3.3post3");
    assert_eq!(back.lanes[0].first_plane(), Some(&a));
    assert_eq!(back.lanes[1].first_plane(), Some(&b));
}

/// A 1.4 project of two classes and one 2-D lane `<name>.h5` of `shape` with `labels`.
fn one_lane_project(name: &str, shape: Vec<usize>, labels: Array2<u8>) -> ExportProject {
    ExportProject {
        label_names: vec!["a".into(), "b".into()],
        label_colors: vec![[1, 2, 3], [4, 5, 6]],
        features: IlpFeatures {
            scales: vec![1.0],
            matrix: vec![vec![true]; 6],
        },
        lanes: vec![ExportLane {
            file_path: format!("{name}.h5"),
            nickname: name.into(),
            axes: "yx".into(),
            shape,
            labels,
        }],
        version: IlastikVersion::V1_4,
    }
}

#[test]
fn bad_projects_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Not HDF5 at all.
    let junk = dir.path().join("junk.ilp");
    std::fs::write(&junk, b"not a project").unwrap();
    let err = IlpProject::open(&junk).unwrap_err().to_string();
    assert!(
        err.contains("junk.ilp") && err.contains("not a readable ilastik project"),
        "{err}"
    );

    // Another workflow: an exported project with its workflow name replaced.
    let other = dir.path().join("object.ilp");
    {
        let f = rust_hdf5::H5File::create(&other).unwrap();
        f.write_vlen_strings("workflowName", &["Object Classification"])
            .unwrap();
        f.close().unwrap();
    }
    let err = IlpProject::open(&other).unwrap_err().to_string();
    assert!(
        err.contains("object.ilp") && err.contains("Object Classification"),
        "{err}"
    );

    // A label block outside the lane's recorded shape.
    let outside = dir.path().join("outside.ilp");
    let mut labels = Array2::<u8>::zeros((30, 30));
    labels[[25, 25]] = 1;
    let project = one_lane_project("missing", vec![20, 20], labels);
    // The writer refuses labels larger than the lane...
    let err = write_project(&outside, &project).unwrap_err().to_string();
    assert!(
        err.contains("outside.ilp") && err.contains("labels are"),
        "{err}"
    );
    // ...and the reader refuses a block beyond the recorded shape: write 30x30, record 20x20.
    let mut fitting = project.clone();
    fitting.lanes[0].shape = vec![30, 30];
    write_project(&outside, &fitting).unwrap();
    {
        let f = rust_hdf5::H5File::open_rw(&outside).unwrap();
        f.delete_dataset("Input Data/infos/lane0000/Raw Data/shape")
            .unwrap();
        f.root_group()
            .group("Input Data/infos/lane0000/Raw Data")
            .unwrap()
            .new_dataset::<i64>()
            .shape([2])
            .create("shape")
            .unwrap()
            .write_raw(&[20i64, 20])
            .unwrap();
        f.close().unwrap();
    }
    let err = IlpProject::open(&outside).unwrap_err().to_string();
    assert!(
        err.contains("outside.ilp")
            && err.contains("lane 0")
            && err.contains("outside the lane's image"),
        "{err}"
    );

    // A missing raw file.
    let ok = dir.path().join("ok.ilp");
    write_project(&ok, &fitting).unwrap();
    let p = IlpProject::open(&ok).unwrap();
    let err = p
        .resolve_raw_path(&p.lanes[0], Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("ok.ilp") && err.contains("missing.h5") && err.contains("not found"),
        "{err}"
    );
    // Found by name under the data folder.
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("missing.h5"), b"x").unwrap();
    assert_eq!(
        p.resolve_raw_path(&p.lanes[0], Some(&data)).unwrap(),
        data.join("missing.h5")
    );
}

/// ilastik 1.3.3post3 runs on h5py 2.10, which reads variable-length UTF-8 strings as `str`, on
/// which ilastik's `.decode("utf-8")` fails (the old exporter's `LabelNames`, `FeatureIds`,
/// `Role Names`, `blockSlice`): every string must be fixed-length.
#[test]
fn regression_strings_are_fixed_length_for_h5py_2_10() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixed.ilp");
    let mut labels = Array2::<u8>::zeros((10, 12));
    labels[[4, 5]] = 2;
    let project = ExportProject {
        label_names: vec!["Nuclei".into(), "Background".into()],
        label_colors: vec![[1, 2, 3], [4, 5, 6]],
        features: IlpFeatures {
            scales: vec![1.0],
            matrix: vec![vec![true]; 6],
        },
        lanes: vec![ExportLane {
            file_path: "a.tiff".into(),
            nickname: "a".into(),
            axes: "cyx".into(),
            shape: vec![3, 10, 12],
            labels,
        }],
        version: IlastikVersion::V1_3,
    };
    write_project(&path, &project).unwrap();
    let f = rust_hdf5::H5File::open(&path).unwrap();
    let fixed = |dt: rust_hdf5::DatatypeMessage| {
        matches!(dt, rust_hdf5::DatatypeMessage::FixedString { .. })
    };
    for name in [
        "ilastikVersion",
        "workflowName",
        "Input Data/Role Names",
        "Input Data/StorageVersion",
        "Input Data/infos/lane0000/Raw Data/axistags",
        "Input Data/infos/lane0000/Raw Data/filePath",
        "FeatureSelections/FeatureIds",
        "PixelClassification/LabelNames",
    ] {
        let dt = f.dataset(name).unwrap().datatype().unwrap();
        assert!(fixed(dt.clone()), "{name}: {dt:?}");
    }
    let block = f
        .dataset("PixelClassification/LabelSets/labels000/block0000")
        .unwrap();
    // 1.3.3post3 reads blocks in the lane's stored (`cyx`) order.
    assert_eq!(block.shape(), vec![1, 1, 1]);
    let slice = block.attr("blockSlice").unwrap();
    assert!(fixed(slice.datatype().unwrap()), "blockSlice");
    assert_eq!(slice.read_string().unwrap(), "[0:1,4:5,5:6]");
    assert_eq!(
        f.dataset("ilastikVersion").unwrap().read_strings().unwrap(),
        ["1.3.3post3"]
    );
}

/// `IlpError::Format` carries a kind callers can match: a label set of a lane the project does
/// not have names the set, its lane and the lanes there are.
#[test]
fn format_errors_are_matchable_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orphan.ilp");
    let mut labels = Array2::<u8>::zeros((4, 4));
    labels[[1, 1]] = 1;
    let project = one_lane_project("a", vec![4, 4], labels);
    write_project(&path, &project).unwrap();
    {
        let f = rust_hdf5::H5File::open_rw(&path).unwrap();
        f.root_group()
            .group("PixelClassification/LabelSets")
            .unwrap()
            .create_group("labels005")
            .unwrap()
            .new_dataset::<u8>()
            .shape([1, 1])
            .create("block0000")
            .unwrap()
            .write_raw(&[1u8])
            .unwrap();
        f.close().unwrap();
    }
    let err = IlpProject::open(&path).unwrap_err();
    match &err {
        IlpError::Format {
            path: p,
            kind: FormatKind::LabelSetWithoutLane { set, lane, lanes },
        } => {
            assert_eq!(p, &path);
            assert_eq!(
                (set.as_str(), *lane, lanes.as_slice()),
                ("labels005", 5, &[0][..])
            );
        }
        other => panic!("expected a label set without lane, got {other:?}"),
    }
    // The message keeps naming the file, the set and the lanes.
    let text = err.to_string();
    assert!(
        text.contains("orphan.ilp") && text.contains("labels005") && text.contains("[0]"),
        "{text}"
    );
}
