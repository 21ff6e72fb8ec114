//! The pipeline layer: runs over many images (prepare, train, predict, uncertainty, demo), tile by
//! tile through features into the forest, in parallel, with progress, resume and sharding.
//!
//! Contract used by `cli` and `server`: [`train_model`] and [`predict_image`] on in-memory images;
//! the batch runners ([`predict_batch`], [`prepare_batch`], ...) on files.
//!
//! ```
//! use pixelforest_core::default_classes;
//! use pixelforest_features::FeatureSelection;
//! use pixelforest_forest::ForestSettings;
//! use pixelforest_pipeline::{predict_image, train_model};
//! use pixelforest_synth::{generate, SynthSettings};
//!
//! let sample = generate(&SynthSettings { height: 48, width: 48, seed: 3 });
//! let selection = FeatureSelection::preset("sigma>=1").unwrap();
//! let settings = ForestSettings { n_trees: 5, ..ForestSettings::DEFAULT };
//! let training = [(sample.image.clone(), sample.scribbles.clone())];
//! let model = train_model(&training, &selection, &default_classes(), &settings).unwrap();
//! let probs = predict_image(&model, &sample.image, 256).unwrap(); // (class, y, x)
//! assert_eq!(probs.dim(), (3, 48, 48));
//! ```

#![warn(missing_docs)]

mod bands;
mod batch_predict;
mod convert_plan;
mod convert_run;
mod demo;
mod error;
mod features_export;
mod finite;
mod ilastik_model;
mod ilastik_run;
mod image_features;
mod inputs;
mod measure_run;
mod metrics;
mod model;
mod model_check;
mod plan;
mod predict;
mod predict_stream;
mod prepare_run;
mod prepare_steinbock;
mod prepare_stream;
mod progress;
mod project_settings;
mod prune;
mod report;
mod segment_inputs;
mod segment_run;
mod suggest;
mod synth_run;
mod tiles;
mod train;
mod train_files;
mod uncertainty_export;

pub use batch_predict::{convert_probabilities, predict_batch, PredictOptions, UncertaintyDir};
pub use convert_plan::collect_imc_files;
pub use convert_run::{convert_batch, ConvertOptions, PanelSource};
pub use demo::{run_demo, upscale_labels, DemoOptions, DemoReport, ImageDetection, Step};
pub use error::{PipelineError, Result, SampleProblem};
pub use features_export::write_features;
pub use finite::NonFinite;
pub use ilastik_model::is_hdf5_file;
pub use ilastik_run::{
    append_ilp_images, append_ilp_lanes, classes_from_ilp, export_ilp, forest_from_ilp,
    ilp_training_set, import_ilp, selection_from_ilp,
};
pub use image_features::{image_features, image_features_bytes, predict_features};
pub use inputs::{collect_images, steinbock_output_dir, steinbock_probabilities_path, Shard};
pub use measure_run::{
    measure_batch, write_cell_table, MeasureError, MeasureOptions, NeighborSettings, NeighborType,
    TableFormat,
};
pub use metrics::{argmax_classes, score, Scores};
pub use model::{load_model, save_model, MetaProblem, Model, ModelError, ModelMeta};
pub use pixelforest_segment::SegmentSettings;
pub use plan::{is_complete, plan_outputs, PlanConflict};
pub use predict::{check_image, predict_image, DEFAULT_TILE};
pub use prepare_run::{is_prepared_file, parse_crop_file_name, prepare_batch, PrepareOptions};
pub use prepare_steinbock::{prepare_steinbock_batch, SteinbockPrepareOptions};
pub use project_settings::{ProjectSettings, PROJECT_SETTINGS};
pub use prune::{train_pruned, PruneReport};
pub use report::{BatchReport, Outcome, Status};
pub use segment_inputs::MaskLayout;
pub use segment_run::{segment_batch, SegmentOptions};
pub use suggest::{suggest, suggestions_csv, suggestions_sheet, SuggestOptions, Suggestion};
pub use synth_run::{write_synth, SynthFiles, SynthOptions, GROUND_TRUTH_DIR};
pub use train::{
    labelled_rows, labelled_rows_of_features, train_model, train_on_rows, TrainingRows,
};
pub use train_files::{
    find_label_image, in_terms_of_files, pair_labels, project_classes, record_training_files,
    train_from_files, train_from_files_pruned, Pairing,
};
pub use uncertainty_export::{uncertainty_map, write_uncertainty, UncertaintyMeasure};
