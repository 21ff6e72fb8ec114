//! Batched prediction: rows are processed in blocks (one rayon task each); within a block the
//! trees are the outer loop so a tree stays in cache while all rows of the block walk it, and rows
//! walk in lockstep groups so their independent memory loads overlap.

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::tree::FlatTree;
use crate::{ForestError, RandomForest};

/// Rows walked in lockstep through a tree (8 and 16 measured alike here, 4 and 32 slower).
const GROUP: usize = 8;
/// Rows per parallel task: the block's rows (200 features: 200 KB) stay in L2 while every tree
/// walks them (128 to 1024 measured alike; 4096 and above slower).
const BLOCK: usize = 256;

/// Read access to rows stored anywhere in a flat buffer: feature `f` of row `r` is at
/// `r * row_stride + f * feature_stride`.
#[derive(Clone, Copy)]
struct Rows<'a> {
    data: &'a [f32],
    row_stride: usize,
    feature_stride: usize,
}

/// Adds the leaf probabilities of every tree for rows `[start, start + len)` to `acc`
/// (row-major, `len * n_classes`).
fn accumulate_block(
    trees: &[FlatTree],
    n_classes: usize,
    rows: Rows,
    start: usize,
    len: usize,
    acc: &mut [f32],
) {
    let mut leaves = vec![0u32; len];
    for tree in trees {
        if tree.n_internal == 0 {
            for a in acc.chunks_exact_mut(n_classes) {
                for (a, &p) in a.iter_mut().zip(&tree.probs[..n_classes]) {
                    *a += p;
                }
            }
        } else {
            accumulate_tree(tree, n_classes, rows, start, len, acc, &mut leaves);
        }
    }
}

/// Steps between checks for rows that reached their leaf.
const ROUND: usize = 4;

/// One tree over a block of rows. `GROUP` slots walk the tree in lockstep, `ROUND` steps at a time
/// without any branch (a slot that reached its leaf loops on its sink); between rounds a slot whose
/// row reached its leaf records the leaf and takes the next row. Keeping the stepping loop
/// branch-free lets the CPU overlap the memory loads of all slots.
#[inline(never)]
fn accumulate_tree(
    tree: &FlatTree,
    n_classes: usize,
    rows: Rows,
    start: usize,
    len: usize,
    acc: &mut [f32],
    leaves: &mut [u32],
) {
    assert!(
        rows.feature_stride == 1
            && rows.row_stride >= tree.n_features_bound()
            && rows.data.len() >= (start + len) * rows.row_stride,
        "block does not cover the rows and features the tree reads"
    );
    let nodes = tree.nodes.as_slice();
    let n_internal = tree.n_internal;
    let data = rows.data;
    // A slot with no row left parks on the sink of probability row 0 and reads row `start`.
    let park = n_internal;
    let mut slot_row = [usize::MAX; GROUP];
    let mut slot_off = [start * rows.row_stride; GROUP];
    let mut slot_node = [park; GROUP];
    let mut next_row = 0;
    let mut active = 0;
    for s in 0..GROUP.min(len) {
        slot_row[s] = s;
        slot_off[s] = (start + s) * rows.row_stride;
        slot_node[s] = 0;
        next_row += 1;
        active += 1;
    }
    while active > 0 {
        for _ in 0..ROUND {
            for s in 0..GROUP {
                // SAFETY: `slot_node` is a node index (children of a validated tree, sinks
                // included, are < nodes.len()). `slot_off` is `row * row_stride` for a row
                // < start + len, and every feature of a validated tree is < n_features <=
                // row_stride (asserted above), so the offset is < data.len().
                unsafe {
                    let node = nodes.get_unchecked(slot_node[s] as usize);
                    let value = *data.get_unchecked(slot_off[s] + node.feature as usize);
                    slot_node[s] = node.next(value);
                }
            }
        }
        for s in 0..GROUP {
            let node = slot_node[s];
            if node < n_internal || slot_row[s] == usize::MAX {
                continue;
            }
            leaves[slot_row[s]] = node - n_internal;
            if next_row < len {
                slot_row[s] = next_row;
                slot_off[s] = (start + next_row) * rows.row_stride;
                slot_node[s] = 0;
                next_row += 1;
            } else {
                slot_row[s] = usize::MAX;
                slot_node[s] = park;
                active -= 1;
            }
        }
    }
    // Gathered after the walk, so the (cache-missing) loads of different rows overlap.
    for (a, &leaf) in acc.chunks_exact_mut(n_classes).zip(&leaves[..len]) {
        let leaf = leaf as usize;
        for (a, &v) in a
            .iter_mut()
            .zip(&tree.probs[leaf * n_classes..(leaf + 1) * n_classes])
        {
            *a += v;
        }
    }
}

