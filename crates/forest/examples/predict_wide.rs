//! Prediction time on random wide rows (480 features, as 12 channels x 40 features; no spatial
//! coherence, so mostly the per-row walk), row-major and feature-major, for tuning.
use std::time::Instant;

use ndarray::Array2;
use pixelforest_forest::{ForestSettings, RandomForest};

fn main() {
    let (n_train, n_pred, f) = (30_000usize, 200_000usize, 480usize);
    let mut state = 7u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    let x = Array2::from_shape_fn((n_train, f), |_| next());
    let y: Vec<u8> = (0..n_train)
        .map(|i| 1 + ((x[[i, 0]] + x[[i, 7]] * 0.5 + x[[i, 100]] * 0.3) * 2.0) as u8 % 3)
        .collect();
    let (forest, _) = RandomForest::train(x.view(), &y, 3, &ForestSettings::default()).unwrap();
    let cols = Array2::from_shape_fn((f, n_pred), |_| next());
    let rows = cols.t().as_standard_layout().into_owned();
    let t = Instant::now();
    let p = forest.predict_proba(rows.view());
    println!(
        "predict_proba (row-major) {n_pred} x {f}: {:.2} s ({:.3} M rows/s) {}",
        t.elapsed().as_secs_f64(),
        n_pred as f64 / 1e6 / t.elapsed().as_secs_f64(),
        p.sum()
    );
    let t = Instant::now();
    let p = forest.predict_proba_columns(cols.view());
    println!(
        "predict {n_pred} x {f}: {:.2} s ({:.3} M rows/s) {}",
        t.elapsed().as_secs_f64(),
        n_pred as f64 / 1e6 / t.elapsed().as_secs_f64(),
        p.sum()
    );
}
