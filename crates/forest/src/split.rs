//! Best Gini split of one node on one feature, from bin codes.
//!
//! Large nodes use a class histogram over the 256 bins; small nodes sort their few samples by
//! code instead, as clearing and scanning 256 bins would cost more than the samples themselves.

/// A labelled, weighted in-bag sample of a tree (weight = bootstrap count x class weight).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub idx: u32,
    pub class: u32,
    pub weight: f32,
}

/// Nodes with at least this many samples use the histogram search.
const HISTOGRAM_MIN: usize = 128;

/// A candidate split: samples with `code <= bin` go left.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split {
    pub bin: u8,
    /// Gini proxy to maximise: sum_k l_k^2 / L + sum_k r_k^2 / R.
    pub score: f64,
}

/// Reusable per-tree buffers of the split search.
pub(crate) struct SplitScratch {
    n_classes: usize,
    hist_w: Vec<f64>,
    hist_n: Vec<u32>,
    sorted: Vec<(u8, u32, f32)>,
    left: Vec<f64>,
}

impl SplitScratch {
    pub fn new(n_classes: usize) -> Self {
        Self {
            n_classes,
            hist_w: vec![0.0; 256 * n_classes],
            hist_n: vec![0; 256],
            sorted: Vec::new(),
            left: vec![0.0; n_classes],
        }
    }
}

/// Node totals needed to score splits.
pub(crate) struct NodeTotals<'a> {
    pub class_weights: &'a [f64],
    pub weight: f64,
    pub count: usize,
    pub min_leaf: usize,
}

/// Gini proxy of a left part given its class weights and the node totals.
#[inline]
fn score(left: &[f64], left_weight: f64, totals: &NodeTotals) -> Option<f64> {
    let right_weight = totals.weight - left_weight;
    if left_weight <= 0.0 || right_weight <= 0.0 {
        return None;
    }
    let mut l2 = 0.0;
    let mut r2 = 0.0;
    for (&l, &t) in left.iter().zip(totals.class_weights) {
        let r = t - l;
        l2 += l * l;
        r2 += r * r;
    }
    Some(l2 / left_weight + r2 / right_weight)
}

/// Best split of `samples` on the feature whose codes are `codes` (indexed by sample index);
/// `None` when the feature is constant in the node or no split leaves `min_leaf` samples per side.
/// The second value tells whether the feature was constant.
pub(crate) fn best_split(
    samples: &[Sample],
    codes: &[u8],
    totals: &NodeTotals,
    scratch: &mut SplitScratch,
) -> (Option<Split>, bool) {
    if samples.len() >= HISTOGRAM_MIN {
        histogram_split(samples, codes, totals, scratch)
    } else {
        sorted_split(samples, codes, totals, scratch)
    }
}

fn histogram_split(
    samples: &[Sample],
    codes: &[u8],
    totals: &NodeTotals,
    s: &mut SplitScratch,
) -> (Option<Split>, bool) {
    let k = s.n_classes;
    let (mut lo, mut hi) = (255usize, 0usize);
    for sample in samples {
        let b = codes[sample.idx as usize] as usize;
        s.hist_w[b * k + sample.class as usize] += f64::from(sample.weight);
        s.hist_n[b] += 1;
        lo = lo.min(b);
        hi = hi.max(b);
    }
    let constant = lo == hi;
    let mut best: Option<Split> = None;
    if !constant {
        s.left.fill(0.0);
        let mut left_weight = 0.0;
        let mut left_count = 0usize;
        let mut prev = lo;
        for b in lo..=hi {
            if s.hist_n[b] == 0 {
                continue;
            }
            if b > lo {
                // Split between the non-empty bins `prev` and `b`: threshold mid-gap.
                if left_count >= totals.min_leaf && totals.count - left_count >= totals.min_leaf {
                    if let Some(sc) = score(&s.left, left_weight, totals) {
                        if best.is_none_or(|bs| sc > bs.score) {
                            best = Some(Split {
                                bin: ((prev + b - 1) / 2) as u8,
                                score: sc,
                            });
                        }
                    }
                }
                if totals.count - left_count < totals.min_leaf {
                    break;
                }
            }
            for c in 0..k {
                s.left[c] += s.hist_w[b * k + c];
                left_weight += s.hist_w[b * k + c];
            }
            left_count += s.hist_n[b] as usize;
            prev = b;
        }
    }
    s.hist_w[lo * k..(hi + 1) * k].fill(0.0);
    s.hist_n[lo..=hi].fill(0);
    (best, constant)
}

fn sorted_split(
    samples: &[Sample],
    codes: &[u8],
    totals: &NodeTotals,
    s: &mut SplitScratch,
) -> (Option<Split>, bool) {
    s.sorted.clear();
    s.sorted.extend(
        samples
            .iter()
            .map(|x| (codes[x.idx as usize], x.class, x.weight)),
    );
    s.sorted.sort_unstable_by_key(|t| t.0);
    let first = s.sorted[0].0;
    let last = s.sorted[s.sorted.len() - 1].0;
    if first == last {
        return (None, true);
    }
    s.left.fill(0.0);
    let mut left_weight = 0.0;
    let mut best: Option<Split> = None;
    for i in 0..s.sorted.len() {
        let (code, class, weight) = s.sorted[i];
        if i > 0 {
            let prev = s.sorted[i - 1].0;
            if prev != code && i >= totals.min_leaf && totals.count - i >= totals.min_leaf {
                if let Some(sc) = score(&s.left, left_weight, totals) {
                    if best.is_none_or(|bs| sc > bs.score) {
                        best = Some(Split {
                            bin: ((prev as usize + code as usize - 1) / 2) as u8,
                            score: sc,
                        });
                    }
                }
            }
        }
        s.left[class as usize] += f64::from(weight);
        left_weight += f64::from(weight);
    }
    (best, false)
}
