//! The exact Euclidean feature transform of scipy (`ndimage.distance_transform_edt(...,
//! return_indices=True)`, Maurer et al. 2003): for each pixel, the nearest feature pixel.
//!
//! steinbock's pixel expansion takes the label of that pixel, so where two objects are equally
//! near, which one wins decides the expanded mask and hence the neighbours. This follows
//! scipy's `_ComputeFT` / `_VoronoiFT` (`ni_morphology.c`) step by step — first along each
//! column, then along each row, keeping the earlier site on ties — so ties break as scipy
//! breaks them. All arithmetic is on integers, which scipy's doubles hold exactly.

use ndarray::{Array2, ArrayView2};

/// A feature site on a line: its coordinate along the line and its coordinate across it.
type Site = (i64, i64);

/// For each pixel, the `(row, column)` of the nearest pixel where `is_feature` holds, as scipy
/// chooses it; `None` everywhere when there is no feature pixel.
#[must_use]
pub fn nearest_feature(is_feature: ArrayView2<bool>) -> Option<Array2<(u32, u32)>> {
    let (h, w) = is_feature.dim();
    // Pass 1, along each column: the nearest feature in the same column (row, or -1).
    let mut rows = Array2::<i64>::from_elem((h, w), -1);
    let mut f: Vec<Option<Site>> = vec![None; h.max(w)];
    let mut g: Vec<usize> = Vec::with_capacity(h.max(w));
    for c in 0..w {
        for r in 0..h {
            f[r] = is_feature[[r, c]].then_some((r as i64, c as i64));
        }
        let chosen = voronoi_line(&f[..h], c as i64, &mut g);
        for (r, site) in chosen.into_iter().enumerate() {
            if let Some((fr, _)) = site {
                rows[[r, c]] = fr;
            }
        }
    }
    // Pass 2, along each row: sites are the column-nearest features of pass 1.
    let mut out = Array2::<(u32, u32)>::from_elem((h, w), (0, 0));
    let mut any = false;
    for r in 0..h {
        for c in 0..w {
            let fr = rows[[r, c]];
            // Along the row the site's own coordinate is its column, across it its row.
            f[c] = (fr >= 0).then_some((c as i64, fr));
        }
        for (c, site) in voronoi_line(&f[..w], r as i64, &mut g)
            .into_iter()
            .enumerate()
        {
            if let Some((fc, fr)) = site {
                out[[r, c]] = (fr as u32, fc as u32);
                any = true;
            }
        }
    }
    any.then_some(out)
}

/// scipy's `_VoronoiFT` on one line: `sites[i]` is the candidate of position `i` (`None`: no
/// candidate), `across` the line's own coordinate across it. Returns the chosen site of every
/// position. `g` is scratch space.
fn voronoi_line(sites: &[Option<Site>], across: i64, g: &mut Vec<usize>) -> Vec<Option<Site>> {
    g.clear();
    let sq = |x: i64| x * x;
    for (i, site) in sites.iter().enumerate() {
        let Some((fd, fa)) = *site else { continue };
        let w_r = sq(fa - across);
        while g.len() >= 2 {
            let (f1, v) = sites[g[g.len() - 1]].unwrap_or_default();
            let (f0, u) = sites[g[g.len() - 2]].unwrap_or_default();
            let (a, b) = (f1 - f0, fd - f1);
            let c = a + b;
            let (u_r, v_r) = (sq(u - across), sq(v - across));
            if c * v_r - b * u_r - a * w_r - a * b * c <= 0 {
                break;
            }
            g.pop();
        }
        g.push(i);
    }
    if g.is_empty() {
        return vec![None; sites.len()];
    }
    let dist = |k: usize, i: usize| {
        let (fd, fa) = sites[g[k]].unwrap_or_default();
        sq(fd - i as i64) + sq(fa - across)
    };
    let mut l = 0;
    (0..sites.len())
        .map(|i| {
            let mut d1 = dist(l, i);
            while l + 1 < g.len() {
                let d2 = dist(l + 1, i);
                if d1 <= d2 {
                    break;
                }
                d1 = d2;
                l += 1;
            }
            sites[g[l]]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn every_pixel_gets_a_nearest_feature() {
        let features = array![
            [true, false, false, false],
            [false, false, false, false],
            [false, false, false, true]
        ];
        let ft = nearest_feature(features.view()).unwrap();
        assert_eq!(ft[[0, 1]], (0, 0));
        assert_eq!(ft[[2, 2]], (2, 3));
        assert_eq!(ft[[1, 3]], (2, 3));
        for ((r, c), &(fr, fc)) in ft.indexed_iter() {
            let d = |a: usize, b: u32| (a as i64 - i64::from(b)).pow(2);
            let best = [(0, 0), (2, 3)]
                .iter()
                .map(|&(y, x)| d(r, y) + d(c, x))
                .min()
                .unwrap();
            assert_eq!(d(r, fr) + d(c, fc), best);
        }
    }

    /// Equidistant features: scipy's choice, from
    /// `distance_transform_edt(m, return_indices=True)` with features (0,0), (0,4), (4,1), (4,4)
    /// on 5x5 (scipy 1.17). E.g. (0,2) is 2 from (0,0) and (0,4); (2,3) is sqrt(5) from (0,4)
    /// and (4,4).
    #[test]
    fn ties_break_as_scipys() {
        let mut features = Array2::from_elem((5, 5), false);
        for (r, c) in [(0, 0), (4, 4), (0, 4), (4, 1)] {
            features[[r, c]] = true;
        }
        let rows = [
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 4, 4, 0, 0],
            [4, 4, 4, 4, 4],
            [4, 4, 4, 4, 4],
        ];
        let cols = [
            [0, 0, 0, 4, 4],
            [0, 0, 0, 4, 4],
            [0, 1, 1, 4, 4],
            [1, 1, 1, 4, 4],
            [1, 1, 1, 4, 4],
        ];
        let ft = nearest_feature(features.view()).unwrap();
        for ((r, c), &got) in ft.indexed_iter() {
            assert_eq!(got, (rows[r][c], cols[r][c]), "pixel ({r}, {c})");
        }
    }

    #[test]
    fn no_feature_gives_none() {
        assert!(nearest_feature(Array2::from_elem((2, 2), false).view()).is_none());
    }
}
