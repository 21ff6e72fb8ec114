//! Serves a project folder without the CLI: `cargo run -p pixelforest-server --example serve_dir -- <dir> [port]`.

use std::net::SocketAddr;
use std::path::PathBuf;

use pixelforest_server::{serve, ServeConfig};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: serve_dir <project-dir> [port]");
        return std::process::ExitCode::FAILURE;
    };
    let port = args.next().and_then(|p| p.parse().ok()).unwrap_or(8765);
    let config = ServeConfig {
        project_dir: PathBuf::from(dir),
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        open_browser: false,
    };
    match serve(config) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_dir: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
