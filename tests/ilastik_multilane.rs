//! A project in ilastik's real layout (crates/ilastik/tests/fixtures/multilane, written by its
//! `make_multilane.py` after ilastik's serializers) through the pipeline: every labelled lane
//! imported to its own label file (two lanes share an image name), trained from, and the
//! project's own forest applied by `pixelforest predict --model project.ilp`.

use std::path::{Path, PathBuf};
use std::process::Command;

use pixelforest::ilastik::IlpProject;
use pixelforest::pipeline::{ilp_training_set, import_ilp};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/ilastik/tests/fixtures/multilane")
        .join(name)
}

#[test]
fn lanes_sharing_an_image_name_keep_separate_label_files() {
    let project = IlpProject::open(&fixture("multilane_1.4.ilp")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let written = import_ilp(&project, dir.path()).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "crop_lane1_labels.tiff",
            "crop_lane3_labels.tiff",
            "steinbock_labels.tiff"
        ]
    );
    for (path, lane) in written.iter().zip([1, 3, 4]) {
        let labels = pixelforest::io::read_label_image(path).unwrap();
        assert_eq!(&labels, project.lanes[lane].first_plane().unwrap());
    }
    // The training set pairs each labelled lane with its own image.
    let set = ilp_training_set(&project, None).unwrap();
    let sizes: Vec<(usize, usize)> = set
        .iter()
        .map(|(_, i, _)| (i.height(), i.width()))
        .collect();
    assert_eq!(sizes, [(40, 52), (36, 44), (48, 38)]);
}

#[test]
fn predict_applies_the_projects_own_forest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("probs");
    let status = Command::new(env!("CARGO_BIN_EXE_pixelforest"))
        .arg("predict")
        .arg("--model")
        .arg(fixture("multilane_1.4.ilp"))
        .arg(fixture("images/steinbock.h5"))
        .arg(fixture("images/unlabelled_first.h5"))
        .arg("--output-dir")
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    assert!(
        status.stderr.is_empty(),
        "--quiet printed {:?}",
        String::from_utf8_lossy(&status.stderr)
    );
    for (name, (h, w)) in [("steinbock", (48, 38)), ("unlabelled_first", (30, 34))] {
        let probs =
            pixelforest::io::read_probabilities(&out.join(format!("{name}_Probabilities.tiff")))
                .unwrap();
        assert_eq!(probs.dim(), (3, h, w));
        // uint16 renormalized: each pixel's classes sum to 65535 minus at most 3 (truncation).
        for y in 0..h {
            for x in 0..w {
                let sum: f32 = (0..3).map(|c| probs[[c, y, x]]).sum();
                assert!(
                    (0.99995..=1.00001).contains(&sum),
                    "{name} ({y}, {x}): {sum}"
                );
            }
        }
    }
}
