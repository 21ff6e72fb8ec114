//! Command-line parsing and dispatch; all work is done by the `pipeline` layer (and `server`).

mod common;
mod convert;
mod demo;
mod features;
mod headless;
mod ilp;
mod info;
mod info_imc;
mod measure;
mod predict;
mod prepare;
mod segment;
mod segment_settings;
mod serve;
mod suggest;
mod synth;
mod train;
mod uncertainty;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Fast pixel classification for imaging mass cytometry (IMC) and other multiplexed tissue images.
///
/// pixelforest replaces the CellProfiler -> ilastik -> probability export stage of the IMC
/// segmentation workflow: prepare the stacks, label crops, train a random forest on ilastik's
/// filter features, and export per-pixel probabilities and uncertainty maps for every image.
///
/// Typical run:
///   pixelforest convert raw/ --out img/               (.mcd/.txt -> TIFF + panel.csv)
///   pixelforest prepare tiff/ --out tiff/ --crops ilastik/
///   pixelforest serve .                      (label the crops in the browser)
///   pixelforest train --images ilastik/ --labels labels/ --out classifier.pxf
///   pixelforest predict --model classifier.pxf tiff/ --output-dir ilastik/ --uncertainty
///
/// Try it on built-in synthetic data: pixelforest demo
#[derive(Debug, Parser)]
#[command(name = "pixelforest", version, about, long_about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Demo(demo::Args),
    Synth(synth::Args),
    Convert(convert::Args),
    Prepare(prepare::Args),
    Serve(serve::Args),
    Train(train::Args),
    Predict(predict::Args),
    Segment(segment::Args),
    Uncertainty(uncertainty::Args),
    Suggest(suggest::Args),
    Measure(measure::Args),
    Features(features::Args),
    Info(info::Args),
    Ilp(ilp::Args),
    Headless(headless::Args),
}

/// Parses the command line, runs the command, and maps failures to exit status 1 (2 for usage
/// errors, from clap).
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Prepare(a) => prepare::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Train(a) => train::run(a),
        Command::Predict(a) => predict::run(a),
        Command::Segment(a) => segment::run(a),
        Command::Uncertainty(a) => uncertainty::run(a),
        Command::Suggest(a) => suggest::run(a),
        Command::Measure(a) => measure::run(a),
        Command::Features(a) => features::run(a),
        Command::Info(a) => info::run(a),
        Command::Ilp(a) => ilp::run(a),
        Command::Headless(a) => headless::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
