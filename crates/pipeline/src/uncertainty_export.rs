//! Uncertainty maps from probabilities: the reference workflow's "convert probabilities to
//! uncertainties" step, written where `suggest` and the labeling UI look for them.

use std::path::{Path, PathBuf};

use ndarray::{Array2, Array3};
use pixelforest_core::Image;
use pixelforest_io::SampleType;

use crate::error::{PipelineError, Result};

/// How uncertainty is computed from per-class probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UncertaintyMeasure {
    /// ilastik's uncertainty layer: 1 - (p_first - p_second), high where two classes compete.
    #[default]
    Margin,
    /// The ImcSegmentationPipeline script (`imctools probability2uncertainty`): 1 - p_max.
    OneMinusMax,
}

impl std::str::FromStr for UncertaintyMeasure {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "margin" => Ok(Self::Margin),
            "max" => Ok(Self::OneMinusMax),
            _ => Err(format!(
                "unknown uncertainty measure {s:?} (expected margin or max)"
            )),
        }
    }
}

/// Uncertainty (y, x) in [0, 1] of probabilities (class, y, x).
pub fn uncertainty_map(probs: &Array3<f32>, measure: UncertaintyMeasure) -> Array2<f32> {
    let (k, h, w) = probs.dim();
    let standard = probs.as_standard_layout();
    let flat = match measure {
        UncertaintyMeasure::Margin => match standard.view().into_shape_with_order((k, h * w)) {
            Ok(columns) => pixelforest_forest::uncertainty(columns),
            Err(e) => unreachable!("a standard-layout array reshapes row-major: {e}"),
        },
        UncertaintyMeasure::OneMinusMax => {
            let mut out = ndarray::Array1::<f32>::zeros(h * w);
            for (i, v) in out.iter_mut().enumerate() {
                let (y, x) = (i / w, i % w);
                let max = (0..k).map(|c| probs[[c, y, x]]).fold(0.0f32, f32::max);
                *v = 1.0 - max;
            }
            out
        }
    };
    Array2::from_shape_fn((h, w), |(y, x)| flat[y * w + x])
}

/// Reads an exported probability map `(class, y, x)` and checks that it is one: at least two
/// classes, finite values in [0, 1] whose classes sum to 1 at every pixel (within the
/// truncation of a uint16 or uint8 export: at most one count per class below). A raw count stack
/// or a one-channel image would otherwise give a meaningless uncertainty map.
///
/// # Errors
/// The read error, or what is wrong with the map, naming the file and the first bad pixel.
pub fn read_probability_map(path: &Path) -> Result<Array3<f32>> {
    let probs = pixelforest_io::read_probabilities(path)?;
    let (k, h, w) = probs.dim();
    if k < 2 {
        return Err(PipelineError::file(
            path,
            format!("not a probability map: {k} channel(s), a map has one per class (at least 2)"),
        ));
    }
    // uint8 exports truncate each class by < 1/255; uint16 by < 1/65535.
    let low = 1.0 - k as f32 / 255.0 - 1e-3;
    let high = 1.0 + 1e-3;
    let mut bad = 0usize;
    let mut first = None;
    for y in 0..h {
        for x in 0..w {
            let column = probs.slice(ndarray::s![.., y, x]);
            let sum: f32 = column.sum();
            let ok = column.iter().all(|p| (0.0..=1.0).contains(p)) && (low..=high).contains(&sum);
            if !ok {
                bad += 1;
                first.get_or_insert((y, x, sum));
            }
        }
    }
    if let Some((y, x, sum)) = first {
        return Err(PipelineError::file(
            path,
            format!(
                "not a probability map: at {bad} of {} pixels the {k} classes do not sum to 1 \
                 (65535 as uint16), e.g. at y={y} x={x} they sum to {sum} (as fractions of 1)",
                h * w
            ),
        ));
    }
    Ok(probs)
}

/// The uncertainty file of probability file `probabilities`: `<stem>_uncertainty.tiff` in
/// `out_dir`, as the reference script names it.
pub fn uncertainty_path(probabilities: &Path, out_dir: &Path) -> PathBuf {
    let stem = pixelforest_io::image_stem(probabilities);
    out_dir.join(format!("{stem}_uncertainty.tiff"))
}

/// The values an uncertainty map is stored as: uint16 counts (rounded) or float32 as is.
pub(crate) fn uncertainty_samples(map: &Array2<f32>, sample: SampleType) -> Array2<f32> {
    match sample {
        SampleType::U16 => map.mapv(|u| (u.clamp(0.0, 1.0) * 65535.0).round()),
        SampleType::F32 => map.clone(),
    }
}

/// Writes an uncertainty map as a one-page TIFF: uint16 scaled [0, 1] -> [0, 65535] (rounded,
/// so 1 - p of a uint16 probability is exact) or float32.
pub fn write_uncertainty(path: &Path, map: &Array2<f32>, sample: SampleType) -> Result<()> {
    let data = uncertainty_samples(map, sample).insert_axis(ndarray::Axis(0));
    let image = Image::new(data, vec!["uncertainty".into()]).map_err(|e| {
        pixelforest_io::IoError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    })?;
    pixelforest_io::write_tiff_stack(path, &image, sample)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_match_their_definitions() {
        // Two pixels: a confident one and a contested one.
        let probs =
            Array3::from_shape_vec((3, 1, 2), vec![0.8, 0.45, 0.15, 0.45, 0.05, 0.1]).unwrap();
        let margin = uncertainty_map(&probs, UncertaintyMeasure::Margin);
        assert!((margin[[0, 0]] - (1.0 - (0.8 - 0.15))).abs() < 1e-6);
        assert!((margin[[0, 1]] - 1.0).abs() < 1e-6);
        let max = uncertainty_map(&probs, UncertaintyMeasure::OneMinusMax);
        assert!((max[[0, 0]] - 0.2).abs() < 1e-6);
        assert!((max[[0, 1]] - 0.55).abs() < 1e-6);
    }

    #[test]
    fn uint16_uncertainty_round_trips_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.tiff");
        let map =
            Array2::from_shape_vec((2, 2), vec![0.0, 1.0, 0.5, 1.0 - 1234.0 / 65535.0]).unwrap();
        write_uncertainty(&path, &map, SampleType::U16).unwrap();
        let back = pixelforest_io::read_image(&path).unwrap();
        let counts: Vec<f32> = back.data().iter().copied().collect();
        assert_eq!(counts, vec![0.0, 65535.0, 32768.0, 64301.0]);
    }
}
