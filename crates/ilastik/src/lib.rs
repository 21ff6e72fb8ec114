//! ilastik projects (`.ilp`, HDF5) read and written without ilastik: label classes, sparse labels
//! per lane, feature selection, lane raw-data locations.
//!
//! Part of the io layer: returns plain data (arrays, names, matrices); the pipeline turns it into
//! feature selections and training sets.
//!
//! ```
//! use pixelforest_ilastik::parse_headless_args;
//!
//! // steinbock's call of ilastik, as `pixelforest headless` receives it.
//! let args: Vec<String> = ["--headless", "--project=pixel.ilp", "--export_dtype=uint16", "img/a.h5/img"]
//!     .iter()
//!     .map(|s| s.to_string())
//!     .collect();
//! let parsed = parse_headless_args(&args).unwrap();
//! assert_eq!(parsed.export_dtype.as_deref(), Some("uint16"));
//! assert_eq!(parsed.inputs, ["img/a.h5/img"]);
//! ```

#![warn(missing_docs)]

mod axis_order;
mod block_slice;
mod bounded;
mod error;
mod export;
mod export_naming;
mod export_settings;
mod headless;
mod ilp_writer;
mod project;
mod vigra_forest;

pub use error::{FormatKind, IlpError, Result, TopologyValue, TreeProblem};
pub use export::{append_lanes, write_project, ExportLane, ExportProject, IlastikVersion};
pub use export_naming::{export_path, nickname};
pub use export_settings::{read_export_settings, StoredExport};
pub use headless::{parse_headless_args, BadValue, HeadlessArgs, HeadlessError, SUPPORTED_FLAGS};
pub use pixelforest_core::LabelClass;
pub use project::{IlpFeatures, IlpLane, IlpProject, LabelPlane, FEATURE_IDS};
pub use vigra_forest::{IlpForest, IlpNode};
