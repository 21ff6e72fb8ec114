//! Seeds for declumping, as IdentifyPrimaryObjects finds them (`get_maxima`): pixels not lower
//! than any same-object pixel within a disk (centrosome `is_local_maximum` with `strel_disk`),
//! positive, then each blob of touching maxima shrunk to one point (`binary_shrink`).

use ndarray::Array2;

/// centrosome `strel_disk(radius)`: offsets `(dy, dx)` with `dy² + dx² <= radius²`.
#[must_use]
pub fn strel_disk(radius: f64) -> Vec<(isize, isize)> {
    let r = radius as isize;
    let r2 = radius * radius;
    let mut out = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            if ((dy * dy + dx * dx) as f64) <= r2 {
                out.push((dy, dx));
            }
        }
    }
    out
}

/// centrosome `is_local_maximum`: a labelled pixel whose value is `>=` every pixel of the same
/// label under the footprint.
#[must_use]
pub fn is_local_maximum(
    image: &Array2<f64>,
    labels: &Array2<i32>,
    footprint: &[(isize, isize)],
) -> Array2<bool> {
    let (h, w) = image.dim();
    let offsets: Vec<(isize, isize)> = footprint.iter().copied().filter(|&o| o != (0, 0)).collect();
    Array2::from_shape_fn((h, w), |(y, x)| {
        let l = labels[[y, x]];
        if l <= 0 {
            return false;
        }
        let v = image[[y, x]];
        offsets.iter().all(|&(dy, dx)| {
            let (ny, nx) = (y as isize + dy, x as isize + dx);
            if ny < 0 || nx < 0 || ny >= h as isize || nx >= w as isize {
                return true;
            }
            let (ny, nx) = (ny as usize, nx as usize);
            labels[[ny, nx]] != l || v >= image[[ny, nx]]
        })
    })
}

/// The four thinning tables of centrosome's `binary_shrink`, indexed by the 3x3 pattern
/// (bit `3 * row + col`); `true` keeps the centre pixel.
fn shrink_tables() -> [[bool; 512]; 4] {
    let mut erode = [false; 512];
    for (index, keep) in erode.iter_mut().enumerate() {
        *keep = index & 16 != 0 && four_components(index & !16) != 1;
    }
    erode[511] = true;
    // (pattern, care) pairs of the two `make_table(False, ...)` terms of each table.
    let specs: [[(u16, u16); 2]; 4] = [
        [
            (pat(0o000_110_000), pat(0o000_111_000)),
            (pat(0o100_010_000), pat(0o100_011_011)),
        ],
        [
            (pat(0o010_010_000), pat(0o010_010_010)),
            (pat(0o001_010_000), pat(0o001_110_110)),
        ],
        [
            (pat(0o000_011_000), pat(0o000_111_000)),
            (pat(0o000_010_001), pat(0o110_110_001)),
        ],
        [
            (pat(0o000_010_010), pat(0o010_010_010)),
            (pat(0o000_010_100), pat(0o011_011_100)),
        ],
    ];
    let mut tables = [[false; 512]; 4];
    for (table, spec) in tables.iter_mut().zip(specs) {
        for (index, keep) in table.iter_mut().enumerate() {
            let hits = |(p, c): (u16, u16)| (index as u16 ^ p) & c == 0;
            *keep = erode[index] || (!hits(spec[0]) && !hits(spec[1]));
        }
    }
    tables
}

/// A 3x3 pattern written row by row as three octal digits of 0/1 (`0o100_010_000` has the
/// top-left and the centre on) turned into the bit index `index_of` uses.
const fn pat(rows: u32) -> u16 {
    let mut out = 0u16;
    let mut k = 0;
    while k < 9 {
        // Octal digit for row r, column c sits at shift 3 * (8 - (3r + c)).
        if (rows >> (3 * (8 - k))) & 1 == 1 {
            out |= 1 << k;
        }
        k += 1;
    }
    out
}

/// Number of 4-connected components among the set bits of a 3x3 pattern.
fn four_components(index: usize) -> usize {
    let on = |k: usize| index & (1 << k) != 0;
    let mut seen = [false; 9];
    let mut count = 0;
    for start in 0..9 {
        if !on(start) || seen[start] {
            continue;
        }
        count += 1;
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(k) = stack.pop() {
            let (r, c) = (k / 3, k % 3);
            let mut near = Vec::with_capacity(4);
            if r > 0 {
                near.push(k - 3);
            }
            if r < 2 {
                near.push(k + 3);
            }
            if c > 0 {
                near.push(k - 1);
            }
            if c < 2 {
                near.push(k + 1);
            }
            for n in near {
                if on(n) && !seen[n] {
                    seen[n] = true;
                    stack.push(n);
                }
            }
        }
    }
    count
}

/// centrosome `binary_shrink(image)` (until nothing changes): each round runs the four
/// directional thinning tables once, each table deciding for all pixels before removing any.
#[must_use]
pub fn binary_shrink(image: &Array2<bool>) -> Array2<bool> {
    let tables = shrink_tables();
    let (h, w) = image.dim();
    let mut padded = Array2::<bool>::from_elem((h + 2, w + 2), false);
    let mut live: Vec<(usize, usize)> = Vec::new();
    for ((y, x), &v) in image.indexed_iter() {
        if v {
            padded[[y + 1, x + 1]] = true;
            live.push((y + 1, x + 1));
        }
    }
    loop {
        let before = live.len();
        for table in &tables {
            let remove: Vec<bool> = live
                .iter()
                .map(|&(y, x)| !table[pattern_index(&padded, y, x)])
                .collect();
            for (&(y, x), &r) in live.iter().zip(&remove) {
                if r {
                    padded[[y, x]] = false;
                }
            }
            let mut k = 0;
            live.retain(|_| {
                k += 1;
                !remove[k - 1]
            });
        }
        if live.len() == before {
            break;
        }
    }
    let mut out = Array2::<bool>::from_elem((h, w), false);
    for (y, x) in live {
        out[[y - 1, x - 1]] = true;
    }
    out
}

fn pattern_index(padded: &Array2<bool>, y: usize, x: usize) -> usize {
    let mut index = 16;
    let bits = [
        (0, 0, 1),
        (0, 1, 2),
        (0, 2, 4),
        (1, 0, 8),
        (1, 2, 32),
        (2, 0, 64),
        (2, 1, 128),
        (2, 2, 256),
    ];
    for (r, c, bit) in bits {
        if padded[[y + r - 1, x + c - 1]] {
            index |= bit;
        }
    }
    index
}
