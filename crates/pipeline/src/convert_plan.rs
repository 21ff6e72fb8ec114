//! `convert`'s plan: which files, which acquisitions, which `.txt` recovers which, and the
//! output names, in steinbock's order and naming (`steinbock/preprocessing/imc.py`,
//! `_cli/imc.py`, commit 848fc5ed).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pixelforest_io::McdFile;

use crate::error::{PipelineError, Result};

/// The `.mcd` and `.txt` files of the inputs (folders searched recursively, hidden files
/// skipped), sorted.
///
/// # Errors
/// An input that does not exist or is neither `.mcd`, `.txt` nor a folder; no files found.
pub fn collect_imc_files(inputs: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut mcd, mut txt) = (Vec::new(), Vec::new());
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut mcd, &mut txt)?;
        } else if !input.is_file() {
            return Err(PipelineError::file(input, "no such file or folder"));
        } else {
            match ext(input).as_str() {
                "mcd" => mcd.push(input.clone()),
                "txt" => txt.push(input.clone()),
                _ => {
                    return Err(PipelineError::file(
                        input,
                        "not an IMC file (expected .mcd or .txt)",
                    ))
                }
            }
        }
    }
    for v in [&mut mcd, &mut txt] {
        v.sort();
        v.dedup();
    }
    if mcd.is_empty() && txt.is_empty() {
        return Err(PipelineError::Invalid(
            "no .mcd or .txt files in the given inputs".into(),
        ));
    }
    Ok((mcd, txt))
}

fn ext(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

fn walk(dir: &Path, mcd: &mut Vec<PathBuf>, txt: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| PipelineError::file(dir, format!("cannot list folder: {e}")))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, mcd, txt)?;
        } else if ext(&path) == "mcd" {
            mcd.push(path);
        } else if ext(&path) == "txt" {
            txt.push(path);
        }
    }
    Ok(())
}

/// Where one output's pixels come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Acquisition { id: i64, recovery: Option<PathBuf> },
    Txt,
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) source: Source,
    pub(crate) output: PathBuf,
}

/// Each input's jobs, or why it cannot be opened.
pub(crate) type Plan = HashMap<PathBuf, std::result::Result<Vec<Job>, String>>;

/// steinbock's order: `.mcd` files by stem, descending, each taking its `.txt` files; then the
/// `.txt` files left, each its own image.
pub(crate) fn plan_jobs(
    opened: &[(PathBuf, std::result::Result<McdFile, String>)],
    txt: &[PathBuf],
    out_dir: &Path,
) -> (Plan, Vec<PathBuf>) {
    let mut order: Vec<&(PathBuf, std::result::Result<McdFile, String>)> = opened.iter().collect();
    order.sort_by_key(|(p, _)| std::cmp::Reverse(stem(p)));
    let mut candidates: Vec<PathBuf> = txt.to_vec();
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut duplicates = 0usize;
    let mut name = |base: String| {
        let n = taken.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            out_dir.join(format!("{base}.tiff"))
        } else {
            duplicates += 1;
            out_dir.join(format!("DUPLICATE{duplicates:03}_{base}.tiff"))
        }
    };
    let mut plan = Plan::new();
    let mut inputs = Vec::new();
    for (path, file) in order {
        inputs.push(path.clone());
        let Ok(file) = file else {
            plan.insert(
                path.clone(),
                Err(file.as_ref().err().cloned().unwrap_or_default()),
            );
            continue;
        };
        let mut jobs = Vec::new();
        for acq in file.acquisitions() {
            let recovery = match_txt(path, acq.id, &candidates);
            if let Some(r) = &recovery {
                candidates.retain(|c| c != r);
            }
            let output = name(format!("{}_{:03}", stem(path), acq.id));
            jobs.push(Job {
                source: Source::Acquisition {
                    id: acq.id,
                    recovery,
                },
                output,
            });
        }
        plan.insert(path.clone(), Ok(jobs));
    }
    for t in candidates {
        let output = name(stem(&t));
        inputs.push(t.clone());
        plan.insert(
            t,
            Ok(vec![Job {
                source: Source::Txt,
                output,
            }]),
        );
    }
    (plan, inputs)
}

pub(crate) fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The one `.txt` named `<mcd stem>..._0*<id>.txt` (steinbock's `_match_txt_file`); none if
/// several match.
fn match_txt(mcd: &Path, id: i64, candidates: &[PathBuf]) -> Option<PathBuf> {
    let prefix = stem(mcd);
    let id = id.to_string();
    let matches: Vec<&PathBuf> = candidates
        .iter()
        .filter(|c| {
            let s = stem(c);
            let Some(rest) = s.strip_prefix(&prefix) else {
                return false;
            };
            let Some(head) = rest.strip_suffix(id.as_str()) else {
                return false;
            };
            head.trim_end_matches('0').ends_with('_')
        })
        .collect();
    (matches.len() == 1).then(|| matches[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Matches as steinbock's `re.match(rf"{stem}.*_0*{id}.txt", name)` does on these names
    /// (Python 3.11): id 1 -> ROI_001_1 and x_0001 (ambiguous: none), 2 -> ROI_002_2 and
    /// slide_2 (ambiguous), 10 -> ROI_010_10, 12 -> slide_12.
    #[test]
    fn txt_matching_follows_steinbocks_pattern() {
        let names = [
            "slide_ROI_001_1.txt",
            "slide_ROI_002_2.txt",
            "slide_2.txt",
            "slide_12.txt",
            "slide_ROI_010_10.txt",
            "other_1.txt",
            "slide_x_0001.txt",
        ];
        let candidates: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        let mcd = Path::new("raw/slide.mcd");
        assert_eq!(match_txt(mcd, 1, &candidates), None);
        assert_eq!(match_txt(mcd, 2, &candidates), None);
        let one = |id| match_txt(mcd, id, &candidates).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(one(10).as_deref(), Some("slide_ROI_010_10.txt"));
        assert_eq!(one(12).as_deref(), Some("slide_12.txt"));
        let single = vec![PathBuf::from("slide_ROI_001_1.txt")];
        assert_eq!(match_txt(mcd, 1, &single), Some(single[0].clone()));
    }

    #[test]
    fn a_second_image_of_the_same_name_gets_steinbocks_duplicate_prefix() {
        let out = Path::new("img");
        let (plan, inputs) = plan_jobs(
            &[],
            &[PathBuf::from("a/x.txt"), PathBuf::from("b/x.txt")],
            out,
        );
        let names: Vec<PathBuf> = inputs
            .iter()
            .flat_map(|i| {
                plan[i]
                    .as_ref()
                    .expect("jobs")
                    .iter()
                    .map(|j| j.output.clone())
            })
            .collect();
        assert_eq!(names, [out.join("x.tiff"), out.join("DUPLICATE001_x.tiff")]);
    }
}
