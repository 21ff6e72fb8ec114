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
//! Rows come per object in ascending label order, neighbours ascending (`np.unique`), except
//! for `centroids`. `kmax` (steinbock's k-nearest option) is not implemented.

use ndarray::{s, Array2, ArrayView2};

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

/// A neighbour type with its maximum distance (steinbock's `--dmax`), validated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeighborSettings {
    kind: NeighborType,
    dmax: f64,
}

impl NeighborSettings {
    /// # Errors
    /// [`MeasureError::BadDistance`] when `dmax` is negative, NaN or infinite.
    pub fn new(kind: NeighborType, dmax: f64) -> Result<Self, MeasureError> {
        if !dmax.is_finite() || dmax < 0.0 {
            return Err(MeasureError::BadDistance(dmax));
        }
        Ok(Self { kind, dmax })
    }

    /// How neighbours are found; read back for the table's provenance.
    #[must_use]
    pub fn kind(&self) -> NeighborType {
        self.kind
    }

    /// The distance (pixels) validated by [`NeighborSettings::new`].
    #[must_use]
    pub fn dmax(&self) -> f64 {
        self.dmax
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
    match settings.kind {
        NeighborType::Centroids => centroid_neighbors(props, settings.dmax),
        NeighborType::Borders => border_neighbors(mask, objects, settings.dmax),
        NeighborType::Expansion => touching(expand(mask, settings.dmax).view(), objects),
    }
}

fn centroid_neighbors(props: &[RegionProps], dmax: f64) -> Vec<Neighbor> {
    let mut pairs = Vec::new();
    for (i, p) in props.iter().enumerate() {
        for q in &props[i + 1..] {
            let (dy, dx) = (p.centroid.0 - q.centroid.0, p.centroid.1 - q.centroid.1);
            let d = (dy * dy + dx * dx).sqrt();
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

fn border_neighbors(mask: ArrayView2<u32>, objects: &ObjectIndex, dmax: f64) -> Vec<Neighbor> {
    let (h, w) = mask.dim();
    // steinbock pads the box by ceil(dmax); anything further is beyond dmax in one axis.
    let pad = dmax.ceil() as usize;
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
        for (neighbor, d2) in best {
            let d = (d2 as f64).sqrt();
            if d <= dmax {
                out.push(Neighbor {
                    object: label,
                    neighbor,
                    distance: Some(d as f32),
                });
            }
        }
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
        let idx = ObjectIndex::new(mask.view());
        let props = region_props(mask.view(), &idx);
        let settings = NeighborSettings::new(kind, dmax).unwrap();
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
        let err = NeighborSettings::new(NeighborType::Borders, -1.0).unwrap_err();
        assert_eq!(err, MeasureError::BadDistance(-1.0));
    }
}
