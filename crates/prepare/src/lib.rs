//! The prepare layer: what the reference workflow's CellProfiler pipeline (and steinbock's
//! ilastik image preparation) does to each stack, on arrays only (no files):
//! hot-pixel filter per channel -> summary channel prepended as channel 0 -> integer upscaling.
//!
//! ```
//! use ndarray::Array3;
//! use pixelforest_core::Image;
//! use pixelforest_prepare::{prepare_image, PrepareSettings};
//!
//! let image = Image::new(Array3::from_elem((2, 10, 10), 3.0), vec!["a".into(), "b".into()]).unwrap();
//! let prepared = prepare_image(&image, &PrepareSettings::default());
//! // Mean x 100 prepended as channel 0, then upscaled x 2.
//! assert_eq!(prepared.data().dim(), (3, 20, 20));
//! assert_eq!(prepared.data()[[0, 5, 5]], 300.0);
//! ```

#![warn(missing_docs)]

mod contact_sheet;
mod crops;
mod groups;
mod hot_pixels;
mod resize;
mod uncertain_windows;

use std::ops::Range;

use ndarray::{Array3, Axis};
use pixelforest_core::Image;
use rayon::prelude::*;

pub use contact_sheet::{contact_sheet, SheetTile};
pub use crops::{crop, random_crops, CropRect};
pub use groups::{aggregate_groups, Group};
pub use hot_pixels::filter_hot_pixels;
pub use resize::upscale_bilinear;
use resize::{source_rows, upscale_rows};
pub use uncertain_windows::{uncertain_windows, Window};

/// The summary channel prepended as channel 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Summary {
    /// Mean of the channels x 100 (current CellProfiler pipeline and steinbock).
    #[default]
    Mean,
    /// Sum of the channels (older versions of the workflow).
    Sum,
    /// No summary channel.
    None,
}

impl Summary {
    /// The channel name given to the summary channel.
    pub fn channel_name(self) -> Option<&'static str> {
        match self {
            Summary::Mean => Some("mean"),
            Summary::Sum => Some("sum"),
            Summary::None => None,
        }
    }
}

/// Settings of one `prepare` run.
#[derive(Debug, Clone, PartialEq)]
pub struct PrepareSettings {
    /// A pixel exceeding the maximum of its 8 neighbours by more than this is clipped to it; 0 disables.
    pub hot_pixel_threshold: f32,
    /// The summary channel prepended as channel 0.
    pub summary: Summary,
    /// Integer upscaling factor (bilinear on pixel centres, OpenCV INTER_LINEAR semantics).
    pub scale: usize,
}

impl Default for PrepareSettings {
    fn default() -> Self {
        Self {
            hot_pixel_threshold: 50.0,
            summary: Summary::Mean,
            scale: 2,
        }
    }
}

/// Hot-pixel filter, summary channel, upscaling: the full prepared (`_s2`) image.
///
/// The summary is computed from the filtered channels before upscaling (upscaling is linear, so
/// the order does not change the result beyond rounding).
///
/// # Panics
/// Never: one name is made per channel.
pub fn prepare_image(image: &Image, settings: &PrepareSettings) -> Image {
    let h = image.height();
    prepare_rows(image, 0, h, settings, 0..h * settings.scale.max(1))
}

/// The input rows [`prepare_rows`] needs for output rows `out` of an image of `height` rows:
/// the rows the upscaling interpolates, plus the hot-pixel filter's one-row halo.
pub fn prepare_window(
    out: Range<usize>,
    height: usize,
    settings: &PrepareSettings,
) -> Range<usize> {
    let src = source_rows(out, height, settings.scale.max(1));
    src.start.saturating_sub(1)..(src.end + 1).min(height)
}

/// Output rows `out` of [`prepare_image`] of an image of `height` rows, from `window`: its input
/// rows `top..top + window.height()`, which must include [`prepare_window`] of `out`. Equal bit
/// for bit to the same rows of the whole prepared image (the filter is exact away from the
/// window's cut edges, the summary is per pixel, the upscaling reads only the rows it needs).
///
/// # Panics
/// If `window` does not hold the rows `out` needs.
pub fn prepare_rows(
    window: &Image,
    top: usize,
    height: usize,
    settings: &PrepareSettings,
    out: Range<usize>,
) -> Image {
    let (c, _, w) = window.data().dim();
    let scale = settings.scale.max(1);
    let src = source_rows(out.clone(), height, scale);
    let rows = src.start - top..src.end - top;
    let filtered: Vec<_> = (0..c)
        .into_par_iter()
        .map(|i| {
            let f = filter_hot_pixels(window.channel(i), settings.hot_pixel_threshold);
            f.slice(ndarray::s![rows.clone(), ..]).to_owned()
        })
        .collect();
    let mut channels = Vec::with_capacity(c + 1);
    let mut names = Vec::with_capacity(c + 1);
    if let Some(name) = settings.summary.channel_name() {
        let mut sum = ndarray::Array2::<f32>::zeros((rows.len(), w));
        for f in &filtered {
            sum += f;
        }
        if settings.summary == Summary::Mean && c > 0 {
            sum.mapv_inplace(|v| v / c as f32 * 100.0);
        }
        channels.push(sum);
        names.push(name.to_string());
    }
    channels.extend(filtered);
    names.extend(window.channels().iter().cloned());
    let scaled: Vec<_> = channels
        .par_iter()
        .map(|ch| upscale_rows(ch.view(), src.start, height, scale, out.clone()))
        .collect();
    let mut data = Array3::<f32>::zeros((scaled.len(), out.len(), w * scale));
    for (mut dst, src) in data.axis_iter_mut(Axis(0)).zip(&scaled) {
        dst.assign(src);
    }
    Image::new(data, names).expect("one name per channel by construction")
}
