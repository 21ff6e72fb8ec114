//! Quantile binning of the training features: every feature gets at most 255 real-valued edges
//! and every sample a u8 bin code, computed once per training run, so split search works on
//! small histograms instead of sorting samples at every node.
//!
//! Bin `b` holds the values `x` with `edges[b - 1] < x <= edges[b]`, so "code <= b" is exactly
//! "x <= edges[b]": a split found on codes is the real split `x <= threshold` used in prediction.

use rayon::prelude::*;

/// Most bins per feature (u8 codes).
const MAX_BINS: usize = 256;
/// Edges are computed from at most this many values per feature (an evenly strided subsample).
const MAX_EDGE_SAMPLES: usize = 200_000;

/// Bin codes and edges of the labelled samples.
pub(crate) struct Binned {
    /// Number of samples.
    pub n: usize,
    /// Feature-major codes: feature `f` of sample `i` at `f * n + i`.
    pub codes: Vec<u8>,
    /// Per feature, ascending bin upper edges (`len() + 1` bins).
    pub edges: Vec<Vec<f32>>,
}

/// A threshold strictly below `b` and not below `a` (for `a < b`), as near the middle as f32 allows.
fn midpoint(a: f32, b: f32) -> f32 {
    let m = a + (b - a) * 0.5;
    if m >= b || !m.is_finite() {
        a
    } else {
        m
    }
}

/// Quantile edges of one feature's values (sorted in place).
fn edges_of(values: &mut [f32]) -> Vec<f32> {
    values.sort_unstable_by(f32::total_cmp);
    let n = values.len();
    let step = n.div_ceil(MAX_BINS).max(1);
    let mut edges = Vec::new();
    let mut next_target = step;
    for i in 1..n {
        if values[i - 1] < values[i] && i >= next_target {
            edges.push(midpoint(values[i - 1], values[i]));
            if edges.len() == MAX_BINS - 1 {
                break;
            }
            next_target = i + step;
        }
    }
    edges
}

/// Bins feature-major columns (`columns[f * n + i]`).
pub(crate) fn bin_columns(columns: &[f32], n: usize, n_features: usize) -> Binned {
    let per_feature: Vec<(Vec<f32>, Vec<u8>)> = (0..n_features)
        .into_par_iter()
        .map(|f| {
            let column = &columns[f * n..(f + 1) * n];
            let stride = n.div_ceil(MAX_EDGE_SAMPLES).max(1);
            let mut sample: Vec<f32> = column.iter().step_by(stride).copied().collect();
            let edges = edges_of(&mut sample);
            let codes = column
                .iter()
                .map(|&v| edges.partition_point(|&e| e < v) as u8)
                .collect();
            (edges, codes)
        })
        .collect();
    let mut codes = Vec::with_capacity(n * n_features);
    let mut edges = Vec::with_capacity(n_features);
    for (e, c) in per_feature {
        codes.extend_from_slice(&c);
        edges.push(e);
    }
    Binned { n, codes, edges }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each() {
        let col = [3.0f32, 1.0, 2.0, 1.0, 3.0];
        let b = bin_columns(&col, 5, 1);
        assert_eq!(b.edges[0], vec![1.5, 2.5]);
        assert_eq!(b.codes, vec![2, 0, 1, 0, 2]);
    }

    #[test]
    fn codes_agree_with_thresholds() {
        let col: Vec<f32> = (0..5000)
            .map(|i| ((i * 7919) % 1000) as f32 * 0.37)
            .collect();
        let b = bin_columns(&col, col.len(), 1);
        assert!(b.edges[0].len() <= 255 && b.edges[0].len() > 200);
        for (&v, &c) in col.iter().zip(&b.codes) {
            for (bin, &e) in b.edges[0].iter().enumerate() {
                assert_eq!(c as usize <= bin, v <= e);
            }
        }
    }

    #[test]
    fn midpoint_stays_below_the_upper_value() {
        let a = 1.0f32;
        let b = f32::from_bits(a.to_bits() + 1);
        assert_eq!(midpoint(a, b), a);
        assert_eq!(midpoint(1.0, 2.0), 1.5);
    }
}
