//! Connected components numbered as `scipy.ndimage.label` numbers them (in the raster order of
//! each component's first pixel), and centrosome's `relabel`.

use ndarray::Array2;

/// Which neighbours connect two pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connectivity {
    /// Edge neighbours (scipy's default cross).
    Four,
    /// Edge and corner neighbours (`numpy.ones((3, 3))`).
    Eight,
}

/// Labels the `true` pixels of `mask`; returns the labels and their count.
#[must_use]
pub fn label(mask: &Array2<bool>, connectivity: Connectivity) -> (Array2<i32>, usize) {
    let (h, w) = mask.dim();
    let mut parent: Vec<u32> = vec![0];
    let mut provisional = Array2::<u32>::zeros((h, w));
    let back: &[(isize, isize)] = match connectivity {
        Connectivity::Four => &[(-1, 0), (0, -1)],
        Connectivity::Eight => &[(-1, -1), (-1, 0), (-1, 1), (0, -1)],
    };
    for y in 0..h {
        for x in 0..w {
            if !mask[[y, x]] {
                continue;
            }
            let mut current = 0u32;
            for &(dy, dx) in back {
                let (ny, nx) = (y as isize + dy, x as isize + dx);
                if ny < 0 || nx < 0 || nx >= w as isize {
                    continue;
                }
                let other = provisional[[ny as usize, nx as usize]];
                if other == 0 {
                    continue;
                }
                current = if current == 0 {
                    find(&mut parent, other)
                } else {
                    union(&mut parent, current, other)
                };
            }
            if current == 0 {
                current = parent.len() as u32;
                parent.push(current);
            }
            provisional[[y, x]] = current;
        }
    }
    // Roots are each component's smallest provisional label, created at its first pixel.
    let mut final_label = vec![0i32; parent.len()];
    let mut count = 0;
    for p in 1..parent.len() as u32 {
        let root = find(&mut parent, p);
        if root == p {
            count += 1;
            final_label[p as usize] = count as i32;
        }
    }
    for p in 1..parent.len() as u32 {
        let root = find(&mut parent, p);
        final_label[p as usize] = final_label[root as usize];
    }
    (provisional.mapv(|p| final_label[p as usize]), count)
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// Merges two sets, keeping the smaller root; returns it.
fn union(parent: &mut [u32], a: u32, b: u32) -> u32 {
    let (ra, rb) = (find(parent, a), find(parent, b));
    let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
    parent[hi as usize] = lo;
    lo
}

/// centrosome `relabel`: labels renumbered 1..=n in increasing order of their old value.
#[must_use]
pub fn relabel(labels: &Array2<i32>) -> (Array2<i32>, usize) {
    let max = labels.iter().copied().max().unwrap_or(0).max(0) as usize;
    let mut table = vec![0i32; max + 1];
    for &v in labels.iter().filter(|&&v| v > 0) {
        table[v as usize] = 1;
    }
    let mut next = 0;
    for slot in table.iter_mut().skip(1) {
        if *slot != 0 {
            next += 1;
            *slot = next;
        }
    }
    (
        labels.mapv(|v| if v > 0 { table[v as usize] } else { 0 }),
        next as usize,
    )
}

/// Pixel count of each label `0..=max` (`numpy.bincount`).
#[must_use]
pub fn areas(labels: &Array2<i32>) -> Vec<usize> {
    let max = labels.iter().copied().max().unwrap_or(0).max(0) as usize;
    let mut counts = vec![0usize; max + 1];
    for &v in labels.iter().filter(|&&v| v >= 0) {
        counts[v as usize] += 1;
    }
    counts
}
