//! Sparse scribbles as a person draws them: dabs inside some nuclei, short arcs in the
//! cytoplasm/membrane of some cells, and short strokes through background.

use ndarray::Array2;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::layout::{Cell, Owners};

/// Scribbles (0 = unlabeled, else the truth class) for about 1-3 % of the pixels.
pub fn scribble(
    truth: &Array2<u8>,
    owners: &Owners,
    cells: &[Cell],
    rng: &mut ChaCha8Rng,
) -> Array2<u8> {
    let mut out = Array2::<u8>::zeros(truth.dim());
    for (i, c) in cells.iter().enumerate() {
        let pick = rng.random_range(0..100);
        if pick < 10 {
            dab_nucleus(&mut out, owners, c, i);
        } else if pick < 20 {
            let a0 = rng.random_range(0.0f32..std::f32::consts::TAU);
            arc_cytoplasm(&mut out, truth, owners, c, i, a0);
        }
    }
    background_strokes(&mut out, truth, rng);
    label_every_class(&mut out, truth);
    out
}

/// The pixels of the square around cell `c` that its radius covers, clipped to `(h, w)`.
fn cell_square(c: &Cell, (h, w): (usize, usize)) -> impl Iterator<Item = (usize, usize)> {
    let r = c.cell_radius.ceil() as isize;
    let (cy, cx) = (c.y as isize, c.x as isize);
    let xs = (cx - r).max(0)..(cx + r + 1).min(w as isize);
    ((cy - r).max(0)..(cy + r + 1).min(h as isize))
        .flat_map(move |y| xs.clone().map(move |x| (y as usize, x as usize)))
}

/// A dab in the nucleus of cell `i`.
fn dab_nucleus(out: &mut Array2<u8>, owners: &Owners, c: &Cell, i: usize) {
    for (y, x) in cell_square(c, out.dim()) {
        if owners.cell[[y, x]] == i as i32 && owners.nuclear[[y, x]] < 0.6 {
            out[[y, x]] = 1;
        }
    }
}

/// An arc over a quarter of cell `i`'s cytoplasm ring, centred on angle `a0`.
fn arc_cytoplasm(
    out: &mut Array2<u8>,
    truth: &Array2<u8>,
    owners: &Owners,
    c: &Cell,
    i: usize,
    a0: f32,
) {
    for (y, x) in cell_square(c, out.dim()) {
        if owners.cell[[y, x]] != i as i32 || truth[[y, x]] != 2 {
            continue;
        }
        let a = (y as f32 - c.y).atan2(x as f32 - c.x);
        let mut da = (a - a0).abs() % std::f32::consts::TAU;
        if da > std::f32::consts::PI {
            da = std::f32::consts::TAU - da;
        }
        if da < std::f32::consts::FRAC_PI_4 {
            out[[y, x]] = 2;
        }
    }
}

/// Background strokes: short thick lines, kept only on background pixels.
fn background_strokes(out: &mut Array2<u8>, truth: &Array2<u8>, rng: &mut ChaCha8Rng) {
    let (h, w) = truth.dim();
    let strokes = (h * w / 4000).max(3);
    let mut drawn = 0;
    for _ in 0..strokes * 20 {
        if drawn >= strokes {
            break;
        }
        let y0 = rng.random_range(0..h) as f32;
        let x0 = rng.random_range(0..w) as f32;
        if truth[[y0 as usize, x0 as usize]] != 3 {
            continue;
        }
        drawn += 1;
        let a = rng.random_range(0.0f32..std::f32::consts::PI);
        let len = rng.random_range(10.0f32..30.0);
        let mut t = 0.0;
        while t < len {
            stamp_background(out, truth, (y0 + t * a.sin(), x0 + t * a.cos()));
            t += 0.5;
        }
    }
}

/// Labels the background pixels of the 3 x 3 square at `(py, px)`.
fn stamp_background(out: &mut Array2<u8>, truth: &Array2<u8>, (py, px): (f32, f32)) {
    let (h, w) = truth.dim();
    for dy in -1..=1 {
        for dx in -1..=1 {
            let (yy, xx) = (py as isize + dy, px as isize + dx);
            if yy >= 0 && xx >= 0 && (yy as usize) < h && (xx as usize) < w {
                let (yy, xx) = (yy as usize, xx as usize);
                if truth[[yy, xx]] == 3 {
                    out[[yy, xx]] = 3;
                }
            }
        }
    }
}

/// Every class that exists in the image gets at least one labelled pixel.
fn label_every_class(out: &mut Array2<u8>, truth: &Array2<u8>) {
    for class in 1..=3u8 {
        if !out.iter().any(|&l| l == class) {
            if let Some(((y, x), _)) = truth.indexed_iter().find(|(_, &t)| t == class) {
                out[[y, x]] = class;
            }
        }
    }
}
