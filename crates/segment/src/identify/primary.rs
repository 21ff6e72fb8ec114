//! IdentifyPrimaryObjects with "Use advanced settings?" = No, the mode both reference
//! pipelines save (`identifyprimaryobjects.py`, `run` with `self.basic`). In that mode
//! CellProfiler ignores the saved threshold smoothing, declumping and watershed choices and
//! uses its built-in ones: MCE threshold on a sigma-1 smoothed image, holes filled after
//! thresholding and after declumping, clumps split at INTENSITY maxima with a watershed on
//! the inverted image. The saved correction factor, bounds, diameter range, declumping filter
//! size and discard choices still apply. The image is float32, as every CellProfiler image.

use ndarray::{Array2, Zip};

use super::fill_holes::fill_labeled_holes;
use super::label::{areas, label, relabel, Connectivity};
use super::lowres::{
    down_positions, sample_cubic, sample_nearest, spline_coefficients, up_positions,
};
use super::maxima::{binary_shrink, is_local_maximum, strel_disk};
use super::smooth::declump_smooth;
use super::threshold::ThresholdSettings;
use super::watershed::watershed;
use crate::error::InvalidSetting;
use crate::SegmentError;

/// The settings of one IdentifyPrimaryObjects module (basic mode).
#[derive(Debug, Clone, PartialEq)]
pub struct PrimarySettings {
    /// "Typical diameter of objects, in pixel units (Min,Max)".
    pub diameter: (u32, u32),
    /// "Discard objects outside the diameter range?".
    pub discard_outside_diameter: bool,
    /// "Discard objects touching the border of the image?".
    pub discard_border: bool,
    /// Correction factor and bounds of the MCE threshold (smoothing is sigma 1 in basic mode).
    pub threshold: ThresholdSettings,
    /// "Size of smoothing filter" for declumping (the pipelines set it; automatic is off).
    pub declump_smoothing: f64,
}

impl PrimarySettings {
    /// The typical diameter range must be `0 < MIN <= MAX`.
    ///
    /// # Errors
    /// [`SegmentError::Setting`] otherwise.
    pub fn check_diameter(&self) -> Result<(), SegmentError> {
        let (lo, hi) = self.diameter;
        if lo == 0 || lo > hi {
            return Err(SegmentError::Setting(InvalidSetting {
                setting: "typical diameter",
                why: "needs 0 < MIN <= MAX",
            }));
        }
        Ok(())
    }
}

/// Primary objects: the final labels and the declumped labels before filtering and the second
/// hole filling (CellProfiler's `unedited_segmented`, which IdentifySecondaryObjects seeds from).
#[derive(Debug, Clone)]
pub struct PrimaryObjects {
    /// Final, consecutively numbered labels.
    pub segmented: Array2<i32>,
    /// Labels straight out of the watershed.
    pub unedited: Array2<i32>,
}

/// Runs IdentifyPrimaryObjects (basic mode) on `image`.
///
/// # Errors
/// [`SegmentError::Setting`] for a diameter range [`PrimarySettings::check_diameter`] refuses.
pub fn identify_primary(
    image: &Array2<f32>,
    settings: &PrimarySettings,
) -> Result<PrimaryObjects, SegmentError> {
    settings.check_diameter()?;
    let max_d = settings.diameter.1;
    let basic_threshold = ThresholdSettings {
        sigma: 1.0,
        ..settings.threshold
    };
    let (_, binary) = basic_threshold.apply(image);
    let max_area = (max_d as usize) * (max_d as usize);
    let size_fn = |size: usize, _fg: bool| size < max_area;
    let filled = fill_labeled_holes(&binary.mapv(i32::from), None, Some(&size_fn));
    let (labeled, _) = label(&filled.mapv(|v| v != 0), Connectivity::Eight);
    let (unedited, object_count) = declump(image, &labeled, settings);
    let mut edited = unedited.clone();
    if settings.discard_border {
        discard_border(&mut edited);
    }
    if settings.discard_outside_diameter && object_count > 0 {
        discard_outside_diameter(&mut edited, settings.diameter);
    }
    let filled = fill_labeled_holes(&edited, None, None);
    let (segmented, _) = relabel(&filled);
    Ok(PrimaryObjects {
        segmented,
        unedited,
    })
}

