//! Which probability maps `segment` reads and what it names the masks, per reference layout.
//!
//! - ImcSegmentationPipeline (`2_segment_ilastik.cppipe`): NamesAndTypes takes the files
//!   ending in `_Probabilities.tiff`; SaveImages names the cell mask after the probability
//!   file with the suffix `_mask` (`<name>_s2_Probabilities_mask.tiff`).
//! - steinbock (`segment cellprofiler`): every file of `ilastik_probabilities/`; the mask keeps
//!   the image's name (`masks/<name>.tiff`).
//!
//! Neither pipeline saves nuclei; asked for, they get the cell mask's name in their own folder.

use std::path::{Path, PathBuf};

use crate::error::{PipelineError, Result};
use crate::inputs::{folder_files, is_image_file, STEINBOCK_PROBABILITIES};

/// The reference whose names (and, in the CLI, default settings) `segment` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskLayout {
    /// ImcSegmentationPipeline.
    Isp,
    /// steinbock.
    Steinbock,
}

/// ImcSegmentationPipeline's probability suffix, matched without regard to case.
const ISP_SUFFIX: &str = "_probabilities.tiff";

impl MaskLayout {
    /// steinbock when every input lies in a folder named `ilastik_probabilities`, else ISP.
    #[must_use]
    pub fn detect(inputs: &[PathBuf]) -> Self {
        let in_steinbock = |p: &PathBuf| {
            let dir = if p.is_dir() {
                Some(p.as_path())
            } else {
                p.parent()
            };
            dir.and_then(Path::file_name)
                .is_some_and(|n| n == STEINBOCK_PROBABILITIES)
        };
        if !inputs.is_empty() && inputs.iter().all(in_steinbock) {
            Self::Steinbock
        } else {
            Self::Isp
        }
    }

    /// The mask file name for probability map `input`.
    #[must_use]
    pub fn mask_name(self, input: &Path) -> String {
        let stem = pixelforest_io::image_stem(input);
        match self {
            Self::Isp => format!("{stem}_mask.tiff"),
            Self::Steinbock => format!("{stem}.tiff"),
        }
    }

    /// Expands files and folders into the sorted probability maps to segment. A folder gives
    /// its `*_Probabilities.tiff` files (ISP) or, when it has none, all its TIFFs except
    /// uncertainty maps (steinbock); a file named on the command line is always taken.
    ///
    /// # Errors
    /// An input that does not exist, or a folder without probability maps.
    pub fn collect(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for input in inputs {
            if input.is_file() {
                out.push(input.clone());
            } else if input.is_dir() {
                let found = list_probabilities(input)?;
                if found.is_empty() {
                    return Err(PipelineError::file(
                        input,
                        "no probability maps found in this folder (expected *_Probabilities.tiff or .tiff files)",
                    ));
                }
                out.extend(found);
            } else {
                return Err(PipelineError::file(input, "no such file or folder"));
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

fn list_probabilities(dir: &Path) -> Result<Vec<PathBuf>> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    let tiffs = folder_files(dir, |path| {
        let name = name(path);
        let tiff = name.ends_with(".tiff") || name.ends_with(".tif");
        is_image_file(path) && tiff && !name.starts_with('.')
    })?;
    let (isp, others): (Vec<PathBuf>, Vec<PathBuf>) = tiffs
        .into_iter()
        .partition(|p| name(p).ends_with(ISP_SUFFIX));
    if !isp.is_empty() {
        return Ok(isp);
    }
    Ok(others
        .into_iter()
        .filter(|p| !pixelforest_io::image_stem(Path::new(&name(p))).ends_with("_uncertainty"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_each_reference() {
        let p = Path::new("ilastik/a_s2_Probabilities.tiff");
        assert_eq!(MaskLayout::Isp.mask_name(p), "a_s2_Probabilities_mask.tiff");
        let s = Path::new("ilastik_probabilities/ROI_001.tiff");
        assert_eq!(MaskLayout::Steinbock.mask_name(s), "ROI_001.tiff");
    }

    #[test]
    fn layout_is_steinbock_only_inside_its_probability_folder() {
        let s = vec![PathBuf::from("proj/ilastik_probabilities/a.tiff")];
        assert_eq!(MaskLayout::detect(&s), MaskLayout::Steinbock);
        let i = vec![PathBuf::from("analysis/ilastik/a_s2_Probabilities.tiff")];
        assert_eq!(MaskLayout::detect(&i), MaskLayout::Isp);
    }

    #[test]
    fn a_folder_gives_isp_maps_and_never_uncertainty() {
        let dir = tempfile::tempdir().unwrap();
        for n in [
            "a_s2_Probabilities.tiff",
            "a_s2_Probabilities_uncertainty.tiff",
            "a_s2.h5",
        ] {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        let got = MaskLayout::collect(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(got, vec![dir.path().join("a_s2_Probabilities.tiff")]);
        let sb = tempfile::tempdir().unwrap();
        for n in ["r1.tiff", "r1_uncertainty.tiff"] {
            std::fs::write(sb.path().join(n), b"x").unwrap();
        }
        let got = MaskLayout::collect(&[sb.path().to_path_buf()]).unwrap();
        assert_eq!(got, vec![sb.path().join("r1.tiff")]);
    }
}
