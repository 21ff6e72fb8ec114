//! Prediction of rows laid out on a 2-D grid (the pixels of a feature tile), in square blocks.
//!
//! Rows close on the grid mostly share their paths through a tree, and the set walk
//! (`walk_masks`) costs a few vector operations per node a whole set of rows visits, against a
//! per-row walk once a set thins out. A block of 16 x 16 grid cells keeps its rows together
//! deeper into the trees than a block of 256 cells of one grid line: on the end-to-end image
//! (480 features, 100 trees) the walk took 10-15% less time.

use ndarray::{s, Array3, ArrayView3, Axis};
use rayon::prelude::*;

use crate::predict::{Buffers, BLOCK};
use crate::walk_masks::{Isa, RowSource};
use crate::{ForestError, RandomForest};

/// Edge of a block's square: `PATCH * PATCH == BLOCK` rows per block.
const PATCH: usize = 16;

/// Copies the cells of the square at column `x0` of the grid rows `rows` (feature `f`, row `y`,
/// column `x` at `data[f * plane + y * width + x]`) feature-major into `block`
/// (`block[f * BLOCK + r]`, `r` running along the square's rows); returns its cell count.
/// Rows from there to `BLOCK` keep stale values: the walk never reads them.
fn fill_square(
    data: &[f32],
    (plane, width): (usize, usize),
    rows: std::ops::Range<usize>,
    (x0, pw): (usize, usize),
    n_features: usize,
    block: &mut Vec<f32>,
) -> usize {
    if block.len() != n_features * BLOCK {
        block.resize(n_features * BLOCK, 0.0);
    }
    let ph = rows.len();
    for (f, b) in block.chunks_exact_mut(BLOCK).enumerate() {
        let plane = &data[f * plane..(f + 1) * plane];
        if pw == PATCH {
            // Whole squares copy fixed-size lines (two vector moves; a `memcpy` call per
            // 64-byte line cost more than the copy).
            for (dst, y) in b.chunks_exact_mut(PATCH).zip(rows.clone()) {
                let dst: &mut [f32; PATCH] = dst
                    .try_into()
                    .unwrap_or_else(|_| unreachable!("chunks of PATCH values"));
                let start = y * width + x0;
                dst.copy_from_slice(&plane[start..start + PATCH]);
            }
        } else {
            for (dst, y) in b.chunks_exact_mut(pw).zip(rows.clone()) {
                let start = y * width + x0;
                dst.copy_from_slice(&plane[start..start + pw]);
            }
        }
    }
    ph * pw
}

impl RandomForest {
    /// Class probabilities of the cells of a grid of feature vectors (feature, height, width)
    /// -> (class, height, width), the same numbers as [`RandomForest::predict_proba_columns`]
    /// on the cells in any order, bit for bit; faster on grids whose neighbouring cells are
    /// alike (feature tiles), as blocks are 16 x 16 squares.
    ///
    /// # Errors
    /// When `features` does not have [`RandomForest::n_features`] planes.
    pub fn try_predict_proba_grid(
        &self,
        features: ArrayView3<f32>,
    ) -> Result<Array3<f32>, ForestError> {
        let (n_features, h, w) = features.dim();
        if n_features != self.n_features {
            return Err(ForestError::FeatureCount {
                expected: self.n_features,
                got: n_features,
            });
        }
        let k = self.n_classes;
        let mut out = Array3::<f32>::zeros((k, h, w));
        if h == 0 || w == 0 {
            return Ok(out);
        }
        let standard = features.as_standard_layout();
        let data = standard
            .as_slice()
            .unwrap_or_else(|| unreachable!("standard layout is contiguous"));
        let isa = Isa::detect();
        let n_trees = self.trees.len() as f32;
        out.axis_chunks_iter_mut(Axis(1), PATCH)
            .into_par_iter()
            .enumerate()
            .for_each_init(Buffers::default, |buf, (band, mut chunk)| {
                let rows = band * PATCH..(band * PATCH + PATCH).min(h);
                for x0 in (0..w).step_by(PATCH) {
                    let pw = PATCH.min(w - x0);
                    let len = fill_square(
                        data,
                        (h * w, w),
                        rows.clone(),
                        (x0, pw),
                        n_features,
                        &mut buf.block,
                    );
                    let sums = self.vote(isa, buf, RowSource::Block, len);
                    // A division, as `predict_proba_columns` divides (see there).
                    for (c, mut class) in chunk.outer_iter_mut().enumerate() {
                        let lane = &sums[c * BLOCK..c * BLOCK + len];
                        for (mut line, cells) in class.outer_iter_mut().zip(lane.chunks_exact(pw)) {
                            for (o, &a) in line.slice_mut(s![x0..x0 + pw]).iter_mut().zip(cells) {
                                *o = a / n_trees;
                            }
                        }
                    }
                }
            });
        Ok(out)
    }

    /// [`RandomForest::try_predict_proba_grid`].
    ///
    /// # Panics
    /// When `features` does not have [`RandomForest::n_features`] planes.
    pub fn predict_proba_grid(&self, features: ArrayView3<f32>) -> Array3<f32> {
        match self.try_predict_proba_grid(features) {
            Ok(p) => p,
            Err(e) => panic!("predict_proba_grid: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ForestSettings;
    use ndarray::Array2;

    /// Grids of every shape class (whole squares, partial squares at the right and bottom,
    /// single lines and columns) give the bits of `predict_proba_columns` on the same cells.
    #[test]
    fn grid_prediction_equals_column_prediction_bit_for_bit() {
        let (n, nf) = (2000, 5);
        let mut state = 11u64;
        let mut next = move || crate::walk_masks::tests::lcg(&mut state);
        let x = Array2::from_shape_fn((n, nf), |_| next());
        let y: Vec<u8> = (0..n)
            .map(|i| 1 + ((x[[i, 0]] * 3.0 + x[[i, 2]]) as u8 % 3))
            .collect();
        let settings = ForestSettings {
            n_trees: 9,
            ..ForestSettings::default()
        };
        let (forest, _) = RandomForest::train(x.view(), &y, 3, &settings).unwrap();
        for (h, w) in [(16, 16), (37, 21), (1, 50), (50, 1), (33, 32), (5, 300)] {
            // Smooth fields with some noise, like filter responses.
            let grid = Array3::from_shape_fn((nf, h, w), |(f, y, x)| {
                ((y as f32 * 0.05 + x as f32 * 0.03 * (f + 1) as f32).sin() + 1.0) * 0.5
                    + 0.05 * next()
            });
            let got = forest.predict_proba_grid(grid.view());
            let columns = grid.view().into_shape_with_order((nf, h * w)).unwrap();
            let want = forest
                .predict_proba_columns(columns)
                .into_shape_with_order((3, h, w))
                .unwrap();
            let bits = |a: &Array3<f32>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(&want), "{h}x{w}");
        }
        assert!(forest
            .try_predict_proba_grid(Array3::zeros((nf + 1, 4, 4)).view())
            .is_err());
    }
}
