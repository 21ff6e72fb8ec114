//! `predict` over many images: one image at a time (its tiles in parallel), outputs written
//! under a temporary name and renamed, complete outputs skipped on a re-run, and a bad image
//! reported without stopping the others.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::model::Model;
use pixelforest_io::{ProbabilityFormat, SampleType, TiffCompression};

use crate::error::{PipelineError, Result};
use crate::finite::NonFinite;
use crate::plan::{is_complete, plan_outputs};
use crate::predict::DEFAULT_TILE;
use crate::predict_stream::{band_height, predict_file};
use crate::progress;
use crate::report::{BatchReport, Outcome, Status};
use crate::uncertainty_export::{
    read_probability_map, uncertainty_map, uncertainty_path, write_uncertainty, UncertaintyMeasure,
};
use rayon::prelude::*;

/// Options of a batch prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictOptions {
    /// Output folder; `None` writes beside each input, as ilastik's default export does.
    pub output_dir: Option<PathBuf>,
    /// Output name without extension; `{stem}` (or ilastik's `{nickname}`) is the input's stem.
    pub name_pattern: String,
    /// Sample type of the probabilities (ilastik's `--export_dtype`).
    pub sample: SampleType,
    /// TIFF or ilastik's HDF5 export.
    pub format: ProbabilityFormat,
    /// TIFF compression (ilastik writes LZW).
    pub compression: TiffCompression,
    /// Where uncertainty maps go; `None` writes none.
    pub uncertainty_dir: Option<UncertaintyDir>,
    /// Margin (ilastik's) or 1 - max.
    pub uncertainty_measure: UncertaintyMeasure,
    /// Tile edge in pixels.
    pub tile_size: usize,
    /// Redo images whose outputs exist.
    pub overwrite: bool,
    /// Show progress bars.
    pub progress: bool,
    /// NaN and infinite input values: an error, or 0.
    pub non_finite: NonFinite,
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
            non_finite: NonFinite::Error,
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
        out.extend(self.uncertainty_output(&probs));
        out
    }

    /// The uncertainty map written for probability file `probs`, if any.
    pub fn uncertainty_output(&self, probs: &Path) -> Option<PathBuf> {
        let dir = match self.uncertainty_dir.as_ref()? {
            UncertaintyDir::Folder(dir) => dir.clone(),
            UncertaintyDir::BesideProbabilities => probs
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
                .join("uncertainty"),
        };
        Some(uncertainty_path(probs, &dir))
    }
}

/// Where `predict` writes uncertainty maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UncertaintyDir {
    /// One folder for all.
    Folder(PathBuf),
    /// `uncertainty/` in the folder of each probability file (beside the images when
    /// probabilities are written there).
    BesideProbabilities,
}

/// Predicts every image of `images` with `model`; never stops at a bad image.
///
/// # Errors
/// Before any work, when two images would write one output or an output would replace an
/// input ([`PlanConflict`](crate::PlanConflict)).
pub fn predict_batch(
    model: &Model,
    images: &[PathBuf],
    options: &PredictOptions,
) -> Result<BatchReport> {
    let planned = plan_outputs(images, |input| options.outputs(input))?;
    let bar = progress::bar(images.len(), "images", options.progress);
    let channels = [Some(model.forest.n_classes()), Some(1)];
    Ok(run_in_turn(
        images,
        planned,
        &bar,
        options.overwrite,
        |input, outputs| outputs_complete(input, outputs, &channels),
        |input| is_small(input, options.tile_size),
        |input| {
            let name = input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            bar.set_message(name.clone());
            let on_tile = |done: usize, total: usize| {
                bar.set_message(format!("{name}: tile {done}/{total}"));
            };
            predict_file(model, input, options, &on_tile)
        },
    ))
}

/// True when each of `outputs` is complete (see [`is_complete`]): the input's height and width,
/// `channels[i]` channels.
fn outputs_complete(input: &Path, outputs: &[PathBuf], channels: &[Option<usize>]) -> bool {
    let Ok([_, h, w]) = pixelforest_io::image_shape(input) else {
        return false;
    };
    outputs
        .iter()
        .zip(channels)
        .all(|(path, &c)| path.is_file() && is_complete(path, c, h, w))
}

/// True for an image of one band and at most a few tiles: such images are predicted several
/// at a time (each alone would leave cores idle: its few tiles are fewer than the threads).
fn is_small(input: &Path, tile: usize) -> bool {
    let Ok([_, h, w]) = pixelforest_io::image_shape(input) else {
        return false;
    };
    let tile = tile.max(1);
    h <= band_height(tile, w) && h * w <= 4 * tile * tile
}

/// Runs `work` (which returns the pixel count it processed) on each input, timing it and
/// advancing `bar`: inputs `parallel` accepts several at a time, the others in turn. An input
/// whose planned `outputs` are all `complete` is skipped unless `overwrite`, and a failure is
/// reported and recorded without stopping the others. Outcomes are in input order.
fn run_in_turn(
    inputs: &[PathBuf],
    planned: Vec<Vec<PathBuf>>,
    bar: &indicatif::ProgressBar,
    overwrite: bool,
    complete: impl Fn(&Path, &[PathBuf]) -> bool + Sync,
    parallel: impl Fn(&Path) -> bool + Sync,
    work: impl Fn(&Path) -> Result<usize> + Sync,
) -> BatchReport {
    let start = Instant::now();
    let one = |input: &PathBuf, outputs: Vec<PathBuf>| {
        let t = Instant::now();
        let (status, pixels) = if !overwrite && complete(input, &outputs) {
            (Status::Skipped, 0)
        } else {
            Status::of(work(input), |m| progress::say(bar, m))
        };
        bar.inc(1);
        Outcome {
            input: input.clone(),
            outputs,
            status,
            pixels,
            elapsed: t.elapsed(),
        }
    };
    let (small, large): (Vec<_>, Vec<_>) = inputs
        .iter()
        .zip(planned)
        .enumerate()
        .partition(|(_, (input, _))| parallel(input));
    let mut outcomes: Vec<(usize, Outcome)> = small
        .into_par_iter()
        .map(|(i, (input, outputs))| (i, one(input, outputs)))
        .collect();
    for (i, (input, outputs)) in large {
        outcomes.push((i, one(input, outputs)));
    }
    outcomes.sort_by_key(|(i, _)| *i);
    bar.finish_and_clear();
    BatchReport {
        outcomes: outcomes.into_iter().map(|(_, o)| o).collect(),
        elapsed: start.elapsed(),
    }
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
///
/// # Errors
/// Before any work, when two files would write one map or a map would replace an input.
pub fn convert_probabilities(
    files: &[PathBuf],
    out_dir: &Path,
    measure: UncertaintyMeasure,
    sample: SampleType,
    overwrite: bool,
    show_progress: bool,
) -> Result<BatchReport> {
    let planned = plan_outputs(files, |input| vec![uncertainty_path(input, out_dir)])?;
    let bar = progress::bar(files.len(), "maps", show_progress);
    Ok(run_in_turn(
        files,
        planned,
        &bar,
        overwrite,
        |input, outputs| outputs_complete(input, outputs, &[Some(1)]),
        |_| false,
        |input| {
            let out = uncertainty_path(input, out_dir);
            let probs = read_probability_map(input)?;
            create_parent(&out)?;
            write_uncertainty(&out, &uncertainty_map(&probs, measure), sample)?;
            Ok(probs.shape()[1] * probs.shape()[2])
        },
    ))
}
