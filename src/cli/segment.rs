//! `pixelforest segment`: nuclei and cell masks from probability maps (replaces the
//! CellProfiler segmentation pipeline of ImcSegmentationPipeline and steinbock).

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::pipeline::{segment_batch, MaskLayout, SegmentOptions, SegmentSettings};

use super::common::{finish, BatchArgs, Layout};
use super::segment_settings::SettingArgs;

/// Segment nuclei and cells from probability maps, as the reference CellProfiler pipeline does.
///
/// Runs the steps of ImcSegmentationPipeline's `2_segment_ilastik.cppipe` (--layout isp) or
/// steinbock's `cell_segmentation.cppipe` (--layout steinbock) with CellProfiler 4's
/// algorithms: nucleus probability smoothed, IdentifyPrimaryObjects (Minimum Cross-Entropy
/// threshold, intensity declumping, holes filled), nuclei below a minimum area dropped,
/// IdentifySecondaryObjects by propagation over nucleus + cytoplasm probability. Classes are
/// read in ilastik's order: 1 nucleus, 2 cytoplasm, 3 background.
///
/// isp: probabilities downscaled 0.5 first; masks `<out>/<name>_s2_Probabilities_mask.tiff`.
/// steinbock: segmented at the probabilities' scale, masks downscaled 0.5; `<out>/<name>.tiff`.
/// Without --layout, inputs in an `ilastik_probabilities/` folder are steinbock's, else isp.
/// Each setting below defaults to the chosen pipeline's value. Masks are uint16 TIFFs, cells
/// numbered as their nuclei.
///
/// Masks that already exist are skipped (`--overwrite` to redo); a bad map is reported and the
/// others are still written.
///
/// Example:
///   pixelforest segment analysis/ilastik/ --out analysis/cpout/masks/
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Probability maps (`*_Probabilities.tiff`, steinbock `ilastik_probabilities/*.tiff`) or
    /// folders of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Folder for the cell masks.
    #[arg(long, short = 'o', default_value = "masks")]
    out: PathBuf,
    /// Also write nucleus masks, under the same names, into this folder (neither reference
    /// pipeline saves them).
    #[arg(long)]
    nuclei_out: Option<PathBuf>,
    /// Also write the probabilities after the pipeline's Resize into this folder as
    /// `<name>_s1.tiff`, as ImcSegmentationPipeline's second SaveImages does (uint16, values as
    /// CellProfiler saves them); needs a probability scale (the isp layout has 0.5).
    #[arg(long, value_name = "DIR")]
    probabilities_out: Option<PathBuf>,
    /// Which reference pipeline: its settings and its mask names.
    #[arg(long, value_enum)]
    layout: Option<Layout>,
    #[command(flatten)]
    settings: SettingArgs,
    #[command(flatten)]
    batch: BatchArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.batch.init_threads()?;
    let maps = args.batch.shard(MaskLayout::collect(&args.inputs)?);
    let layout = match args.layout {
        Some(Layout::Isp) => MaskLayout::Isp,
        Some(Layout::Steinbock) => MaskLayout::Steinbock,
        None => MaskLayout::detect(&args.inputs),
    };
    let preset = match layout {
        MaskLayout::Isp => SegmentSettings::imc_segmentation_pipeline(),
        MaskLayout::Steinbock => SegmentSettings::steinbock(),
    };
    let settings = args.settings.apply(preset)?;
    if !args.batch.quiet {
        eprintln!(
            "segmenting {} probability maps ({} pipeline) into {}",
            maps.len(),
            match layout {
                MaskLayout::Isp => "ImcSegmentationPipeline",
                MaskLayout::Steinbock => "steinbock",
            },
            args.out.display()
        );
    }
    let options = SegmentOptions {
        out_dir: args.out,
        nuclei_dir: args.nuclei_out,
        probabilities_dir: args.probabilities_out,
        layout,
        settings,
        overwrite: args.batch.overwrite,
        progress: !args.batch.quiet,
    };
    let report = segment_batch(&maps, &options)?;
    Ok(finish(&report, args.batch.quiet))
}
