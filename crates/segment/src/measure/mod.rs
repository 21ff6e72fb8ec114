//! Per-cell measurements as steinbock writes them, on arrays only (no files):
//! mean intensities (`steinbock measure intensities`, scipy's `ndimage.mean`), region properties
//! (`steinbock measure regionprops`, scikit-image's moments-based `regionprops`) and neighbours
//! (`steinbock measure neighbors`: centroid distance, border distance or pixel expansion).
//!
//! Masks are `(y, x)` label images, 0 = background; objects are reported in ascending label
//! order, as `np.unique` and `regionprops` order them.

mod argpartition;
mod error;
mod feature_transform;
mod intensities;
mod neighbors;
mod objects;
mod regionprops;

pub use error::MeasureError;
pub use feature_transform::nearest_feature;
pub use intensities::{mean_intensities, Intensities};
pub use neighbors::{neighbors, Neighbor, NeighborSettings, NeighborType};
pub use objects::ObjectIndex;
pub use regionprops::{region_props, RegionProps};
