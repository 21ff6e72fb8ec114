//! Images with NaN or infinite values: a few such pixels spread through every filter that
//! touches them (3 NaN pixels changed 3,963 output pixels) and an all-NaN image still gives a
//! confident-looking map, so by default they are an error naming the file and the count.

use std::path::Path;

use pixelforest_core::Image;

use crate::error::{PipelineError, Result};

/// What to do with NaN and infinite pixel values in an input image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NonFinite {
    /// Refuse the image (the default): the error names the file and the count.
    #[default]
    Error,
    /// Treat them as 0 (as an instrument's missing value).
    Zero,
}

/// Applies `policy` to the non-finite values of `image`, read from `path`.
///
/// # Errors
/// With [`NonFinite::Error`], when any value is NaN or infinite.
pub fn check_finite(path: &Path, image: &mut Image, policy: NonFinite) -> Result<()> {
    let bad = image.data().iter().filter(|v| !v.is_finite()).count();
    if bad == 0 {
        return Ok(());
    }
    match policy {
        NonFinite::Error => Err(non_finite_error(path, bad, image.data().len())),
        NonFinite::Zero => {
            image
                .data_mut()
                .mapv_inplace(|v| if v.is_finite() { v } else { 0.0 });
            Ok(())
        }
    }
}

/// The error for `bad` NaN or infinite values among `total` in the image at `path`.
pub(crate) fn non_finite_error(path: &Path, bad: usize, total: usize) -> PipelineError {
    PipelineError::file(
        path,
        format!(
            "{bad} of {total} values are NaN or infinite (use --nan-as-zero to treat them as 0)"
        ),
    )
}