/// `separate_neighboring_objects` (basic mode): seeds at intensity maxima of the
/// declump-smoothed image (searched at low resolution above a minimum diameter of 10),
/// watershed of `1 - image` inside the objects.
fn declump(
    image: &Array2<f32>,
    labeled: &Array2<i32>,
    settings: &PrimarySettings,
) -> (Array2<i32>, usize) {
    let blurred = declump_smooth(image, settings.declump_smoothing).mapv(f64::from);
    let min_d = settings.diameter.0;
    let maxima = if min_d > 10 {
        low_resolution_maxima(&blurred, labeled, min_d)
    } else {
        let footprint = strel_disk((f64::from(min_d) / 1.5 - 0.5).max(1.0));
        positive_maxima(&blurred, labeled, &footprint)
    };
    let (seeds, count) = label(&binary_shrink(&maxima), Connectivity::Eight);
    // `1 - image` of a float32 image is float32.
    let inverted = image.mapv(|v| f64::from(1.0 - v));
    let markers = seeds.mapv(|s| -s);
    let inside = labeled.mapv(|l| l != 0);
    (watershed(&inverted, &markers, &inside).mapv(|l| -l), count)
}

/// Local maxima of `image` within each label, none where the image is 0 or less.
fn positive_maxima(
    image: &Array2<f64>,
    labels: &Array2<i32>,
    footprint: &[(isize, isize)],
) -> Array2<bool> {
    let mut maxima = is_local_maximum(image, labels, footprint);
    Zip::from(&mut maxima).and(image).for_each(|m, &v| {
        if v <= 0.0 {
            *m = false;
        }
    });
    maxima
}

/// `get_maxima` with a resize factor `10 / min diameter`: image (float32 output) and labels
/// sampled on the coarse grid, maxima there with the fixed suppression size 7 (basic mode),
/// mapped back by a cubic spline of the 0/1 maxima image thresholded at 0.5.
fn low_resolution_maxima(blurred: &Array2<f64>, labeled: &Array2<i32>, min_d: u32) -> Array2<bool> {
    let factor = 10.0 / f64::from(min_d);
    let (h, w) = blurred.dim();
    let (rows, cols) = (down_positions(h, factor), down_positions(w, factor));
    if rows.is_empty() || cols.is_empty() {
        return Array2::from_elem((h, w), false);
    }
    let coarse =
        sample_cubic(&spline_coefficients(blurred), &rows, &cols).mapv(|v| f64::from(v as f32));
    let coarse_labels = sample_nearest(labeled, &rows, &cols);
    let footprint = strel_disk(7.0 - 0.5);
    let maxima = positive_maxima(&coarse, &coarse_labels, &footprint);
    let inverse = h as f64 / rows.len() as f64;
    let back = spline_coefficients(&maxima.mapv(|m| f64::from(u8::from(m))));
    sample_cubic(&back, &up_positions(h, inverse), &up_positions(w, inverse)).mapv(|v| v > 0.5)
}

/// `filter_on_border` without an image mask: objects with a pixel on the image edge go.
fn discard_border(labels: &mut Array2<i32>) {
    let (h, w) = labels.dim();
    let mut on_edge = vec![false; areas(labels).len()];
    for ((y, x), &l) in labels.indexed_iter() {
        if y == 0 || x == 0 || y + 1 == h || x + 1 == w {
            on_edge[l.max(0) as usize] = true;
        }
    }
    if on_edge.iter().skip(1).any(|&e| e) {
        labels.mapv_inplace(|l| if l > 0 && on_edge[l as usize] { 0 } else { l });
    }
}

/// `filter_on_size`: areas outside `pi * d² / 4` for the diameter range go.
fn discard_outside_diameter(labels: &mut Array2<i32>, (min_d, max_d): (u32, u32)) {
    let area = areas(labels);
    let min_area = std::f64::consts::PI * f64::from(min_d * min_d) / 4.0;
    let max_area = std::f64::consts::PI * f64::from(max_d * max_d) / 4.0;
    labels.mapv_inplace(|l| {
        let a = area[l.max(0) as usize] as f64;
        if l > 0 && (a < min_area || a > max_area) {
            0
        } else {
            l
        }
    });
}

/// FilterObjects by `AreaShape_Area` with a minimum: objects of fewer pixels go, the rest are
/// renumbered in their old order.
#[must_use]
pub fn filter_min_area(labels: &Array2<i32>, min_area: f64) -> Array2<i32> {
    let area = areas(labels);
    let kept = labels.mapv(|l| {
        if l > 0 && (area[l as usize] as f64) >= min_area {
            l
        } else {
            0
        }
    });
    relabel(&kept).0
}
