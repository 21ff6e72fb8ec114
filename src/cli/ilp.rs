//! `pixelforest ilp`: labels to and from ilastik projects.

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::features::FeatureSelection;
use pixelforest::ilastik::{IlastikVersion, IlpProject};
use pixelforest::pipeline::{collect_images, export_ilp, import_ilp, pair_labels, project_classes};

/// Exchange labels with ilastik projects (.ilp).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Import(ImportArgs),
    Export(ExportArgs),
}

/// Write an ilastik project's labels as label images (`<image>_labels.tiff`) plus its classes
/// (`pixelforest.json`), for `train --labels` and `serve`.
///
/// Example:
///   pixelforest ilp import project.ilp --out labels/
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct ImportArgs {
    /// The ilastik Pixel Classification project.
    project: PathBuf,
    /// Folder for the label images.
    #[arg(long, short = 'o', default_value = "labels")]
    out: PathBuf,
}

/// Write our labels and feature selection into a new ilastik project that ilastik opens with
/// the labels in place (lanes point at the images: relative to the project file when under its
/// folder, else absolute; each lane described as its file stores it).
///
/// Example:
///   pixelforest ilp export --images ilastik/ --labels labels/ --features 'sigma>=1' --out labels.ilp
///   pixelforest ilp export --images ilastik_img/ --labels labels/ --out labels.ilp --ilastik-version 1.3
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct ExportArgs {
    /// Crops or images (files or folders) that have label images.
    #[arg(long, required = true, num_args = 1..)]
    images: Vec<PathBuf>,
    /// Folder of label images.
    #[arg(long, default_value = "labels")]
    labels: PathBuf,
    /// Feature preset written as the project's feature selection.
    #[arg(long, default_value = pixelforest::features::DEFAULT_PRESET)]
    features: String,
    /// Project file to write.
    #[arg(long, short = 'o')]
    out: PathBuf,
    /// The ilastik release that will open the project: 1.4, or 1.3 (1.3.3post3, as steinbock
    /// ships; the project then opens in 1.4 too).
    #[arg(long, value_enum, default_value_t = IlastikRelease::V14)]
    ilastik_version: IlastikRelease,
}

/// ilastik releases a project can be written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum IlastikRelease {
    #[value(name = "1.4")]
    V14,
    #[value(name = "1.3")]
    V13,
}

impl From<IlastikRelease> for IlastikVersion {
    fn from(r: IlastikRelease) -> Self {
        match r {
            IlastikRelease::V14 => IlastikVersion::V1_4,
            IlastikRelease::V13 => IlastikVersion::V1_3,
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Import(a) => {
            let project = IlpProject::open(&a.project)?;
            let written = import_ilp(&project, &a.out)?;
            for p in &written {
                println!("{}", p.display());
            }
            eprintln!(
                "imported labels of {} lanes ({} classes: {}) into {}",
                written.len(),
                project.label_names.len(),
                project.label_names.join(", "),
                a.out.display()
            );
        }
        Command::Export(a) => {
            let selection = FeatureSelection::preset(&a.features)?;
            let classes = project_classes(&a.labels)?;
            let images = collect_images(&a.images, None)?;
            let pairing = pair_labels(&images, &a.labels);
            if pairing.pairs.is_empty() {
                anyhow::bail!("no image has a label image in {}", a.labels.display());
            }
            let version = IlastikVersion::from(a.ilastik_version);
            export_ilp(&pairing.pairs, &classes, &selection, &a.out, version)?;
            eprintln!(
                "wrote {} with {} labelled lanes for ilastik {}",
                a.out.display(),
                pairing.pairs.len(),
                version.stamp()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
