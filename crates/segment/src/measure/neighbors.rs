//! Neighbours as `steinbock measure neighbors` finds them (`measurement/neighbors.py`), as a
//! directed edge list (each undirected pair twice):
//! - `centroids`: centroids within `dmax` (scipy `pdist`, Euclidean); pairs in `pdist`'s
//!   condensed order, then the same pairs reversed;
//! - `borders`: the smallest Euclidean distance from an object's pixels to another's within
//!   `dmax` (per object, the Euclidean distance transform of a patch around it);
//! - `expansion`: every object grown by up to `dmax` pixels into the background (each
//!   background pixel takes the label of its nearest object pixel, scipy's feature transform),
//!   then objects touching (4-connected) in the grown mask; no distance.
//!
//! With `kmax` (steinbock's k-nearest neighbours, `centroids` and `borders` only) each object
//! keeps its `kmax` nearest (of those within `dmax`, when given), in the order numpy's
//! `argpartition` leaves them, as steinbock writes them ([`argpartition`]).
//!
//! Rows come per object in ascending label order, neighbours ascending (`np.unique`), except
//! for `centroids` within `dmax` alone (pairs in `pdist` order) and k-nearest neighbours.

use ndarray::{s, Array2, ArrayView2};

use super::argpartition::argpartition;
use super::error::MeasureError;
use super::feature_transform::nearest_feature;
use super::objects::ObjectIndex;
use super::regionprops::RegionProps;

/// How neighbours are defined (steinbock's `--type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighborType {
    /// Centroids within the distance.
    Centroids,
    /// Borders within the distance.
    Borders,
    /// Touching after growing each object by the distance.
    Expansion,
}

/// A neighbour type with its maximum distance (steinbock's `--dmax`) and number of nearest
/// neighbours (`--kmax`), validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeighborSettings {
    kind: NeighborType,
    dmax: Option<f64>,
    kmax: Option<usize>,
}

impl NeighborSettings {
    /// # Errors
    /// [`MeasureError::BadDistance`] when `dmax` is negative, NaN or infinite;
    /// [`MeasureError::ZeroNeighbors`] for `kmax` 0; [`MeasureError::Unbounded`] without
    /// either; [`MeasureError::ExpansionLimits`] for expansion without `dmax` or with `kmax`.
    pub fn new(
        kind: NeighborType,
        dmax: Option<f64>,
        kmax: Option<usize>,
    ) -> Result<Self, MeasureError> {
        if let Some(d) = dmax.filter(|d| !d.is_finite() || *d < 0.0) {
            return Err(MeasureError::BadDistance(d));
        }
        if kmax == Some(0) {
            return Err(MeasureError::ZeroNeighbors);
        }
        if kind == NeighborType::Expansion && (dmax.is_none() || kmax.is_some()) {
            return Err(MeasureError::ExpansionLimits);
        }
        if dmax.is_none() && kmax.is_none() {
            return Err(MeasureError::Unbounded);
        }
        Ok(Self { kind, dmax, kmax })
    }

    /// How neighbours are found; read back for the table's provenance.
    #[must_use]
    pub fn kind(&self) -> NeighborType {
        self.kind
    }

    /// The maximum distance (pixels), if any.
    #[must_use]
    pub fn dmax(&self) -> Option<f64> {
        self.dmax
    }

    /// The number of nearest neighbours kept, if limited.
    #[must_use]
    pub fn kmax(&self) -> Option<usize> {
        self.kmax
    }
}

/// One directed edge; `distance` is `None` for pixel expansion (steinbock writes NaN).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbor {
    /// The object's label in the mask.
    pub object: u32,
    /// The neighbouring object's label.
    pub neighbor: u32,
    /// Centroid or border distance in pixels, as steinbock's `distance` column.
    pub distance: Option<f32>,
}

/// The neighbours of the objects of `mask`; `props` (from
/// [`region_props`](super::region_props)) gives the centroids.
#[must_use]
pub fn neighbors(
    mask: ArrayView2<u32>,
    objects: &ObjectIndex,
    props: &[RegionProps],
    settings: NeighborSettings,
) -> Vec<Neighbor> {
    let dmax = settings.dmax.unwrap_or(f64::INFINITY);
    match (settings.kind, settings.kmax) {
        (NeighborType::Centroids, Some(k)) => centroid_knn(props, k, settings.dmax),
        (NeighborType::Centroids, None) => centroid_neighbors(props, dmax),
        (NeighborType::Borders, k) => border_neighbors(mask, objects, dmax, k),
        (NeighborType::Expansion, _) => touching(expand(mask, dmax).view(), objects),
    }
}

/// scipy `pdist`'s Euclidean distance of two centroids (squares summed in axis order).
fn centroid_distance(p: &RegionProps, q: &RegionProps) -> f64 {
    let (dy, dx) = (p.centroid.0 - q.centroid.0, p.centroid.1 - q.centroid.1);
    (dy * dy + dx * dx).sqrt()
}

