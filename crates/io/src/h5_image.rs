//! HDF5 images in the layouts ilastik and steinbock use, with the vigra `axistags` attribute.
//!
//! Reading: the axis order comes from the dataset's `axistags` when present. Without it the
//! order is guessed: 2-D `yx`; 3-D `cyx` for steinbock's `img`/`crop`, `yxc` for ilastik's
//! `exported_data`, otherwise `yxc` when the last axis is the shortest and `cyx` if not; 4-D
//! `zyxc` (ImcSegmentationPipeline); 5-D `tzyxc` (ilastik's 5-D default). Axes other than
//! `c`, `y`, `x` must be singletons.

use std::path::Path;

use ndarray::Array3;
use rust_hdf5::{DatatypeMessage, H5File};

use crate::axistags::parse_axistags;
use crate::budget::check_samples;
use crate::channel_names::image_stem;
use crate::error::{format_err, Result};
use crate::h5_rows::{H5RowWriter, RowLayout};
use crate::tiff_stack::StoredType;
use crate::H5Layout;

/// A dataset read as `(c, y, x)` f32 with its stored type and the axis keys used.
#[derive(Debug)]
pub struct H5Data {
    /// The values, `(channels, y, x)`.
    pub data: Array3<f32>,
    /// The type they were stored as.
    pub stored: StoredType,
    /// The axis keys of the stored dataset, e.g. `zyxc`.
    pub axes: String,
    /// The dataset read.
    pub dataset: String,
}

fn h5err(path: &Path, what: &str, e: rust_hdf5::Hdf5Error) -> crate::IoError {
    format_err(path, format!("{what}: {e}"))
}

/// Runs an HDF5 operation, turning a panic inside the HDF5 crate into an error about `path`:
/// damaged files made it panic (an arithmetic overflow in its datatype parser, found by
/// `tests/reader_robustness.rs`), and one bad file must not end a batch.
pub fn contain<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown error".into());
        Err(format_err(
            path,
            format!("damaged HDF5 file (the reader failed: {why})"),
        ))
    })
}

/// Opens `path` as HDF5, with a clear error for missing or non-HDF5 files.
pub fn open(path: &Path) -> Result<H5File> {
    contain(path, || open_inner(path))
}

fn open_inner(path: &Path) -> Result<H5File> {
    if !path.exists() {
        return Err(crate::error::io_err(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "file not found"),
        ));
    }
    H5File::open(path).map_err(|e| h5err(path, "not a readable HDF5 file", e))
}

/// Picks the image dataset: `preferred` names first, then the only dataset in the file.
pub fn pick_dataset(path: &Path, file: &H5File, preferred: &[&str]) -> Result<String> {
    let names = contain(path, || Ok(file.dataset_names()))?;
    for p in preferred {
        if let Some(n) = names.iter().find(|n| n.trim_start_matches('/') == *p) {
            return Ok(n.clone());
        }
    }
    match names.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(format_err(
            path,
            "missing dataset: the file holds no dataset",
        )),
        many => Err(format_err(
            path,
            format!(
                "missing dataset: none of {} found, and the file holds several ({})",
                preferred.join(", "),
                many.join(", ")
            ),
        )),
    }
}

/// The element types a dataset may hold; each is read straight into `f32` by one generic
/// gather ([`read_rows_as`]), so the image is read in one pass (no separate convert and
/// transpose passes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Element {
    U8,
    U16,
    U32,
    U64,
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
}

