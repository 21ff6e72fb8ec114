//! Running the server: bind, announce, optionally open the browser, serve until killed.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::project_error::ProjectError;
use crate::routes::router;
use crate::state::AppState;

/// How `pixelforest serve` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// The project folder (images, labels, settings, model).
    pub project_dir: PathBuf,
    /// Loopback by default: the API reads and writes the project folder without authentication.
    pub addr: SocketAddr,
    /// Open the page in the default browser once listening.
    pub open_browser: bool,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            project_dir: PathBuf::from("."),
            addr: SocketAddr::from(([127, 0, 0, 1], 8765)),
            open_browser: true,
        }
    }
}

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The project folder or its settings could not be opened.
    #[error("project: {0}")]
    Project(#[from] ProjectError),
    /// The address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The runtime or the listener failed while serving.
    #[error("server: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Serves the labeling UI for `config.project_dir`; blocks until the process is stopped.
pub fn serve(config: ServeConfig) -> Result<(), ServerError> {
    let state = AppState::new(&config.project_dir).map_err(ServerError::Project)?;
    if !config.addr.ip().is_loopback() {
        eprintln!(
            "WARNING: listening on {} (not loopback): anyone who can reach this address can read your \
             images and overwrite labels and models in {}. Use 127.0.0.1 unless you trust the network.",
            config.addr,
            config.project_dir.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}/");
        println!(
            "pixelforest: labeling {} at {url} (Ctrl+C to stop)",
            config.project_dir.display()
        );
        if config.open_browser {
            open_browser(&url);
        }
        axum::serve(listener, router(state)).await?;
        Ok(())
    })
}

/// Best effort: a missing browser is not an error, the URL is printed anyway.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(command)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("pixelforest: could not open a browser ({command}: {e}); open {url} yourself");
    }
}
