//! Where to label next: the square windows of an uncertainty map with the highest mean
//! uncertainty, not overlapping each other nor the crops already labelled. This is the
//! reference workflow's advice ("check if there are any regions of high uncertainty and crop
//! the corresponding image part ... and add it to the training data") done for the user.

use ndarray::{Array2, ArrayView2};

use crate::CropRect;

/// A window and its mean uncertainty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Where the window is.
    pub rect: CropRect,
    /// Its mean uncertainty.
    pub mean: f32,
}

/// Summed-area table with a zero first row and column: `t[y][x]` is the sum over `[0, y) x [0, x)`.
fn summed_area(map: ArrayView2<f32>) -> Array2<f64> {
    let (h, w) = map.dim();
    let mut t = Array2::<f64>::zeros((h + 1, w + 1));
    for y in 0..h {
        let mut row = 0.0f64;
        for x in 0..w {
            // NaN (no prediction) counts as certain: it must not attract labels.
            let v = map[[y, x]];
            row += if v.is_finite() { f64::from(v) } else { 0.0 };
            t[[y + 1, x + 1]] = t[[y, x + 1]] + row;
        }
    }
    t
}

/// Window origins along an axis of length `len`: every `stride`, and the last position, so the
/// far border is covered.
fn origins(len: usize, size: usize, stride: usize) -> Vec<usize> {
    let last = len - size;
    let mut v: Vec<usize> = (0..=last).step_by(stride).collect();
    if v.last() != Some(&last) {
        v.push(last);
    }
    v
}

fn overlaps(a: &CropRect, b: &CropRect) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

/// Up to `max` windows of `size` x `size` (clipped to the map) with the highest mean
/// uncertainty, best first, none overlapping another or any of `avoid`. Candidates are laid
/// every quarter window, so the best window is found to within `size / 8` pixels.
#[must_use]
pub fn uncertain_windows(
    map: ArrayView2<f32>,
    size: usize,
    avoid: &[CropRect],
    max: usize,
) -> Vec<Window> {
    let (h, w) = map.dim();
    if h == 0 || w == 0 || max == 0 {
        return Vec::new();
    }
    let (wh, ww) = (size.clamp(1, h), size.clamp(1, w));
    let stride = (size / 4).max(1);
    let table = summed_area(map);
    let area = (wh * ww) as f64;
    let mut candidates: Vec<Window> = Vec::new();
    for &y in &origins(h, wh, stride) {
        for &x in &origins(w, ww, stride) {
            let sum =
                table[[y + wh, x + ww]] - table[[y, x + ww]] - table[[y + wh, x]] + table[[y, x]];
            candidates.push(Window {
                rect: CropRect { x, y, w: ww, h: wh },
                mean: (sum / area) as f32,
            });
        }
    }
    // Best first; ties by position, so the choice is reproducible.
    candidates.sort_by(|a, b| {
        b.mean
            .total_cmp(&a.mean)
            .then((a.rect.y, a.rect.x).cmp(&(b.rect.y, b.rect.x)))
    });
    let mut picked: Vec<Window> = Vec::new();
    for c in candidates {
        if picked.len() == max {
            break;
        }
        if avoid
            .iter()
            .chain(picked.iter().map(|p| &p.rect))
            .any(|r| overlaps(r, &c.rect))
        {
            continue;
        }
        picked.push(c);
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_uncertain_patch_and_avoids_labelled_crops() {
        let mut map = Array2::<f32>::from_elem((100, 120), 0.1);
        // Two uncertain patches: one of 0.9 at (y 60..80, x 20..40), one of 0.7 at (10..30, 80..100).
        map.slice_mut(ndarray::s![60..80, 20..40]).fill(0.9);
        map.slice_mut(ndarray::s![10..30, 80..100]).fill(0.7);
        let best = uncertain_windows(map.view(), 20, &[], 2);
        assert_eq!(
            best[0].rect,
            CropRect {
                x: 20,
                y: 60,
                w: 20,
                h: 20
            }
        );
        assert!((best[0].mean - 0.9).abs() < 1e-6);
        assert_eq!(
            best[1].rect,
            CropRect {
                x: 80,
                y: 10,
                w: 20,
                h: 20
            }
        );
        // With the first patch already cropped, the second comes first and nothing overlaps it.
        let avoid = [CropRect {
            x: 10,
            y: 55,
            w: 40,
            h: 40,
        }];
        let next = uncertain_windows(map.view(), 20, &avoid, 3);
        assert_eq!(
            next[0].rect,
            CropRect {
                x: 80,
                y: 10,
                w: 20,
                h: 20
            }
        );
        assert!(next.iter().all(|w| !overlaps(&w.rect, &avoid[0])));
        for (i, a) in next.iter().enumerate() {
            for b in &next[i + 1..] {
                assert!(!overlaps(&a.rect, &b.rect));
            }
        }
    }

    #[test]
    fn windows_are_clipped_to_small_maps_and_nan_is_certain() {
        let mut map = Array2::<f32>::from_elem((8, 6), 0.5);
        map[[0, 0]] = f32::NAN;
        let w = uncertain_windows(map.view(), 100, &[], 5);
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].rect,
            CropRect {
                x: 0,
                y: 0,
                w: 6,
                h: 8
            }
        );
        assert!((w[0].mean - 0.5 * 47.0 / 48.0).abs() < 1e-6);
        assert!(uncertain_windows(Array2::<f32>::zeros((0, 5)).view(), 10, &[], 3).is_empty());
    }
}
