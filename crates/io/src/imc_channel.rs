//! One IMC measurement channel: metal, mass and the user's label, as `.mcd` and `.txt` files
//! name them (readimc's `channel_metals`, `channel_masses`, `channel_labels`).

/// An IMC channel. Its [`name`](ImcChannel::name) (`Ir191`) is what steinbock's `panel.csv`
/// calls `channel`; the label (`DNA1`) is its `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImcChannel {
    /// Element symbol, e.g. `Ir`.
    pub metal: String,
    /// Isotope mass, e.g. 191.
    pub mass: u32,
    /// The user's target name, e.g. `DNA1` (may be empty).
    pub label: String,
}

impl ImcChannel {
    /// `metal` followed by `mass`, e.g. `Ir191` (readimc's `channel_names`).
    #[must_use]
    pub fn name(&self) -> String {
        format!("{}{}", self.metal, self.mass)
    }
}

/// Splits a leading run of ASCII letters from the digits that follow: `Ir191...` ->
/// (`Ir`, 191, rest). `None` when either part is missing.
pub(crate) fn split_metal_mass(s: &str) -> Option<(String, u32, &str)> {
    let letters = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    let rest = &s[letters..];
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if letters == 0 || digits == 0 {
        return None;
    }
    let mass = rest[..digits].parse().ok()?;
    Some((s[..letters].to_string(), mass, &rest[digits..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_metal_and_mass() {
        assert_eq!(split_metal_mass("Ir191Di"), Some(("Ir".into(), 191, "Di")));
        assert_eq!(split_metal_mass("191"), None);
        assert_eq!(split_metal_mass("Ir"), None);
    }
}
