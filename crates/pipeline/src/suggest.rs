//! `suggest`: where to label next. Predicts each image, finds the windows where the classifier
//! is least sure (mean uncertainty), spreads the picks over the images, skips windows that
//! overlap crops already in the crops folder, and writes the picks as new training crops named
//! as `prepare` names crops, with a ranked table and a contact sheet.

use std::path::{Path, PathBuf};

use crate::model::Model;
use ndarray::{s, Array2};
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
    /// How uncertainty is measured.
    pub measure: UncertaintyMeasure,
    /// Tile edge of the prediction.
    pub tile_size: usize,
}

/// One suggested region.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The image the region is in.
    pub image: PathBuf,
    /// The region.
    pub rect: CropRect,
    /// Its mean uncertainty.
    pub mean_uncertainty: f32,
    /// The crop file written for it.
    pub crop: PathBuf,
    /// The region's channel 0 (the summary channel of prepared images) and its uncertainty as
    /// ranked (from the whole image's prediction), for the contact sheet.
    pub grey: Array2<f32>,
    /// The region's uncertainty, as ranked.
    pub uncertainty: Array2<f32>,
}

/// A window of one image that may be suggested: its mean uncertainty, place and uncertainty.
struct Candidate {
    image: usize,
    mean: f32,
    rect: CropRect,
    uncertainty: Array2<f32>,
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

/// Image `index`'s best windows, best first (at most `max`).
fn candidates(
    model: &Model,
    (index, path): (usize, &Path),
    options: &SuggestOptions,
    max: usize,
) -> Result<Vec<Candidate>> {
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
        .map(|w| Candidate {
            image: index,
            mean: w.mean,
            rect: w.rect,
            uncertainty: map
                .slice(s![
                    w.rect.y..w.rect.y + w.rect.h,
                    w.rect.x..w.rect.x + w.rect.w
                ])
                .to_owned(),
        })
        .collect())
}

/// Picks `n` of the candidates (image index, mean uncertainty), best first, at most
/// `per_image` from one image while others still have candidates, so the picks spread over the
/// images; returns their indices.
fn pick(all: &[(usize, f32)], n: usize, per_image: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&a, &b| all[b].1.total_cmp(&all[a].1).then(all[a].0.cmp(&all[b].0)));
    let mut taken = vec![false; all.len()];
    let mut out = Vec::new();
    let mut count = std::collections::HashMap::<usize, usize>::new();
    for pass_cap in [per_image, usize::MAX] {
        for &i in &order {
            if out.len() == n {
                return out;
            }
            let k = count.entry(all[i].0).or_default();
            if !taken[i] && *k < pass_cap {
                taken[i] = true;
                *k += 1;
                out.push(i);
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
        match candidates(model, (i, path), options, options.n) {
            Ok(found) => {
                usable += 1;
                all.extend(found);
            }
            Err(e) => on_error(&e),
        }
    }
    if usable == 0 {
        return Err(PipelineError::Invalid(
            "no image could be predicted, so nothing can be suggested".into(),
        ));
    }
    let ranks: Vec<(usize, f32)> = all.iter().map(|c| (c.image, c.mean)).collect();
    let mut picked: Vec<Option<Candidate>> = all.into_iter().map(Some).collect();
    let picks: Vec<Candidate> = pick(&ranks, options.n, per_image)
        .into_iter()
        .filter_map(|i| picked[i].take())
        .collect();
    std::fs::create_dir_all(&options.crops_dir).map_err(|e| {
        PipelineError::file(&options.crops_dir, format!("cannot create folder: {e}"))
    })?;
    let mut out = Vec::with_capacity(picks.len());
    // Images in turn, each read once for all of its picks.
    let mut order: Vec<usize> = picks.iter().map(|p| p.image).collect();
    order.sort_unstable();
    order.dedup();
    for i in order {
        let image = pixelforest_io::read_image(&images[i])?;
        let stem = pixelforest_io::image_stem(&images[i]);
        for pick in picks.iter().filter(|p| p.image == i) {
            let rect = pick.rect;
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
                mean_uncertainty: pick.mean,
                crop: path,
                grey: cut.data().slice(s![0, .., ..]).to_owned(),
                uncertainty: pick.uncertainty.clone(),
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

/// Renders the suggested regions (channel 0, the summary channel of prepared images) with the
/// uncertainty they were ranked by, 5 to a row, each in a `cell` box.
pub fn suggestions_sheet(suggestions: &[Suggestion], cell: usize) -> ndarray::Array3<u8> {
    let tiles: Vec<SheetTile> = suggestions
        .iter()
        .map(|g| SheetTile {
            grey: g.grey.view(),
            uncertainty: g.uncertainty.view(),
        })
        .collect();
    contact_sheet(&tiles, 5, cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_spread_over_images_then_fill_up() {
        // Image 0 holds the four most uncertain windows; image 1 has two weaker ones.
        let all = [(0, 0.9), (0, 0.8), (0, 0.7), (0, 0.6), (1, 0.5), (1, 0.4)];
        assert_eq!(pick(&all, 4, 2), [0, 1, 4, 5]);
        // Too few in the other images: the rest comes from the best remaining.
        assert_eq!(pick(&all, 5, 2), [0, 1, 4, 5, 2]);
    }
}
