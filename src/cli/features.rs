//! `pixelforest features`: write an image's filter features for inspection.

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::features::FeatureSelection;
use pixelforest::pipeline::write_features;

/// Compute ilastik's filter features of one image and write them as a stack.
///
/// `.h5` output: dataset `features`, float32 (feature, y, x); `.tiff`: one float32 page per
/// feature with the feature names in `<out>.csv`, in the order the classifier uses (family ->
/// scale -> channel -> eigenvalue).
///
/// Example:
///   pixelforest features tiff/a_s2.h5 --features ilastik --out a_features.h5
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The image.
    image: PathBuf,
    /// Feature preset: sigma>=1, ilastik or all.
    #[arg(long, default_value = pixelforest::features::DEFAULT_PRESET)]
    features: String,
    /// Output file (.h5 or .tiff).
    #[arg(long, short = 'o')]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let selection = FeatureSelection::preset(&args.features)?;
    let n = write_features(&args.image, &args.out, &selection)?;
    eprintln!("wrote {n} features to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
