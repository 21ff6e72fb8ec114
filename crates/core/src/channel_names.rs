//! The names given to channels of a source that names none (a TIFF stack without a channel
//! list, an ilastik project): `ch0`, `ch1`, ... Such names say nothing, so a model or image
//! carrying them matches any other of the same channel count. The one home of the convention.

/// `ch0`, `ch1`, ... `ch{n-1}`.
#[must_use]
pub fn generated_channel_names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("ch{i}")).collect()
}

/// True when `names` are exactly the generated ones (see [`generated_channel_names`]).
#[must_use]
pub fn is_generated_channel_names(names: &[String]) -> bool {
    names
        .iter()
        .enumerate()
        .all(|(i, n)| n.strip_prefix("ch").and_then(|d| d.parse::<usize>().ok()) == Some(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_are_recognised_and_real_ones_are_not() {
        assert_eq!(generated_channel_names(3), ["ch0", "ch1", "ch2"]);
        assert!(is_generated_channel_names(&generated_channel_names(12)));
        assert!(!is_generated_channel_names(&["ch1".to_string()]));
        assert!(!is_generated_channel_names(&["DNA1".to_string()]));
    }
}
