//! Synthetic IMC-like tissue: the built-in demo data and test input.
//!
//! Cells of varied size and density (clusters, sparse areas, empty stroma) with touching nuclei;
//! nuclear markers (two DNA channels, histone, Ki67 in dividing cells), ring-like membrane
//! markers (E-cadherin, CD45), cytoplasmic markers (panCK, Vimentin, CD68), stroma fibres (SMA)
//! and a background channel; mild blur, Poisson counts and sparse hot pixels; ~1 um pixels.
//!
//! ```
//! use pixelforest_synth::{generate, SynthSettings};
//!
//! let sample = generate(&SynthSettings { height: 64, width: 64, seed: 1 });
//! assert_eq!((sample.image.height(), sample.image.width()), (64, 64));
//! assert!(sample.truth.iter().all(|&c| (1..=3).contains(&c)));
//! ```

#![warn(missing_docs)]

mod layout;
mod markers;
mod scribbles;

use ndarray::Array2;
use pixelforest_core::Image;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

pub use markers::CHANNELS;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSettings {
    /// Height in pixels.
    pub height: usize,
    /// Width in pixels.
    pub width: usize,
    /// Seed of every random choice: the same seed gives the same tissue.
    pub seed: u64,
}

impl Default for SynthSettings {
    fn default() -> Self {
        Self {
            height: 500,
            width: 500,
            seed: 1,
        }
    }
}

/// One generated acquisition at raw (~1 um) resolution.
#[derive(Debug, Clone)]
pub struct SynthSample {
    /// Raw counts, channel-first, with marker names as channel names.
    pub image: Image,
    /// Ground-truth class map: 1 nuclei, 2 cytoplasm/membrane, 3 background.
    pub truth: Array2<u8>,
    /// Sparse scribbles as a person would draw them (0 = unlabeled, else the truth class).
    pub scribbles: Array2<u8>,
}

/// Generates one sample; deterministic per settings.
///
/// # Panics
/// Never: one name is made per generated channel.
pub fn generate(settings: &SynthSettings) -> SynthSample {
    let (h, w) = (settings.height.max(1), settings.width.max(1));
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let cells = layout::place_cells(h, w, &mut rng);
    let (owners, truth) = layout::rasterize(h, w, &cells);
    let mut data = markers::expected(&owners, &cells, &mut rng);
    markers::blur(&mut data, 0.7);
    markers::add_noise(&mut data, &mut rng);
    let scribbles = scribbles::scribble(&truth, &owners, &cells, &mut rng);
    let names = CHANNELS.iter().map(|s| s.to_string()).collect();
    let image = Image::new(data, names).expect("one name per generated channel");
    SynthSample {
        image,
        truth,
        scribbles,
    }
}

/// Every nucleus and cell of a sample as instance labels (cell `i` has label `i + 1` in both;
/// 0 = none): what `segment` is scored against.
#[derive(Debug, Clone)]
pub struct Instances {
    /// Pixels inside each cell's nucleus ellipse.
    pub nuclei: Array2<i32>,
    /// Pixels each cell owns.
    pub cells: Array2<i32>,
}

/// The instances of the sample [`generate`] makes from the same settings (the layout is drawn
/// first from the seed, so it is the same).
#[must_use]
pub fn instances(settings: &SynthSettings) -> Instances {
    let (h, w) = (settings.height.max(1), settings.width.max(1));
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let cells = layout::place_cells(h, w, &mut rng);
    let (owners, _) = layout::rasterize(h, w, &cells);
    let cell_labels = owners.cell.mapv(|o| o + 1);
    let nuclei = ndarray::Zip::from(&cell_labels)
        .and(&owners.nuclear)
        .map_collect(|&c, &d| if c > 0 && d < 1.0 { c } else { 0 });
    Instances {
        nuclei,
        cells: cell_labels,
    }
}
