//! The segment layer: from class probabilities to single cells, on arrays only (no files).
//!
//! - [`identify`]: CellProfiler's algorithms as the reference pipeline (`2_segment_ilastik.cppipe`)
//!   runs them: Minimum Cross-Entropy threshold, primary objects with declumping, secondary
//!   objects by propagation.
//! - [`measure`]: per-cell measurements as steinbock writes them (mean intensities, region
//!   properties as scikit-image computes them, neighbours).

#![warn(missing_docs)]

mod error;
pub mod identify;
pub mod measure;

pub use error::{InvalidSetting, SegmentError};
pub use identify::{segment_probabilities, Masks, SegmentSettings};
pub use measure::{
    mean_intensities, neighbors, region_props, Intensities, MeasureError, Neighbor,
    NeighborSettings, NeighborType, ObjectIndex, RegionProps,
};
