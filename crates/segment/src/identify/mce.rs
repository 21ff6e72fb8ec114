//! Minimum Cross-Entropy threshold, as CellProfiler 4's Threshold module computes it.
//!
//! CellProfiler 4.2 (`cellprofiler/modules/threshold.py`, `get_global_threshold`) does not call
//! centrosome for "Minimum Cross-Entropy": it calls
//! `skimage.filters.threshold_li(data, tolerance=max(min(diff(unique(data))) / 2, 0.5 / 65536))`
//! (scikit-image 0.18.3 pinned). Li's iteration starts from the mean of the data shifted to a
//! zero minimum and stops when a step is no larger than the tolerance; empty data gives 0 and
//! constant data its value, before Li is reached.

/// CellProfiler's MCE threshold of `data` (all pixels: the pipelines use no image mask).
#[must_use]
pub fn mce_threshold(data: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = data.iter().copied().filter(|v| !v.is_nan()).collect();
    if data.is_empty() {
        return 0.0;
    }
    if data.iter().all(|&v| v == data[0]) {
        return data[0];
    }
    sorted.sort_unstable_by(f64::total_cmp);
    let min_step = sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&d| d > 0.0)
        .fold(f64::INFINITY, f64::min);
    let tolerance = (min_step / 2.0).max(0.5 / 65536.0);
    li_sorted(&sorted, tolerance)
}

/// `skimage.filters.threshold_li` on ascending, NaN-free, non-constant data.
fn li_sorted(sorted: &[f64], tolerance: f64) -> f64 {
    let finite: Vec<f64> = sorted.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return 0.0;
    }
    let image_min = finite[0];
    let shifted: Vec<f64> = finite.iter().map(|v| v - image_min).collect();
    // Prefix sums (compensated) make each iteration's two means a binary search.
    let prefix = compensated_prefix(&shifted);
    let n = shifted.len();
    let total = prefix[n];
    let mut t_next = total / n as f64;
    let mut t_curr = -2.0 * tolerance;
    while (t_next - t_curr).abs() > tolerance {
        t_curr = t_next;
        // foreground = image > t_curr
        let split = shifted.partition_point(|&v| v <= t_curr);
        let mean_back = prefix[split] / split as f64;
        let mean_fore = (total - prefix[split]) / (n - split) as f64;
        t_next = (mean_back - mean_fore) / (mean_back.ln() - mean_fore.ln());
    }
    t_next + image_min
}

/// Neumaier-compensated running sums, `prefix[k] = sum(values[..k])`.
fn compensated_prefix(values: &[f64]) -> Vec<f64> {
    let mut prefix = Vec::with_capacity(values.len() + 1);
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    prefix.push(0.0);
    for &v in values {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            comp += (sum - t) + v;
        } else {
            comp += (v - t) + sum;
        }
        sum = t;
        prefix.push(sum + comp);
    }
    prefix
}
