//! Test-only: where the fixtures written by the real tools live.
//!
//! Files the real tools wrote (ilastik's test projects and expected outputs, steinbock's and
//! readimc's test data) are public material that this repository does not carry. They are kept
//! in the steering repository's `shared/fixtures/` (a copy sits beside every checkout and CI
//! run, at `../shared/fixtures`), or wherever `PIXELFOREST_REAL_FIXTURES` points. Each folder
//! there has a `PROVENANCE.md` with repository, path, commit and licence.
//!
//! A test that needs one calls [`real_fixture`]; when the file is absent it says so on stderr
//! and returns `None`, so the test reports a skip instead of passing silently.
//!
//! ```
//! // `None` (with a `skipped:` line on stderr) where the fixtures are not installed.
//! if let Some(ilp) = pixelforest_testdata::real_fixture("ilastik/api_projects/PixelClass.ilp") {
//!     assert!(ilp.is_file());
//! }
//! ```

#![warn(missing_docs)]

use std::path::PathBuf;

/// The environment variable that overrides the fixture root.
pub const ENV: &str = "PIXELFOREST_REAL_FIXTURES";

/// The fixture root: `$PIXELFOREST_REAL_FIXTURES`, else `<workspace>/../shared/fixtures`.
#[must_use]
pub fn root() -> PathBuf {
    match std::env::var_os(ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        // crates/testdata -> workspace root -> its parent.
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
    }
}

/// The path of a real-tool fixture (`rel` below [`root`]), or `None` with a `skipped:` line on
/// stderr naming what is missing and where it was looked for.
#[must_use]
pub fn real_fixture(rel: &str) -> Option<PathBuf> {
    let path = root().join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: real-tool fixture {rel} not found under {} (set {ENV})",
            root().display()
        );
        None
    }
}

/// Whether `python3` can import `modules` (comma-separated, as in `import a, b`), for tests
/// that compare with a Python reference. CI installs them (`.ci/run`), so there their absence
/// fails the test (a panic naming them); elsewhere the test says it is skipped and returns.
///
/// # Panics
/// Under the `CI` environment variable, when the modules cannot be imported.
#[must_use]
pub fn python_ready(modules: &str) -> bool {
    let ready = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ready || std::env::var_os("CI").is_none(),
        "CI lacks python3 with {modules}"
    );
    if !ready {
        eprintln!("skipped: python3 with {modules} not found (pip install them)");
    }
    ready
}
