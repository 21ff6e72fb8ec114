//! Which axis order ilastik holds a lane in, and in which order it reads a project's label
//! blocks: the rules of the Pixel Classification workflow (`pixelClassificationWorkflow.py`
//! `createDataSelectionApplet`, `opDataSelection.py` `setupOutputs`) and of
//! `pixelClassificationSerializer.py` (`BackwardsCompatibleLabelSerialBlockSlot`).

use std::cmp::Ordering;

/// The Pixel Classification workflow's allowed orders, in ilastik's list order: `yxc`, `xyc`,
/// then every 3- and 4-axis permutation of `tzyx` followed by `c`.
fn c_at_end() -> Vec<String> {
    let mut out = vec!["yxc".to_string(), "xyc".to_string()];
    let keys = ['t', 'z', 'y', 'x'];
    let mut perms3 = Vec::new();
    let mut perms4 = Vec::new();
    for &a in &keys {
        for &b in keys.iter().filter(|&&k| k != a) {
            for &c in keys.iter().filter(|&&k| k != a && k != b) {
                perms3.push(format!("{a}{b}{c}c"));
                for &d in keys.iter().filter(|&&k| k != a && k != b && k != c) {
                    perms4.push(format!("{a}{b}{c}{d}c"));
                }
            }
        }
    }
    out.extend(perms3);
    out.extend(perms4);
    out
}

/// The order ilastik reorders a lane of `axes` / `shape` to (its "current" order): the first
/// shortest allowed order holding every axis longer than 1. `None` when none fits.
pub fn current_order(axes: &str, shape: &[usize]) -> Option<String> {
    let needed: Vec<char> = axes
        .chars()
        .zip(shape)
        .filter(|(_, &n)| n > 1)
        .map(|(k, _)| k)
        .collect();
    c_at_end()
        .into_iter()
        .filter(|o| needed.iter().all(|k| o.contains(*k)))
        .min_by_key(String::len)
}

/// A project's `ilastikVersion` ordered as PEP 440 orders these forms (`1.3.3post3`,
/// `1.4.0b7`, `1.2.0rc10`, `1.4.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    release: Vec<u64>,
    /// (0 a, 1 b, 2 rc, 3 final, n)
    pre: (u8, u64),
    post: Option<u64>,
}

impl Stamp {
    pub(crate) fn parse(text: &str) -> Option<Stamp> {
        let t = text.trim().to_lowercase();
        let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
        let release: Vec<u64> = t[..split]
            .trim_end_matches('.')
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let rest = t[split..].trim_start_matches('.');
        let number = |s: &str| -> Option<u64> {
            if s.is_empty() {
                Some(0)
            } else {
                s.parse().ok()
            }
        };
        let (mut pre, mut post) = ((3, 0), None);
        if let Some(n) = rest.strip_prefix("post") {
            post = Some(number(n)?);
        } else if let Some(n) = rest.strip_prefix("rc") {
            pre = (2, number(n)?);
        } else if let Some(n) = rest.strip_prefix('b') {
            pre = (1, number(n)?);
        } else if let Some(n) = rest.strip_prefix('a') {
            pre = (0, number(n)?);
        } else if !rest.is_empty() {
            return None;
        }
        Some(Stamp { release, pre, post })
    }

    /// Major and minor release, as `isVersionCompatible` compares them.
    pub(crate) fn major_minor(&self) -> (u64, u64) {
        (
            self.release.first().copied().unwrap_or(0),
            self.release.get(1).copied().unwrap_or(0),
        )
    }
}

impl PartialOrd for Stamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Stamp {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.release.len().max(other.release.len());
        let pad = |r: &[u64]| {
            (0..n)
                .map(|i| r.get(i).copied().unwrap_or(0))
                .collect::<Vec<_>>()
        };
        pad(&self.release)
            .cmp(&pad(&other.release))
            .then(self.pre.cmp(&other.pre))
            .then(self.post.cmp(&other.post))
    }
}

fn stamp(text: &str) -> Stamp {
    Stamp::parse(text).unwrap_or(Stamp {
        release: vec![0],
        pre: (3, 0),
        post: None,
    })
}

/// Whether ilastik 1.4.0 reads the label blocks of a project stamped `version` in the lane's
/// original (stored) axis order: stamps 1.3.3post2 to 1.4.0b7; later and earlier stamps are
/// read in the current order (`labels_were_saved_in_slot_original_order`).
pub fn ilastik14_reads_original_order(version: &str) -> bool {
    let v = stamp(version);
    stamp("1.3.3post2") <= v && v <= stamp("1.4.0b7")
}

/// The axis keys of a stored label block of `ndim` axes in a lane of `axes` / `shape`: the order
/// ilastik 1.4.0 reads a project stamped `version` in, else the other of the two (projects
/// older than 1.3.3post2 kept blocks in stored order), `None` when neither has `ndim` axes.
pub fn block_axes(
    version: &str,
    axes: &str,
    shape: Option<&[usize]>,
    ndim: usize,
) -> Option<String> {
    let current = shape
        .filter(|s| s.len() == axes.chars().count())
        .and_then(|s| current_order(axes, s));
    let stored = (!axes.is_empty()).then(|| axes.to_string());
    let (first, second) = if ilastik14_reads_original_order(version) {
        (stored, current)
    } else {
        (current, stored)
    };
    [first, second]
        .into_iter()
        .flatten()
        .find(|a| a.chars().count() == ndim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_orders_follow_the_workflow_list() {
        assert_eq!(current_order("zyxc", &[1, 50, 60, 12]).unwrap(), "yxc");
        assert_eq!(current_order("cyx", &[12, 50, 60]).unwrap(), "yxc");
        assert_eq!(current_order("yx", &[50, 60]).unwrap(), "yxc");
        assert_eq!(current_order("txyzc", &[9, 99, 105, 1, 1]).unwrap(), "tyxc");
        assert_eq!(current_order("zyxc", &[64, 64, 64, 1]).unwrap(), "zyxc");
        assert_eq!(c_at_end().len(), 2 + 24 + 24);
    }

    #[test]
    fn stamps_order_as_pep440() {
        for (a, b) in [
            ("1.3.3post2", "1.3.3post3"),
            ("1.3.3", "1.3.3post2"),
            ("1.4.0b7", "1.4.0"),
            ("1.4.0b7", "1.4.0b17"),
            ("1.2.0rc10", "1.3.3"),
            ("1.4.0rc2", "1.4.0"),
        ] {
            assert!(stamp(a) < stamp(b), "{a} < {b}");
        }
        assert!(ilastik14_reads_original_order("1.3.3post3"));
        assert!(ilastik14_reads_original_order("1.4.0b7"));
        assert!(!ilastik14_reads_original_order("1.4.0"));
        assert!(!ilastik14_reads_original_order("1.4.0b17"));
        assert!(!ilastik14_reads_original_order("1.2.0rc10"));
    }
}
