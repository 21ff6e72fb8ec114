//! A batch's outputs, planned before anything is written: two inputs that would write one file
//! (`d1/x.tiff` and `d2/x.tiff` into one `--output-dir`, `y.tif` and `y.tiff`, `a.tiff` and
//! `a_ilastik.tiff`) or an output that would replace an input are refused up front, naming
//! both files. Otherwise the second image silently overwrites the first, or is "skipped" as
//! already done. Planning also removes temporary files that killed runs left in the output
//! folders, and whether an existing output is complete (resume) is decided here too.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Why a batch cannot run as asked; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanConflict {
    /// Two inputs map to the same output file.
    #[error("{first} and {second} would both write {output}; give them different names or output folders")]
    SharedOutput {
        /// One input.
        first: PathBuf,
        /// The other input.
        second: PathBuf,
        /// The output both would write.
        output: PathBuf,
    },
    /// An output of one input is an input of the batch (possibly itself).
    #[error("the output of {by} would overwrite the input {input}; choose another --name or output folder")]
    OutputIsInput {
        /// The input that would be overwritten.
        input: PathBuf,
        /// The input whose output it is.
        by: PathBuf,
    },
    /// A file name that is not valid UTF-8: names derived from it (outputs, channel lists) would
    /// be lossy, so two such names could become one.
    #[error("{0}: the file name is not valid UTF-8; rename the file")]
    NotUtf8(PathBuf),
}

/// A comparable form of `path`: absolute, with its folder resolved through symlinks when it
/// exists, so `out/x.tiff`, `./out/x.tiff` and `/abs/out/x.tiff` are one file.
fn identity(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or(abs),
        _ => abs,
    }
}

/// The outputs of each input, in input order, after checking that no two inputs share an
/// output and that no output is an input. Stale temporary files in the output folders are
/// removed.
///
/// # Errors
/// The first [`PlanConflict`] found.
pub fn plan_outputs(
    inputs: &[PathBuf],
    outputs: impl Fn(&Path) -> Vec<PathBuf>,
) -> Result<Vec<Vec<PathBuf>>, PlanConflict> {
    let mut sources: HashMap<PathBuf, &PathBuf> = HashMap::new();
    for input in inputs {
        if input.file_name().is_some_and(|n| n.to_str().is_none()) {
            return Err(PlanConflict::NotUtf8(input.clone()));
        }
        sources.insert(identity(input), input);
    }
    let mut owner: HashMap<PathBuf, &PathBuf> = HashMap::new();
    let mut planned = Vec::with_capacity(inputs.len());
    for input in inputs {
        let outs = outputs(input);
        for out in &outs {
            let id = identity(out);
            if let Some(source) = sources.get(&id) {
                return Err(PlanConflict::OutputIsInput {
                    input: (*source).clone(),
                    by: input.clone(),
                });
            }
            if let Some(first) = owner.insert(id, input) {
                if first != input {
                    return Err(PlanConflict::SharedOutput {
                        first: first.clone(),
                        second: input.clone(),
                        output: out.clone(),
                    });
                }
            }
        }
        planned.push(outs);
    }
    let folders: BTreeSet<PathBuf> = planned
        .iter()
        .flatten()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    for dir in folders {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        pixelforest_io::remove_stale_temp_files(&dir);
    }
    Ok(planned)
}

/// True when an existing output is complete: it re-reads (every page or chunk decodes) with
/// `(height, width)` pixels and, when given, `channels` channels.
///
/// Why a re-read and no marker: outputs only ever appear under their final name through a
/// rename after an fsync, so a file there was complete when written; what remains to catch is a
/// file damaged or truncated since (or left by another tool or an older version), which is
/// exactly what decoding finds. A 0-byte or truncated file is therefore redone, not skipped.
pub fn is_complete(path: &Path, channels: Option<usize>, height: usize, width: usize) -> bool {
    match pixelforest_io::read_pixels(path) {
        Ok(data) => {
            let (c, h, w) = data.dim();
            h == height && w == width && channels.is_none_or(|want| want == c)
        }
        Err(_) => false,
    }
}
