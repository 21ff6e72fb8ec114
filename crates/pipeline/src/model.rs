//! The model: a forest with what it was trained on (channels, feature selection) and for
//! (classes), the settings and report of its training, saved as a `.pxf` file. The forest layer
//! owns the file's container and the trees; the metadata's fields and their checks are here,
//! shared by `train`, `predict`, the server and the CLI.

use std::io::{Read, Write};
use std::path::Path;

use pixelforest_core::LabelClass;
use pixelforest_features::{FeatureError, FeatureSelection};
use pixelforest_forest::{read_model_file, write_model_file, ForestError, ForestSettings};
use pixelforest_forest::{RandomForest, TrainReport};
use serde::{Deserialize, Serialize};

use crate::error::{PipelineError, Result};

/// A forest with its metadata: what `train` writes and `predict` reads (`.pxf`).
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The trained (or imported) forest.
    pub forest: RandomForest,
    /// Everything besides the trees.
    pub meta: ModelMeta,
}

/// Everything besides the trees that a model file records, so it can be checked against images.
///
/// Field order and names are the `.pxf` file's JSON; change them only with the format version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// Channel names of the training images, in order.
    pub channel_names: Vec<String>,
    /// One name per forest feature, in the forest's column order.
    pub feature_names: Vec<String>,
    /// The filters the forest's features are computed with. Written with its keys sorted, as
    /// models written before it was typed hold it, so a model re-saved is byte-identical.
    #[serde(serialize_with = "with_sorted_keys")]
    pub feature_selection: FeatureSelection,
    /// The classes, in label order (label value = index + 1).
    pub classes: Vec<LabelClass>,
    /// The training settings.
    pub settings: ForestSettings,
    /// Label counts and out-of-bag accuracy (none for an imported forest).
    pub report: Option<TrainReport>,
    /// Free-form provenance (program version, inputs, pruning).
    pub provenance: serde_json::Value,
}

fn with_sorted_keys<S: serde::Serializer>(
    selection: &FeatureSelection,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    // `serde_json::Value` keeps object keys in a sorted map.
    serde_json::to_value(selection)
        .map_err(serde::ser::Error::custom)?
        .serialize(serializer)
}

/// Why a model cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The file's container or trees (see [`pixelforest_forest::ModelFileProblem`]).
    #[error(transparent)]
    Forest(#[from] ForestError),
    /// The metadata is not the JSON of a [`ModelMeta`].
    #[error("model file: bad metadata: {0}")]
    Json(#[from] serde_json::Error),
    /// The metadata disagrees with the forest or with itself.
    #[error("model file: invalid metadata: {0}")]
    Meta(#[from] MetaProblem),
}

/// How a model's metadata disagrees with its forest or with itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetaProblem {
    /// Another number of class names than the forest has classes.
    #[error("{named} classes are named but the forest has {forest}")]
    Classes {
        /// Classes named in the metadata.
        named: usize,
        /// Classes of the forest.
        forest: usize,
    },
    /// No channel names.
    #[error("no channel names")]
    NoChannels,
    /// Another number of feature names than the forest has features.
    #[error("{names} feature names but the forest uses {forest} features")]
    FeatureNames {
        /// Feature names in the metadata.
        names: usize,
        /// Features of the forest.
        forest: usize,
    },
    /// Training settings out of range.
    #[error(
        "training settings out of range: {} trees, min_samples_leaf {}, max_depth {:?}",
        .0.n_trees, .0.min_samples_leaf, .0.max_depth
    )]
    Settings(ForestSettings),
    /// An invalid feature selection (scales, matrix shape).
    #[error("the model's feature selection is invalid: {0}")]
    Selection(#[from] FeatureError),
    /// A selection giving another feature count for the model's channels than the forest uses.
    #[error(
        "the model's feature selection is invalid: it gives {selected} features for the model's \
         {channels} channels but the forest uses {forest}"
    )]
    SelectionFeatures {
        /// Features the selection gives.
        selected: usize,
        /// The model's channels.
        channels: usize,
        /// Features of the forest.
        forest: usize,
    },
}

impl Model {
    /// Writes the `.pxf` file.
    ///
    /// # Errors
    /// The writer's error, or an imported ilastik forest (its project is its model file).
    pub fn save<W: Write>(&self, writer: W) -> std::result::Result<(), ModelError> {
        let meta = serde_json::to_vec(&self.meta)?;
        Ok(write_model_file(&self.forest, &meta, writer)?)
    }

