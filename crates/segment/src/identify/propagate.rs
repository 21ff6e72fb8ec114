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
use super::monotone_queue::MonotoneQueue;

/// `(hi, lo, label)` and `(i, j)` of centrosome's 5-int heap item packed so that comparing
/// the pair compares the five ints in order (`hi`, `lo` are never negative: distances are not).
type Item = (u128, u64);

fn item(hi: i32, lo: i32, label: i32, i: usize, j: usize) -> Item {
    let label = (i64::from(label) + (1i64 << 31)) as u128;
    let key = (hi as u128) << 63 | (lo as u128) << 32 | label;
    (key, (i as u64) << 32 | j as u64)
}

fn unpack(item: Item) -> (i32, usize, usize) {
    let label = ((item.0 & 0xFFFF_FFFF) as i64 - (1i64 << 31)) as i32;
    (
        label,
        (item.1 >> 32) as usize,
        (item.1 & 0xFFFF_FFFF) as usize,
    )
}

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
///
/// # Panics
/// When `labels` or `mask` differ in shape from `image`.
#[must_use]
pub fn propagate(
    image: &Array2<f64>,
    labels: &Array2<i32>,
    mask: &Array2<bool>,
    weight: f64,
) -> (Array2<i32>, Array2<f64>) {
    assert_eq!(
        labels.dim(),
        image.dim(),
        "labels and image differ in shape"
    );
    assert_eq!(mask.dim(), image.dim(), "mask and image differ in shape");
    let (m, n) = image.dim();
    let grid = Grid::new(image);
    // One record per pixel: the flooding order jumps across the image, so what a step reads
    // about a pixel should share one cache line.
    let mut px: Vec<Pixel> = labels
        .iter()
        .zip(mask.iter())
        .map(|(&l, &inside)| Pixel {
            distance: if l > 0 { 0.0 } else { -1.0 },
            label: 0,
            inside,
        })
        .collect();
    let seeds: Vec<Item> = labels
        .indexed_iter()
        .filter(|&((i, j), &l)| l != 0 && mask[[i, j]])
        .map(|((i, j), &l)| item(0, 0, l, i, j))
        .collect();
    let mut frontier = frontier(seeds);
    while let Some(popped) = frontier.pop() {
        let (label, i1, j1) = unpack(popped);
        let at = i1 * n + j1;
        if px[at].label != 0 {
            continue;
        }
        px[at].label = label;
        let d0 = px[at].distance;
        for (di, dj) in NEIGHBOURS {
            let (i2, j2) = (i1 as isize + di, j1 as isize + dj);
            if i2 < 0 || j2 < 0 || i2 >= m as isize || j2 >= n as isize {
                continue;
            }
            let (i2, j2) = (i2 as usize, j2 as usize);
            let to = i2 * n + j2;
            if px[to].label > 0 || !px[to].inside {
                continue;
            }
            let d = grid.step((i1, j1), (i2, j2), weight) + d0;
            let known = px[to].distance;
            if known == -1.0 || known > d {
                px[to].distance = d;
                let (hi, lo) = key(d);
                frontier.push(item(hi, lo, label, i2, j2));
            }
        }
    }
    let out: Vec<i32> = px
        .iter()
        .zip(labels.iter())
        .map(|(p, &l)| if l > 0 { l } else { p.label })
        .collect();
    let distances: Vec<f64> = px.iter().map(|p| p.distance).collect();
    let shape = (m, n);
    (
        Array2::from_shape_vec(shape, out).expect("m * n labels"),
        Array2::from_shape_vec(shape, distances).expect("m * n distances"),
    )
}

/// The items still to flood, popped in centrosome's order. Seeds leave centrosome's heap
/// first, in an order only its own sift steps give; after them every item is distinct and any
/// priority queue pops the same sequence, so the rest runs on a radix queue (distances only
/// grow).
struct Frontier<F: Fn(&Item, &Item) -> bool> {
    seed_heap: CpHeap<Item, F>,
    rest: MonotoneQueue,
}

