//! The forest layer: a random forest trained from sparse pixel labels. Knows nothing of images or
//! files: it sees feature rows and writes its trees to any `Write`. The model's metadata (classes,
//! channels, feature selection) is the pipeline layer's `Model`; this layer stores it in the
//! `.pxf` container as opaque JSON.
//!
//! Contract used by the layers above (keep these signatures; add freely).
//!
//! Modules: `train` (input checks, parallel trees, out-of-bag accuracy) grows trees with `grow`
//! from rank codes (`bins`) and sorted split search (`split`), following vigra's random forest
//! (ilastik's) where it matters for agreement: sqrt(p) rounded features per node, no split
//! unless one improves the Gini impurity, thresholds midway between adjacent distinct values,
//! bootstrap samples, unweighted mean of the trees' leaf distributions; `tree` is the flat,
//! cache-friendly layout `predict` walks in blocks of rows (`walk_masks`: sets of rows per node
//! with vector compares, then per row); `model_file` is the `.pxf` container;
//! `uncertainty` is ilastik's margin.
//!
//! ```
//! use ndarray::array;
//! use pixelforest_forest::{ForestSettings, RandomForest};
//!
//! // Four labelled rows of one feature; label 0 would mean unlabeled.
//! let x = array![[0.0f32], [0.1], [0.9], [1.0]];
//! let settings = ForestSettings { n_trees: 10, ..ForestSettings::DEFAULT };
//! let (forest, report) = RandomForest::train(x.view(), &[1, 1, 2, 2], 2, &settings).unwrap();
//! assert_eq!(report.class_counts, [2, 2]);
//! let p = forest.predict_proba(array![[0.05f32], [0.95]].view());
//! assert!(p[[0, 0]] > 0.5 && p[[1, 1]] > 0.5);
//! ```

#![warn(missing_docs)]
// `unsafe` lives in the SIMD walk only (`walk_masks`), one operation per block with its SAFETY
// comment; the rest of the crate is held to the workspace's rule.
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use ndarray::{Array2, ArrayView2};

mod bins;
mod error;
mod grow;
mod model_file;
mod predict;
mod predict_grid;
mod settings;
mod split;
mod train;
mod tree;
mod uncertainty;
#[allow(unsafe_code)]
mod walk_masks;

pub use error::{ForestError, InputProblem, ModelFileProblem, TreeProblem};
pub use model_file::{read_model_file, write_model_file, FORMAT_VERSION, MAX_CLASSES};
pub use settings::{ForestSettings, TrainReport};
pub use uncertainty::uncertainty;

use tree::FlatTree;

/// A trained random forest.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomForest {
    n_features: usize,
    n_classes: usize,
    trees: Vec<FlatTree>,
    /// Tree counts of the vigra sub-forests an imported ilastik forest is made of, in order;
    /// empty for a forest of ours. Their votes are averaged as ilastik averages them.
    sub_forests: Vec<usize>,
}

/// A node of an imported tree: go left when `x[feature] <= threshold`.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeSpec {
    /// Go left when `x[feature] <= threshold`, else right.
    Split {
        /// The feature compared.
        feature: u32,
        /// The threshold; NaN values go right.
        threshold: f32,
        /// Index of the left child.
        left: u32,
        /// Index of the right child.
        right: u32,
    },
    /// A leaf: its class weights (normalised when the forest is built).
    Leaf {
        /// One weight per class.
        probs: Vec<f32>,
    },
}

impl RandomForest {
    /// Builds a forest from imported trees (e.g. ilastik's vigra forest); node 0 is each tree's root.
    pub fn from_tree_specs(
        n_features: usize,
        n_classes: usize,
        trees: Vec<Vec<NodeSpec>>,
    ) -> Result<Self, ForestError> {
        if n_features == 0 || n_features > u32::MAX as usize {
            return Err(InputProblem::FeatureCount(n_features).into());
        }
        if n_classes == 0 {
            return Err(InputProblem::ClassCount(n_classes).into());
        }
        if trees.is_empty() {
            return Err(InputProblem::NoTrees.into());
        }
        let trees = trees
            .iter()
            .enumerate()
            .map(|(tree, specs)| {
                FlatTree::from_specs(specs, n_features, n_classes)
                    .map_err(|problem| ForestError::Tree { tree, problem })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            n_features,
            n_classes,
            trees,
            sub_forests: Vec::new(),
        })
    }

    /// Builds a forest from ilastik's sub-forests (one list of trees each, as
    /// `ParallelVigraRfLazyflowClassifier` trains them), averaged as ilastik averages them:
    /// each sub-forest's votes normalised by their total, weighted by its tree count.
    pub fn from_vigra_forests(
        n_features: usize,
        n_classes: usize,
        forests: Vec<Vec<Vec<NodeSpec>>>,
    ) -> Result<Self, ForestError> {
        let sub_forests: Vec<usize> = forests.iter().map(Vec::len).collect();
        if sub_forests.contains(&0) {
            return Err(InputProblem::NoTrees.into());
        }
        let mut forest = Self::from_tree_specs(
            n_features,
            n_classes,
            forests.into_iter().flatten().collect(),
        )?;
        forest.sub_forests = sub_forests;
        Ok(forest)
    }

    /// Tree counts of the vigra sub-forests of an imported ilastik forest (empty for ours).
    pub fn sub_forests(&self) -> &[usize] {
        &self.sub_forests
    }

    /// Number of features a row must have.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of classes the forest predicts.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// The trees as specs (node 0 is the root; leaves are numbered after the splits).
    pub fn to_tree_specs(&self) -> Vec<Vec<NodeSpec>> {
        self.trees.iter().map(FlatTree::to_specs).collect()
    }

    /// Class probabilities of rows `x` (sample, feature) -> (sample, class); rows sum to 1.
    ///
    /// # Panics
    /// When `x` does not have [`RandomForest::n_features`] columns (see
    /// [`RandomForest::try_predict_proba`]).
    pub fn predict_proba(&self, x: ArrayView2<f32>) -> Array2<f32> {
        match self.try_predict_proba(x) {
            Ok(p) => p,
            Err(e) => panic!("predict_proba: {e}"),
        }
    }

    /// Class probabilities of feature-major columns `features` (feature, pixel) -> (class, pixel):
    /// the layout a feature tile has, so prediction needs no transpose (each parallel block of
    /// 256 pixels is gathered into a small cache-resident buffer).
    ///
    /// # Panics
    /// When `features` does not have [`RandomForest::n_features`] rows (see
    /// [`RandomForest::try_predict_proba_columns`]).
    pub fn predict_proba_columns(&self, features: ArrayView2<f32>) -> Array2<f32> {
        match self.try_predict_proba_columns(features) {
            Ok(p) => p,
            Err(e) => panic!("predict_proba_columns: {e}"),
        }
    }
}
