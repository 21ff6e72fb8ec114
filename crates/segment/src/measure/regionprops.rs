//! Region properties as `steinbock measure regionprops` writes them by default (`area`,
//! `centroid`, `axis_major_length`, `axis_minor_length`, `eccentricity`), defined as
//! scikit-image's `regionprops` defines them: from the central second moments of the object's
//! pixels (`moments_central`), the inertia tensor `[[mu02, -mu11], [-mu11, mu20]] / mu00`, its
//! eigenvalues `l1 >= l2` (clipped at 0), axis lengths `4 sqrt(l)` and eccentricity
//! `sqrt(1 - l2 / l1)` (0 when `l1` is 0).
//!
//! The raw moments are integer sums, accumulated exactly in integers (bands of rows in
//! parallel, merged by addition); central moments follow exactly as `n * Σr² - (Σr)²`, so the
//! only rounding is in the final divisions and the eigenvalues.

use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

use super::objects::ObjectIndex;

/// The properties of one object; coordinates are (row, column) of the whole mask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionProps {
    /// The object's label in the mask.
    pub label: u32,
    /// Pixel count.
    pub area: u64,
    /// Mean row and column of the pixels (`centroid-0`, `centroid-1`).
    pub centroid: (f64, f64),
    /// Length of the major axis of the ellipse with the same second moments (scikit-image's).
    pub axis_major_length: f64,
    /// Length of its minor axis.
    pub axis_minor_length: f64,
    /// Eccentricity of that ellipse: 0 for a disc, towards 1 for a line.
    pub eccentricity: f64,
}

/// Exact integer moment sums of one object.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: u64,
    r: u64,
    c: u64,
    rr: u128,
    cc: u128,
    rc: u128,
}

impl Moments {
    fn add(&mut self, r: u64, c: u64) {
        self.n += 1;
        self.r += r;
        self.c += c;
        self.rr += u128::from(r * r);
        self.cc += u128::from(c * c);
        self.rc += u128::from(r * c);
    }

    fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.r += o.r;
        self.c += o.c;
        self.rr += o.rr;
        self.cc += o.cc;
        self.rc += o.rc;
    }

    /// `n` times the central second moments (`n mu20`, `n mu02`, `n mu11`), computed exactly
    /// as `n Σr² - (Σr)²` in integers and rounded once to f64.
    fn central_times_n(&self) -> (f64, f64, f64) {
        let n = i128::from(self.n);
        let (r, c) = (i128::from(self.r), i128::from(self.c));
        let rr = n * self.rr as i128 - r * r;
        let cc = n * self.cc as i128 - c * c;
        let rc = n * self.rc as i128 - r * c;
        (rr as f64, cc as f64, rc as f64)
    }

    fn props(&self, label: u32) -> RegionProps {
        let n = self.n as f64;
        let (rr, cc, rc) = self.central_times_n();
        let n2 = n * n;
        // Inertia tensor [[a, b], [b, d]] = [[mu02, -mu11], [-mu11, mu20]] / mu00.
        let (a, b, d) = (cc / n2, -rc / n2, rr / n2);
        let mid = (a + d) / 2.0;
        let radius = (((a - d) / 2.0).powi(2) + b * b).sqrt();
        let l1 = (mid + radius).max(0.0);
        let l2 = (mid - radius).max(0.0);
        let eccentricity = if l1 == 0.0 {
            0.0
        } else {
            (1.0 - l2 / l1).sqrt()
        };
        RegionProps {
            label,
            area: self.n,
            centroid: (self.r as f64 / n, self.c as f64 / n),
            axis_major_length: 4.0 * l1.sqrt(),
            axis_minor_length: 4.0 * l2.sqrt(),
            eccentricity,
        }
    }
}

/// Rows per parallel band: large enough that merging the per-band sums is negligible.
const BAND_ROWS: usize = 64;

/// The properties of every object of `mask`, in ascending label order.
#[must_use]
pub fn region_props(mask: ArrayView2<u32>, objects: &ObjectIndex) -> Vec<RegionProps> {
    let n = objects.len();
    let bands: Vec<Vec<Moments>> = mask
        .axis_chunks_iter(Axis(0), BAND_ROWS)
        .into_par_iter()
        .enumerate()
        .map(|(band, rows)| {
            let mut acc = vec![Moments::default(); n];
            for (dy, row) in rows.outer_iter().enumerate() {
                let r = (band * BAND_ROWS + dy) as u64;
                for (c, &l) in row.iter().enumerate() {
                    if let Some(i) = objects.position(l) {
                        acc[i].add(r, c as u64);
                    }
                }
            }
            acc
        })
        .collect();
    let mut total = vec![Moments::default(); n];
    for band in &bands {
        for (t, m) in total.iter_mut().zip(band) {
            t.merge(m);
        }
    }
    total
        .iter()
        .zip(objects.labels())
        .map(|(m, &label)| m.props(label))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// A 2x4 rectangle: variances (rows) 1/4 and (columns) 5/4, so l1 = 5/4, l2 = 1/4.
    #[test]
    fn a_rectangle_has_its_textbook_moments() {
        let mut mask = Array2::<u32>::zeros((5, 6));
        mask.slice_mut(ndarray::s![1..3, 1..5]).fill(3);
        let idx = ObjectIndex::new(mask.view());
        let p = region_props(mask.view(), &idx)[0];
        assert_eq!(p.label, 3);
        assert_eq!(p.area, 8);
        assert_eq!(p.centroid, (1.5, 2.5));
        assert!((p.axis_major_length - 4.0 * 1.25f64.sqrt()).abs() < 1e-12);
        assert!((p.axis_minor_length - 2.0).abs() < 1e-12);
        assert!((p.eccentricity - (1.0f64 - 0.2).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn a_single_pixel_has_zero_axes_and_eccentricity() {
        let mut mask = Array2::<u32>::zeros((3, 3));
        mask[[2, 1]] = 1;
        let idx = ObjectIndex::new(mask.view());
        let p = region_props(mask.view(), &idx)[0];
        assert_eq!((p.area, p.centroid), (1, (2.0, 1.0)));
        assert_eq!(
            (p.axis_major_length, p.axis_minor_length, p.eccentricity),
            (0.0, 0.0, 0.0)
        );
    }
}
