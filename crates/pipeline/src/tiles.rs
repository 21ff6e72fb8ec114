//! The tile grid images are processed in: memory per tile is bounded by the tile size, not the
//! image size.

use ndarray::{s, Array3};
use pixelforest_features::Region;

/// Regions of at most `tile` x `tile` pixels covering a `height` x `width` image, row-major.
pub fn tile_grid(height: usize, width: usize, tile: usize) -> Vec<Region> {
    let tile = tile.max(1);
    let mut regions = Vec::new();
    for y in (0..height).step_by(tile) {
        for x in (0..width).step_by(tile) {
            regions.push(Region {
                y,
                x,
                h: tile.min(height - y),
                w: tile.min(width - x),
            });
        }
    }
    regions
}

/// Puts per-tile results (channel, tile h, tile w) back together into (channel, height, width).
pub fn stitch(
    regions: &[Region],
    parts: Vec<Array3<f32>>,
    channels: usize,
    height: usize,
    width: usize,
) -> Array3<f32> {
    let mut out = Array3::<f32>::zeros((channels, height, width));
    for (r, part) in regions.iter().zip(parts) {
        out.slice_mut(s![.., r.y..r.y + r.h, r.x..r.x + r.w])
            .assign(&part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_every_pixel_once() {
        let (h, w) = (37, 90);
        let mut seen = vec![0u8; h * w];
        for r in tile_grid(h, w, 16) {
            assert!(r.h > 0 && r.w > 0 && r.h <= 16 && r.w <= 16);
            for y in r.y..r.y + r.h {
                for x in r.x..r.x + r.w {
                    seen[y * w + x] += 1;
                }
            }
        }
        assert!(seen.iter().all(|&c| c == 1));
        assert_eq!(tile_grid(37, 90, 16).len(), 3 * 6);
        assert!(tile_grid(0, 10, 16).is_empty());
    }
}
