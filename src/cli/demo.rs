//! `pixelforest demo`: the whole stage on built-in synthetic data.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use pixelforest::features::DEFAULT_PRESET;
use pixelforest::forest::ForestSettings;
use pixelforest::pipeline::{run_demo, DemoOptions, DemoReport};

use super::common::init_threads;

/// Run the whole workflow on built-in synthetic IMC data and score it against ground truth.
///
/// synth -> prepare -> train on synthetic scribbles -> predict -> uncertainty -> segment; then
/// prints pixel accuracy and per-class F1 against the generator's ground truth, nucleus and cell
/// detection F1 (IoU >= 0.5) against its instances, time per step and Mpx/s.
/// All files are left in the output folder to look at (same layout as a real project).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Output folder.
    #[arg(long, default_value = "demo-out")]
    out: PathBuf,
    /// Synthetic acquisitions (the first is labelled; all are predicted).
    #[arg(long, default_value_t = 2)]
    images: usize,
    /// Raw acquisition edge in pixels (prepared images are twice as large).
    #[arg(long, default_value_t = 300)]
    size: usize,
    /// Feature preset.
    #[arg(long, default_value = DEFAULT_PRESET)]
    features: String,
    /// Trees in the forest.
    #[arg(long, default_value_t = ForestSettings::DEFAULT.n_trees)]
    trees: usize,
    /// Seed of the data and the forest.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    jobs: Option<usize>,
    /// No progress bars.
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_threads(args.jobs)?;
    if args.size < 32 {
        anyhow::bail!("--size must be at least 32");
    }
    let t = Instant::now();
    let report = run_demo(&DemoOptions {
        out_dir: args.out.clone(),
        n_images: args.images.max(1),
        size: args.size,
        seed: args.seed,
        features: args.features.clone(),
        n_trees: args.trees,
        progress: !args.quiet,
    })?;
    println!("pixelforest demo in {}", args.out.display());
    println!();
    print_steps(&report);
    println!();
    print_training(&report);
    println!();
    print_scores(&report);
    println!();
    print_detection(&report);
    println!();
    print_outputs(&report);
    println!("total {:.1} s", t.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// Time and throughput per step.
fn print_steps(report: &DemoReport) {
    println!(
        "{:<24} {:>9} {:>10} {:>9}",
        "step", "seconds", "megapix", "Mpx/s"
    );
    for s in &report.steps {
        let secs = s.elapsed.as_secs_f64();
        println!(
            "{:<24} {:>9.2} {:>10.2} {:>9.2}",
            s.name,
            secs,
            s.megapixels,
            if secs > 0.0 { s.megapixels / secs } else { 0.0 }
        );
    }
}

/// What the forest was trained on and its out-of-bag accuracy.
fn print_training(report: &DemoReport) {
    println!(
        "trained on {} labelled pixels ({}), {} features; out-of-bag accuracy {}",
        report.labelled_pixels.iter().sum::<usize>(),
        report
            .class_names
            .iter()
            .zip(&report.labelled_pixels)
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        report.n_features,
        report
            .oob_accuracy
            .map_or_else(|| "-".into(), |a| format!("{a:.4}"))
    );
}

/// Pixel accuracy and per-class F1 of each image against the generator's classes.
fn print_scores(report: &DemoReport) {
    let header: String = report
        .class_names
        .iter()
        .map(|c| format!(" {:>12}", format!("F1 {}", short(c))))
        .collect();
    println!(
        "{:<24} {:>9}{header}",
        "image (vs ground truth)", "accuracy"
    );
    for (name, s, trained) in &report.scores {
        let label = format!(
            "{name}{}",
            if *trained { " (train)" } else { " (held out)" }
        );
        let f1: String = s.f1.iter().map(|f| format!(" {f:>12.4}")).collect();
        println!("{label:<24} {:>9.4}{f1}", s.accuracy);
    }
}

/// Nucleus and cell detection against the generator's instances.
fn print_detection(report: &DemoReport) {
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>10}",
        "segment (vs instances)", "nuclei", "F1 nuclei", "cells", "F1 cells"
    );
    for d in &report.detection {
        println!(
            "{:<24} {:>10} {:>10.4} {:>10} {:>10.4}",
            d.name,
            format!("{}/{}", d.nuclei.predicted, d.nuclei.reference),
            d.nuclei.f1(),
            format!("{}/{}", d.cells.predicted, d.cells.reference),
            d.cells.f1()
        );
    }
}

/// The files the demo wrote.
fn print_outputs(report: &DemoReport) {
    println!("model: {}", report.model.display());
    for p in &report.probabilities {
        println!("probabilities: {}", p.display());
    }
    for d in &report.detection {
        println!("cell mask: {}", d.mask.display());
    }
    println!(
        "cells: {} ({} cells)",
        report.cells.0.display(),
        report.cells.1
    );
}

fn short(class: &str) -> &str {
    class.split('/').next().unwrap_or(class)
}
