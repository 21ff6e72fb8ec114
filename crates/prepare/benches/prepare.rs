//! `prepare` throughput on a 1000 x 1000 x 40 stack (hot pixels + mean channel + 2x), against
//! the same steps in numpy / scipy / OpenCV (benches/prepare.py) in the same run.
//! Run: cargo bench -p pixelforest-prepare --bench prepare

use std::time::Instant;

use ndarray::Array3;
use pixelforest_core::Image;
use pixelforest_prepare::{prepare_image, PrepareSettings};

fn main() {
    let (c, h, w) = (40usize, 1000usize, 1000usize);
    // Deterministic counts with a few hot pixels.
    let mut state = 1u64;
    let data = Array3::from_shape_fn((c, h, w), |_| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let v = (state >> 59) as f32;
        if state >> 40 & 0xffff == 7 {
            500.0
        } else {
            v
        }
    });
    let image = Image::unnamed(data);
    let mpx = (c * h * w) as f64 / 1e6;
    let settings = PrepareSettings::default();
    let _ = prepare_image(&image, &settings); // warm-up
    let runs = 3;
    let t = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(prepare_image(&image, &settings));
    }
    let ours = t.elapsed().as_secs_f64() / f64::from(runs);
    println!(
        "pixelforest prepare {c}x{h}x{w}: {ours:.3} s  ({:.1} Mpx/s, input channel-megapixels)",
        mpx / ours
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/prepare.py");
    match std::process::Command::new("python3")
        .arg(script)
        .args([c.to_string(), h.to_string(), w.to_string()])
        .output()
    {
        Ok(out) if out.status.success() => {
            let peer: f64 = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .unwrap_or(f64::NAN);
            println!(
                "numpy/scipy/OpenCV (steinbock steps): {peer:.3} s  ({:.1} Mpx/s); pixelforest is {:.2}x",
                mpx / peer,
                peer / ours
            );
        }
        _ => println!(
            "Python peer unavailable: pip install numpy scipy opencv-python-headless, then rerun"
        ),
    }
}