/// The frontier of centrosome's `propagate`, holding the seeds.
fn frontier(seeds: Vec<Item>) -> Frontier<impl Fn(&Item, &Item) -> bool> {
    Frontier {
        seed_heap: CpHeap::from_unordered(seeds, less),
        rest: MonotoneQueue::new(),
    }
}

impl<F: Fn(&Item, &Item) -> bool> Frontier<F> {
    /// The next item; once the first non-seed leaves the seed heap, the heap moves to the
    /// radix queue.
    fn pop(&mut self) -> Option<Item> {
        match self.seed_heap.pop() {
            Some(p) if p.0 >> 32 == 0 => return Some(p),
            Some(p) => {
                for q in std::iter::once(p).chain(self.seed_heap.drain()) {
                    push_rest(&mut self.rest, q);
                }
            }
            None => {}
        }
        self.rest.pop().map(|(key, tie)| unsplit(key, tie))
    }

    fn push(&mut self, item: Item) {
        if self.seed_heap.is_empty() {
            push_rest(&mut self.rest, item);
        } else {
            self.seed_heap.push(item);
        }
    }
}

/// An item into the radix queue: `(hi, lo)` as its key, `(label, i, j)` as its tie-breaker.
fn push_rest(queue: &mut MonotoneQueue, item: Item) {
    let key = (item.0 >> 32) as u64;
    let tie = (item.0 & 0xFFFF_FFFF) << 64 | u128::from(item.1);
    queue.push(key, tie);
}

fn unsplit(key: u64, tie: u128) -> Item {
    (u128::from(key) << 32 | tie >> 64, tie as u64)
}

/// centrosome's neighbour order (`delta_i`, `delta_j`).
const NEIGHBOURS: [(isize, isize); 8] = [
    (-1, -1),
    (-1, 0),
    (-1, 1),
    (0, -1),
    (0, 1),
    (1, -1),
    (1, 0),
    (1, 1),
];

/// What propagation knows of one pixel.
#[derive(Clone, Copy)]
struct Pixel {
    /// Best distance pushed so far, -1 for none (0 for seeds).
    distance: f64,
    label: i32,
    inside: bool,
}

/// The image padded by one replicated pixel (centrosome's `clamped_fetch` for the one-pixel
/// reach of `distance()`), as flat rows.
struct Grid {
    padded: Vec<f64>,
    width: usize,
}

impl Grid {
    fn new(image: &Array2<f64>) -> Self {
        let (m, n) = image.dim();
        let width = n + 2;
        let mut padded = vec![0.0; (m + 2) * width];
        for (k, v) in padded.iter_mut().enumerate() {
            let (i, j) = ((k / width) as isize - 1, (k % width) as isize - 1);
            let i = i.clamp(0, m as isize - 1) as usize;
            let j = j.clamp(0, n as isize - 1) as usize;
            *v = image[[i, j]];
        }
        Self { padded, width }
    }

    /// `distance()` of `_propagate.pyx`, summed in its loop order.
    fn step(&self, a: (usize, usize), b: (usize, usize), weight: f64) -> f64 {
        let w = self.width;
        let (ra, rb) = (a.0 * w + a.1, b.0 * w + b.1);
        let mut pixel_diff = 0.0f64;
        for di in 0..3 {
            let (pa, pb) = (&self.padded[ra + di * w..], &self.padded[rb + di * w..]);
            for dj in 0..3 {
                let (v1, v2) = (pa[dj], pb[dj]);
                pixel_diff += if v1 > v2 { v1 - v2 } else { v2 - v1 };
            }
        }
        let manhattan = (a.0.abs_diff(b.0) + a.1.abs_diff(b.1)) as f64;
        (pixel_diff * pixel_diff + manhattan * weight * weight).sqrt()
    }
}
