//! Reading an ilastik Pixel Classification project (`.ilp`) without ilastik: label classes,
//! sparse labels per lane, feature selection and lane raw-data locations, as ilastik's
//! serializers (`pixelClassificationSerializer`, `featureSelectionSerializer`,
//! `dataSelectionSerializer`) store them, in project versions 1.0 to 1.4.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use rust_hdf5::{H5Dataset, H5File};

use crate::block_slice::parse_block_slice;
use crate::error::{FormatKind, IlpError, Result};

/// ilastik's feature ids in pixelforest's family order.
pub const FEATURE_IDS: [&str; 6] = [
    "GaussianSmoothing",
    "LaplacianOfGaussian",
    "GaussianGradientMagnitude",
    "DifferenceOfGaussians",
    "StructureTensorEigenvalues",
    "HessianOfGaussianEigenvalues",
];

/// The project's feature selection: scales and `matrix[family][scale]`, families in
/// [`FEATURE_IDS`] order (reordered from the project's `FeatureIds`).
#[derive(Debug, Clone, PartialEq)]
pub struct IlpFeatures {
    /// The scales, ascending.
    pub scales: Vec<f64>,
    /// `matrix[family][scale]`: computed or not.
    pub matrix: Vec<Vec<bool>>,
}

/// The labels of one 2-D plane of a lane (one time point / z slice), (y, x), 0 = unlabeled.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelPlane {
    /// Position along the lane's other axes, e.g. `[('t', 2), ('z', 0)]`; empty for 2-D data.
    pub plane: Vec<(char, usize)>,
    /// The labels, (y, x).
    pub labels: Array2<u8>,
}

/// One lane (input image) of the project.
#[derive(Debug, Clone, PartialEq)]
pub struct IlpLane {
    /// The lane's position, 0-based.
    pub index: usize,
    /// As stored: a path relative to the project folder, optionally followed by the dataset
    /// inside an HDF5 file (`images/a_s2.h5/a_s2`).
    pub file_path: String,
    /// `FileSystem` or `ProjectInternal`.
    pub location: String,
    /// The lane's name in ilastik.
    pub nickname: String,
    /// Axis keys in storage order, e.g. `tyxc` or `zyxc`.
    pub axes: String,
    /// Lane shape in `axes` order, when the project records it (ilastik >= 1.3).
    pub shape: Option<Vec<usize>>,
    /// Labelled planes, sorted by plane position.
    pub labels: Vec<LabelPlane>,
}

impl IlpLane {
    /// The file part of [`IlpLane::file_path`] (without an HDF5-internal dataset path) and the
    /// internal path, if any.
    pub fn split_file_path(&self) -> (String, Option<String>) {
        split_internal_path(&self.file_path)
    }

    /// Labels of the lane's first labelled plane (the only one for 2-D images).
    pub fn first_plane(&self) -> Option<&Array2<u8>> {
        self.labels.first().map(|p| &p.labels)
    }
}

/// Splits `dir/a.h5/data` into (`dir/a.h5`, `Some("data")`).
pub fn split_internal_path(file_path: &str) -> (String, Option<String>) {
    let lower = file_path.to_lowercase();
    for ext in [".h5/", ".hdf5/", ".ilp/", ".n5/", ".zarr/"] {
        if let Some(pos) = lower.find(ext) {
            let cut = pos + ext.len() - 1;
            return (
                file_path[..cut].to_string(),
                Some(file_path[cut + 1..].to_string()),
            );
        }
    }
    (file_path.to_string(), None)
}

/// An ilastik Pixel Classification project, read.
#[derive(Debug, Clone, PartialEq)]
pub struct IlpProject {
    /// The project file.
    pub path: PathBuf,
    /// The workflow it was made with (`PixelClassification`).
    pub workflow: String,
    /// The version of ilastik that saved it, e.g. `1.4.1b15`.
    pub ilastik_version: String,
    /// Label names, in label order.
    pub label_names: Vec<String>,
    /// Label colours, RGB, in label order.
    pub label_colors: Vec<[u8; 3]>,
    /// The feature selection, when the project has one.
    pub features: Option<IlpFeatures>,
    /// The lanes (input images), in order.
    pub lanes: Vec<IlpLane>,
    /// The trained forest, if the project stores one.
    pub forest: Option<crate::vigra_forest::IlpForest>,
}

