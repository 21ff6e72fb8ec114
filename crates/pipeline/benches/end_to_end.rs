//! Issue 18's benchmark, in one run on the same prepared synthetic image and scribble labels:
//! pixelforest's exact mode (the full selection) and pruned mode (`train --prune`) against the
//! Python pipeline (fastfilters2 features + scikit-learn RandomForestClassifier, 100 trees, same
//! feature set), end to end and features per core, with held-out accuracy of all three against
//! the generator's ground truth (pixels that carry no scribble).
//! Run: cargo bench -p pixelforest-pipeline --bench end_to_end
//! Environment: SIZE (raw edge, default 500, prepared 2x), PRUNE_TOL (points, default 0.5),
//! PEER=0 (skip the Python peer), REPEAT (exact predictions to time, best of; default 1),
//! TILE (tile edge of the predictions, default `DEFAULT_TILE`).

use std::time::Instant;

/// The allocator of the `pixelforest` binary, so the bench measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use ndarray::{Array2, Array3, Zip};
use pixelforest_core::{default_classes, Image};
use pixelforest_features::{compute_features_region_into, FeatureSelection, Region};
use pixelforest_forest::ForestSettings;
use pixelforest_pipeline::{
    argmax_classes, predict_image, score, train_model, train_pruned, upscale_labels, Model,
    DEFAULT_TILE,
};
use pixelforest_prepare::{prepare_image, PrepareSettings};
use pixelforest_synth::{generate, SynthSettings};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The peer's timings and held-out accuracy.
struct Peer {
    features: f64,
    train: f64,
    predict: f64,
    accuracy: f64,
}

fn main() {
    let size: usize = env("SIZE", 500);
    let tolerance: f64 = env("PRUNE_TOL", 0.5);
    let sample = generate(&SynthSettings {
        height: size,
        width: size,
        seed: 1,
    });
    let image = prepare_image(&sample.image, &PrepareSettings::default());
    let labels = upscale_labels(&sample.scribbles, 2);
    // Held out: the ground truth of every pixel without a scribble (score skips class 0).
    let held_out = Zip::from(&upscale_labels(&sample.truth, 2))
        .and(&labels)
        .map_collect(|&t, &l| if l == 0 { t } else { 0 });
    let (c, h, w) = image.data().dim();
    let mpx = (h * w) as f64 / 1e6;
    let selection = FeatureSelection::preset("sigma>=1").expect("preset exists");
    println!(
        "image {h}x{w}x{c} (prepared synthetic), {} labelled pixels, {} held-out pixels, {} features, {} threads, load average {}",
        labels.iter().filter(|&&l| l != 0).count(),
        held_out.iter().filter(|&&t| t != 0).count(),
        selection.n_features(c),
        rayon::current_num_threads(),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    let accuracy = |probs: &Array3<f32>| score(&argmax_classes(probs), &held_out, 3).accuracy;
    let settings = ForestSettings::default();
    let samples = [(image.clone(), labels.clone())];

    let t = Instant::now();
    let exact =
        train_model(&samples, &selection, &default_classes(), &settings).expect("training works");
    let exact_train = t.elapsed().as_secs_f64();
    let (exact_pred, exact_probs) = timed_predict(&exact, &image, env("REPEAT", 1));
    let exact_acc = accuracy(&exact_probs);
    let ours_feat = features_one_thread(&image, &selection);
    println!(
        "exact:  train {exact_train:.2} s; predict (features + forest) {exact_pred:.2} s = {:.3} Mpx/s; features alone on 1 thread {ours_feat:.2} s = {:.3} Mpx/s; held-out accuracy {exact_acc:.4}",
        mpx / exact_pred,
        mpx / ours_feat
    );

    let t = Instant::now();
    let (pruned, report) = train_pruned(
        &samples,
        &selection,
        &default_classes(),
        &settings,
        tolerance / 100.0,
    )
    .expect("pruned training works");
    let pruned_train = t.elapsed().as_secs_f64();
    let (pruned_pred, pruned_probs) = timed_predict(&pruned, &image, 1);
    let pruned_acc = accuracy(&pruned_probs);
    println!(
        "pruned (tolerance {tolerance} points): {} of {} pairs, {} of {} features (out-of-bag {:.4} -> {:.4}); train {pruned_train:.2} s; predict {pruned_pred:.2} s = {:.3} Mpx/s, {:.1}x exact; held-out accuracy {pruned_acc:.4} ({:+.2} points vs exact)",
        report.kept.len(),
        report.pairs_before,
        report.features_after,
        report.features_before,
        report.oob_accuracy_full,
        report.oob_accuracy_pruned,
        mpx / pruned_pred,
        exact_pred / pruned_pred,
        100.0 * (pruned_acc - exact_acc)
    );
    println!("pruned kept: {:?}", report.kept);

    if std::env::var("PEER").as_deref() == Ok("0") {
        return;
    }
    let Some(peer) = run_peer(&image, &labels, &held_out, &selection) else {
        return;
    };
    let peer_e2e = peer.features + peer.predict;
    println!(
        "fastfilters2 + scikit-learn: train {:.2} s; predict (features {:.2} s + forest {:.2} s) {peer_e2e:.2} s = {:.3} Mpx/s; held-out accuracy {:.4}",
        peer.train,
        peer.features,
        peer.predict,
        mpx / peer_e2e,
        peer.accuracy
    );
    println!(
        "ratios: exact {:.1}x the peer end to end (training {:.1}x); pruned {:.1}x the peer end to end; features per core {:.2}x fastfilters2",
        peer_e2e / exact_pred,
        peer.train / exact_train,
        peer_e2e / pruned_pred,
        peer.features / ours_feat
    );
}

/// Best of `repeat` predictions of `image`: (seconds, probabilities).
fn timed_predict(model: &Model, image: &Image, repeat: usize) -> (f64, Array3<f32>) {
    let mut best = f64::INFINITY;
    let mut probs = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let p = predict_image(model, image, env("TILE", DEFAULT_TILE)).expect("prediction works");
        best = best.min(t.elapsed().as_secs_f64());
        probs = Some(p);
    }
    (best, probs.expect("at least one run"))
}

