//! `ilp export` checked by replaying ilastik's own loading code on the exported project
//! (`crates/ilastik/tests/replay/replay_ilastik_load.py`, h5py + tifffile): ImcSegmentationPipeline
//! h5 (`zyxc`), steinbock h5 (`cyx`), multi-page TIFF (`cyx`) and single-page TIFF (`yx`) lanes,
//! inside and outside the project's folder, for ilastik 1.4.0 and 1.3.3post3; every label must
//! come back where it was. Needs python3 with h5py, numpy, tifffile, packaging, imageio (CI
//! installs them); without them the test prints `skipped:`. With `PIXELFOREST_H5PY2_PYTHON`
//! naming a python whose h5py is 2.10, the 1.3.3post3 replay also runs under the real h5py 2.10.

use std::path::{Path, PathBuf};
use std::process::Command;

use ndarray::{Array2, Array3};
use pixelforest_core::{Image, LabelClass};
use pixelforest_features::FeatureSelection;
use pixelforest_ilastik::{IlastikVersion, IlpProject};
use pixelforest_io::{write_h5_image, write_label_image, write_tiff_stack, H5Layout, SampleType};
use pixelforest_pipeline::{append_ilp_lanes, export_ilp, import_ilp};

fn replay_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ilastik/tests/replay/replay_ilastik_load.py")
}

