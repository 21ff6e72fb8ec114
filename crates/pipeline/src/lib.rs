//! The pipeline layer: runs over many images (prepare, train, predict, uncertainty, demo), tile by
//! tile through features into the forest, in parallel, with progress, resume and sharding.
//!
//! Contract used by `cli` and `server`: [`train_model`] and [`predict_image`] on in-memory images;
//! the batch runners ([`predict_batch`], [`prepare_batch`], ...) on files.

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
pub mod inputs;
pub mod metrics;
pub mod model_check;
mod plan;
mod predict;
mod predict_stream;
mod prepare_run;
mod prepare_steinbock;
mod prepare_stream;
mod progress;
mod prune;
mod report;
mod suggest;
mod synth_run;
pub mod tiles;
mod train;
mod train_files;
mod uncertainty_export;

pub use batch_predict::{
    convert_probabilities, create_parent, predict_batch, PredictOptions, UncertaintyDir,
};
pub use convert_plan::collect_imc_files;
pub use convert_run::{convert_batch, ConvertOptions, PanelSource};
pub use demo::{run_demo, upscale_labels, DemoOptions, DemoReport, Step};
pub use error::{PipelineError, Result, SampleProblem};
pub use features_export::{feature_stack, write_features};
pub use finite::{check_finite, NonFinite};
pub use ilastik_model::{is_hdf5_file, model_from_ilp};
pub use ilastik_run::{
    append_ilp_images, append_ilp_lanes, classes_from_ilp, export_ilp, export_lane,
    forest_from_ilp, ilp_training_set, import_ilp, selection_from_ilp,
};
pub use inputs::{
    collect_images, steinbock_output_dir, steinbock_probabilities_path, steinbock_root, Shard,
    STEINBOCK_ILASTIK_IMG, STEINBOCK_PROBABILITIES,
};
pub use plan::{is_complete, plan_outputs, PlanConflict};
pub use predict::{
    check_image, model_selection, predict_image, predict_image_with_progress, DEFAULT_TILE,
};
pub use prepare_run::{
    crop_file_name, is_prepared_file, parse_crop_file_name, prepare_batch, prepared_stem,
    PrepareOptions,
};
pub use prepare_steinbock::{prepare_steinbock_batch, SteinbockPrepareOptions};
pub use prune::{train_pruned, PruneReport};
pub use report::{BatchReport, Outcome, Status};
pub use suggest::{suggest, suggestions_csv, suggestions_sheet, SuggestOptions, Suggestion};
pub use synth_run::{
    synth_files, write_sample, write_synth, SynthFiles, SynthOptions, GROUND_TRUTH_DIR,
};
pub use train::{labelled_rows, train_model, TrainingRows};
pub use train_files::{
    find_label_image, load_model, load_pair, pair_labels, project_classes, save_model,
    train_from_files, train_from_files_pruned, Pairing, PROJECT_SETTINGS,
};
pub use uncertainty_export::{
    read_probability_map, uncertainty_map, uncertainty_path, write_uncertainty, UncertaintyMeasure,
};
