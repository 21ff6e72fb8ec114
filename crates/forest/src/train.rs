//! Training: input checks, binning, one rayon task per tree, out-of-bag accuracy.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::bins::bin_columns;
use crate::grow::{grow_tree, GrownTree, TreeInputs};
use crate::tree::FlatTree;
use crate::{ForestError, ForestSettings, InputProblem, RandomForest, TrainReport, MAX_CLASSES};

/// Labelled rows gathered feature-major, with 0-based classes.
struct Labelled {
    rows: Vec<usize>,
    classes: Vec<u8>,
    columns: Vec<f32>,
}

fn check_inputs(
    x: &ArrayView2<f32>,
    y: &[u8],
    n_classes: usize,
    settings: &ForestSettings,
) -> Result<Vec<usize>, ForestError> {
    if y.len() != x.nrows() {
        return Err(InputProblem::LabelCount {
            labels: y.len(),
            rows: x.nrows(),
        }
        .into());
    }
    if n_classes == 0 || n_classes > MAX_CLASSES {
        return Err(InputProblem::ClassCount(n_classes).into());
    }
    if x.ncols() == 0 {
        return Err(InputProblem::FeatureCount(0).into());
    }
    for (zero, name) in [
        (settings.n_trees == 0, "n_trees"),
        (settings.min_samples_leaf == 0, "min_samples_leaf"),
        (settings.max_depth == Some(0), "max_depth"),
    ] {
        if zero {
            return Err(InputProblem::ZeroSetting(name).into());
        }
    }
    if let Some((sample, &label)) = y.iter().enumerate().find(|(_, &l)| l as usize > n_classes) {
        return Err(InputProblem::LabelOutOfRange {
            label,
            sample,
            n_classes,
        }
        .into());
    }
    let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] > 0).collect();
    if rows.is_empty() {
        return Err(ForestError::NoLabels);
    }
    let first = y[rows[0]];
    if rows.iter().all(|&r| y[r] == first) {
        return Err(ForestError::OneClass(first));
    }
    Ok(rows)
}

/// Gathers the labelled rows feature-major, checking that every value is finite.
fn gather(x: &ArrayView2<f32>, y: &[u8], rows: Vec<usize>) -> Result<Labelled, ForestError> {
    let n = rows.len();
    let n_features = x.ncols();
    let mut columns = vec![0f32; n * n_features];
    for (i, &r) in rows.iter().enumerate() {
        for (f, &v) in x.row(r).iter().enumerate() {
            if !v.is_finite() {
                return Err(ForestError::NotFinite {
                    sample: r,
                    feature: f,
                    value: v,
                });
            }
            columns[f * n + i] = v;
        }
    }
    let classes = rows.iter().map(|&r| y[r] - 1).collect();
    Ok(Labelled {
        rows,
        classes,
        columns,
    })
}

impl RandomForest {
    /// Trains on rows `x` (sample, feature) with labels `y` in 1..=n_classes (0 = unlabeled, skipped).
    pub fn train(
        x: ArrayView2<f32>,
        y: &[u8],
        n_classes: usize,
        settings: &ForestSettings,
    ) -> Result<(Self, TrainReport), ForestError> {
        let rows = check_inputs(&x, y, n_classes, settings)?;
        let labelled = gather(&x, y, rows)?;
        let n = labelled.rows.len();
        let n_features = x.ncols();
        let binned = bin_columns(&labelled.columns, n, n_features);
        drop(labelled.columns);

        let mut class_counts = vec![0usize; n_classes];
        for &c in &labelled.classes {
            class_counts[c as usize] += 1;
        }
        // scikit-learn's "balanced": n / (K_present * count_k).
        let present = class_counts.iter().filter(|&&c| c > 0).count() as f64;
        let class_weights: Vec<f64> = class_counts
            .iter()
            .map(|&c| match (settings.balance_classes, c) {
                (_, 0) => 0.0,
                (true, c) => n as f64 / (present * c as f64),
                (false, _) => 1.0,
            })
            .collect();
        let inputs = TreeInputs {
            binned: &binned,
            classes: &labelled.classes,
            class_weights: &class_weights,
            n_classes,
            // vigra's default `RF_SQRT`: floor(sqrt(p) + 0.5).
            max_features: ((n_features as f64).sqrt().round() as usize).max(1),
            max_depth: settings.max_depth.unwrap_or(usize::MAX),
            min_samples_leaf: settings.min_samples_leaf,
        };
        let grown: Vec<(FlatTree, Vec<bool>)> = (0..settings.n_trees)
            .into_par_iter()
            .map(|t| {
                let GrownTree { specs, in_bag } = grow_tree(&inputs, tree_seed(settings.seed, t));
                FlatTree::from_specs(&specs, n_features, n_classes)
                    .map(|tree| (tree, in_bag))
                    .map_err(|problem| ForestError::Tree { tree: t, problem })
            })
            .collect::<Result<_, _>>()?;
        let oob_accuracy = oob_accuracy(&x, &labelled.rows, &labelled.classes, &grown, n_classes);
        let forest = RandomForest {
            n_features,
            n_classes,
            trees: grown.into_iter().map(|(t, _)| t).collect(),
            sub_forests: Vec::new(),
        };
        Ok((
            forest,
            TrainReport {
                class_counts,
                oob_accuracy,
            },
        ))
    }
}

/// SplitMix64's output function: a bijection of u64 that scatters nearby inputs.
fn mix(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of tree `tree` of a forest trained with `seed`: a hash of both, so forests with
/// different seeds share no tree (`seed + tree` made seeds 1 and 42 share 59 of 100 trees).
/// Trees of seeds `s1 != s2` get the same seed only when `(mix(s2) - mix(s1)) / STEP` (mod 2^64,
/// STEP odd so invertible) is below the tree count: a pseudo-random 64-bit number.
fn tree_seed(seed: u64, tree: usize) -> u64 {
    mix(mix(seed).wrapping_add((tree as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}

/// Accuracy over the samples that are out of bag for at least one tree, voting with those trees.
fn oob_accuracy(
    x: &ArrayView2<f32>,
    rows: &[usize],
    classes: &[u8],
    trees: &[(FlatTree, Vec<bool>)],
    n_classes: usize,
) -> f64 {
    let (correct, scored) = rows
        .par_iter()
        .enumerate()
        .map(|(i, &r)| {
            let row = x.row(r);
            let mut votes = vec![0f64; n_classes];
            let mut any = false;
            for (tree, in_bag) in trees {
                if !in_bag[i] {
                    any = true;
                    let p = tree.leaf_probs(|f| row[f]);
                    for (v, &q) in votes.iter_mut().zip(p) {
                        *v += f64::from(q);
                    }
                }
            }
            if !any {
                return (0usize, 0usize);
            }
            let best = argmax(&votes);
            (usize::from(best == classes[i] as usize), 1)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    if scored == 0 {
        0.0
    } else {
        correct as f64 / scored as f64
    }
}

/// Index of the first largest value.
pub(crate) fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}
