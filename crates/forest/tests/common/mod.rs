//! Small deterministic data sets shared by the forest tests.
#![allow(dead_code)]

use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `n` rows of `n_features` uniform noise features and a label 1..=n_classes that depends on
/// feature 0 and 1 with some overlap.
pub fn noisy(n: usize, n_features: usize, n_classes: u8, seed: u64) -> (Array2<f32>, Vec<u8>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, n_features), |_| rng.random_range(0.0f32..1.0));
    let y = (0..n)
        .map(|i| {
            let s = x[[i, 0]] + 0.5 * x[[i, 1]] + rng.random_range(-0.2f32..0.2);
            1 + ((s / 1.5 * f32::from(n_classes)).clamp(0.0, f32::from(n_classes) - 1.0)) as u8
        })
        .collect();
    (x, y)
}

/// Two classes separated on feature 0 by a gap: class 1 below 0.4, class 2 above 0.6.
pub fn separable(n: usize, seed: u64) -> (Array2<f32>, Vec<u8>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Array2::from_shape_fn((n, 3), |_| rng.random_range(0.0f32..1.0));
    let y: Vec<u8> = (0..n).map(|i| 1 + (i % 2) as u8).collect();
    for i in 0..n {
        let v = rng.random_range(0.0f32..0.4);
        x[[i, 0]] = if y[i] == 1 { v } else { 0.6 + v };
    }
    (x, y)
}
