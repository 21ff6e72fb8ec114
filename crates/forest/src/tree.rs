//! The flat tree layout used for prediction, and its conversions from and to [`NodeSpec`]s.
//!
//! Split nodes are 16 bytes each (`feature`, `threshold`, two children), in preorder: a child
//! always has a larger index than its parent (which makes every tree loop-free by construction)
//! and a left split child directly follows its parent. Leaves with identical class
//! distributions share one row of the probability table (most leaves of a fully grown tree are
//! pure, so the table stays tiny); a child index `>= n_internal` names table row
//! `index - n_internal`. After the splits, one "sink" node per table row loops onto itself
//! (infinite threshold), so rows can be stepped in lockstep without per-row branches: a row that
//! reached its leaf stays there.

use std::collections::HashMap;

use crate::{NodeSpec, TreeProblem};

/// One node of a [`FlatTree`]: go to `children[0]` when `x[feature] <= threshold`, else `children[1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub(crate) struct Node {
    pub feature: u32,
    pub threshold: f32,
    pub children: [u32; 2],
}

impl Node {
    fn sink(index: u32) -> Self {
        Node {
            feature: 0,
            threshold: f32::INFINITY,
            children: [index, index],
        }
    }

    /// The child a value leads to (NaN goes right, as `x <= threshold` is false).
    #[inline(always)]
    #[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN must go right: `!(x <= t)`, not `x > t`.
    pub fn next(&self, value: f32) -> u32 {
        self.children[usize::from(!(value <= self.threshold))]
    }
}

/// A tree in prediction layout (see the module documentation).
///
/// The fields are private and every constructor validates them, so every `FlatTree` upholds
/// what the unchecked walk in `walk_masks` relies on:
/// - `nodes` holds the `n_internal` splits, then one sink per probability row, and every child
///   of every node is an index into `nodes`;
/// - `probs` holds `nodes.len() - n_internal` rows of `n_classes` values (at least one row);
/// - every node reads a feature below `feature_bound` (sinks read feature 0, and there are
///   splits whenever a walk reaches past the root's sink).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FlatTree {
    /// Split nodes in preorder, then one self-looping sink per probability row.
    nodes: Vec<Node>,
    /// Number of splits: child indices from here on are leaves (probability rows).
    n_internal: u32,
    /// Leaf class probabilities, leaf-major: leaf `j` at `[j * K, (j + 1) * K)`.
    probs: Vec<f32>,
    n_classes: usize,
    /// One more than the largest feature a split reads (0 without splits).
    feature_bound: u32,
}

/// Appends the self-looping sink of every probability row after the splits.
fn with_sinks(mut nodes: Vec<Node>, n_rows: usize) -> Vec<Node> {
    let n_internal = nodes.len();
    nodes.extend((n_internal..n_internal + n_rows).map(|i| Node::sink(i as u32)));
    nodes
}

/// One more than the largest feature any node reads.
fn feature_bound(nodes: &[Node]) -> u32 {
    nodes.iter().map(|n| n.feature + 1).max().unwrap_or(0)
}

impl FlatTree {
    /// Split nodes, then the sinks: the walk's node table.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The split nodes only (what a model file stores).
    pub fn splits(&self) -> &[Node] {
        &self.nodes[..self.n_internal as usize]
    }

    /// Number of splits; a child index at or above it names probability row `index - n_internal`.
    pub fn n_internal(&self) -> u32 {
        self.n_internal
    }