impl Element {
    fn of(path: &Path, ds: &rust_hdf5::H5Dataset) -> Result<Element> {
        let dt = ds
            .datatype()
            .map_err(|e| h5err(path, "cannot read datatype", e))?;
        Ok(match dt {
            DatatypeMessage::FixedPoint { size, signed, .. } => match (size, signed) {
                (1, false) => Element::U8,
                (2, false) => Element::U16,
                (4, false) => Element::U32,
                (8, false) => Element::U64,
                (1, true) => Element::I8,
                (2, true) => Element::I16,
                (4, true) => Element::I32,
                _ => Element::I64,
            },
            DatatypeMessage::FloatingPoint { size: 4, .. } => Element::F32,
            DatatypeMessage::FloatingPoint { .. } => Element::F64,
            other => {
                return Err(format_err(
                    path,
                    format!("dataset has a non-numeric type ({other})"),
                ))
            }
        })
    }

    /// What callers are told the file stored (uint16 probabilities are rescaled, ...).
    pub(crate) fn stored(self) -> StoredType {
        match self {
            Element::U8 => StoredType::U8,
            Element::U16 => StoredType::U16,
            Element::U32 => StoredType::U32,
            Element::F32 | Element::F64 => StoredType::Float,
            _ => StoredType::Other,
        }
    }
}

/// A stored element converted to `f32` as `as` converts it (exact for 8- and 16-bit integers).
trait Sample: rust_hdf5::H5Type + Copy {
    fn to_f32(self) -> f32;
}

macro_rules! sample {
    ($($t:ty),*) => {
        $(impl Sample for $t {
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn to_f32(self) -> f32 {
                self as f32
            }
        })*
    };
}
sample!(u8, u16, u32, u64, i8, i16, i32, i64, f32, f64);

/// Where `c`, `y` and `x` sit among a dataset's axes (every other axis is a singleton).
#[derive(Debug, Clone)]
pub(crate) struct PlaneAxes {
    shape: Vec<usize>,
    c: Option<usize>,
    y: usize,
    x: usize,
}

impl PlaneAxes {
    /// Checks that `axes` name a y and an x axis and that the others are singletons.
    pub(crate) fn new(path: &Path, name: &str, shape: &[usize], axes: &str) -> Result<PlaneAxes> {
        let keys: Vec<char> = axes.chars().collect();
        let wrong = |why: String| {
            format_err(
                path,
                format!("wrong dims: dataset `{name}` shape {shape:?} axes `{axes}`: {why}"),
            )
        };
        if keys.len() != shape.len() {
            return Err(wrong("one axis key per dimension is needed".into()));
        }
        let find = |k: char| keys.iter().position(|&a| a == k);
        let (Some(y), Some(x)) = (find('y'), find('x')) else {
            return Err(wrong("needs a y and an x axis".into()));
        };
        for (i, (&k, &n)) in keys.iter().zip(shape).enumerate() {
            if !matches!(k, 'c' | 'y' | 'x') && n != 1 {
                return Err(wrong(format!(
                    "axis {i} (`{k}`) has length {n}; only one 2-D plane can be read"
                )));
            }
        }
        Ok(PlaneAxes {
            shape: shape.to_vec(),
            c: find('c'),
            y,
            x,
        })
    }

    /// `(channels, height, width)`.
    pub(crate) fn dims(&self) -> (usize, usize, usize) {
        let c = self.c.map_or(1, |c| self.shape[c]);
        (c, self.shape[self.y], self.shape[self.x])
    }
}

/// Reads rows `y0..y0 + n` of a dataset as `(c, n, x)` f32.
pub(crate) fn read_rows(
    path: &Path,
    ds: &rust_hdf5::H5Dataset,
    element: Element,
    axes: &PlaneAxes,
    y0: usize,
    n: usize,
) -> Result<Array3<f32>> {
    contain(path, || match element {
        Element::U8 => read_rows_as::<u8>(path, ds, axes, y0, n),
        Element::U16 => read_rows_as::<u16>(path, ds, axes, y0, n),
        Element::U32 => read_rows_as::<u32>(path, ds, axes, y0, n),
        Element::U64 => read_rows_as::<u64>(path, ds, axes, y0, n),
        Element::I8 => read_rows_as::<i8>(path, ds, axes, y0, n),
        Element::I16 => read_rows_as::<i16>(path, ds, axes, y0, n),
        Element::I32 => read_rows_as::<i32>(path, ds, axes, y0, n),
        Element::I64 => read_rows_as::<i64>(path, ds, axes, y0, n),
        Element::F32 => read_rows_as::<f32>(path, ds, axes, y0, n),
        Element::F64 => read_rows_as::<f64>(path, ds, axes, y0, n),
    })
}

