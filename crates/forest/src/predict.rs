//! Batched prediction. Rows are processed in blocks of [`BLOCK`] (one rayon task each), copied
//! feature-major into a small buffer, so the values of one feature for all rows of the block
//! are contiguous: `walk_masks` then moves whole sets of rows through each tree with vector
//! compares. Feature-major input (a feature tile) needs only one copy per feature. Within a
//! block the trees are the outer loop, so a tree stays in cache while all rows walk it.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

use crate::walk_masks::{walk, Isa, RowSource, Scratch};
use crate::{ForestError, RandomForest};

/// Rows per parallel task and per block buffer (a multiple of 64: row sets are `u64` words).
/// With 480 features the block is 480 KB and stays in L2 (128 to 1024 measured alike).
pub(crate) const BLOCK: usize = 256;

/// Read access to rows stored anywhere in a flat buffer: feature `f` of row `r` is at
/// `r * row_stride + f * feature_stride`.
#[derive(Clone, Copy)]
struct Rows<'a> {
    data: &'a [f32],
    row_stride: usize,
    feature_stride: usize,
}

/// Copies rows `[start, start + len)` feature-major into `block` (`block[f * BLOCK + r]`).
/// Rows from `len` to `BLOCK` keep stale values: the walk never reads them.
fn fill_block(rows: Rows, n_features: usize, start: usize, len: usize, block: &mut Vec<f32>) {
    if block.len() != n_features * BLOCK {
        block.resize(n_features * BLOCK, 0.0);
    }
    if rows.row_stride == 1 {
        for (f, b) in block.chunks_exact_mut(BLOCK).enumerate() {
            let base = f * rows.feature_stride + start;
            b[..len].copy_from_slice(&rows.data[base..base + len]);
        }
    } else {
        // Row-major input: 16 rows at a time, so their cache lines stay in L1 while every
        // feature of them is written.
        for r0 in (0..len).step_by(16) {
            let r1 = (r0 + 16).min(len);
            for (f, b) in block.chunks_exact_mut(BLOCK).enumerate() {
                for (r, v) in b.iter_mut().enumerate().take(r1).skip(r0) {
                    *v = rows.data[(start + r) * rows.row_stride + f * rows.feature_stride];
                }
            }
        }
    }
}

/// The per-task buffers: the block, the class-major sums (`acc[c * BLOCK + r]`), the sums over
/// vigra sub-forests (`total`, same layout), walk scratch.
#[derive(Default)]
pub(crate) struct Buffers {
    pub(crate) block: Vec<f32>,
    acc: Vec<f32>,
    total: Vec<f32>,
    scratch: Scratch,
}

/// Folds one vigra sub-forest's vote sums `acc` into `total` as ilastik does: vigra's
/// `predictProbabilities` divides each row's sums by its total vote weight, then lazyflow's
/// `ParallelVigraRfLazyflowClassifier` multiplies by the sub-forest's tree count and adds the
/// sub-forests up (all in float32).
fn fold_sub_forest(acc: &[f32], total: &mut [f32], k: usize, len: usize, n_trees: usize) {
    for r in 0..len {
        let weight: f32 = (0..k).map(|c| acc[c * BLOCK + r]).sum();
        for c in 0..k {
            total[c * BLOCK + r] += acc[c * BLOCK + r] / weight * n_trees as f32;
        }
    }
}

impl RandomForest {
    fn check_features(&self, n_features: usize) -> Result<(), ForestError> {
        if n_features != self.n_features {
            return Err(ForestError::FeatureCount {
                expected: self.n_features,
                got: n_features,
            });
        }
        Ok(())
    }

