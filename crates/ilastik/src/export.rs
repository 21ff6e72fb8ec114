//! Writing labels and a feature selection into a new ilastik Pixel Classification project
//! that ilastik opens with the labels in place (the layout of ilastik 1.3/1.4 projects: scalar
//! string metadata, `Input Data` lanes with axistags, `FeatureSelections`, and
//! `PixelClassification/LabelSets/labelsNNN/blockNNNN` with `blockSlice`).

use std::path::Path;

use ndarray::{s, Array2};
use rust_hdf5::{DatatypeMessage, H5File, H5Group, HBool, VarLenUnicode};

use crate::block_slice::format_block_slice;
use crate::error::{IlpError, Result};
use crate::project::{IlpFeatures, FEATURE_IDS};

/// One lane to write: its raw image (path as stored, relative to the project folder), and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportLane {
    pub file_path: String,
    pub nickname: String,
    /// (height, width, channels) of the raw image.
    pub shape: (usize, usize, usize),
    pub labels: Array2<u8>,
}

/// What an exported project holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportProject {
    pub label_names: Vec<String>,
    pub label_colors: Vec<[u8; 3]>,
    pub features: IlpFeatures,
    pub lanes: Vec<ExportLane>,
}

/// The vigra axistags JSON of `keys` (t, z, y, x spatial/time; c channel).
fn axistags(keys: &str) -> String {
    let axes: Vec<String> = keys
        .chars()
        .map(|k| {
            let flags = match k {
                'c' => 1,
                't' => 8,
                _ => 2,
            };
            format!(
                "    {{\n      \"key\": \"{k}\",\n      \"typeFlags\": {flags},\n      \"resolution\": 0,\n      \"description\": \"\"\n    }}"
            )
        })
        .collect();
    format!("{{\n  \"axes\": [\n{}\n  ]\n}}", axes.join(",\n"))
}

struct Writer<'a> {
    path: &'a Path,
}

impl Writer<'_> {
    fn err(&self, what: &str, e: rust_hdf5::Hdf5Error) -> IlpError {
        IlpError::format(self.path, format!("cannot write {what}: {e}"))
    }

    fn text(&self, g: &H5Group, name: &str, value: &str) -> Result<()> {
        let ds = g
            .new_dataset::<u8>()
            .scalar()
            .datatype(DatatypeMessage::fixed_string(value.len().max(1) as u32))
            .create(name)
            .map_err(|e| self.err(name, e))?;
        let bytes = if value.is_empty() {
            b" ".as_slice()
        } else {
            value.as_bytes()
        };
        ds.write_raw_bytes(bytes).map_err(|e| self.err(name, e))
    }

    fn texts(&self, g: &H5Group, name: &str, values: &[&str]) -> Result<()> {
        g.write_vlen_strings(name, values)
            .map(|_| ())
            .map_err(|e| self.err(name, e))
    }

    fn i64s(&self, g: &H5Group, name: &str, shape: &[usize], values: &[i64]) -> Result<()> {
        g.new_dataset::<i64>()
            .shape(shape)
            .create(name)
            .and_then(|d| d.write_raw(values))
            .map_err(|e| self.err(name, e))
    }

    fn bools(&self, g: &H5Group, name: &str, shape: &[usize], values: &[bool]) -> Result<()> {
        let v: Vec<HBool> = values.iter().map(|&b| HBool::from(b)).collect();
        g.new_dataset::<HBool>()
            .shape(shape)
            .create(name)
            .and_then(|d| d.write_raw(&v))
            .map_err(|e| self.err(name, e))
    }

    fn group(&self, parent: &H5Group, name: &str) -> Result<H5Group> {
        parent.create_group(name).map_err(|e| self.err(name, e))
    }
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

