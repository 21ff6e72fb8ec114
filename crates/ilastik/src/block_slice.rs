//! ilastik's `blockSlice` attribute: `"[0:1,25:67,16:65,0:1,0:1]"`, one `start:stop` per axis of
//! the lane, in the lane's axis order.

/// Parses a block slice into (start, stop) per axis.
pub fn parse_block_slice(s: &str) -> Option<Vec<(usize, usize)>> {
    let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?;
    inner
        .split(',')
        .map(|part| {
            let (a, b) = part.trim().split_once(':')?;
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        })
        .collect()
}

/// Formats (start, stop) per axis as a block slice.
pub fn format_block_slice(ranges: &[(usize, usize)]) -> String {
    let parts: Vec<String> = ranges.iter().map(|(a, b)| format!("{a}:{b}")).collect();
    format!("[{}]", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_slices_round_trip() {
        let r = parse_block_slice("[0:1,25:67,16:65,0:1,0:1]").unwrap();
        assert_eq!(r, vec![(0, 1), (25, 67), (16, 65), (0, 1), (0, 1)]);
        assert_eq!(format_block_slice(&r), "[0:1,25:67,16:65,0:1,0:1]");
        assert!(parse_block_slice("0:1,2:3").is_none());
        assert!(parse_block_slice("[5:1]").is_none());
        assert!(parse_block_slice("[a:1]").is_none());
    }
}
