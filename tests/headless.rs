//! `pixelforest headless` driven with the exact argument lists the real callers pass to
//! ilastik, checking the files those callers then look for; and steinbock's folders
//! (`panel.csv` groups, `ilastik_img/`) through `prepare --layout steinbock` and `predict`.
//!
//! The model here is a `.pxf` trained in the test. Once `load_model` reads `.ilp` projects,
//! `steinbock_real_project_matches_ilastik` below runs steinbock's call on steinbock's own
//! trained `pixel_classifier.ilp`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pixelforest::pipeline::{steinbock_probabilities_path, upscale_labels};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pixelforest"))
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The argument list of steinbock's `run_pixel_classification`
/// (BodenmillerGroup/steinbock, `steinbock/classification/ilastik/_ilastik.py`, commit
/// 848fc5ed547c5c98f25d69b29b75de9be9824f3c), for `steinbock classify ilastik run` with its
/// defaults (`-o ilastik_probabilities`, images `ilastik_img/*.h5`), run in the steinbock
/// folder. `args[0]` (the ilastik binary) is `pixelforest headless`.
fn steinbock_args(project: &str, images: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--headless",
        &format!("--project={project}"),
        "--readonly",
        "--input_axes=cyx",
        "--export_source=Probabilities",
        "--output_format=tiff",
        "--output_filename_format=ilastik_probabilities/{nickname}.tiff",
        "--export_dtype=uint16",
        "--output_axis_order=yxc",
        "--pipeline_result_drange=(0.0,1.0)",
        "--export_drange=(0,65535)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // steinbock appends `<file>/img` for every image.
    args.extend(images.iter().map(|i| format!("{i}/img")));
    args
}

/// steinbock's renaming after ilastik ran: `<name>-img.tiff` -> `<name>.tiff`.
fn steinbock_rename(probab_dir: &Path) -> Vec<PathBuf> {
    let mut renamed = Vec::new();
    for entry in std::fs::read_dir(probab_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with('.') && name.ends_with("-img.tiff") {
            let target = path.with_file_name(name.replace("-img", ""));
            std::fs::rename(&path, &target).unwrap();
            renamed.push(target);
        }
    }
    renamed.sort();
    renamed
}

/// A steinbock folder: `img/synth_01.tiff` (11 synthetic channels), a `panel.csv` whose
/// `ilastik` column groups them as steinbock's does (numbers, empty = unused).
fn steinbock_folder(root: &Path) {
    let tiff = root.join("synth");
    ok(bin()
        .args(["synth", "--images", "1", "--size", "60", "--out"])
        .arg(&tiff)
        .output()
        .unwrap());
    std::fs::create_dir_all(root.join("img")).unwrap();
    std::fs::copy(
        tiff.join("synth_01_ilastik.tiff"),
        root.join("img/synth_01.tiff"),
    )
    .unwrap();
    let groups = ["1", "1", "2", "", "3", "4", "3", "", "", "", ""];
    let mut panel = String::from("channel,name,keep,ilastik,deepcell,cellpose\n");
    for (i, g) in groups.iter().enumerate() {
        panel.push_str(&format!("Ch{i},marker{i},1,{g},,\n"));
    }
    std::fs::write(root.join("panel.csv"), panel).unwrap();
}

/// Trains a 10-tree model on `image` with the synthetic scribbles (upscaled 2x).
fn train(root: &Path, image: &Path, label_name: &str) -> PathBuf {
    let scribbles =
        pixelforest::io::read_label_image(&root.join("synth/ground_truth/synth_01_scribbles.tiff"))
            .unwrap();
    std::fs::create_dir_all(root.join("labels")).unwrap();
    pixelforest::io::write_label_image(
        &root.join("labels").join(label_name),
        &upscale_labels(&scribbles, 2),
    )
    .unwrap();
    let model = root.join("model.pxf");
    ok(bin()
        .args(["train", "--trees", "10", "--images"])
        .arg(image)
        .arg("--labels")
        .arg(root.join("labels"))
        .arg("--out")
        .arg(&model)
        .output()
        .unwrap());
    model
}

