//! Why a measurement cannot be made.

/// Errors of the measurements: inputs that do not fit together or settings out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MeasureError {
    /// The image and the mask differ in height or width.
    #[error("the image is {image_h}x{image_w} pixels but the mask is {mask_h}x{mask_w}")]
    ShapeMismatch {
        /// The image's height.
        image_h: usize,
        /// The image's width.
        image_w: usize,
        /// The mask's height.
        mask_h: usize,
        /// The mask's width.
        mask_w: usize,
    },
    /// The neighbour distance is negative, NaN or infinite.
    #[error("the neighbour distance must be a finite number >= 0, not {0}")]
    BadDistance(f64),
    /// k-nearest neighbours asked for with k = 0.
    #[error("the number of nearest neighbours must be at least 1")]
    ZeroNeighbors,
    /// Neither a distance nor a number of nearest neighbours bounds the neighbours.
    #[error("neighbours need a maximum distance, a number of nearest neighbours, or both")]
    Unbounded,
    /// Pixel expansion needs the distance to grow by and has no nearest neighbours (as
    /// steinbock refuses both).
    #[error("pixel expansion needs a maximum distance and does not take nearest neighbours")]
    ExpansionLimits,
}
