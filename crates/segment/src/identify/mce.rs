//! Minimum Cross-Entropy threshold, as CellProfiler 4's Threshold module computes it.
//!
//! CellProfiler 4.2 (`cellprofiler/modules/threshold.py`, `get_global_threshold`) does not call
//! centrosome for "Minimum Cross-Entropy": it calls
//! `skimage.filters.threshold_li(data, tolerance=max(min(diff(unique(data))) / 2, 0.5 / 65536))`
//! (scikit-image 0.18.3 pinned). Li's iteration starts from the mean of the data shifted to a
//! zero minimum and stops when a step is no larger than the tolerance; empty data gives 0 and
//! constant data its value, before Li is reached.
//!
//! Every image CellProfiler hands a module is float32 (`Image.set_image` casts), so Li runs in
//! float32 under numpy 1.x's rules: the shift, the means (pairwise sums, [`mean_f32`]), the
//! logarithms (numpy's own kernel, [`log_f32`]) and the step are float32; only the tolerance
//! and the step test are float64.
//! Computed in float64 instead, thresholds of near-empty probability maps moved enough to
//! split nuclei differently on 8 of steinbock's 15 test images.

use super::numpy_log::log_f32;
use super::numpy_sum::mean_f32;

/// CellProfiler's MCE threshold of `data` (all pixels: the pipelines use no image mask).
/// NaN values are left out.
#[must_use]
pub fn mce_threshold(data: &[f32]) -> f32 {
    let values: Vec<f32> = data.iter().copied().filter(|v| !v.is_nan()).collect();
    let Some(&first) = values.first() else {
        return 0.0;
    };
    if values.iter().all(|&v| v == first) {
        return first;
    }
    let tolerance = (min_step(&values) / 2.0).max(0.5 / 65536.0);
    li(
        values.into_iter().filter(|v| v.is_finite()).collect(),
        tolerance,
    )
}

/// `min(diff(unique(data)))` in float32, widened (numpy's `/ 2` then runs in float64).
fn min_step(values: &[f32]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f32::total_cmp);
    sorted.dedup();
    let step = sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f32::INFINITY, f32::min);
    f64::from(step)
}

/// `skimage.filters.threshold_li` (0.18.3) on finite float32 data in pixel order.
fn li(mut image: Vec<f32>, tolerance: f64) -> f32 {
    let Some(image_min) = image.iter().copied().reduce(f32::min) else {
        return 0.0;
    };
    for v in &mut image {
        *v -= image_min;
    }
    let mut t_next = mean_f32(&image);
    let mut step = f64::from(t_next) + 2.0 * tolerance;
    let (mut fore, mut back) = (Vec::new(), Vec::new());
    while step.abs() > tolerance {
        let t_curr = t_next;
        fore.clear();
        back.clear();
        for &v in &image {
            if v > t_curr {
                fore.push(v);
            } else {
                back.push(v);
            }
        }
        let (mean_fore, mean_back) = (mean_f32(&fore), mean_f32(&back));
        t_next = (mean_back - mean_fore) / (log_f32(mean_back) - log_f32(mean_fore));
        step = f64::from(t_next - t_curr);
    }
    t_next + image_min
}
