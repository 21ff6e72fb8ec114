//! `pixelforest measure`: images + cell masks -> steinbock's single-cell tables.

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::pipeline::{
    collect_images, measure_batch, write_cell_table, MeasureOptions, NeighborSettings,
    NeighborType, Status, TableFormat,
};

use super::common::{finish, BatchArgs};

/// Measure single cells: mean intensities, region properties and neighbours (steinbock's tables).
///
/// For each image and its mask (matched by name: `masks/<stem>.tiff`, as steinbock names them)
/// writes, as `steinbock measure` does:
///   <out>/intensities/<stem>.csv   mean of each channel per cell (the image as given, not upscaled)
///   <out>/regionprops/<stem>.csv   area, centroid, axis lengths, eccentricity (scikit-image's)
///   <out>/neighbors/<stem>.csv     Object, Neighbor, Distance edge list
/// and one table of all cells with an `Image` column: <out>/cells.csv (or cells.parquet).
///
/// Example (a steinbock project):
///   pixelforest measure --images img/ --masks masks/ --panel panel.csv --out cells/
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Images (multichannel TIFF) or folders of them: steinbock's `img/`.
    #[arg(long, required = true, num_args = 1..)]
    images: Vec<PathBuf>,
    /// Folder of the cell masks (uint16 label TIFFs, 0 = background).
    #[arg(long)]
    masks: PathBuf,
    /// Mask file name; `{stem}` is the image's name without extension, `{name}` the same
    /// without a trailing `_ilastik`. The masks `pixelforest segment --layout isp` writes for
    /// `<name>_ilastik.tiff` stacks: `{name}_s2_Probabilities_mask.tiff`.
    #[arg(long, default_value = "{stem}.tiff")]
    mask_name: String,
    /// steinbock panel: channel names are the `name` of its kept rows. Without it, the
    /// image's own names (channel list CSV beside it, OME-XML).
    #[arg(long)]
    panel: Option<PathBuf>,
    /// Output folder.
    #[arg(long, short = 'o', default_value = "cells")]
    out: PathBuf,
    /// Neighbour definition (steinbock's `--type`). Default: expansion by 4 pixels, what
    /// steinbock's own test data was measured with.
    #[arg(long, value_enum, default_value_t = Neighbors::Expansion)]
    neighbors: Neighbors,
    /// Maximum distance in pixels for neighbours (steinbock's `--dmax`). Default 4 unless
    /// `--kmax` is given (then no distance limit, as steinbock's `--kmax` alone).
    #[arg(long, value_name = "PIXELS")]
    dmax: Option<f64>,
    /// Keep each cell's K nearest neighbours (steinbock's `--kmax`; centroids and borders),
    /// within `--dmax` if given too; written in the order steinbock writes them.
    #[arg(long, value_name = "K")]
    kmax: Option<usize>,
    /// Container of the combined table.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Write only the per-image tables, no combined table (one cluster job per image; a last
    /// run without it, which skips the measured images, writes the combined table).
    #[arg(long)]
    no_table: bool,
    #[command(flatten)]
    batch: BatchArgs,
}

/// steinbock's neighbour types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Neighbors {
    /// Cells whose centroids are within `--dmax` (and/or the `--kmax` nearest).
    Centroids,
    /// Cells whose borders are within `--dmax` (and/or the `--kmax` nearest; the distance is
    /// the closest pixel pair).
    Borders,
    /// Cells touching after each grows by up to `--dmax` pixels into the background.
    Expansion,
}

impl From<Neighbors> for NeighborType {
    fn from(n: Neighbors) -> Self {
        match n {
            Neighbors::Centroids => Self::Centroids,
            Neighbors::Borders => Self::Borders,
            Neighbors::Expansion => Self::Expansion,
        }
    }
}

/// Container of the combined table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// `cells.csv`, as steinbock's `export csv`.
    Csv,
    /// `cells.parquet`.
    Parquet,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    args.batch.init_threads()?;
    let images = collect_images(&args.images, None)?;
    let sharded = args.batch.shard.is_some();
    let images = args.batch.shard(images);
    let options = MeasureOptions {
        masks_dir: args.masks,
        mask_pattern: args.mask_name,
        panel: args.panel,
        out_dir: args.out,
        neighbors: NeighborSettings::new(
            args.neighbors.into(),
            args.dmax.or(args.kmax.is_none().then_some(4.0)),
            args.kmax,
        )?,
        format: match args.format {
            Format::Csv => TableFormat::Csv,
            Format::Parquet => TableFormat::Parquet,
        },
        overwrite: args.batch.overwrite,
        progress: !args.batch.quiet,
    };
    if !args.batch.quiet {
        eprintln!("measuring {} images", images.len());
    }
    let report = measure_batch(&images, &options)?;
    let code = finish(&report, args.batch.quiet);
    if sharded || args.no_table {
        if !args.batch.quiet {
            eprintln!("no combined table; run once more without --shard / --no-table to write it");
        }
    } else {
        // Failed images stay out, also when tables of an earlier run are on disk.
        let measured: Vec<PathBuf> = report
            .outcomes
            .iter()
            .filter(|o| !matches!(o.status, Status::Failed(_)))
            .map(|o| o.input.clone())
            .collect();
        let (table, _) = write_cell_table(&measured, &options)?;
        if !args.batch.quiet {
            eprintln!("wrote {}", table.display());
        }
    }
    Ok(code)
}
