//! Rank codes of the training features, computed once per training run: every labelled value of
//! a feature gets a `u16` code, its rank among the feature's distinct values, so split search
//! sorts small integer keys instead of floats, and a split found on codes is a split on values.
//! A feature with more than [`MAX_CODES`] distinct values (more labelled pixels than that) gets
//! quantile bins of about equal counts instead, and a split then separates whole bins.
//!
//! Each code keeps the smallest and largest value it holds (one value when codes are ranks). A
//! split between the node's adjacent codes `a < b` gets the threshold midway between the largest
//! value of `a` and the smallest of `b`: with ranks, the midpoint between the node's adjacent
//! distinct values, which is where vigra's random forest (ilastik's) puts its thresholds.

use rayon::prelude::*;

/// Most codes per feature (`u16`).
const MAX_CODES: usize = 1 << 16;

/// Per code: the smallest and largest value with that code.
type Ranges = Vec<(f32, f32)>;

/// Codes and value ranges of the labelled samples.
pub(crate) struct Binned {
    /// Number of samples.
    pub n: usize,
    /// Feature-major codes: feature `f` of sample `i` at `f * n + i`.
    pub codes: Vec<u16>,
    /// Per feature, the value range of each code.
    ranges: Vec<Ranges>,
}

/// The shift that turns `n_codes` codes into at most 256 coarse bins (`code >> shift`).
fn coarse_shift(n_codes: usize) -> u32 {
    (0..16)
        .find(|&s| (n_codes.saturating_sub(1)) >> s < 256)
        .unwrap_or(16)
}

impl Binned {
    pub fn n_features(&self) -> usize {
        self.ranges.len()
    }

    /// The shift of feature `f`'s coarse bins (0: every code its own bin).
    pub fn shift(&self, f: usize) -> u32 {
        coarse_shift(self.ranges[f].len())
    }

    /// The codes of feature `f`, indexed by sample.
    pub fn codes_of(&self, f: usize) -> &[u16] {
        &self.codes[f * self.n..(f + 1) * self.n]
    }

    /// The threshold `t` of feature `f` between codes `left < right`: every value coded up to
    /// `left` is `<= t`, every value coded from `right` on is `> t`.
    pub fn threshold(&self, f: usize, left: u16, right: u16) -> f32 {
        let ranges = &self.ranges[f];
        split_threshold(ranges[usize::from(left)].1, ranges[usize::from(right)].0)
    }
}

/// The largest f32 below the exact midpoint of `a < b` (vigra's threshold, `(a + b) / 2` in
/// f64): for every f32 `x`, `x <= t` exactly when vigra's `x < (a + b) / 2`.
fn split_threshold(a: f32, b: f32) -> f32 {
    let mid = (f64::from(a) + f64::from(b)) / 2.0;
    let t = mid as f32;
    if f64::from(t) < mid {
        t
    } else {
        t.next_down()
    }
}

/// Orders f32 bits as the values (negative zero just below zero).
fn sort_key(v: f32) -> u32 {
    let bits = v.to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    }
}

/// Codes of one feature's values and the value range of each code.
fn code_column(column: &[f32]) -> (Vec<u16>, Ranges) {
    let n = column.len();
    let mut order: Vec<u64> = column
        .iter()
        .enumerate()
        .map(|(i, &v)| u64::from(sort_key(v)) << 32 | i as u64)
        .collect();
    order.sort_unstable();
    let value = |k: u64| column[(k & 0xFFFF_FFFF) as usize];
    let distinct = 1 + order
        .windows(2)
        .filter(|w| value(w[0]) != value(w[1]))
        .count();
    // Ranks when they fit; else a new code at a value change once a code holds `step` values.
    let step = if distinct <= MAX_CODES {
        1
    } else {
        n.div_ceil(MAX_CODES)
    };
    let mut codes = vec![0u16; n];
    let mut ranges: Ranges = Vec::new();
    let mut code_start = 0;
    for (pos, &k) in order.iter().enumerate() {
        let v = value(k);
        let new_code = match ranges.last() {
            None => true,
            Some(&(_, hi)) => hi != v && pos - code_start >= step && ranges.len() < MAX_CODES,
        };
        if new_code {
            ranges.push((v, v));
            code_start = pos;
        } else if let Some(last) = ranges.last_mut() {
            last.1 = v;
        }
        codes[(k & 0xFFFF_FFFF) as usize] = (ranges.len() - 1) as u16;
    }
    (codes, ranges)
}