/// One hyperslab read of the rows, gathered into channel-first `f32` in the same pass.
fn read_rows_as<T: Sample>(
    path: &Path,
    ds: &rust_hdf5::H5Dataset,
    axes: &PlaneAxes,
    y0: usize,
    n: usize,
) -> Result<Array3<f32>> {
    let mut starts = vec![0; axes.shape.len()];
    let mut counts = axes.shape.clone();
    starts[axes.y] = y0;
    counts[axes.y] = n;
    let values: Vec<T> = ds
        .read_slice(&starts, &counts)
        .map_err(|e| h5err(path, "cannot read dataset", e))?;
    // Row-major strides of the block read.
    let mut strides = vec![1; counts.len()];
    for d in (0..counts.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * counts[d + 1];
    }
    let (c, _, w) = axes.dims();
    let (sc, sy, sx) = (
        axes.c.map_or(0, |c| strides[c]),
        strides[axes.y],
        strides[axes.x],
    );
    let mut out = Vec::with_capacity(c * n * w);
    for ci in 0..c {
        for yi in 0..n {
            let row = ci * sc + yi * sy;
            out.extend((0..w).map(|xi| values[row + xi * sx].to_f32()));
        }
    }
    Array3::from_shape_vec((c, n, w), out)
        .map_err(|e| format_err(path, format!("internal error: {e}")))
}

pub(crate) fn guess_axes(name: &str, shape: &[usize]) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    match shape.len() {
        2 => "yx".into(),
        3 if base == "img" || base == "crop" => "cyx".into(),
        3 if base == "exported_data" => "yxc".into(),
        3 if shape[2] < shape[0] && shape[2] < shape[1] => "yxc".into(),
        3 => "cyx".into(),
        4 => "zyxc".into(),
        5 => "tzyxc".into(),
        n => "?".repeat(n),
    }
}

/// The `(c, y, x)` size of dataset `name`, from its header only.
pub fn dataset_shape(path: &Path, file: &H5File, name: &str) -> Result<[usize; 3]> {
    contain(path, || dataset_shape_inner(path, file, name))
}

fn dataset_shape_inner(path: &Path, file: &H5File, name: &str) -> Result<[usize; 3]> {
    let ds = file
        .dataset(name)
        .map_err(|e| h5err(path, &format!("missing dataset `{name}`"), e))?;
    let shape = ds.shape();
    let axes = dataset_axes(path, name, &ds, &shape)?;
    let size = |k: char| axes.chars().position(|a| a == k).map(|i| shape[i]);
    match (size('y'), size('x')) {
        (Some(y), Some(x)) => Ok([size('c').unwrap_or(1), y, x]),
        _ => Err(format_err(
            path,
            format!("wrong dims: dataset `{name}` axes `{axes}` need a y and an x axis"),
        )),
    }
}

/// The axis keys (its `axistags`, else guessed) and shape of dataset `name`, from its header
/// only: how the file stores the image (for ilastik project lanes and ilastik's input axes).
pub(crate) fn stored_axes(path: &Path, file: &H5File, name: &str) -> Result<(String, Vec<usize>)> {
    contain(path, || {
        let ds = file
            .dataset(name)
            .map_err(|e| h5err(path, &format!("missing dataset `{name}`"), e))?;
        let shape = ds.shape();
        Ok((dataset_axes(path, name, &ds, &shape)?, shape))
    })
}