/// (width, height, samples per pixel, bits per sample, pages) of a TIFF.
fn tiff_layout(path: &Path) -> (u32, u32, u8, u8, usize) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut dec = tiff::decoder::Decoder::new(file).unwrap();
    let (w, h) = dec.dimensions().unwrap();
    let (samples, bits) = match dec.colortype().unwrap() {
        tiff::ColorType::RGB(b) => (3, b),
        tiff::ColorType::Multiband {
            bit_depth,
            num_samples,
        } => (num_samples as u8, bit_depth),
        tiff::ColorType::Gray(b) => (1, b),
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    let mut pages = 1;
    while dec.more_images() {
        dec.next_image().unwrap();
        pages += 1;
    }
    (w, h, samples, bits, pages)
}

#[test]
fn steinbock_call_writes_the_files_steinbock_expects() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    steinbock_folder(root);
    ok(bin()
        .args([
            "prepare",
            "-q",
            "--layout",
            "steinbock",
            "--crop-size",
            "64",
        ])
        .arg(root.join("img"))
        .output()
        .unwrap());
    // steinbock's ilastik image: mean first, then groups 1..4, float32 cyx, scaled 2x.
    let img = root.join("ilastik_img/synth_01.h5");
    let h5 = pixelforest::io::h5_image::open(&img).unwrap();
    let d = pixelforest::io::h5_image::read_dataset(&img, &h5, "img").unwrap();
    assert_eq!(d.axes, "cyx");
    assert_eq!(d.data.dim(), (5, 120, 120));
    assert!(matches!(d.stored, pixelforest::io::StoredType::Float));
    // steinbock's own marker, an HDF5 bool (h5py reads np.True_ as steinbock writes it).
    let marker = h5.dataset("img").unwrap().attr("steinbock").unwrap();
    assert_eq!(marker.read_raw().unwrap(), [1]);
    let read = pixelforest::io::read_image(&img).unwrap();
    assert_eq!(
        read.channels(),
        [
            "mean",
            "marker0 + marker1",
            "marker2",
            "marker4 + marker6",
            "marker5"
        ]
    );
    let crops: Vec<_> = std::fs::read_dir(root.join("ilastik_crops"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(crops.len(), 1);
    assert!(
        crops[0].starts_with("synth_01_x") && crops[0].ends_with("_w64_h64.h5"),
        "{crops:?}"
    );

    let model = train(root, &img, "synth_01_labels.tiff");
    // `predict` on the ilastik_img folder (it failed on the channel count before panel groups
    // were read) writes steinbock's `ilastik_probabilities/<name>.tiff`.
    ok(bin()
        .args(["predict", "-q", "--model"])
        .arg(&model)
        .arg(root.join("ilastik_img"))
        .output()
        .unwrap());
    let steinbock_file = root.join("ilastik_probabilities/synth_01.tiff");
    let predicted = pixelforest::io::read_probabilities(&steinbock_file).unwrap();
    std::fs::remove_file(&steinbock_file).unwrap();

    let out = ok(bin()
        .arg("headless")
        .args(steinbock_args(
            model.to_str().unwrap(),
            &["ilastik_img/synth_01.h5"],
        ))
        .current_dir(root)
        .env("LAZYFLOW_THREADS", "2")
        .output()
        .unwrap());
    // ilastik's name for `synth_01.h5/img` is `synth_01-img`; steinbock renames it.
    let written = root.join("ilastik_probabilities/synth_01-img.tiff");
    assert!(written.is_file(), "{}", stderr(&out));
    // (x, y, class) as one interleaved uint16 page: tifffile reads (y, x, 3), axes YXS.
    assert_eq!(tiff_layout(&written), (120, 120, 3, 16, 1));
    let renamed = steinbock_rename(&root.join("ilastik_probabilities"));
    let expected = steinbock_probabilities_path(&root.join("ilastik_img/synth_01.h5/img"));
    assert_eq!(renamed, [expected.unwrap()]);
    assert_eq!(renamed, std::slice::from_ref(&steinbock_file));
    let ours = pixelforest::io::read_probabilities(&steinbock_file).unwrap();
    assert_eq!(ours, predicted);
    // The classes are not all one value: the forest saw the labels.
    assert!(ours.iter().any(|&p| p > 0.9) && ours.iter().any(|&p| p < 0.1));
}

/// The ImcSegmentationPipeline Snakemake rule `ilastik_run_batch`
/// (BodenmillerGroup/ImcSegmentationPipeline `workflow/rules/ilastik.smk` and
/// `workflow/Snakefile`, commit a71dcd77d85ea7d59655b730a10bf42f62521efc), after the shell
/// has removed its quotes: `--export_drange="[0, 65535]"` and
/// `--pipeline_result_drange="(0.0, 1.0)"` are single arguments, `--readonly 1` two.
#[test]
fn imc_segmentation_pipeline_call_writes_probabilities_beside_the_run_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let tiff = root.join("synth");
    ok(bin()
        .args(["synth", "--images", "1", "--size", "60", "--out"])
        .arg(&tiff)
        .output()
        .unwrap());
    ok(bin()
        .args(["prepare", "-q", "--crops-per-image", "0"])
        .arg(&tiff)
        .arg("--out")
        .arg(root.join("ilastik_h5"))
        .output()
        .unwrap());
    let image = root.join("ilastik_h5/synth_01_s2.h5");
    let model = train(root, &image, "synth_01_s2_labels.tiff");
    let run = root.join("ilastik_cell/run_1_1");
    let out = ok(bin()
        .arg("headless")
        .arg("--headless")
        .arg(format!("--project={}", model.display()))
        .arg("--output_format=tiff")
        .arg(format!(
            "--output_filename_format={}/{{nickname}}_Probabilities.tiff",
            run.display()
        ))
        .arg("--export_source=Probabilities")
        .arg("--export_dtype=uint16")
        .arg("--export_drange=[0, 65535]")
        .arg("--pipeline_result_drange=(0.0, 1.0)")
        .args(["--readonly", "1"])
        .arg(&image)
        .env("LAZYFLOW_THREADS", "2")
        .output()
        .unwrap());
    let written = run.join("synth_01_s2_Probabilities.tiff");
    assert!(written.is_file(), "{}", stderr(&out));
    assert_eq!(tiff_layout(&written), (120, 120, 3, 16, 1));
    // Settings the call leaves out are reported with the value used.
    assert!(
        stderr(&out).contains("--output_internal_path not given: exported_data"),
        "{}",
        stderr(&out)
    );
}

