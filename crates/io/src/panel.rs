//! steinbock / IMC `panel.csv` files: channel names, and steinbock's channel groups.
//!
//! steinbock (`steinbock/io.py` `read_panel`, `classification/ilastik/_ilastik.py`
//! `create_ilastik_image`) reads the panel with `,` or `;` separators, keeps the rows whose
//! `keep` is 1 (the channels of its `img/` stacks, in panel order), and reads the `ilastik`
//! column as channel **group labels**: every distinct number is one group (0 included), an
//! empty cell leaves the channel out. Its ilastik images hold the mean of each group's
//! channels, groups in ascending order, after the mean of those group images x 100.

use std::path::Path;

use crate::error::{format_err, io_err, Result};

/// Name of the summary channel steinbock and `prepare` prepend.
pub const MEAN_CHANNEL: &str = "mean";

/// One steinbock channel group.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelGroup {
    /// The label in the panel's `ilastik` column.
    pub label: f64,
    /// Indices of its channels in the `img/` stack (the kept panel rows, in order).
    pub channels: Vec<usize>,
    /// Its channel's name: the member's name, or the members' names joined by ` + `.
    pub name: String,
}

/// The groups of a panel, ascending by label, and the number of kept channels.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelGroups {
    /// The groups, ascending by label.
    pub groups: Vec<ChannelGroup>,
    /// Channels of the `img/` stacks the panel describes (its kept rows).
    pub kept: usize,
}

impl PanelGroups {
    /// Channel names of steinbock's ilastik image: the mean (if prepended), then the groups.
    #[must_use]
    pub fn image_channel_names(&self, mean: bool) -> Vec<String> {
        let mut names: Vec<String> = Vec::with_capacity(self.groups.len() + 1);
        if mean {
            names.push(MEAN_CHANNEL.to_string());
        }
        names.extend(self.groups.iter().map(|g| g.name.clone()));
        names
    }
}

/// A panel's header and rows, cells trimmed.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(path: &Path) -> Result<Table> {
        let text = std::fs::read_to_string(path).map_err(|e| io_err(path, e))?;
        let first = text.lines().next().unwrap_or_default();
        // steinbock reads with sep=",|;"; a panel uses one of the two throughout.
        let delimiter = if first.contains(';') && !first.contains(',') {
            b';'
        } else {
            b','
        };
        let mut rows = crate::channel_names::parse_csv_rows(path, text.as_bytes(), delimiter)?;
        if rows.is_empty() {
            return Err(format_err(path, "panel is empty"));
        }
        let header = rows.remove(0);
        Ok(Table { header, rows })
    }

    fn column(&self, keys: &[&str]) -> Option<usize> {
        keys.iter()
            .find_map(|k| self.header.iter().position(|h| h.eq_ignore_ascii_case(k)))
    }

    fn cell(&self, row: &[String], col: usize) -> String {
        row.get(col).cloned().unwrap_or_default()
    }

    fn name_column(&self, path: &Path) -> Result<usize> {
        self.column(&["name", "Target"])
            .or_else(|| self.column(&["channel", "Metal Tag"]))
            .ok_or_else(|| {
                format_err(
                    path,
                    "panel has no `name`, `Target`, `channel` or `Metal Tag` column",
                )
            })
    }

    /// Rows steinbock keeps: `keep` 1/true (all rows without a `keep` column).
    fn kept_rows(&self, path: &Path) -> Result<Vec<&Vec<String>>> {
        let Some(col) = self.column(&["keep"]) else {
            return Ok(self.rows.iter().collect());
        };
        let mut kept = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            match parse_bool(&self.cell(row, col)) {
                Some(true) => kept.push(row),
                Some(false) => {}
                None => {
                    return Err(format_err(
                        path,
                        format!("row {}: `keep` must be 0 or 1", i + 2),
                    ))
                }
            }
        }
        Ok(kept)
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" => Some(true),
        "0" | "false" => Some(false),
        _ => None,
    }
}

/// A group label: a number, or true/false as pandas reads them (1/0); `None` when empty.
fn parse_label(v: &str) -> Option<std::result::Result<f64, ()>> {
    if v.is_empty() || v.eq_ignore_ascii_case("nan") {
        return None;
    }
    Some(match parse_bool(v) {
        Some(b) => Ok(f64::from(u8::from(b))),
        None => v.parse::<f64>().map_err(|_| ()),
    })
}

