//! `convert` against steinbock: the panel and images steinbock (through readimc) makes of the
//! generated IMC folder (`crates/io/tests/fixtures/imc/make_imc.py`, `expected.json`), and of
//! the real TestData acquisitions (real-fixture `imc/`).

use std::path::{Path, PathBuf};

use pixelforest_io::SampleType;
use pixelforest_pipeline::{collect_imc_files, convert_batch, ConvertOptions, PanelSource, Status};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../io/tests/fixtures/imc")
        .join(name)
}

/// A raw/ folder with the generated .mcd and .txt files.
fn raw_folder(dir: &Path) -> PathBuf {
    let raw = dir.join("raw");
    std::fs::create_dir_all(&raw).expect("mkdir");
    for f in ["small.mcd", "small_ROI_002_2.txt", "lone.txt"] {
        std::fs::copy(fixture(f), raw.join(f)).expect("copy");
    }
    raw
}

fn options(dir: &Path, hpf: f32, panel: PanelSource) -> ConvertOptions {
    ConvertOptions {
        out_dir: dir.join("img"),
        panel,
        sample: SampleType::F32,
        hot_pixel_threshold: hpf,
        image_info: Some(dir.join("images.csv")),
        overwrite: false,
        progress: false,
    }
}

fn steinbock() -> Value {
    let text = std::fs::read_to_string(fixture("expected.json")).expect("expected.json");
    let v: Value = serde_json::from_str(&text).expect("json");
    v["steinbock"].clone()
}

fn check_images(img: &Path, want: &Value) {
    let want = want.as_object().expect("images");
    for (name, w) in want {
        let data = pixelforest_io::read_pixels(&img.join(format!("{name}.tiff"))).expect(name);
        let shape: Vec<usize> = w["shape"]
            .as_array()
            .expect("shape")
            .iter()
            .map(|v| v.as_u64().expect("u") as usize)
            .collect();
        assert_eq!(data.shape(), &shape[..], "{name}");
        let px: Vec<f32> = w["pixels"]
            .as_array()
            .expect("px")
            .iter()
            .map(|v| v.as_f64().expect("f") as f32)
            .collect();
        assert_eq!(data.iter().copied().collect::<Vec<_>>(), px, "{name}");
    }
    let written = std::fs::read_dir(img)
        .expect("img")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "tiff"))
        })
        .count();
    assert_eq!(
        written,
        want.len(),
        "lone.txt lacks a panel channel: not written"
    );
}

#[test]
fn convert_equals_steinbock_with_txt_recovery_and_panel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = raw_folder(dir.path());
    let (mcd, txt) = collect_imc_files(&[raw]).expect("files");
    assert_eq!((mcd.len(), txt.len()), (1, 2));
    let panel_path = dir.path().join("panel.csv");
    let opts = options(dir.path(), 0.0, PanelSource::Create(panel_path.clone()));
    let (report, panel) = convert_batch(&mcd, &txt, &opts).expect("runs");
    // The panel: steinbock's rows, keep written as 1 (steinbock's write_panel).
    let want: Vec<String> = steinbock()["panel"]
        .as_array()
        .expect("panel")
        .iter()
        .map(|row| {
            let cells: Vec<&str> = row
                .as_array()
                .expect("row")
                .iter()
                .map(|c| c.as_str().expect("s"))
                .collect();
            cells.join(",").replace(",True,", ",1,")
        })
        .collect();
    let text = std::fs::read_to_string(&panel_path).expect("panel.csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "channel,name,keep,ilastik,deepcell,cellpose");
    assert_eq!(
        lines[1..]
            .iter()
            .map(|l| l.replace('"', ""))
            .collect::<Vec<_>>(),
        want
    );
    assert_eq!(panel.len(), 3);
    check_images(&opts.out_dir, &steinbock()["images_hpf_0"]);
    let info = std::fs::read_to_string(dir.path().join("images.csv")).expect("images.csv");
    let want = steinbock()["images_csv"].as_str().expect("csv").to_string();
    assert_eq!(
        info.lines().collect::<Vec<_>>(),
        want.lines().collect::<Vec<_>>()
    );
    // small.mcd written (acquisition 2 from its .txt), lone.txt failed and named.
    assert_eq!((report.written(), report.failed()), (1, 1));
    let failed = report
        .outcomes
        .iter()
        .find(|o| matches!(o.status, Status::Failed(_)))
        .expect("one failure");
    assert!(failed.input.ends_with("lone.txt"));
    let Status::Failed(why) = &failed.status else {
        unreachable!()
    };
    assert!(why.contains("Yb176"), "{why}");
    // The channel names are in the OME-XML: read back without panel.csv beside.
    std::fs::remove_file(&panel_path).expect("rm");
    let image = pixelforest_io::read_image(&opts.out_dir.join("small_003.tiff")).expect("reads");
    assert_eq!(image.channels(), ["CD45 & co", "DNA1", "DNA2"]);
}

