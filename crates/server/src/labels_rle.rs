//! Run-length encoding of label maps, the wire format of `/api/images/{id}/labels`: sparse scribbles on a
//! 1000 x 1000 crop compress to a few kilobytes, and the page encodes it in a few lines of JavaScript.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A label map as `[value, count, value, count, ...]` runs in row-major order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RleLabels {
    /// Width in pixels; checked against the image before anything is written.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `[value, count, ...]`; u32 so one run can cover a whole large image.
    pub runs: Vec<u32>,
}

/// Encodes `labels` (y, x) into runs.
pub fn encode_rle(labels: &Array2<u8>) -> RleLabels {
    let (height, width) = labels.dim();
    let mut runs = Vec::new();
    let mut current: Option<(u8, u32)> = None;
    for &value in labels.iter() {
        current = match current {
            Some((v, n)) if v == value => Some((v, n + 1)),
            Some((v, n)) => {
                runs.extend([u32::from(v), n]);
                Some((value, 1))
            }
            None => Some((value, 1)),
        };
    }
    if let Some((v, n)) = current {
        runs.extend([u32::from(v), n]);
    }
    RleLabels {
        width,
        height,
        runs,
    }
}

/// Why a label map sent by the page was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RleError {
    /// The map was drawn on an image of another size (the folder changed under the page).
    #[error("label map is {width}x{height} (width x height) but the image is {image_width}x{image_height}")]
    Size {
        /// The map's width.
        width: usize,
        /// The map's height.
        height: usize,
        /// The image's width.
        image_width: usize,
        /// The image's height.
        image_height: usize,
    },
    /// The runs are not value, count pairs.
    #[error("runs must be value, count pairs (odd length given)")]
    OddRuns,
    /// A label of a class the project does not have (deleted meanwhile, or a bad client).
    #[error("label value {value} is above the number of classes ({max_value})")]
    Value {
        /// The value sent.
        value: u32,
        /// The number of classes.
        max_value: u8,
    },
    /// The runs overflow the image.
    #[error("runs cover more than the {total} pixels of the image")]
    TooLong {
        /// Pixels of the image.
        total: usize,
    },
    /// The runs end before the image does.
    #[error("runs cover {covered} pixels, the image has {total}")]
    TooShort {
        /// Pixels the runs cover.
        covered: usize,
        /// Pixels of the image.
        total: usize,
    },
}

/// Decodes runs, checking the size against the expected `(height, width)` and every value against
/// `max_value` (the number of classes).
pub fn decode_rle(
    rle: &RleLabels,
    expected: (usize, usize),
    max_value: u8,
) -> Result<Array2<u8>, RleError> {
    if (rle.height, rle.width) != expected {
        return Err(RleError::Size {
            width: rle.width,
            height: rle.height,
            image_width: expected.1,
            image_height: expected.0,
        });
    }
    if !rle.runs.len().is_multiple_of(2) {
        return Err(RleError::OddRuns);
    }
    let total = rle.width * rle.height;
    let mut flat = Vec::with_capacity(total);
    for pair in rle.runs.chunks_exact(2) {
        let (value, count) = (pair[0], pair[1] as usize);
        if value > u32::from(max_value) {
            return Err(RleError::Value { value, max_value });
        }
        if flat.len() + count > total {
            return Err(RleError::TooLong { total });
        }
        flat.resize(flat.len() + count, value as u8);
    }
    if flat.len() != total {
        return Err(RleError::TooShort {
            covered: flat.len(),
            total,
        });
    }
    // The length was checked just above, so the shape always fits.
    Ok(Array2::from_shape_vec(expected, flat).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn round_trips() {
        let labels = array![[0, 0, 1], [1, 3, 0]];
        let rle = encode_rle(&labels);
        assert_eq!(rle.runs, vec![0, 2, 1, 2, 3, 1, 0, 1]);
        assert_eq!(decode_rle(&rle, (2, 3), 3).unwrap(), labels);
    }

    #[test]
    fn rejects_wrong_size_short_runs_and_unknown_classes() {
        let runs = |runs: Vec<u32>| RleLabels {
            width: 2,
            height: 2,
            runs,
        };
        let two = encode_rle(&array![[0u8, 2], [2, 2]]);
        let size = RleError::Size {
            width: 2,
            height: 2,
            image_width: 3,
            image_height: 2,
        };
        let cases = [
            (&two, (2, 3), 3, size),
            (
                &two,
                (2, 2),
                1,
                RleError::Value {
                    value: 2,
                    max_value: 1,
                },
            ),
            (
                &runs(vec![0, 3]),
                (2, 2),
                3,
                RleError::TooShort {
                    covered: 3,
                    total: 4,
                },
            ),
            (
                &runs(vec![0, 3, 1, 9]),
                (2, 2),
                3,
                RleError::TooLong { total: 4 },
            ),
            (&runs(vec![0, 3, 1]), (2, 2), 3, RleError::OddRuns),
        ];
        for (rle, expected, max_value, error) in cases {
            assert_eq!(decode_rle(rle, expected, max_value), Err(error));
        }
    }
}