/// The axis keys of a dataset: its `axistags`, or guessed from its name and shape.
fn dataset_axes(
    path: &Path,
    name: &str,
    ds: &rust_hdf5::H5Dataset,
    shape: &[usize],
) -> Result<String> {
    let tagged = ds
        .attr("axistags")
        .ok()
        .and_then(|a| a.read_string().ok())
        .and_then(|json| parse_axistags(&json));
    match tagged {
        Some(keys) if keys.chars().count() == shape.len() => Ok(keys),
        Some(keys) => Err(format_err(
            path,
            format!(
                "wrong dims: dataset `{name}` has shape {shape:?} but its axistags say `{keys}`"
            ),
        )),
        None => Ok(guess_axes(name, shape)),
    }
}

/// Reads the dataset `name` of an open file as `(c, y, x)`.
pub fn read_dataset(path: &Path, file: &H5File, name: &str) -> Result<H5Data> {
    contain(path, || read_dataset_inner(path, file, name))
}

fn read_dataset_inner(path: &Path, file: &H5File, name: &str) -> Result<H5Data> {
    let (ds, axes, element, plane) = checked_dataset(path, file, name)?;
    let height = plane.dims().1;
    let data = read_rows(path, &ds, element, &plane, 0, height)?;
    Ok(H5Data {
        data,
        stored: element.stored(),
        axes,
        dataset: name.to_string(),
    })
}

/// Dataset `name` with every check a read makes (shape, chunks, layout, sample type), its
/// axis keys, sample type and plane layout.
fn checked_dataset(
    path: &Path,
    file: &H5File,
    name: &str,
) -> Result<(rust_hdf5::H5Dataset, String, Element, PlaneAxes)> {
    let ds = file
        .dataset(name)
        .map_err(|e| h5err(path, &format!("missing dataset `{name}`"), e))?;
    let shape = ds.shape();
    let axes = dataset_axes(path, name, &ds, &shape)?;
    check_shape(path, name, &shape)?;
    check_chunks(path, name, &ds)?;
    check_contiguous(path, name, &ds, &shape)?;
    let element = Element::of(path, &ds)?;
    let plane = PlaneAxes::new(path, name, &shape, &axes)?;
    Ok((ds, axes, element, plane))
}

/// An opened image dataset for band reads: checked once, then read rows at a time.
pub(crate) struct DatasetRows {
    pub(crate) ds: rust_hdf5::H5Dataset,
    pub(crate) element: Element,
    pub(crate) axes: PlaneAxes,
    /// Rows per chunk along y (reads aligned to it decode each chunk once); 1 when the dataset
    /// is not chunked (any rows read directly).
    pub(crate) chunk_rows: usize,
}

/// Opens dataset `name` for band reads, with the checks a whole read makes.
pub(crate) fn open_rows(path: &Path, file: &H5File, name: &str) -> Result<DatasetRows> {
    contain(path, || {
        let (ds, _, element, axes) = checked_dataset(path, file, name)?;
        let chunk_rows = ds
            .chunk_dims()
            .and_then(|c| c.get(axes.y).copied())
            .filter(|&r| r > 0)
            .unwrap_or(1);
        Ok(DatasetRows {
            ds,
            element,
            axes,
            chunk_rows,
        })
    })
}

/// A dataset with an empty axis has no image, and one larger than the memory budget is refused
/// before its values are read.
fn check_shape(path: &Path, name: &str, shape: &[usize]) -> Result<()> {
    if let Some(i) = shape.iter().position(|&n| n == 0) {
        return Err(format_err(
            path,
            format!("wrong dims: dataset `{name}` has shape {shape:?}: axis {i} is empty"),
        ));
    }
    let samples = shape
        .iter()
        .fold(1u128, |acc, &n| acc.saturating_mul(n as u128));
    check_samples(
        path,
        samples,
        &format!("dataset `{name}` of shape {shape:?}"),
    )
}

