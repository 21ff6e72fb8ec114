//! `pixelforest info`: what a model file holds.

use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::pipeline::load_model;

/// Show what a model file holds: classes, channels, features, training settings and report.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `.pxf` model file.
    model: PathBuf,
    /// Print the full metadata as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
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
    println!(
        "forest:   {} trees, seed {}",
        meta.settings.n_trees, meta.settings.seed
    );
    if let Some(r) = &meta.report {
        println!(
            "labels:   {:?} per class, out-of-bag accuracy {:.4}",
            r.class_counts, r.oob_accuracy
        );
    }
    Ok(ExitCode::SUCCESS)
}
