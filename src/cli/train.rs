//! `pixelforest train`: a random forest from labelled crops.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use pixelforest::core::LabelClass;
use pixelforest::features::FeatureSelection;
use pixelforest::forest::ForestSettings;
use pixelforest::ilastik::IlpProject;
use pixelforest::pipeline::{
    classes_from_ilp, collect_images, ilp_training_set, pair_labels, save_model,
    selection_from_ilp, train_from_files, train_from_files_pruned, train_model, train_pruned,
    ProjectSettings,
};

use super::common::init_threads;

/// Train a pixel classifier from labelled crops (replaces ilastik's training).
///
/// Label images are TIFF/PNG/HDF5 maps of a crop's height and width: 0 = unlabeled, 1, 2, 3 ...
/// = the classes in order (default Nuclei, Cytoplasm/membrane, Background, or the classes of
/// the labeling project's pixelforest.json). They are matched to images by name:
/// `<image stem>_labels.png/.tiff/.h5` (as `serve` writes them) or `<image stem>.tiff` (napari,
/// Fiji). Images without labels are skipped.
///
/// Features: those chosen in `serve` (pixelforest.json beside the labels folder), or a preset:
/// `sigma>=1` (every filter at sigma 1, 1.6, 3.5, 5, 10: the workflow's
/// advice), `ilastik` (ilastik's default selection), `all`.
///
/// Example:
///   pixelforest train --images ilastik/ --labels labels/ --features 'sigma>=1' --out classifier.pxf
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Crops or images (files or folders) to train on.
    #[arg(long, num_args = 1.., required_unless_present = "from_ilp")]
    images: Vec<PathBuf>,
    /// Train on the labels and feature selection of an ilastik project instead (its lanes'
    /// raw images are read where the project points, or found by name under --data-dir).
    #[arg(long, conflicts_with = "images")]
    from_ilp: Option<PathBuf>,
    /// Folder holding the raw images of the --from-ilp project.
    #[arg(long, requires = "from_ilp")]
    data_dir: Option<PathBuf>,
    /// Folder of label images.
    #[arg(long, default_value = "labels")]
    labels: PathBuf,
    /// Feature preset: sigma>=1, ilastik or all (default: the selection of the labeling
    /// project's pixelforest.json, else sigma>=1).
    #[arg(long)]
    features: Option<String>,
    /// Class names in label order, comma-separated (default: from pixelforest.json, else
    /// Nuclei,Cytoplasm/membrane,Background).
    #[arg(long, value_delimiter = ',')]
    classes: Option<Vec<String>>,
    /// Model file to write.
    #[arg(long, short = 'o', default_value = "classifier.pxf")]
    out: PathBuf,
    /// Number of trees.
    #[arg(long, default_value_t = ForestSettings::DEFAULT.n_trees)]
    trees: usize,
    /// Maximum tree depth (default: unlimited).
    #[arg(long)]
    max_depth: Option<usize>,
    /// Minimum labelled pixels per leaf.
    #[arg(long, default_value_t = ForestSettings::DEFAULT.min_samples_leaf)]
    min_samples_leaf: usize,
    /// Weight classes inversely to their label counts.
    #[arg(long)]
    balance_classes: bool,
    /// Random seed; with the same seed, inputs and thread count the model is identical.
    #[arg(long, default_value_t = ForestSettings::DEFAULT.seed)]
    seed: u64,
    /// After training, keep only the (family, scale) pairs needed: the fewest, ranked by
    /// permutation importance, whose out-of-bag accuracy is within --prune-tolerance of the full
    /// selection's; `predict` then computes only those filters (`info` shows what was kept).
    #[arg(long)]
    prune: bool,
    /// Accuracy points (out of 100) pruning may lose.
    #[arg(long, default_value_t = 0.5, requires = "prune")]
    prune_tolerance: f64,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_threads(args.jobs)?;
    if let Some(ilp) = &args.from_ilp {
        return train_from_ilp(&args, ilp);
    }
    let project = ProjectSettings::of_labels(&args.labels)?;
    let (selection, features) = match &args.features {
        Some(name) => (FeatureSelection::preset(name)?, format!("{name:?}")),
        None => (project.features.clone(), "of the project".to_string()),
    };
    let classes = match &args.classes {
        Some(names) => {
            let defaults = project.classes.clone();
            names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let color = defaults.get(i).map_or([128, 128, 128], |c| c.color);
                    LabelClass::new(n.trim(), color)
                })
                .collect()
        }
        None => project.classes,
    };
    if !args.labels.is_dir() {
        anyhow::bail!("{}: label folder not found", args.labels.display());
    }
    let images = collect_images(&args.images, None)?;
    let pairing = pair_labels(&images, &args.labels);
    for image in &pairing.unlabeled {
        eprintln!("note: {} has no label image; skipped", image.display());
    }
    let settings = forest_settings(&args);
    eprintln!(
        "training on {} labelled images, features {features} ({} per channel), {} trees",
        pairing.pairs.len(),
        selection.n_features(1),
        settings.n_trees
    );
    let t = Instant::now();
    let model = if args.prune {
        let tolerance = args.prune_tolerance / 100.0;
        train_from_files_pruned(&pairing.pairs, &selection, &classes, &settings, tolerance)?
    } else {
        train_from_files(&pairing.pairs, &selection, &classes, &settings)?
    };
    finish(&args, &model, &classes, t)
}