    /// Sums of the trees' leaf probabilities for rows `0..len` of `buf.block` (class-major,
    /// `c * BLOCK + r`), tree after tree in tree order (and folded per vigra sub-forest as
    /// ilastik does), so each row's sums are those of a per-row walk, bit for bit.
    pub(crate) fn vote<'b>(
        &self,
        isa: Isa,
        buf: &'b mut Buffers,
        source: RowSource,
        len: usize,
    ) -> &'b [f32] {
        let k = self.n_classes;
        buf.acc.clear();
        buf.acc.resize(k * BLOCK, 0.0);
        if self.sub_forests.is_empty() {
            for tree in &self.trees {
                let (block, acc, scratch) = (&buf.block, &mut buf.acc, &mut buf.scratch);
                walk(isa, tree, block, source, len, acc, scratch);
            }
            return &buf.acc;
        }
        buf.total.clear();
        buf.total.resize(k * BLOCK, 0.0);
        let mut start = 0;
        for &count in &self.sub_forests {
            buf.acc.iter_mut().for_each(|a| *a = 0.0);
            for tree in &self.trees[start..start + count] {
                let (block, acc, scratch) = (&buf.block, &mut buf.acc, &mut buf.scratch);
                walk(isa, tree, block, source, len, acc, scratch);
            }
            fold_sub_forest(&buf.acc, &mut buf.total, k, len, count);
            start += count;
        }
        &buf.total
    }

    /// Mean class probabilities of all rows into `out`, whose axis `row_axis` runs over the rows
    /// (the other over the classes). `features` holds the rows along `row_axis` too.
    fn predict_into(&self, features: ArrayView2<f32>, row_axis: Axis, mut out: ArrayViewMut2<f32>) {
        let n = features.len_of(row_axis);
        if n == 0 {
            return;
        }
        let feature_axis = Axis(1 - row_axis.index());
        // A contiguous view in either order is read in place; anything else is copied once.
        let owned;
        let in_place = features.strides().iter().all(|&s| s >= 0);
        let (data, strides) = match features.as_slice_memory_order().filter(|_| in_place) {
            Some(s) => (s, features.strides()),
            None => {
                owned = features.as_standard_layout().into_owned();
                (owned.as_slice().unwrap_or_default(), owned.strides())
            }
        };
        // An axis of length 1 may carry any stride (`insert_axis` gives 0 or 1): a single row
        // is never stepped over, so its stride is 0 and it is read like any strided input.
        let rows = Rows {
            data,
            row_stride: if n == 1 {
                0
            } else {
                strides[row_axis.index()] as usize
            },
            feature_stride: strides[feature_axis.index()] as usize,
        };
        let isa = Isa::detect();
        let n_trees = self.trees.len() as f32;
        out.axis_chunks_iter_mut(row_axis, BLOCK)
            .into_par_iter()
            .enumerate()
            .for_each_init(Buffers::default, |buf, (b, mut chunk)| {
                let len = chunk.len_of(row_axis);
                fill_block(rows, self.n_features, b * BLOCK, len, &mut buf.block);
                // Row-major input: scattered rows read their own cache lines in place.
                let source = if rows.feature_stride == 1 && rows.row_stride >= self.n_features {
                    RowSource::RowMajor {
                        data: &rows.data[b * BLOCK * rows.row_stride..],
                        stride: rows.row_stride,
                    }
                } else {
                    RowSource::Block
                };
                let sums = self.vote(isa, buf, source, len);
                // A division, not a multiplication by 1/n: 20 votes of 100 must give exactly
                // 0.2f32 (exported as 13107, as ilastik writes), where 20 * (1/100) gives 13106.
                for (c, mut lane) in chunk.axis_iter_mut(feature_axis).enumerate() {
                    for (o, &a) in lane.iter_mut().zip(&sums[c * BLOCK..]) {
                        *o = a / n_trees;
                    }
                }
            });
    }

    /// Like [`RandomForest::predict_proba`], but a wrong feature count is an error.
    pub fn try_predict_proba(&self, x: ArrayView2<f32>) -> Result<Array2<f32>, ForestError> {
        self.check_features(x.ncols())?;
        let mut out = Array2::<f32>::zeros((x.nrows(), self.n_classes));
        self.predict_into(x, Axis(0), out.view_mut());
        Ok(out)
    }

    /// Like [`RandomForest::predict_proba_columns`], but a wrong feature count is an error.
    pub fn try_predict_proba_columns(
        &self,
        features: ArrayView2<f32>,
    ) -> Result<Array2<f32>, ForestError> {
        self.check_features(features.nrows())?;
        let mut out = Array2::<f32>::zeros((self.n_classes, features.ncols()));
        self.predict_into(features, Axis(1), out.view_mut());
        Ok(out)
    }
}
