//! centrosome `cpmorphology.fill_labeled_holes`: background regions (4-connected) enclosed by
//! one object become that object.
//!
//! Ported step for step (the region graph, its to-do stack and the second walk for objects
//! inside holes) rather than re-derived, so nested and multi-object cases resolve exactly as
//! CellProfiler resolves them.

use ndarray::{Array2, Zip};

use super::label::{label, Connectivity};

/// Decides, from a region's area and whether it is an object, if it may be a hole
/// (`size_fn` in centrosome: `false` marks it "not a hole").
pub type SizeFn<'a> = &'a dyn Fn(usize, bool) -> bool;

/// Fills holes in `labels`. With `mask`, only pixels inside it count as background and only
/// they are rewritten.
#[must_use]
pub fn fill_labeled_holes(
    labels: &Array2<i32>,
    mask: Option<&Array2<bool>>,
    size_fn: Option<SizeFn<'_>>,
) -> Array2<i32> {
    let background = match mask {
        Some(m) => Zip::from(labels).and(m).map_collect(|&l, &m| l == 0 && m),
        None => labels.mapv(|l| l == 0),
    };
    let (blabels, count) = label(&background, Connectivity::Four);
    let lcount = labels.iter().copied().max().unwrap_or(0).max(0) as usize;
    let mut all = labels.clone();
    Zip::from(&mut all).and(&blabels).for_each(|a, &b| {
        if b != 0 {
            *a = b + lcount as i32 + 1;
        }
    });
    let lmax = lcount + count + 1;
    let mut graph = Graph::new(&all, lmax);
    graph.walk(&all, lcount, size_fn);
    let mut new_index: Vec<i32> = (0..=lmax as i32).collect();
    for v in new_index.iter_mut().skip(lcount + 1) {
        *v = 0;
    }
    for (k, v) in new_index.iter_mut().enumerate() {
        if !graph.not_hole[k] {
            *v = graph.adjacent_non_hole[k] as i32;
        }
    }
    let remap = |v: i32| if v >= 0 { new_index[v as usize] } else { v };
    match mask {
        Some(m) => {
            Zip::from(&mut all).and(m).for_each(|a, &inside| {
                if inside {
                    *a = remap(*a);
                }
            });
            all
        }
        None => all.mapv(remap),
    }
}

/// The 4-adjacency of regions, as sorted, de-duplicated, symmetric pairs.
struct Graph {
    /// For region `i`, its neighbours are `neighbours[start[i]..start[i + 1]]`, ascending.
    start: Vec<usize>,
    neighbours: Vec<u32>,
    not_hole: Vec<bool>,
    adjacent_non_hole: Vec<u32>,
}

impl Graph {
    fn new(all: &Array2<i32>, lmax: usize) -> Self {
        let (h, w) = all.dim();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut add = |a: i32, b: i32| {
            if a != b {
                pairs.push((a as u32, b as u32));
                pairs.push((b as u32, a as u32));
            }
        };
        for y in 0..h {
            for x in 0..w {
                if y + 1 < h {
                    add(all[[y, x]], all[[y + 1, x]]);
                }
                if x + 1 < w {
                    add(all[[y, x]], all[[y, x + 1]]);
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut start = vec![0usize; lmax + 2];
        for &(i, _) in &pairs {
            start[i as usize + 1] += 1;
        }
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        Self {
            start,
            neighbours: pairs.into_iter().map(|(_, j)| j).collect(),
            not_hole: vec![false; lmax + 1],
            adjacent_non_hole: vec![0; lmax + 1],
        }
    }

    fn of(&self, i: u32) -> &[u32] {
        &self.neighbours[self.start[i as usize]..self.start[i as usize + 1]]
    }

    /// `fill_labeled_holes` from the edge regions through `fill_labeled_holes_loop`.
    fn walk(&mut self, all: &Array2<i32>, lcount: usize, size_fn: Option<SizeFn<'_>>) {
        let mut edge: Vec<u32> = Vec::new();
        let (h, w) = all.dim();
        for x in 0..w {
            edge.push(all[[0, x]] as u32);
            edge.push(all[[h - 1, x]] as u32);
        }
        for y in 0..h {
            edge.push(all[[y, 0]] as u32);
            edge.push(all[[y, w - 1]] as u32);
        }
        edge.sort_unstable();
        edge.dedup();
        edge.retain(|&v| v != 0);
        let mut to_do = edge;
        for &k in &to_do {
            self.not_hole[k as usize] = true;
        }
        if self.neighbours.is_empty() {
            return;
        }
        if let Some(size_fn) = size_fn {
            let areas = super::label::areas(all);
            for (ii, &area) in areas.iter().enumerate().skip(1) {
                if area > 0 && !self.not_hole[ii] && !size_fn(area, ii <= lcount) {
                    self.not_hole[ii] = true;
                    to_do.push(ii as u32);
                }
            }
        }
        while let Some(ii) = to_do.pop() {
            for k in self.start[ii as usize]..self.start[ii as usize + 1] {
                let jj = self.neighbours[k] as usize;
                if self.not_hole[jj] {
                    continue;
                }
                if ii as usize <= lcount {
                    if self.adjacent_non_hole[jj] == 0 {
                        self.adjacent_non_hole[jj] = ii;
                        continue;
                    } else if self.adjacent_non_hole[jj] == ii {
                        continue;
                    }
                } else if jj > lcount {
                    continue;
                }
                self.not_hole[jj] = true;
                to_do.push(jj as u32);
            }
        }
        let mut to_do: Vec<u32> = (0..self.not_hole.len() as u32)
            .filter(|&j| !self.not_hole[j as usize] && self.adjacent_non_hole[j as usize] != 0)
            .collect();
        while let Some(ii) = to_do.pop() {
            let fill = self.adjacent_non_hole[ii as usize];
            for k in 0..self.of(ii).len() {
                let jj = self.of(ii)[k] as usize;
                if !self.not_hole[jj] && self.adjacent_non_hole[jj] == 0 {
                    self.adjacent_non_hole[jj] = fill;
                    to_do.push(jj as u32);
                }
            }
        }
    }
}