/// nf-core/imcyto's ILASTIK process (`main.nf`, commit
/// 33eeadeda44843fe36d216be66de4e7afec6999b) asks for a `tiff sequence`, which pixelforest
/// does not write: the run is refused naming the option, before any work.
#[test]
fn unsupported_options_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--headless",
                "--project=ilastik_params.ilp",
                "--output_format=tiff sequence",
                "--output_filename_format=./{nickname}_{result_type}_{slice_index}.tiff",
                "--logfile",
                "./ilastik_log.txt",
                "a.tiff",
            ],
            "--output_format=tiff sequence",
        ),
        (
            &["--headless", "--cutout_subregion=[(0,0),(1,1)]"],
            "--cutout_subregion",
        ),
        (
            &[
                "--headless",
                "--export_dtype=uint8",
                "--project=m.pxf",
                "a.h5",
            ],
            "--export_dtype=uint8",
        ),
        (
            &[
                "--headless",
                "--project=m.pxf",
                "--export_source=Simple Segmentation",
                "a.h5",
            ],
            "--export_source=Simple Segmentation",
        ),
        (&["--project=m.pxf", "a.h5"], "--headless"),
    ];
    for (args, named) in cases {
        let out = bin()
            .arg("headless")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(named), "{args:?}: {}", stderr(&out));
    }
    // Nothing was written, not even the log file.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// steinbock's own folder (BodenmillerGroup/TestData, steinbock 0.16.1): `prepare --layout
