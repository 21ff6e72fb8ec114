//! `pixelforest prepare`: the reference workflow's CellProfiler image preparation.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pixelforest::pipeline::{
    collect_images, collect_imc_files, is_prepared_file, prepare_batch, prepare_steinbock_batch,
    PrepareOptions, SteinbockPrepareOptions,
};
use pixelforest::prepare::{PrepareSettings, Summary};

use super::common::{finish, BatchArgs, Layout};

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
/// With `--layout steinbock` it writes what `steinbock classify ilastik prepare` writes from a
/// steinbock `img/` folder: the channels averaged per `panel.csv` `ilastik` group, the mean
/// x 100 first, upscaled, as `ilastik_img/<name>.h5` (dataset `img`, float32, cyx), and one
/// crop per image as `ilastik_crops/<name>_x{X}_y{Y}_w{S}_h{S}.h5` (dataset `crop`); no
/// hot-pixel filter and 512-pixel crops unless asked (steinbock's defaults).
///
/// Examples:
///   pixelforest prepare tiff/ --out tiff/ --crops ilastik/ --crop-size 250
///   pixelforest prepare --layout steinbock img/      (in a steinbock folder)
///   pixelforest prepare raw/slide1.mcd --layout steinbock   (converts to img/ first)
///
/// `.mcd` / `.txt` inputs (or folders of them) are first converted as `pixelforest convert`
/// does, into `--img` (default `img/`, with `panel.csv` beside it), and the TIFFs prepared.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Stacks (.tiff, .ome.tiff, .h5), IMC acquisitions (.mcd, .txt), or folders of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output layout: isp (ImcSegmentationPipeline: `<name>_s2.h5`, uint16 zyxc) or steinbock.
    #[arg(long, value_enum, default_value_t = Layout::Isp)]
    layout: Layout,
    /// steinbock: the panel whose `ilastik` column groups the channels; with .mcd/.txt inputs
    /// also the channels converted (any layout) (default: `panel.csv`
    /// in the steinbock folder, i.e. beside the images' folder).
    #[arg(long)]
    panel: Option<PathBuf>,
    /// Folder for the full prepared images (default: beside each input; steinbock:
    /// `ilastik_img/` in the steinbock folder).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Folder for the training crops (default: `ilastik/` beside the output folder; steinbock:
    /// `ilastik_crops/`).
    #[arg(long)]
    crops: Option<PathBuf>,
    /// Hot-pixel threshold in counts; 0 disables the filter (default 50; steinbock 0).
    #[arg(long)]
    hot_pixel_threshold: Option<f32>,
    /// Summary channel prepended as channel 0: mean (x 100, current workflow and steinbock),
    /// sum (older workflow versions) or none.
    #[arg(long, value_enum, default_value_t = SummaryArg::Mean)]
    summary: SummaryArg,
    /// Integer upscaling factor.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=16))]
    scale: u32,
    /// Random crops per image (0: none).
    #[arg(long, default_value_t = 1)]
    crops_per_image: usize,
    /// Crop edge in prepared pixels (500, steinbock 512; 250 is advised for large data sets).
    #[arg(long)]
    crop_size: Option<usize>,
    /// Seed of the crop positions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder for the TIFFs converted from .mcd / .txt inputs.
    #[arg(long, default_value = "img")]
    img: PathBuf,
    #[command(flatten)]
    batch: BatchArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.batch.init_threads()?;
    let default_threshold = match args.layout {
        Layout::Isp => 50.0,
        Layout::Steinbock => 0.0,
    };
    let hot_pixel_threshold = args.hot_pixel_threshold.unwrap_or(default_threshold);
    if hot_pixel_threshold < 0.0 || !hot_pixel_threshold.is_finite() {
        anyhow::bail!("--hot-pixel-threshold must be a number >= 0");
    }
    let (args, converted) = convert_imc_inputs(args)?;
    let code = if args.layout == Layout::Steinbock {
        run_steinbock(&args, hot_pixel_threshold)?
    } else {
        run_isp(&args, hot_pixel_threshold)?
    };
    Ok(if converted { code } else { ExitCode::FAILURE })
}

/// True for an IMC file, or a folder with IMC files and no stacks.
fn is_imc_input(p: &Path) -> bool {
    if p.is_dir() {
        collect_images(&[p.to_path_buf()], None).is_err()
            && collect_imc_files(&[p.to_path_buf()]).is_ok()
    } else {
        super::info_imc::is_imc_file(p)
    }
}

