//! Forest benchmark against scikit-learn, same rows, same run.
//!
//! Trains on 100,000 labelled rows x 200 features (3 classes; a correlated scikit-learn
//! make_classification problem written by `forest.py`), predicts 4,000,000 rows, and compares
//! with scikit-learn's RandomForestClassifier(n_estimators=100, n_jobs=-1).
//! Overrides: PXF_BENCH_ROWS (prediction rows), PXF_BENCH_TRAIN (training rows).
//! Run: cargo bench -p pixelforest-forest --bench forest

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use ndarray::{s, Array2};
use pixelforest_forest::{ForestSettings, RandomForest};

const N_FEATURES: usize = 200;
const N_TEST: usize = 20_000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/forest.py")
}

fn read_f32(path: &Path, n_features: usize) -> Array2<f32> {
    let mut file = std::fs::File::open(path).expect("open data file");
    let len = file.metadata().expect("stat data file").len() as usize / 4;
    let mut values = vec![0f32; len];
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0;
    while at < len {
        let n = ((len - at) * 4).min(buf.len());
        file.read_exact(&mut buf[..n]).expect("read data file");
        for (v, c) in values[at..].iter_mut().zip(buf[..n].chunks_exact(4)) {
            *v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        at += n / 4;
    }
    Array2::from_shape_vec((len / n_features, n_features), values).expect("data shape")
}

fn accuracy(p: &Array2<f32>, y: &[u8]) -> f64 {
    let correct = p
        .rows()
        .into_iter()
        .zip(y)
        .filter(|(row, &label)| {
            let best = (0..row.len()).fold(0, |b, c| if row[c] > row[b] { c } else { b });
            best + 1 == label as usize
        })
        .count();
    correct as f64 / y.len() as f64
}

fn main() {
    let n_predict = env_usize("PXF_BENCH_ROWS", 4_000_000);
    let n_train = env_usize("PXF_BENCH_TRAIN", 100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let generated = Command::new("python3")
        .arg(script())
        .args(["generate", &dir.path().to_string_lossy()])
        .args([n_train, N_TEST, n_predict, N_FEATURES].map(|v| v.to_string()))
        .status();
    if !matches!(generated, Ok(s) if s.success()) {
        eprintln!(
            "forest bench: the data comes from forest.py; install its peer with \
             `pip install numpy scikit-learn` and rerun"
        );
        return;
    }
    println!(
        "data: make_classification 3 classes, {N_FEATURES} features (20 informative, 120 redundant), \
         {n_train} train rows, {N_TEST} held-out rows, {n_predict} prediction rows; {} rayon threads",
        rayon::current_num_threads()
    );

    let (ours_train, ours_predict, ours_acc) = {
        let x = read_f32(&dir.path().join("train_x.f32"), N_FEATURES);
        let y = std::fs::read(dir.path().join("train_y.u8")).expect("labels");
        let t = Instant::now();
        let (forest, report) =
            RandomForest::train(x.view(), &y, 3, &ForestSettings::default()).expect("train");
        let train_s = t.elapsed().as_secs_f64();
        let nodes: usize = forest.to_tree_specs().iter().map(Vec::len).sum();
        println!(
            "ours: trained in {train_s:.2} s, {nodes} nodes, OOB accuracy {:.4}",
            report.oob_accuracy
        );
        drop(x);
        let test = read_f32(&dir.path().join("test_x.f32"), N_FEATURES);
        let test_y = std::fs::read(dir.path().join("test_y.u8")).expect("labels");
        let acc = accuracy(&forest.predict_proba(test.view()), &test_y);
        let rows = read_f32(&dir.path().join("predict_x.f32"), N_FEATURES);
        let t = Instant::now();
        let p = forest.predict_proba(rows.view());
        let predict_s = t.elapsed().as_secs_f64();
        println!(
            "ours: predict_proba {} rows in {predict_s:.2} s = {:.2} M rows/s (checksum {:.1})",
            rows.nrows(),
            rows.nrows() as f64 / predict_s / 1e6,
            p.column(0).iter().map(|&v| f64::from(v)).sum::<f64>()
        );
        drop(p);
        // Feature-major tiles of 256 x 256 pixels, as the pipeline hands them over.
        let tile = 65_536;
        let n_cols = rows.nrows().min(1_048_576) / tile * tile;
        let mut cols_s = 0.0;
        for start in (0..n_cols).step_by(tile) {
            let columns = rows
                .slice(s![start..start + tile, ..])
                .t()
                .as_standard_layout()
                .into_owned();
            let t = Instant::now();
            let p = forest.predict_proba_columns(columns.view());
            cols_s += t.elapsed().as_secs_f64();
            std::hint::black_box(p);
        }
        if n_cols > 0 {
            println!(
                "ours: predict_proba_columns {n_cols} pixels in 65536-pixel tiles: {:.2} M px/s",
                n_cols as f64 / cols_s / 1e6
            );
        }
        (train_s, predict_s, acc)
    };
    println!("ours: held-out accuracy {ours_acc:.4}");

    let out = Command::new("python3")
        .arg(script())
        .args([
            "sklearn",
            &dir.path().to_string_lossy(),
            &N_FEATURES.to_string(),
        ])
        .output();
    let peer: Option<serde_json::Value> = out.ok().filter(|o| o.status.success()).and_then(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .last()
            .and_then(|l| serde_json::from_str(l).ok())
    });
    let Some(peer) = peer else {
        eprintln!("scikit-learn peer failed; install it with `pip install numpy scikit-learn`");
        return;
    };
    let sk_train = peer["train_s"].as_f64().unwrap_or(f64::NAN);
    let sk_predict = peer["predict_s"].as_f64().unwrap_or(f64::NAN);
    let sk_acc = peer["accuracy"].as_f64().unwrap_or(f64::NAN);
    println!(
        "scikit-learn: trained in {sk_train:.2} s, predicted {n_predict} rows in {sk_predict:.2} s = \
         {:.2} M rows/s, held-out accuracy {sk_acc:.4}",
        n_predict as f64 / sk_predict / 1e6
    );
    println!(
        "ratio (scikit-learn time / ours): train {:.2}x, predict {:.2}x; accuracy ours - sklearn = \
         {:+.2} points",
        sk_train / ours_train,
        sk_predict / ours_predict,
        (ours_acc - sk_acc) * 100.0
    );
}
