//! Command-line parsing and dispatch; all work is done by the `pipeline` layer.

use clap::Parser;

/// Fast pixel classification for imaging mass cytometry (IMC) and other multiplexed tissue images.
#[derive(Debug, Parser)]
#[command(name = "pixelforest", version, about)]
struct Cli {}

pub fn run() -> std::process::ExitCode {
    let _cli = Cli::parse();
    std::process::ExitCode::SUCCESS
}
