//! `pixelforest prepare`: the reference workflow's CellProfiler image preparation.

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::pipeline::{collect_images, is_prepared_file, prepare_batch, PrepareOptions};
use pixelforest::prepare::{PrepareSettings, Summary};

use super::common::{finish, BatchArgs};

/// Prepare multichannel stacks for pixel classification (replaces the CellProfiler step).
///
/// For every stack (`*_ilastik.tiff` of a folder, or the files given):
///   1. hot-pixel filter: a pixel above the maximum of its 8 neighbours by more than the
///      threshold is set to that maximum;
///   2. a summary channel (mean of the channels x 100) is prepended as channel 0;
///   3. the image is upscaled 2x (bilinear, as OpenCV / steinbock);
///   4. the full image is written as `<name>_s2.h5` and random crops as
///      `<name>_s2_x{X}_y{Y}_w{W}_h{H}.h5` (HDF5 that ilastik opens directly).
///
/// Example:
///   pixelforest prepare tiff/ --out tiff/ --crops ilastik/ --crop-size 250
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Stacks (.tiff, .ome.tiff, .h5) or folders of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Folder for the full prepared images (default: beside each input).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Folder for the training crops (default: `ilastik/` beside the output folder).
    #[arg(long)]
    crops: Option<PathBuf>,
    /// Hot-pixel threshold in counts; 0 disables the filter.
    #[arg(long, default_value_t = 50.0)]
    hot_pixel_threshold: f32,
    /// Summary channel prepended as channel 0: mean (x 100, current workflow and steinbock),
    /// sum (older workflow versions) or none.
    #[arg(long, default_value = "mean", value_parser = ["mean", "sum", "none"])]
    summary: String,
    /// Integer upscaling factor.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=16))]
    scale: u32,
    /// Random crops per image (0: none).
    #[arg(long, default_value_t = 1)]
    crops_per_image: usize,
    /// Crop edge in prepared pixels (500; 250 is advised for large data sets).
    #[arg(long, default_value_t = 500)]
    crop_size: usize,
    /// Seed of the crop positions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    batch: BatchArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.batch.init_threads()?;
    if args.hot_pixel_threshold < 0.0 || !args.hot_pixel_threshold.is_finite() {
        anyhow::bail!("--hot-pixel-threshold must be a number >= 0");
    }
    let inputs: Vec<PathBuf> = collect_images(&args.inputs, Some("_ilastik.tiff"))?
        .into_iter()
        .filter(|p| !is_prepared_file(p))
        .collect();
    if inputs.is_empty() {
        anyhow::bail!("no stacks to prepare in the given inputs (only prepared _s2 files found)");
    }
    let inputs = args.batch.shard(inputs);
    let out_dir = match &args.out {
        Some(d) => d.clone(),
        None => inputs
            .first()
            .and_then(|p| p.parent())
            .map(PathBuf::from)
            .unwrap_or_default(),
    };
    let crops_dir = args.crops.clone().unwrap_or_else(|| {
        out_dir
            .parent()
            .map(|p| p.join("ilastik"))
            .unwrap_or_else(|| PathBuf::from("ilastik"))
    });
    let summary = match args.summary.as_str() {
        "sum" => Summary::Sum,
        "none" => Summary::None,
        _ => Summary::Mean,
    };
    let options = PrepareOptions {
        settings: PrepareSettings {
            hot_pixel_threshold: args.hot_pixel_threshold,
            summary,
            scale: args.scale as usize,
        },
        out_dir,
        crops_dir: crops_dir.clone(),
        crops_per_image: args.crops_per_image,
        crop_size: args.crop_size,
        seed: args.seed,
        overwrite: args.batch.overwrite,
        progress: !args.batch.quiet,
    };
    eprintln!(
        "preparing {} stacks -> {} (crops -> {})",
        inputs.len(),
        options.out_dir.display(),
        crops_dir.display()
    );
    let report = prepare_batch(&inputs, &options)?;
    Ok(finish(&report))
}