/// `_measure_centroid_distance_neighbors` with `kmax`: per object its row of the distance
/// matrix (itself at infinity), `argpartition(row, k - 1)[:k]` with `k = min(kmax, n - 1)`,
/// those within `dmax` when given. One row at a time, not the n x n matrix.
fn centroid_knn(props: &[RegionProps], kmax: usize, dmax: Option<f64>) -> Vec<Neighbor> {
    let n = props.len();
    let k = kmax.min(n.saturating_sub(1));
    let mut out = Vec::new();
    if k == 0 {
        return out;
    }
    let mut row = vec![0.0; n];
    for (i, p) in props.iter().enumerate() {
        for (j, q) in props.iter().enumerate() {
            row[j] = if i == j {
                f64::INFINITY
            } else {
                centroid_distance(p, q)
            };
        }
        for &j in &argpartition(&row, k - 1)[..k] {
            if dmax.is_none_or(|d| row[j] <= d) {
                out.push(Neighbor {
                    object: p.label,
                    neighbor: props[j].label,
                    distance: Some(row[j] as f32),
                });
            }
        }
    }
    out
}

fn centroid_neighbors(props: &[RegionProps], dmax: f64) -> Vec<Neighbor> {
    let mut pairs = Vec::new();
    for (i, p) in props.iter().enumerate() {
        for q in &props[i + 1..] {
            let d = centroid_distance(p, q);
            if d <= dmax {
                pairs.push((p.label, q.label, d as f32));
            }
        }
    }
    let forward = pairs.iter().map(|&(a, b, d)| (a, b, d));
    let backward = pairs.iter().map(|&(a, b, d)| (b, a, d));
    forward
        .chain(backward)
        .map(|(object, neighbor, d)| Neighbor {
            object,
            neighbor,
            distance: Some(d),
        })
        .collect()
}

/// Bounding boxes `(row0, col0, row1, col1)` (inclusive) of each object.
fn bounding_boxes(mask: ArrayView2<u32>, objects: &ObjectIndex) -> Vec<[usize; 4]> {
    let mut boxes = vec![[usize::MAX, usize::MAX, 0, 0]; objects.len()];
    for ((r, c), &l) in mask.indexed_iter() {
        if let Some(i) = objects.position(l) {
            let b = &mut boxes[i];
            *b = [b[0].min(r), b[1].min(c), b[2].max(r), b[3].max(c)];
        }
    }
    boxes
}

/// `_measure_euclidean_border_distance_neighbors`: per object, the other objects within
/// `dmax` (infinite: all) ascending by label, then, beyond `kmax` of them, the first `kmax`
/// of `argpartition(distances, kmax - 1)`.
fn border_neighbors(
    mask: ArrayView2<u32>,
    objects: &ObjectIndex,
    dmax: f64,
    kmax: Option<usize>,
) -> Vec<Neighbor> {
    let (h, w) = mask.dim();
    // steinbock pads the box by ceil(dmax); anything further is beyond dmax in one axis.
    // Without a distance it looks at the whole mask, which no pad larger than it changes.
    let pad = if dmax.is_finite() {
        (dmax.ceil() as usize).min(h.max(w))
    } else {
        h.max(w)
    };
    let mut out = Vec::new();
    for (&label, b) in objects.labels().iter().zip(bounding_boxes(mask, objects)) {
        let (r0, c0) = (b[0].saturating_sub(pad), b[1].saturating_sub(pad));
        let (r1, c1) = ((b[2] + pad + 1).min(h), (b[3] + pad + 1).min(w));
        let patch = mask.slice(s![r0..r1, c0..c1]);
        let Some(ft) = nearest_feature(patch.map(|&v| v == label).view()) else {
            continue;
        };
        let mut best: Vec<(u32, i64)> = Vec::new();
        for ((r, c), &v) in patch.indexed_iter() {
            if v == 0 || v == label {
                continue;
            }
            let (fr, fc) = ft[[r, c]];
            let d2 = (r as i64 - i64::from(fr)).pow(2) + (c as i64 - i64::from(fc)).pow(2);
            match best.iter_mut().find(|(l, _)| *l == v) {
                Some(entry) => entry.1 = entry.1.min(d2),
                None => best.push((v, d2)),
            }
        }
        best.sort_unstable_by_key(|&(l, _)| l);
        let mut within: Vec<(u32, f64)> = best
            .into_iter()
            .map(|(l, d2)| (l, (d2 as f64).sqrt()))
            .filter(|&(_, d)| d <= dmax)
            .collect();
        if let Some(k) = kmax.filter(|&k| within.len() > k) {
            let dists: Vec<f64> = within.iter().map(|&(_, d)| d).collect();
            within = argpartition(&dists, k - 1)[..k]
                .iter()
                .map(|&i| within[i])
                .collect();
        }
        out.extend(within.into_iter().map(|(neighbor, d)| Neighbor {
            object: label,
            neighbor,
            distance: Some(d as f32),
        }));
    }
    out
}

