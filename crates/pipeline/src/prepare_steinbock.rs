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
use pixelforest_io::{H5Layout, PanelGroups};
use pixelforest_prepare::{
    aggregate_groups, crop, filter_hot_pixels, prepare_image, random_crops, Group, PrepareSettings,
    Summary,
};

use crate::batch_predict::create_parent;
use crate::error::{PipelineError, Result};
use crate::prepare_run::{crop_file_name, image_seed};
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

/// Prepares one image; returns its outputs and its pixel count (0 if all outputs existed).
fn prepare_one(
    input: &Path,
    options: &SteinbockPrepareOptions,
    warn: &(dyn Fn(String) + Sync),
) -> Result<(Vec<PathBuf>, usize)> {
    let stem = pixelforest_io::image_stem(input);
    let full = options.img_dir.join(format!("{stem}.h5"));
    let image = pixelforest_io::read_image(input)?;
    let scale = options.scale.max(1);
    let (h, w) = (image.height() * scale, image.width() * scale);
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
    let crop_paths: Vec<PathBuf> = rects
        .iter()
        .map(|r| options.crops_dir.join(crop_file_name(&stem, r)))
        .collect();
    let mut outputs = vec![full.clone()];
    outputs.extend(crop_paths.iter().cloned());
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
    let prepared = ilastik_image(input, &image, options)?;
    let pixels = image.height() * image.width();
    drop(image);
    write(&full, &prepared, IMG_DATASET)?;
    for (r, path) in rects.iter().zip(&crop_paths) {
        write(path, &crop(&prepared, *r), CROP_DATASET)?;
    }
    Ok((outputs, pixels))
}

/// steinbock's `create_ilastik_image`: hot pixels (if asked), group means, mean x 100 first,
/// upscaling.
fn ilastik_image(input: &Path, image: &Image, options: &SteinbockPrepareOptions) -> Result<Image> {
    let filtered = if options.hot_pixel_threshold > 0.0 {
        let mut data = image.data().clone();
        for (c, mut dst) in data.outer_iter_mut().enumerate() {
            dst.assign(&filter_hot_pixels(
                image.channel(c),
                options.hot_pixel_threshold,
            ));
        }
        Image::new(data, image.channels().to_vec())
            .map_err(|e| PipelineError::file(input, e.to_string()))?
    } else {
        image.clone()
    };
    let grouped = match &options.groups {
        Some(groups) => {
            if groups.kept != image.n_channels() {
                return Err(PipelineError::file(
                    input,
                    format!(
                        "has {} channels but the panel keeps {} (rows with keep=1)",
                        image.n_channels(),
                        groups.kept
                    ),
                ));
            }
            let groups: Vec<Group> = groups
                .groups
                .iter()
                .map(|g| Group {
                    channels: g.channels.clone(),
                    name: g.name.clone(),
                })
                .collect();
            aggregate_groups(&filtered, &groups)
        }
        None => filtered,
    };
    let settings = PrepareSettings {
        hot_pixel_threshold: 0.0,
        summary: if options.mean {
            Summary::Mean
        } else {
            Summary::None
        },
        scale: options.scale.max(1),
    };
    Ok(prepare_image(&grouped, &settings))
}

fn write(path: &Path, image: &Image, dataset: &str) -> Result<()> {
    create_parent(path)?;
    let layout = H5Layout::Steinbock {
        name: dataset.to_string(),
    };
    pixelforest_io::write_h5_image(path, image, &layout)?;
    Ok(())
}
