//! The reference pipeline's settings as `segment` flags; each left out keeps the chosen
//! pipeline's value (listed in its help as `isp` / `steinbock`).

use std::str::FromStr;

use anyhow::Context;
use pixelforest::pipeline::SegmentSettings;

/// Two numbers written `a,b` (CellProfiler's ranges and bounds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair<T>(pub T, pub T);

impl<T: FromStr> FromStr for Pair<T>
where
    T::Err: std::fmt::Display,
{
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, b) = s
            .split_once(',')
            .ok_or_else(|| format!("expected two values as `a,b`, got `{s}`"))?;
        let parse = |v: &str| v.trim().parse::<T>().map_err(|e| format!("`{v}`: {e}"));
        Ok(Pair(parse(a)?, parse(b)?))
    }
}

/// IdentifyPrimaryObjects, FilterObjects, IdentifySecondaryObjects, Smooth, Resize settings.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Pipeline settings (default: the chosen pipeline's)")]
pub struct SettingArgs {
    /// Resize factor of the probabilities before segmenting (Resize, bilinear) [isp 0.5,
    /// steinbock 1].
    #[arg(long, value_name = "FACTOR")]
    probability_scale: Option<f64>,
    /// Resize factor of the masks at the end (ResizeObjects) [isp 1, steinbock 0.5].
    #[arg(long, value_name = "FACTOR")]
    mask_scale: Option<f64>,
    /// Smooth: typical artifact diameter of the nucleus Gaussian [isp 2, steinbock 4].
    #[arg(long, value_name = "PIXELS")]
    nucleus_smoothing: Option<f64>,
    /// Typical nucleus diameter MIN,MAX in pixels (MIN at most 10) [isp 3,12, steinbock 7,25].
    #[arg(long, value_name = "MIN,MAX")]
    nucleus_diameter: Option<Pair<u32>>,
    /// Discard nuclei outside the diameter range [no].
    #[arg(long)]
    discard_outside_diameter: bool,
    /// Discard nuclei touching the image border [no].
    #[arg(long)]
    discard_border_nuclei: bool,
    /// Nucleus threshold correction factor [1.2].
    #[arg(long, value_name = "FACTOR")]
    nucleus_threshold_correction: Option<f64>,
    /// Lower and upper bounds on the nucleus threshold [0,1].
    #[arg(long, value_name = "LO,HI")]
    nucleus_threshold_bounds: Option<Pair<f64>>,
    /// Size of the smoothing filter for declumping [1].
    #[arg(long, value_name = "PIXELS")]
    declump_smoothing: Option<f64>,
    /// FilterObjects: minimum nucleus area in pixels [isp 4, steinbock 5].
    #[arg(long, value_name = "PIXELS")]
    min_nucleus_area: Option<f64>,
    /// Cell threshold correction factor [1].
    #[arg(long, value_name = "FACTOR")]
    cell_threshold_correction: Option<f64>,
    /// Lower and upper bounds on the cell threshold [0,1].
    #[arg(long, value_name = "LO,HI")]
    cell_threshold_bounds: Option<Pair<f64>>,
    /// Cell threshold smoothing scale (sigma = scale / 0.6744 / 2; 0: none) [1.3488].
    #[arg(long, value_name = "SCALE")]
    cell_threshold_smoothing: Option<f64>,
    /// Propagation regularization factor [0.05].
    #[arg(long, value_name = "FACTOR")]
    regularization: Option<f64>,
    /// Leave holes in cells unfilled [filled].
    #[arg(long)]
    no_fill_cell_holes: bool,
}

impl SettingArgs {
    /// `preset` with the flags given applied, checked.
    pub fn apply(&self, mut s: SegmentSettings) -> anyhow::Result<SegmentSettings> {
        let factor = |f: f64| (f != 1.0).then_some(f);
        if let Some(f) = self.probability_scale {
            s.resize_probabilities = factor(f);
        }
        if let Some(f) = self.mask_scale {
            s.resize_objects = factor(f);
        }
        set(&mut s.nucleus_smoothing, self.nucleus_smoothing);
        if let Some(Pair(lo, hi)) = self.nucleus_diameter {
            s.primary.diameter = (lo, hi);
        }
        s.primary.discard_outside_diameter |= self.discard_outside_diameter;
        s.primary.discard_border |= self.discard_border_nuclei;
        set(
            &mut s.primary.threshold.correction,
            self.nucleus_threshold_correction,
        );
        if let Some(Pair(lo, hi)) = self.nucleus_threshold_bounds {
            s.primary.threshold.bounds = (lo, hi);
        }
        set(&mut s.primary.declump_smoothing, self.declump_smoothing);
        set(&mut s.min_nucleus_area, self.min_nucleus_area);
        set(
            &mut s.secondary.threshold.correction,
            self.cell_threshold_correction,
        );
        if let Some(Pair(lo, hi)) = self.cell_threshold_bounds {
            s.secondary.threshold.bounds = (lo, hi);
        }
        if let Some(scale) = self.cell_threshold_smoothing {
            s.secondary.threshold.sigma = scale / 0.6744 / 2.0;
        }
        set(&mut s.secondary.regularization, self.regularization);
        s.secondary.fill_holes &= !self.no_fill_cell_holes;
        s.check().context("invalid segmentation setting")?;
        Ok(s)
    }
}

fn set(slot: &mut f64, value: Option<f64>) {
    if let Some(v) = value {
        *slot = v;
    }
}
