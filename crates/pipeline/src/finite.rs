//! Images with NaN or infinite values: a few such pixels spread through every filter that
//! touches them (3 NaN pixels changed 3,963 output pixels) and an all-NaN image still gives a
//! confident-looking map, so by default they are an error naming the file and the count.

use std::path::Path;

use crate::error::PipelineError;

/// What to do with NaN and infinite pixel values in an input image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NonFinite {
    /// Refuse the image (the default): the error names the file and the count.
    #[default]
    Error,
    /// Treat them as 0 (as an instrument's missing value).
    Zero,
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