    /// Reads a `.pxf` file and checks its metadata against its forest.
    ///
    /// # Errors
    /// A damaged file (magic, version, checksum, trees), unreadable metadata, or metadata that
    /// disagrees with the forest (a hand-edited file with a valid checksum).
    pub fn load<R: Read>(reader: R) -> std::result::Result<Self, ModelError> {
        let (meta, forest) = read_model_file(reader)?;
        let meta: ModelMeta = serde_json::from_slice(&meta)?;
        meta.check(&forest)?;
        Ok(Model { forest, meta })
    }

    /// The feature selection, checked against the forest (see [`ModelMeta::check`]).
    ///
    /// # Errors
    /// When the selection is invalid or gives another feature count than the forest uses.
    pub fn selection(&self) -> std::result::Result<&FeatureSelection, MetaProblem> {
        self.meta.check_selection(&self.forest)?;
        Ok(&self.meta.feature_selection)
    }
}

impl ModelMeta {
    /// Checks the metadata against the forest it describes, so a hand-edited file is an error
    /// on load, not a panic or a wrong prediction later.
    ///
    /// # Errors
    /// The first disagreement found.
    pub fn check(&self, forest: &RandomForest) -> std::result::Result<(), MetaProblem> {
        if self.classes.len() != forest.n_classes() {
            return Err(MetaProblem::Classes {
                named: self.classes.len(),
                forest: forest.n_classes(),
            });
        }
        if self.channel_names.is_empty() {
            return Err(MetaProblem::NoChannels);
        }
        if self.feature_names.len() != forest.n_features() {
            return Err(MetaProblem::FeatureNames {
                names: self.feature_names.len(),
                forest: forest.n_features(),
            });
        }
        let s = &self.settings;
        if s.n_trees == 0 || s.min_samples_leaf == 0 || s.max_depth == Some(0) {
            return Err(MetaProblem::Settings(s.clone()));
        }
        self.check_selection(forest)
    }

    fn check_selection(&self, forest: &RandomForest) -> std::result::Result<(), MetaProblem> {
        self.feature_selection.validate()?;
        let channels = self.channel_names.len();
        let selected = self.feature_selection.n_features(channels);
        if selected != forest.n_features() {
            return Err(MetaProblem::SelectionFeatures {
                selected,
                channels,
                forest: forest.n_features(),
            });
        }
        Ok(())
    }
}

/// Writes `model` to `path` atomically.
///
/// # Errors
/// When the file cannot be written, or the model has no `.pxf` form (an ilastik forest).
pub fn save_model(model: &Model, path: &Path) -> Result<()> {
    crate::batch_predict::create_parent(path)?;
    let mut failure = None;
    pixelforest_io::atomic_write(path, |tmp| {
        let file = std::fs::File::create(tmp).map_err(|e| pixelforest_io::IoError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let mut writer = std::io::BufWriter::new(file);
        if let Err(e) = model.save(&mut writer) {
            failure = Some(e);
            return Err(pixelforest_io::IoError::Format {
                path: path.to_path_buf(),
                message: "cannot write the model".into(),
            });
        }
        std::io::Write::flush(&mut writer).map_err(|e| pixelforest_io::IoError::Io {
            path: path.to_path_buf(),
            source: e,
        })
    })
    .map_err(|e| match failure {
        Some(why) => PipelineError::file(path, why.to_string()),
        None => e.into(),
    })
}

/// Reads a model file; errors name the file.
///
/// An ilastik project (`.ilp`, recognised by its HDF5 signature) is a model too: its stored
/// forest with its own feature selection and classes (see `model_from_ilp`).
///
/// # Errors
/// [`PipelineError::Model`] for a file that is not a usable model, an I/O error naming the file.
pub fn load_model(path: &Path) -> Result<Model> {
    if crate::ilastik_model::is_hdf5_file(path) {
        let project = pixelforest_ilastik::IlpProject::open(path)?;
        return crate::ilastik_model::model_from_ilp(&project);
    }
    let file = std::fs::File::open(path)
        .map_err(|e| PipelineError::file(path, format!("cannot open model: {e}")))?;
    Model::load(std::io::BufReader::new(file)).map_err(|source| PipelineError::Model {
        path: path.to_path_buf(),
        source,
    })
}