fn python_ready(python: &str) -> bool {
    Command::new(python)
        .args(["-c", "import h5py, numpy, tifffile, packaging, imageio"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// python3 with the replay's modules; CI (which installs them in `.ci/run`) must have them.
fn replay_python_ready() -> bool {
    pixelforest_testdata::python_ready("h5py, numpy, tifffile, packaging, imageio")
}

/// Runs the replay; returns its JSON report and each lane's labels as ilastik holds them.
fn replay(
    python: &str,
    project: &Path,
    ilastik: &str,
    headless: bool,
) -> (serde_json::Value, Vec<Array2<u8>>) {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(python);
    cmd.arg(replay_script())
        .arg(project)
        .args(["--ilastik", ilastik]);
    cmd.arg("--labels-out").arg(out.path());
    if headless {
        cmd.arg("--headless");
    }
    let output = cmd.output().unwrap();
    // h5py 2.10 prints "Failed to find converter ..." on stdout for attributes it cannot read;
    // the report is the JSON object that starts a line.
    let text = String::from_utf8_lossy(&output.stdout);
    let start = if text.starts_with('{') {
        0
    } else {
        text.find("\n{").map_or(0, |i| i + 1)
    };
    let report: serde_json::Value = serde_json::from_str(&text[start..]).unwrap_or_else(|e| {
        panic!(
            "{python} {} --ilastik {ilastik}: {} ({e}): {}",
            project.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let n = report["lanes"].as_array().map_or(0, Vec::len);
    let labels = (0..n)
        .map(|i| {
            pixelforest_io::read_label_image(&out.path().join(format!("lane{i:04}.tiff"))).unwrap()
        })
        .collect();
    (report, labels)
}

fn image(c: usize, h: usize, w: usize, seed: usize) -> Image {
    let data = Array3::from_shape_fn((c, h, w), |(k, y, x)| {
        ((k * 31 + y * 7 + x * 3 + seed) % 200) as f32
    });
    Image::new(data, (0..c).map(|k| format!("ch{k}")).collect()).unwrap()
}

fn labels(h: usize, w: usize, seed: usize) -> Array2<u8> {
    let mut l = Array2::zeros((h, w));
    for y in 2..6 {
        for x in (3 + seed)..(9 + seed) {
            l[[y, x]] = 1;
        }
    }
    l[[h - 3, w - 2]] = 2;
    l[[10, 1 + seed]] = 3;
    l
}

struct Case {
    image: PathBuf,
    axes: &'static str,
    inside: bool,
    labels: Array2<u8>,
}

/// Images of every kind, inside `proj/img` and in the sibling `outside`, with label images.
fn make_cases(root: &Path) -> (Vec<Case>, PathBuf) {
    let (inside, outside, label_dir) = (
        root.join("proj/img"),
        root.join("outside"),
        root.join("labels"),
    );
    for d in [&inside, &outside, &label_dir] {
        std::fs::create_dir_all(d).unwrap();
    }
    let mut cases = Vec::new();
    for (i, (dir, is_inside)) in [(&inside, true), (&outside, false)].into_iter().enumerate() {
        let kinds: [(&str, &str, usize); 4] = [
            ("isp_s2.h5", "zyxc", 5),
            ("stb.h5", "cyx", 4),
            ("multi.tiff", "cyx", 3),
            ("grey.tiff", "yx", 1),
        ];
        for (k, (name, axes, c)) in kinds.into_iter().enumerate() {
            let seed = i * 4 + k;
            let (h, w) = (24 + seed, 30 + seed);
            let path = dir.join(format!(
                "{}{seed}.{}",
                name.split('.').next().unwrap(),
                name.split('.').nth(1).unwrap()
            ));
            let img = image(c, h, w, seed);
            match axes {
                "zyxc" => write_h5_image(&path, &img, &H5Layout::Ilastik).unwrap(),
                "cyx" if name.ends_with(".h5") => {
                    write_h5_image(&path, &img, &H5Layout::Steinbock { name: "img".into() })
                        .unwrap();
                }
                _ => write_tiff_stack(&path, &img, SampleType::U16).unwrap(),
            }
            let l = labels(h, w, seed);
            let stem = pixelforest_io::image_stem(&path);
            write_label_image(&label_dir.join(format!("{stem}_labels.tiff")), &l).unwrap();
            cases.push(Case {
                image: path,
                axes,
                inside: is_inside,
                labels: l,
            });
        }
    }
    (cases, label_dir)
}

fn classes() -> Vec<LabelClass> {
    vec![
        LabelClass::new("Nuclei", [255, 0, 0]),
        LabelClass::new("Cytoplasm", [0, 255, 0]),
        LabelClass::new("Background", [0, 0, 255]),
    ]
}

fn export(cases: &[Case], label_dir: &Path, out: &Path, version: IlastikVersion) {
    let pairs: Vec<(PathBuf, PathBuf)> = cases
        .iter()
        .map(|c| {
            let stem = pixelforest_io::image_stem(&c.image);
            (
                c.image.clone(),
                label_dir.join(format!("{stem}_labels.tiff")),
            )
        })
        .collect();
    let selection = FeatureSelection::preset("sigma>=1").unwrap();
    export_ilp(&pairs, &classes(), &selection, out, version).unwrap();
}

/// Asserts the replay loaded every lane with its axes, class and labels.
fn assert_loads(report: &serde_json::Value, got: &[Array2<u8>], cases: &[Case], what: &str) {
    assert_eq!(report["ok"], true, "{what}: {report:#}");
    assert_eq!(
        report["label_names"],
        serde_json::json!(["Nuclei", "Cytoplasm", "Background"]),
        "{what}"
    );
    for (i, case) in cases.iter().enumerate() {
        let lane = &report["lanes"][i];
        assert_eq!(lane["axistags"], case.axes, "{what} lane {i}");
        let class = if case.inside {
            "RelativeFilesystemDatasetInfo"
        } else {
            "FilesystemDatasetInfo"
        };
        assert_eq!(lane["class"], class, "{what} lane {i}");
        assert_eq!(
            got[i],
            case.labels,
            "{what} lane {i} ({})",
            case.image.display()
        );
    }
}

#[test]
fn exported_projects_load_in_ilastik_14_and_133post3_with_every_label() {
    if !replay_python_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cases, label_dir) = make_cases(dir.path());
    let h5py2 = std::env::var("PIXELFOREST_H5PY2_PYTHON")
        .ok()
        .filter(|p| python_ready(p));

    let p14 = dir.path().join("proj/p14.ilp");
    export(&cases, &label_dir, &p14, IlastikVersion::V1_4);
    let (report, got) = replay("python3", &p14, "1.4.0", false);
    assert_loads(&report, &got, &cases, "1.4 export in 1.4.0");
    // 1.3.3post3 reads blocks in stored order: a 1.4 export of `cyx`/`zyxc` lanes is not for it.
    let (report, _) = replay("python3", &p14, "1.3.3post3", false);
    assert_eq!(report["ok"], false, "{report:#}");

    let p13 = dir.path().join("proj/p13.ilp");
    export(&cases, &label_dir, &p13, IlastikVersion::V1_3);
    for ilastik in ["1.3.3post3", "1.4.0"] {
        let (report, got) = replay("python3", &p13, ilastik, false);
        assert_loads(&report, &got, &cases, &format!("1.3 export in {ilastik}"));
    }
    if let Some(python) = &h5py2 {
        let (report, got) = replay(python, &p13, "1.3.3post3", false);
        assert_eq!(report["h5py"], "2.10.0", "{report:#}");
        assert_loads(
            &report,
            &got,
            &cases,
            "1.3 export in 1.3.3post3 under h5py 2.10",
        );
    }

    // Round trip: ilp import gives back every label.
    for p in [&p14, &p13] {
        let back = IlpProject::open(p).unwrap();
        for (i, case) in cases.iter().enumerate() {
            assert_eq!(
                back.lanes[i].first_plane(),
                Some(&case.labels),
                "{} lane {i}",
                p.display()
            );
        }
        let imported = import_ilp(&back, &dir.path().join("imported")).unwrap();
        assert_eq!(imported.len(), cases.len());
    }
}

/// The old exporter wrote `yxc` for every lane: ilastik read a `cyx` TIFF's channels as rows,
/// and the `zyxc` h5 failed `UnsuitedAxistagsException`.
#[test]
fn regression_lane_axistags_describe_the_stored_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cases, label_dir) = make_cases(dir.path());
    let p = dir.path().join("proj/p.ilp");
    export(&cases, &label_dir, &p, IlastikVersion::V1_4);
    let back = IlpProject::open(&p).unwrap();
    let axes: Vec<&str> = back.lanes.iter().map(|l| l.axes.as_str()).collect();
    assert_eq!(
        axes,
        ["zyxc", "cyx", "cyx", "yx", "zyxc", "cyx", "cyx", "yx"]
    );
    assert_eq!(back.lanes[0].shape, Some(vec![1, 24, 30, 5]));
    assert_eq!(back.lanes[2].shape, Some(vec![3, 26, 32]));
    // Outside the project's folder: absolute (FilesystemDatasetInfo); inside: relative.
    assert_eq!(back.lanes[0].file_path, "img/isp_s20.h5/isp_s20");
    assert!(
        Path::new(&back.lanes[5].file_path).is_absolute(),
        "{}",
        back.lanes[5].file_path
    );
    assert!(
        back.lanes[5].file_path.ends_with("stb5.h5/img"),
        "{}",
        back.lanes[5].file_path
    );
}

#[test]
fn appended_lanes_load_after_the_existing_ones() {
    if !replay_python_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cases, label_dir) = make_cases(dir.path());
    for version in [IlastikVersion::V1_4, IlastikVersion::V1_3] {
        let p = dir
            .path()
            .join(format!("proj/append_{}.ilp", version.stamp()));
        export(&cases[..2], &label_dir, &p, version);
        let pairs: Vec<(PathBuf, PathBuf)> = cases[2..]
            .iter()
            .map(|c| {
                let stem = pixelforest_io::image_stem(&c.image);
                (
                    c.image.clone(),
                    label_dir.join(format!("{stem}_labels.tiff")),
                )
            })
            .collect();
        assert_eq!(append_ilp_lanes(&pairs, &p, version).unwrap(), 2);
        let ilastik = if version == IlastikVersion::V1_4 {
            "1.4.0"
        } else {
            "1.3.3post3"
        };
        let (report, got) = replay("python3", &p, ilastik, false);
        assert_loads(&report, &got, &cases, &format!("appended, {ilastik}"));
    }
    // A 1.4.0-stamped project cannot take lanes for ilastik 1.3: refused with the reason.
    let p = dir.path().join("proj/append_1.4.0.ilp");
    let err = append_ilp_lanes(&[], &p, IlastikVersion::V1_3)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("1.3.3post3") && err.contains("stored axis order"),
        "{err}"
    );
}

/// Projects ilastik itself wrote pass the same replay (so the replay accepts real files), and
/// `ilp import` -> `ilp export` of one gives a project that loads with the same labels.
#[test]
fn real_ilastik_projects_pass_the_replay_and_survive_import_export() {
    if !replay_python_ready() {
        return;
    }
    let Some(p3) =
        pixelforest_testdata::real_fixture("ilastik/api_projects/PixelClass3Channel.ilp")
    else {
        return;
    };
    let api = p3.parent().unwrap().to_path_buf();
    // name, headless (raw file absent or elsewhere), lane label counts per class
    let expected: [(&str, bool, [u64; 3]); 4] = [
        ("PixelClass3Channel.ilp", false, [295, 450, 734]),
        ("PixelClass.ilp", true, [79, 78, 0]),
        ("PixelClass3D.ilp", false, [38, 22, 0]),
        ("2464_PixelClassification_xy_input.ilp", true, [63, 68, 0]),
    ];
    for (name, headless, counts) in expected {
        let (report, _) = replay("python3", &api.join(name), "1.4.0", headless);
        assert_eq!(report["ok"], true, "{name}: {report:#}");
        for (k, &n) in counts.iter().enumerate() {
            let got = report["lanes"][0]["labels"][(k + 1).to_string()]
                .as_u64()
                .unwrap_or(0);
            assert_eq!(got, n, "{name} class {}", k + 1);
        }
    }
    // 1.3.3post3 reads PixelClass3Channel (stamped 1.4.1b15, `yxc` lane) alike.
    let (report, _) = replay("python3", &p3, "1.3.3post3", false);
    assert_eq!(report["ok"], true, "{report:#}");
    // ...but not a 1.4 project with a `yx` lane: its `yxc` block has an axis too many.
    let (report, _) = replay(
        "python3",
        &api.join("2464_PixelClassification_xy_input.ilp"),
        "1.3.3post3",
        true,
    );
    assert_eq!(report["step"], "block_order", "{report:#}");

    // ilastik 1.2.0rc10's mitocheck project (2D+t, blocks in stored `txyzc` order): 1.3.3post3
    // reads them in that order; 1.4.0 reads a pre-1.3.3post2 stamp in its reordered `tyxc`
    // order, and ndstructs' Array5D asserts one key per block axis.
    if let Some(mito) =
        pixelforest_testdata::real_fixture("ilastik/inputdata/mitocheckPixelClassification.ilp")
    {
        let (report, _) = replay("python3", &mito, "1.3.3post3", false);
        assert_eq!(report["ok"], true, "{report:#}");
        assert_eq!(
            report["lanes"][0]["labels"],
            serde_json::json!({"1": 74, "2": 39})
        );
        let (report, _) = replay("python3", &mito, "1.4.0", false);
        assert_eq!(report["step"], "block_order", "{report:#}");
    }

    // Import -> export -> replay: the raw PNG as an interleaved TIFF (our export reads TIFF/h5).
    let dir = tempfile::tempdir().unwrap();
    let (_, original) = replay("python3", &p3, "1.4.0", false);
    let project = IlpProject::open(&p3).unwrap();
    let label_dir = dir.path().join("labels");
    import_ilp(&project, &label_dir).unwrap();
    let raw = dir.path().join("Data_3channel.tiff");
    let status = Command::new("python3")
        .args(["-c", "import sys, imageio.v3 as iio, tifffile; tifffile.imwrite(sys.argv[2], iio.imread(sys.argv[1]))"])
        .arg(api.join("Data_3channel.png"))
        .arg(&raw)
        .status()
        .unwrap();
    assert!(status.success());
    let classes = pixelforest_pipeline::project_classes(&label_dir).unwrap();
    let selection = FeatureSelection::preset("sigma>=1").unwrap();
    for (version, ilastik) in [
        (IlastikVersion::V1_4, "1.4.0"),
        (IlastikVersion::V1_3, "1.3.3post3"),
    ] {
        let out = dir.path().join(format!("again_{ilastik}.ilp"));
        let pairs = vec![(raw.clone(), label_dir.join("Data_3channel_labels.tiff"))];
        export_ilp(&pairs, &classes, &selection, &out, version).unwrap();
        let (report, got) = replay("python3", &out, ilastik, false);
        assert_eq!(report["ok"], true, "{report:#}");
        assert_eq!(report["lanes"][0]["axistags"], "yxc");
        assert_eq!(got, original, "{ilastik}");
    }
}

/// `suggest --ilp` appends to projects ilastik wrote (HDF5-library files): the new lane loads
/// after the project's own, whose labels stay as they were.
#[test]
fn lanes_append_to_a_project_ilastik_wrote() {
    if !replay_python_ready() {
        return;
    }
    let Some(p3) =
        pixelforest_testdata::real_fixture("ilastik/api_projects/PixelClass3Channel.ilp")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("PixelClass3Channel.ilp");
    std::fs::copy(&p3, &project).unwrap();
    std::fs::copy(
        p3.with_file_name("Data_3channel.png"),
        dir.path().join("Data_3channel.png"),
    )
    .unwrap();
    let (before, before_labels) = replay("python3", &project, "1.4.0", false);
    assert_eq!(before["ok"], true, "{before:#}");

    let img = dir.path().join("new.tiff");
    write_tiff_stack(&img, &image(3, 40, 50, 1), SampleType::U16).unwrap();
    let new_labels = labels(40, 50, 1);
    let label_path = dir.path().join("new_labels.tiff");
    write_label_image(&label_path, &new_labels).unwrap();
    let first = append_ilp_lanes(&[(img, label_path)], &project, IlastikVersion::V1_4).unwrap();
    assert_eq!(first, 1);

    let (after, after_labels) = replay("python3", &project, "1.4.0", false);
    assert_eq!(after["ok"], true, "{after:#}");
    assert_eq!(after["lanes"][0], before["lanes"][0]);
    assert_eq!(after_labels[0], before_labels[0]);
    assert_eq!(after["lanes"][1]["axistags"], "cyx");
    assert_eq!(after_labels[1], new_labels);
    // The project's forest is still there.
    assert!(IlpProject::open(&project).unwrap().forest.is_some());
}
