//! `prepare` over a folder of stacks: what the reference workflow's CellProfiler pipeline does
//! (hot pixels, summary channel, upscaling, random training crops), in parallel over images.

use std::path::{Path, PathBuf};

use pixelforest_io::{H5BandWriter, H5Layout, RowReader};
use pixelforest_prepare::{random_crops, CropRect, PrepareSettings};

use crate::bands::RowWindow;
use crate::batch_predict::create_parent;
use crate::error::Result;
use crate::finite::NonFinite;
use crate::plan::{is_complete, plan_outputs};
use crate::prepare_stream::{count_clipped, prepared_bands, CropBuffers};
use crate::report::{run_parallel, BatchReport};

/// Options of a `prepare` run.
#[derive(Debug, Clone, PartialEq)]
pub struct PrepareOptions {
    /// Hot-pixel filter, summary channel and scale.
    pub settings: PrepareSettings,
    /// Where `<name>_s2.h5` goes.
    pub out_dir: PathBuf,
    /// Where the random crops go.
    pub crops_dir: PathBuf,
    /// Random crops cut from each image.
    pub crops_per_image: usize,
    /// Edge of a crop in pixels (at the prepared scale).
    pub crop_size: usize,
    /// Seed of the crop positions.
    pub seed: u64,
    /// Redo images whose outputs exist.
    pub overwrite: bool,
    /// Show progress bars.
    pub progress: bool,
}

/// The stem of the prepared image: the stack's stem without the workflow's `_ilastik` suffix,
/// plus `_s{scale}` (`a_ilastik.tiff` -> `a_s2`).
pub fn prepared_stem(input: &Path, scale: usize) -> String {
    let stem = pixelforest_io::image_stem(input);
    let base = stem.strip_suffix("_ilastik").unwrap_or(&stem);
    format!("{base}_s{scale}")
}

/// The reference workflow's crop file name: `<stem>_x{X}_y{Y}_w{W}_h{H}.h5`.
pub fn crop_file_name(prepared_stem: &str, rect: &CropRect) -> String {
    format!(
        "{prepared_stem}_x{}_y{}_w{}_h{}.h5",
        rect.x, rect.y, rect.w, rect.h
    )
}

/// The crop files of `rects` in `crops_dir`, and every output of the image: `full` first, then
/// the crops.
pub(crate) fn crop_outputs(
    full: &Path,
    crops_dir: &Path,
    stem: &str,
    rects: &[CropRect],
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let crop_paths: Vec<PathBuf> = rects
        .iter()
        .map(|r| crops_dir.join(crop_file_name(stem, r)))
        .collect();
    let mut outputs = vec![full.to_path_buf()];
    outputs.extend(crop_paths.iter().cloned());
    (crop_paths, outputs)
}

/// The image stem and rectangle of a crop file named by `crop_file_name`, if it is one.
pub fn parse_crop_file_name(name: &str) -> Option<(String, CropRect)> {
    let stem = name.strip_suffix(".h5")?;
    // From the right: _h{H}, _w{W}, _y{Y}, _x{X}.
    let mut rest = stem;
    let mut take = |key: &str| -> Option<usize> {
        let pos = rest.rfind(key)?;
        let value = rest[pos + key.len()..].parse().ok()?;
        rest = &rest[..pos];
        Some(value)
    };
    let (h, w, y, x) = (take("_h")?, take("_w")?, take("_y")?, take("_x")?);
    (!rest.is_empty()).then(|| (rest.to_string(), CropRect { x, y, w, h }))
}

/// True for files `prepare` itself wrote (full images and crops), which are not its inputs.
pub fn is_prepared_file(path: &Path) -> bool {
    let stem = pixelforest_io::image_stem(path);
    let Some(pos) = stem.rfind("_s") else {
        return false;
    };
    let tail = &stem[pos + 2..];
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    !digits.is_empty() && (tail == digits || tail[digits.len()..].starts_with("_x"))
}

