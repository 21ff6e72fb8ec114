//! Object-level agreement of two label images: a pair matches when its intersection over
//! union is at least the cut (above 0.5 a pair is unique, so counting is greedy-free).

use std::collections::HashMap;

use ndarray::{Array2, Zip};

/// Matched and unmatched objects of a prediction against a reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// Reference objects with a matching predicted object.
    pub matched: usize,
    /// Objects in the reference.
    pub reference: usize,
    /// Objects in the prediction.
    pub predicted: usize,
}

impl Detection {
    /// `2 * matched / (reference + predicted)`; 1 when both are empty.
    #[must_use]
    pub fn f1(&self) -> f64 {
        let total = self.reference + self.predicted;
        if total == 0 {
            1.0
        } else {
            2.0 * self.matched as f64 / total as f64
        }
    }
}

/// Counts objects of `predicted` matching one of `reference` with IoU >= `min_iou` (>= 0.5).
#[must_use]
pub fn match_objects(reference: &Array2<i32>, predicted: &Array2<i32>, min_iou: f64) -> Detection {
    let mut overlap: HashMap<(i32, i32), usize> = HashMap::new();
    let mut area_r: HashMap<i32, usize> = HashMap::new();
    let mut area_p: HashMap<i32, usize> = HashMap::new();
    Zip::from(reference).and(predicted).for_each(|&r, &p| {
        if r > 0 {
            *area_r.entry(r).or_default() += 1;
        }
        if p > 0 {
            *area_p.entry(p).or_default() += 1;
        }
        if r > 0 && p > 0 {
            *overlap.entry((r, p)).or_default() += 1;
        }
    });
    let matched = overlap
        .iter()
        .filter(|(&(r, p), &inter)| {
            let union = area_r[&r] + area_p[&p] - inter;
            inter as f64 / union as f64 >= min_iou
        })
        .count();
    Detection {
        matched,
        reference: area_r.len(),
        predicted: area_p.len(),
    }
}
