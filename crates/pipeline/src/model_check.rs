//! Checks that an image fits a model before any pixel is computed: a model applied to images
//! with other channels gives wrong probabilities silently, so it is an error instead.

use crate::model::Model;

/// Why an image with channels `have` does not fit `model`, or `None` if it does.
///
/// The channel count must match. Names must match too, except where either side only has
/// generated names (`ch0`, `ch1`, ...: a stack without a channel list), which say nothing.
pub(crate) fn names_mismatch(model: &Model, have: &[String]) -> Option<String> {
    let want = &model.meta.channel_names;
    if want.len() != have.len() {
        return Some(format!(
            "the model was trained on {} channels ({}) but the image has {} ({})",
            want.len(),
            preview(want),
            have.len(),
            preview(have)
        ));
    }
    if is_generated(want) || is_generated(have) {
        return None;
    }
    let (i, (w, h)) = want
        .iter()
        .zip(have)
        .enumerate()
        .find(|(_, (w, h))| w != h)?;
    Some(format!(
        "channel {i} is {h:?} but the model was trained with {w:?} there (model channels: {})",
        preview(want)
    ))
}

/// True for the names io generates for a stack without a channel list.
pub fn is_generated(names: &[String]) -> bool {
    pixelforest_core::is_generated_channel_names(names)
}

fn preview(names: &[String]) -> String {
    const SHOW: usize = 6;
    let mut s = names
        .iter()
        .take(SHOW)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOW {
        s.push_str(&format!(", ... {} more", names.len() - SHOW));
    }
    s
}
