//! CellProfiler's identification algorithms as the reference pipelines run them, each in its
//! own file and each checked against the Python code CellProfiler 4 calls
//! (`tests/reference/`).

mod fill_holes;
mod heap;
mod label;
mod lowres;
mod matching;
mod maxima;
mod mce;
mod monotone_queue;
mod numpy_log;
mod numpy_sum;
mod pipeline;
mod primary;
mod propagate;
mod resize;
mod save_images;
mod secondary;
mod smooth;
mod threshold;
mod watershed;

pub use fill_holes::fill_labeled_holes;
pub use label::{label, relabel, Connectivity};
pub use matching::{match_objects, Detection};
pub use maxima::{binary_shrink, is_local_maximum, strel_disk};
pub use mce::mce_threshold;
pub use pipeline::{segment_probabilities, Masks, SegmentSettings};
pub use primary::{filter_min_area, identify_primary, PrimaryObjects, PrimarySettings};
pub use propagate::propagate;
pub use resize::{resize_bilinear, resize_labels, resize_stack, resized_len};
pub use save_images::img_as_uint;
pub use secondary::{identify_secondary, SecondarySettings};
pub use smooth::{
    declump_smooth, gaussian_filter, gaussian_filter_f32, smooth_module, smooth_with_mask, Border,
};
pub use threshold::ThresholdSettings;
pub use watershed::watershed;