/// Checks what reading any dataset of `path` would allocate (its values, with the element size
/// its type declares, and each chunk) against the memory budget and, for unfiltered contiguous
/// data, against the file: for readers of other HDF5 files (ilastik projects) that read whole
/// datasets of any type.
///
/// # Errors
/// A format error naming `path`, the dataset and what it declares.
pub fn check_dataset_size(path: &Path, name: &str, ds: &rust_hdf5::H5Dataset) -> Result<()> {
    let shape = ds.shape();
    let bytes = shape.iter().fold(ds.element_size() as u128, |acc, &n| {
        acc.saturating_mul(n as u128)
    });
    check_samples(
        path,
        bytes.div_ceil(4),
        &format!("dataset `{name}` of shape {shape:?}"),
    )?;
    check_chunks(path, name, ds)?;
    check_contiguous(path, name, ds, &shape)
}

/// Each chunk is decoded into a buffer of the size its header declares, so a forged chunk size
/// must be refused like a forged shape (a mutated file asked for 277 TB here).
fn check_chunks(path: &Path, name: &str, ds: &rust_hdf5::H5Dataset) -> Result<()> {
    let Some(chunk) = ds.chunk_dims() else {
        return Ok(());
    };
    let elements = chunk
        .iter()
        .fold(1u128, |acc, &n| acc.saturating_mul(n as u128));
    // Budgets count 4-byte samples; a chunk holds `element_size` bytes per element.
    let samples = elements
        .saturating_mul(ds.element_size() as u128)
        .div_ceil(4);
    check_samples(
        path,
        samples,
        &format!("chunks of shape {chunk:?} in dataset `{name}`"),
    )
}

/// Unfiltered contiguous data is stored as is, so it must fit in the file: a header of a few
/// bytes declaring 20000 x 20000 pixels was read as 800 MB of fill values.
fn check_contiguous(
    path: &Path,
    name: &str,
    ds: &rust_hdf5::H5Dataset,
    shape: &[usize],
) -> Result<()> {
    let contiguous = matches!(
        ds.storage_layout(),
        Ok(rust_hdf5::StorageLayout::Contiguous)
    );
    let external = ds.external_files().is_ok_and(|f| !f.is_empty());
    if !contiguous || external {
        return Ok(());
    }
    let bytes = shape.iter().fold(ds.element_size() as u128, |acc, &n| {
        acc.saturating_mul(n as u128)
    });
    let file_len = std::fs::metadata(path)
        .map_err(|e| crate::error::io_err(path, e))?
        .len();
    if bytes > u128::from(file_len) {
        return Err(format_err(
            path,
            format!(
                "dataset `{name}` declares shape {shape:?} ({bytes} bytes, uncompressed) but the \
                 file has only {file_len} bytes (truncated, or the data was never written)"
            ),
        ));
    }
    Ok(())
}

/// Writes a `(c, y, x)` image to `path` (not atomically: see [`crate::write_h5_image`]).
pub fn write_layout(path: &Path, data: &Array3<f32>, layout: &H5Layout) -> Result<()> {
    match layout {
        H5Layout::Ilastik => write_ilastik_named(path, &image_stem(path), data),
        H5Layout::Steinbock { .. } => write_any(path, "", data, layout),
    }
}

/// Writes the ImcSegmentationPipeline layout with dataset `name` (the final file's stem).
pub fn write_ilastik_named(path: &Path, name: &str, data: &Array3<f32>) -> Result<()> {
    write_any(path, name, data, &H5Layout::Ilastik)
}

fn write_any(path: &Path, stem: &str, data: &Array3<f32>, layout: &H5Layout) -> Result<()> {
    let layout = match layout {
        H5Layout::Ilastik => RowLayout::Ilastik { name: stem.into() },
        H5Layout::Steinbock { name } => RowLayout::Steinbock { name: name.clone() },
    };
    let mut writer = H5RowWriter::create(path, layout, data.dim())?;
    writer.write_rows(data.view())?;
    writer.finish()
}