/// Reads steinbock's channel groups from `panel`; `None` if it has no `ilastik` column or
/// the column is empty (steinbock then uses every channel on its own).
///
/// # Errors
/// The panel cannot be read, a `keep` cell is not 0/1, or an `ilastik` cell is not a number.
pub fn read_panel_groups(panel: &Path) -> Result<Option<PanelGroups>> {
    let table = Table::read(panel)?;
    let Some(col) = table.column(&["ilastik"]) else {
        return Ok(None);
    };
    let name_col = table.name_column(panel)?;
    let kept = table.kept_rows(panel)?;
    let mut groups: Vec<ChannelGroup> = Vec::new();
    for (i, row) in kept.iter().enumerate() {
        let cell = table.cell(row, col);
        let Some(label) = parse_label(&cell) else {
            continue;
        };
        let label = label.map_err(|()| {
            format_err(
                panel,
                format!("`ilastik` value {cell:?} is not a group number"),
            )
        })?;
        let name = table.cell(row, name_col);
        match groups.iter_mut().find(|g| g.label == label) {
            Some(g) => {
                g.channels.push(i);
                g.name = format!("{} + {name}", g.name);
            }
            None => groups.push(ChannelGroup {
                label,
                channels: vec![i],
                name,
            }),
        }
    }
    if groups.is_empty() {
        return Ok(None);
    }
    groups.sort_by(|a, b| a.label.total_cmp(&b.label));
    Ok(Some(PanelGroups {
        groups,
        kept: kept.len(),
    }))
}

/// The `channel` and `name` columns of a steinbock panel, every row in order: the metals
/// (`Ir191`) steinbock's `preprocess imc images` puts in each image, in this order, and their
/// names (the metal when the panel has no `name`, or the cell is empty).
///
/// # Errors
/// The panel cannot be read, has no `channel` column, or a `channel` cell is empty.
pub fn read_panel_channels(panel: &Path) -> Result<Vec<(String, String)>> {
    let table = Table::read(panel)?;
    let col = table
        .column(&["channel"])
        .ok_or_else(|| format_err(panel, "panel has no `channel` column"))?;
    let name_col = table.column(&["name"]);
    let mut channels = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        let channel = table.cell(row, col);
        if channel.is_empty() {
            return Err(format_err(panel, format!("row {}: empty `channel`", i + 2)));
        }
        let name = name_col.map(|c| table.cell(row, c)).unwrap_or_default();
        let name = if name.is_empty() {
            channel.clone()
        } else {
            name
        };
        channels.push((channel, name));
    }
    Ok(channels)
}

