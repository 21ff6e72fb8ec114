//! Training settings and what training reports.

use serde::{Deserialize, Serialize};

/// Training settings (defaults as ilastik's: 100 trees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestSettings {
    /// Number of trees.
    pub n_trees: usize,
    /// Maximum depth of a tree (`None`: grown until pure).
    pub max_depth: Option<usize>,
    /// Fewest samples a leaf may hold.
    pub min_samples_leaf: usize,
    /// Weight classes inversely to their label counts.
    pub balance_classes: bool,
    /// Seed of the bootstrap and feature draws: same seed, same forest.
    pub seed: u64,
}

impl ForestSettings {
    /// The defaults, in the one place they are defined (the CLI's flags and the labeling
    /// project's settings take theirs from here).
    pub const DEFAULT: Self = Self {
        n_trees: 100,
        max_depth: None,
        min_samples_leaf: 1,
        balance_classes: false,
        seed: 42,
    };
}

impl Default for ForestSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What training reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainReport {
    /// Labelled samples per class, index 0 = class 1.
    pub class_counts: Vec<usize>,
    /// Out-of-bag accuracy: each sample scored by the trees that did not draw it.
    pub oob_accuracy: f64,
}
