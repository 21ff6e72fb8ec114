//! The axis order of a project's label blocks, which depends on the ilastik version that saved
//! them (ilastik's `pixelClassificationSerializer.py`, `BackwardsCompatibleLabelSerialBlockSlot`):
//! - a block that carries its own `axistags` attribute (ilastik >= 1.4) says so itself;
//! - 1.3.3post2 up to 1.4.0b7 saved blocks in the raw file's *original* axis order;
//! - later releases save them in the lane's *current* order, the one `OpDataSelection` reorders
//!   the raw data to: the shortest of the workflow's "channel last" orders (`yxc`, `xyc`, then
//!   3- and 4-axis permutations of `tzyx` followed by `c`) holding every non-singleton axis
//!   (`pixelClassificationWorkflow.py`, `opDataSelection.py` `_get_output_axis_order`);
//! - older projects (1.0 to 1.3.2) used the lane's axis tags as stored.

use std::cmp::Ordering;

/// An ilastik version as PEP 440 orders it, enough for ilastik's own version strings
/// (`1.2.0rc10`, `1.3.3post2`, `1.4.0b7`, `1.4.0.post1`).
#[derive(Debug, Clone)]
pub(crate) struct Version {
    release: Vec<u64>,
    /// Pre-release (a = 0, b = 1, rc = 2) and its number; `None` for a final release.
    pre: Option<(u8, u64)>,
    post: Option<u64>,
}

impl Version {
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches('v');
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let release: Vec<u64> = text[..end]
            .trim_end_matches('.')
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let mut rest = text[end..].trim_start_matches(['.', '-', '_']);
        let mut pre = None;
        let mut post = None;
        for (tag, kind) in [("rc", 2u8), ("a", 0), ("b", 1)] {
            if let Some(r) = rest.strip_prefix(tag) {
                let (n, r) = leading_number(r);
                pre = Some((kind, n));
                rest = r.trim_start_matches(['.', '-', '_']);
                break;
            }
        }
        if let Some(r) = rest.strip_prefix("post") {
            post = Some(leading_number(r).0);
        }
        Some(Version { release, pre, post })
    }
}

fn leading_number(s: &str) -> (u64, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    (s[..end].parse().unwrap_or(0), &s[end..])
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.release.len().max(other.release.len());
        let part = |v: &Version, i: usize| v.release.get(i).copied().unwrap_or(0);
        (0..n)
            .map(|i| part(self, i).cmp(&part(other, i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
            // A final release sorts after its pre-releases.
            .then_with(|| match (self.pre, other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(&b),
            })
            .then_with(|| self.post.cmp(&other.post))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The axis order ilastik's pixel classification reorders a lane to: the shortest "channel
/// last" order that holds every axis of length > 1 (`c` is always there).
pub(crate) fn current_axes(axes: &str, shape: &[usize]) -> Option<String> {
    let required: Vec<char> = axes
        .chars()
        .zip(shape)
        .filter(|&(_, &n)| n > 1)
        .map(|(a, _)| a)
        .filter(|&a| a != 'c')
        .collect();
    channel_last_orders()
        .into_iter()
        .find(|o| required.iter().all(|a| o.contains(*a)))
}

/// ilastik's `c_at_end` list, in its order, shortest first.
fn channel_last_orders() -> Vec<String> {
    let mut orders = vec!["yxc".to_string(), "xyc".to_string()];
    for k in [3, 4] {
        for perm in permutations(&['t', 'z', 'y', 'x'], k) {
            orders.push(perm.into_iter().chain(['c']).collect());
        }
    }
    orders
}

/// Python's `itertools.permutations(items, k)`, in its order.
fn permutations(items: &[char], k: usize) -> Vec<Vec<char>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for (i, &first) in items.iter().enumerate() {
        let rest: Vec<char> = items
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &c)| c)
            .collect();
        for mut tail in permutations(&rest, k - 1) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

/// The axis keys of a saved label block with `ndim` axes, for a lane with `lane_axes` (as the
/// project stores them) and `lane_shape`, saved by ilastik `version`; `own` is the block's own
/// `axistags` attribute, when it has one. `None` when no rule gives `ndim` axes.
pub(crate) fn block_axes(
    own: Option<&str>,
    version: &str,
    lane_axes: &str,
    lane_shape: Option<&[usize]>,
    ndim: usize,
) -> Option<String> {
    let fits = |a: &String| a.chars().count() == ndim;
    if let Some(a) = own.and_then(crate::project::axes_from_axistags) {
        return fits(&a).then_some(a);
    }
    let current = lane_shape.and_then(|s| current_axes(lane_axes, s));
    let original = Some(lane_axes.to_string()).filter(|a| !a.is_empty());
    let v = Version::parse(version);
    let (first, second) = match v {
        Some(v) if v >= Version::parse("1.3.3post2")? && v <= Version::parse("1.4.0b7")? => {
            (original, current)
        }
        Some(v) if v > Version::parse("1.4.0b7")? => (current, original),
        _ => (original, current),
    };
    first.filter(fits).or(second.filter(fits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_as_pep440() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("1.3.3post2") > v("1.3.3"));
        assert!(v("1.3.3post3") > v("1.3.3post2"));
        assert!(v("1.4.0b7") < v("1.4.0"));
        assert!(v("1.4.0b7") < v("1.4.0b20"));
        assert!(v("1.4.0rc1") > v("1.4.0b29"));
        assert!(v("1.4.0.post1") > v("1.4.0"));
        assert!(v("1.4.1b15") > v("1.4.0b7"));
        assert!(v("1.2.0rc10") < v("1.3.3post2"));
        assert_eq!(v("1.4.0"), v("1.4"));
    }

    #[test]
    fn current_order_drops_singleton_axes() {
        // ImcSegmentationPipeline crops: (1, y, x, c) zyxc.
        assert_eq!(current_axes("zyxc", &[1, 500, 500, 12]).unwrap(), "yxc");
        // steinbock: c, y, x.
        assert_eq!(current_axes("cyx", &[12, 500, 500]).unwrap(), "yxc");
        // 2D + time (ilastik's mitocheck test data).
        assert_eq!(current_axes("txyzc", &[3, 99, 105, 1, 1]).unwrap(), "tyxc");
        assert_eq!(current_axes("zyxc", &[5, 64, 64, 1]).unwrap(), "zyxc");
    }

    #[test]
    fn block_axes_follow_the_saving_version() {
        let shape = [1usize, 50, 60, 3];
        // 1.3.3post3 (steinbock's ilastik) keeps the original order.
        assert_eq!(
            block_axes(None, "1.3.3post3", "zyxc", Some(&shape), 4).unwrap(),
            "zyxc"
        );
        // 1.4.0 saves the reordered one.
        assert_eq!(
            block_axes(None, "1.4.0", "zyxc", Some(&shape), 3).unwrap(),
            "yxc"
        );
        // The block's own axistags win.
        let tags = r#"{"axes": [{"key": "x"}, {"key": "y"}, {"key": "c"}]}"#;
        assert_eq!(
            block_axes(Some(tags), "1.4.0", "zyxc", Some(&shape), 3).unwrap(),
            "xyc"
        );
        assert_eq!(block_axes(None, "1.4.0", "zyxc", Some(&shape), 5), None);
    }
}
