//! Forest benchmark against scikit-learn, same rows, same run.
//!
//! Realistic features from the demo data: synthetic IMC images (`pixelforest-synth`), five of
//! their markers (DNA1, HistoneH3, E-cadherin, CD45, panCK) through ilastik's filter bank at
//! sigma >= 1 (`pixelforest-features`, 5 x 40 = 200 features), labels from the images' ground
//! truth (nucleus, cytoplasm/membrane, background). Trains on 100,000 labelled pixels of one
//! image, measures accuracy on 20,000 held-out pixels of another, and predicts all 4,000,000
//! pixels (2000 x 2000, raster order) of that image; scikit-learn's
//! RandomForestClassifier(n_estimators=100, n_jobs=-1) does the same on the same rows
//! (`forest.py`). Both get the rows row-major (`predict_proba`); ours is also timed on
//! feature-major 256 x 256 tiles, the layout the pipeline hands over.
//! Overrides: PXF_BENCH_ROWS (prediction rows, a multiple of 2000), PXF_BENCH_TRAIN.
//! Run: cargo bench -p pixelforest-forest --bench forest

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use ndarray::{Array2, Axis};
use pixelforest_features::{compute_features, FeatureSelection};
use pixelforest_forest::{ForestSettings, RandomForest};
use pixelforest_synth::{generate, SynthSettings};
use rand::{RngExt, SeedableRng};

const MARKERS: [usize; 5] = [0, 2, 4, 5, 6];
const N_FEATURES: usize = MARKERS.len() * 40;
const N_TEST: usize = 20_000;
const WIDTH: usize = 2000;

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

fn write_f32(path: &Path, rows: &Array2<f32>) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create data file"));
    for v in rows.iter() {
        file.write_all(&v.to_le_bytes()).expect("write data file");
    }
    file.flush().expect("write data file");
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

/// A synthetic image's features (pixel-major rows, raster order) and ground truth.
fn demo_rows(height: usize, width: usize, seed: u64) -> (Array2<f32>, Vec<u8>) {
    let sample = generate(&SynthSettings {
        height,
        width,
        seed,
    });
    let image = sample.image.data().select(Axis(0), &MARKERS);
    let selection = FeatureSelection::preset("sigma>=1").expect("preset exists");
    let features = compute_features(image.view(), &selection);
    let n = height * width;
    let rows = features
        .into_shape_with_order((N_FEATURES, n))
        .expect("features are contiguous")
        .t()
        .as_standard_layout()
        .into_owned();
    (rows, sample.truth.iter().copied().collect())
}

/// Writes the rows both sides read: train_x/train_y (random labelled pixels of one image),
/// test_x/test_y (held-out pixels of another) and predict_x (every pixel of that other image).
fn write_data(dir: &Path, n_train: usize, n_predict: usize) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let side = (n_train * 2).isqrt().max(200);
    let (x, y) = demo_rows(side, side, 11);
    let picks: Vec<usize> = (0..n_train).map(|_| rng.random_range(0..y.len())).collect();
    write_f32(&dir.join("train_x.f32"), &x.select(Axis(0), &picks));
    let labels: Vec<u8> = picks.iter().map(|&i| y[i]).collect();
    std::fs::write(dir.join("train_y.u8"), labels).expect("write labels");
    drop(x);
    let (x, y) = demo_rows(n_predict / WIDTH, WIDTH, 12);
    let picks: Vec<usize> = (0..N_TEST).map(|_| rng.random_range(0..y.len())).collect();
    write_f32(&dir.join("test_x.f32"), &x.select(Axis(0), &picks));
    let labels: Vec<u8> = picks.iter().map(|&i| y[i]).collect();
    std::fs::write(dir.join("test_y.u8"), labels).expect("write labels");
    write_f32(&dir.join("predict_x.f32"), &x);
}

fn main() {
    let n_predict = env_usize("PXF_BENCH_ROWS", 4_000_000) / WIDTH * WIDTH;
    let n_train = env_usize("PXF_BENCH_TRAIN", 100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    write_data(dir.path(), n_train, n_predict);
    println!(
        "data: demo images, {N_FEATURES} features (5 markers x ilastik sigma>=1), 3 classes from \
         ground truth; {n_train} train pixels, {N_TEST} held-out pixels, {n_predict} prediction \
         pixels ({:.1} s to make); {} rayon threads",
        t.elapsed().as_secs_f64(),
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
        let mut cols_s = 0.0;
        let mut n_cols = 0;
        for y0 in (0..rows.nrows() / WIDTH).step_by(256) {
            let y1 = (y0 + 256).min(rows.nrows() / WIDTH);
            for x0 in (0..WIDTH).step_by(256) {
                let x1 = (x0 + 256).min(WIDTH);
                let tile: Vec<usize> = (y0..y1)
                    .flat_map(|y| (x0..x1).map(move |x| y * WIDTH + x))
                    .collect();
                n_cols += tile.len();
                let columns = rows
                    .select(Axis(0), &tile)
                    .t()
                    .as_standard_layout()
                    .into_owned();
                let t = Instant::now();
                let p = forest.predict_proba_columns(columns.view());
                cols_s += t.elapsed().as_secs_f64();
                std::hint::black_box(p);
            }
        }
        println!(
            "ours: predict_proba_columns {n_cols} pixels in 256 x 256 feature-major tiles: {cols_s:.2} s = {:.2} M px/s",
            n_cols as f64 / cols_s / 1e6
        );
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
