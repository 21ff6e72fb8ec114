//! numpy's sum and mean, to the bit.
//!
//! CellProfiler's thresholds and scipy's kernels are means and sums taken by numpy, whose
//! `add.reduce` over a contiguous run is a pairwise sum in the array's own type (numpy
//! `loops_utils.h.src`, `pairwise_sum`): under 8 values a plain loop, up to 128 values eight
//! interleaved accumulators joined as `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))` then the tail,
//! above that the two halves (the first a multiple of 8 long) summed apart. A float32 mean
//! is that float32 sum divided by the count in float64 and rounded back (`_methods._mean`).
//! Rounding differs from a running sum in the last bits, which moves Li's threshold on
//! near-constant images (checked against numpy 1.23 and 2.4 on random arrays).

use std::ops::Add;

/// numpy's block below which the pairwise sum runs its unrolled loop.
const BLOCK: usize = 128;

/// `numpy.sum` of a contiguous 1-D array of `T` (float32 or float64), in `T`.
pub(crate) fn pairwise_sum<T>(values: &[T]) -> T
where
    T: Copy + Default + Add<Output = T>,
{
    let n = values.len();
    if n < 8 {
        return values.iter().fold(T::default(), |acc, &v| acc + v);
    }
    if n <= BLOCK {
        let mut r = [T::default(); 8];
        r.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        for chunk in values[8..whole].chunks_exact(8) {
            for (acc, &v) in r.iter_mut().zip(chunk) {
                *acc = *acc + v;
            }
        }
        let head = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        return values[whole..].iter().fold(head, |acc, &v| acc + v);
    }
    let half = n / 2;
    let half = half - half % 8;
    pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
}

/// `numpy.mean` of a float32 array: the float32 pairwise sum over the count, divided in
/// float64 and rounded to float32 (NaN when empty, as numpy's `0 / 0`).
pub(crate) fn mean_f32(values: &[f32]) -> f32 {
    (f64::from(pairwise_sum(values)) / values.len() as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A running sum, to show where the pairwise order matters.
    fn running(values: &[f32]) -> f32 {
        values.iter().fold(0.0, |a, &v| a + v)
    }

    #[test]
    fn short_arrays_are_a_running_sum() {
        let v = [0.1f32, 0.2, 0.3, 1e-8, 7.0, 0.25, 3.5];
        assert_eq!(pairwise_sum(&v).to_bits(), running(&v).to_bits());
    }

    #[test]
    fn long_arrays_are_summed_in_numpys_order_not_a_running_sum() {
        // numpy 1.23.5 and 2.4.6: (np.arange(1, 4100, dtype=np.float32) / np.float32(7)).sum()
        // == 1200421.5 and .mean() == 292.8571472167969; a running float32 sum gives 1200421.375.
        let v: Vec<f32> = (1..=4099u16).map(|i| f32::from(i) / 7.0).collect();
        assert_eq!(pairwise_sum(&v), 1_200_421.5_f32);
        assert_eq!(f64::from(running(&v)), 1_200_421.375);
        assert_eq!(f64::from(mean_f32(&v)), 292.857_147_216_796_9);
    }

    #[test]
    fn an_empty_mean_is_nan() {
        assert!(mean_f32(&[]).is_nan());
    }
}
