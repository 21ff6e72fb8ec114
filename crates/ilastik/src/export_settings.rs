//! A project's stored export settings (group `Prediction Export`, written by ilastik's
//! `DataExportSerializer`), which ilastik's headless mode uses for every export flag not given
//! on the command line.

use std::path::Path;

use rust_hdf5::H5File;

use crate::error::{FormatKind, IlpError, Result};

/// Where ilastik's Pixel Classification workflow keeps its export settings.
const GROUP: &str = "Prediction Export";

/// The stored settings; `None` where the project stores nothing (ilastik's defaults apply).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredExport {
    /// `ExportDtype`, numpy's name (`uint16`).
    pub export_dtype: Option<String>,
    /// `InputMin`, `InputMax`: the pipeline's range before renormalization.
    pub input_range: Option<(f64, f64)>,
    /// `ExportMin`, `ExportMax`: the range after renormalization.
    pub export_range: Option<(f64, f64)>,
    /// `OutputFormat`, e.g. `tiff` or `hdf5`.
    pub output_format: Option<String>,
    /// `OutputFilenameFormat`, e.g. `{dataset_dir}/{nickname}_{result_type}`.
    pub output_filename_format: Option<String>,
    /// `OutputInternalPath` (dataset of an HDF5 export).
    pub output_internal_path: Option<String>,
    /// `OutputAxisOrder`, e.g. `yxc`, when set.
    pub output_axis_order: Option<String>,
    /// True when `RegionStart`/`RegionStop` store a cutout (any value other than -1).
    pub cutout: bool,
}

/// Reads the export settings of the project at `path` (all `None` if it stores none).
///
/// # Errors
/// The file is not HDF5, or a stored setting has an unreadable type.
pub fn read_export_settings(path: &Path) -> Result<StoredExport> {
    let file = H5File::open(path).map_err(|e| IlpError::NotAProject {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let names = file.dataset_names();
    let r = Stored { path, file, names };
    let pair = |lo: &str, hi: &str| -> Result<Option<(f64, f64)>> {
        Ok(match (r.number(lo)?, r.number(hi)?) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        })
    };
    Ok(StoredExport {
        export_dtype: r.text("ExportDtype")?,
        input_range: pair("InputMin", "InputMax")?,
        export_range: pair("ExportMin", "ExportMax")?,
        output_format: r.text("OutputFormat")?,
        output_filename_format: r.text("OutputFilenameFormat")?,
        output_internal_path: r.text("OutputInternalPath")?,
        output_axis_order: r.text("OutputAxisOrder")?,
        cutout: r.region("RegionStart")? || r.region("RegionStop")?,
    })
}

/// Reads datasets of the export group, naming the project in errors.
struct Stored<'a> {
    path: &'a Path,
    file: H5File,
    names: Vec<String>,
}

impl Stored<'_> {
    fn full(&self, name: &str) -> Option<String> {
        let full = format!("{GROUP}/{name}");
        self.names
            .iter()
            .any(|n| n.trim_start_matches('/') == full)
            .then_some(full)
    }

    fn err(&self, name: &str, e: impl std::fmt::Display) -> IlpError {
        IlpError::format(
            self.path,
            FormatKind::unreadable(&format!("{GROUP}/{name}"), e),
        )
    }

    fn text(&self, name: &str) -> Result<Option<String>> {
        let Some(full) = self.full(name) else {
            return Ok(None);
        };
        let ds = crate::bounded::dataset(self.path, &self.file, &full)?;
        let v = ds
            .read_strings()
            .or_else(|_| ds.read_strings_lossy())
            .map_err(|e| self.err(name, format!("not text: {e}")))?;
        Ok(v.into_iter().next().filter(|s| !s.is_empty()))
    }

    fn numbers(&self, name: &str) -> Result<Option<Vec<f64>>> {
        let Some(full) = self.full(name) else {
            return Ok(None);
        };
        let ds = crate::bounded::dataset(self.path, &self.file, &full)?;
        // Floats (InputMin) or integers of the export type (ExportMin as uint16).
        ds.read_numeric_as::<f64>()
            .or_else(|_| {
                ds.read_numeric_as::<i64>()
                    .map(|v| v.into_iter().map(|x| x as f64).collect())
            })
            .map(Some)
            .map_err(|e| self.err(name, format!("not numbers: {e}")))
    }

    fn number(&self, name: &str) -> Result<Option<f64>> {
        Ok(self.numbers(name)?.and_then(|v| v.first().copied()))
    }

    /// A stored region bound is a cutout unless every entry is -1 (ilastik's "None").
    fn region(&self, name: &str) -> Result<bool> {
        Ok(self
            .numbers(name)?
            .is_some_and(|v| v.iter().any(|&x| x != -1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// steinbock's test project (BodenmillerGroup/TestData, steinbock 0.16.1), exported with
    /// "Convert to datatype: uint16" and "Renormalize [0, 1] -> [0, 65535]" in ilastik's GUI.
    #[test]
    fn reads_steinbocks_project_settings() {
        let Some(p) =
            pixelforest_testdata::real_fixture("steinbock/210308_ImcTestData/pixel_classifier.ilp")
        else {
            return;
        };
        let s = read_export_settings(&p).unwrap();
        assert_eq!(s.export_dtype.as_deref(), Some("uint16"));
        assert_eq!(s.input_range, Some((0.0, 1.0)));
        assert_eq!(s.export_range, Some((0.0, 65535.0)));
        assert_eq!(s.output_format.as_deref(), Some("tiff"));
        assert_eq!(
            s.output_filename_format.as_deref(),
            Some("{dataset_dir}/{nickname}_{result_type}.tiff")
        );
        assert_eq!(s.output_internal_path.as_deref(), Some("exported_data"));
        assert_eq!(s.output_axis_order, None);
        assert!(!s.cutout);
    }

    #[test]
    fn unset_settings_read_as_none() {
        let Some(p) =
            pixelforest_testdata::real_fixture("ilastik/api_projects/PixelClass3Channel.ilp")
        else {
            return;
        };
        let s = read_export_settings(&p).unwrap();
        assert_eq!(s.output_format.as_deref(), Some("compressed hdf5"));
        assert_eq!(
            s.output_filename_format.as_deref(),
            Some("{dataset_dir}/{nickname}_{result_type}")
        );
        assert_eq!(s.export_dtype, None);
        assert_eq!(s.input_range, None);
        assert_eq!(s.export_range, None);
        assert!(!s.cutout);
    }
}