/// Channel names for an `n`-channel image from a steinbock/IMC `panel.csv`.
///
/// Candidates, the first with `n` names wins: for HDF5 images with numbered groups (steinbock's
/// `ilastik_img/`, `ilastik_crops/`), the mean and the groups, then the groups alone; then the
/// rows with `ilastik`, `keep` or `full` = 1 (ImcSegmentationPipeline's boolean columns); all
/// rows; and last the mean and groups of a 0/1 `ilastik` column (or, without an `ilastik`
/// column, the mean and the kept rows).
///
/// # Errors
/// The panel cannot be read, or no candidate has `n` names (the error lists them).
pub fn read_panel(panel: &Path, n: usize, image: &Path) -> Result<Vec<String>> {
    let table = Table::read(panel)?;
    let name_col = table.name_column(panel)?;
    let groups = read_panel_groups(panel)?;
    let numbered = groups
        .as_ref()
        .is_some_and(|g| g.groups.iter().any(|g| g.label != 0.0 && g.label != 1.0));
    let is_h5 = image
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| e == "h5" || e == "hdf5");
    let mut candidates: Vec<(String, Vec<String>)> = Vec::new();
    let kept: Vec<String> = table
        .kept_rows(panel)?
        .iter()
        .map(|r| table.cell(r, name_col))
        .collect();
    let grouped = |c: &mut Vec<(String, Vec<String>)>| match &groups {
        Some(g) => {
            c.push((
                "the mean and the `ilastik` groups".into(),
                g.image_channel_names(true),
            ));
            c.push(("the `ilastik` groups".into(), g.image_channel_names(false)));
        }
        // Without groups steinbock's ilastik images hold the mean and every kept channel.
        None => {
            let mut names = vec![MEAN_CHANNEL.to_string()];
            names.extend(kept.iter().cloned());
            c.push(("the mean and the kept rows".into(), names));
        }
    };
    if numbered && is_h5 {
        grouped(&mut candidates);
    }
    for key in ["ilastik", "keep", "full"] {
        if let Some(col) = table.column(&[key]) {
            let names = table
                .rows
                .iter()
                .filter(|r| parse_bool(&table.cell(r, col)) == Some(true))
                .map(|r| table.cell(r, name_col))
                .collect();
            candidates.push((format!("rows with {key}=1"), names));
        }
    }
    let all = table.rows.iter().map(|r| table.cell(r, name_col)).collect();
    candidates.push(("rows in all".into(), all));
    if !(numbered && is_h5) {
        grouped(&mut candidates);
    }
    if let Some((_, names)) = candidates.iter().find(|(_, names)| names.len() == n) {
        return Ok(names.clone());
    }
    let tried: Vec<String> = candidates
        .iter()
        .map(|(what, names)| format!("{} {what}", names.len()))
        .collect();
    Err(format_err(
        panel,
        format!(
            "panel gives {} but {} has {n} channels",
            tried.join(", "),
            image.display()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("panel.csv");
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    /// The panel of steinbock's own test data (BodenmillerGroup/TestData
    /// datasets/210308_ImcTestData/steinbock/panel.csv).
    const TESTDATA_PANEL: &str = "channel,name,keep,ilastik,deepcell,cellpose,Tube Number\n\
        Ag107,Ag107,1,1,,,\n\
        Pr141,Cytokeratin 5,1,,2.0,2.0,2266.0\n\
        Sm147,Laminin,1,,,,625.0\n\
        Eu153,YBX1,1,2,,,2359.0\n\
        Yb172,H3K27Ac,1,3,1.0,1.0,1378.0\n";

    #[test]
    fn group_numbers_select_and_order_channels_as_steinbock() {
        let (_d, p) = panel(TESTDATA_PANEL);
        let g = read_panel_groups(&p).unwrap().unwrap();
        assert_eq!(g.kept, 5);
        let chans: Vec<_> = g.groups.iter().map(|g| g.channels.clone()).collect();
        assert_eq!(chans, [vec![0], vec![3], vec![4]]);
        // steinbock's ilastik_img of this panel has 4 channels: mean, then groups 1, 2, 3.
        let names = read_panel(&p, 4, Path::new("ilastik_img/a.h5")).unwrap();
        assert_eq!(names, ["mean", "Ag107", "YBX1", "H3K27Ac"]);
        // Its img/ stacks have the 5 kept channels.
        let names = read_panel(&p, 5, Path::new("img/a.tiff")).unwrap();
        assert_eq!(names[1], "Cytokeratin 5");
    }

    /// Regression: images of steinbock's `ilastik_img/` (mean + one channel per group) were
    /// refused with a channel-count error against the project's `panel.csv`.
    #[test]
    fn steinbock_ilastik_img_channels_are_not_a_count_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("panel.csv"), TESTDATA_PANEL).unwrap();
        let image = dir.path().join("ilastik_img").join("a_001.h5");
        let names = crate::resolve_channel_names(&image, 4, None).unwrap();
        assert_eq!(names, ["mean", "Ag107", "YBX1", "H3K27Ac"]);
    }

    #[test]
    fn groups_merge_sort_numerically_and_honour_keep() {
        // pandas reads 0 as a group label (np.unique keeps it); empty cells are left out.
        let (_d, p) = panel(
            "channel;name;keep;ilastik\nA;a;1;10\nB;b;0;1\nC;c;1;2\nD;d;1;10\nE;e;1;\nF;f;1;0\n",
        );
        let g = read_panel_groups(&p).unwrap().unwrap();
        assert_eq!(g.kept, 5);
        let got: Vec<_> = g
            .groups
            .iter()
            .map(|g| (g.label, g.channels.clone(), g.name.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (0.0, vec![4], "f".to_string()),
                (2.0, vec![1], "c".to_string()),
                (10.0, vec![0, 2], "a + d".to_string()),
            ]
        );
    }

    #[test]
    fn boolean_panels_keep_their_reference_workflow_meaning() {
        let (_d, p) = panel("Metal Tag,Target,full,ilastik\nX1,a,1,1\nX2,b,1,0\nX3,c,1,1\n");
        assert_eq!(read_panel(&p, 2, Path::new("a.tiff")).unwrap(), ["a", "c"]);
        assert_eq!(
            read_panel(&p, 3, Path::new("a.tiff")).unwrap(),
            ["a", "b", "c"]
        );
        let err = read_panel(&p, 7, Path::new("a.h5"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("2 rows with ilastik=1"), "{err}");
        let (_d, bad) = panel("channel,name,ilastik\nA,a,x\n");
        let err = read_panel_groups(&bad).unwrap_err().to_string();
        assert!(err.contains("not a group number"), "{err}");
    }
}
