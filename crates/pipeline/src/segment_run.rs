//! `segment` over many probability maps: images in parallel (each on one thread), masks written
//! atomically, complete masks skipped on a re-run, a bad map reported without stopping the others.
//! Optionally the resized probabilities too, as ImcSegmentationPipeline's second SaveImages
//! writes them (`<name>_s1.tiff`, uint16 as CellProfiler's "16-bit integer", deflate).

use std::path::{Path, PathBuf};

use pixelforest_io::TiffCompression;
use pixelforest_segment::identify::{img_as_uint, resized_len};
use pixelforest_segment::{segment_probabilities, SegmentSettings};

use crate::batch_predict::create_parent;
use crate::error::{PipelineError, Result};
use crate::plan::{is_complete, plan_outputs};
use crate::report::{run_parallel, BatchReport};
use crate::segment_inputs::MaskLayout;

/// Options of a batch segmentation.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentOptions {
    /// Cell masks go here.
    pub out_dir: PathBuf,
    /// Nucleus masks go here (same names), if wanted.
    pub nuclei_dir: Option<PathBuf>,
    /// The probabilities after the pipeline's Resize go here as `<name>_s1.tiff`, if wanted
    /// (needs `settings.resize_probabilities`).
    pub probabilities_dir: Option<PathBuf>,
    /// Whose file names to write.
    pub layout: MaskLayout,
    /// The pipeline's settings.
    pub settings: SegmentSettings,
    /// Redo maps whose masks exist.
    pub overwrite: bool,
    /// Show a progress bar.
    pub progress: bool,
}

impl SegmentOptions {
    /// The files written for `input`: cells, then nuclei, then resized probabilities, each
    /// if asked for.
    #[must_use]
    pub fn outputs(&self, input: &Path) -> Vec<PathBuf> {
        let name = self.layout.mask_name(input);
        let mut out = vec![self.out_dir.join(&name)];
        out.extend(self.nuclei_dir.as_ref().map(|d| d.join(&name)));
        out.extend(
            self.probabilities_dir
                .as_ref()
                .map(|d| d.join(format!("{}_s1.tiff", pixelforest_io::image_stem(input)))),
        );
        out
    }

    /// How many of [`SegmentOptions::outputs`] are masks (cells, and nuclei if asked for);
    /// a resized probability map follows them.
    fn mask_count(&self) -> usize {
        1 + usize::from(self.nuclei_dir.is_some())
    }

    /// The probability map's size after the pipeline's Resize.
    fn resized_shape(&self, (h, w): (usize, usize)) -> (usize, usize) {
        let scale = |n: usize| {
            self.settings
                .resize_probabilities
                .map_or(n, |f| resized_len(n, f))
        };
        (scale(h), scale(w))
    }

    /// The mask size for a probability map of `(height, width)`.
    fn mask_shape(&self, shape: (usize, usize)) -> (usize, usize) {
        let (h, w) = self.resized_shape(shape);
        let scale = |n: usize| {
            self.settings
                .resize_objects
                .map_or(n, |f| resized_len(n, f))
        };
        (scale(h), scale(w))
    }
}

/// Segments every map of `inputs`; never stops at a bad one.
///
/// # Errors
/// Before any work, when two maps would write one mask or a mask would replace an input.
pub fn segment_batch(inputs: &[PathBuf], options: &SegmentOptions) -> Result<BatchReport> {
    if let (Some(dir), None) = (
        &options.probabilities_dir,
        options.settings.resize_probabilities,
    ) {
        return Err(PipelineError::file(
            dir,
            "resized probabilities are only written when the pipeline resizes them (a probability scale, as ImcSegmentationPipeline's Resize 0.5)",
        ));
    }
    plan_outputs(inputs, |input| options.outputs(input))?;
    Ok(run_parallel(
        inputs,
        "maps",
        options.progress,
        |input, _warn| {
            let outputs = options.outputs(input);
            if !options.overwrite && masks_complete(input, &outputs, options) {
                return Ok((outputs, 0));
            }
            let pixels = segment_one(input, &outputs, options)?;
            Ok((outputs, pixels))
        },
    ))
}

fn masks_complete(input: &Path, outputs: &[PathBuf], options: &SegmentOptions) -> bool {
    let Ok([c, h, w]) = pixelforest_io::image_shape(input) else {
        return false;
    };
    let (mh, mw) = options.mask_shape((h, w));
    let (rh, rw) = options.resized_shape((h, w));
    outputs.iter().enumerate().all(|(i, p)| {
        let complete = if i < options.mask_count() {
            is_complete(p, Some(1), mh, mw)
        } else {
            is_complete(p, Some(c), rh, rw)
        };
        p.is_file() && complete
    })
}

/// Reads one map, segments it and writes its masks; returns its pixel count.
fn segment_one(input: &Path, outputs: &[PathBuf], options: &SegmentOptions) -> Result<usize> {
    let probs = pixelforest_io::read_probabilities(input)?;
    let masks = segment_probabilities(&probs, &options.settings)
        .map_err(|e| PipelineError::file(input, e.to_string()))?;
    let (mask_paths, rest) = outputs.split_at(options.mask_count());
    for (path, labels) in mask_paths.iter().zip([&masks.cells, &masks.nuclei]) {
        create_parent(path)?;
        pixelforest_io::write_mask(path, labels)?;
    }
    if let (Some(path), Some(resized)) = (rest.first(), &masks.resized) {
        create_parent(path)?;
        pixelforest_io::write_u16_planes(path, &img_as_uint(resized), TiffCompression::Deflate)?;
    }
    Ok(probs.shape()[1] * probs.shape()[2])
}
