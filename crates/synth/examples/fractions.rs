//! Prints class and scribble fractions of generated samples (for tuning the generator).
fn main() {
    for (h, w) in [(160, 200), (300, 300), (500, 500)] {
        for seed in 1..4 {
            let t = std::time::Instant::now();
            let s = pixelforest_synth::generate(&pixelforest_synth::SynthSettings {
                height: h,
                width: w,
                seed,
            });
            let n = s.truth.len() as f64;
            let f = |c: u8| s.truth.iter().filter(|&&t| t == c).count() as f64 / n;
            let l = s.scribbles.iter().filter(|&&t| t != 0).count() as f64 / n;
            println!(
                "{h}x{w} seed {seed}: nuc {:.3} cyto {:.3} bg {:.3} scribbles {:.4} in {:?}",
                f(1),
                f(2),
                f(3),
                l,
                t.elapsed()
            );
        }
    }
}
