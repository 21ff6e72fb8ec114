//! The memory an image may take once decoded, checked against what a file declares before
//! anything is allocated: a header of a few bytes can declare 100000 x 100000 pixels, and an
//! allocation that large aborts the process (and with it the rest of a batch).

use std::path::Path;

use crate::error::{format_err, Result};

/// Environment variable that changes [`memory_budget`] (bytes).
pub const BUDGET_VAR: &str = "PIXELFOREST_MAX_IMAGE_BYTES";

/// Default budget: 8 GiB of decoded `f32` samples, e.g. 2000 x 2000 pixels x 500 channels, far
/// beyond an IMC acquisition (about 1000 x 1000 x 50) and below the 24 GB of a typical
/// workstation.
pub const DEFAULT_BUDGET: u64 = 8 << 30;

/// Bytes one decoded image (as `f32`) may take: `PIXELFOREST_MAX_IMAGE_BYTES`, or
/// [`DEFAULT_BUDGET`].
#[must_use]
pub fn memory_budget() -> u64 {
    std::env::var(BUDGET_VAR)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_BUDGET)
}

/// Checks that `samples` decoded values (4 bytes each as `f32`) fit the memory budget.
///
/// # Errors
/// A format error naming `path`, the declared shape `what` and the budget.
pub fn check_samples(path: &Path, samples: u128, what: &str) -> Result<()> {
    let bytes = samples.saturating_mul(4);
    let budget = memory_budget();
    if bytes > u128::from(budget) {
        return Err(format_err(
            path,
            format!(
                "declares {what}, {bytes} bytes once decoded, more than the memory budget of \
                 {budget} bytes (set {BUDGET_VAR} to raise it)"
            ),
        ));
    }
    Ok(())
}
