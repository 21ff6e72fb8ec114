//! Issue 3's benchmark: pixelforest's predict (features + forest, tiled, all cores) against the
//! Python pipeline (fastfilters2 features + scikit-learn RandomForestClassifier, 100 trees, same
//! feature set) on the same prepared synthetic image and the same scribble labels, in one run.
//! Run: cargo bench -p pixelforest-pipeline --bench end_to_end   (SIZE=raw edge, default 500)

use std::time::Instant;

/// The allocator of the `pixelforest` binary, so the bench measures what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pixelforest_core::default_classes;
use pixelforest_features::FeatureSelection;
use pixelforest_forest::ForestSettings;
use pixelforest_pipeline::{
    argmax_classes, predict_image, score, train_model, upscale_labels, DEFAULT_TILE,
};
use pixelforest_prepare::{prepare_image, PrepareSettings};
use pixelforest_synth::{generate, SynthSettings};

fn main() {
    let size: usize = std::env::var("SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let sample = generate(&SynthSettings {
        height: size,
        width: size,
        seed: 1,
    });
    let image = prepare_image(&sample.image, &PrepareSettings::default());
    let labels = upscale_labels(&sample.scribbles, 2);
    let truth = upscale_labels(&sample.truth, 2);
    let (c, h, w) = image.data().dim();
    let mpx = (h * w) as f64 / 1e6;
    let selection = FeatureSelection::preset("sigma>=1").expect("preset exists");
    println!(
        "image {h}x{w}x{c} (prepared synthetic), {} labelled pixels, {} features",
        labels.iter().filter(|&&l| l != 0).count(),
        selection.n_features(c)
    );

    let t = Instant::now();
    let model = train_model(
        &[(image.clone(), labels.clone())],
        &selection,
        &default_classes(),
        &ForestSettings::default(),
    )
    .expect("training works");
    let ours_train = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let probs = predict_image(&model, &image, DEFAULT_TILE).expect("prediction works");
    let ours_pred = t.elapsed().as_secs_f64();
    let ours_acc = score(&argmax_classes(&probs), &truth, 3).accuracy;
    println!(
        "pixelforest: train {ours_train:.2} s; predict (features + forest) {ours_pred:.2} s = {:.3} Mpx/s; accuracy vs truth {ours_acc:.4}",
        mpx / ours_pred
    );

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
    match out {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let v: Vec<f64> = text
                .split_whitespace()
                .filter_map(|s| s.parse().ok())
                .collect();
            let (feat, train, pred) = (v[0], v[1], v[2]);
            let peer = feat + pred;
            let argmax_path = format!("{}.peer_argmax.npy", img_path.display());
            let peer_acc = read_npy_u8(&argmax_path)
                .map_or(f64::NAN, |a| {
                    let a = ndarray::Array2::from_shape_vec((h, w), a).expect("peer shape");
                    score(&a, &truth, 3).accuracy
                });
            println!(
                "fastfilters2 + scikit-learn: train {train:.2} s; predict (features {feat:.2} s + forest {pred:.2} s) {peer:.2} s = {:.3} Mpx/s; accuracy vs truth {peer_acc:.4}",
                mpx / peer
            );
            println!(
                "ratio (end-to-end predict): pixelforest is {:.1}x faster; training {:.1}x",
                peer / ours_pred,
                train / ours_train
            );
        }
        Ok(out) => println!(
            "Python peer failed (pip install fastfilters2 scikit-learn opencv-python-headless):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => println!("Python peer not run: {e}"),
    }
}

/// Reads the data of a 1-D uint8 `.npy` file.
fn read_npy_u8(path: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path).ok()?;
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    Some(bytes[10 + header_len..].to_vec())
}
