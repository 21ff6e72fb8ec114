//! The errors of the forest layer: one variant per kind of failure, so callers branch on the
//! variant and the message stays free to improve.

/// Errors of the forest layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ForestError {
    /// Every label is 0 (unlabeled).
    #[error("no labelled samples to train on")]
    NoLabels,
    /// All labelled samples carry this one class.
    #[error("only one class is labelled (class {0}); label at least two classes")]
    OneClass(u8),
    /// A labelled sample has a NaN or infinite feature.
    #[error("feature {feature} of sample {sample} is not finite ({value})")]
    NotFinite {
        /// Row of the sample.
        sample: usize,
        /// Column of the feature.
        feature: usize,
        /// The value found.
        value: f32,
    },
    /// Training inputs that do not fit together, or settings out of range.
    #[error(transparent)]
    Input(#[from] InputProblem),
    /// Rows with another feature count than the forest's.
    #[error("the forest expects {expected} features, got {got}")]
    FeatureCount {
        /// The forest's feature count.
        expected: usize,
        /// The rows' feature count.
        got: usize,
    },
    /// A tree handed to the forest (imported, or read from a model file) is malformed.
    #[error("tree {tree}: {problem}")]
    Tree {
        /// Index of the tree.
        tree: usize,
        /// What is wrong with it.
        problem: TreeProblem,
    },
    /// A `.pxf` file that is not a readable model.
    #[error("model file: {0}")]
    ModelFile(#[from] ModelFileProblem),
    /// Reading or writing a model failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What is wrong with the inputs of training or of building a forest.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InputProblem {
    /// Labels and feature rows differ in number.
    #[error("{labels} labels for {rows} feature rows")]
    LabelCount {
        /// Number of labels.
        labels: usize,
        /// Number of feature rows.
        rows: usize,
    },
    /// The class count is 0 or above 255 (labels are `u8`, 0 = unlabeled).
    #[error("{0} classes (expected 1 to 255)")]
    ClassCount(usize),
    /// The feature count is 0 or does not fit a `u32`.
    #[error("{0} features")]
    FeatureCount(usize),
    /// `n_trees`, `min_samples_leaf` or `max_depth` is 0.
    #[error("{0} is 0")]
    ZeroSetting(&'static str),
    /// A label above the class count.
    #[error("label {label} of sample {sample} exceeds the {n_classes} classes")]
    LabelOutOfRange {
        /// The label value.
        label: u8,
        /// Row of the sample.
        sample: usize,
        /// The class count.
        n_classes: usize,
    },
    /// A forest (or one of ilastik's sub-forests) without trees.
    #[error("no trees")]
    NoTrees,
}

/// What is wrong with one tree.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeProblem {
    /// A tree without nodes, or without leaves.
    #[error("the tree has no nodes or no leaves")]
    Empty,
    /// A node reached twice from the root (shared nodes or a loop).
    #[error("node {0} is reached twice (a tree must not share nodes or loop)")]
    SharedNode(usize),
    /// A split on a feature the forest does not have.
    #[error("node {node} splits on feature {feature}, but there are {n_features} features")]
    Feature {
        /// The node.
        node: usize,
        /// Its feature.
        feature: u32,
        /// The forest's feature count.
        n_features: usize,
    },
    /// A split whose threshold is NaN.
    #[error("node {0} has a NaN threshold")]
    NanThreshold(usize),
    /// A child index outside the tree, or one that does not come after its parent.
    #[error("node {node} has an invalid child {child}")]
    Child {
        /// The node.
        node: usize,
        /// The child index it holds.
        child: u32,
    },
    /// The file ends inside the tree.
    #[error("the tree is truncated")]
    Truncated,
    /// More nodes than a `u32` numbers.
    #[error("the tree has too many nodes")]
    TooManyNodes,
    /// A leaf with another number of probabilities than classes.
    #[error("leaf {leaf} has {len} probabilities, expected {n_classes}")]
    LeafLength {
        /// The leaf's node.
        leaf: usize,
        /// Its number of probabilities.
        len: usize,
        /// The class count.
        n_classes: usize,
    },
    /// A leaf with a negative or non-finite probability, or probabilities summing to 0.
    #[error("leaf {0} has a negative or non-finite probability, or probabilities summing to 0")]
    LeafProbabilities(usize),
}

/// What is wrong with a `.pxf` file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelFileProblem {
    /// The file does not start with `PXFOREST`.
    #[error("not a pixelforest model (wrong magic bytes)")]
    Magic,
    /// A format version this program does not read.
    #[error("unknown format version {0} (this program reads version {version})", version = crate::FORMAT_VERSION)]
    Version(u32),
    /// The file ends while reading the named part.
    #[error("truncated while reading {0}")]
    Truncated(&'static str),
    /// The stored CRC-32 differs from the contents'.
    #[error("checksum mismatch (the file is corrupt or truncated)")]
    Checksum,
    /// Counts of features, classes or trees out of range.
    #[error("{n_features} features, {n_classes} classes, {n_trees} trees")]
    Counts {
        /// Stored feature count.
        n_features: usize,
        /// Stored class count.
        n_classes: usize,
        /// Stored tree count.
        n_trees: usize,
    },
    /// Bytes left after the last tree.
    #[error("{0} unexpected bytes after the trees")]
    TrailingBytes(usize),
    /// An ilastik forest (several sub-forests) has no place in the format.
    #[error("an ilastik project's forest is used from its .ilp, not saved as .pxf")]
    SubForests,
    /// A malformed tree.
    #[error("tree {tree}: {problem}")]
    Tree {
        /// Index of the tree.
        tree: usize,
        /// What is wrong with it.
        problem: TreeProblem,
    },
}
