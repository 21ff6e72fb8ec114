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
    let (h, w) = truth.dim();
    let mut out = Array2::<u8>::zeros((h, w));
    for (i, c) in cells.iter().enumerate() {
        let pick = rng.random_range(0..100);
        let r = c.cell_radius.ceil() as isize;
        let (cy, cx) = (c.y as isize, c.x as isize);
        if pick < 10 {
            // A dab in the nucleus.
            for y in (cy - r).max(0)..(cy + r + 1).min(h as isize) {
                for x in (cx - r).max(0)..(cx + r + 1).min(w as isize) {
                    let (yy, xx) = (y as usize, x as usize);
                    if owners.cell[[yy, xx]] == i as i32 && owners.nuclear[[yy, xx]] < 0.6 {
                        out[[yy, xx]] = 1;
                    }
                }
            }
        } else if pick < 20 {
            // An arc over a quarter of the cytoplasm ring.
            let a0 = rng.random_range(0.0f32..std::f32::consts::TAU);
            for y in (cy - r).max(0)..(cy + r + 1).min(h as isize) {
                for x in (cx - r).max(0)..(cx + r + 1).min(w as isize) {
                    let (yy, xx) = (y as usize, x as usize);
                    if owners.cell[[yy, xx]] != i as i32 || truth[[yy, xx]] != 2 {
                        continue;
                    }
                    let a = (y as f32 - c.y).atan2(x as f32 - c.x);
                    let mut da = (a - a0).abs() % std::f32::consts::TAU;
                    if da > std::f32::consts::PI {
                        da = std::f32::consts::TAU - da;
                    }
                    if da < std::f32::consts::FRAC_PI_4 {
                        out[[yy, xx]] = 2;
                    }
                }
            }
        }
    }
    // Background strokes: short thick lines, kept only on background pixels.
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
            let (py, px) = (y0 + t * a.sin(), x0 + t * a.cos());
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
            t += 0.5;
        }
    }
    // Every class that exists in the image gets at least one labelled pixel.
    for class in 1..=3u8 {
        if !out.iter().any(|&l| l == class) {
            if let Some(((y, x), _)) = truth.indexed_iter().find(|(_, &t)| t == class) {
                out[[y, x]] = class;
            }
        }
    }
    out
}
