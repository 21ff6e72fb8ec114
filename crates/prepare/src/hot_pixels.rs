//! Hot-pixel filter, as steinbock's `filter_hot_pixels` (and the CellProfiler pipeline's
//! equivalent): `np.where(img - max_neighbour > thres, max_neighbour, img)`, where
//! `max_neighbour` is `scipy.ndimage.maximum_filter` with a 3x3 footprint without the centre and
//! `mode="mirror"` (the edge pixel is not repeated).

use ndarray::{Array2, ArrayView2};

/// Mirror index (scipy "mirror": ... 2 1 | 0 1 2 ... n-1 | n-2 ...) for one-pixel overhangs.
fn mirror(i: isize, n: usize) -> usize {
    let n = n as isize;
    if n == 1 {
        return 0;
    }
    let j = if i < 0 {
        -i
    } else if i >= n {
        2 * (n - 1) - i
    } else {
        i
    };
    j.clamp(0, n - 1) as usize
}

/// Maximum of the 8 neighbours of every pixel (mirror at the borders).
pub fn max_of_neighbours(channel: ArrayView2<f32>) -> Array2<f32> {
    let (h, w) = channel.dim();
    Array2::from_shape_fn((h, w), |(y, x)| {
        let mut m = f32::NEG_INFINITY;
        for dy in -1isize..=1 {
            for dx in -1isize..=1 {
                if dy == 0 && dx == 0 {
                    continue;
                }
                let yy = mirror(y as isize + dy, h);
                let xx = mirror(x as isize + dx, w);
                m = m.max(channel[[yy, xx]]);
            }
        }
        m
    })
}

/// Replaces every pixel exceeding the maximum of its 8 neighbours by more than `threshold`
/// with that maximum; `threshold <= 0` leaves the channel unchanged.
pub fn filter_hot_pixels(channel: ArrayView2<f32>, threshold: f32) -> Array2<f32> {
    if threshold <= 0.0 {
        return channel.to_owned();
    }
    let max = max_of_neighbours(channel);
    let mut out = channel.to_owned();
    out.zip_mut_with(&max, |v, &m| {
        if *v - m > threshold {
            *v = m;
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_does_not_repeat_the_edge() {
        assert_eq!(mirror(-1, 5), 1);
        assert_eq!(mirror(5, 5), 3);
        assert_eq!(mirror(-1, 1), 0);
        assert_eq!(mirror(2, 5), 2);
    }
}
