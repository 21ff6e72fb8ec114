//! Run-length encoding of label maps, the wire format of `/api/images/{id}/labels`: sparse scribbles on a
//! 1000 x 1000 crop compress to a few kilobytes, and the page encodes it in a few lines of JavaScript.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A label map as `[value, count, value, count, ...]` runs in row-major order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RleLabels {
    pub width: usize,
    pub height: usize,
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

/// Decodes runs, checking the size against the expected `(height, width)` and every value against
/// `max_value` (the number of classes).
pub fn decode_rle(
    rle: &RleLabels,
    expected: (usize, usize),
    max_value: u8,
) -> Result<Array2<u8>, String> {
    if (rle.height, rle.width) != expected {
        return Err(format!(
            "label map is {}x{} (width x height) but the image is {}x{}",
            rle.width, rle.height, expected.1, expected.0
        ));
    }
    if !rle.runs.len().is_multiple_of(2) {
        return Err("runs must be value, count pairs (odd length given)".into());
    }
    let total = rle.width * rle.height;
    let mut flat = Vec::with_capacity(total);
    for pair in rle.runs.chunks_exact(2) {
        let (value, count) = (pair[0], pair[1] as usize);
        if value > u32::from(max_value) {
            return Err(format!(
                "label value {value} is above the number of classes ({max_value})"
            ));
        }
        if flat.len() + count > total {
            return Err(format!(
                "runs cover more than the {total} pixels of the image"
            ));
        }
        flat.resize(flat.len() + count, value as u8);
    }
    if flat.len() != total {
        return Err(format!(
            "runs cover {} pixels, the image has {total}",
            flat.len()
        ));
    }
    Array2::from_shape_vec(expected, flat).map_err(|e| e.to_string())
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
        let rle = encode_rle(&array![[0u8, 2], [2, 2]]);
        assert!(decode_rle(&rle, (2, 3), 3).unwrap_err().contains("2x2"));
        assert!(decode_rle(&rle, (2, 2), 1).unwrap_err().contains("above"));
        let short = RleLabels {
            width: 2,
            height: 2,
            runs: vec![0, 3],
        };
        assert!(decode_rle(&short, (2, 2), 3)
            .unwrap_err()
            .contains("cover 3"));
        let long = RleLabels {
            width: 2,
            height: 2,
            runs: vec![0, 3, 1, 9],
        };
        assert!(decode_rle(&long, (2, 2), 3)
            .unwrap_err()
            .contains("more than"));
    }
}
