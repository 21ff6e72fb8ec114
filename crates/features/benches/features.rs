//! Feature throughput: ilastik's full 49-channel set on a 2000 x 2000 image, single thread and
//! all threads, against fastfilters2 (benches/features.py) on the same image in the same run.
//! Run: cargo bench -p pixelforest-features --bench features

use std::time::Instant;

use ndarray::Array3;
use pixelforest_features::{compute_features, compute_features_region, FeatureSelection, Region};
use rayon::prelude::*;

/// Features of the whole image in `tile` x `tile` tiles (with halo), in parallel: how the
/// pipeline computes them.
fn tiled(image: &Array3<f32>, sel: &FeatureSelection, tile: usize) {
    let (_, h, w) = image.dim();
    let regions: Vec<Region> = (0..h)
        .step_by(tile)
        .flat_map(|y| {
            (0..w).step_by(tile).map(move |x| Region {
                y,
                x,
                h: tile.min(h - y),
                w: tile.min(w - x),
            })
        })
        .collect();
    regions.par_iter().for_each(|r| {
        std::hint::black_box(compute_features_region(image.view(), sel, *r));
    });
}

fn time_it(image: &Array3<f32>, sel: &FeatureSelection, tile: Option<usize>) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..2 {
        let t = Instant::now();
        match tile {
            Some(tile) => tiled(image, sel, tile),
            None => {
                std::hint::black_box(compute_features(image.view(), sel));
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let (h, w) = (2000usize, 2000usize);
    let image = Array3::from_shape_fn((1, h, w), |(_, y, x)| {
        let (y, x) = (y as f32, x as f32);
        ((y * 0.05).sin() * (x * 0.031).cos() * 50.0 + (x * y * 1e-4).sin() * 20.0).abs()
    });
    let sel = FeatureSelection::preset("ilastik").expect("preset");
    let mpx = (h * w) as f64 / 1e6;
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let whole = one.install(|| time_it(&image, &sel, None));
    println!(
        "whole image at once, 1 thread: {whole:.2} s ({:.2} Mpx/s)",
        mpx / whole
    );
    let tile = 256;
    let single = one.install(|| time_it(&image, &sel, Some(tile)));
    let all = time_it(&image, &sel, Some(tile));
    let threads = rayon::current_num_threads();
    println!("{tile} x {tile} tiles with halo (as predict computes them):");
    println!(
        "pixelforest {} features of {h}x{w}: 1 thread {single:.2} s ({:.2} Mpx/s); {threads} threads {all:.2} s ({:.2} Mpx/s)",
        sel.n_features(1),
        mpx / single,
        mpx / all
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("image.f32");
    let bytes: Vec<u8> = image.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(&path, bytes).expect("write image");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/features.py");
    match std::process::Command::new("python3")
        .arg(script)
        .arg(&path)
        .args([h.to_string(), w.to_string()])
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let mut it = text.split_whitespace();
            let peer: f64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
            let n = it.next().unwrap_or("?");
            println!(
                "fastfilters2 {n} maps: {peer:.2} s ({:.2} Mpx/s); pixelforest per core is {:.2}x, all threads {:.2}x",
                mpx / peer,
                peer / single,
                peer / all
            );
        }
        Ok(out) => println!(
            "fastfilters2 peer failed (pip install fastfilters2): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => println!("fastfilters2 peer not run: {e}"),
    }
}
