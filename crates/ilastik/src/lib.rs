//! ilastik projects (`.ilp`, HDF5) read and written without ilastik: label classes, sparse labels
//! per lane, feature selection, lane raw-data locations, and the trained vigra forest.
//!
//! Part of the io layer: returns plain data (arrays, names, node lists); the pipeline turns it into
//! feature selections and forests.

pub use pixelforest_core::LabelClass;