/// Seconds to compute every feature of `image` tile by tile on one thread (the peer's
/// fastfilters2 runs on one), into one reused tile buffer as `predict` does.
fn features_one_thread(image: &Image, selection: &FeatureSelection) -> f64 {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("one-thread pool");
    let (c, h, w) = image.data().dim();
    let n = selection.n_features(c);
    pool.install(|| {
        let mut buffer = Array3::<f32>::zeros((n, DEFAULT_TILE, DEFAULT_TILE));
        let t = Instant::now();
        let tiles = (0..h).step_by(DEFAULT_TILE).flat_map(|y| {
            (0..w).step_by(DEFAULT_TILE).map(move |x| Region {
                y,
                x,
                h: DEFAULT_TILE.min(h - y),
                w: DEFAULT_TILE.min(w - x),
            })
        });
        for r in tiles {
            let mut out = buffer.slice_mut(ndarray::s![.., ..r.h, ..r.w]);
            compute_features_region_into(image.view(), selection, r, out.view_mut());
        }
        t.elapsed().as_secs_f64()
    })
}

/// Runs `end_to_end.py` on the same image and labels; `None` (with the reason printed) when
/// Python or its packages are missing.
fn run_peer(
    image: &Image,
    labels: &Array2<u8>,
    held_out: &Array2<u8>,
    selection: &FeatureSelection,
) -> Option<Peer> {
    let (c, h, w) = image.data().dim();
    let dir = tempfile::tempdir().expect("temp dir");
    let img_path = dir.path().join("image.f32");
    let lab_path = dir.path().join("labels.u8");
    let bytes: Vec<u8> = image.data().iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(&img_path, bytes).expect("write image");
    std::fs::write(&lab_path, labels.iter().copied().collect::<Vec<u8>>()).expect("write labels");
    let sigmas: Vec<String> = selection.sigmas.iter().map(|s| s.to_string()).collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/end_to_end.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&img_path)
        .arg(&lab_path)
        .args([c.to_string(), h.to_string(), w.to_string()])
        .arg(sigmas.join(","))
        .arg("42")
        .output();
    let out = match out {
        Ok(out) if out.status.success() => out,
        Ok(out) => {
            println!(
                "Python peer failed (pip install fastfilters2 scikit-learn opencv-python-headless):\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        Err(e) => {
            println!("Python peer not run: {e}");
            return None;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let argmax_path = format!("{}.peer_argmax.npy", img_path.display());
    let accuracy = read_npy_u8(&argmax_path).map_or(f64::NAN, |a| {
        let a = Array2::from_shape_vec((h, w), a).expect("peer shape");
        score(&a, held_out, 3).accuracy
    });
    Some(Peer {
        features: v[0],
        train: v[1],
        predict: v[2],
        accuracy,
    })
}

/// Reads the data of a 1-D uint8 `.npy` file.
fn read_npy_u8(path: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path).ok()?;
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    Some(bytes[10 + header_len..].to_vec())
}
