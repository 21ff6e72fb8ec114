//! Errors of the ilastik project reader and writer; every one names the project file.

use std::path::PathBuf;

/// Errors of reading or writing an ilastik project; each names the project file.
#[derive(Debug, thiserror::Error)]
pub enum IlpError {
    /// Not an HDF5 file the reader can open.
    #[error("{path}: not a readable ilastik project (HDF5): {message}")]
    NotAProject {
        /// The project file.
        path: PathBuf,
        /// The HDF5 reader's message.
        message: String,
    },
    /// A project of another ilastik workflow.
    #[error(
        "{path}: this is a {workflow:?} project; pixelforest reads Pixel Classification projects"
    )]
    WrongWorkflow {
        /// The project file.
        path: PathBuf,
        /// The workflow it names.
        workflow: String,
    },
    /// A dataset or attribute missing or not as ilastik writes it; `kind` says which and how.
    #[error("{path}: {kind}")]
    Format {
        /// The project file.
        path: PathBuf,
        /// What is wrong, for callers to match on.
        kind: FormatKind,
    },
    /// A dataset declaring more than can be read, or a damaged file the HDF5 reader failed on.
    #[error(transparent)]
    Damaged(#[from] pixelforest_io::IoError),
    /// `block` names the block dataset, its `blockSlice` and its axes.
    #[error("{path}: lane {lane}: label block {block} lies outside the lane's image ({shape})")]
    BlockOutside {
        /// The project file.
        path: PathBuf,
        /// The lane, 0-based.
        lane: usize,
        /// The block's dataset, slice and axes.
        block: String,
        /// The lane's shape and axes.
        shape: String,
    },
    /// A project this program would write in a form ilastik cannot read.
    #[error("{path}: ilastik could not read this: {reason}")]
    Incompatible {
        /// The project file.
        path: PathBuf,
        /// Why ilastik could not read it.
        reason: String,
    },
    /// A lane's raw image is not where the project says (nor found by name).
    #[error("{path}: lane {lane} raw data {stored} not found{}", searched_text(.searched.as_deref()))]
    MissingRaw {
        /// The project file.
        path: PathBuf,
        /// The lane, 0-based.
        lane: usize,
        /// The path the project stores.
        stored: PathBuf,
        /// The folder also searched by file name, if one was given.
        searched: Option<PathBuf>,
    },
}

impl IlpError {
    pub(crate) fn format(path: &std::path::Path, kind: FormatKind) -> Self {
        IlpError::Format {
            path: path.to_path_buf(),
            kind,
        }
    }
}

impl FormatKind {
    /// A dataset the HDF5 reader failed on, with the reader's message.
    pub(crate) fn unreadable(dataset: &str, e: impl std::fmt::Display) -> Self {
        FormatKind::Unreadable {
            dataset: dataset.to_string(),
            reason: e.to_string(),
        }
    }
}

