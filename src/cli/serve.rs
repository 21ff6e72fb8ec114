//! `pixelforest serve`: the browser labeling UI.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use pixelforest::server::{serve, ServeConfig};

/// Label crops in the browser, train live and see predictions and uncertainty.
///
/// Serves the project folder on http://127.0.0.1:PORT: images in it and in its `ilastik/` and
/// `crops/` subfolders; labels are saved to `labels/<image>_labels.png` (`labels/ilastik/...`
/// for images of `ilastik/`; what `train` reads),
/// classes and settings to `pixelforest.json`, the model to `classifier.pxf`.
///
/// Example:
///   pixelforest serve my_project/ --port 8765
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Project folder.
    #[arg(default_value = ".")]
    project: PathBuf,
    /// Port to listen on.
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// Address to bind (loopback by default: the UI has no authentication).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Do not open a browser.
    #[arg(long)]
    no_open: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.project.is_dir() {
        anyhow::bail!("{}: project folder not found", args.project.display());
    }
    serve(ServeConfig {
        project_dir: args.project,
        addr: SocketAddr::new(args.host, args.port),
        open_browser: !args.no_open,
    })?;
    Ok(ExitCode::SUCCESS)
}
