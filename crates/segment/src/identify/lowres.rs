//! IdentifyPrimaryObjects' maxima search at low resolution (`get_maxima` with an image resize
//! factor below 1): with a minimum diameter above 10 pixels CellProfiler samples the smoothed
//! image and the labels on a grid `10 / min diameter` as fine, looks for maxima there with a
//! fixed suppression disk (radius 6.5), and maps them back.
//!
//! The sampling is `scipy.ndimage.map_coordinates` (scipy 1.9, `ni_interpolation.c`,
//! `ni_splines.c`): cubic B-spline coefficients (gain, then a causal and an anti-causal pass
//! per axis with mirror-boundary initialisation, in float64), then at each point the 4x4
//! weighted sum; a coordinate outside `[0, len - 1]` gives 0 (`mode="constant"`), taps beyond
//! the edge read mirrored coefficients. Labels are sampled with `order=0` (nearest).

use ndarray::{Array2, Axis};

/// The cubic B-spline pole, `sqrt(3) - 2`.
const POLE: f64 = -0.267_949_192_431_122_7;

/// The sample positions along an axis of `len` pixels at `factor` (numpy's
/// `mgrid[0:len * factor] / factor`: `ceil(len * factor)` points).
pub(crate) fn down_positions(len: usize, factor: f64) -> Vec<f64> {
    let stop = len as f64 * factor;
    let count = stop.ceil().max(0.0) as usize;
    (0..count).map(|k| k as f64 / factor).collect()
}

/// The positions mapping a grid of `len` back onto one of `coarse` points
/// (`mgrid[0:len] / inverse`, `inverse = rows / coarse rows` for both axes, as CellProfiler).
pub(crate) fn up_positions(len: usize, inverse: f64) -> Vec<f64> {
    (0..len).map(|k| k as f64 / inverse).collect()
}

/// `map_coordinate` with `NI_EXTEND_MIRROR` for a tap index outside the line.
fn mirror(index: i64, len: usize) -> usize {
    let len = len as i64;
    if len <= 1 {
        return 0;
    }
    let sz2 = 2 * len - 2;
    let mut i = index;
    if i < 0 {
        i += sz2 * (-i / sz2);
        i = if i <= 1 - len { i + sz2 } else { -i };
    } else if i > len - 1 {
        i -= sz2 * (i / sz2);
        if i >= len {
            i = sz2 - i;
        }
    }
    i as usize
}

/// `spline_filter(image, order=3, mode="constant")`: float64 coefficients, axis 0 then 1.
pub(crate) fn spline_coefficients(image: &Array2<f64>) -> Array2<f64> {
    let mut c = image.clone();
    for axis in [Axis(0), Axis(1)] {
        let mut line = Vec::new();
        for mut lane in c.lanes_mut(axis) {
            if lane.len() <= 1 {
                continue;
            }
            line.clear();
            line.extend(lane.iter().copied());
            filter_line(&mut line);
            for (dst, &v) in lane.iter_mut().zip(&line) {
                *dst = v;
            }
        }
    }
    c
}

/// `apply_filter` for one pole with mirror initialisation (`_init_causal_mirror`,
/// `_init_anticausal_mirror`), after the gain.
fn filter_line(c: &mut [f64]) {
    let n = c.len();
    let z = POLE;
    let gain = (1.0 - z) * (1.0 - 1.0 / z);
    for v in c.iter_mut() {
        *v *= gain;
    }
    let z_n_1 = z.powf((n - 1) as f64);
    c[0] += z_n_1 * c[n - 1];
    let mut z_i = z;
    for i in 1..n - 1 {
        c[0] += z_i * (c[i] + z_n_1 * c[n - 1 - i]);
        z_i *= z;
    }
    c[0] /= 1.0 - z_n_1 * z_n_1;
    for i in 1..n {
        c[i] += z * c[i - 1];
    }
    c[n - 1] = (z * c[n - 2] + c[n - 1]) * z / (z * z - 1.0);
    for i in (0..n - 1).rev() {
        c[i] = z * (c[i + 1] - c[i]);
    }
}

