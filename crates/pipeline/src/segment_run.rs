//! `segment` over many probability maps: images in parallel (each on one thread), masks written
//! atomically, complete masks skipped on a re-run, a bad map reported without stopping the others.

use std::path::{Path, PathBuf};

use pixelforest_segment::identify::resized_len;
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
    /// The masks written for `input`: cells, then nuclei if asked for.
    #[must_use]
    pub fn outputs(&self, input: &Path) -> Vec<PathBuf> {
        let name = self.layout.mask_name(input);
        let mut out = vec![self.out_dir.join(&name)];
        out.extend(self.nuclei_dir.as_ref().map(|d| d.join(&name)));
        out
    }

    /// The mask size for a probability map of `(height, width)`.
    fn mask_shape(&self, (h, w): (usize, usize)) -> (usize, usize) {
        let scale = |n: usize, f: Option<f64>| f.map_or(n, |f| resized_len(n, f));
        let s = &self.settings;
        let (h, w) = (
            scale(h, s.resize_probabilities),
            scale(w, s.resize_probabilities),
        );
        (scale(h, s.resize_objects), scale(w, s.resize_objects))
    }
}

/// Segments every map of `inputs`; never stops at a bad one.
///
/// # Errors
/// Before any work, when two maps would write one mask or a mask would replace an input.
pub fn segment_batch(inputs: &[PathBuf], options: &SegmentOptions) -> Result<BatchReport> {
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
    let Ok([_, h, w]) = pixelforest_io::image_shape(input) else {
        return false;
    };
    let (mh, mw) = options.mask_shape((h, w));
    outputs
        .iter()
        .all(|p| p.is_file() && is_complete(p, Some(1), mh, mw))
}

/// Reads one map, segments it and writes its masks; returns its pixel count.
fn segment_one(input: &Path, outputs: &[PathBuf], options: &SegmentOptions) -> Result<usize> {
    let probs = pixelforest_io::read_probabilities(input)?;
    let masks = segment_probabilities(&probs, &options.settings)
        .map_err(|e| PipelineError::file(input, e.to_string()))?;
    for (path, labels) in outputs.iter().zip([&masks.cells, &masks.nuclei]) {
        create_parent(path)?;
        pixelforest_io::write_mask(path, labels)?;
    }
    Ok(probs.shape()[1] * probs.shape()[2])
}
