//! Time per feature family on a 1000 x 1000 image, single thread (for tuning the filter bank).
use std::time::Instant;

use ndarray::Array3;
use pixelforest_features::{compute_features, FeatureSelection};

fn main() {
    let image = Array3::from_shape_fn((1, 1000, 1000), |(_, y, x)| ((y * 7 + x * 13) % 97) as f32);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let base = FeatureSelection::preset("ilastik").unwrap();
    for f in 0..6 {
        let mut sel = base.clone();
        for (i, row) in sel.matrix.iter_mut().enumerate() {
            if i != f {
                row.fill(false);
            }
        }
        let t = Instant::now();
        pool.install(|| compute_features(image.view(), &sel));
        println!("family {f}: {:.3} s", t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    pool.install(|| compute_features(image.view(), &base));
    println!("all: {:.3} s", t.elapsed().as_secs_f64());
}