/// What is wrong with a project's dataset or attribute. Each names the dataset (or group) so the
/// message points at the place in the file; callers branch on the variant, never on the text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatKind {
    /// A dataset whose values are not of the type ilastik stores there.
    #[error("{dataset}: not {expected}: {reason}")]
    WrongType {
        /// The dataset.
        dataset: String,
        /// What it should hold (`text`, `integers`, `numbers`).
        expected: &'static str,
        /// The HDF5 reader's message.
        reason: String,
    },
    /// A dataset the HDF5 reader could not read.
    #[error("{dataset}: {reason}")]
    Unreadable {
        /// The dataset.
        dataset: String,
        /// The HDF5 reader's message.
        reason: String,
    },
    /// A group the project should have but does not (or that cannot be opened).
    #[error("no group {group}: {reason}")]
    NoGroup {
        /// The group.
        group: String,
        /// The HDF5 library's message.
        reason: String,
    },
    /// A group whose members cannot be listed.
    #[error("cannot list {group}: {reason}")]
    CannotList {
        /// The group.
        group: String,
        /// The HDF5 library's message.
        reason: String,
    },
    /// A dataset, attribute or group the writer failed to write.
    #[error("cannot write {what}: {reason}")]
    CannotWrite {
        /// What was being written.
        what: String,
        /// The HDF5 library's message.
        reason: String,
    },
    /// A forest dataset outside vigra's `ForestNNNN/Tree_N/topology` layout.
    #[error("{dataset}: not a ForestNNNN/Tree_N topology")]
    TreeName {
        /// The dataset.
        dataset: String,
    },
    /// A vigra tree whose topology or parameters do not decode.
    #[error("{dataset}: {problem}")]
    Tree {
        /// The tree's topology dataset.
        dataset: String,
        /// What does not decode.
        problem: TreeProblem,
    },
    /// A forest's `known_labels` entry that is no label number.
    #[error("{dataset}: label {label}")]
    KnownLabel {
        /// The dataset.
        dataset: String,
        /// The stored value.
        label: i64,
    },
    /// A feature `SelectionMatrix` whose size is not features x scales.
    #[error("{dataset} has {entries} entries for {features} features x {scales} scales")]
    SelectionSize {
        /// The dataset.
        dataset: String,
        /// Its number of entries.
        entries: usize,
        /// The number of feature ids.
        features: usize,
        /// The number of scales.
        scales: usize,
    },
    /// A selected feature this program does not compute.
    #[error("unsupported feature {id:?}")]
    UnsupportedFeature {
        /// ilastik's feature id.
        id: String,
    },
    /// A lane or label-set group without a lane number at the end of its name.
    #[error("{group}: no lane number in the name")]
    NoLaneNumber {
        /// The group.
        group: String,
    },
    /// Two groups ending in the same lane number.
    #[error("{first} and {second} both claim lane {lane}")]
    LaneClaimedTwice {
        /// The group found first.
        first: String,
        /// The other group.
        second: String,
        /// The lane, 0-based.
        lane: usize,
    },
    /// A label set for a lane the project does not have.
    #[error("label set {set} belongs to lane {lane}, but the project has no such lane (lanes: {lanes:?})")]
    LabelSetWithoutLane {
        /// The label-set group.
        set: String,
        /// Its lane number.
        lane: usize,
        /// The lanes the project has.
        lanes: Vec<usize>,
    },
    /// A label block without its `blockSlice` attribute.
    #[error("{dataset}: no blockSlice attribute: {reason}")]
    NoBlockSlice {
        /// The block's dataset.
        dataset: String,
        /// The HDF5 reader's message.
        reason: String,
    },
    /// A `blockSlice` attribute that does not parse.
    #[error("{dataset}: unreadable blockSlice {slice:?}")]
    BadBlockSlice {
        /// The block's dataset.
        dataset: String,
        /// The attribute as stored.
        slice: String,
    },
    /// A `blockSlice` whose ranges do not fit the block's shape or axes.
    #[error("{dataset}: blockSlice {slice} does not match the block shape {shape:?}")]
    BlockSliceShape {
        /// The block's dataset.
        dataset: String,
        /// The attribute as stored.
        slice: String,
        /// The block's shape.
        shape: Vec<usize>,
    },
    /// A label block without both spatial axes.
    #[error("{dataset}: no y and x axes in {axes:?}")]
    NoSpatialAxes {
        /// The block's dataset.
        dataset: String,
        /// The block's axes.
        axes: Vec<char>,
    },
    /// A feature matrix to write that is not 6 families x the scales.
    #[error("feature matrix has {entries} entries, not 6 x {scales} scales")]
    FeatureMatrixSize {
        /// Its number of entries.
        entries: usize,
        /// The number of scales.
        scales: usize,
    },
    /// A label set of an existing project that matches no lane, so lanes cannot be appended.
    #[error("label set {set:?} matches none of the {lanes} lanes: cannot append lanes safely")]
    ForeignLabelSet {
        /// The label-set group.
        set: String,
        /// The number of lanes.
        lanes: usize,
    },
}

/// The topology values that must not be negative, named as the message names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyValue {
    /// The header's class count.
    #[error("class count")]
    ClassCount,
    /// A node's parameter address.
    #[error("parameter address")]
    ParameterAddress,
    /// A split's child index.
    #[error("child")]
    Child,
    /// A split's feature column.
    #[error("column")]
    Column,
}

/// Why a vigra tree does not decode (see `vigra_forest.rs` for the layout).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeProblem {
    /// Fewer than the two header values and one node.
    #[error("topology too short")]
    TooShort,
    /// A topology value that must not be negative.
    #[error("negative {0}")]
    Negative(TopologyValue),
    /// A node pointing past the end of `topology`.
    #[error("topology index {0} out of range")]
    TopologyIndex(usize),
    /// A node pointing past the end of `parameters`.
    #[error("parameter index {0} out of range")]
    ParameterIndex(usize),
    /// More nodes reached than the topology holds.
    #[error("tree has a cycle")]
    Cycle,
    /// A node type other than a threshold split or a leaf.
    #[error("unsupported vigra node type {0} (only threshold splits)")]
    NodeType(i32),
}

/// The ilastik layer's result.
pub type Result<T> = std::result::Result<T, IlpError>;

fn searched_text(searched: Option<&std::path::Path>) -> String {
    searched.map_or_else(String::new, |d| format!(" (nor under {})", d.display()))
}