/// steinbock` on its `img/` reproduces its `ilastik_img/` (float32 rounding apart), and the
/// images read with the panel-group channel names.
#[test]
fn steinbock_testdata_prepare_reproduces_ilastik_img() {
    let Some(real) = pixelforest_testdata::real_fixture("steinbock/210308_ImcTestData") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for entry in std::fs::read_dir(real.join("img")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::create_dir_all(root.join("img")).unwrap();
        std::fs::copy(&path, root.join("img").join(path.file_name().unwrap())).unwrap();
    }
    std::fs::copy(real.join("panel.csv"), root.join("panel.csv")).unwrap();
    ok(bin()
        .args([
            "prepare",
            "-q",
            "--layout",
            "steinbock",
            "--crop-size",
            "50",
        ])
        .arg(root.join("img"))
        .output()
        .unwrap());
    let mut compared = 0;
    for entry in std::fs::read_dir(real.join("ilastik_img")).unwrap() {
        let theirs_path = entry.unwrap().path();
        let ours_path = root
            .join("ilastik_img")
            .join(theirs_path.file_name().unwrap());
        let theirs = pixelforest::io::read_image(&theirs_path).unwrap();
        let ours = pixelforest::io::read_image(&ours_path).unwrap();
        assert_eq!(theirs.channels(), ["mean", "Ag107", "YBX1", "H3K27Ac"]);
        assert_eq!(ours.channels(), theirs.channels());
        assert_eq!(ours.data().dim(), theirs.data().dim());
        for (a, b) in ours.data().iter().zip(theirs.data()) {
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
        }
        compared += 1;
    }
    assert_eq!(compared, 15);
}

/// steinbock's call on steinbock's trained project, against the probabilities ilastik wrote
/// there. Runs once `--project` accepts `.ilp` files; until then it checks that the refusal
/// names the project file.
#[test]
fn steinbock_real_project_matches_ilastik() {
    let Some(real) = pixelforest_testdata::real_fixture("steinbock/210308_ImcTestData") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("ilastik_img")).unwrap();
    let mut images = Vec::new();
    for entry in std::fs::read_dir(real.join("ilastik_img")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::copy(&path, root.join("ilastik_img").join(&name)).unwrap();
        images.push(format!("ilastik_img/{name}"));
    }
    images.sort();
    std::fs::copy(real.join("panel.csv"), root.join("panel.csv")).unwrap();
    std::fs::copy(
        real.join("pixel_classifier.ilp"),
        root.join("pixel_classifier.ilp"),
    )
    .unwrap();
    let refs: Vec<&str> = images.iter().map(String::as_str).collect();
    let out = bin()
        .arg("headless")
        .args(steinbock_args("pixel_classifier.ilp", &refs))
        .current_dir(root)
        .output()
        .unwrap();
    if !out.status.success() {
        assert!(
            stderr(&out).contains("pixel_classifier.ilp"),
            "{}",
            stderr(&out)
        );
        eprintln!("skipped: .ilp models are not loaded yet: {}", stderr(&out));
        return;
    }
    let renamed = steinbock_rename(&root.join("ilastik_probabilities"));
    assert_eq!(renamed.len(), 15);
    for ours in renamed {
        let theirs = real
            .join("ilastik_probabilities")
            .join(ours.file_name().unwrap());
        assert_eq!(tiff_layout(&ours), tiff_layout(&theirs));
        let (a, b) = (
            pixelforest::io::read_probabilities(&ours).unwrap(),
            pixelforest::io::read_probabilities(&theirs).unwrap(),
        );
        assert_eq!(a.dim(), b.dim());
        let mean_abs = a
            .iter()
            .zip(&b)
            .map(|(x, y)| f64::from((x - y).abs()))
            .sum::<f64>()
            / a.len() as f64;
        eprintln!("{}: mean |ours - ilastik| = {mean_abs:.2e}", ours.display());
        // Same forest and features: differences only where a feature near a split threshold
        // rounds differently, a vote of 1/trees at a few pixels.
        assert!(mean_abs < 1e-3, "{}: {mean_abs}", ours.display());
    }
}

