//! Cell masks: single-channel integer label images, 0 = background (steinbock's `masks/`,
//! uint16 TIFF; CellProfiler's `*_mask.tiff`).

use std::path::Path;

use ndarray::{Array2, Axis};

use crate::error::{format_err, Result};
use crate::tiff_stack::{read_tiff_stack, StoredType};

/// The largest label read exactly (the stack reader decodes through f32).
const MAX_LABEL: f32 = 16_777_216.0;

/// Reads a mask TIFF as `(y, x)` labels.
///
/// # Errors
/// The file cannot be read, has more than one channel, holds floats or signed integers, or a
/// label above 2^24.
pub fn read_mask(path: &Path) -> Result<Array2<u32>> {
    let stack = read_tiff_stack(path)?;
    if !matches!(
        stack.stored,
        StoredType::U8 | StoredType::U16 | StoredType::U32
    ) {
        return Err(format_err(
            path,
            "a mask must hold unsigned integer labels (uint8, uint16 or uint32)",
        ));
    }
    let channels = stack.data.shape()[0];
    if channels != 1 {
        return Err(format_err(
            path,
            format!("a mask has one channel, this file has {channels}"),
        ));
    }
    if let Some(v) = stack.data.iter().find(|&&v| v > MAX_LABEL) {
        return Err(format_err(
            path,
            format!("label {v} is above {MAX_LABEL}, the largest supported"),
        ));
    }
    Ok(stack.data.index_axis(Axis(0), 0).mapv(|v| v as u32))
}