fn forest_settings(args: &Args) -> ForestSettings {
    ForestSettings {
        n_trees: args.trees,
        max_depth: args.max_depth,
        min_samples_leaf: args.min_samples_leaf.max(1),
        balance_classes: args.balance_classes,
        seed: args.seed,
    }
}

/// `train --from-ilp`: the project's labels, classes and feature selection.
fn train_from_ilp(args: &Args, ilp: &std::path::Path) -> anyhow::Result<ExitCode> {
    let project = IlpProject::open(ilp)?;
    let selection = selection_from_ilp(&project)?;
    let classes = classes_from_ilp(&project);
    let set = ilp_training_set(&project, args.data_dir.as_deref()).map_err(data_dir_hint)?;
    eprintln!(
        "training on {} labelled lanes of {}, its feature selection ({} per channel), {} trees",
        set.len(),
        ilp.display(),
        selection.n_features(1),
        args.trees
    );
    let t = Instant::now();
    let samples: Vec<_> = set.iter().map(|(_, i, l)| (i.clone(), l.clone())).collect();
    let settings = forest_settings(args);
    let mut model = if args.prune {
        let tolerance = args.prune_tolerance / 100.0;
        train_pruned(&samples, &selection, &classes, &settings, tolerance)?.0
    } else {
        train_model(&samples, &selection, &classes, &settings)?
    };
    model.meta.provenance["ilastik_project"] = serde_json::json!(ilp.display().to_string());
    finish(args, &model, &classes, t)
}

fn finish(
    args: &Args,
    model: &pixelforest::pipeline::Model,
    classes: &[LabelClass],
    t: Instant,
) -> anyhow::Result<ExitCode> {
    save_model(model, &args.out)?;
    println!("{:<24} {:>12}", "class", "labelled px");
    if let Some(report) = &model.meta.report {
        for (c, n) in classes.iter().zip(&report.class_counts) {
            println!("{:<24} {:>12}", c.name, n);
        }
        println!("out-of-bag accuracy: {:.4}", report.oob_accuracy);
        // A class without labels still gets a (never chosen) probability channel, which changes
        // the exported maps' channel count downstream steps rely on.
        for (c, _) in classes
            .iter()
            .zip(&report.class_counts)
            .filter(|(_, &n)| n == 0)
        {
            eprintln!(
                "warning: class \"{}\" has no labelled pixels; the model still has a channel for it \
                 (always 0), so exported maps have {} channels: delete the class if it is not wanted",
                c.name,
                classes.len()
            );
        }
    }
    println!(
        "{} features ({} channels), trained in {:.1} s; model written to {}",
        model.forest.n_features(),
        model.meta.channel_names.len(),
        t.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A project's image not found and no `--data-dir` given: say how to point at the images.
fn data_dir_hint(err: pixelforest::pipeline::PipelineError) -> anyhow::Error {
    let hint = matches!(
        err,
        pixelforest::pipeline::PipelineError::Ilastik(pixelforest::ilastik::IlpError::MissingRaw {
            searched: None,
            ..
        })
    );
    let err = anyhow::Error::new(err);
    if hint {
        err.context("an image of the project is not where it was (use --data-dir to say where the images are)")
    } else {
        err
    }
}
