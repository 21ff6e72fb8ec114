//! Write-then-rename, so an interrupted or failed write never leaves a half-written output.

use std::path::{Path, PathBuf};

use crate::error::{format_err, io_err, Result};

/// The temporary name used for `path` while it is written: `.<file>.tmp-<pid>` in the same
/// directory, so the final rename stays on one file system (and is atomic there).
pub fn temp_path_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    let tmp = format!(".{name}.tmp-{}", std::process::id());
    match path.parent() {
        Some(dir) => dir.join(tmp),
        None => PathBuf::from(tmp),
    }
}

/// Runs `write` on a temporary path beside `path`, then renames it into place; on error the
/// temporary file is removed, so no half-written output is ever left under the final name.
pub fn atomic_write<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    if path.file_name().is_none() {
        return Err(format_err(path, "output path has no file name"));
    }
    let tmp = temp_path_for(path);
    let result =
        write(&tmp).and_then(|()| std::fs::rename(&tmp, path).map_err(|e| io_err(path, e)));
    if result.is_err() {
        // Best effort: the write may have failed before creating the file.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
