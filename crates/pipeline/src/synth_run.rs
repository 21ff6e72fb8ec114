//! `synth`: writes synthetic IMC-like acquisitions in the reference workflow's layout
//! (`<name>_ilastik.tiff` + `<name>_ilastik.csv`), with ground truth and scribbles beside them.

use std::path::{Path, PathBuf};

use pixelforest_io::SampleType;
use pixelforest_synth::{generate, SynthSample, SynthSettings};

use crate::batch_predict::create_parent;
use crate::error::{PipelineError, Result};

/// Folder (inside the output folder) for ground truth and scribbles, so that a folder scan for
/// stacks does not take them as images.
pub const GROUND_TRUTH_DIR: &str = "ground_truth";

/// Options of a `synth` run.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Folder of the written files.
    pub out_dir: PathBuf,
    /// Number of acquisitions.
    pub n_images: usize,
    /// Height in pixels.
    pub height: usize,
    /// Width in pixels.
    pub width: usize,
    /// Seed of the first acquisition; acquisition `i` uses `seed + i`.
    pub seed: u64,
    /// Acquisition names are `<prefix>_<NN>`.
    pub prefix: String,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self {
            out_dir: PathBuf::from("tiff"),
            n_images: 2,
            height: 500,
            width: 500,
            seed: 1,
            prefix: "synth".into(),
        }
    }
}

/// The files written for one acquisition.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthFiles {
    /// The acquisition's name.
    pub name: String,
    /// Its stack (`<name>_ilastik.tiff`).
    pub stack: PathBuf,
    /// Its channel list.
    pub channels: PathBuf,
    /// Its ground-truth class map.
    pub truth: PathBuf,
    /// Its synthetic scribbles.
    pub scribbles: PathBuf,
}

/// Paths of acquisition `name` under `out_dir`.
pub fn synth_files(out_dir: &Path, name: &str) -> SynthFiles {
    let gt = out_dir.join(GROUND_TRUTH_DIR);
    SynthFiles {
        name: name.to_string(),
        stack: out_dir.join(format!("{name}_ilastik.tiff")),
        channels: out_dir.join(format!("{name}_ilastik.csv")),
        truth: gt.join(format!("{name}_truth.tiff")),
        scribbles: gt.join(format!("{name}_scribbles.tiff")),
    }
}

/// Generates and writes `n_images` acquisitions; image `i` uses seed `seed + i`.
pub fn write_synth(options: &SynthOptions) -> Result<Vec<SynthFiles>> {
    (0..options.n_images)
        .map(|i| {
            let name = format!("{}_{:02}", options.prefix, i + 1);
            let sample = generate(&SynthSettings {
                height: options.height,
                width: options.width,
                seed: options.seed.wrapping_add(i as u64),
            });
            write_sample(&options.out_dir, &name, &sample)
        })
        .collect()
}

/// Writes one generated sample under `out_dir` as acquisition `name`.
pub fn write_sample(out_dir: &Path, name: &str, sample: &SynthSample) -> Result<SynthFiles> {
    let files = synth_files(out_dir, name);
    create_parent(&files.truth)?;
    create_parent(&files.stack)?;
    let csv: String = sample
        .image
        .channels()
        .iter()
        .map(|c| format!("{c}\n"))
        .collect();
    pixelforest_io::atomic_write(&files.channels, |tmp| {
        std::fs::write(tmp, csv.as_bytes()).map_err(|e| pixelforest_io::IoError::Io {
            path: files.channels.clone(),
            source: e,
        })
    })?;
    pixelforest_io::write_tiff_stack(&files.stack, &sample.image, SampleType::U16)?;
    pixelforest_io::write_label_image(&files.truth, &sample.truth)?;
    pixelforest_io::write_label_image(&files.scribbles, &sample.scribbles)?;
    if sample.scribbles.iter().all(|&l| l == 0) {
        return Err(PipelineError::file(
            &files.scribbles,
            "no scribbles generated",
        ));
    }
    Ok(files)
}
