//! The trained forest of an ilastik project: vigra's RandomForest HDF5 serialisation under
//! `PixelClassification/ClassifierForests/ForestNNNN/Tree_N/{topology, parameters}`, decoded
//! from vigra's `rf_nodeproxy.hxx` / `rf_decisionTree.hxx` layout:
//! - `topology` (int32): `[feature count, class count, nodes...]`, the root at index 2; a node is
//!   `[type, parameter address, child0, child1, column]` for a threshold split (type 0) or
//!   `[type, parameter address]` for a leaf (type has bit 0x40000000 set);
//! - `parameters` (float64): at a node's address, its weight, then the split threshold or the
//!   leaf's class probabilities.
//!
//! vigra goes to `child0` when `feature < threshold`.

use rust_hdf5::H5File;

use crate::error::{FormatKind, IlpError, Result, TopologyValue, TreeProblem};

const LEAF_TAG: i32 = 0x4000_0000;

/// A node of a decoded tree. `Split` goes `left` when `value < threshold` (vigra's rule).
#[derive(Debug, Clone, PartialEq)]
pub enum IlpNode {
    /// An inner node.
    Split {
        /// The feature compared.
        feature: u32,
        /// The threshold.
        threshold: f64,
        /// Index of the left child.
        left: u32,
        /// Index of the right child.
        right: u32,
    },
    /// A leaf.
    Leaf {
        /// Class probabilities.
        probs: Vec<f64>,
    },
}

/// The project's forest: ilastik trains `ParallelVigraRfLazyflowClassifier`, several vigra
/// forests (`ForestNNNN`, one per worker thread) whose votes it averages.
#[derive(Debug, Clone, PartialEq)]
pub struct IlpForest {
    /// Number of features a row has.
    pub n_features: usize,
    /// Number of classes.
    pub n_classes: usize,
    /// The sub-forests in `ForestNNNN` order, each its trees in `Tree_N` order.
    pub forests: Vec<Vec<Vec<IlpNode>>>,
    /// `ClassifierForests/feature_names`, when stored.
    pub feature_names: Vec<String>,
    /// `ClassifierForests/known_labels`: the label (1-based) of each of the forest's classes,
    /// when stored; classes without labels in training are absent from the forest.
    pub known_labels: Vec<u32>,
}

impl IlpForest {
    /// Every tree of every sub-forest, in order.
    pub fn trees(&self) -> impl Iterator<Item = &Vec<IlpNode>> {
        self.forests.iter().flatten()
    }
}

/// Decodes one vigra tree; node 0 of the result is the root.
pub fn decode_tree(
    topology: &[i32],
    parameters: &[f64],
) -> std::result::Result<Vec<IlpNode>, TreeProblem> {
    if topology.len() < 4 {
        return Err(TreeProblem::TooShort);
    }
    let negative = |what| move |_| TreeProblem::Negative(what);
    let n_classes = usize::try_from(topology[1]).map_err(negative(TopologyValue::ClassCount))?;
    let mut nodes: Vec<IlpNode> = Vec::new();
    // topology index -> our node index, filled breadth-first from the root.
    let mut queue = std::collections::VecDeque::from([(2usize, 0u32)]);
    nodes.push(IlpNode::Leaf { probs: Vec::new() });
    let get_t = |i: usize| {
        topology
            .get(i)
            .copied()
            .ok_or(TreeProblem::TopologyIndex(i))
    };
    let get_p = |i: usize| {
        parameters
            .get(i)
            .copied()
            .ok_or(TreeProblem::ParameterIndex(i))
    };
    while let Some((ti, ni)) = queue.pop_front() {
        if nodes.len() > topology.len() {
            return Err(TreeProblem::Cycle);
        }
        let kind = get_t(ti)?;
        let addr =
            usize::try_from(get_t(ti + 1)?).map_err(negative(TopologyValue::ParameterAddress))?;
        let node = if kind & LEAF_TAG != 0 {
            let probs = (0..n_classes)
                .map(|c| get_p(addr + 1 + c))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            IlpNode::Leaf { probs }
        } else if kind == 0 {
            let c0 = usize::try_from(get_t(ti + 2)?).map_err(negative(TopologyValue::Child))?;
            let c1 = usize::try_from(get_t(ti + 3)?).map_err(negative(TopologyValue::Child))?;
            let column = u32::try_from(get_t(ti + 4)?).map_err(negative(TopologyValue::Column))?;
            let left = nodes.len() as u32;
            nodes.push(IlpNode::Leaf { probs: Vec::new() });
            let right = nodes.len() as u32;
            nodes.push(IlpNode::Leaf { probs: Vec::new() });
            queue.push_back((c0, left));
            queue.push_back((c1, right));
            IlpNode::Split {
                feature: column,
                threshold: get_p(addr + 1)?,
                left,
                right,
            }
        } else {
            return Err(TreeProblem::NodeType(kind));
        };
        nodes[ni as usize] = node;
    }
    Ok(nodes)
}

