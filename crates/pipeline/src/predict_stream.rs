//! `predict` of one image file, streamed: the image is read band by band (the band's rows plus
//! the features' halo), each band is predicted tile by tile and its probabilities (and
//! uncertainty) written at once, so memory is bounded by band height x width, never by the
//! image. The files are byte-identical to predicting the whole image and writing it whole.

use std::path::Path;

use crate::model::Model;
use pixelforest_io::{ProbabilityBandWriter, RowReader, TiffBandWriter, TiffCompression};

use crate::bands::{bands, RowWindow};
use crate::batch_predict::{create_parent, PredictOptions};
use crate::error::{PipelineError, Result};
use crate::predict::{check_channels, predict_band, Band, TileCounter};
use crate::tiles::tile_grid;
use crate::uncertainty_export::{uncertainty_map, uncertainty_samples};

/// Rows per band: whole tile rows (so the tiles are the whole image's), and enough of them that
/// a band has a tile per thread on narrow images.
pub(crate) fn band_height(tile: usize, width: usize) -> usize {
    let tile = tile.max(1);
    let across = width.div_ceil(tile).max(1);
    tile * rayon::current_num_threads().div_ceil(across).max(1)
}

/// Predicts `input` and writes its outputs band by band; returns its pixel count.
pub(crate) fn predict_file(
    model: &Model,
    input: &Path,
    options: &PredictOptions,
    on_tile: &(dyn Fn(usize, usize) + Sync),
) -> Result<usize> {
    let reader = RowReader::open(input)?;
    let mut window = RowWindow::new(reader, Some(options.non_finite))?;
    let selection =
        check_channels(model, window.reader().channel_names()).map_err(|e| match e {
            PipelineError::Invalid(why) => PipelineError::file(input, why),
            other => other,
        })?;
    let (h, w) = (window.reader().height(), window.reader().width());
    let k = model.forest.n_classes();
    let out = options.output_path(input);
    create_parent(&out)?;
    let mut probs_out = ProbabilityBandWriter::create(
        &out,
        (k, h, w),
        options.sample,
        options.format,
        options.compression,
    )?;
    let mut uncertainty_out = match options.uncertainty_output(&out) {
        Some(path) => {
            create_parent(&path)?;
            let dims = (1, h, w);
            Some(TiffBandWriter::create(
                &path,
                dims,
                options.sample,
                TiffCompression::None,
            )?)
        }
        None => None,
    };
    let tile = options.tile_size.max(1);
    let tiles = TileCounter::new(tile_grid(h, w, tile).len(), on_tile);
    let halo = selection.halo();
    for rows in bands(h, band_height(tile, w)) {
        let need = rows.start.saturating_sub(halo)..(rows.end + halo).min(h);
        let (view, top) = window.rows(need)?;
        let band = Band {
            window: view,
            top,
            rows,
        };
        let probs = predict_band(model, &selection, &band, tile, &tiles);
        probs_out.write_rows(probs.view())?;
        if let Some(u) = &mut uncertainty_out {
            let map = uncertainty_samples(
                &uncertainty_map(&probs, options.uncertainty_measure),
                options.sample,
            );
            u.write_rows(map.insert_axis(ndarray::Axis(0)).view())?;
        }
    }
    probs_out.finish()?;
    if let Some(u) = uncertainty_out {
        u.finish()?;
    }
    Ok(h * w)
}
