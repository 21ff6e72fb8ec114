//! ilastik's export file names (ilastik commit ebbaf9b9: `opDataExport.py`
//! `DataExportPathFormatter`, lazyflow `opExportSlot.py` `_get_export_path`,
//! `format_known_keys.py`, `DatasetInfo.create_nickname`).

use std::path::{Path, PathBuf};

use crate::project::split_internal_path;

/// The export's file name for an input, as ilastik forms it: `--output_filename_format` with
/// `{dataset_dir}` (the input's folder, absolute), `{nickname}` and `{result_type}` filled in,
/// its extension replaced by `extension` (`tiff`, `h5`), relative paths taken from `cwd`.
/// Returns the path and the placeholders left unfilled (ilastik's per-region keys such as
/// `{roi}` or `{slice_index}`), which the caller may refuse.
#[must_use]
pub fn export_path(
    template: &str,
    input: &str,
    result_type: &str,
    extension: &str,
    cwd: &Path,
) -> (PathBuf, Vec<String>) {
    let external = split_internal_path(input).0;
    let dir = Path::new(&external).parent().unwrap_or(Path::new(""));
    let dataset_dir = cwd.join(dir);
    let known = [
        ("dataset_dir", dataset_dir.to_string_lossy().into_owned()),
        ("nickname", nickname(input).replace('*', "")),
        ("result_type", result_type.to_string()),
    ];
    let (formatted, unknown) = format_known_keys(template, &known);
    let path = format!("{}.{extension}", strip_extension(&formatted));
    (cwd.join(path), unknown)
}

/// ilastik's dataset nickname (`DatasetInfo.create_nickname`): the file name without its last
/// extension, then `-` and the internal path with `/` as `-`: `ilastik_img/a.h5/img` -> `a-img`.
#[must_use]
pub fn nickname(input: &str) -> String {
    let (external, internal) = split_internal_path(input);
    let name = Path::new(&external)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = strip_extension(&name).to_string();
    match internal.as_deref().map(|p| p.trim_start_matches('/')) {
        Some(p) if !p.is_empty() => format!("{base}-{}", p.replace('/', "-")),
        _ => base,
    }
}

/// Python's `os.path.splitext(p)[0]`: drops the last `.ext` of the final component (leading
/// dots of a hidden name do not count).
fn strip_extension(p: &str) -> &str {
    let start = p.rfind('/').map_or(0, |i| i + 1);
    let name = &p[start..];
    let lead = name.len() - name.trim_start_matches('.').len();
    match name[lead..].rfind('.') {
        Some(dot) => &p[..start + lead + dot],
        None => p,
    }
}

/// lazyflow's `format_known_keys`: fills `{key}` fields from `known`, keeps unknown fields
/// as written (returned by name), and turns `{{`/`}}` into braces.
fn format_known_keys(template: &str, known: &[(&str, String)]) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut unknown = Vec::new();
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '}']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        match (tail.starts_with('{'), tail.find('}')) {
            (true, Some(end)) => {
                let field = &tail[1..end];
                match known.iter().find(|(k, _)| *k == field) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        unknown.push(field.to_string());
                        out.push_str(&tail[..=end]);
                    }
                }
                rest = &tail[end + 1..];
            }
            _ => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    (out, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_follow_ilastik() {
        let cwd = Path::new("/work");
        assert_eq!(nickname("ilastik_img/a_001.h5/img"), "a_001-img");
        assert_eq!(nickname("d/x_s2.h5"), "x_s2");
        assert_eq!(nickname("d/x.h5/volume/data"), "x-volume-data");
        assert_eq!(nickname("d/a.ome.tiff"), "a.ome");
        // steinbock: the file it later renames to ilastik_probabilities/a_001.tiff.
        let (p, unknown) = export_path(
            "ilastik_probabilities/{nickname}.tiff",
            "ilastik_img/a_001.h5/img",
            "Probabilities",
            "tiff",
            cwd,
        );
        assert_eq!(
            p,
            PathBuf::from("/work/ilastik_probabilities/a_001-img.tiff")
        );
        assert!(unknown.is_empty());
        // ilastik's default pattern; the extension is the format's.
        let (p, _) = export_path(
            "{dataset_dir}/{nickname}_{result_type}",
            "tiff/x_s2.h5",
            "Probabilities",
            "h5",
            cwd,
        );
        assert_eq!(p, PathBuf::from("/work/tiff/x_s2_Probabilities.h5"));
        // splitext replaces the last extension, even a dot inside the nickname (ilastik's quirk).
        let (p, _) = export_path("out/{nickname}", "a.b.tiff", "P", "tiff", cwd);
        assert_eq!(p, PathBuf::from("/work/out/a.tiff"));
        let (p, unknown) = export_path("out/{nickname}_{slice_index}", "a.tiff", "P", "tiff", cwd);
        assert_eq!(p, PathBuf::from("/work/out/a_{slice_index}.tiff"));
        assert_eq!(unknown, ["slice_index"]);
        let (p, _) = export_path("/abs/{{x}}{nickname}.tif", "a.tiff", "P", "tiff", cwd);
        assert_eq!(p, PathBuf::from("/abs/{x}a.tiff"));
    }
}
