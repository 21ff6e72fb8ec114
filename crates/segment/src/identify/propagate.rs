//! centrosome `propagate.propagate` (CellProfiler's IdentifySecondaryObjects "Propagation"):
//! labels spread from the seeds through the mask in order of a distance that adds, per step,
//! `sqrt(d_img² + manhattan * weight²)` with `d_img` the summed absolute difference of the two
//! pixels' 3x3 neighbourhoods (edges clamped).
//!
//! Exactness: the heap holds `(high word, low word >> 1, label, i, j)` of each distance as
//! signed 32-bit integers compared in that order, and starts as the seeds in raster order
//! without being heapified; a neighbour is pushed only when strictly closer than before.
//! These decide every tie, so they are kept (see `heap.rs`).

use ndarray::Array2;

use super::heap::CpHeap;

type Item = [i32; 5];

fn key(d: f64) -> (i32, i32) {
    let bits = d.to_bits();
    let (hi, lo) = ((bits >> 32) as u32, bits as u32);
    let negative = hi & 0x8000_0000 != 0;
    let most = (hi & 0x7FFF_FFFF) as i32;
    let least = (lo >> 1) as i32;
    if negative {
        (-most, -least)
    } else {
        (most, least)
    }
}

fn less(a: &Item, b: &Item) -> bool {
    a < b
}

/// Propagates `labels` (> 0 = seed) over `image` inside `mask`; returns labels and distances
/// (-1 where never reached).
#[must_use]
pub fn propagate(
    image: &Array2<f64>,
    labels: &Array2<i32>,
    mask: &Array2<bool>,
    weight: f64,
) -> (Array2<i32>, Array2<f64>) {
    let (m, n) = image.dim();
    let mut out = Array2::<i32>::zeros((m, n));
    let mut distances = labels.mapv(|l| if l > 0 { 0.0 } else { -1.0 });
    let seeds: Vec<Item> = labels
        .indexed_iter()
        .filter(|&((i, j), &l)| l != 0 && mask[[i, j]])
        .map(|((i, j), &l)| [0, 0, l, i as i32, j as i32])
        .collect();
    let mut heap = CpHeap::from_unordered(seeds, less);
    const DI: [isize; 8] = [-1, -1, -1, 0, 0, 1, 1, 1];
    const DJ: [isize; 8] = [-1, 0, 1, -1, 1, -1, 0, 1];
    while let Some([_, _, label, i1, j1]) = heap.pop() {
        let (i1, j1) = (i1 as usize, j1 as usize);
        if out[[i1, j1]] != 0 {
            continue;
        }
        out[[i1, j1]] = label;
        let d0 = distances[[i1, j1]];
        for k in 0..8 {
            let (i2, j2) = (i1 as isize + DI[k], j1 as isize + DJ[k]);
            if i2 < 0 || j2 < 0 || i2 >= m as isize || j2 >= n as isize {
                continue;
            }
            let (i2, j2) = (i2 as usize, j2 as usize);
            if out[[i2, j2]] > 0 || !mask[[i2, j2]] {
                continue;
            }
            let d = step(image, (i1, j1), (i2, j2), weight) + d0;
            let known = distances[[i2, j2]];
            if known == -1.0 || known > d {
                distances[[i2, j2]] = d;
                let (hi, lo) = key(d);
                heap.push([hi, lo, label, i2 as i32, j2 as i32]);
            }
        }
    }
    for ((i, j), &l) in labels.indexed_iter() {
        if l > 0 {
            out[[i, j]] = l;
        }
    }
    (out, distances)
}

/// `distance()` of `_propagate.pyx`, summed in its loop order.
fn step(image: &Array2<f64>, a: (usize, usize), b: (usize, usize), weight: f64) -> f64 {
    let (m, n) = image.dim();
    let fetch = |i: isize, j: isize| {
        let i = i.clamp(0, m as isize - 1) as usize;
        let j = j.clamp(0, n as isize - 1) as usize;
        image[[i, j]]
    };
    let mut pixel_diff = 0.0f64;
    for di in -1..=1isize {
        for dj in -1..=1isize {
            let v1 = fetch(a.0 as isize + di, a.1 as isize + dj);
            let v2 = fetch(b.0 as isize + di, b.1 as isize + dj);
            pixel_diff += if v1 > v2 { v1 - v2 } else { v2 - v1 };
        }
    }
    let manhattan = (a.0.abs_diff(b.0) + a.1.abs_diff(b.1)) as f64;
    (pixel_diff * pixel_diff + manhattan * weight * weight).sqrt()
}
