//! `prepare --layout steinbock`: what `steinbock classify ilastik prepare` writes
//! (BodenmillerGroup/steinbock `steinbock/classification/ilastik/_ilastik.py` and
//! `_cli/ilastik.py`, commit 848fc5ed): for every `img/<name>.tiff`, the channels averaged
//! per panel group (groups ascending), the mean of those x 100 prepended, upscaled
//! (bilinear, OpenCV's INTER_LINEAR), as `ilastik_img/<name>.h5` (dataset `img`, float32,
//! `cyx`); and one random `crop_size` square per image as
//! `ilastik_crops/<name>_x{X}_y{Y}_w{S}_h{S}.h5` (dataset `crop`), none for a smaller image.
//! Crop positions are pixelforest's seeded draw, not numpy's.

use std::path::{Path, PathBuf};

use pixelforest_core::Image;
use pixelforest_io::{H5BandWriter, H5Layout, PanelGroups, RowReader};
use pixelforest_prepare::{
    aggregate_groups, filter_hot_pixels, random_crops, Group, PrepareSettings, Summary,
};

use crate::bands::RowWindow;
use crate::batch_predict::create_parent;
use crate::error::{PipelineError, Result};
use crate::prepare_run::{crop_outputs, image_seed};
use crate::prepare_stream::{prepared_bands, CropBuffers};
use crate::report::{run_parallel, BatchReport};

/// steinbock's dataset names.
const IMG_DATASET: &str = "img";
const CROP_DATASET: &str = "crop";

/// Options of a steinbock-layout `prepare` run.
#[derive(Debug, Clone, PartialEq)]
pub struct SteinbockPrepareOptions {
    /// The panel's channel groups; `None` keeps every channel (steinbock without an `ilastik`
    /// column).
    pub groups: Option<PanelGroups>,
    /// Prepend the mean of the (grouped) channels x 100 (steinbock's `--mean`, the default).
    pub mean: bool,
    /// steinbock's `--scale` (default 2).
    pub scale: usize,
    /// Hot-pixel filter on the input channels before grouping; 0 (steinbock's `prepare`)
    /// disables it, as steinbock filters when converting (`preprocess imc images --hpf`).
    pub hot_pixel_threshold: f32,
    /// steinbock's `ilastik_img/`.
    pub img_dir: PathBuf,
    /// steinbock's `ilastik_crops/`.
    pub crops_dir: PathBuf,
    /// steinbock's `--cropsize` (default 512).
    pub crop_size: usize,
    /// Crops per image: steinbock cuts one; 0 cuts none.
    pub crops_per_image: usize,
    /// Seed of the crop positions.
    pub seed: u64,
    /// Redo images whose outputs exist.
    pub overwrite: bool,
    /// Show progress bars.
    pub progress: bool,
}

/// Prepares every image of `inputs` in steinbock's layout; never stops at a bad file.
pub fn prepare_steinbock_batch(
    inputs: &[PathBuf],
    options: &SteinbockPrepareOptions,
) -> BatchReport {
    run_parallel(inputs, "images", options.progress, |input, warn| {
        prepare_one(input, options, warn)
    })
}

/// Prepares one image band by band; returns its outputs and its pixel count (0 if all outputs
/// existed).
fn prepare_one(
    input: &Path,
    options: &SteinbockPrepareOptions,
    warn: &(dyn Fn(String) + Sync),
) -> Result<(Vec<PathBuf>, usize)> {
    let stem = pixelforest_io::image_stem(input);
    let full = options.img_dir.join(format!("{stem}.h5"));
    let reader = RowReader::open(input)?;
    let scale = options.scale.max(1);
    let (h0, w0) = (reader.height(), reader.width());
    let (h, w) = (h0 * scale, w0 * scale);
    let size = options.crop_size.max(1);
    let fits = h >= size && w >= size;
    let rects = if fits {
        random_crops(
            h,
            w,
            size,
            options.crops_per_image,
            image_seed(options.seed, &stem),
        )
    } else {
        Vec::new()
    };
    let (crop_paths, outputs) = crop_outputs(&full, &options.crops_dir, &stem, &rects);
    if !options.overwrite && outputs.iter().all(|p| p.is_file()) {
        return Ok((outputs, 0));
    }
    if !fits && options.crops_per_image > 0 {
        warn(format!(
            "warning: {}: the scaled image is {h}x{w}, too small for a {size}x{size} crop \
             (steinbock writes none)",
            input.display()
        ));
    }
    let groups = check_groups(input, options, reader.n_channels())?;
    let c = groups.as_ref().map_or(reader.n_channels(), Vec::len) + usize::from(options.mean);
    let mut window = RowWindow::new(reader, None)?;
    let settings = PrepareSettings {
        hot_pixel_threshold: 0.0,
        summary: if options.mean {
            Summary::Mean
        } else {
            Summary::None
        },
        scale,
    };
    let pre =
        |rows: Image| grouped_rows(input, rows, options.hot_pixel_threshold, groups.as_deref());
    create_parent(&full)?;
    let layout = H5Layout::Steinbock {
        name: IMG_DATASET.into(),
    };
    let mut full_out = H5BandWriter::create(&full, &layout, (c, h, w))?;
    let mut crop_data = CropBuffers::new(&rects, c, h, w);
    let mut names = Vec::new();
    prepared_bands(&mut window, &settings, &pre, &mut |band, y0| {
        full_out.write_rows(band.data().view())?;
        crop_data.fill(band, y0);
        names = band.channels().to_vec();
        Ok(())
    })?;
    full_out.finish()?;
    for (image, path) in crop_data.into_images(&names)?.iter().zip(&crop_paths) {
        write(path, image, CROP_DATASET)?;
    }
    Ok((outputs, h0 * w0))
}

/// The panel's groups, checked against the image's channel count.
fn check_groups(
    input: &Path,
    options: &SteinbockPrepareOptions,
    channels: usize,
) -> Result<Option<Vec<Group>>> {
    let Some(groups) = &options.groups else {
        return Ok(None);
    };
    if groups.kept != channels {
        return Err(PipelineError::file(
            input,
            format!(
                "has {channels} channels but the panel keeps {} (rows with keep=1)",
                groups.kept
            ),
        ));
    }
    Ok(Some(
        groups
            .groups
            .iter()
            .map(|g| Group {
                channels: g.channels.clone(),
                name: g.name.clone(),
            })
            .collect(),
    ))
}

/// steinbock's `create_ilastik_image` before the mean and the upscaling, on input rows: hot
/// pixels (if asked), then group means.
fn grouped_rows(
    input: &Path,
    rows: Image,
    hot_pixel_threshold: f32,
    groups: Option<&[Group]>,
) -> Result<Image> {
    let filtered = if hot_pixel_threshold > 0.0 {
        let mut data = rows.data().clone();
        for (c, mut dst) in data.outer_iter_mut().enumerate() {
            dst.assign(&filter_hot_pixels(rows.channel(c), hot_pixel_threshold));
        }
        Image::new(data, rows.channels().to_vec())
            .map_err(|e| PipelineError::file(input, e.to_string()))?
    } else {
        rows
    };
    Ok(match groups {
        Some(groups) => aggregate_groups(&filtered, groups),
        None => filtered,
    })
}

fn write(path: &Path, image: &Image, dataset: &str) -> Result<()> {
    create_parent(path)?;
    let layout = H5Layout::Steinbock {
        name: dataset.to_string(),
    };
    pixelforest_io::write_h5_image(path, image, &layout)?;
    Ok(())
}
