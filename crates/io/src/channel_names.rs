//! Channel names for a stack, in order of precedence: a `<stem>.csv` beside it (the reference
//! workflow's `<name>_ilastik.csv`), OME-XML names, a `panel.csv` in the same folder or its
//! parent, else generated `ch0`, `ch1`, ...

use std::path::{Path, PathBuf};

use crate::error::{format_err, io_err, Result};
use crate::ome::ome_channel_names;
pub use crate::panel::read_panel;

/// Words that mark the first row of a one-column channel list as a header, not a channel.
const HEADER_WORDS: &[&str] = &[
    "channel",
    "channels",
    "name",
    "names",
    "target",
    "metal tag",
    "metal",
    "0",
];

/// The file name without its image extension(s): `a_ilastik.tiff` -> `a_ilastik`,
/// `a.ome.tiff` -> `a`.
pub fn image_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_lowercase();
    for ext in [
        ".ome.tiff",
        ".ome.tif",
        ".tiff",
        ".tif",
        ".hdf5",
        ".h5",
        ".png",
    ] {
        if lower.ends_with(ext) {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or(name)
}

/// Resolves `n` channel names for the image at `path` whose TIFF description (if any) is
/// `description`. A CSV that exists but lists a different number of channels is an error
/// naming the CSV and both counts.
pub fn resolve_channel_names(
    path: &Path,
    n: usize,
    description: Option<&str>,
) -> Result<Vec<String>> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let sidecar = dir.join(format!("{}.csv", image_stem(path)));
    if sidecar.is_file() {
        let names = read_channel_list(&sidecar)?;
        if names.len() != n {
            return Err(count_mismatch(&sidecar, names.len(), path, n));
        }
        return Ok(names);
    }
    if let Some(names) = description.and_then(ome_channel_names) {
        if names.len() == n {
            return Ok(names);
        }
    }
    let mut panels: Vec<PathBuf> = vec![dir.join("panel.csv")];
    if let Some(parent) = dir.parent() {
        panels.push(parent.join("panel.csv"));
    }
    if let Some(panel) = panels.into_iter().find(|p| p.is_file()) {
        return read_panel(&panel, n, path);
    }
    Ok(pixelforest_core::generated_channel_names(n))
}

fn count_mismatch(csv: &Path, listed: usize, image: &Path, n: usize) -> crate::IoError {
    format_err(
        csv,
        format!("lists {listed} channels but {} has {n}", image.display()),
    )
}

fn csv_rows(path: &Path) -> Result<Vec<Vec<String>>> {
    let text = std::fs::read(path).map_err(|e| io_err(path, e))?;
    parse_csv_rows(path, &text, b',')
}

/// The non-blank rows of CSV `text` (read from `path`, named in errors), cells trimmed and
/// without a byte-order mark: how every channel list and panel is read.
pub(crate) fn parse_csv_rows(path: &Path, text: &[u8], delimiter: u8) -> Result<Vec<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(text);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format_err(path, format!("malformed CSV: {e}")))?;
        let row: Vec<String> = record
            .iter()
            .map(|f| f.trim_start_matches('\u{feff}').to_string())
            .collect();
        if row.iter().any(|f| !f.is_empty()) {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Reads a channel list: one name per row (first column), an optional header row skipped; if
/// the header names a `name`/`Target`/`channel` column, that column is used.
pub fn read_channel_list(path: &Path) -> Result<Vec<String>> {
    let rows = csv_rows(path)?;
    let Some(first) = rows.first() else {
        return Err(format_err(path, "channel list is empty"));
    };
    let lower: Vec<String> = first.iter().map(|f| f.to_lowercase()).collect();
    let column = ["name", "target", "channel", "metal tag"]
        .iter()
        .find_map(|k| lower.iter().position(|f| f == k));
    let (skip, col) = match column {
        Some(col) if first.len() > 1 => (1, col),
        _ => (usize::from(HEADER_WORDS.contains(&lower[0].as_str())), 0),
    };
    Ok(rows
        .iter()
        .skip(skip)
        .map(|r| r.get(col).cloned().unwrap_or_default())
        .collect())
}
