//! Marker channels: expected counts per pixel from the cell layout, then blur, Poisson noise
//! and sparse hot pixels, as an IMC acquisition looks at ~1 um per pixel.

use ndarray::{Array2, Array3, Axis};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::layout::{Cell, Kind, Owners};

/// Channel names: `Target (Metal)`, as IMC panels name them.
pub const CHANNELS: &[&str] = &[
    "DNA1 (Ir191)",
    "DNA2 (Ir193)",
    "HistoneH3 (In113)",
    "Ki67 (Er168)",
    "E-cadherin (Er167)",
    "CD45 (Sm152)",
    "panCK (Nd148)",
    "Vimentin (Dy143)",
    "CD68 (Tb159)",
    "SMA (Pr141)",
    "Ar80 (background)",
];

/// True where a pixel borders another cell or the background: the membrane.
fn membrane(owners: &Owners) -> Array2<bool> {
    let cell = &owners.cell;
    let (h, w) = cell.dim();
    Array2::from_shape_fn((h, w), |(y, x)| {
        let me = cell[[y, x]];
        if me < 0 {
            return false;
        }
        let n = [
            (y.wrapping_sub(1), x),
            (y + 1, x),
            (y, x.wrapping_sub(1)),
            (y, x + 1),
        ];
        n.iter()
            .any(|&(yy, xx)| yy < h && xx < w && cell[[yy, xx]] != me)
    })
}

/// Expected counts (channel, y, x) before noise.
pub fn expected(owners: &Owners, cells: &[Cell], rng: &mut ChaCha8Rng) -> Array3<f32> {
    let (h, w) = owners.cell.dim();
    let ring = membrane(owners);
    let mut out = Array3::<f32>::zeros((CHANNELS.len(), h, w));
    // Fibre-like stroma texture for SMA / Vimentin in the background.
    let (fy, fx, phase) = (
        rng.random_range(0.05f32..0.12),
        rng.random_range(0.02f32..0.08),
        rng.random_range(0.0f32..std::f32::consts::TAU),
    );
    for y in 0..h {
        for x in 0..w {
            let mut v = [0.3f32; 11];
            v[10] = 1.0;
            let id = owners.cell[[y, x]];
            if id < 0 {
                let fibre = ((y as f32 * fy + x as f32 * fx + phase).sin())
                    .max(0.0)
                    .powi(4);
                v[9] += 6.0 * fibre;
                v[7] += 2.0 * fibre;
            } else {
                let c = &cells[id as usize];
                let d = owners.nuclear[[y, x]];
                if d < 1.0 {
                    let dna = 30.0 * (1.0 - 0.35 * d * d) * if c.dividing { 1.8 } else { 1.0 };
                    v[0] += dna;
                    v[1] += dna * 1.1;
                    v[2] += if c.dividing { 40.0 } else { 14.0 };
                    if c.dividing {
                        v[3] += 20.0;
                    }
                } else {
                    match c.kind {
                        Kind::Epithelial => v[6] += 15.0,
                        Kind::Immune => v[5] += 5.0,
                        Kind::Stromal => v[7] += 15.0,
                        Kind::Macrophage => v[8] += 18.0,
                    }
                    if ring[[y, x]] {
                        match c.kind {
                            Kind::Epithelial => v[4] += 25.0,
                            Kind::Immune => v[5] += 20.0,
                            Kind::Macrophage => v[5] += 8.0,
                            Kind::Stromal => v[7] += 5.0,
                        }
                    }
                }
            }
            for (ch, val) in v.iter().enumerate() {
                out[[ch, y, x]] = *val;
            }
        }
    }
    out
}

/// Separable Gaussian blur (mirror borders) of every channel: the optics and the laser spot.
pub fn blur(data: &mut Array3<f32>, sigma: f32) {
    let r = (3.0 * sigma).ceil() as isize;
    let mut k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp())
        .collect();
    let s: f32 = k.iter().sum();
    for v in &mut k {
        *v /= s;
    }
    let reflect = |i: isize, n: usize| -> usize {
        let n = n as isize;
        let mut i = i;
        while i < 0 || i >= n {
            i = if i < 0 { -i } else { 2 * (n - 1) - i };
        }
        i as usize
    };
    for mut ch in data.axis_iter_mut(Axis(0)) {
        let (h, w) = ch.dim();
        if h < 2 || w < 2 {
            continue;
        }
        let src = ch.to_owned();
        let mut tmp = Array2::<f32>::zeros((h, w));
        for y in 0..h {
            for x in 0..w {
                tmp[[y, x]] = k
                    .iter()
                    .enumerate()
                    .map(|(j, kv)| kv * src[[y, reflect(x as isize + j as isize - r, w)]])
                    .sum();
            }
        }
        for y in 0..h {
            for x in 0..w {
                ch[[y, x]] = k
                    .iter()
                    .enumerate()
                    .map(|(j, kv)| kv * tmp[[reflect(y as isize + j as isize - r, h), x]])
                    .sum();
            }
        }
    }
}

/// A Poisson sample: Knuth's method for small means, a rounded normal for large ones.
pub fn poisson(lambda: f32, rng: &mut ChaCha8Rng) -> f32 {
    if lambda <= 0.0 {
        return 0.0;
    }
    if lambda < 30.0 {
        let limit = (-lambda).exp();
        let mut k = 0u32;
        let mut p = 1.0f32;
        loop {
            p *= rng.random_range(0.0f32..1.0);
            if p <= limit {
                return k as f32;
            }
            k += 1;
        }
    }
    // Box-Muller.
    let u1: f32 = rng.random_range(f32::EPSILON..1.0);
    let u2: f32 = rng.random_range(0.0f32..1.0);
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos();
    (lambda + lambda.sqrt() * z).round().max(0.0)
}

/// Poisson counts plus sparse hot pixels (about one per 20,000 pixels per channel).
pub fn add_noise(data: &mut Array3<f32>, rng: &mut ChaCha8Rng) {
    data.mapv_inplace(|l| poisson(l, rng));
    let (c, h, w) = data.dim();
    let n_hot = (h * w / 20_000).max(1);
    for ch in 0..c {
        for _ in 0..n_hot {
            let y = rng.random_range(0..h);
            let x = rng.random_range(0..w);
            data[[ch, y, x]] = rng.random_range(200.0f32..600.0).round();
        }
    }
}
