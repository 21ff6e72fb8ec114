//! The labeling loop, simulated: does labelling where `suggest` points teach the classifier
//! faster than labelling at random? An "annotator" with the synthetic ground truth starts from
//! the demo's scribbles on one image and, in rounds, adds the same number of labelled pixels
//! with the same brush either at the most uncertain windows (`uncertain_windows`, what
//! `pixelforest suggest` picks) or at random places; the forest is retrained every round and
//! scored on a held-out image.
//!
//! Run: cargo bench -p pixelforest-pipeline --bench label_loop [-- ROUNDS DABS_PER_ROUND]

use mimalloc::MiMalloc;
use ndarray::{Array2, Array3};
use pixelforest_features::{compute_features, FeatureSelection};
use pixelforest_forest::{ForestSettings, RandomForest};
use pixelforest_pipeline::{argmax_classes, score, Scores};
use pixelforest_prepare::uncertain_windows;
use pixelforest_synth::{generate, SynthSettings};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// Brush radius: a dab labels a (2r+1)^2 square, as a small round brush in the page does.
const BRUSH: isize = 1;
/// Edge of the windows `suggest` ranks (raw pixels: about a cell).
const WINDOW: usize = 40;

struct Data {
    features: Array3<f32>,
    truth: Array2<u8>,
}

fn data(seed: u64, size: usize, selection: &FeatureSelection) -> (Data, Array2<u8>) {
    let s = generate(&SynthSettings {
        height: size,
        width: size,
        seed,
    });
    let features = compute_features(s.image.data().view(), selection);
    (
        Data {
            features,
            truth: s.truth,
        },
        s.scribbles,
    )
}

fn train(d: &Data, labels: &Array2<u8>, seed: u64) -> RandomForest {
    let (f, h, w) = d.features.dim();
    let flat = d.features.view().into_shape_with_order((f, h * w)).unwrap();
    let rows: Vec<usize> = (0..h * w)
        .filter(|&i| labels[[i / w, i % w]] != 0)
        .collect();
    let x = Array2::from_shape_fn((rows.len(), f), |(r, k)| flat[[k, rows[r]]]);
    let y: Vec<u8> = rows.iter().map(|&i| labels[[i / w, i % w]]).collect();
    let settings = ForestSettings {
        n_trees: 50,
        seed,
        ..ForestSettings::default()
    };
    RandomForest::train(x.view(), &y, 3, &settings).unwrap().0
}

fn probabilities(forest: &RandomForest, d: &Data) -> Array3<f32> {
    let (f, h, w) = d.features.dim();
    let flat = d.features.view().into_shape_with_order((f, h * w)).unwrap();
    forest
        .predict_proba_columns(flat)
        .into_shape_with_order((3, h, w))
        .unwrap()
}

/// Labels a dab around (y, x) with the truth; returns the newly labelled pixel count.
fn dab(labels: &mut Array2<u8>, truth: &Array2<u8>, y: usize, x: usize) -> usize {
    let (h, w) = labels.dim();
    let mut added = 0;
    for dy in -BRUSH..=BRUSH {
        for dx in -BRUSH..=BRUSH {
            let (yy, xx) = (y as isize + dy, x as isize + dx);
            if yy < 0 || xx < 0 || yy >= h as isize || xx >= w as isize {
                continue;
            }
            let (yy, xx) = (yy as usize, xx as usize);
            if labels[[yy, xx]] == 0 {
                labels[[yy, xx]] = truth[[yy, xx]];
                added += 1;
            }
        }
    }
    added
}

/// The most uncertain pixel of each of the `n` most uncertain windows, as an annotator looking
/// at `suggest`'s crops would put the brush where the overlay glows.
fn suggested_spots(forest: &RandomForest, d: &Data, n: usize) -> Vec<(usize, usize)> {
    let probs = probabilities(forest, d);
    let (_, h, w) = probs.dim();
    let u = Array2::from_shape_fn((h, w), |(y, x)| {
        let mut p: Vec<f32> = (0..3).map(|c| probs[[c, y, x]]).collect();
        p.sort_by(|a, b| b.total_cmp(a));
        1.0 - (p[0] - p[1])
    });
    uncertain_windows(u.view(), WINDOW, &[], n)
        .into_iter()
        .map(|win| {
            let r = win.rect;
            let mut best = (r.y, r.x);
            for y in r.y..r.y + r.h {
                for x in r.x..r.x + r.w {
                    if u[[y, x]] > u[best] {
                        best = (y, x);
                    }
                }
            }
            best
        })
        .collect()
}

fn line(round: usize, added: usize, s: &Scores) -> String {
    format!(
        "{round:>5} {added:>7} {:>8.4} {:>7.4} {:>7.4} {:>7.4}",
        s.accuracy, s.f1[0], s.f1[1], s.f1[2]
    )
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rounds = args.first().copied().unwrap_or(6);
    let dabs = args.get(1).copied().unwrap_or(20);
    let selection = FeatureSelection::preset("sigma>=1").unwrap();
    let (train_img, scribbles) = data(1, 300, &selection);
    let (held_out, _) = data(2, 300, &selection);
    // The demo's scribbles, thinned to every 4th labelled row, so the first model is weak.
    let start = Array2::from_shape_fn(scribbles.dim(), |(y, x)| {
        if y % 4 == 0 {
            scribbles[[y, x]]
        } else {
            0
        }
    });
    let start_pixels = start.iter().filter(|&&v| v != 0).count();
    println!(
        "label loop: 300x300 synthetic image, {} features, start {start_pixels} labelled pixels, \
         {rounds} rounds of {dabs} dabs ({}x{} brush), 50 trees; scores on a held-out image",
        train_img.features.dim().0,
        2 * BRUSH + 1,
        2 * BRUSH + 1
    );
    let mut curves = Vec::new();
    for strategy in ["suggest", "random"] {
        println!("\n{strategy}\nround   added accuracy  F1 nuc  F1 cyt   F1 bg");
        let mut labels = start.clone();
        let mut added = 0;
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut curve = Vec::new();
        for round in 0..=rounds {
            let forest = train(&train_img, &labels, 1);
            let s = score(
                &argmax_classes(&probabilities(&forest, &held_out)),
                &held_out.truth,
                3,
            );
            println!("{}", line(round, added, &s));
            curve.push((added, s.accuracy));
            if round == rounds {
                break;
            }
            let (h, w) = labels.dim();
            let spots: Vec<(usize, usize)> = if strategy == "suggest" {
                suggested_spots(&forest, &train_img, dabs)
            } else {
                (0..dabs)
                    .map(|_| (rng.random_range(0..h), rng.random_range(0..w)))
                    .collect()
            };
            for (y, x) in spots {
                added += dab(&mut labels, &train_img.truth, y, x);
            }
        }
        curves.push(curve);
    }
    // Pixels each strategy needed to reach random placement's final accuracy.
    let target = curves[1].last().map_or(0.0, |c| c.1);
    let needed = |curve: &[(usize, f64)]| curve.iter().find(|c| c.1 >= target).map(|c| c.0);
    println!(
        "\nrandom placement's final accuracy {target:.4}: suggest reached it with {:?} added \
         pixels, random with {:?}",
        needed(&curves[0]),
        needed(&curves[1])
    );
}
