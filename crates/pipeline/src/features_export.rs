//! `features`: writes the feature stack of an image so users and tests can inspect it.

use std::path::Path;

use ndarray::Array3;
use pixelforest_core::Image;
use pixelforest_features::{compute_features_region, FeatureSelection};
use pixelforest_io::{H5Layout, SampleType};
use rayon::prelude::*;

use crate::batch_predict::create_parent;
use crate::error::{PipelineError, Result};
use crate::tiles::{stitch, tile_grid};

/// All selected features of `image` (feature, y, x), computed tile by tile, named.
pub fn feature_stack(image: &Image, selection: &FeatureSelection, tile: usize) -> Result<Image> {
    let (h, w) = (image.height(), image.width());
    let names = selection.feature_names(image.channels());
    let tiles = tile_grid(h, w, tile);
    let parts: Vec<Array3<f32>> = tiles
        .par_iter()
        .map(|r| compute_features_region(image.view(), selection, *r))
        .collect();
    let data = stitch(&tiles, parts, names.len(), h, w);
    Image::new(data, names).map_err(|e| PipelineError::Invalid(format!("feature stack: {e}")))
}

/// Computes and writes the features of `input` to `out` (`.h5`: dataset `features`, float32
/// (feature, y, x); `.tiff`: float32 page per feature, with `<out stem>.csv` naming them).
pub fn write_features(input: &Path, out: &Path, selection: &FeatureSelection) -> Result<usize> {
    let image = pixelforest_io::read_image(input)?;
    let stack = feature_stack(&image, selection, crate::predict::DEFAULT_TILE)?;
    create_parent(out)?;
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "h5" | "hdf5" => pixelforest_io::write_h5_image(
            out,
            &stack,
            &H5Layout::Steinbock {
                name: "features".into(),
            },
        )?,
        "tif" | "tiff" => {
            pixelforest_io::write_tiff_stack(out, &stack, SampleType::F32)?;
            let csv = out.with_file_name(format!("{}.csv", pixelforest_io::image_stem(out)));
            let text: String = stack
                .channels()
                .iter()
                .map(|n| format!("\"{n}\"\n"))
                .collect();
            std::fs::write(&csv, text).map_err(|e| PipelineError::file(&csv, e.to_string()))?;
        }
        _ => {
            return Err(PipelineError::file(
                out,
                "unsupported output type (expected .h5 or .tiff)",
            ))
        }
    }
    Ok(stack.n_channels())
}
