//! A contact sheet of suggested regions: each region's summary channel in grey, its uncertainty
//! over it in a heat colour, so a user sees at a glance where the classifier is unsure and why.

use ndarray::{s, Array2, Array3, ArrayView2};

/// One region to show: an image channel and the uncertainty map of the same pixels.
#[derive(Debug, Clone, Copy)]
pub struct SheetTile<'a> {
    /// The region's image, shown in grey.
    pub grey: ArrayView2<'a, f32>,
    /// Its uncertainty in [0, 1], overlaid.
    pub uncertainty: ArrayView2<'a, f32>,
}

/// The 1st and 99th percentiles of the finite values (display levels robust to hot pixels).
fn levels(grey: ArrayView2<f32>) -> (f32, f32) {
    let mut v: Vec<f32> = grey.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return (0.0, 1.0);
    }
    v.sort_by(f32::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    let (lo, hi) = (at(0.01), at(0.99));
    (lo, if hi > lo { hi } else { lo + 1.0 })
}

/// Heat colour (black-red-yellow-white ramp) of `u` in [0, 1].
fn heat(u: f32) -> [f32; 3] {
    let u = u.clamp(0.0, 1.0) * 3.0;
    [
        u.min(1.0),
        (u - 1.0).clamp(0.0, 1.0),
        (u - 2.0).clamp(0.0, 1.0),
    ]
}

/// Renders `tiles` in rows of `columns`, each in a `cell` x `cell` box with a 4-pixel gap;
/// returns RGB (y, x, 3). Uncertainty is blended over the grey at half its value as opacity,
/// so certain pixels show the image and uncertain ones glow.
#[must_use]
pub fn contact_sheet(tiles: &[SheetTile], columns: usize, cell: usize) -> Array3<u8> {
    const GAP: usize = 4;
    let columns = columns.clamp(1, tiles.len().max(1));
    let rows = tiles.len().div_ceil(columns).max(1);
    let (h, w) = (rows * (cell + GAP) + GAP, columns * (cell + GAP) + GAP);
    let mut sheet = Array3::<u8>::from_elem((h, w, 3), 32);
    for (i, tile) in tiles.iter().enumerate() {
        let (y0, x0) = (
            GAP + (i / columns) * (cell + GAP),
            GAP + (i % columns) * (cell + GAP),
        );
        let (lo, hi) = levels(tile.grey);
        let (th, tw) = tile.grey.dim();
        let (th, tw) = (th.min(cell), tw.min(cell));
        let mut rgb = Array2::<[u8; 3]>::from_elem((th, tw), [0; 3]);
        for ((y, x), px) in rgb.indexed_iter_mut() {
            let g = ((tile.grey[[y, x]] - lo) / (hi - lo)).clamp(0.0, 1.0);
            let u = tile.uncertainty.get((y, x)).copied().unwrap_or(0.0);
            let u = if u.is_finite() { u } else { 0.0 };
            let alpha = 0.5 * u.clamp(0.0, 1.0);
            let c = heat(u);
            *px = [0, 1, 2].map(|k| ((g * (1.0 - alpha) + c[k] * alpha) * 255.0).round() as u8);
        }
        let mut target = sheet.slice_mut(s![y0..y0 + th, x0..x0 + tw, ..]);
        for ((y, x, k), v) in target.indexed_iter_mut() {
            *v = rgb[[y, x]][k];
        }
    }
    sheet
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_land_in_their_cells_with_uncertainty_in_red() {
        let grey = Array2::<f32>::from_shape_fn((10, 10), |(y, _)| y as f32);
        let calm = Array2::<f32>::zeros((10, 10));
        let unsure = Array2::<f32>::from_elem((10, 10), 1.0);
        let tiles = [
            SheetTile {
                grey: grey.view(),
                uncertainty: calm.view(),
            },
            SheetTile {
                grey: grey.view(),
                uncertainty: unsure.view(),
            },
        ];
        let sheet = contact_sheet(&tiles, 2, 10);
        assert_eq!(sheet.dim(), (18, 32, 3));
        // Certain tile: grey levels, bottom row brightest.
        let (a, b) = (sheet[[4, 4, 0]], sheet[[13, 4, 0]]);
        assert!(a < b && sheet[[13, 4, 0]] == sheet[[13, 4, 1]]);
        // Uncertain tile: white heat at half opacity over grey -> the top row is mid grey, not black.
        assert_eq!(sheet[[4, 18, 0]], 128);
        // The gap keeps the background.
        assert_eq!(sheet[[0, 0, 0]], 32);
    }
}
