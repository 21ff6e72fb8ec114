//! IdentifySecondaryObjects by "Propagation" (`identifysecondaryobjects.py`, `run`): seeds are
//! the primary objects' unedited labels where the final objects kept them (plus any object
//! touching the image edge), propagated over the thresholded image; holes filled; each output
//! region then takes the final primary label it overlaps (`filter_labels`), so cells carry
//! their nucleus' number and cells of discarded nuclei vanish.

use ndarray::{Array2, Zip};

use super::fill_holes::fill_labeled_holes;
use super::label::areas;
use super::primary::PrimaryObjects;
use super::propagate::propagate;
use super::threshold::ThresholdSettings;

/// The settings of one IdentifySecondaryObjects module, propagation method.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondarySettings {
    /// The module's own MCE threshold (with smoothing).
    pub threshold: ThresholdSettings,
    /// "Regularization factor".
    pub regularization: f64,
    /// "Fill holes in identified objects?".
    pub fill_holes: bool,
}

/// Cells grown from `primary` (its final labels possibly filtered to `kept`) over `image`.
#[must_use]
pub fn identify_secondary(
    image: &Array2<f32>,
    primary: &PrimaryObjects,
    kept: &Array2<i32>,
    settings: &SecondarySettings,
) -> Array2<i32> {
    let (_, foreground) = settings.threshold.apply(image);
    let seeds = seeds(&primary.unedited, kept);
    // centrosome's `propagate` reads the image as float64.
    let (grown, _) = propagate(
        &image.mapv(f64::from),
        &seeds,
        &foreground,
        settings.regularization,
    );
    let filled = if settings.fill_holes {
        let empty = grown.mapv(|l| l == 0);
        fill_labeled_holes(&grown, Some(&empty), None)
    } else {
        grown
    };
    filter_labels(&filled, kept)
}

/// `labels_in`: unedited labels, cleared where the final objects are background unless the
/// unedited object touches the image edge.
fn seeds(unedited: &Array2<i32>, kept: &Array2<i32>) -> Array2<i32> {
    let (h, w) = unedited.dim();
    let mut touching = vec![false; areas(unedited).len()];
    for ((y, x), &l) in unedited.indexed_iter() {
        if y == 0 || x == 0 || y + 1 == h || x + 1 == w {
            touching[l.max(0) as usize] = true;
        }
    }
    Zip::from(unedited).and(kept).map_collect(|&u, &k| {
        if !touching[u.max(0) as usize] && k == 0 {
            0
        } else {
            u
        }
    })
}

/// `filter_labels`: each output label becomes the largest final primary label under it.
fn filter_labels(out: &Array2<i32>, kept: &Array2<i32>) -> Array2<i32> {
    let max_out = out.iter().copied().max().unwrap_or(0);
    if max_out <= 0 {
        return out.clone();
    }
    let mut lookup = vec![0i32; max_out as usize + 1];
    Zip::from(out).and(kept).for_each(|&o, &k| {
        if o > 0 && k > lookup[o as usize] {
            lookup[o as usize] = k;
        }
    });
    lookup[0] = 0;
    out.mapv(|o| if o > 0 { lookup[o as usize] } else { 0 })
}
