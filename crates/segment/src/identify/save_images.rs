//! SaveImages' "16-bit integer": `skimage.util.img_as_uint` (scikit-image 0.18.3) of a float32
//! image: each value times 65535 in float32, rounded half to even, clipped to 0..=65535.
//! scikit-image refuses values outside [-1, 1] (and CellProfiler then fails the image); a
//! resized probability can exceed 1 by a rounding step, so values are clipped instead.

use ndarray::Array3;

/// The uint16 values SaveImages writes for a float32 image.
#[must_use]
pub fn img_as_uint(image: &Array3<f32>) -> Array3<u16> {
    image.mapv(|v| {
        let scaled = (v * 65535.0).round_ties_even();
        if scaled.is_nan() {
            0
        } else {
            scaled.clamp(0.0, 65535.0) as u16
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_to_even_in_float32_and_clips() {
        // 0.5 * 65535 = 32767.5 -> 32768 (even); 1.5 / 65535 -> 1.5 -> 2; 2.5 / 65535 -> 2.
        let v = Array3::from_shape_vec(
            (1, 1, 5),
            vec![0.5, 1.5 / 65535.0, 2.5 / 65535.0, 1.000_000_1, -0.1],
        )
        .unwrap();
        assert_eq!(
            img_as_uint(&v).into_raw_vec_and_offset().0,
            vec![32768, 2, 2, 65535, 0]
        );
    }
}
