//! Mean intensity of each channel per object: `steinbock measure intensities` (default
//! aggregation `mean`), which calls `scipy.ndimage.mean(img[c], labels=mask, index=objects)`
//! on the float32 image. scipy sums the float32 values in float64 in raster order (a
//! `bincount` with weights) and divides by the pixel count; summing in the same order here
//! gives the same float64 bit for bit.

use ndarray::{Array2, ArrayView2, ArrayView3, Axis};
use rayon::prelude::*;

use super::error::MeasureError;
use super::objects::ObjectIndex;

/// Mean intensities: one row per object (ascending label), one column per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Intensities {
    /// Object labels, ascending.
    pub objects: Vec<u32>,
    /// `(objects, channels)` means.
    pub means: Array2<f64>,
}

/// The mean of each channel of `image` (`(c, y, x)`) over each object of `mask` (`(y, x)`).
///
/// # Errors
/// [`MeasureError::ShapeMismatch`] when the image and the mask differ in size.
pub fn mean_intensities(
    image: ArrayView3<f32>,
    mask: ArrayView2<u32>,
    objects: &ObjectIndex,
) -> Result<Intensities, MeasureError> {
    let (_, h, w) = image.dim();
    if (h, w) != mask.dim() {
        return Err(MeasureError::ShapeMismatch {
            image_h: h,
            image_w: w,
            mask_h: mask.nrows(),
            mask_w: mask.ncols(),
        });
    }
    let n = objects.len();
    // Each pixel's object row, once for all channels (`usize::MAX`: background).
    let rows: Vec<usize> = mask
        .iter()
        .map(|&l| objects.position(l).unwrap_or(usize::MAX))
        .collect();
    let mut counts = vec![0u64; n];
    for &r in rows.iter().filter(|&&r| r != usize::MAX) {
        counts[r] += 1;
    }
    let columns: Vec<Vec<f64>> = image
        .axis_iter(Axis(0))
        .into_par_iter()
        .map(|plane| {
            let mut sums = vec![0.0f64; n];
            for (&r, &v) in rows.iter().zip(plane.iter()) {
                if r != usize::MAX {
                    sums[r] += f64::from(v);
                }
            }
            sums.iter()
                .zip(&counts)
                .map(|(s, &c)| s / c as f64)
                .collect()
        })
        .collect();
    let means = Array2::from_shape_fn((n, columns.len()), |(i, c)| columns[c][i]);
    Ok(Intensities {
        objects: objects.labels().to_vec(),
        means,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array3};

    #[test]
    fn means_are_per_object_and_per_channel() {
        let mask = array![[1u32, 1, 0], [2, 0, 2]];
        let mut image = Array3::<f32>::zeros((2, 2, 3));
        image
            .index_axis_mut(Axis(0), 0)
            .assign(&array![[1.0, 2.0, 100.0], [4.0, 100.0, 6.0]]);
        image
            .index_axis_mut(Axis(0), 1)
            .assign(&array![[0.5, 0.5, 9.0], [1.0, 9.0, 2.0]]);
        let idx = ObjectIndex::new(mask.view());
        let got = mean_intensities(image.view(), mask.view(), &idx).unwrap();
        assert_eq!(got.objects, vec![1, 2]);
        assert_eq!(got.means, array![[1.5, 0.5], [5.0, 1.5]]);
    }

    #[test]
    fn a_mask_of_another_size_is_refused() {
        let mask = Array2::<u32>::zeros((2, 2));
        let image = Array3::<f32>::zeros((1, 2, 3));
        let idx = ObjectIndex::new(mask.view());
        let err = mean_intensities(image.view(), mask.view(), &idx).unwrap_err();
        assert!(matches!(err, MeasureError::ShapeMismatch { mask_w: 2, .. }));
    }
}
