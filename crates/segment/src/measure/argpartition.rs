//! `numpy.argpartition(values, kth)` of numpy 1.x (its default `introselect`), to the order.
//!
//! steinbock's k-nearest neighbours take the first `k` indices of `np.argpartition`, in the
//! order numpy leaves them, and write them in that order. The order is the algorithm's, so
//! it is followed step by step (numpy `npysort/selection.cpp`): a selection sort when `kth` is
//! within 3 of the range's start, otherwise quickselect with a median-of-3 pivot moved to the
//! range's start and an unguarded Hoare partition, falling back to a median-of-medians-of-5
//! pivot after `2 * floor(log2(n))` rounds. NaN sorts last. numpy 2 on AVX-512 machines
//! partitions with x86-simd-sort instead, in another order; steinbock's container runs numpy
//! 1.x.

/// numpy's `less` for floats: NaN after every number.
fn less(a: f64, b: f64) -> bool {
    a < b || (b.is_nan() && !a.is_nan())
}

/// The index permutation `np.argpartition(values, kth)` returns (`kth < values.len()`).
#[must_use]
pub(crate) fn argpartition(values: &[f64], kth: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    if kth < values.len() {
        introselect(values, &mut order, kth);
    }
    order
}

/// `introselect_` with `arg = true` on `order` (indices into `v`), without the pivot stack
/// (one `kth`, as steinbock calls it).
fn introselect(v: &[f64], order: &mut [usize], kth: usize) {
    let num = order.len();
    let (mut low, mut high) = (0usize, num - 1);
    let at = |order: &[usize], i: usize| v[order[i]];
    if kth - low < 3 {
        dumb_select(v, &mut order[low..=high], kth - low);
        return;
    }
    if kth == num - 1 {
        let mut maxidx = low;
        let mut maxval = at(order, low);
        for k in low + 1..num {
            if !less(at(order, k), maxval) {
                maxidx = k;
                maxval = at(order, k);
            }
        }
        order.swap(kth, maxidx);
        return;
    }
    let mut depth_limit = 2 * i64::from(num.ilog2());
    while low + 1 < high {
        let (mut ll, mut hh) = (low + 1, high);
        if depth_limit > 0 || hh - ll < 5 {
            let mid = low + (high - low) / 2;
            median3_swap(v, order, low, mid, high);
        } else {
            let mid = ll + median_of_median5(v, &mut order[ll..hh]);
            order.swap(mid, low);
            ll -= 1;
            hh += 1;
        }
        depth_limit -= 1;
        unguarded_partition(v, order, at(order, low), &mut ll, &mut hh);
        order.swap(low, hh);
        if hh >= kth {
            high = hh - 1;
        }
        if hh <= kth {
            low = ll;
        }
    }
    if high == low + 1 && less(at(order, high), at(order, low)) {
        order.swap(high, low);
    }
}

/// `dumb_select_`: selection sort of the first `kth + 1` places.
fn dumb_select(v: &[f64], order: &mut [usize], kth: usize) {
    for i in 0..=kth {
        let mut minidx = i;
        let mut minval = v[order[i]];
        for k in i + 1..order.len() {
            if less(v[order[k]], minval) {
                minidx = k;
                minval = v[order[k]];
            }
        }
        order.swap(i, minidx);
    }
}

/// `median3_swap_`: the median of low/mid/high to `low`, the smallest to `low + 1`.
fn median3_swap(v: &[f64], order: &mut [usize], low: usize, mid: usize, high: usize) {
    if less(v[order[high]], v[order[mid]]) {
        order.swap(high, mid);
    }
    if less(v[order[high]], v[order[low]]) {
        order.swap(high, low);
    }
    if less(v[order[low]], v[order[mid]]) {
        order.swap(low, mid);
    }
    order.swap(mid, low + 1);
}

/// `unguarded_partition_` around `pivot`; `ll`/`hh` end where the scans crossed.
fn unguarded_partition(v: &[f64], order: &mut [usize], pivot: f64, ll: &mut usize, hh: &mut usize) {
    loop {
        *ll += 1;
        while less(v[order[*ll]], pivot) {
            *ll += 1;
        }
        *hh -= 1;
        while less(pivot, v[order[*hh]]) {
            *hh -= 1;
        }
        if *hh < *ll {
            break;
        }
        order.swap(*ll, *hh);
    }
}

/// `median_of_median5_`: medians of blocks of 5 moved to the front, then their median's place.
fn median_of_median5(v: &[f64], order: &mut [usize]) -> usize {
    let nmed = order.len() / 5;
    for i in 0..nmed {
        let block = 5 * i;
        let m = median5(v, &mut order[block..block + 5]);
        order.swap(block + m, i);
    }
    if nmed > 2 {
        introselect(v, &mut order[..nmed], nmed / 2);
    }
    nmed / 2
}

/// `median5_`: partially sorts five places and returns where their median is.
fn median5(v: &[f64], o: &mut [usize]) -> usize {
    let lt = |o: &[usize], a: usize, b: usize| less(v[o[a]], v[o[b]]);
    for (a, b) in [(1, 0), (4, 3), (3, 0), (4, 1), (2, 1)] {
        if lt(o, a, b) {
            o.swap(a, b);
        }
    }
    if lt(o, 3, 2) {
        if lt(o, 3, 1) {
            1
        } else {
            3
        }
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_kth_are_the_smallest_and_kth_is_in_place() {
        let v = [
            5.0, 1.0, 4.0, 1.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 8.0, 9.0, 7.0, 9.0,
        ];
        for kth in 0..v.len() {
            let o = argpartition(&v, kth);
            let mut sorted = v.to_vec();
            sorted.sort_by(f64::total_cmp);
            assert_eq!(v[o[kth]], sorted[kth], "kth {kth}");
            assert!(o[..kth].iter().all(|&i| v[i] <= sorted[kth]));
            assert!(o[kth..].iter().all(|&i| v[i] >= sorted[kth]));
        }
    }

    #[test]
    fn order_equals_numpy_1x() {
        // numpy 1.23.5: np.argpartition(np.array(v), k) (numpy 2 on AVX-512 gives another
        // order). The random and adversarial comparison: 3,025 arrays, all orders equal.
        let v = [
            0.7, 0.1, 0.9, 0.3, 0.3, 0.8, 0.2, 0.6, 0.5, 0.4, 0.05, 0.95, 0.15, 0.3,
        ];
        assert_eq!(
            argpartition(&v, 4),
            vec![1, 6, 12, 10, 13, 5, 4, 7, 8, 9, 3, 11, 2, 0]
        );
        assert_eq!(
            argpartition(&v, 1),
            vec![10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 11, 12, 13]
        );
    }
}
