//! pixelforest: fast pixel classification for multiplexed tissue images.
//!
//! The layers, each its own crate (data flows down; nothing imports upward):
//! [`io`] -> [`prepare`] / [`synth`] -> [`features`] -> [`forest`] -> [`pipeline`] -> cli / [`server`].

#![warn(missing_docs)]

pub use pixelforest_core as core;
pub use pixelforest_features as features;
pub use pixelforest_forest as forest;
pub use pixelforest_ilastik as ilastik;
pub use pixelforest_io as io;
pub use pixelforest_pipeline as pipeline;
pub use pixelforest_prepare as prepare;
pub use pixelforest_server as server;
pub use pixelforest_synth as synth;
