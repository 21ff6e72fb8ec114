//! Random training crops, seeded, as the reference workflow cuts them from the scaled image.

use ndarray::s;
use pixelforest_core::Image;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A crop rectangle in scaled-image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropRect {
    /// Left column.
    pub x: usize,
    /// Top row.
    pub y: usize,
    /// Width.
    pub w: usize,
    /// Height.
    pub h: usize,
}

/// `n` seeded random crop rectangles of `size` inside a `height` x `width` image; a side shorter
/// than `size` is taken whole.
pub fn random_crops(
    height: usize,
    width: usize,
    size: usize,
    n: usize,
    seed: u64,
) -> Vec<CropRect> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let size = size.max(1);
    (0..n)
        .map(|_| {
            let w = size.min(width);
            let h = size.min(height);
            let x = if width > w {
                rng.random_range(0..=width - w)
            } else {
                0
            };
            let y = if height > h {
                rng.random_range(0..=height - h)
            } else {
                0
            };
            CropRect { x, y, w, h }
        })
        .collect()
}

/// Cuts `rect` out of `image` (clipped to the image), keeping the channel names.
///
/// # Panics
/// Never: a crop has the image's channels, so its names fit.
pub fn crop(image: &Image, rect: CropRect) -> Image {
    let y1 = (rect.y + rect.h).min(image.height());
    let x1 = (rect.x + rect.w).min(image.width());
    let y0 = rect.y.min(y1);
    let x0 = rect.x.min(x1);
    let data = image.data().slice(s![.., y0..y1, x0..x1]).to_owned();
    Image::new(data, image.channels().to_vec()).expect("a crop keeps the channel count")
}
