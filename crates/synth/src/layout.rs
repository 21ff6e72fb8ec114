//! Tissue layout: cell positions and sizes, and the class map they imply.

use ndarray::Array2;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Cell kinds, which decide the markers a cell expresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Epithelial,
    Immune,
    Stromal,
    Macrophage,
}

/// One cell: centre, nucleus radii (elliptic), cell radius, kind, and whether it proliferates.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub y: f32,
    pub x: f32,
    pub ry: f32,
    pub rx: f32,
    pub angle: f32,
    pub cell_radius: f32,
    pub kind: Kind,
    pub dividing: bool,
}

/// A smooth density field in [0, 1]: a few tissue regions with empty stroma between them.
fn density(y: f32, x: f32, blobs: &[(f32, f32, f32)]) -> f32 {
    blobs
        .iter()
        .map(|&(by, bx, r)| {
            let d2 = ((y - by).powi(2) + (x - bx).powi(2)) / (r * r);
            (-d2).exp()
        })
        .fold(0.0, f32::max)
}

/// Places cells: dense clusters, sparse areas, nuclei allowed to touch.
pub fn place_cells(height: usize, width: usize, rng: &mut ChaCha8Rng) -> Vec<Cell> {
    let (h, w) = (height as f32, width as f32);
    let n_blobs = 2 + (height * width / 120_000).min(4);
    let blobs: Vec<(f32, f32, f32)> = (0..n_blobs)
        .map(|_| {
            (
                rng.random_range(0.0..h),
                rng.random_range(0.0..w),
                rng.random_range(0.12..0.3) * h.min(w),
            )
        })
        .collect();
    let mut cells: Vec<Cell> = Vec::new();
    let attempts = height * width / 12;
    for _ in 0..attempts {
        let y = rng.random_range(0.0..h);
        let x = rng.random_range(0.0..w);
        let d = density(y, x, &blobs) * 0.9 + 0.03;
        if rng.random_range(0.0f32..1.0) > d {
            continue;
        }
        let r = rng.random_range(3.0f32..6.0);
        let min_gap = r * 1.6;
        if cells.iter().any(|c| {
            (c.y - y).powi(2) + (c.x - x).powi(2) < (min_gap + c.rx.min(c.ry)).powi(2) * 0.55
        }) {
            continue;
        }
        let kind = match rng.random_range(0..10) {
            0..=4 => Kind::Epithelial,
            5..=6 => Kind::Immune,
            7..=8 => Kind::Stromal,
            _ => Kind::Macrophage,
        };
        let elong = rng.random_range(0.75f32..1.0);
        cells.push(Cell {
            y,
            x,
            ry: r,
            rx: r * elong,
            angle: rng.random_range(0.0f32..std::f32::consts::PI),
            cell_radius: r + rng.random_range(3.0f32..5.5),
            kind,
            dividing: rng.random_range(0..8) == 0,
        });
    }
    cells
}

/// Per pixel: the owning cell (nearest by distance relative to its size) or none, and the
/// normalised nuclear distance (< 1 inside the nucleus).
pub struct Owners {
    pub cell: Array2<i32>,
    pub nuclear: Array2<f32>,
}

/// Assigns pixels to cells and returns the owners plus the class map
/// (1 nuclei, 2 cytoplasm/membrane, 3 background).
pub fn rasterize(height: usize, width: usize, cells: &[Cell]) -> (Owners, Array2<u8>) {
    let mut best = Array2::<f32>::from_elem((height, width), f32::INFINITY);
    let mut owner = Array2::<i32>::from_elem((height, width), -1);
    let mut nuclear = Array2::<f32>::from_elem((height, width), f32::INFINITY);
    for (i, c) in cells.iter().enumerate() {
        let r = c.cell_radius.ceil() as isize + 1;
        let (cy, cx) = (c.y as isize, c.x as isize);
        let (s, co) = c.angle.sin_cos();
        for y in (cy - r).max(0)..(cy + r + 1).min(height as isize) {
            for x in (cx - r).max(0)..(cx + r + 1).min(width as isize) {
                let dy = y as f32 - c.y;
                let dx = x as f32 - c.x;
                let dist = (dy * dy + dx * dx).sqrt();
                let rel = dist / c.cell_radius;
                if rel >= 1.0 {
                    continue;
                }
                let (yy, xx) = (y as usize, x as usize);
                if rel < best[[yy, xx]] {
                    best[[yy, xx]] = rel;
                    owner[[yy, xx]] = i as i32;
                    let u = dy * co - dx * s;
                    let v = dy * s + dx * co;
                    nuclear[[yy, xx]] = ((u / c.ry).powi(2) + (v / c.rx).powi(2)).sqrt();
                }
            }
        }
    }
    let classes = Array2::from_shape_fn((height, width), |(y, x)| {
        if owner[[y, x]] < 0 {
            3
        } else if nuclear[[y, x]] < 1.0 {
            1
        } else {
            2
        }
    });
    (
        Owners {
            cell: owner,
            nuclear,
        },
        classes,
    )
}