/// `get_spline_interpolation_weights(x, 3)`.
fn cubic_weights(x: f64) -> [f64; 4] {
    let x = x - x.floor();
    let (y, z) = (x, 1.0 - x);
    let mut w = [0.0; 4];
    w[1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
    w[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
    w[0] = z * z * z / 6.0;
    w[3] = 1.0 - w[0] - w[1] - w[2];
    w
}

/// One axis of a sample: the four tap indices and weights, or `None` outside the image.
fn taps(position: f64, len: usize) -> Option<([usize; 4], [f64; 4])> {
    if position < 0.0 || position > len as f64 - 1.0 {
        return None;
    }
    let start = position.floor() as i64 - 1;
    let index = std::array::from_fn(|k| mirror(start + k as i64, len));
    Some((index, cubic_weights(position)))
}

/// `map_coordinates(image, positions)` (order 3) from precomputed `coefficients`, on the grid
/// `rows x cols` of positions; the values as float64 (callers round to the input's type).
pub(crate) fn sample_cubic(coefficients: &Array2<f64>, rows: &[f64], cols: &[f64]) -> Array2<f64> {
    let (h, w) = coefficients.dim();
    let row_taps: Vec<_> = rows.iter().map(|&r| taps(r, h)).collect();
    let col_taps: Vec<_> = cols.iter().map(|&c| taps(c, w)).collect();
    Array2::from_shape_fn((rows.len(), cols.len()), |(r, c)| {
        let (Some((yi, yw)), Some((xi, xw))) = (row_taps[r], col_taps[c]) else {
            return 0.0;
        };
        let mut t = 0.0;
        for (&iy, &wy) in yi.iter().zip(&yw) {
            for (&ix, &wx) in xi.iter().zip(&xw) {
                t += coefficients[[iy, ix]] * wy * wx;
            }
        }
        t
    })
}

/// `map_coordinates(labels, positions, order=0)`: the nearest label, 0 outside.
pub(crate) fn sample_nearest(labels: &Array2<i32>, rows: &[f64], cols: &[f64]) -> Array2<i32> {
    let (h, w) = labels.dim();
    let nearest = |p: f64, len: usize| {
        (p >= 0.0 && p <= len as f64 - 1.0).then(|| mirror((p + 0.5).floor() as i64, len))
    };
    let row_index: Vec<_> = rows.iter().map(|&r| nearest(r, h)).collect();
    let col_index: Vec<_> = cols.iter().map(|&c| nearest(c, w)).collect();
    Array2::from_shape_fn((rows.len(), cols.len()), |(r, c)| {
        match (row_index[r], col_index[c]) {
            (Some(y), Some(x)) => labels[[y, x]],
            _ => 0,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_numpy_mgrid() {
        // np.mgrid[0:100 * (10 / 12)] has 84 points (ceil(83.33)), each k / (10 / 12).
        let p = down_positions(100, 10.0 / 12.0);
        assert_eq!(p.len(), 84);
        assert_eq!(p[83], 83.0 / (10.0 / 12.0));
        assert_eq!(down_positions(100, 0.5).len(), 50);
    }

    #[test]
    fn cubic_samples_equal_scipy_map_coordinates() {
        // scipy 1.9: map_coordinates(np.fromfunction(lambda r, c: r + 2.0 * c, (12, 12)),
        // [[4.5, 5.25], [6.0, 3.75]]) -> [16.49924165824065, 12.753317745197172]; [[11.0], [0.0]]
        // -> 11.0 (the last row); [[11.5], [0.0]] -> 0 (outside, mode "constant").
        let image = Array2::from_shape_fn((12, 12), |(r, c)| r as f64 + 2.0 * c as f64);
        let coeffs = spline_coefficients(&image);
        let got = sample_cubic(&coeffs, &[4.5, 5.25], &[6.0, 3.75]);
        assert!(
            (got[[0, 0]] - 16.499_241_658_240_65).abs() < 1e-12,
            "{}",
            got[[0, 0]]
        );
        assert!(
            (got[[1, 1]] - 12.753_317_745_197_172).abs() < 1e-12,
            "{}",
            got[[1, 1]]
        );
        assert!((sample_cubic(&coeffs, &[11.0], &[0.0])[[0, 0]] - 11.0).abs() < 1e-12);
        assert_eq!(sample_cubic(&coeffs, &[11.5], &[0.0])[[0, 0]], 0.0);
    }

    #[test]
    fn mirror_indices_as_scipy() {
        assert_eq!(mirror(-1, 5), 1);
        assert_eq!(mirror(-2, 5), 2);
        assert_eq!(mirror(5, 5), 3);
        assert_eq!(mirror(6, 5), 2);
        assert_eq!(mirror(-3, 1), 0);
    }
}
