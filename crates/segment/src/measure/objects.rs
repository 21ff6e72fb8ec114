//! The objects of a mask and a fast map from label to row.

use std::collections::HashMap;

use ndarray::ArrayView2;

/// The labels present in a mask (ascending, 0 excluded, as `np.unique(mask[mask != 0])`), with
/// a lookup from label to its position: a dense table when the largest label is small compared
/// to the mask (the usual 1..n labels), a hash map otherwise, so a stray huge label cannot make
/// the table gigabytes large.
#[derive(Debug, Clone)]
pub struct ObjectIndex {
    labels: Vec<u32>,
    lookup: Lookup,
}

#[derive(Debug, Clone)]
enum Lookup {
    Dense(Vec<u32>),
    Sparse(HashMap<u32, u32>),
}

const ABSENT: u32 = u32::MAX;

impl ObjectIndex {
    /// The objects of `mask`.
    #[must_use]
    pub fn new(mask: ArrayView2<u32>) -> Self {
        let max = mask.iter().copied().max().unwrap_or(0) as usize;
        if max <= mask.len() + 65_536 {
            let mut seen = vec![false; max + 1];
            for &v in mask {
                seen[v as usize] = true;
            }
            let labels: Vec<u32> = (1..=max as u32).filter(|&l| seen[l as usize]).collect();
            let mut dense = vec![ABSENT; max + 1];
            for (i, &l) in labels.iter().enumerate() {
                dense[l as usize] = i as u32;
            }
            Self {
                labels,
                lookup: Lookup::Dense(dense),
            }
        } else {
            let mut labels: Vec<u32> = mask.iter().copied().filter(|&v| v != 0).collect();
            labels.sort_unstable();
            labels.dedup();
            let map = labels
                .iter()
                .enumerate()
                .map(|(i, &l)| (l, i as u32))
                .collect();
            Self {
                labels,
                lookup: Lookup::Sparse(map),
            }
        }
    }

    /// The labels, ascending.
    #[must_use]
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }

    /// Number of objects.
    #[must_use]
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when the mask has no object.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The position of `label` in [`labels`](Self::labels); `None` for 0 and absent labels.
    #[inline]
    #[must_use]
    pub fn position(&self, label: u32) -> Option<usize> {
        if label == 0 {
            return None;
        }
        match &self.lookup {
            Lookup::Dense(t) => t
                .get(label as usize)
                .copied()
                .filter(|&i| i != ABSENT)
                .map(|i| i as usize),
            Lookup::Sparse(m) => m.get(&label).map(|&i| i as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn labels_are_sorted_and_positions_follow_them() {
        let mask = array![[0u32, 7, 7], [3, 0, 9]];
        let idx = ObjectIndex::new(mask.view());
        assert_eq!(idx.labels(), &[3, 7, 9]);
        assert_eq!(idx.position(7), Some(1));
        assert_eq!(idx.position(0), None);
        assert_eq!(idx.position(4), None);
    }

    #[test]
    fn huge_labels_use_the_sparse_lookup() {
        let mask = array![[0u32, 4_000_000_000], [5, 5]];
        let idx = ObjectIndex::new(mask.view());
        assert!(matches!(idx.lookup, Lookup::Sparse(_)));
        assert_eq!(idx.labels(), &[5, 4_000_000_000]);
        assert_eq!(idx.position(4_000_000_000), Some(1));
    }
}