/// Reads datasets of an open project, naming the project in errors.
struct Reader<'a> {
    path: &'a Path,
    file: H5File,
    names: Vec<String>,
}

impl Reader<'_> {
    fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    fn strings(&self, name: &str) -> Result<Vec<String>> {
        let ds = crate::bounded::dataset(self.path, &self.file, name)?;
        ds.read_strings()
            .or_else(|_| ds.read_strings_lossy())
            .map_err(|e| self.wrong_type(name, "text", &e))
    }

    fn string(&self, name: &str) -> Result<String> {
        Ok(self.strings(name)?.into_iter().next().unwrap_or_default())
    }

    fn opt_string(&self, name: &str) -> Option<String> {
        self.has(name).then(|| self.string(name).ok()).flatten()
    }

    fn ints(&self, name: &str) -> Result<Vec<i64>> {
        let ds = crate::bounded::dataset(self.path, &self.file, name)?;
        ds.read_numeric_as::<i64>()
            .or_else(|_| {
                ds.read_raw::<u8>()
                    .map(|v| v.into_iter().map(i64::from).collect())
            })
            .map_err(|e| self.wrong_type(name, "integers", &e))
    }

    fn floats(&self, name: &str) -> Result<Vec<f64>> {
        let ds = crate::bounded::dataset(self.path, &self.file, name)?;
        ds.read_numeric_as::<f64>()
            .map_err(|e| self.wrong_type(name, "numbers", &e))
    }

    fn wrong_type(
        &self,
        name: &str,
        expected: &'static str,
        e: &impl std::fmt::Display,
    ) -> IlpError {
        self.error(FormatKind::WrongType {
            dataset: name.to_string(),
            expected,
            reason: e.to_string(),
        })
    }

    fn error(&self, kind: FormatKind) -> IlpError {
        IlpError::format(self.path, kind)
    }
}

/// Axis keys from a vigra `axistags` JSON string (`{"axes": [{"key": "t"}, ...]}`).
pub fn axes_from_axistags(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let axes = v.get("axes")?.as_array()?;
    axes.iter()
        .map(|a| a.get("key")?.as_str()?.chars().next())
        .collect()
}

impl IlpProject {
    /// Opens and reads a project; a project of another workflow is an error.
    pub fn open(path: &Path) -> Result<IlpProject> {
        // A damaged file can make the HDF5 crate panic; one bad project must not end a batch.
        pixelforest_io::h5_image::contain(path, || Ok(Self::open_unguarded(path)))?
    }