/// Outputs are planned before any work, as `predict` plans them: two inputs sharing an
/// export file, or an export replacing its input, stop the run.
#[test]
fn colliding_exports_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.h5", "b.h5", "c.tiff"] {
        std::fs::write(dir.path().join(name), b"not read").unwrap();
    }
    let run = |args: &[&str]| {
        bin()
            .arg("headless")
            .args(["--headless", "--project=model.pxf", "--output_format=tiff"])
            .arg("--output_axis_order=yxc")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    // (The dummy HDF5 files are unreadable: their axes are left for the batch to report.)
    let out = run(&[
        "--input_axes=cyx",
        "--output_filename_format=out/probabilities.tiff",
        "a.h5",
        "b.h5",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("would both be exported"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "--output_filename_format={dataset_dir}/{nickname}",
        "c.tiff",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("replace its own input"),
        "{}",
        stderr(&out)
    );
    let out = run(&["--output_filename_format=out/{nickname}_{roi}", "a.h5"]);
    assert!(stderr(&out).contains("{roi}"), "{}", stderr(&out));
    assert!(!dir.path().join("out").exists());
}

/// steinbock's call on steinbock's own `ilastik_img/` (BodenmillerGroup/TestData): after
/// steinbock's renaming, every file ilastik wrote there exists with ilastik's layout (size,
/// 3 interleaved uint16 samples, one page). The model is trained here on labels drawn from the
/// mean channel, as steinbock's trained project needs `.ilp` loading.
#[test]
fn steinbock_testdata_call_writes_ilastiks_files() {
    let Some(real) = pixelforest_testdata::real_fixture("steinbock/210308_ImcTestData") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("ilastik_img")).unwrap();
    let mut images = Vec::new();
    for entry in std::fs::read_dir(real.join("ilastik_img")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::copy(&path, root.join("ilastik_img").join(&name)).unwrap();
        images.push(format!("ilastik_img/{name}"));
    }
    images.sort();
    std::fs::copy(real.join("panel.csv"), root.join("panel.csv")).unwrap();
    // Sparse labels by the mean channel's level: bright 1, middle 2, dark 3.
    let train_on = root.join("ilastik_img/20210305_NE_mockData2_001.h5");
    let image = pixelforest::io::read_image(&train_on).unwrap();
    let mean = image.channel(0);
    let mut sorted: Vec<f32> = mean.iter().copied().collect();
    sorted.sort_by(f32::total_cmp);
    let (lo, hi) = (sorted[sorted.len() * 3 / 10], sorted[sorted.len() * 9 / 10]);
    let labels = ndarray::Array2::from_shape_fn(mean.dim(), |(y, x)| {
        let v = mean[[y, x]];
        match ((y * 31 + x * 17) % 13 == 0, v > hi, v > lo) {
            (false, _, _) => 0,
            (true, true, _) => 1,
            (true, false, true) => 2,
            (true, false, false) => 3,
        }
    });
    std::fs::create_dir_all(root.join("labels")).unwrap();
    pixelforest::io::write_label_image(
        &root.join("labels/20210305_NE_mockData2_001_labels.tiff"),
        &labels,
    )
    .unwrap();
    ok(bin()
        .args(["train", "--trees", "10", "--images"])
        .arg(&train_on)
        .arg("--labels")
        .arg(root.join("labels"))
        .arg("--out")
        .arg(root.join("model.pxf"))
        .output()
        .unwrap());
    let refs: Vec<&str> = images.iter().map(String::as_str).collect();
    ok(bin()
        .arg("headless")
        .args(steinbock_args("model.pxf", &refs))
        .current_dir(root)
        .output()
        .unwrap());
    let renamed = steinbock_rename(&root.join("ilastik_probabilities"));
    let mut theirs: Vec<PathBuf> = std::fs::read_dir(real.join("ilastik_probabilities"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    theirs.sort();
    let names = |v: &[PathBuf]| -> Vec<String> {
        v.iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(&renamed), names(&theirs));
    for (ours, theirs) in renamed.iter().zip(&theirs) {
        assert_eq!(tiff_layout(ours), tiff_layout(theirs), "{}", ours.display());
    }
}
