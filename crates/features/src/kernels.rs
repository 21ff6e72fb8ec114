//! Gaussian kernels as vigra / fastfilters build them (for correlation, index 0 = offset -r).

/// Kernel radius for `sigma` and `window` (in sigmas): `floor(window * sigma + 0.5)`.
pub fn radius(sigma: f64, window: f64) -> usize {
    (window * sigma + 0.5).floor() as usize
}

/// The Gaussian derivative kernel of `order` (0, 1, 2), of `2r + 1` taps:
/// order 0 sums to 1; order 1 gives 1 on a unit ramp; order 2 has zero mean and gives 2 on x^2.
pub fn gaussian_kernel(sigma: f64, order: usize, window: f64) -> Vec<f32> {
    let r = radius(sigma, window) as i64;
    let g: Vec<f64> = (-r..=r)
        .map(|x| (-(x * x) as f64 / (2.0 * sigma * sigma)).exp())
        .collect();
    let xs: Vec<f64> = (-r..=r).map(|x| x as f64).collect();
    let k: Vec<f64> = match order {
        0 => {
            let s: f64 = g.iter().sum();
            g.iter().map(|v| v / s).collect()
        }
        1 => {
            let k: Vec<f64> = xs.iter().zip(&g).map(|(x, v)| x * v).collect();
            let norm: f64 = xs.iter().zip(&k).map(|(x, v)| x * v).sum();
            k.iter().map(|v| v / norm).collect()
        }
        _ => {
            let s2 = sigma * sigma;
            let k: Vec<f64> = xs
                .iter()
                .zip(&g)
                .map(|(x, v)| (x * x / s2 - 1.0) / s2 * v)
                .collect();
            let mean = k.iter().sum::<f64>() / k.len() as f64;
            let k: Vec<f64> = k.iter().map(|v| v - mean).collect();
            let norm: f64 = xs.iter().zip(&k).map(|(x, v)| x * x * v).sum::<f64>() / 2.0;
            k.iter().map(|v| v / norm).collect()
        }
    };
    k.into_iter().map(|v| v as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_normalisations() {
        let k0 = gaussian_kernel(1.6, 0, 2.0);
        assert_eq!(k0.len(), 2 * 3 + 1);
        assert!((k0.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let k1 = gaussian_kernel(1.0, 1, 2.0);
        let ramp: f32 = k1
            .iter()
            .enumerate()
            .map(|(i, k)| k * (i as f32 - 2.0))
            .sum();
        assert!((ramp - 1.0).abs() < 1e-6);
        let k2 = gaussian_kernel(1.0, 2, 2.0);
        assert!(k2.iter().sum::<f32>().abs() < 1e-6);
        let sq: f32 = k2
            .iter()
            .enumerate()
            .map(|(i, k)| k * (i as f32 - 2.0).powi(2))
            .sum();
        assert!((sq - 2.0).abs() < 1e-5);
    }
}
