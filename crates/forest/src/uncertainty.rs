//! ilastik's pixel uncertainty ("ensemble margin").

use ndarray::{Array1, ArrayView2, Axis};

/// ilastik's uncertainty of (class, pixel) probabilities: 1 - (p_max - p_second).
///
/// Computed as ilastik's `OpEnsembleMargin` does: the two largest values of each pixel, their
/// difference in f32, then `1 - difference`; with one class (or none) every pixel is 0.
pub fn uncertainty(probs: ArrayView2<f32>) -> Array1<f32> {
    let n_pixels = probs.ncols();
    if probs.nrows() <= 1 {
        return Array1::zeros(n_pixels);
    }
    let mut first = Array1::from_elem(n_pixels, f32::NEG_INFINITY);
    let mut second = Array1::from_elem(n_pixels, f32::NEG_INFINITY);
    for class_row in probs.axis_iter(Axis(0)) {
        ndarray::Zip::from(&mut first)
            .and(&mut second)
            .and(&class_row)
            .for_each(|first, second, &p| {
                if p > *first {
                    *second = *first;
                    *first = p;
                } else if p > *second {
                    *second = p;
                }
            });
    }
    ndarray::Zip::from(&first)
        .and(&second)
        .map_collect(|&a, &b| 1.0 - (a - b))
}
