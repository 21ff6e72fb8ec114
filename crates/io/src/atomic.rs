//! Write-then-rename, so an interrupted or failed write never leaves a half-written output.
//!
//! The temporary file is created exclusively (`O_EXCL`, so a symlink or file planted at its name
//! is never followed or reused) under a random name in the output's own folder (so the rename
//! stays on one file system and is atomic there). The data is fsynced before the rename and the
//! folder after it, so after a crash a file under its final name is complete. Temporary names
//! carry the writer's process id and host name, which lets a later run remove those of dead
//! processes on its own host (cluster jobs of other hosts may share the folder: their files are
//! only removed once a day old).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::error::{format_err, io_err, IoError, Result};

/// Marks the end of every temporary name; with the owner before it (`.pf<pid>@<host>-`), it is
/// what [`remove_stale_temp_files`] recognises.
const TEMP_SUFFIX: &str = ".tmp";
/// Temporary files of processes that are gone, or (where liveness cannot be checked) older than
/// this, are stale.
const STALE_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Runs `write` on a fresh temporary file beside `path`, fsyncs it, renames it into place and
/// fsyncs the folder; on error the temporary file is removed and the error names `path`.
///
/// # Errors
/// The writer's error, or the failure to create, sync or rename the temporary file.
pub fn atomic_write<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    let pending = PendingFile::create(path)?;
    write(pending.temp_path()).map_err(|e| rename_path(e, pending.temp_path(), path))?;
    pending.commit()
}

/// An output being written under its temporary name, for writers that fill it piece by piece
/// (band after band) and cannot hand [`atomic_write`] one closure: [`PendingFile::commit`]
/// fsyncs and renames it into place; dropping it uncommitted removes it.
#[derive(Debug)]
pub(crate) struct PendingFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl PendingFile {
    /// Creates the exclusive temporary file beside `path`.
    ///
    /// # Errors
    /// When `path` has no file name or the temporary file cannot be created.
    pub(crate) fn create(path: &Path) -> Result<Self> {
        let Some(name) = path.file_name() else {
            return Err(format_err(path, "output path has no file name"));
        };
        let dir = folder_of(path);
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(format!(".pf{}@{}-", std::process::id(), host_name()));
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(&dir)
            .map_err(|e| io_err(path, e))?;
        Ok(Self {
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// The temporary file to write.
    pub(crate) fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// The final name.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Fsyncs the temporary file, renames it to the final name and fsyncs the folder.
    ///
    /// # Errors
    /// When the temporary file was replaced, or cannot be synced or renamed.
    pub(crate) fn commit(self) -> Result<()> {
        let path = self.path;
        let meta = std::fs::symlink_metadata(self.tmp.path()).map_err(|e| io_err(&path, e))?;
        if !meta.is_file() {
            return Err(format_err(
                &path,
                "the temporary file was replaced by something else while it was written",
            ));
        }
        std::fs::File::open(self.tmp.path())
            .and_then(|f| f.sync_all())
            .map_err(|e| io_err(&path, e))?;
        self.tmp
            .persist(&path)
            .map_err(|e| io_err(&path, e.error))?;
        let dir = folder_of(&path);
        sync_dir(&dir).map_err(|e| io_err(&dir, e))
    }
}

/// The folder an output goes into (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Makes a rename durable: the folder's entry is flushed too (a no-op where folders cannot be
/// opened, as on Windows).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// An error about the temporary file is reported about the output the user asked for.
pub(crate) fn rename_path(err: IoError, tmp: &Path, path: &Path) -> IoError {
    match err {
        IoError::Io { path: p, source } if p == tmp => io_err(path, source),
        IoError::Format { path: p, message } if p == tmp => format_err(path, message),
        other => other,
    }
}

/// This machine's name as it appears in temporary names: letters, digits, `-` and `.` only
/// (empty where it cannot be read).
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .take(64)
        .collect()
}

/// The process id and host in a temporary name written by [`atomic_write`]
/// (`.<name>.pf<pid>@<host>-<rand>.tmp`) or by earlier versions (`.<name>.tmp-<pid>`, this
/// host); `None` for any other name.
fn temp_owner(name: &OsStr) -> Option<(u32, Option<String>)> {
    let name = name.to_str()?;
    if !name.starts_with('.') {
        return None;
    }
    if let Some(rest) = name.strip_suffix(TEMP_SUFFIX) {
        let (_, tail) = rest.rsplit_once(".pf")?;
        let (owner, _) = tail.rsplit_once('-')?;
        let (pid, host) = owner.split_once('@')?;
        return Some((pid.parse().ok()?, Some(host.to_string())));
    }
    let (_, pid) = name.rsplit_once(".tmp-")?;
    Some((pid.parse().ok()?, None))
}

/// True when process `pid` is known to be gone.
fn process_gone(pid: u32) -> Option<bool> {
    let proc_root = Path::new("/proc/self");
    if !proc_root.exists() {
        return None;
    }
    Some(!Path::new("/proc").join(pid.to_string()).exists())
}

/// Removes the temporary files that interrupted runs left in `dir`: those of processes of this
/// host that no longer run, and any older than a day (other hosts' jobs, or where liveness
/// cannot be told). Returns how many were removed. A folder that cannot be listed has none.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let me = std::process::id();
    let here = host_name();
    let mut removed = 0;
    for entry in entries.flatten() {
        let Some((pid, host)) = temp_owner(&entry.file_name()) else {
            continue;
        };
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let local = host.is_none_or(|h| h == here);
        if (local && pid == me) || !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AGE);
        let stale = old || (local && process_gone(pid).unwrap_or(false));
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_tell_their_owner() {
        assert_eq!(
            temp_owner(OsStr::new(".a-b.tiff.pf123@node-7.lan-Xy9aB2.tmp")),
            Some((123, Some("node-7.lan".into())))
        );
        assert_eq!(temp_owner(OsStr::new(".a.tiff.tmp-77")), Some((77, None)));
        assert_eq!(temp_owner(OsStr::new("a.tiff")), None);
        assert_eq!(temp_owner(OsStr::new(".hidden.tmp")), None);
    }
}