    /// Leaf class probabilities, leaf-major (`n_classes` per row).
    pub fn probs(&self) -> &[f32] {
        &self.probs
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    pub fn n_leaves(&self) -> usize {
        self.probs.len() / self.n_classes
    }

    /// One more than the largest feature index the tree reads (cached at construction).
    pub fn n_features_bound(&self) -> usize {
        self.feature_bound as usize
    }

    /// Probabilities of the leaf a row reaches; `value(f)` gives the row's feature `f`.
    pub fn leaf_probs(&self, value: impl Fn(usize) -> f32) -> &[f32] {
        let mut node = 0u32;
        while node < self.n_internal {
            let n = &self.nodes[node as usize];
            node = n.next(value(n.feature as usize));
        }
        let k = self.n_classes;
        let leaf = (node - self.n_internal) as usize;
        &self.probs[leaf * k..(leaf + 1) * k]
    }

    /// Builds the flat layout from specs rooted at node 0, checking every index and normalising
    /// leaf probabilities. Nodes not reachable from the root are dropped.
    pub fn from_specs(
        specs: &[NodeSpec],
        n_features: usize,
        n_classes: usize,
    ) -> Result<Self, TreeProblem> {
        if specs.is_empty() || n_classes == 0 {
            return Err(TreeProblem::Empty);
        }
        let order = Preorder::of(specs, n_features, n_classes)?;
        let (probs, mut new_id) = leaf_table(specs, &order);
        for (i, &s) in order.splits.iter().enumerate() {
            new_id[s] = i as u32;
        }
        let n_internal = order.splits.len() as u32;
        let index_of = |s: u32| -> u32 {
            let id = new_id[s as usize];
            match specs[s as usize] {
                NodeSpec::Split { .. } => id,
                NodeSpec::Leaf { .. } => n_internal + id,
            }
        };
        let nodes: Vec<Node> = order
            .splits
            .iter()
            .filter_map(|&s| match specs[s] {
                NodeSpec::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => Some(Node {
                    feature,
                    threshold,
                    children: [index_of(left), index_of(right)],
                }),
                NodeSpec::Leaf { .. } => None,
            })
            .collect();
        let n_rows = probs.len() / n_classes;
        Ok(FlatTree {
            feature_bound: feature_bound(&nodes),
            nodes: with_sinks(nodes, n_rows),
            n_internal,
            probs,
            n_classes,
        })
    }

    /// Builds a tree from stored parts (a model file) without renormalising, so predictions
    /// stay bit-identical; checks everything a traversal relies on.
    pub fn from_parts(
        internal: Vec<Node>,
        probs: Vec<f32>,
        n_features: usize,
        n_classes: usize,
    ) -> Result<Self, TreeProblem> {
        if n_classes == 0 || !probs.len().is_multiple_of(n_classes) || probs.is_empty() {
            return Err(TreeProblem::Empty);
        }
        let n_leaves = probs.len() / n_classes;
        let n_internal = internal.len();
        let total = n_internal + n_leaves;
        if total > u32::MAX as usize {
            return Err(TreeProblem::TooManyNodes);
        }
        for (i, node) in internal.iter().enumerate() {
            if node.feature as usize >= n_features {
                return Err(TreeProblem::Feature {
                    node: i,
                    feature: node.feature,
                    n_features,
                });
            }
            if node.threshold.is_nan() {
                return Err(TreeProblem::NanThreshold(i));
            }
            if let Some(&child) = node
                .children
                .iter()
                .find(|&&c| c as usize <= i || c as usize >= total)
            {
                return Err(TreeProblem::Child { node: i, child });
            }
        }
        if let Some(row) = probs.iter().position(|p| !p.is_finite()) {
            return Err(TreeProblem::LeafProbabilities(n_internal + row / n_classes));
        }
        Ok(FlatTree {
            feature_bound: feature_bound(&internal),
            nodes: with_sinks(internal, n_leaves),
            n_internal: n_internal as u32,
            probs,
            n_classes,
        })
    }

    /// The tree as specs: node 0 is the root, splits keep their numbering and every leaf
    /// reference gets its own leaf node after them (in preorder).
    pub fn to_specs(&self) -> Vec<NodeSpec> {
        let n_classes = self.n_classes;
        let n_internal = self.n_internal;
        let mut specs: Vec<NodeSpec> = Vec::with_capacity(2 * n_internal as usize + 1);
        if n_internal == 0 {
            specs.push(NodeSpec::Leaf {
                probs: self.probs[..n_classes].to_vec(),
            });
            return specs;
        }
        let splits = &self.nodes[..n_internal as usize];
        specs.extend(splits.iter().map(|n| NodeSpec::Split {
            feature: n.feature,
            threshold: n.threshold,
            left: n.children[0],
            right: n.children[1],
        }));
        // Preorder walk so leaves come out in the order `from_specs` numbers them.
        let mut stack = vec![0u32];
        while let Some(i) = stack.pop() {
            let children = self.nodes[i as usize].children;
            let mut fixed = children;
            for (side, &c) in children.iter().enumerate() {
                if c >= n_internal {
                    let row = (c - n_internal) as usize;
                    fixed[side] = specs.len() as u32;
                    specs.push(NodeSpec::Leaf {
                        probs: self.probs[row * n_classes..(row + 1) * n_classes].to_vec(),
                    });
                }
            }
            if let NodeSpec::Split { left, right, .. } = &mut specs[i as usize] {
                *left = fixed[0];
                *right = fixed[1];
            }
            for &c in children.iter().rev() {
                if c < n_internal {
                    stack.push(c);
                }
            }
        }
        specs
    }
}

/// The splits and leaves reachable from the root of a spec tree, each in preorder, validated.
struct Preorder {
    splits: Vec<usize>,
    leaves: Vec<usize>,
}

impl Preorder {
    fn of(specs: &[NodeSpec], n_features: usize, n_classes: usize) -> Result<Self, TreeProblem> {
        let mut seen = vec![false; specs.len()];
        let mut order = Preorder {
            splits: Vec::new(),
            leaves: Vec::new(),
        };
        let mut stack = vec![0usize];
        while let Some(s) = stack.pop() {
            if std::mem::replace(&mut seen[s], true) {
                return Err(TreeProblem::SharedNode(s));
            }
            match &specs[s] {
                NodeSpec::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    check_split(
                        s,
                        *feature,
                        *threshold,
                        [*left, *right],
                        specs.len(),
                        n_features,
                    )?;
                    order.splits.push(s);
                    stack.push(*right as usize);
                    stack.push(*left as usize);
                }
                NodeSpec::Leaf { probs } => {
                    check_leaf(s, probs, n_classes)?;
                    order.leaves.push(s);
                }
            }
        }
        Ok(order)
    }
}

