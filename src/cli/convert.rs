//! `pixelforest convert`: IMC instrument files to steinbock's `img/` and `panel.csv`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pixelforest::pipeline::{
    collect_imc_files, convert_batch, BatchReport, ConvertOptions, PanelSource,
};

use super::common::{finish, BatchArgs};

/// Convert IMC acquisitions (.mcd, .txt) to one multichannel TIFF per acquisition (replaces
/// `steinbock preprocess imc panel` + `images`, and imctools/readimc scripts).
///
/// Writes `<out>/<mcd name>_<acquisition id>.tiff` (e.g. `slide1_003.tiff`; a .txt without its
/// .mcd: `<txt name>.tiff`), one page per channel with the channel names in its OME-XML, and,
/// unless a panel is given or already there, `panel.csv` beside the output folder in
/// steinbock's columns (channel, name, keep, ilastik, deepcell, cellpose), and steinbock's
/// `images.csv` (source, recovery file, slide position of each image) beside it. Images hold the
/// panel's channels in its order. An acquisition whose .mcd data are missing or cut is read
/// from its .txt export (`<mcd name>..._<id>.txt`), and the run says so.
///
/// Examples:
///   pixelforest convert raw/ --out img/
///   pixelforest convert raw/slide1.mcd --out img/ --panel panel.csv --hot-pixel-threshold 50
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// .mcd and .txt files, or folders searched for them (recursively).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder of the TIFFs (steinbock: img/).
    #[arg(long, default_value = "img")]
    out: PathBuf,
    /// steinbock panel whose `channel` column lists the channels to write (default:
    /// `panel.csv` beside the output folder if it exists, else one is made there).
    #[arg(long)]
    panel: Option<PathBuf>,
    /// Sample type of the TIFFs (steinbock: float32; uint16 rounds and clamps).
    #[arg(long, value_enum, default_value_t = SampleArg::Float32)]
    dtype: SampleArg,
    /// Hot-pixel filter: a pixel above the maximum of its 8 neighbours by more than this is
    /// set to that maximum (steinbock's --hpf; 0 = off).
    #[arg(long, default_value_t = 0.0)]
    hot_pixel_threshold: f32,
    #[command(flatten)]
    batch: BatchArgs,
}

/// Sample type of the written TIFFs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SampleArg {
    Float32,
    Uint16,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.batch.init_threads()?;
    if !(args.hot_pixel_threshold >= 0.0 && args.hot_pixel_threshold.is_finite()) {
        anyhow::bail!("--hot-pixel-threshold must be a number >= 0");
    }
    if args.batch.shard.is_some() {
        anyhow::bail!("--shard is not supported by convert (the panel spans all files)");
    }
    let sample = match args.dtype {
        SampleArg::Float32 => pixelforest::io::SampleType::F32,
        SampleArg::Uint16 => pixelforest::io::SampleType::U16,
    };
    let settings = Settings {
        out: &args.out,
        panel: args.panel.as_deref(),
        sample,
        hot_pixel_threshold: args.hot_pixel_threshold,
        overwrite: args.batch.overwrite,
        quiet: args.batch.quiet,
    };
    let report = convert(&args.inputs, &settings)?;
    Ok(finish(&report, args.batch.quiet))
}

/// What a conversion writes, and where.
pub struct Settings<'a> {
    pub out: &'a Path,
    pub panel: Option<&'a Path>,
    pub sample: pixelforest::io::SampleType,
    pub hot_pixel_threshold: f32,
    pub overwrite: bool,
    pub quiet: bool,
}

/// Converts the IMC files of `inputs` into `settings.out`, with the panel given, else the
/// `panel.csv` beside the output folder (read if there, else made).
pub fn convert(inputs: &[PathBuf], settings: &Settings) -> anyhow::Result<BatchReport> {
    let (mcd, txt) = collect_imc_files(inputs)?;
    // steinbock's folder: the parent of img/.
    let root = match settings.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::new(),
    };
    let default_panel = root.join("panel.csv");
    let panel = match settings.panel {
        Some(p) => PanelSource::Read(p.to_path_buf()),
        None if default_panel.is_file() => PanelSource::Read(default_panel),
        None => PanelSource::Create(default_panel),
    };
    if !settings.quiet {
        match &panel {
            PanelSource::Read(p) => eprintln!("panel: {} (read)", p.display()),
            PanelSource::Create(p) => eprintln!("panel: {} (made from the files)", p.display()),
        }
        eprintln!(
            "converting {} .mcd and {} .txt files -> {}",
            mcd.len(),
            txt.len(),
            settings.out.display()
        );
    }
    let options = ConvertOptions {
        out_dir: settings.out.to_path_buf(),
        panel,
        sample: settings.sample,
        hot_pixel_threshold: settings.hot_pixel_threshold,
        image_info: Some(root.join("images.csv")),
        overwrite: settings.overwrite,
        progress: !settings.quiet,
    };
    Ok(convert_batch(&mcd, &txt, &options)?.0)
}
