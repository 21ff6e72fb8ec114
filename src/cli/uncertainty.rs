//! `pixelforest uncertainty`: probabilities -> uncertainty maps.

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::io::SampleType;
use pixelforest::pipeline::{collect_images, convert_probabilities, UncertaintyMeasure};

use super::common::{finish, BatchArgs};

/// Convert exported probability maps into uncertainty maps (the workflow's conversion step).
///
/// Reads probability TIFF/HDF5 files (from ilastik or pixelforest) and writes
/// `<name>_uncertainty.tiff` per file: high where classes compete (borders, unlabeled
/// structures), low inside confidently classified regions. Label more where it is high.
///
/// Example:
///   pixelforest uncertainty ilastik/*_Probabilities.tiff --out uncertainty/
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Probability files or folders of `*_Probabilities.tiff`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, short = 'o', default_value = "uncertainty")]
    out: PathBuf,
    /// margin: ilastik's 1 - (p1 - p2); max: 1 - p1 (the ImcSegmentationPipeline script).
    #[arg(long, default_value = "margin")]
    measure: UncertaintyMeasure,
    /// Sample type of the maps: uint16 (0..65535) or float32 (0..1).
    #[arg(long, default_value = "uint16", value_parser = ["uint16", "float32"])]
    dtype: String,
    #[command(flatten)]
    batch: BatchArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.batch.init_threads()?;
    let mut files = Vec::new();
    for input in &args.inputs {
        if input.is_dir() {
            let dir = std::fs::read_dir(input)?;
            for entry in dir.flatten() {
                let p = entry.path();
                let stem = pixelforest::io::image_stem(&p).to_lowercase();
                if stem.ends_with("_probabilities") {
                    files.push(p);
                }
            }
        } else {
            files.extend(collect_images(std::slice::from_ref(input), None)?);
        }
    }
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no probability files (*_Probabilities.tiff/.h5) in the given inputs");
    }
    let files = args.batch.shard(files);
    let sample = if args.dtype == "float32" {
        SampleType::F32
    } else {
        SampleType::U16
    };
    let report = convert_probabilities(
        &files,
        &args.out,
        args.measure,
        sample,
        args.batch.overwrite,
        !args.batch.quiet,
    )?;
    Ok(finish(&report, args.batch.quiet))
}
