//! `pixelforest synth`: built-in synthetic IMC-like data.

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::pipeline::{write_synth, SynthOptions, GROUND_TRUTH_DIR};

/// Write synthetic IMC-like acquisitions (demo and test data).
///
/// Each acquisition is written as `<out>/<prefix>_NN_ilastik.tiff` (uint16, one page per
/// channel) with its channel list `<prefix>_NN_ilastik.csv`, as the reference workflow names
/// them, plus the ground-truth class map (1 nuclei, 2 cytoplasm/membrane, 3 background) and
/// sparse scribble labels in `<out>/ground_truth/`.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Output folder.
    #[arg(long, default_value = "tiff")]
    out: PathBuf,
    /// Number of acquisitions.
    #[arg(long = "images", short = 'n', default_value_t = 2)]
    n_images: usize,
    /// Height and width in pixels (~1 um each).
    #[arg(long, default_value_t = 500)]
    size: usize,
    /// Random seed; the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Name prefix of the acquisitions.
    #[arg(long, default_value = "synth")]
    prefix: String,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.size < 16 {
        anyhow::bail!("--size must be at least 16 pixels");
    }
    let files = write_synth(&SynthOptions {
        out_dir: args.out.clone(),
        n_images: args.n_images,
        height: args.size,
        width: args.size,
        seed: args.seed,
        prefix: args.prefix,
    })?;
    for f in &files {
        println!("{}", f.stack.display());
    }
    eprintln!(
        "wrote {} acquisitions to {} (ground truth and scribbles in {})",
        files.len(),
        args.out.display(),
        args.out.join(GROUND_TRUTH_DIR).display()
    );
    Ok(ExitCode::SUCCESS)
}
