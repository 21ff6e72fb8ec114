//! The reference pipelines' segmentation steps in order, from a probability map to nuclei and
//! cells: ImcSegmentationPipeline `resources/pipelines/2_segment_ilastik.cppipe` (Resize 0.5
//! first, segment at acquisition resolution) and steinbock `cell_segmentation.cppipe`
//! (segment the upscaled probabilities, ResizeObjects 0.5 last). Both: ColorToGray split
//! (nucleus, cytoplasm, background), ImageMath nucleus + cytoplasm clipped to [0, 1], Smooth
//! (Gaussian) of the nucleus channel, IdentifyPrimaryObjects, FilterObjects by minimum area,
//! IdentifySecondaryObjects by propagation.

use ndarray::{Array2, Array3, Axis, Zip};

use super::primary::{filter_min_area, identify_primary, PrimarySettings};
use super::resize::{resize_labels, resize_stack};
use super::secondary::{identify_secondary, SecondarySettings};
use super::smooth::smooth_module;
use super::threshold::ThresholdSettings;
use crate::error::InvalidSetting;
use crate::SegmentError;

/// Every setting of the reference pipeline that changes the masks.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentSettings {
    /// Resize factor applied to the probabilities first (ISP: 0.5; steinbock: none).
    pub resize_probabilities: Option<f64>,
    /// Smooth: "Typical artifact diameter" of the nucleus channel's Gaussian.
    pub nucleus_smoothing: f64,
    /// IdentifyPrimaryObjects (nuclei).
    pub primary: PrimarySettings,
    /// FilterObjects: minimum `AreaShape_Area` of a nucleus, in pixels.
    pub min_nucleus_area: f64,
    /// IdentifySecondaryObjects (cells).
    pub secondary: SecondarySettings,
    /// ResizeObjects factor applied to the masks last (steinbock: 0.5; ISP: none).
    pub resize_objects: Option<f64>,
}

impl SegmentSettings {
    /// ImcSegmentationPipeline's `2_segment_ilastik.cppipe`.
    #[must_use]
    pub fn imc_segmentation_pipeline() -> Self {
        Self::with(Some(0.5), 2.0, (3, 12), 4.0, None)
    }

    /// steinbock's `cell_segmentation.cppipe`.
    #[must_use]
    pub fn steinbock() -> Self {
        Self::with(None, 4.0, (7, 25), 5.0, Some(0.5))
    }

    /// Checks every setting before any image is read.
    ///
    /// # Errors
    /// The first setting out of range.
    pub fn check(&self) -> Result<(), SegmentError> {
        let bad = |setting, why| Err(SegmentError::Setting(InvalidSetting { setting, why }));
        let non_negative = |v: f64| v.is_finite() && v >= 0.0;
        let factors = [self.resize_probabilities, self.resize_objects];
        if factors
            .into_iter()
            .flatten()
            .any(|f| !non_negative(f) || f == 0.0)
        {
            return bad("resizing factor", "must be a positive number");
        }
        self.primary.check_diameter()?;
        let lengths = [
            self.nucleus_smoothing,
            self.primary.declump_smoothing,
            self.secondary.regularization,
            self.min_nucleus_area,
        ];
        if !lengths.into_iter().all(non_negative) {
            return bad(
                "smoothing, regularization, minimum area",
                "must be 0 or more",
            );
        }
        for t in [&self.primary.threshold, &self.secondary.threshold] {
            let ordered = t
                .bounds
                .0
                .partial_cmp(&t.bounds.1)
                .is_some_and(|o| o.is_le());
            if !t.correction.is_finite() || !ordered || !non_negative(t.sigma) {
                return bad(
                    "threshold",
                    "needs a finite correction, LO <= HI, smoothing >= 0",
                );
            }
        }
        Ok(())
    }

    fn with(
        resize_probabilities: Option<f64>,
        nucleus_smoothing: f64,
        diameter: (u32, u32),
        min_nucleus_area: f64,
        resize_objects: Option<f64>,
    ) -> Self {
        Self {
            resize_probabilities,
            nucleus_smoothing,
            primary: PrimarySettings {
                diameter,
                discard_outside_diameter: false,
                discard_border: false,
                threshold: ThresholdSettings {
                    correction: 1.2,
                    bounds: (0.0, 1.0),
                    sigma: 1.0,
                },
                declump_smoothing: 1.0,
            },
            min_nucleus_area,
            secondary: SecondarySettings {
                threshold: ThresholdSettings {
                    correction: 1.0,
                    bounds: (0.0, 1.0),
                    sigma: ThresholdSettings::sigma_of_scale(1.3488),
                },
                regularization: 0.05,
                fill_holes: true,
            },
            resize_objects,
        }
    }
}

/// Nuclei and cells of one image; a cell carries its nucleus' label.
#[derive(Debug, Clone)]
pub struct Masks {
    /// Nuclei after FilterObjects.
    pub nuclei: Array2<i32>,
    /// Cells grown from them.
    pub cells: Array2<i32>,
    /// The probabilities after the pipeline's Resize, every class (`None` without one):
    /// what ImcSegmentationPipeline saves as `_s1`.
    pub resized: Option<Array3<f32>>,
}

/// Segments a probability map `(class, y, x)` in [0, 1], classes nucleus, cytoplasm, ... .
///
/// # Errors
/// [`SegmentError::TooFewClasses`] with fewer than two classes; a setting refused by
/// [`SegmentSettings::check`].
pub fn segment_probabilities(
    probabilities: &Array3<f32>,
    settings: &SegmentSettings,
) -> Result<Masks, SegmentError> {
    settings.check()?;
    let classes = probabilities.len_of(Axis(0));
    if classes < 2 {
        return Err(SegmentError::TooFewClasses { classes });
    }
    let resized = settings
        .resize_probabilities
        .map(|f| resize_stack(probabilities, f));
    let stack = resized.as_ref().unwrap_or(probabilities);
    let plane = |c: usize| stack.index_axis(Axis(0), c).to_owned();
    let (nucleus, cytoplasm) = (plane(0), plane(1));
    // ImageMath "Add" of two float32 images is a float32 sum.
    let cell_image = Zip::from(&nucleus).and(&cytoplasm).map_collect(|&n, &c| {
        let s = n + c;
        if s.is_nan() {
            0.0
        } else {
            s.clamp(0.0, 1.0)
        }
    });
    let smoothed = smooth_module(&nucleus, settings.nucleus_smoothing);
    let primary = identify_primary(&smoothed, &settings.primary)?;
    let nuclei = filter_min_area(&primary.segmented, settings.min_nucleus_area);
    let cells = identify_secondary(&cell_image, &primary, &nuclei, &settings.secondary);
    let resize = |l: Array2<i32>| match settings.resize_objects {
        Some(f) => resize_labels(&l, f),
        None => l,
    };
    Ok(Masks {
        nuclei: resize(nuclei),
        cells: resize(cells),
        resized,
    })
}
