//! Agreement of a predicted class map with ground truth: pixel accuracy and per-class F1.

use ndarray::{Array2, Array3};

/// The most probable class (1-based) of every pixel of probabilities (class, y, x).
pub fn argmax_classes(probs: &Array3<f32>) -> Array2<u8> {
    let (k, h, w) = probs.dim();
    Array2::from_shape_fn((h, w), |(y, x)| {
        let mut best = 0;
        for c in 1..k {
            if probs[[c, y, x]] > probs[[best, y, x]] {
                best = c;
            }
        }
        (best + 1) as u8
    })
}

/// Scores of a prediction against truth over the pixels where truth is non-zero.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// Fraction of pixels whose class is right.
    pub accuracy: f64,
    /// F1 per class, index 0 = class 1.
    pub f1: Vec<f64>,
    /// Pixels scored.
    pub pixels: usize,
}

/// Compares `predicted` with `truth` (both 1..=n_classes, truth 0 = ignored).
pub fn score(predicted: &Array2<u8>, truth: &Array2<u8>, n_classes: usize) -> Scores {
    let mut confusion = vec![vec![0usize; n_classes]; n_classes];
    let mut pixels = 0;
    for (&p, &t) in predicted.iter().zip(truth.iter()) {
        if t == 0 || usize::from(t) > n_classes || p == 0 || usize::from(p) > n_classes {
            continue;
        }
        confusion[usize::from(t) - 1][usize::from(p) - 1] += 1;
        pixels += 1;
    }
    let correct: usize = (0..n_classes).map(|c| confusion[c][c]).sum();
    let f1 = (0..n_classes)
        .map(|c| {
            let tp = confusion[c][c] as f64;
            let predicted_c: usize = (0..n_classes).map(|t| confusion[t][c]).sum();
            let actual_c: usize = confusion[c].iter().sum();
            let denom = predicted_c as f64 + actual_c as f64;
            if denom > 0.0 {
                2.0 * tp / denom
            } else {
                0.0
            }
        })
        .collect();
    Scores {
        accuracy: if pixels > 0 {
            correct as f64 / pixels as f64
        } else {
            0.0
        },
        f1,
        pixels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_on_a_known_confusion() {
        let truth = Array2::from_shape_vec((1, 6), vec![1, 1, 2, 2, 3, 0]).unwrap();
        let pred = Array2::from_shape_vec((1, 6), vec![1, 2, 2, 2, 3, 1]).unwrap();
        let s = score(&pred, &truth, 3);
        assert_eq!(s.pixels, 5);
        assert!((s.accuracy - 0.8).abs() < 1e-12);
        // class 1: tp 1, predicted 1, actual 2 -> 2/3; class 2: tp 2, predicted 3, actual 2 -> 0.8.
        assert!((s.f1[0] - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.f1[1] - 0.8).abs() < 1e-12);
        assert!((s.f1[2] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn argmax_picks_the_first_of_ties() {
        let probs = Array3::from_shape_vec((3, 1, 2), vec![0.2, 0.5, 0.7, 0.5, 0.1, 0.0]).unwrap();
        assert_eq!(
            argmax_classes(&probs).into_raw_vec_and_offset().0,
            vec![2, 1]
        );
    }
}
