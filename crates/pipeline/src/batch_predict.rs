//! `predict` over many images: one image at a time (its tiles in parallel), outputs written
//! under a temporary name and renamed, complete outputs skipped on a re-run, and a bad image
//! reported without stopping the others.

use std::path::{Path, PathBuf};
use std::time::Instant;

use pixelforest_forest::Model;
use pixelforest_io::{ProbabilityFormat, SampleType, TiffCompression};

use crate::error::{PipelineError, Result};
use crate::predict::{predict_image_with_progress, DEFAULT_TILE};
use crate::progress;
use crate::report::{BatchReport, Outcome, Status};
use crate::uncertainty_export::{
    uncertainty_map, uncertainty_path, write_uncertainty, UncertaintyMeasure,
};

/// Options of a batch prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictOptions {
    /// Output folder; `None` writes beside each input, as ilastik's default export does.
    pub output_dir: Option<PathBuf>,
    /// Output name without extension; `{stem}` (or ilastik's `{nickname}`) is the input's stem.
    pub name_pattern: String,
    pub sample: SampleType,
    pub format: ProbabilityFormat,
    /// TIFF compression (ilastik writes LZW).
    pub compression: TiffCompression,
    /// Where uncertainty maps go; `None` writes none.
    pub uncertainty_dir: Option<PathBuf>,
    pub uncertainty_measure: UncertaintyMeasure,
    pub tile_size: usize,
    /// Redo images whose outputs exist.
    pub overwrite: bool,
    pub progress: bool,
}

impl Default for PredictOptions {
    fn default() -> Self {
        Self {
            output_dir: None,
            name_pattern: "{stem}_Probabilities".into(),
            sample: SampleType::U16,
            format: ProbabilityFormat::Tiff,
            compression: TiffCompression::Lzw,
            uncertainty_dir: None,
            uncertainty_measure: UncertaintyMeasure::Margin,
            tile_size: DEFAULT_TILE,
            overwrite: false,
            progress: true,
        }
    }
}

impl PredictOptions {
    /// The probability file written for `input`.
    pub fn output_path(&self, input: &Path) -> PathBuf {
        let stem = pixelforest_io::image_stem(input);
        let name = self
            .name_pattern
            .replace("{stem}", &stem)
            .replace("{nickname}", &stem);
        let ext = match self.format {
            ProbabilityFormat::Tiff => "tiff",
            ProbabilityFormat::H5 => "h5",
        };
        let dir = match &self.output_dir {
            Some(dir) => dir.clone(),
            None => input.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        dir.join(format!("{name}.{ext}"))
    }

    /// Every file written for `input`.
    pub fn outputs(&self, input: &Path) -> Vec<PathBuf> {
        let probs = self.output_path(input);
        let mut out = vec![probs.clone()];
        if let Some(dir) = &self.uncertainty_dir {
            out.push(uncertainty_path(&probs, dir));
        }
        out
    }
}

/// Predicts every image of `images` with `model`; never stops at a bad image.
pub fn predict_batch(model: &Model, images: &[PathBuf], options: &PredictOptions) -> BatchReport {
    let bar = progress::bar(images.len(), "images", options.progress);
    run_in_turn(
        images,
        &bar,
        options.overwrite,
        |input| options.outputs(input),
        |input| {
            let name = input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            bar.set_message(name.clone());
            let on_tile = |done: usize, total: usize| {
                bar.set_message(format!("{name}: tile {done}/{total}"));
            };
            predict_one(model, input, options, &on_tile)
        },
    )
}

/// Runs `work` (which returns the pixel count it processed) on each input in turn, timing it
/// and advancing `bar`; an input whose `outputs` all exist is skipped unless `overwrite`, and a
/// failure is reported and recorded without stopping the others.
fn run_in_turn(
    inputs: &[PathBuf],
    bar: &indicatif::ProgressBar,
    overwrite: bool,
    outputs: impl Fn(&Path) -> Vec<PathBuf>,
    work: impl Fn(&Path) -> Result<usize>,
) -> BatchReport {
    let start = Instant::now();
    let mut outcomes = Vec::with_capacity(inputs.len());
    for input in inputs {
        let t = Instant::now();
        let outputs = outputs(input);
        let (status, pixels) = if !overwrite && outputs.iter().all(|p| p.is_file()) {
            (Status::Skipped, 0)
        } else {
            Status::of(work(input), |m| progress::say(bar, m))
        };
        outcomes.push(Outcome {
            input: input.clone(),
            outputs,
            status,
            pixels,
            elapsed: t.elapsed(),
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    BatchReport {
        outcomes,
        elapsed: start.elapsed(),
    }
}

/// Predicts one image and writes its outputs; returns its pixel count.
fn predict_one(
    model: &Model,
    input: &Path,
    options: &PredictOptions,
    on_tile: &(dyn Fn(usize, usize) + Sync),
) -> Result<usize> {
    let image = pixelforest_io::read_image(input)?;
    let probs = predict_image_with_progress(model, &image, options.tile_size, on_tile).map_err(
        |e| match e {
            PipelineError::Invalid(why) => PipelineError::file(input, why),
            other => other,
        },
    )?;
    let out = options.output_path(input);
    create_parent(&out)?;
    pixelforest_io::write_probabilities_compressed(
        &out,
        &probs,
        options.sample,
        options.format,
        options.compression,
    )?;
    if let Some(dir) = &options.uncertainty_dir {
        let path = uncertainty_path(&out, dir);
        create_parent(&path)?;
        let map = uncertainty_map(&probs, options.uncertainty_measure);
        write_uncertainty(&path, &map, options.sample)?;
    }
    Ok(image.height() * image.width())
}

/// Creates the folder `path` is written into.
pub fn create_parent(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| PipelineError::file(dir, format!("cannot create folder: {e}")))?;
    }
    Ok(())
}

/// Converts exported probability files into uncertainty maps in `out_dir` (the reference
/// workflow's conversion step); resumable like [`predict_batch`].
pub fn convert_probabilities(
    files: &[PathBuf],
    out_dir: &Path,
    measure: UncertaintyMeasure,
    sample: SampleType,
    overwrite: bool,
    show_progress: bool,
) -> BatchReport {
    let bar = progress::bar(files.len(), "maps", show_progress);
    run_in_turn(
        files,
        &bar,
        overwrite,
        |input| vec![uncertainty_path(input, out_dir)],
        |input| {
            let out = uncertainty_path(input, out_dir);
            let probs = pixelforest_io::read_probabilities(input)?;
            create_parent(&out)?;
            write_uncertainty(&out, &uncertainty_map(&probs, measure), sample)?;
            Ok(probs.shape()[1] * probs.shape()[2])
        },
    )
}