/// A per-image seed: the run's seed mixed with the image's name, so an image gets the same
/// crops whatever else is in the batch and however the batch is sharded.
pub(crate) fn image_seed(seed: u64, name: &str) -> u64 {
    // FNV-1a: stable across platforms and Rust versions (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Prepares every stack of `inputs`; never stops at a bad file.
///
/// # Errors
/// Before any work, when two stacks would write one prepared image (`a.tiff` and
/// `a_ilastik.tiff` both give `a_s2.h5`), or an output would replace an input.
pub fn prepare_batch(inputs: &[PathBuf], options: &PrepareOptions) -> Result<BatchReport> {
    // Crop names extend the prepared stem, so distinct stems give distinct crops too.
    plan_outputs(inputs, |input| {
        let full = full_path(input, options);
        vec![channel_list_path(&full), full]
    })?;
    Ok(run_parallel(
        inputs,
        "stacks",
        options.progress,
        |input, warn| prepare_one(input, options, warn),
    ))
}

/// The prepared full image of `input`: `<out_dir>/<stem>_s{scale}.h5`.
fn full_path(input: &Path, options: &PrepareOptions) -> PathBuf {
    let stem = prepared_stem(input, options.settings.scale);
    options.out_dir.join(format!("{stem}.h5"))
}

/// The channel list written beside a prepared image.
fn channel_list_path(image: &Path) -> PathBuf {
    image.with_file_name(format!("{}.csv", pixelforest_io::image_stem(image)))
}

/// True when the full image and every crop of an earlier run re-read at their planned sizes.
fn prepared_complete(full: &Path, scaled: (usize, usize), crops: &[(CropRect, PathBuf)]) -> bool {
    channel_list_path(full).is_file()
        && is_complete(full, None, scaled.0, scaled.1)
        && crops
            .iter()
            .all(|(r, p)| channel_list_path(p).is_file() && is_complete(p, None, r.h, r.w))
}

/// Warns when values fall outside uint16 and are clipped on writing (a float stack scaled far
/// beyond the instrument's counts would otherwise be written mostly as 65535, silently).
fn warn_clipping(input: &Path, clipped: usize, total: usize, warn: &(dyn Fn(String) + Sync)) {
    if clipped > 0 {
        warn(format!(
            "warning: {}: {clipped} of {total} values ({:.2}%) are outside 0..65535 and are clipped \
             in the uint16 output",
            input.display(),
            100.0 * clipped as f64 / total as f64
        ));
    }
}

/// Prepares one stack band by band; returns its outputs and the input pixel count (0 if all
/// outputs existed).
fn prepare_one(
    input: &Path,
    options: &PrepareOptions,
    warn: &(dyn Fn(String) + Sync),
) -> Result<(Vec<PathBuf>, usize)> {
    let stem = prepared_stem(input, options.settings.scale);
    let full = full_path(input, options);
    let reader = RowReader::open(input)?;
    let mut window = RowWindow::new(reader, Some(NonFinite::Error))?;
    let scale = options.settings.scale.max(1);
    let (h0, w0) = (window.reader().height(), window.reader().width());
    let (h, w) = (h0 * scale, w0 * scale);
    // Crop positions depend only on the image size.
    let rects = random_crops(
        h,
        w,
        options.crop_size,
        options.crops_per_image,
        image_seed(options.seed, &stem),
    );
    let (crop_paths, outputs) = crop_outputs(&full, &options.crops_dir, &stem, &rects);
    let crops: Vec<(CropRect, PathBuf)> = rects.iter().copied().zip(crop_paths.clone()).collect();
    if !options.overwrite && prepared_complete(&full, (h, w), &crops) {
        return Ok((outputs, 0));
    }
    if options.crops_per_image > 0 && (h < options.crop_size || w < options.crop_size) {
        warn(format!(
            "warning: {}: the scaled image is {h}x{w}, smaller than the {size}x{size} crop size; \
             the short side is taken whole",
            input.display(),
            size = options.crop_size
        ));
    }
    let summary = usize::from(options.settings.summary.channel_name().is_some());
    let c = window.reader().n_channels() + summary;
    create_parent(&full)?;
    let mut full_out = H5BandWriter::create(&full, &H5Layout::Ilastik, (c, h, w))?;
    let mut crop_data = CropBuffers::new(&rects, c, h, w);
    let (mut clipped, mut names) = (0, Vec::new());
    prepared_bands(&mut window, &options.settings, &Ok, &mut |band, y0| {
        clipped += count_clipped(band.data());
        full_out.write_rows(band.data().view())?;
        crop_data.fill(band, y0);
        names = band.channels().to_vec();
        Ok(())
    })?;
    warn_clipping(input, clipped, c * h * w, warn);
    write_channel_list(&full, &names)?;
    full_out.finish()?;
    for (image, path) in crop_data.into_images(&names)?.iter().zip(&crop_paths) {
        create_parent(path)?;
        write_channel_list(path, &names)?;
        pixelforest_io::write_h5_image(path, image, &H5Layout::Ilastik)?;
    }
    Ok((outputs, h0 * w0))
}

/// Writes `<stem>.csv` beside `image` listing its channels (the workflow's channel list), so
/// that the prepared files keep their channel names for model checks and the labeling UI.
pub fn write_channel_list(image: &Path, channels: &[String]) -> Result<()> {
    let csv = channel_list_path(image);
    let text: String = channels.iter().map(|c| format!("{c}\n")).collect();
    pixelforest_io::atomic_write(&csv, |tmp| {
        std::fs::write(tmp, text.as_bytes()).map_err(|e| pixelforest_io::IoError::Io {
            path: csv.clone(),
            source: e,
        })
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_reference_workflow() {
        assert_eq!(prepared_stem(Path::new("t/a_ilastik.tiff"), 2), "a_s2");
        assert_eq!(prepared_stem(Path::new("t/b.ome.tiff"), 3), "b_s3");
        let r = CropRect {
            x: 10,
            y: 20,
            w: 500,
            h: 400,
        };
        assert_eq!(crop_file_name("a_s2", &r), "a_s2_x10_y20_w500_h400.h5");
        assert_eq!(
            parse_crop_file_name("a_b_s2_x10_y20_w500_h400.h5"),
            Some(("a_b_s2".to_string(), r))
        );
        assert_eq!(parse_crop_file_name("a_s2.h5"), None);
        assert_eq!(parse_crop_file_name("_x1_y2_w3_h4.h5"), None);
        assert!(is_prepared_file(Path::new("a_s2.h5")));
        assert!(is_prepared_file(Path::new("a_s2_x10_y20_w500_h400.h5")));
        assert!(!is_prepared_file(Path::new("a_ilastik.tiff")));
        assert!(!is_prepared_file(Path::new("sample_slide.tiff")));
    }

    #[test]
    fn prepare_warns_with_the_fraction_it_clips() {
        let warned = std::sync::Mutex::new(Vec::new());
        let warn = |m: String| warned.lock().unwrap().push(m);
        let mut data = ndarray::Array3::from_elem((1, 2, 4), 100.0f32);
        warn_clipping(
            Path::new("in.tiff"),
            count_clipped(&data),
            data.len(),
            &warn,
        );
        assert!(warned.lock().unwrap().is_empty());
        data[[0, 0, 0]] = 1e30;
        data[[0, 1, 3]] = -3.0;
        warn_clipping(
            Path::new("in.tiff"),
            count_clipped(&data),
            data.len(),
            &warn,
        );
        assert_eq!(
            warned.lock().unwrap().as_slice(),
            [
                "warning: in.tiff: 2 of 8 values (25.00%) are outside 0..65535 and are clipped in \
              the uint16 output"
            ]
        );
    }

    #[test]
    fn image_seeds_are_stable_and_distinct() {
        // Pinned FNV-1a values (Python: h = 0xcbf29ce484222325 ^ seed; per byte h ^= b,
        // h = h * 0x100000001b3 mod 2^64): crops must not move between releases.
        assert_eq!(image_seed(1, "a_s2"), 0x6b01_568b_0701_1041);
        assert_eq!(image_seed(0, ""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(image_seed(1, "a_s2"), image_seed(1, "b_s2"));
        assert_ne!(image_seed(1, "a_s2"), image_seed(2, "a_s2"));
    }
}
