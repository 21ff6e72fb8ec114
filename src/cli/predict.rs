//! `pixelforest predict`: batch probability export (replaces ilastik's headless batch mode).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use pixelforest::pipeline::{
    collect_images, load_model, predict_batch, steinbock_output_dir, NonFinite, PredictOptions,
    UncertaintyDir, UncertaintyMeasure, DEFAULT_TILE,
};

use super::common::{finish, BatchArgs, Compression, Dtype, Format};

/// Export per-pixel class probabilities for every image (replaces ilastik's batch mode).
///
/// Writes `<stem>_Probabilities.tiff` per image: one channel per class in label order, uint16,
/// [0, 1] renormalized to [0, 65535] exactly as ilastik's export ("Convert to datatype: uint16",
/// "Renormalize"), one page with the classes as interleaved samples (tifffile reads (y, x, class)).
/// Folders contribute their `*_s2.h5` images (or all stacks if there are none). Images of a
/// steinbock `ilastik_img/` folder go to steinbock's `ilastik_probabilities/<name>.tiff`
/// unless --output-dir or --name is given.
///
/// Outputs that already exist are skipped (`--overwrite` to redo), so an interrupted run is
/// resumed by running it again; a bad image is reported and the others are still written.
///
/// Example:
///   pixelforest predict --model classifier.pxf tiff/ --output-dir ilastik/ --uncertainty
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The model written by `pixelforest train` (or `serve`), or an ilastik project (`.ilp`)
    /// with a trained classifier: its own forest, features and classes give ilastik's numbers.
    #[arg(long, short = 'm')]
    model: PathBuf,
    /// Images (`_s2.h5`, TIFF stacks) or folders of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder (default: beside each image, as ilastik).
    #[arg(long, short = 'o')]
    output_dir: Option<PathBuf>,
    /// Output file name without extension; {stem} is the image's name (default
    /// `{stem}_Probabilities`; `{stem}` for steinbock's folders).
    #[arg(long)]
    name: Option<String>,
    /// Sample type of the maps.
    #[arg(long, value_enum, default_value_t = Dtype::Uint16)]
    dtype: Dtype,
    /// Container of the maps.
    #[arg(long, value_enum, default_value_t = Format::Tiff)]
    format: Format,
    /// TIFF compression (ilastik writes LZW).
    #[arg(long, value_enum, default_value_t = Compression::Lzw)]
    compression: Compression,
    /// Also write uncertainty maps (`<probability stem>_uncertainty.tiff`).
    #[arg(long)]
    uncertainty: bool,
    /// Folder for uncertainty maps (default: `uncertainty/` in the folder of the probabilities).
    #[arg(long)]
    uncertainty_dir: Option<PathBuf>,
    /// Uncertainty measure: margin (ilastik: 1 - (p1 - p2)) or max (1 - p1, the workflow script).
    #[arg(long, default_value = "margin")]
    measure: UncertaintyMeasure,
    /// Tile edge in pixels; memory use grows with its square.
    #[arg(long, default_value_t = DEFAULT_TILE as u32, value_parser = clap::value_parser!(u32).range(16..))]
    tile_size: u32,
    /// Treat NaN and infinite pixel values as 0 (by default such an image is an error).
    #[arg(long)]
    nan_as_zero: bool,
    #[command(flatten)]
    batch: BatchArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.batch.init_threads()?;
    let model = load_model(&args.model)?;
    let images = args
        .batch
        .shard(collect_images(&args.inputs, Some("_s2.h5"))?);
    // steinbock's layout: ilastik_img/<name>.h5 -> ilastik_probabilities/<name>.tiff.
    let steinbock = (args.output_dir.is_none() && args.name.is_none())
        .then(|| steinbock_output_dir(&images))
        .flatten();
    let output_dir = steinbock.clone().or(args.output_dir.clone());
    let name = match (&args.name, &steinbock) {
        (Some(n), _) => n.clone(),
        (None, Some(_)) => "{stem}".to_string(),
        (None, None) => "{stem}_Probabilities".to_string(),
    };
    let uncertainty_dir = match (&args.uncertainty_dir, &output_dir) {
        (Some(dir), _) => Some(UncertaintyDir::Folder(dir.clone())),
        (None, Some(out)) if args.uncertainty => {
            Some(UncertaintyDir::Folder(out.join("uncertainty")))
        }
        (None, None) if args.uncertainty => Some(UncertaintyDir::BesideProbabilities),
        (None, _) => None,
    };
    let options = PredictOptions {
        output_dir,
        name_pattern: name.clone(),
        sample: args.dtype.into(),
        format: args.format.into(),
        compression: args.compression.into(),
        uncertainty_dir,
        uncertainty_measure: args.measure,
        tile_size: args.tile_size as usize,
        overwrite: args.batch.overwrite,
        progress: !args.batch.quiet,
        non_finite: if args.nan_as_zero {
            NonFinite::Zero
        } else {
            NonFinite::Error
        },
    };
    if !name.contains("{stem}") && !name.contains("{nickname}") && images.len() > 1 {
        anyhow::bail!("--name must contain {{stem}} when more than one image is predicted");
    }
    if let Some(dir) = &options.output_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if !args.batch.quiet {
        eprintln!(
            "predicting {} images with {} ({} classes: {})",
            images.len(),
            args.model.display(),
            model.meta.classes.len(),
            model
                .meta
                .classes
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let report = predict_batch(&model, &images, &options)?;
    Ok(finish(&report, args.batch.quiet))
}
