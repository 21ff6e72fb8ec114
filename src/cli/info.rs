//! `pixelforest info`: what a model file holds.

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::ilastik::IlpProject;
use pixelforest::pipeline::{is_hdf5_file, load_model};

/// Show what a model file holds: classes, channels, features, training settings and report.
///
/// For an ilastik project (`.ilp`): its version, lanes and labels, and, when it has a trained
/// forest, what `predict --model project.ilp` would apply. For an IMC `.mcd` file: its slides,
/// panoramas and acquisitions with their sizes and channels; for an IMC `.txt`: its size and
/// channels.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.pxf` model file, an ilastik project (`.ilp`), or an IMC `.mcd` / `.txt` file.
    model: PathBuf,
    /// Print the full metadata as JSON.
    #[arg(long)]
    json: bool,
}

/// Prints an ilastik project's version, lanes and labelled pixels.
fn print_project(project: &IlpProject) {
    println!("project:  {}", project.path.display());
    println!("ilastik:  {}", project.ilastik_version);
    let labelled = project
        .lanes
        .iter()
        .filter(|l| !l.labels.is_empty())
        .count();
    println!("lanes:    {} ({labelled} with labels)", project.lanes.len());
    for lane in &project.lanes {
        let pixels: usize = lane
            .labels
            .iter()
            .map(|p| p.labels.iter().filter(|&&v| v != 0).count())
            .sum();
        println!(
            "  lane {:>3}: {} [{}{}] {pixels} labelled pixels",
            lane.index,
            lane.file_path,
            lane.axes,
            lane.shape
                .as_ref()
                .map(|s| format!(" {s:?}"))
                .unwrap_or_default()
        );
    }
    if project.forest.is_none() {
        println!("forest:   none (train it in ilastik, or use `pixelforest train --from-ilp`)");
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if super::info_imc::is_imc_file(&args.model) {
        super::info_imc::print(&args.model, args.json)?;
        return Ok(ExitCode::SUCCESS);
    }
    if is_hdf5_file(&args.model) {
        let project = IlpProject::open(&args.model)?;
        if !args.json {
            print_project(&project);
        }
        if project.forest.is_none() {
            return Ok(ExitCode::SUCCESS);
        }
    }
    let model = load_model(&args.model)?;
    let meta = &model.meta;
    if args.json {
        println!("{}", serde_json::to_string_pretty(meta)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("model:    {}", args.model.display());
    println!(
        "classes:  {}",
        meta.classes
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} = {}", i + 1, c.name))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "channels: {} ({})",
        meta.channel_names.len(),
        meta.channel_names.join(", ")
    );
    println!("features: {}", model.forest.n_features());
    match model.forest.sub_forests() {
        [] => println!(
            "forest:   {} trees, seed {}",
            model.forest.n_trees(),
            meta.settings.seed
        ),
        subs => println!(
            "forest:   {} trees in {} vigra sub-forests (averaged as ilastik averages them)",
            model.forest.n_trees(),
            subs.len()
        ),
    }
    if let Some(p) = meta.provenance.get("pruning") {
        print_pruning(p);
    }
    if let Some(r) = &meta.report {
        println!(
            "labels:   {:?} per class, out-of-bag accuracy {:.4}",
            r.class_counts, r.oob_accuracy
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What `train --prune` kept, its accuracies, and the speed-up to expect from computing fewer
/// features (filter time grows with the feature count).
fn print_pruning(p: &serde_json::Value) {
    let num = |k: &str| p.get(k).and_then(serde_json::Value::as_f64).unwrap_or(0.0);
    let kept = p
        .get("kept")
        .and_then(|k| k.as_array())
        .cloned()
        .unwrap_or_default();
    println!(
        "pruned:   {} of {} (family, scale) pairs kept, {} of {} features: out-of-bag accuracy \
         {:.4} (full selection {:.4}, tolerance {:.2} points), about {:.1}x fewer features to compute",
        kept.len(),
        num("pairs_before"),
        num("features_after"),
        num("features_before"),
        num("oob_accuracy_pruned"),
        num("oob_accuracy_full"),
        100.0 * num("tolerance"),
        num("features_before") / num("features_after").max(1.0)
    );
    for k in kept {
        if let Some([name, sigma, importance]) = k.as_array().map(Vec::as_slice) {
            println!(
                "            {} sigma {} (importance {:.4})",
                name.as_str().unwrap_or("?"),
                sigma,
                importance.as_f64().unwrap_or(0.0)
            );
        }
    }
}
