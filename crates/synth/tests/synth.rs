//! Properties of the synthetic tissue.

use ndarray::Axis;
use pixelforest_synth::{generate, SynthSettings, CHANNELS};

fn sample(seed: u64) -> pixelforest_synth::SynthSample {
    generate(&SynthSettings {
        height: 160,
        width: 200,
        seed,
    })
}

#[test]
fn same_seed_same_sample_other_seed_other_sample() {
    let a = sample(3);
    let b = sample(3);
    assert_eq!(a.image, b.image);
    assert_eq!(a.truth, b.truth);
    assert_eq!(a.scribbles, b.scribbles);
    assert_ne!(sample(4).truth, a.truth);
}

#[test]
fn classes_are_plausible_and_scribbles_agree_with_truth() {
    let s = sample(1);
    assert_eq!(s.image.data().dim(), (CHANNELS.len(), 160, 200));
    assert_eq!(s.image.channels().len(), CHANNELS.len());
    let n = s.truth.len() as f64;
    let frac = |c: u8| s.truth.iter().filter(|&&t| t == c).count() as f64 / n;
    for (c, lo, hi) in [(1, 0.05, 0.5), (2, 0.1, 0.7), (3, 0.05, 0.8)] {
        assert!((lo..hi).contains(&frac(c)), "class {c}: {}", frac(c));
    }
    let labelled = s.scribbles.iter().filter(|&&l| l != 0).count() as f64 / n;
    assert!((0.005..0.06).contains(&labelled), "{labelled}");
    for c in 1..=3u8 {
        assert!(s.scribbles.iter().any(|&l| l == c), "class {c} unlabeled");
    }
    for (l, t) in s.scribbles.iter().zip(s.truth.iter()) {
        assert!(*l == 0 || l == t);
    }
}

#[test]
fn markers_are_where_they_belong() {
    let s = sample(2);
    let mean_in = |ch: usize, class: u8| {
        let c = s.image.data().index_axis(Axis(0), ch);
        let (sum, n) = c
            .iter()
            .zip(s.truth.iter())
            .filter(|(_, &t)| t == class)
            .fold((0.0f64, 0usize), |(a, n), (v, _)| {
                (a + f64::from(*v), n + 1)
            });
        sum / n as f64
    };
    // DNA: nuclei far brighter than background and cytoplasm.
    assert!(mean_in(0, 1) > 5.0 * mean_in(0, 3));
    assert!(mean_in(0, 1) > 2.0 * mean_in(0, 2));
    // E-cadherin (membrane) and panCK (cytoplasm) higher in the cytoplasm class than in nuclei.
    assert!(mean_in(4, 2) > 2.0 * mean_in(4, 1));
    assert!(mean_in(6, 2) > 2.0 * mean_in(6, 3));
    // Counts are integers (Poisson).
    assert!(s.image.data().iter().all(|v| v.fract() == 0.0 && *v >= 0.0));
}
