//! Growing one tree of the forest from its bootstrap sample.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::bins::Binned;
use crate::split::{best_split, resolve, NodeTotals, Sample, Split, SplitScratch};
use crate::NodeSpec;

/// What every tree of one training run shares.
pub(crate) struct TreeInputs<'a> {
    pub binned: &'a Binned,
    /// Class of each sample, 0-based.
    pub classes: &'a [u8],
    pub class_weights: &'a [f64],
    pub n_classes: usize,
    pub max_features: usize,
    pub max_depth: usize,
    pub min_samples_leaf: usize,
}

/// A grown tree and which samples were in its bootstrap sample (for out-of-bag scoring).
pub(crate) struct GrownTree {
    pub specs: Vec<NodeSpec>,
    pub in_bag: Vec<bool>,
}

struct Work {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
}

/// The bootstrap sample: `n` draws with replacement, each drawn sample once with its count as
/// weight (times its class weight), and which samples were drawn.
fn bootstrap(inputs: &TreeInputs, rng: &mut ChaCha8Rng) -> (Vec<Sample>, Vec<bool>) {
    let n = inputs.binned.n;
    let mut counts = vec![0u32; n];
    for _ in 0..n {
        counts[rng.random_range(0..n)] += 1;
    }
    let samples = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(i, &c)| {
            let class = u32::from(inputs.classes[i]);
            Sample {
                idx: i as u32,
                class,
                weight: (f64::from(c) * inputs.class_weights[class as usize]) as f32,
            }
        })
        .collect();
    (samples, counts.iter().map(|&c| c > 0).collect())
}

/// Grows one tree; its randomness comes only from `seed`, so the forest does not depend on threads.
pub(crate) fn grow_tree(inputs: &TreeInputs, seed: u64) -> GrownTree {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = inputs.n_classes;
    let (mut samples, in_bag) = bootstrap(inputs, &mut rng);
    let n_features = inputs.binned.n_features();
    let mut feature_order: Vec<u32> = (0..n_features as u32).collect();
    let mut scratch = SplitScratch::new(k);
    let mut class_weights = vec![0f64; k];
    let mut specs = vec![NodeSpec::Leaf { probs: Vec::new() }];
    let mut stack = vec![Work {
        node: 0,
        start: 0,
        end: samples.len(),
        depth: 0,
    }];
    while let Some(work) = stack.pop() {
        let node_samples = &mut samples[work.start..work.end];
        class_weights.fill(0.0);
        for s in node_samples.iter() {
            class_weights[s.class as usize] += f64::from(s.weight);
        }
        let total: f64 = class_weights.iter().sum();
        let classes_present = class_weights.iter().filter(|&&w| w > 0.0).count();
        let count = node_samples.len();
        let can_split = classes_present > 1
            && count >= 2 * inputs.min_samples_leaf.max(1)
            && work.depth < inputs.max_depth;
        let chosen = if can_split {
            let totals = NodeTotals {
                class_weights: &class_weights,
                weight: total,
                min_leaf: inputs.min_samples_leaf.max(1),
            };
            choose_split(
                inputs,
                node_samples,
                &totals,
                &mut feature_order,
                &mut rng,
                &mut scratch,
            )
        } else {
            None
        };
        match chosen {
            None => {
                specs[work.node] = NodeSpec::Leaf {
                    probs: class_weights.iter().map(|&w| (w / total) as f32).collect(),
                };
            }
            Some((f, split)) => split_node(
                inputs,
                node_samples,
                &work,
                f,
                split,
                &mut specs,
                &mut stack,
            ),
        }
    }
    GrownTree { specs, in_bag }
}

/// Makes `work.node` a split on feature `f`, its samples partitioned left then right, and
/// queues its two new children (the left one on top, so nodes are numbered in preorder).
fn split_node(
    inputs: &TreeInputs,
    node_samples: &mut [Sample],
    work: &Work,
    f: usize,
    split: Split,
    specs: &mut Vec<NodeSpec>,
    stack: &mut Vec<Work>,
) {
    let codes = inputs.binned.codes_of(f);
    let (left_code, right_code) = resolve(split, node_samples, codes);
    let mid = partition(node_samples, |s| codes[s.idx as usize] <= left_code);
    let left = specs.len();
    specs.push(NodeSpec::Leaf { probs: Vec::new() });
    specs.push(NodeSpec::Leaf { probs: Vec::new() });
    specs[work.node] = NodeSpec::Split {
        feature: f as u32,
        threshold: inputs.binned.threshold(f, left_code, right_code),
        left: left as u32,
        right: left as u32 + 1,
    };
    stack.push(Work {
        node: left + 1,
        start: work.start + mid,
        end: work.end,
        depth: work.depth + 1,
    });
    stack.push(Work {
        node: left,
        start: work.start,
        end: work.start + mid,
        depth: work.depth + 1,
    });
}

/// The best split of a node as vigra's `ThresholdSplit` chooses it: features in random order,
/// at least `max_features` of them, and on past those only until one improves the node's Gini
/// impurity; `None` (a leaf) when no feature does. Constant features count as tried.
fn choose_split(
    inputs: &TreeInputs,
    samples: &[Sample],
    totals: &NodeTotals,
    feature_order: &mut [u32],
    rng: &mut ChaCha8Rng,
    scratch: &mut SplitScratch,
) -> Option<(usize, Split)> {
    let n_features = feature_order.len();
    // Scores are sums of squares of node weights: allow for rounding when comparing to unsplit.
    let unsplit = totals.unsplit_score();
    let improves = unsplit + unsplit * 1e-12;
    let mut chosen: Option<(usize, Split)> = None;
    for j in 0..n_features {
        if j >= inputs.max_features && chosen.is_some() {
            break;
        }
        let pick = rng.random_range(j..n_features);
        feature_order.swap(j, pick);
        let f = feature_order[j] as usize;
        let (codes, shift) = (inputs.binned.codes_of(f), inputs.binned.shift(f));
        if let Some(split) = best_split(samples, codes, shift, totals, scratch) {
            let best = chosen.map_or(improves, |(_, c)| c.score);
            if split.score > best {
                chosen = Some((f, split));
            }
        }
    }
    chosen
}

/// Moves the samples satisfying `goes_left` to the front; returns how many there are.
fn partition(samples: &mut [Sample], goes_left: impl Fn(&Sample) -> bool) -> usize {
    let mut mid = 0;
    for i in 0..samples.len() {
        if goes_left(&samples[i]) {
            samples.swap(mid, i);
            mid += 1;
        }
    }
    mid
}
