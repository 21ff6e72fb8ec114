//! Writing labels and a feature selection into an ilastik Pixel Classification project that
//! ilastik 1.4.0 or 1.3.3post3 opens with every label in place, and appending labelled lanes to
//! an existing project (for `suggest --ilp`) without touching its other lanes, labels or forest.
//!
//! What each release needs, read from its loading code (see `tests/replay/`): a lane's
//! `axistags` must describe the raw file as stored (ilastik takes the shape from the file and
//! raises `UnsuitedAxistagsException` on a mismatch); `RelativeFilesystemDatasetInfo` only for
//! paths under the project's folder (else `CantSaveAsRelativePathsException`); `StorageVersion`
//! in every applet group (else the group is ignored); label blocks in the order the stamped
//! version is read in: 1.4.0 reads 1.4.0 stamps in its reordered ("current") order, 1.3.3post3
//! reads every block in the lane's stored order, and so does 1.4.0 for a 1.3.3post3 stamp.

use std::path::{Component, Path};

use ndarray::{s, Array2};
use rust_hdf5::{H5File, H5Group};

use crate::axis_order::{current_order, ilastik14_reads_original_order, Stamp};
use crate::block_slice::format_block_slice;
use crate::error::{FormatKind, IlpError, Result};
use crate::ilp_writer::IlpWriter;
use crate::project::{IlpFeatures, IlpProject, FEATURE_IDS};

/// The ilastik release an exported project is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IlastikVersion {
    /// ilastik 1.4: stamped `1.4.0`, label blocks in ilastik's reordered axis order.
    #[default]
    V1_4,
    /// ilastik 1.3.3post3 (steinbock's): stamped `1.3.3post3`, blocks in each lane's stored order
    /// (1.4.0 reads this stamp the same way, so the project opens in both).
    V1_3,
}

impl IlastikVersion {
    /// The `ilastikVersion` written.
    pub fn stamp(self) -> &'static str {
        match self {
            IlastikVersion::V1_4 => "1.4.0",
            IlastikVersion::V1_3 => "1.3.3post3",
        }
    }

    /// Whether this release reads the blocks of a project stamped `stamp` in stored order.
    fn reads_stored_order(self, stamp: &str) -> bool {
        match self {
            IlastikVersion::V1_3 => true,
            IlastikVersion::V1_4 => ilastik14_reads_original_order(stamp),
        }
    }
}

/// One lane to write: where its raw image is, how the file stores it, and its labels.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportLane {
    /// Relative to the project's folder (and under it), or absolute; an HDF5 file is followed
    /// by its dataset (`images/a_s2.h5/a_s2`).
    pub file_path: String,
    /// The lane's name in ilastik (the file stem).
    pub nickname: String,
    /// vigra axis keys of the raw dataset as stored, e.g. `zyxc`, `cyx`, `yx`.
    pub axes: String,
    /// Shape of the raw dataset in `axes` order.
    pub shape: Vec<usize>,
    /// (height, width), 0 = unlabeled.
    pub labels: Array2<u8>,
}

/// What an exported project holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportProject {
    /// Label names, in label order.
    pub label_names: Vec<String>,
    /// Label colours, RGB, in label order.
    pub label_colors: Vec<[u8; 3]>,
    /// The feature selection.
    pub features: IlpFeatures,
    /// The lanes (input images) with their labels.
    pub lanes: Vec<ExportLane>,
    /// The ilastik version whose layout is written.
    pub version: IlastikVersion,
}