/// Converts the IMC inputs into `--img` and puts the TIFFs in their place; false when some
/// acquisition could not be converted (reported, the others go on).
fn convert_imc_inputs(mut args: Args) -> anyhow::Result<(Args, bool)> {
    let (imc, mut stacks): (Vec<PathBuf>, Vec<PathBuf>) =
        args.inputs.drain(..).partition(|p| is_imc_input(p));
    if imc.is_empty() {
        args.inputs = stacks;
        return Ok((args, true));
    }
    if args.batch.shard.is_some() {
        anyhow::bail!("--shard with .mcd/.txt inputs: run `pixelforest convert` first");
    }
    let settings = super::convert::Settings {
        out: &args.img,
        panel: args.panel.as_deref(),
        sample: pixelforest::io::SampleType::F32,
        hot_pixel_threshold: 0.0,
        overwrite: args.batch.overwrite,
        quiet: args.batch.quiet,
    };
    let report = super::convert::convert(&imc, &settings)?;
    let converted = finish(&report, args.batch.quiet) == ExitCode::SUCCESS;
    stacks.extend(
        report
            .outcomes
            .iter()
            .flat_map(|o| o.outputs.iter().cloned()),
    );
    if stacks.is_empty() {
        anyhow::bail!("no acquisition could be converted");
    }
    args.inputs = stacks;
    if args.layout == Layout::Isp {
        // The panel chose the converted channels; the ISP layout has no further use for it.
        args.panel = None;
    }
    Ok((args, converted))
}

/// The ImcSegmentationPipeline layout.
fn run_isp(args: &Args, hot_pixel_threshold: f32) -> anyhow::Result<ExitCode> {
    if args.panel.is_some() {
        anyhow::bail!("--panel applies to --layout steinbock");
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
            .map_or_else(|| PathBuf::from("ilastik"), |p| p.join("ilastik"))
    });
    let summary = match args.summary {
        SummaryArg::Sum => Summary::Sum,
        SummaryArg::None => Summary::None,
        SummaryArg::Mean => Summary::Mean,
    };
    let options = PrepareOptions {
        settings: PrepareSettings {
            hot_pixel_threshold,
            summary,
            scale: args.scale as usize,
        },
        out_dir,
        crops_dir: crops_dir.clone(),
        crops_per_image: args.crops_per_image,
        crop_size: args.crop_size.unwrap_or(500),
        seed: args.seed,
        overwrite: args.batch.overwrite,
        progress: !args.batch.quiet,
    };
    if !args.batch.quiet {
        eprintln!(
            "preparing {} stacks -> {} (crops -> {})",
            inputs.len(),
            options.out_dir.display(),
            crops_dir.display()
        );
    }
    let report = prepare_batch(&inputs, &options)?;
    Ok(finish(&report, args.batch.quiet))
}

/// `--layout steinbock`: steinbock's `classify ilastik prepare`.
fn run_steinbock(args: &Args, hot_pixel_threshold: f32) -> anyhow::Result<ExitCode> {
    let inputs = args.batch.shard(collect_images(&args.inputs, None)?);
    let Some(first) = inputs.first() else {
        anyhow::bail!("no images to prepare in the given inputs");
    };
    // steinbock's folder: the parent of `img/`.
    let root = first
        .parent()
        .and_then(|d| d.parent())
        .map(PathBuf::from)
        .unwrap_or_default();
    let panel = args.panel.clone().unwrap_or_else(|| root.join("panel.csv"));
    let groups = if panel.is_file() {
        pixelforest::io::read_panel_groups(&panel)?
    } else if args.panel.is_some() {
        anyhow::bail!("{}: panel not found", panel.display());
    } else {
        None
    };
    if args.summary == SummaryArg::Sum {
        anyhow::bail!("--summary sum is not a steinbock option (mean or none)");
    }
    let options = SteinbockPrepareOptions {
        groups,
        mean: args.summary == SummaryArg::Mean,
        scale: args.scale as usize,
        hot_pixel_threshold,
        img_dir: args.out.clone().unwrap_or_else(|| root.join("ilastik_img")),
        crops_dir: args
            .crops
            .clone()
            .unwrap_or_else(|| root.join("ilastik_crops")),
        crop_size: args.crop_size.unwrap_or(512),
        crops_per_image: args.crops_per_image,
        seed: args.seed,
        overwrite: args.batch.overwrite,
        progress: !args.batch.quiet,
    };
    if !args.batch.quiet {
        eprintln!(
            "preparing {} images -> {} (crops -> {}; panel groups: {})",
            inputs.len(),
            options.img_dir.display(),
            options.crops_dir.display(),
            match &options.groups {
                Some(g) => format!("{} from {}", g.groups.len(), panel.display()),
                None => "none, every channel kept".into(),
            }
        );
    }
    let report = prepare_steinbock_batch(&inputs, &options);
    Ok(finish(&report, args.batch.quiet))
}

/// The summary channel prepended as channel 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SummaryArg {
    /// Mean of the channels x 100 (current workflow and steinbock).
    Mean,
    /// Sum of the channels (older workflow versions).
    Sum,
    /// No summary channel.
    None,
}
