//! `suggest`: where to label next. Predicts each image, finds the windows where the classifier
//! is least sure (mean uncertainty), spreads the picks over the images, skips windows that
//! overlap crops already in the crops folder, and writes the picks as new training crops named
//! as `prepare` names crops, with a ranked table and a contact sheet.

use std::path::{Path, PathBuf};

use ndarray::{s, Array2};
use pixelforest_core::Image;
use pixelforest_forest::Model;
use pixelforest_io::H5Layout;
use pixelforest_prepare::{contact_sheet, crop, uncertain_windows, CropRect, SheetTile};

use crate::error::{PipelineError, Result};
use crate::predict::predict_image;
use crate::prepare_run::{crop_file_name, parse_crop_file_name, write_channel_list};
use crate::uncertainty_export::{uncertainty_map, UncertaintyMeasure};

/// Settings of a `suggest` run.
#[derive(Debug, Clone)]
pub struct SuggestOptions {
    /// Where existing crops are looked up and the new ones written.
    pub crops_dir: PathBuf,
    /// How many regions to suggest in all.
    pub n: usize,
    /// Edge of a suggested (square) region, in image pixels.
    pub size: usize,
    pub measure: UncertaintyMeasure,
    pub tile_size: usize,
}

/// One suggested region.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub image: PathBuf,
    pub rect: CropRect,
    pub mean_uncertainty: f32,
    /// The crop file written for it.
    pub crop: PathBuf,
}

/// The crops of `stem` already in `dir` (any crop file named for that image).
fn existing_crops(dir: &Path, stem: &str) -> Vec<CropRect> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| parse_crop_file_name(&e.file_name().to_string_lossy()))
        .filter(|(s, _)| s == stem)
        .map(|(_, r)| r)
        .collect()
}

/// An image's best windows, best first (at most `max`).
fn candidates(
    model: &Model,
    path: &Path,
    options: &SuggestOptions,
    max: usize,
) -> Result<Vec<(f32, CropRect)>> {
    let image = pixelforest_io::read_image(path)?;
    let probs = predict_image(model, &image, options.tile_size).map_err(|e| match e {
        PipelineError::Invalid(why) => PipelineError::file(path, why),
        other => other,
    })?;
    let map = uncertainty_map(&probs, options.measure);
    let stem = pixelforest_io::image_stem(path);
    let avoid = existing_crops(&options.crops_dir, &stem);
    Ok(uncertain_windows(map.view(), options.size, &avoid, max)
        .into_iter()
        .map(|w| (w.mean, w.rect))
        .collect())
}

/// Picks `n` of the candidates (image index, mean, rect), best first, at most `per_image` from
/// one image while others still have candidates, so the picks spread over the images.
fn pick(
    mut all: Vec<(usize, f32, CropRect)>,
    n: usize,
    per_image: usize,
) -> Vec<(usize, f32, CropRect)> {
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut taken = vec![false; all.len()];
    let mut out = Vec::new();
    let mut count = std::collections::HashMap::<usize, usize>::new();
    for pass_cap in [per_image, usize::MAX] {
        for (i, c) in all.iter().enumerate() {
            if out.len() == n {
                return out;
            }
            let k = count.entry(c.0).or_default();
            if !taken[i] && *k < pass_cap {
                taken[i] = true;
                *k += 1;
                out.push(*c);
            }
        }
    }
    out
}