/// Writes a new project at `path` (replacing it).
pub fn write_project(path: &Path, project: &ExportProject) -> Result<()> {
    let w = Writer { path };
    let file = H5File::create(path).map_err(|e| w.err("the project file", e))?;
    let root = file.root_group();
    w.text(&root, "workflowName", "Pixel Classification")?;
    w.text(&root, "ilastikVersion", "1.4.0")?;
    w.i64s(&root, "currentApplet", &[], &[2])?;
    w.text(&root, "time", "written by pixelforest")?;

    let input = w.group(&root, "Input Data")?;
    w.texts(&input, "Role Names", &["Raw Data", "Prediction Mask"])?;
    w.text(&input, "StorageVersion", "0.2")?;
    w.group(&input, "local_data")?;
    let infos = w.group(&input, "infos")?;
    for (i, lane) in project.lanes.iter().enumerate() {
        let lane_group = w.group(&infos, &format!("lane{i:04}"))?;
        let raw = w.group(&lane_group, "Raw Data")?;
        w.text(&raw, "__class__", "RelativeFilesystemDatasetInfo")?;
        w.text(&raw, "filePath", &lane.file_path)?;
        w.text(&raw, "location", "FileSystem")?;
        w.text(&raw, "nickname", &lane.nickname)?;
        w.text(&raw, "axistags", &axistags("yxc"))?;
        w.text(&raw, "datasetId", &format!("pixelforest-lane-{i:04}"))?;
        w.text(&raw, "display_mode", "default")?;
        w.bools(&raw, "allowLabels", &[], &[true])?;
        w.bools(&raw, "normalizeDisplay", &[], &[false])?;
        let (h, wd, c) = lane.shape;
        w.i64s(&raw, "shape", &[3], &[h as i64, wd as i64, c as i64])?;
    }

    let fs = w.group(&root, "FeatureSelections")?;
    let n_scales = project.features.scales.len();
    w.texts(&fs, "FeatureIds", &FEATURE_IDS)?;
    fs.new_dataset::<f64>()
        .shape([n_scales])
        .create("Scales")
        .and_then(|d| d.write_raw(&project.features.scales))
        .map_err(|e| w.err("Scales", e))?;
    let flat: Vec<bool> = project.features.matrix.iter().flatten().copied().collect();
    if flat.len() != FEATURE_IDS.len() * n_scales {
        return Err(IlpError::format(path, "feature matrix is not 6 x scales"));
    }
    w.bools(
        &fs,
        "SelectionMatrix",
        &[FEATURE_IDS.len(), n_scales],
        &flat,
    )?;
    w.bools(&fs, "ComputeIn2d", &[n_scales], &vec![true; n_scales])?;
    w.text(&fs, "StorageVersion", "0.1")?;

    let pc = w.group(&root, "PixelClassification")?;
    let names: Vec<&str> = project.label_names.iter().map(String::as_str).collect();
    w.texts(&pc, "LabelNames", &names)?;
    let colors: Vec<i64> = project
        .label_colors
        .iter()
        .flat_map(|c| c.iter().map(|&v| i64::from(v)))
        .collect();
    w.i64s(
        &pc,
        "LabelColors",
        &[project.label_colors.len(), 3],
        &colors,
    )?;
    w.i64s(&pc, "PmapColors", &[project.label_colors.len(), 3], &colors)?;
    w.text(&pc, "StorageVersion", "0.1")?;
    let sets = w.group(&pc, "LabelSets")?;
    for (i, lane) in project.lanes.iter().enumerate() {
        let set = w.group(&sets, &format!("labels{i:03}"))?;
        let Some((y0, y1, x0, x1)) = bounding_box(&lane.labels) else {
            continue;
        };
        let block: Vec<u8> = lane
            .labels
            .slice(s![y0..y1, x0..x1])
            .iter()
            .copied()
            .collect();
        let ds = set
            .new_dataset::<u8>()
            .shape([y1 - y0, x1 - x0, 1])
            .chunk(&[(y1 - y0).min(256), (x1 - x0).min(256), 1])
            .deflate(4)
            .create("block0000")
            .map_err(|e| w.err("label block", e))?;
        ds.write_raw(&block).map_err(|e| w.err("label block", e))?;
        ds.new_attr::<VarLenUnicode>()
            .shape(())
            .create("blockSlice")
            .and_then(|a| a.write_string(&format_block_slice(&[(y0, y1), (x0, x1), (0, 1)])))
            .map_err(|e| w.err("blockSlice", e))?;
    }
    file.close().map_err(|e| w.err("the project file", e))
}