fn check_split(
    node: usize,
    feature: u32,
    threshold: f32,
    children: [u32; 2],
    n_nodes: usize,
    n_features: usize,
) -> Result<(), TreeProblem> {
    if feature as usize >= n_features {
        return Err(TreeProblem::Feature {
            node,
            feature,
            n_features,
        });
    }
    if threshold.is_nan() {
        return Err(TreeProblem::NanThreshold(node));
    }
    match children.into_iter().find(|&c| c as usize >= n_nodes) {
        Some(child) => Err(TreeProblem::Child { node, child }),
        None => Ok(()),
    }
}

fn check_leaf(leaf: usize, probs: &[f32], n_classes: usize) -> Result<(), TreeProblem> {
    if probs.len() != n_classes {
        return Err(TreeProblem::LeafLength {
            leaf,
            len: probs.len(),
            n_classes,
        });
    }
    if probs.iter().any(|p| !p.is_finite() || *p < 0.0) || probs.iter().sum::<f32>() <= 0.0 {
        return Err(TreeProblem::LeafProbabilities(leaf));
    }
    Ok(())
}

/// The normalised probability table of the reachable leaves (identical distributions share one
/// row) and each spec node's row number (entries of other nodes are 0).
fn leaf_table(specs: &[NodeSpec], order: &Preorder) -> (Vec<f32>, Vec<u32>) {
    let mut probs = Vec::new();
    let mut new_id = vec![0u32; specs.len()];
    let mut rows: HashMap<Vec<u32>, u32> = HashMap::new();
    for &s in &order.leaves {
        if let NodeSpec::Leaf { probs: p } = &specs[s] {
            let sum: f32 = p.iter().sum();
            let normalised: Vec<f32> = p.iter().map(|v| v / sum).collect();
            let key = normalised.iter().map(|v| v.to_bits()).collect();
            let next = rows.len() as u32;
            new_id[s] = *rows.entry(key).or_insert_with(|| {
                probs.extend_from_slice(&normalised);
                next
            });
        }
    }
    (probs, new_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_leaves_share_a_probability_row() {
        let specs = vec![
            NodeSpec::Split {
                feature: 0,
                threshold: 0.0,
                left: 1,
                right: 2,
            },
            NodeSpec::Leaf {
                probs: vec![2.0, 0.0],
            },
            NodeSpec::Split {
                feature: 1,
                threshold: 1.0,
                left: 3,
                right: 4,
            },
            NodeSpec::Leaf {
                probs: vec![0.0, 1.0],
            },
            NodeSpec::Leaf {
                probs: vec![1.0, 0.0],
            },
        ];
        let tree = FlatTree::from_specs(&specs, 2, 2).unwrap();
        assert_eq!(tree.n_internal, 2);
        assert_eq!(tree.nodes.len(), 4);
        assert_eq!(tree.nodes[3].children, [3, 3]);
        assert_eq!(tree.probs, vec![1.0, 0.0, 0.0, 1.0]);
        assert_eq!(tree.nodes[0].children, [2, 1]);
        assert_eq!(tree.nodes[1].children, [3, 2]);
        assert_eq!(tree.leaf_probs(|f| [1.0, 0.0][f]), &[0.0, 1.0]);
        // Back to specs: one leaf per reference, same predictions.
        let again = tree.to_specs();
        assert_eq!(again.len(), 5);
        assert_eq!(FlatTree::from_specs(&again, 2, 2).unwrap(), tree);
    }
}
