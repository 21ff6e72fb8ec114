//! The `panel.csv` steinbock's `preprocess imc panel` makes from the instrument files
//! (`steinbock/preprocessing/imc.py` `create_panel_from_mcd_files`, `_clean_panel`): one row per
//! distinct channel, sorted by mass, duplicate names numbered (`DNA 1`, `DNA 2`), every channel
//! kept, `ilastik` numbered 1..n, `deepcell` and `cellpose` empty.

use std::path::Path;

use crate::error::{format_err, Result};
use crate::imc_channel::ImcChannel;

/// One row of a steinbock panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelRow {
    /// The metal, e.g. `Ir191`.
    pub channel: String,
    /// The label, e.g. `DNA1`.
    pub name: String,
    /// Whether the channel is kept in the stacks (steinbock's `keep`).
    pub keep: bool,
    /// steinbock's ilastik channel group.
    pub ilastik: Option<u32>,
}

/// steinbock's panel for `channels` (all acquisitions' channels, in file order): one row per
/// metal (the first label seen; steinbock keeps one row per distinct metal *and* label), by
/// mass.
#[must_use]
pub fn panel_from_channels<'a>(
    channels: impl IntoIterator<Item = &'a ImcChannel>,
) -> Vec<PanelRow> {
    let mut seen: Vec<&ImcChannel> = Vec::new();
    for c in channels {
        if !seen.iter().any(|s| s.name() == c.name()) {
            seen.push(c);
        }
    }
    // pandas sorts by the digits of `channel`; a stable sort keeps file order within a mass.
    seen.sort_by_key(|c| c.mass);
    let names: Vec<String> = seen.iter().map(|c| c.label.clone()).collect();
    let mut rows: Vec<PanelRow> = Vec::with_capacity(seen.len());
    for (i, c) in seen.iter().enumerate() {
        let same = names.iter().filter(|n| **n == names[i]).count();
        let name = if same > 1 {
            let k = names[..=i].iter().filter(|n| **n == names[i]).count();
            format!("{} {k}", names[i])
        } else {
            names[i].clone()
        };
        rows.push(PanelRow {
            channel: c.name(),
            name,
            keep: true,
            ilastik: Some(u32::try_from(i + 1).unwrap_or(u32::MAX)),
        });
    }
    rows
}

/// Writes `rows` as steinbock's `panel.csv` (`channel,name,keep,ilastik,deepcell,cellpose`),
/// through [`crate::atomic_write`].
///
/// # Errors
/// The file cannot be written.
pub fn write_panel(path: &Path, rows: &[PanelRow]) -> Result<()> {
    crate::atomic_write(path, |tmp| {
        let mut w = csv::Writer::from_path(tmp)
            .map_err(|e| format_err(path, format!("cannot write panel: {e}")))?;
        let err = |e: csv::Error| format_err(path, format!("cannot write panel: {e}"));
        w.write_record(["channel", "name", "keep", "ilastik", "deepcell", "cellpose"])
            .map_err(err)?;
        for r in rows {
            let ilastik = r.ilastik.map(|v| v.to_string()).unwrap_or_default();
            let keep = if r.keep { "1" } else { "0" };
            w.write_record([r.channel.as_str(), &r.name, keep, &ilastik, "", ""])
                .map_err(err)?;
        }
        w.flush()
            .map_err(|e| format_err(path, format!("cannot write panel: {e}")))
    })
}