impl RandomForest {
    fn check_features(&self, n_features: usize) -> Result<(), ForestError> {
        if n_features != self.n_features {
            return Err(ForestError::Invalid(format!(
                "the forest expects {} features, got {n_features}",
                self.n_features
            )));
        }
        Ok(())
    }

    /// Summed leaf probabilities of rows `[start, start + len)` into `acc` (row-major).
    ///
    /// The block is first copied (row-major input) or gathered (feature-major input) into a small
    /// row-major buffer: sequential reads the hardware prefetcher streams, after which the
    /// trees' random reads hit one compact, cache-resident block instead of main memory (and
    /// not one memory page per feature). Measured 1.7x faster than walking the input in place.
    fn block_sums(
        &self,
        rows: Rows,
        start: usize,
        len: usize,
        acc: &mut Vec<f32>,
        block: &mut Vec<f32>,
    ) {
        acc.clear();
        acc.resize(len * self.n_classes, 0.0);
        let nf = self.n_features;
        block.clear();
        if rows.feature_stride == 1 && rows.row_stride == nf {
            block.extend_from_slice(&rows.data[start * nf..(start + len) * nf]);
        } else {
            block.resize(len * nf, 0.0);
            for f in 0..nf {
                let base = f * rows.feature_stride + start * rows.row_stride;
                for (i, b) in block.iter_mut().skip(f).step_by(nf).enumerate() {
                    *b = rows.data[base + i * rows.row_stride];
                }
            }
        }
        let local = Rows {
            data: block,
            row_stride: nf,
            feature_stride: 1,
        };
        accumulate_block(&self.trees, self.n_classes, local, 0, len, acc);
    }

    /// Like [`RandomForest::predict_proba`], but a wrong feature count is an error.
    pub fn try_predict_proba(&self, x: ArrayView2<f32>) -> Result<Array2<f32>, ForestError> {
        self.check_features(x.ncols())?;
        let k = self.n_classes;
        let mut out = Array2::<f32>::zeros((x.nrows(), k));
        if x.nrows() == 0 {
            return Ok(out);
        }
        let owned;
        let (data, row_stride, feature_stride) = if let Some(s) = x.as_slice() {
            (s, x.ncols(), 1)
        } else if let Some(s) = x.t().to_slice() {
            (s, 1, x.nrows())
        } else {
            owned = x.as_standard_layout().into_owned();
            (owned.as_slice().unwrap_or_default(), x.ncols(), 1)
        };
        let rows = Rows {
            data,
            row_stride,
            feature_stride,
        };
        let scale = 1.0 / self.trees.len() as f32;
        out.axis_chunks_iter_mut(Axis(0), BLOCK)
            .into_par_iter()
            .enumerate()
            .for_each_init(
                || (Vec::new(), Vec::new()),
                |(acc, gathered), (b, mut chunk)| {
                    self.block_sums(rows, b * BLOCK, chunk.nrows(), acc, gathered);
                    for (o, &a) in chunk.iter_mut().zip(acc.iter()) {
                        *o = a * scale;
                    }
                },
            );
        Ok(out)
    }

    /// Like [`RandomForest::predict_proba_columns`], but a wrong feature count is an error.
    pub fn try_predict_proba_columns(
        &self,
        features: ArrayView2<f32>,
    ) -> Result<Array2<f32>, ForestError> {
        self.check_features(features.nrows())?;
        let k = self.n_classes;
        let n = features.ncols();
        let mut out = Array2::<f32>::zeros((k, n));
        if n == 0 {
            return Ok(out);
        }
        let owned;
        let (data, row_stride, feature_stride) = if let Some(s) = features.as_slice() {
            (s, 1, n)
        } else if let Some(s) = features.t().to_slice() {
            (s, features.nrows(), 1)
        } else {
            owned = features.as_standard_layout().into_owned();
            (owned.as_slice().unwrap_or_default(), 1, n)
        };
        let rows = Rows {
            data,
            row_stride,
            feature_stride,
        };
        let scale = 1.0 / self.trees.len() as f32;
        out.axis_chunks_iter_mut(Axis(1), BLOCK)
            .into_par_iter()
            .enumerate()
            .for_each_init(
                || (Vec::new(), Vec::new()),
                |(acc, gathered), (b, mut chunk)| {
                    self.block_sums(rows, b * BLOCK, chunk.ncols(), acc, gathered);
                    for (pixel, p) in acc.chunks_exact(k).enumerate() {
                        for (class, &v) in p.iter().enumerate() {
                            chunk[[class, pixel]] = v * scale;
                        }
                    }
                },
            );
        Ok(out)
    }
}