/// Codes feature-major columns (`columns[f * n + i]`, all finite).
pub(crate) fn bin_columns(columns: &[f32], n: usize, n_features: usize) -> Binned {
    let per_feature: Vec<(Vec<u16>, Ranges)> = (0..n_features)
        .into_par_iter()
        .map(|f| code_column(&columns[f * n..(f + 1) * n]))
        .collect();
    let mut codes = Vec::with_capacity(n * n_features);
    let mut ranges = Vec::with_capacity(n_features);
    for (c, r) in per_feature {
        codes.extend_from_slice(&c);
        ranges.push(r);
    }
    Binned { n, codes, ranges }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_values_get_their_rank() {
        let col = [3.0f32, 1.0, 2.0, 1.0, 3.0, -0.0, 0.0];
        let b = bin_columns(&col, col.len(), 1);
        assert_eq!(b.codes, vec![3, 1, 2, 1, 3, 0, 0]);
        // Just below the midpoints: vigra sends `x < 1.5` left, so 1.5 itself goes right.
        assert_eq!(b.threshold(0, 1, 2), 1.5f32.next_down());
        assert_eq!(b.threshold(0, 0, 3), 1.5f32.next_down());
        assert_eq!(b.threshold(0, 2, 3), 2.5f32.next_down());
        assert_eq!(b.shift(0), 0);
        assert_eq!(
            (coarse_shift(256), coarse_shift(257), coarse_shift(65536)),
            (0, 1, 8)
        );
    }

    #[test]
    fn more_distinct_values_than_codes_get_quantile_bins() {
        let n = MAX_CODES * 3 + 5;
        let col: Vec<f32> = (0..n).map(|i| ((i * 7919) % n) as f32).collect();
        let b = bin_columns(&col, n, 1);
        let max = usize::from(*b.codes.iter().max().unwrap());
        assert!(max < MAX_CODES && max > MAX_CODES / 2, "{max}");
        for (&v, &c) in col.iter().zip(&b.codes) {
            let (lo, hi) = b.ranges[0][usize::from(c)];
            assert!(lo <= v && v <= hi);
            if usize::from(c) < max {
                let t = b.threshold(0, c, c + 1);
                assert!(v <= t && t < b.ranges[0][usize::from(c) + 1].0);
            }
        }
    }

    #[test]
    fn threshold_is_the_last_f32_below_the_exact_midpoint() {
        let a = 1.0f32;
        let b = a.next_up();
        // The midpoint lies between two f32s: `a` itself is the last one below it.
        assert_eq!(split_threshold(a, b), a);
        assert_eq!(split_threshold(1.0, 2.0), 1.5f32.next_down());
        assert_eq!(split_threshold(-2.0, -1.0), (-1.5f32).next_down());
        // 16777216 and 16777218 are adjacent f32s; their midpoint 16777217 is not an f32.
        assert_eq!(split_threshold(16_777_216.0, 16_777_218.0), 16_777_216.0);
        for (a, b) in [(0.1f32, 0.3f32), (-5.0, 7.25), (1e-30, 2e-30)] {
            let t = split_threshold(a, b);
            let mid = (f64::from(a) + f64::from(b)) / 2.0;
            assert!(
                f64::from(t) < mid && f64::from(t.next_up()) >= mid,
                "{a} {b}"
            );
        }
    }
}