/// `mask` with every background pixel within `dmax` of an object given that object's label
/// (`_expand_mask_euclidean`: `np.where(dists <= dmax, mask[nearest], mask)`).
fn expand(mask: ArrayView2<u32>, dmax: f64) -> Array2<u32> {
    let Some(ft) = nearest_feature(mask.map(|&v| v != 0).view()) else {
        return mask.to_owned();
    };
    Array2::from_shape_fn(mask.dim(), |(r, c)| {
        let (fr, fc) = ft[[r, c]];
        let d2 = (r as i64 - i64::from(fr)).pow(2) + (c as i64 - i64::from(fc)).pow(2);
        if (d2 as f64).sqrt() <= dmax {
            mask[[fr as usize, fc as usize]]
        } else {
            mask[[r, c]]
        }
    })
}

/// Pairs of distinct objects with 4-connected touching pixels, both directions, sorted: what
/// steinbock's border distance `<= 1` finds on the grown mask.
fn touching(mask: ArrayView2<u32>, objects: &ObjectIndex) -> Vec<Neighbor> {
    let (h, w) = mask.dim();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut meet = |a: u32, b: u32| {
        if a != b && a != 0 && b != 0 && objects.position(a).is_some() {
            pairs.push((a, b));
            pairs.push((b, a));
        }
    };
    for r in 0..h {
        for c in 0..w {
            let v = mask[[r, c]];
            if c + 1 < w {
                meet(v, mask[[r, c + 1]]);
            }
            if r + 1 < h {
                meet(v, mask[[r + 1, c]]);
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|(object, neighbor)| Neighbor {
            object,
            neighbor,
            distance: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::region_props;
    use ndarray::array;

    fn run(mask: &Array2<u32>, kind: NeighborType, dmax: f64) -> Vec<(u32, u32, Option<f32>)> {
        run_k(mask, kind, Some(dmax), None)
    }

    fn run_k(
        mask: &Array2<u32>,
        kind: NeighborType,
        dmax: Option<f64>,
        kmax: Option<usize>,
    ) -> Vec<(u32, u32, Option<f32>)> {
        let idx = ObjectIndex::new(mask.view());
        let props = region_props(mask.view(), &idx);
        let settings = NeighborSettings::new(kind, dmax, kmax).unwrap();
        neighbors(mask.view(), &idx, &props, settings)
            .into_iter()
            .map(|n| (n.object, n.neighbor, n.distance))
            .collect()
    }

    #[test]
    fn borders_report_the_gap_and_respect_dmax() {
        let mask = array![[1u32, 0, 0, 2, 0, 0, 0, 0, 3]];
        let got = run(&mask, NeighborType::Borders, 4.0);
        assert_eq!(got, vec![(1, 2, Some(3.0)), (2, 1, Some(3.0))]);
    }

    #[test]
    fn expansion_joins_objects_whose_growth_meets() {
        // 1 and 2 are 5 apart: grown by 2 each they touch; 3 is 6 beyond 2 and stays alone.
        let mask = array![[1u32, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3]];
        let got = run(&mask, NeighborType::Expansion, 2.0);
        assert_eq!(got, vec![(1, 2, None), (2, 1, None)]);
    }

    #[test]
    fn centroid_pairs_come_forward_then_reversed() {
        let mask = array![[1u32, 0, 2, 0, 3]];
        let got = run(&mask, NeighborType::Centroids, 2.0);
        let d = Some(2.0);
        assert_eq!(got, vec![(1, 2, d), (2, 3, d), (2, 1, d), (3, 2, d)]);
    }

    #[test]
    fn negative_distances_are_refused() {
        let err = NeighborSettings::new(NeighborType::Borders, Some(-1.0), None).unwrap_err();
        assert_eq!(err, MeasureError::BadDistance(-1.0));
    }

    #[test]
    fn limits_are_refused_as_steinbock_refuses_them() {
        let new = |kind, d, k| NeighborSettings::new(kind, d, k).unwrap_err();
        assert_eq!(
            new(NeighborType::Centroids, None, None),
            MeasureError::Unbounded
        );
        assert_eq!(
            new(NeighborType::Borders, None, Some(0)),
            MeasureError::ZeroNeighbors
        );
        assert_eq!(
            new(NeighborType::Expansion, None, None),
            MeasureError::ExpansionLimits
        );
        let k = new(NeighborType::Expansion, Some(4.0), Some(3));
        assert_eq!(k, MeasureError::ExpansionLimits);
    }

    #[test]
    fn k_nearest_centroids_keep_the_closest_within_dmax() {
        // Centroids at x = 0, 2, 3, 7: nearest of 1 is 2 (2), of 2 is 3 (1), of 3 is 2 (1),
        // of 4 is 3 (4).
        let mask = array![[1u32, 0, 2, 3, 0, 0, 0, 4]];
        let got = run_k(&mask, NeighborType::Centroids, None, Some(1));
        let d = |v: f32| Some(v);
        let want = vec![
            (1, 2, d(2.0)),
            (2, 3, d(1.0)),
            (3, 2, d(1.0)),
            (4, 3, d(4.0)),
        ];
        assert_eq!(got, want);
        let within = run_k(&mask, NeighborType::Centroids, Some(3.0), Some(1));
        assert_eq!(within, want[..3].to_vec());
    }
}
