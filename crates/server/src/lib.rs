//! The browser labeling UI: an HTTP server on loopback serving the page, image tiles, labels,
//! training and prediction overlays for a project folder. Calls `pipeline` for all computation.
//!
//! # Project folder
//! - images: `*.h5`, `*.hdf5`, `*.tif`, `*.tiff` directly in the project folder and in its `ilastik/` and
//!   `crops/` subfolders (sorted by relative path; an image's id is its index in that list);
//! - labels: `labels/<image stem>_labels.png` for images of the project folder, `labels/<subfolder>/<image
//!   stem>_labels.png` for those of `ilastik/` and `crops/` (u8, 0 = unlabeled, 1..=K = class), written
//!   atomically;
//! - classes and training settings (feature selection, trees, seed): `pixelforest.json`
//!   ([`ProjectSettings`], pipeline's type, which `train` reads too), written atomically;
//! - model: `classifier.pxf`, written on request (`POST /api/model`) and read again when the server starts.
//!
//! # HTTP API
//! Every error is a 4xx/5xx response with a JSON body `{"error": "..."}` (409 for overlays or the model
//! before any training; 503 for a request not done within two minutes). Requests from another origin, or naming the server by a DNS name other than
//! `localhost`, get 403: the API has no authentication. `{id}` is an image's index in `GET /api/images` or
//! its plain file name (no separators, no `..`).
//!
//! | method | path | body / query | answer |
//! |---|---|---|---|
//! | GET | `/` | | the labeling page (HTML) |
//! | GET | `/ui/{file}` | | the page's stylesheet and ES modules (`src/ui/`, served as they are) |
//! | GET | `/api/images` | | `[{id, name, has_labels, width, height, channels: [names]}]` (`error` instead of the size if unreadable) |
//! | GET | `/api/images/{id}/channel/{c}/stats` | | `{min, max, low, high}`: data range and 0.5 / 99.5 % percentiles |
//! | GET | `/api/images/{id}/channel/{c}.png` | `min=&max=` or `auto=1` (default) | 8-bit grey PNG, window-levelled |
//! | GET | `/api/images/{id}/composite.png` | `c=0,1,2` (1 to 3 channels, red/green/blue), `min=a,b,c&max=a,b,c` (one value or one per channel; missing = auto) | 8-bit RGB PNG |
//! | GET | `/api/images/{id}/labels` | | label map as RLE JSON (below); all zero if none saved |
//! | PUT | `/api/images/{id}/labels` | RLE JSON (below) | `{saved: path}`; size must match the image, values <= number of classes |
//! | GET | `/api/classes` | | `[{name, color: [r, g, b]}]` |
//! | PUT | `/api/classes` | `[{name, color}]` (1 to 255 classes) | the stored classes |
//! | POST | `/api/train` | | status (below); trains in the background on every labelled image |
//! | GET | `/api/status` | `wait=G` (optional) | `{state: idle/training/ready/error, generation, has_model, error, labelled_images, class_counts, seconds, queued, model_file}` (`model_file`: read at start); with `wait`, answered once the state is not "training with model G" (at most 20 s) |
//! | GET | `/api/features` | | `{families, sigmas, matrix, presets: [{name, matrix}], per_channel}`: the feature selection as ilastik's family x scale matrix |
//! | PUT | `/api/features` | `{sigmas, matrix}` | the stored selection as `GET` answers it; 400 if ilastik would refuse it (a derivative below sigma 0.7, nothing selected) |
//! | GET | `/api/images/{id}/prediction.png` | | RGBA overlay: colour of the argmax class, alpha = its probability |
//! | GET | `/api/images/{id}/uncertainty.png` | | RGBA overlay: inferno colour map, alpha = uncertainty 1 - (p1 - p2) |
//! | DELETE | `/api/classes/{index}` | | `{classes, removed: {pixels, images}}`: the class (0-based) leaves `pixelforest.json` and every label file (its pixels become 0, higher values shift down); the model is dropped; 409 while training |
//! | GET | `/api/classes/{index}/usage` | | `{pixels, images}` labelled with that class |
//! | GET | `/api/images/{id}/next-uncertain` | `size=64&skip=0` | `{x, y, w, h, mean}`: the `skip`-th most uncertain window, labelled pixels counted as certain |
//! | GET | `/api/legend/uncertainty.png` | | the uncertainty colour map, 256 x 1 RGB |
//! | POST | `/api/model` | | `{saved: path}`: writes `classifier.pxf` |
//!
//! Label RLE JSON: `{"width": W, "height": H, "runs": [value, count, value, count, ...]}` in row-major order;
//! the counts add up to `W * H`.
//!
//! ```no_run
//! use pixelforest_server::{serve, ServeConfig};
//!
//! // Serves the labeling page for the project folder `project/` on http://127.0.0.1:8765.
//! serve(ServeConfig { project_dir: "project".into(), ..ServeConfig::default() }).unwrap();
//! ```

#![warn(missing_docs)]

mod api_error;
mod class_removal;
mod feature_cache;
mod features_api;
mod files;
mod guard;
mod labels_rle;
mod project;
mod project_error;
mod render;
mod responses;
mod routes;
mod routes_more;
mod serve;
mod state;
mod timeout;
mod training;
mod ui;

pub use labels_rle::{decode_rle, encode_rle, RleError, RleLabels};
pub use project::{ImageEntry, Project, ProjectSettings};
pub use project_error::ProjectError;
pub use routes::router;
pub use serve::{serve, ServeConfig, ServerError};
pub use state::{AppState, PredictError, TrainState, TrainStatus, TrainingRuns};
pub use training::TrainError;
