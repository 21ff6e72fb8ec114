//! The forest layer: a random forest trained from sparse pixel labels. Knows nothing of images or
//! files: it sees feature rows and writes its model to any `Write`.
//!
//! Contract used by the layers above (keep these signatures; add freely).

use std::io::{Read, Write};

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Errors of the forest layer.
#[derive(Debug, thiserror::Error)]
pub enum ForestError {
    #[error("no labelled samples to train on")]
    NoLabels,
    #[error("only one class is labelled ({0}); label at least two classes")]
    OneClass(String),
    #[error("feature {feature} of sample {sample} is not finite ({value})")]
    NotFinite {
        sample: usize,
        feature: usize,
        value: f32,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("model file: {0}")]
    Model(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Training settings (defaults as ilastik's: 100 trees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestSettings {
    pub n_trees: usize,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    /// Weight classes inversely to their label counts.
    pub balance_classes: bool,
    pub seed: u64,
}

impl Default for ForestSettings {
    fn default() -> Self {
        Self {
            n_trees: 100,
            max_depth: None,
            min_samples_leaf: 1,
            balance_classes: false,
            seed: 42,
        }
    }
}

/// What training reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Labelled samples per class, index 0 = class 1.
    pub class_counts: Vec<usize>,
    pub oob_accuracy: f64,
}

/// A trained random forest.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomForest {
    n_features: usize,
    n_classes: usize,
}

/// A node of an imported tree: go left when `x[feature] <= threshold`.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeSpec {
    Split {
        feature: u32,
        threshold: f32,
        left: u32,
        right: u32,
    },
    Leaf {
        probs: Vec<f32>,
    },
}

impl RandomForest {
    /// Trains on rows `x` (sample, feature) with labels `y` in 1..=n_classes (0 = unlabeled, skipped).
    pub fn train(
        x: ArrayView2<f32>,
        y: &[u8],
        n_classes: usize,
        settings: &ForestSettings,
    ) -> Result<(Self, TrainReport), ForestError> {
        let _ = (x, y, n_classes, settings);
        todo!("forest: train")
    }

    /// Builds a forest from imported trees (e.g. ilastik's vigra forest); node 0 is each tree's root.
    pub fn from_tree_specs(
        n_features: usize,
        n_classes: usize,
        trees: Vec<Vec<NodeSpec>>,
    ) -> Result<Self, ForestError> {
        let _ = (n_features, n_classes, trees);
        todo!("forest: from_tree_specs")
    }

    pub fn n_features(&self) -> usize {
        self.n_features
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Class probabilities of rows `x` (sample, feature) -> (sample, class); rows sum to 1.
    pub fn predict_proba(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let _ = x;
        todo!("forest: predict_proba")
    }

    /// Class probabilities of feature-major columns `features` (feature, pixel) -> (class, pixel):
    /// the layout a feature tile has, so prediction needs no transpose.
    pub fn predict_proba_columns(&self, features: ArrayView2<f32>) -> Array2<f32> {
        let _ = features;
        todo!("forest: predict_proba_columns")
    }
}

/// ilastik's uncertainty of (class, pixel) probabilities: 1 - (p_max - p_second).
pub fn uncertainty(probs: ArrayView2<f32>) -> Array1<f32> {
    let _ = probs;
    todo!("forest: uncertainty")
}

/// A class of a model: name and display colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassInfo {
    pub name: String,
    pub color: [u8; 3],
}

/// Everything besides the trees that a model file records, so it can be checked against images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    pub channel_names: Vec<String>,
    pub feature_names: Vec<String>,
    /// The feature selection as JSON, owned by the features layer (opaque here).
    pub feature_selection: serde_json::Value,
    pub classes: Vec<ClassInfo>,
    pub settings: ForestSettings,
    pub report: Option<TrainReport>,
    /// Free-form provenance (program version, inputs).
    pub provenance: serde_json::Value,
}

/// A forest with its metadata: what `train` writes and `predict` reads (`.pxf`).
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub forest: RandomForest,
    pub meta: ModelMeta,
}

impl Model {
    /// Writes the versioned, checksummed binary model file.
    pub fn save<W: Write>(&self, writer: W) -> Result<(), ForestError> {
        let _ = writer;
        todo!("forest: Model::save")
    }

    /// Reads a model file; a wrong magic, unknown version, truncation or bad checksum is an error.
    pub fn load<R: Read>(reader: R) -> Result<Self, ForestError> {
        let _ = reader;
        todo!("forest: Model::load")
    }
}
