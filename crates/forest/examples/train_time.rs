//! Training time on the forest benchmark's rows (demo images, 5 markers x ilastik's sigma>=1 =
//! 200 features, 3 classes from ground truth), for label counts from a few thousand (a usual
//! ilastik project) to the benchmark's 100,000; held-out accuracy on 20,000 pixels of another
//! image. Sizes: PXF_TRAIN="2000,20000,100000" (the default).
//! Run: cargo run --release -p pixelforest-forest --example train_time
use std::time::Instant;

use ndarray::{Array2, Axis};
use pixelforest_features::{compute_features, FeatureSelection};
use pixelforest_forest::{ForestSettings, RandomForest};
use pixelforest_synth::{generate, SynthSettings};
use rand::{RngExt, SeedableRng};

const MARKERS: [usize; 5] = [0, 2, 4, 5, 6];

/// A synthetic image's features (pixel-major rows) and ground truth, as the benchmark makes them.
fn demo_rows(side: usize, seed: u64) -> (Array2<f32>, Vec<u8>) {
    let sample = generate(&SynthSettings {
        height: side,
        width: side,
        seed,
    });
    let image = sample.image.data().select(Axis(0), &MARKERS);
    let selection = FeatureSelection::preset("sigma>=1").expect("preset exists");
    let features = compute_features(image.view(), &selection);
    let n_features = features.dim().0;
    let rows = features
        .into_shape_with_order((n_features, side * side))
        .expect("features are contiguous")
        .t()
        .as_standard_layout()
        .into_owned();
    (rows, sample.truth.iter().copied().collect())
}

fn main() {
    let sizes: Vec<usize> = std::env::var("PXF_TRAIN")
        .unwrap_or_else(|_| "2000,20000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let (test_x, test_y) = demo_rows(400, 12);
    for n in sizes {
        let (x, y) = demo_rows((n * 2).isqrt().max(200), 11);
        let picks: Vec<usize> = (0..n).map(|_| rng.random_range(0..y.len())).collect();
        let (x, y): (Array2<f32>, Vec<u8>) = (
            x.select(Axis(0), &picks),
            picks.iter().map(|&i| y[i]).collect(),
        );
        let t = Instant::now();
        let (forest, report) =
            RandomForest::train(x.view(), &y, 3, &ForestSettings::default()).expect("train");
        let seconds = t.elapsed().as_secs_f64();
        let nodes: usize = forest.to_tree_specs().iter().map(Vec::len).sum();
        let picks: Vec<usize> = (0..20_000)
            .map(|_| rng.random_range(0..test_y.len()))
            .collect();
        let p = forest.predict_proba(test_x.select(Axis(0), &picks).view());
        let correct = picks
            .iter()
            .enumerate()
            .filter(|&(r, &i)| {
                let row = p.row(r);
                let best = (0..3).fold(0, |b, c| if row[c] > row[b] { c } else { b });
                best + 1 == usize::from(test_y[i])
            })
            .count();
        println!(
            "{n} labelled rows x {} features: trained in {seconds:.2} s ({} threads), {nodes} nodes, \
             OOB {:.4}, held-out accuracy {:.4}",
            x.ncols(),
            rayon::current_num_threads(),
            report.oob_accuracy,
            correct as f64 / picks.len() as f64
        );
    }
}