fn incompatible(path: &Path, reason: impl Into<String>) -> IlpError {
    IlpError::Incompatible {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Checks a lane is one 2-D plane that ilastik can hold with these labels.
fn check_lane(path: &Path, i: usize, lane: &ExportLane) -> Result<(usize, usize)> {
    let bad = |why: String| incompatible(path, format!("lane {i} ({}): {why}", lane.file_path));
    if lane.axes.chars().count() != lane.shape.len() {
        return Err(bad(format!(
            "axes {:?} do not fit shape {:?}",
            lane.axes, lane.shape
        )));
    }
    let pos = |k| lane.axes.chars().position(|a| a == k);
    let (Some(y), Some(x)) = (pos('y'), pos('x')) else {
        return Err(bad(format!("axes {:?} lack y or x", lane.axes)));
    };
    for (k, &n) in lane.axes.chars().zip(&lane.shape) {
        if !"tzyxc".contains(k) || (!"yxc".contains(k) && n != 1) {
            return Err(bad(format!(
                "axis {k} of length {n}: only one 2-D plane can be labelled"
            )));
        }
    }
    let (h, w) = (lane.shape[y], lane.shape[x]);
    if lane.labels.dim() != (h, w) {
        return Err(bad(format!(
            "labels are {:?} but the image is {h}x{w}",
            lane.labels.dim()
        )));
    }
    let relative = Path::new(&lane.file_path);
    if lane.file_path.is_empty()
        || (!relative.is_absolute() && relative.components().any(|c| c == Component::ParentDir))
    {
        return Err(bad(
            "a relative path must lie under the project's folder; give others absolute".into(),
        ));
    }
    Ok((h, w))
}

/// Writes a new project at `path` (replacing it).
///
/// # Errors
/// A lane ilastik could not hold (see [`ExportLane`]), or a file that cannot be written.
pub fn write_project(path: &Path, project: &ExportProject) -> Result<()> {
    for (i, lane) in project.lanes.iter().enumerate() {
        check_lane(path, i, lane)?;
        check_label_values(path, i, lane, project.label_names.len())?;
    }
    let w = IlpWriter { path };
    let file = H5File::create(path).map_err(|e| w.err("the project file", e))?;
    let root = file.root_group();
    w.text(&root, "workflowName", "Pixel Classification")?;
    w.text(&root, "ilastikVersion", project.version.stamp())?;
    w.i64s(&root, "currentApplet", &[], &[2])?;
    w.text(&root, "time", "written by pixelforest")?;

    let input = w.group(&root, "Input Data")?;
    w.texts(&input, "Role Names", &["Raw Data", "Prediction Mask"])?;
    w.text(&input, "StorageVersion", "0.2")?;
    w.group(&input, "local_data")?;
    let infos = w.group(&input, "infos")?;
    for (i, lane) in project.lanes.iter().enumerate() {
        write_lane_info(&w, &infos, i, lane)?;
    }
    write_features(&w, &root, &project.features)?;

    let pc = w.group(&root, "PixelClassification")?;
    let names: Vec<&str> = project.label_names.iter().map(String::as_str).collect();
    w.texts(&pc, "LabelNames", &names)?;
    let colors: Vec<i64> = project
        .label_colors
        .iter()
        .flat_map(|c| c.iter().map(|&v| i64::from(v)))
        .collect();
    let n = project.label_colors.len();
    w.i64s(&pc, "LabelColors", &[n, 3], &colors)?;
    w.i64s(&pc, "PmapColors", &[n, 3], &colors)?;
    w.text(&pc, "StorageVersion", "0.1")?;
    let sets = w.group(&pc, "LabelSets")?;
    let stored = project.version.reads_stored_order(project.version.stamp());
    for (i, lane) in project.lanes.iter().enumerate() {
        write_label_set(&w, &sets, i, lane, stored)?;
    }
    file.close().map_err(|e| w.err("the project file", e))
}

fn check_label_values(path: &Path, i: usize, lane: &ExportLane, n_names: usize) -> Result<()> {
    match lane.labels.iter().max() {
        Some(&m) if usize::from(m) > n_names => Err(incompatible(
            path,
            format!("lane {i} has label {m} but the project names {n_names} classes"),
        )),
        _ => Ok(()),
    }
}

/// `Input Data/infos/laneNNNN/Raw Data` as ilastik's `DatasetInfo.to_json_data` writes it, and
/// the workflow's second role (`Prediction Mask`) unset, as an empty group.
fn write_lane_info(w: &IlpWriter, infos: &H5Group, i: usize, lane: &ExportLane) -> Result<()> {
    let lane_group = w.group(infos, &format!("lane{i:04}"))?;
    let raw = w.group(&lane_group, "Raw Data")?;
    let class = if Path::new(&lane.file_path).is_absolute() {
        "FilesystemDatasetInfo"
    } else {
        "RelativeFilesystemDatasetInfo"
    };
    w.text(&raw, "__class__", class)?;
    w.text(&raw, "filePath", &lane.file_path)?;
    w.text(&raw, "location", "FileSystem")?;
    w.text(&raw, "nickname", &lane.nickname)?;
    w.text(&raw, "axistags", &pixelforest_io::axistags_json(&lane.axes))?;
    w.text(&raw, "datasetId", &format!("pixelforest-lane-{i:04}"))?;
    w.text(&raw, "display_mode", "default")?;
    w.bools(&raw, "allowLabels", &[], &[true])?;
    w.bools(&raw, "normalizeDisplay", &[], &[false])?;
    let shape: Vec<i64> = lane.shape.iter().map(|&n| n as i64).collect();
    w.i64s(&raw, "shape", &[shape.len()], &shape)?;
    w.group(&lane_group, "Prediction Mask")?;
    Ok(())
}

fn write_features(w: &IlpWriter, root: &H5Group, features: &IlpFeatures) -> Result<()> {
    let fs = w.group(root, "FeatureSelections")?;
    let n_scales = features.scales.len();
    let flat: Vec<bool> = features.matrix.iter().flatten().copied().collect();
    if flat.len() != FEATURE_IDS.len() * n_scales {
        return Err(IlpError::format(
            w.path,
            FormatKind::FeatureMatrixSize {
                entries: flat.len(),
                scales: n_scales,
            },
        ));
    }
    w.texts(&fs, "FeatureIds", &FEATURE_IDS)?;
    w.f64s(&fs, "Scales", &features.scales)?;
    w.bools(
        &fs,
        "SelectionMatrix",
        &[FEATURE_IDS.len(), n_scales],
        &flat,
    )?;
    w.bools(&fs, "ComputeIn2d", &[n_scales], &vec![true; n_scales])?;
    w.text(&fs, "StorageVersion", "0.1")
}

/// The bounding box (y0, y1, x0, x1) of the labelled pixels, if any.
fn bounding_box(labels: &Array2<u8>) -> Option<(usize, usize, usize, usize)> {
    let mut bb: Option<(usize, usize, usize, usize)> = None;
    for ((y, x), &v) in labels.indexed_iter() {
        if v != 0 {
            bb = Some(match bb {
                None => (y, y + 1, x, x + 1),
                Some((y0, y1, x0, x1)) => (y0.min(y), y1.max(y + 1), x0.min(x), x1.max(x + 1)),
            });
        }
    }
    bb
}

/// `LabelSets/labelsNNN` with one block over the labels' bounding box, its axes in the lane's
/// stored order (`stored`) or in ilastik's reordered one; every axis but y and x is `0:1`.
fn write_label_set(
    w: &IlpWriter,
    sets: &H5Group,
    i: usize,
    lane: &ExportLane,
    stored: bool,
) -> Result<()> {
    let set = w.group(sets, &format!("labels{i:03}"))?;
    let Some((y0, y1, x0, x1)) = bounding_box(&lane.labels) else {
        return Ok(());
    };
    let axes = if stored {
        lane.axes.clone()
    } else {
        current_order(&lane.axes, &lane.shape).ok_or_else(|| {
            incompatible(
                w.path,
                format!("lane {i}: no ilastik axis order for {}", lane.axes),
            )
        })?
    };
    let ranges: Vec<(usize, usize)> = axes
        .chars()
        .map(|k| match k {
            'y' => (y0, y1),
            'x' => (x0, x1),
            _ => (0, 1),
        })
        .collect();
    let shape: Vec<usize> = ranges.iter().map(|(a, b)| b - a).collect();
    let window = lane.labels.slice(s![y0..y1, x0..x1]);
    // Only y and x are longer than 1, so the block is the window, transposed when x comes first.
    let x_first = axes.find('x') < axes.find('y');
    let data: Vec<u8> = if x_first {
        window.t().iter().copied().collect()
    } else {
        window.iter().copied().collect()
    };
    w.block(
        &set,
        "block0000",
        &shape,
        &data,
        &format_block_slice(&ranges),
    )
}

/// Appends labelled lanes to the existing project at `path`, after its lanes, leaving its other
/// lanes, labels, classes and forest as they are; returns the index of the first new lane.
///
/// Blocks are written in the order `version` reads the project's stamp in.
///
/// # Errors
/// A project whose label sets do not line up with its lanes (ilastik pairs them by position),
/// labels beyond the project's classes, a lane ilastik could not hold, or `version` 1.3 for a
/// project no 1.3 release reads (see [`IlastikVersion`]).
pub fn append_lanes(path: &Path, lanes: &[ExportLane], version: IlastikVersion) -> Result<usize> {
    let existing = IlpProject::open(path)?;
    let stamp = existing.ilastik_version.clone();
    if version == IlastikVersion::V1_3 {
        check_13_can_read(path, &stamp)?;
    }
    let w = IlpWriter { path };
    let file = H5File::open_rw(path).map_err(|e| w.err("the project file (read-write)", e))?;
    let root = file.root_group();
    let infos = w.open_group(&w.open_group(&root, "Input Data")?, "infos")?;
    let n_lanes = members(&w, &infos)?.len();
    for (i, lane) in lanes.iter().enumerate() {
        check_lane(path, n_lanes + i, lane)?;
        check_label_values(path, n_lanes + i, lane, existing.label_names.len())?;
    }
    let pc = w.open_group(&root, "PixelClassification")?;
    let sets = match pc.group("LabelSets") {
        Ok(g) => g,
        Err(_) => w.group(&pc, "LabelSets")?,
    };
    fill_label_sets(&w, &sets, n_lanes)?;
    let stored = version.reads_stored_order(&stamp);
    for (j, lane) in lanes.iter().enumerate() {
        let i = n_lanes + j;
        write_lane_info(&w, &infos, i, lane)?;
        write_label_set(&w, &sets, i, lane, stored)?;
    }
    file.close().map_err(|e| w.err("the project file", e))?;
    Ok(n_lanes)
}

/// ilastik 1.3.3 to 1.3.3post2 refuse projects stamped 1.4; 1.3.3post3 opens them but reads
/// every label block in the lane's stored order, where 1.4 wrote them in its reordered one.
fn check_13_can_read(path: &Path, stamp: &str) -> Result<()> {
    let after_13 = Stamp::parse(stamp).is_some_and(|s| s.major_minor() > (1, 3));
    if after_13 && !ilastik14_reads_original_order(stamp) {
        return Err(incompatible(
            path,
            format!(
                "the project is stamped {stamp}: ilastik 1.3.3 to 1.3.3post2 refuse it, and \
                 1.3.3post3 would read its label blocks in each lane's stored axis order while \
                 ilastik {stamp} wrote them in its reordered one; no 1.3 release reads it \
                 (append for ilastik 1.4)"
            ),
        ));
    }
    Ok(())
}

/// The sub-groups of `g`.
fn members(w: &IlpWriter, g: &H5Group) -> Result<Vec<String>> {
    g.group_names().map_err(|e| {
        IlpError::format(
            w.path,
            FormatKind::CannotList {
                group: g.name().to_string(),
                reason: e.to_string(),
            },
        )
    })
}

/// ilastik pairs label sets with lanes by sorted position: makes `labels000` .. for every
/// existing lane (empty where missing), so a new lane's set lands at its lane's position.
fn fill_label_sets(w: &IlpWriter, sets: &H5Group, n_lanes: usize) -> Result<()> {
    let mut have = Vec::new();
    for name in members(w, sets)? {
        let digits: String = name.chars().filter(char::is_ascii_digit).collect();
        match digits.parse::<usize>() {
            Ok(k) if k < n_lanes => have.push(k),
            _ => {
                return Err(IlpError::format(
                    w.path,
                    FormatKind::ForeignLabelSet {
                        set: name,
                        lanes: n_lanes,
                    },
                ))
            }
        }
    }
    for k in (0..n_lanes).filter(|k| !have.contains(k)) {
        w.group(sets, &format!("labels{k:03}"))?;
    }
    Ok(())
}
