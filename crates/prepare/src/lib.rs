//! The prepare layer: what the reference workflow's CellProfiler pipeline does to each stack,
//! on arrays only (no files).
//!
//! Contract used by the layers above (keep these signatures; add freely).

use pixelforest_core::Image;

/// The summary channel prepended as channel 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Summary {
    /// Mean of the channels x 100 (current CellProfiler pipeline and steinbock).
    #[default]
    Mean,
    /// Sum of the channels (older versions of the workflow).
    Sum,
    /// No summary channel.
    None,
}

/// Settings of one `prepare` run.
#[derive(Debug, Clone, PartialEq)]
pub struct PrepareSettings {
    /// A pixel exceeding the maximum of its 8 neighbours by more than this is clipped to it; 0 disables.
    pub hot_pixel_threshold: f32,
    pub summary: Summary,
    /// Integer upscaling factor (bilinear on pixel centres, OpenCV INTER_LINEAR semantics).
    pub scale: usize,
}

impl Default for PrepareSettings {
    fn default() -> Self {
        Self {
            hot_pixel_threshold: 50.0,
            summary: Summary::Mean,
            scale: 2,
        }
    }
}

/// A crop rectangle in scaled-image pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropRect {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
}

/// Hot-pixel filter, summary channel, upscaling: the full prepared (`_s2`) image.
pub fn prepare_image(image: &Image, settings: &PrepareSettings) -> Image {
    let _ = (image, settings);
    todo!("prepare: prepare_image")
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
    let _ = (height, width, size, n, seed);
    todo!("prepare: random_crops")
}

/// Cuts `rect` out of `image`.
pub fn crop(image: &Image, rect: CropRect) -> Image {
    let _ = (image, rect);
    todo!("prepare: crop")
}