    fn open_unguarded(path: &Path) -> Result<IlpProject> {
        let file = H5File::open(path).map_err(|e| IlpError::NotAProject {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let names = file.dataset_names();
        let r = Reader { path, file, names };
        if !r.has("workflowName") {
            return Err(IlpError::NotAProject {
                path: path.to_path_buf(),
                message: "no workflowName dataset".into(),
            });
        }
        let workflow = r.string("workflowName")?;
        if workflow.replace(' ', "").to_lowercase() != "pixelclassification" {
            return Err(IlpError::WrongWorkflow {
                path: path.to_path_buf(),
                workflow,
            });
        }
        let label_names = if r.has("PixelClassification/LabelNames") {
            r.strings("PixelClassification/LabelNames")?
        } else {
            Vec::new()
        };
        let label_colors = if r.has("PixelClassification/LabelColors") {
            let v = r.ints("PixelClassification/LabelColors")?;
            v.chunks(3)
                .filter(|c| c.len() == 3)
                .map(|c| {
                    [
                        c[0].clamp(0, 255) as u8,
                        c[1].clamp(0, 255) as u8,
                        c[2].clamp(0, 255) as u8,
                    ]
                })
                .collect()
        } else {
            Vec::new()
        };
        let features = read_features(&r)?;
        let ilastik_version = r.opt_string("ilastikVersion").unwrap_or_default();
        let lanes = read_lanes(&r, &ilastik_version)?;
        let forest = crate::vigra_forest::read_forest(path, &r.file, &r.names)?;
        Ok(IlpProject {
            forest,
            path: path.to_path_buf(),
            workflow,
            ilastik_version,
            label_names,
            label_colors,
            features,
            lanes,
        })
    }

    /// The raw file of `lane`: the stored path relative to the project's folder; else a file of
    /// the same name under `data_dir`; else an error naming both.
    pub fn resolve_raw_path(&self, lane: &IlpLane, data_dir: Option<&Path>) -> Result<PathBuf> {
        let (file, _) = lane.split_file_path();
        let stored = PathBuf::from(&file);
        let base = self.path.parent().unwrap_or(Path::new("."));
        let direct = if stored.is_absolute() {
            stored.clone()
        } else {
            base.join(&stored)
        };
        if direct.is_file() {
            return Ok(direct);
        }
        if let (Some(dir), Some(name)) = (data_dir, stored.file_name()) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
        Err(IlpError::MissingRaw {
            path: self.path.clone(),
            lane: lane.index,
            stored: direct,
            searched: data_dir.map(Path::to_path_buf),
        })
    }
}

fn read_features(r: &Reader) -> Result<Option<IlpFeatures>> {
    let m = "FeatureSelections/SelectionMatrix";
    if !r.has(m) || !r.has("FeatureSelections/Scales") {
        return Ok(None);
    }
    let scales = r.floats("FeatureSelections/Scales")?;
    let ids = if r.has("FeatureSelections/FeatureIds") {
        r.strings("FeatureSelections/FeatureIds")?
    } else {
        FEATURE_IDS.iter().map(|s| s.to_string()).collect()
    };
    let flat = r.ints(m)?;
    if flat.len() != ids.len() * scales.len() {
        return Err(r.error(FormatKind::SelectionSize {
            dataset: m.to_string(),
            entries: flat.len(),
            features: ids.len(),
            scales: scales.len(),
        }));
    }
    let mut matrix = vec![vec![false; scales.len()]; FEATURE_IDS.len()];
    for (row, id) in ids.iter().enumerate() {
        let Some(family) = FEATURE_IDS.iter().position(|f| f == id) else {
            if flat[row * scales.len()..(row + 1) * scales.len()]
                .iter()
                .any(|&v| v != 0)
            {
                return Err(r.error(FormatKind::UnsupportedFeature { id: id.clone() }));
            }
            continue;
        };
        for (j, on) in matrix[family].iter_mut().enumerate() {
            *on = flat[row * scales.len() + j] != 0;
        }
    }
    Ok(Some(IlpFeatures { scales, matrix }))
}

/// The number at the end of an HDF5 group name (`lane0007` -> 7, `labels012` -> 12).
fn trailing_index(name: &str) -> Option<usize> {
    let digits = name.trim_start_matches(|c: char| !c.is_ascii_digit());
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The distinct child groups under `prefix`, keyed by their trailing index. ilastik writes one
/// `laneNNNN` per lane and one `labelsNNN` per lane (empty for lanes without labels), so the
/// number, not the position in a listing, says which lane a group belongs to.
fn indexed_groups(r: &Reader, prefix: &str) -> Result<BTreeMap<usize, String>> {
    let mut groups = BTreeMap::new();
    for child in r
        .names
        .iter()
        .filter_map(|n| n.strip_prefix(prefix))
        .filter_map(|n| n.split('/').next())
    {
        let index = trailing_index(child).ok_or_else(|| {
            r.error(FormatKind::NoLaneNumber {
                group: format!("{prefix}{child}"),
            })
        })?;
        if let Some(other) = groups.insert(index, child.to_string()) {
            if other != child {
                return Err(r.error(FormatKind::LaneClaimedTwice {
                    first: format!("{prefix}{other}"),
                    second: format!("{prefix}{child}"),
                    lane: index,
                }));
            }
        }
    }
    Ok(groups)
}

fn read_lane_info(r: &Reader, index: usize, group: Option<&String>) -> IlpLane {
    let info = group
        .map(|l| format!("Input Data/infos/{l}/Raw Data"))
        .unwrap_or_default();
    let get = |k: &str| r.opt_string(&format!("{info}/{k}"));
    let shape = r
        .has(&format!("{info}/shape"))
        .then(|| r.ints(&format!("{info}/shape")).ok())
        .flatten()
        .map(|v| v.into_iter().map(|x| x.max(0) as usize).collect::<Vec<_>>());
    IlpLane {
        index,
        file_path: get("filePath").unwrap_or_default(),
        location: get("location").unwrap_or_else(|| "FileSystem".into()),
        nickname: get("nickname").unwrap_or_default(),
        axes: get("axistags")
            .as_deref()
            .and_then(axes_from_axistags)
            .unwrap_or_default(),
        shape,
        labels: Vec::new(),
    }
}

fn read_lanes(r: &Reader, version: &str) -> Result<Vec<IlpLane>> {
    let infos = indexed_groups(r, "Input Data/infos/")?;
    let label_sets = indexed_groups(r, "PixelClassification/LabelSets/")?;
    if let Some((&index, set)) = label_sets
        .iter()
        .find(|(i, _)| !infos.is_empty() && !infos.contains_key(i))
    {
        return Err(r.error(FormatKind::LabelSetWithoutLane {
            set: set.clone(),
            lane: index,
            lanes: infos.keys().copied().collect(),
        }));
    }
    let n = infos
        .keys()
        .chain(label_sets.keys())
        .max()
        .map_or(0, |m| m + 1);
    let mut lanes = Vec::with_capacity(n);
    for index in 0..n {
        if !infos.is_empty() && !infos.contains_key(&index) {
            continue;
        }
        let mut lane = read_lane_info(r, index, infos.get(&index));
        if let Some(set) = label_sets.get(&index) {
            lane.labels = read_label_set(r, set, &lane, version)?;
        }
        lanes.push(lane);
    }
    Ok(lanes)
}

/// A plane's position along the lane's non-spatial axes.
type PlaneKey = Vec<(char, usize)>;

/// Default axis order of label blocks when the lane has no axistags.
fn default_axes(ndim: usize) -> &'static str {
    match ndim {
        2 => "yx",
        3 => "yxc",
        4 => "zyxc",
        _ => "tzyxc",
    }
}

/// Sparse labels per plane: (y, x, label).
type SparsePlanes = BTreeMap<PlaneKey, Vec<(usize, usize, u8)>>;

fn read_label_set(r: &Reader, set: &str, lane: &IlpLane, version: &str) -> Result<Vec<LabelPlane>> {
    let prefix = format!("PixelClassification/LabelSets/{set}/");
    let mut blocks: Vec<&String> = r.names.iter().filter(|n| n.starts_with(&prefix)).collect();
    blocks.sort();
    let mut planes = SparsePlanes::new();
    let mut extent = (0usize, 0usize);
    for name in blocks {
        let ds = crate::bounded::dataset(r.path, &r.file, name)?;
        let block = LabelBlock::read(r, name, &ds, lane, version)?;
        extent.0 = extent.0.max(block.ranges[block.y].1);
        extent.1 = extent.1.max(block.ranges[block.x].1);
        let data: Vec<u8> = ds
            .read_raw()
            .map_err(|e| r.error(FormatKind::unreadable(name, e)))?;
        block.scatter(&data, &mut planes);
    }
    Ok(dense_planes(planes, lane, extent))
}

/// Where a stored label block lies: its `blockSlice` ranges along its axes.
struct LabelBlock {
    ranges: Vec<(usize, usize)>,
    axes: Vec<char>,
    shape: Vec<usize>,
    /// Positions of the y and x axes in `axes`.
    y: usize,
    x: usize,
}

impl LabelBlock {
    /// The block's layout, checked against its shape and against the lane's extent.
    fn read(r: &Reader, name: &str, ds: &H5Dataset, lane: &IlpLane, version: &str) -> Result<Self> {
        let slice = ds
            .attr("blockSlice")
            .and_then(|a| a.read_string())
            .map_err(|e| {
                r.error(FormatKind::NoBlockSlice {
                    dataset: name.to_string(),
                    reason: e.to_string(),
                })
            })?;
        let ranges = parse_block_slice(&slice).ok_or_else(|| {
            r.error(FormatKind::BadBlockSlice {
                dataset: name.to_string(),
                slice: slice.clone(),
            })
        })?;
        let shape = ds.shape();
        let axes = block_axes(ds, lane, version, shape.len());
        if ranges.len() != shape.len()
            || axes.len() != shape.len()
            || ranges.iter().zip(&shape).any(|((a, b), s)| b - a != *s)
        {
            return Err(r.error(FormatKind::BlockSliceShape {
                dataset: name.to_string(),
                slice,
                shape,
            }));
        }
        if lies_outside(lane, &axes, &ranges) {
            return Err(IlpError::BlockOutside {
                path: r.path.to_path_buf(),
                lane: lane.index,
                block: format!("{name} ({slice}, axes {})", axes.iter().collect::<String>()),
                shape: format!("{:?} ({})", lane.shape.as_deref().unwrap_or(&[]), lane.axes),
            });
        }
        let (Some(y), Some(x)) = (
            axes.iter().position(|&a| a == 'y'),
            axes.iter().position(|&a| a == 'x'),
        ) else {
            return Err(r.error(FormatKind::NoSpatialAxes {
                dataset: name.to_string(),
                axes,
            }));
        };
        Ok(Self {
            ranges,
            axes,
            shape,
            y,
            x,
        })
    }

    /// Adds the block's labelled pixels (row-major `data`) to their planes.
    fn scatter(&self, data: &[u8], planes: &mut SparsePlanes) {
        let (ya, xa) = (self.y, self.x);
        let mut index = vec![0usize; self.shape.len()];
        for &value in data {
            if value != 0 {
                let plane: Vec<(char, usize)> = self
                    .axes
                    .iter()
                    .enumerate()
                    .filter(|(k, a)| *k != ya && *k != xa && **a != 'c')
                    .map(|(k, a)| (*a, self.ranges[k].0 + index[k]))
                    .collect();
                planes.entry(plane).or_default().push((
                    self.ranges[ya].0 + index[ya],
                    self.ranges[xa].0 + index[xa],
                    value,
                ));
            }
            // Row-major increment.
            for k in (0..self.shape.len()).rev() {
                index[k] += 1;
                if index[k] < self.shape[k] {
                    break;
                }
                index[k] = 0;
            }
        }
    }
}

/// A block's axis order: its own axistags (ilastik >= 1.4 writes them), else the order the
/// saving version used (stored or reordered, see `axis_order`), else the default for its rank.
fn block_axes(ds: &H5Dataset, lane: &IlpLane, version: &str, ndim: usize) -> Vec<char> {
    let own = ds
        .attr("axistags")
        .and_then(|a| a.read_string())
        .ok()
        .and_then(|t| axes_from_axistags(&t))
        .filter(|a| a.chars().count() == ndim);
    own.or_else(|| crate::axis_order::block_axes(version, &lane.axes, lane.shape.as_deref(), ndim))
        .unwrap_or_else(|| default_axes(ndim).to_string())
        .chars()
        .collect()
}

/// True when the block reaches past the lane's extent along one of its axes (an axis the lane
/// lacks has extent 1); false when the lane's shape is unknown.
fn lies_outside(lane: &IlpLane, axes: &[char], ranges: &[(usize, usize)]) -> bool {
    let Some(lane_shape) = &lane.shape else {
        return false;
    };
    let extent_of = |a: char| {
        lane.axes
            .chars()
            .position(|k| k == a)
            .and_then(|i| lane_shape.get(i).copied())
            .unwrap_or(1)
    };
    lane_shape.len() == lane.axes.chars().count()
        && axes
            .iter()
            .zip(ranges)
            .any(|(&a, &(_, b))| b > extent_of(a))
}

/// Dense label maps of the lane's height and width (or of the labels' `extent` when the lane's
/// shape is unknown).
fn dense_planes(planes: SparsePlanes, lane: &IlpLane, extent: (usize, usize)) -> Vec<LabelPlane> {
    let (h, w) = match &lane.shape {
        Some(s) if s.len() == lane.axes.len() => {
            let pos = |c| lane.axes.chars().position(|a| a == c);
            match (pos('y'), pos('x')) {
                (Some(y), Some(x)) => (s[y], s[x]),
                _ => extent,
            }
        }
        _ => extent,
    };
    planes
        .into_iter()
        .map(|(plane, pixels)| {
            let mut labels = Array2::<u8>::zeros((h, w));
            for (y, x, v) in pixels {
                labels[[y, x]] = v;
            }
            LabelPlane { plane, labels }
        })
        .collect()
}