/// `Forest0003/Tree_12/topology` -> (3, 12): vigra's groups sorted by number, not by name
/// (`Tree_10` comes after `Tree_9`).
fn tree_key(rest: &str) -> Option<(usize, usize)> {
    let mut parts = rest.split('/');
    let forest = parts.next()?.strip_prefix("Forest")?.parse().ok()?;
    let tree = parts.next()?.strip_prefix("Tree_")?.parse().ok()?;
    (parts.next() == Some("topology") && parts.next().is_none()).then_some((forest, tree))
}

const PREFIX: &str = "PixelClassification/ClassifierForests/";

/// Reads the project's forest, if it has one.
pub fn read_forest(
    path: &std::path::Path,
    file: &H5File,
    names: &[String],
) -> Result<Option<IlpForest>> {
    let tops = topology_datasets(path, names)?;
    if tops.is_empty() {
        return Ok(None);
    }
    let mut forests: Vec<Vec<Vec<IlpNode>>> = Vec::new();
    let mut current = None;
    let (mut n_features, mut n_classes) = (0usize, 0usize);
    for ((forest, _), top) in tops {
        let (topology, parameters) = read_tree_datasets(path, file, top)?;
        n_features = n_features.max(topology.first().copied().unwrap_or(0).max(0) as usize);
        n_classes = n_classes.max(topology.get(1).copied().unwrap_or(0).max(0) as usize);
        let tree = decode_tree(&topology, &parameters).map_err(|problem| {
            IlpError::format(
                path,
                FormatKind::Tree {
                    dataset: top.clone(),
                    problem,
                },
            )
        })?;
        if current != Some(forest) {
            forests.push(Vec::new());
            current = Some(forest);
        }
        if let Some(trees) = forests.last_mut() {
            trees.push(tree);
        }
    }
    let dataset_of = |leaf: &str| -> Result<Option<rust_hdf5::H5Dataset>> {
        let name = format!("{PREFIX}{leaf}");
        if names.contains(&name) {
            crate::bounded::dataset(path, file, &name).map(Some)
        } else {
            Ok(None)
        }
    };
    let feature_names = dataset_of("feature_names")?
        .and_then(|d| d.read_strings_lossy().ok())
        .unwrap_or_default();
    let known_labels = match dataset_of("known_labels")? {
        Some(d) => read_known_labels(path, &d)?,
        None => Vec::new(),
    };
    Ok(Some(IlpForest {
        n_features,
        n_classes,
        forests,
        feature_names,
        known_labels,
    }))
}

/// The forest's `topology` datasets, sorted by (forest, tree) number.
fn topology_datasets<'a>(
    path: &std::path::Path,
    names: &'a [String],
) -> Result<Vec<((usize, usize), &'a String)>> {
    let mut tops = Vec::new();
    for name in names.iter().filter(|n| n.ends_with("/topology")) {
        if let Some(rest) = name.strip_prefix(PREFIX) {
            let key = tree_key(rest).ok_or_else(|| {
                IlpError::format(
                    path,
                    FormatKind::TreeName {
                        dataset: name.clone(),
                    },
                )
            })?;
            tops.push((key, name));
        }
    }
    tops.sort();
    Ok(tops)
}

/// A tree's `topology` and its sibling `parameters`.
fn read_tree_datasets(
    path: &std::path::Path,
    file: &H5File,
    top: &str,
) -> Result<(Vec<i32>, Vec<f64>)> {
    let unreadable = |name: &str, e| IlpError::format(path, FormatKind::unreadable(name, e));
    let topology: Vec<i32> = crate::bounded::dataset(path, file, top)?
        .read_raw()
        .map_err(|e| unreadable(top, e))?;
    let params_name = format!("{}parameters", top.trim_end_matches("topology"));
    let parameters: Vec<f64> = crate::bounded::dataset(path, file, &params_name)?
        .read_raw()
        .map_err(|e| unreadable(&params_name, e))?;
    Ok((topology, parameters))
}

/// `ClassifierForests/known_labels` as label numbers.
fn read_known_labels(path: &std::path::Path, d: &rust_hdf5::H5Dataset) -> Result<Vec<u32>> {
    let dataset = format!("{PREFIX}known_labels");
    d.read_numeric_as::<i64>()
        .map_err(|e| IlpError::format(path, FormatKind::unreadable(&dataset, e)))?
        .into_iter()
        .map(|label| {
            u32::try_from(label).map_err(|_| {
                IlpError::format(
                    path,
                    FormatKind::KnownLabel {
                        dataset: dataset.clone(),
                        label,
                    },
                )
            })
        })
        .collect()
}