/// Finds the `options.n` most uncertain regions over `images` and writes them as crops; one
/// image that cannot be read or predicted is reported through `on_error` and skipped.
///
/// # Errors
/// When no image could be used, or a crop cannot be written.
pub fn suggest(
    model: &Model,
    images: &[PathBuf],
    options: &SuggestOptions,
    on_error: &dyn Fn(&PipelineError),
) -> Result<Vec<Suggestion>> {
    let per_image = options.n.div_ceil(images.len().max(1)).max(1);
    let mut all = Vec::new();
    let mut usable = 0;
    for (i, path) in images.iter().enumerate() {
        match candidates(model, path, options, options.n) {
            Ok(found) => {
                usable += 1;
                all.extend(found.into_iter().map(|(m, r)| (i, m, r)));
            }
            Err(e) => on_error(&e),
        }
    }
    if usable == 0 {
        return Err(PipelineError::Invalid(
            "no image could be predicted, so nothing can be suggested".into(),
        ));
    }
    let picks = pick(all, options.n, per_image);
    std::fs::create_dir_all(&options.crops_dir).map_err(|e| {
        PipelineError::file(&options.crops_dir, format!("cannot create folder: {e}"))
    })?;
    let mut out = Vec::with_capacity(picks.len());
    // Images in turn, each read once for all of its picks.
    let mut order: Vec<usize> = picks.iter().map(|p| p.0).collect();
    order.sort_unstable();
    order.dedup();
    for i in order {
        let image = pixelforest_io::read_image(&images[i])?;
        let stem = pixelforest_io::image_stem(&images[i]);
        for &(_, mean, rect) in picks.iter().filter(|p| p.0 == i) {
            let path = options.crops_dir.join(crop_file_name(&stem, &rect));
            if path.exists() {
                return Err(PipelineError::file(&path, "exists already; not replaced"));
            }
            let cut = crop(&image, rect);
            pixelforest_io::write_h5_image(&path, &cut, &H5Layout::Ilastik)?;
            write_channel_list(&path, cut.channels())?;
            out.push(Suggestion {
                image: images[i].clone(),
                rect,
                mean_uncertainty: mean,
                crop: path,
            });
        }
    }
    out.sort_by(|a, b| b.mean_uncertainty.total_cmp(&a.mean_uncertainty));
    Ok(out)
}

/// The ranked table as CSV: rank, image, x, y, w, h, mean uncertainty, crop.
pub fn suggestions_csv(suggestions: &[Suggestion]) -> String {
    let mut s = String::from("rank,image,x,y,width,height,mean_uncertainty,crop\n");
    for (i, g) in suggestions.iter().enumerate() {
        s.push_str(&format!(
            "{},{},{},{},{},{},{:.4},{}\n",
            i + 1,
            g.image.display(),
            g.rect.x,
            g.rect.y,
            g.rect.w,
            g.rect.h,
            g.mean_uncertainty,
            g.crop.display()
        ));
    }
    s
}

/// Renders the suggested crops (channel 0, the summary channel of prepared images) with their
/// uncertainty, 5 to a row, each in a `size` box.
pub fn suggestions_sheet(
    model: &Model,
    suggestions: &[Suggestion],
    options: &SuggestOptions,
) -> Result<ndarray::Array3<u8>> {
    let mut tiles: Vec<(Array2<f32>, Array2<f32>)> = Vec::new();
    for g in suggestions {
        let image: Image = pixelforest_io::read_image(&g.crop)?;
        let probs = predict_image(model, &image, options.tile_size)?;
        let u = uncertainty_map(&probs, options.measure);
        tiles.push((image.data().slice(s![0, .., ..]).to_owned(), u));
    }
    let views: Vec<SheetTile> = tiles
        .iter()
        .map(|(g, u)| SheetTile {
            grey: g.view(),
            uncertainty: u.view(),
        })
        .collect();
    Ok(contact_sheet(&views, 5, options.size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: usize) -> CropRect {
        CropRect {
            x,
            y: 0,
            w: 1,
            h: 1,
        }
    }

    #[test]
    fn picks_spread_over_images_then_fill_up() {
        // Image 0 holds the four most uncertain windows; image 1 has two weaker ones.
        let all = vec![
            (0, 0.9, r(0)),
            (0, 0.8, r(1)),
            (0, 0.7, r(2)),
            (0, 0.6, r(3)),
            (1, 0.5, r(4)),
            (1, 0.4, r(5)),
        ];
        let got: Vec<usize> = pick(all.clone(), 4, 2).iter().map(|p| p.2.x).collect();
        assert_eq!(got, [0, 1, 4, 5]);
        // Too few in the other images: the rest comes from the best remaining.
        let got: Vec<usize> = pick(all, 5, 2).iter().map(|p| p.2.x).collect();
        assert_eq!(got, [0, 1, 4, 5, 2]);
    }
}
