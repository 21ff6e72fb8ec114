//! `pixelforest suggest`: where to label next.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use pixelforest::ilastik::{IlastikVersion, IlpProject};
use pixelforest::pipeline::{
    append_ilp_images, collect_images, load_model, suggest, suggestions_csv, suggestions_sheet,
    SuggestOptions, UncertaintyMeasure, DEFAULT_TILE,
};

use super::common::init_threads;

/// Suggest where to label next: the regions where the classifier is least sure.
///
/// Predicts every image, finds the windows with the highest mean uncertainty (spread over the
/// images, none overlapping a crop already in the crops folder), and writes them there as new
/// training crops named as `prepare` names crops (`<stem>_x{X}_y{Y}_w{W}_h{H}.h5`), with a
/// ranked table (`suggestions.csv`, also printed) and a contact sheet of the regions with the
/// uncertainty overlaid (`suggestions.png`). Label the new crops (`serve`), train again, repeat.
///
/// Example:
///   pixelforest suggest --model classifier.pxf tiff/ --crops ilastik/ --n 10 --size 100
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The model (`.pxf`, or an ilastik project with a trained forest).
    #[arg(long, short = 'm')]
    model: PathBuf,
    /// Images (`_s2.h5`, TIFF stacks) or folders of them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Folder of the training crops: existing crops are avoided, new ones written here.
    #[arg(long)]
    crops: PathBuf,
    /// How many regions to suggest.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    n: u32,
    /// Edge of a region in image pixels.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(8..))]
    size: u32,
    /// Uncertainty measure: margin (ilastik: 1 - (p1 - p2)) or max (1 - p1).
    #[arg(long, default_value = "margin")]
    measure: UncertaintyMeasure,
    /// Tile edge for prediction.
    #[arg(long, default_value_t = DEFAULT_TILE as u32, value_parser = clap::value_parser!(u32).range(16..))]
    tile_size: u32,
    /// Also append the new crops as unlabelled lanes to this ilastik project (its other lanes,
    /// labels and forest untouched), for labs that label in ilastik.
    #[arg(long, value_name = "PROJECT.ilp")]
    ilp: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_threads(args.jobs)?;
    let model = load_model(&args.model)?;
    let images = collect_images(&args.inputs, Some("_s2.h5"))?;
    let options = SuggestOptions {
        crops_dir: args.crops.clone(),
        n: args.n as usize,
        size: args.size as usize,
        measure: args.measure,
        tile_size: args.tile_size as usize,
    };
    let failed = std::cell::Cell::new(0usize);
    let found = suggest(&model, &images, &options, &|e| {
        failed.set(failed.get() + 1);
        eprintln!("error: {e}");
    })?;
    let table = suggestions_csv(&found);
    print!("{table}");
    let csv = args.crops.join("suggestions.csv");
    std::fs::write(&csv, &table).with_context(|| format!("cannot write {}", csv.display()))?;
    if !found.is_empty() {
        let sheet = suggestions_sheet(&found, options.size);
        let png = args.crops.join("suggestions.png");
        pixelforest::io::write_rgb_png(&png, &sheet)?;
        eprintln!(
            "{} regions written to {} (table {}, contact sheet {})",
            found.len(),
            args.crops.display(),
            csv.display(),
            png.display()
        );
    }
    if let Some(project) = &args.ilp {
        // Lanes are appended as the project's own ilastik release reads them.
        let stamp = IlpProject::open(project)?.ilastik_version;
        let version = if stamp.starts_with("1.3") {
            IlastikVersion::V1_3
        } else {
            IlastikVersion::V1_4
        };
        let crops: Vec<PathBuf> = found.iter().map(|g| g.crop.clone()).collect();
        let first = append_ilp_images(&crops, project, version)?;
        eprintln!(
            "appended {} lanes to {} (lanes {} to {})",
            crops.len(),
            project.display(),
            first,
            first + crops.len().saturating_sub(1)
        );
    }
    Ok(if failed.get() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
