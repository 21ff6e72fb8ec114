//! steinbock's `images.csv`: one row per converted acquisition
//! (`steinbock/preprocessing/imc.py` `create_image_info`, written by pandas `to_csv`).

use std::path::Path;

use crate::error::{format_err, Result};

/// Where an acquisition lies on the slide (readimc's `roi_points_um` corners 0 and 2) and its
/// size in micrometres.
#[derive(Debug, Clone, PartialEq)]
pub struct AcquisitionInfo {
    /// The acquisition's id in its file.
    pub id: i64,
    /// Its description (the name given at the instrument).
    pub description: String,
    /// First corner on the slide, micrometres.
    pub start_um: Option<(f64, f64)>,
    /// Opposite corner on the slide, micrometres.
    pub end_um: Option<(f64, f64)>,
    /// Width in micrometres.
    pub width_um: Option<f64>,
    /// Height in micrometres.
    pub height_um: Option<f64>,
}

/// One row of `images.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageInfo {
    /// The image's file name, e.g. `slide_001.tiff`.
    pub image: String,
    /// Width in pixels.
    pub width_px: usize,
    /// Height in pixels.
    pub height_px: usize,
    /// Number of channels.
    pub num_channels: usize,
    /// The `.mcd` (or lone `.txt`) file name.
    pub source_file: String,
    /// The matching `.txt` file name, used or not.
    pub recovery_file: Option<String>,
    /// Whether the pixels came from the `.txt`.
    pub recovered: bool,
    /// `None` for a `.txt` without an `.mcd`.
    pub acquisition: Option<AcquisitionInfo>,
}

const HEADER: [&str; 15] = [
    "image",
    "width_px",
    "height_px",
    "num_channels",
    "source_file",
    "recovery_file",
    "recovered",
    "acquisition_id",
    "acquisition_description",
    "acquisition_start_x_um",
    "acquisition_start_y_um",
    "acquisition_end_x_um",
    "acquisition_end_y_um",
    "acquisition_width_um",
    "acquisition_height_um",
];

/// Python's float repr for the usual values (`34490.0`, `0.5`); empty for none.
fn py_float(v: Option<f64>) -> String {
    v.map(|v| format!("{v:?}")).unwrap_or_default()
}

/// Writes `rows` as steinbock's `images.csv` through [`crate::atomic_write`]. As in pandas,
/// acquisition ids are written as floats (`1.0`) when some row has none.
///
/// # Errors
/// The file cannot be written.
pub fn write_image_info(path: &Path, rows: &[ImageInfo]) -> Result<()> {
    let float_ids = rows.iter().any(|r| r.acquisition.is_none());
    crate::atomic_write(path, |tmp| {
        let err = |e: csv::Error| format_err(path, format!("cannot write image info: {e}"));
        let mut w = csv::Writer::from_path(tmp).map_err(err)?;
        w.write_record(HEADER).map_err(err)?;
        for r in rows {
            let a = r.acquisition.as_ref();
            let id = a.map(|a| {
                if float_ids {
                    format!("{:?}", a.id as f64)
                } else {
                    a.id.to_string()
                }
            });
            let recovered = if r.recovered { "True" } else { "False" };
            let record = [
                r.image.clone(),
                r.width_px.to_string(),
                r.height_px.to_string(),
                r.num_channels.to_string(),
                r.source_file.clone(),
                r.recovery_file.clone().unwrap_or_default(),
                recovered.to_string(),
                id.unwrap_or_default(),
                a.map(|a| a.description.clone()).unwrap_or_default(),
                py_float(a.and_then(|a| a.start_um).map(|p| p.0)),
                py_float(a.and_then(|a| a.start_um).map(|p| p.1)),
                py_float(a.and_then(|a| a.end_um).map(|p| p.0)),
                py_float(a.and_then(|a| a.end_um).map(|p| p.1)),
                py_float(a.and_then(|a| a.width_um)),
                py_float(a.and_then(|a| a.height_um)),
            ];
            w.write_record(&record).map_err(err)?;
        }
        w.flush()
            .map_err(|e| format_err(path, format!("cannot write image info: {e}")))
    })
}
