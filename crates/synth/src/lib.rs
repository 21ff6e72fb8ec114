//! Synthetic IMC-like tissue: the built-in demo data and test input.
//!
//! Contract used by the layers above (keep these signatures; add freely).

use ndarray::Array2;
use pixelforest_core::Image;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSettings {
    pub height: usize,
    pub width: usize,
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
pub fn generate(settings: &SynthSettings) -> SynthSample {
    let _ = settings;
    todo!("synth: generate")
}