#[test]
fn uint16_rounds_half_to_even_as_steinbock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = raw_folder(dir.path());
    let (mcd, txt) = collect_imc_files(&[raw]).expect("files");
    let mut opts = options(
        dir.path(),
        0.0,
        PanelSource::Create(dir.path().join("panel.csv")),
    );
    opts.sample = SampleType::U16;
    convert_batch(&mcd, &txt, &opts).expect("runs");
    let want = steinbock()["images_uint16"].clone();
    for (name, px) in want.as_object().expect("images") {
        let data =
            pixelforest_io::read_pixels(&opts.out_dir.join(format!("{name}.tiff"))).expect(name);
        let want: Vec<f32> = px
            .as_array()
            .expect("px")
            .iter()
            .map(|v| v.as_f64().expect("n") as f32)
            .collect();
        assert_eq!(data.iter().copied().collect::<Vec<_>>(), want, "{name}");
    }
}

#[test]
fn hot_pixel_filter_equals_steinbock_hpf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = raw_folder(dir.path());
    let (mcd, txt) = collect_imc_files(&[raw]).expect("files");
    let opts = options(
        dir.path(),
        50.0,
        PanelSource::Create(dir.path().join("panel.csv")),
    );
    convert_batch(&mcd, &txt, &opts).expect("runs");
    check_images(&opts.out_dir, &steinbock()["images_hpf_50"]);
}

#[test]
fn truncated_acquisition_without_txt_fails_and_others_are_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = raw_folder(dir.path());
    std::fs::remove_file(raw.join("small_ROI_002_2.txt")).expect("rm");
    let (mcd, txt) = collect_imc_files(&[raw.join("small.mcd")]).expect("files");
    let opts = options(
        dir.path(),
        0.0,
        PanelSource::Create(dir.path().join("panel.csv")),
    );
    let (report, _) = convert_batch(&mcd, &txt, &opts).expect("runs");
    let Status::Failed(why) = &report.outcomes[0].status else {
        panic!("acquisition 2 has no .txt")
    };
    assert!(
        why.contains("acquisition 2")
            && why.contains("truncated")
            && why.contains("2 of 3 images written"),
        "{why}"
    );
    assert!(opts.out_dir.join("small_001.tiff").is_file());
    assert!(!opts.out_dir.join("small_002.tiff").exists());
    let names: Vec<_> = report.outcomes[0]
        .outputs
        .iter()
        .map(|p| p.file_name().expect("name").to_owned())
        .collect();
    assert_eq!(
        names,
        ["small_001.tiff", "small_003.tiff"],
        "the written images are reported"
    );
}

#[test]
fn real_testdata_equals_steinbock_img() {
    let (Some(raw), Some(img)) = (
        pixelforest_testdata::real_fixture("imc/raw"),
        pixelforest_testdata::real_fixture("imc/steinbock/img"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (mcd, txt) = collect_imc_files(&[raw]).expect("files");
    // steinbock's TestData img/ was made with --hpf 50.
    let opts = options(
        dir.path(),
        50.0,
        PanelSource::Create(dir.path().join("panel.csv")),
    );
    let (report, _) = convert_batch(&mcd, &txt, &opts).expect("runs");
    assert_eq!((report.written(), report.failed()), (5, 0));
    let mut compared = 0;
    for entry in std::fs::read_dir(&img).expect("img") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        let want = pixelforest_io::read_pixels(&path).expect("steinbock tiff");
        let got = pixelforest_io::read_pixels(&opts.out_dir.join(name)).expect("ours");
        assert_eq!(got, want, "{}", name.to_string_lossy());
        compared += 1;
    }
    assert_eq!(compared, 15);
    let info = pixelforest_testdata::real_fixture("imc/steinbock/images.csv").expect("beside img/");
    let want = std::fs::read_to_string(info).expect("steinbock images.csv");
    let got = std::fs::read_to_string(dir.path().join("images.csv")).expect("ours");
    assert_eq!(
        got.lines().collect::<Vec<_>>(),
        want.lines().collect::<Vec<_>>()
    );
}
