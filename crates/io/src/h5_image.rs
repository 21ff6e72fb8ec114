//! HDF5 images in the layouts ilastik and steinbock use, with the vigra `axistags` attribute.
//!
//! Reading: the axis order comes from the dataset's `axistags` when present. Without it the
//! order is guessed: 2-D `yx`; 3-D `cyx` for steinbock's `img`/`crop`, `yxc` for ilastik's
//! `exported_data`, otherwise `yxc` when the last axis is the shortest and `cyx` if not; 4-D
//! `zyxc` (ImcSegmentationPipeline); 5-D `tzyxc` (ilastik's 5-D default). Axes other than
//! `c`, `y`, `x` must be singletons.

use std::path::Path;

use ndarray::{Array3, ArrayD, Axis, IxDyn};
use rust_hdf5::{DatatypeMessage, H5File, VarLenUnicode};

use crate::axistags::{axistags_json, parse_axistags};
use crate::budget::check_samples;
use crate::channel_names::image_stem;
use crate::error::{format_err, Result};
use crate::tiff_stack::{to_u16, StoredType};
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

fn read_values(path: &Path, ds: &rust_hdf5::H5Dataset) -> Result<(Vec<f32>, StoredType)> {
    let dt = ds
        .datatype()
        .map_err(|e| h5err(path, "cannot read datatype", e))?;
    let re = |e| h5err(path, "cannot read dataset", e);
    Ok(match dt {
        DatatypeMessage::FixedPoint { size, signed, .. } => match (size, signed) {
            (1, false) => (
                ds.read_numeric_as::<u8>()
                    .map_err(re)?
                    .into_iter()
                    .map(f32::from)
                    .collect(),
                StoredType::U8,
            ),
            (2, false) => (
                ds.read_numeric_as::<u16>()
                    .map_err(re)?
                    .into_iter()
                    .map(f32::from)
                    .collect(),
                StoredType::U16,
            ),
            (4, false) => (
                ds.read_numeric_as::<u32>()
                    .map_err(re)?
                    .into_iter()
                    .map(|v| v as f32)
                    .collect(),
                StoredType::U32,
            ),
            (8, false) => (
                ds.read_numeric_as::<u64>()
                    .map_err(re)?
                    .into_iter()
                    .map(|v| v as f32)
                    .collect(),
                StoredType::Other,
            ),
            (1, true) => (
                ds.read_numeric_as::<i8>()
                    .map_err(re)?
                    .into_iter()
                    .map(f32::from)
                    .collect(),
                StoredType::Other,
            ),
            (2, true) => (
                ds.read_numeric_as::<i16>()
                    .map_err(re)?
                    .into_iter()
                    .map(f32::from)
                    .collect(),
                StoredType::Other,
            ),
            (4, true) => (
                ds.read_numeric_as::<i32>()
                    .map_err(re)?
                    .into_iter()
                    .map(|v| v as f32)
                    .collect(),
                StoredType::Other,
            ),
            _ => (
                ds.read_numeric_as::<i64>()
                    .map_err(re)?
                    .into_iter()
                    .map(|v| v as f32)
                    .collect(),
                StoredType::Other,
            ),
        },
        DatatypeMessage::FloatingPoint { size: 4, .. } => {
            (ds.read_numeric_as::<f32>().map_err(re)?, StoredType::Float)
        }
        DatatypeMessage::FloatingPoint { .. } => (
            ds.read_numeric_as::<f64>()
                .map_err(re)?
                .into_iter()
                .map(|v| v as f32)
                .collect(),
            StoredType::Float,
        ),
        other => {
            return Err(format_err(
                path,
                format!("dataset has a non-numeric type ({other})"),
            ))
        }
    })
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
    let ds = file
        .dataset(name)
        .map_err(|e| h5err(path, &format!("missing dataset `{name}`"), e))?;
    let shape = ds.shape();
    let axes = dataset_axes(path, name, &ds, &shape)?;
    check_shape(path, name, &shape)?;
    check_chunks(path, name, &ds)?;
    check_contiguous(path, name, &ds, &shape)?;
    let (values, stored) = read_values(path, &ds)?;
    let data = to_cyx(path, name, values, &shape, &axes)?;
    Ok(H5Data {
        data,
        stored,
        axes,
        dataset: name.to_string(),
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

/// Rearranges a dataset of `shape` with axis keys `axes` into `(c, y, x)`.
fn to_cyx(
    path: &Path,
    name: &str,
    values: Vec<f32>,
    shape: &[usize],
    axes: &str,
) -> Result<Array3<f32>> {
    let keys: Vec<char> = axes.chars().collect();
    let wrong = |why: String| {
        format_err(
            path,
            format!("wrong dims: dataset `{name}` shape {shape:?} axes `{axes}`: {why}"),
        )
    };
    let (Some(y), Some(x)) = (
        keys.iter().position(|&k| k == 'y'),
        keys.iter().position(|&k| k == 'x'),
    ) else {
        return Err(wrong("needs a y and an x axis".into()));
    };
    let c = keys.iter().position(|&k| k == 'c');
    for (i, (&k, &n)) in keys.iter().zip(shape).enumerate() {
        if !matches!(k, 'c' | 'y' | 'x') && n != 1 {
            return Err(wrong(format!(
                "axis {i} (`{k}`) has length {n}; only one 2-D plane can be read"
            )));
        }
    }
    let arr = ArrayD::from_shape_vec(IxDyn(shape), values).map_err(|e| wrong(e.to_string()))?;
    // Add a channel axis if missing, then bring (c, y, x) to the front; the rest are singletons.
    let (arr, c, y, x) = match c {
        Some(c) => (arr, c, y, x),
        None => {
            let n = shape.len();
            (arr.insert_axis(Axis(n)), n, y, x)
        }
    };
    let ndim = arr.ndim();
    let mut order = vec![c, y, x];
    order.extend((0..ndim).filter(|i| ![c, y, x].contains(i)));
    let mut arr = arr.permuted_axes(IxDyn(&order));
    while arr.ndim() > 3 {
        arr = arr.index_axis_move(Axis(3), 0);
    }
    let arr = arr.as_standard_layout().into_owned();
    arr.into_dimensionality::<ndarray::Ix3>()
        .map_err(|e| wrong(e.to_string()))
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

/// gzip level of every dataset written: level 1 compresses a prepared 2000x2000x12 stack 3x
/// faster than level 4 (2.1 s against 6.4 s, most of `prepare`'s time) for files 27% larger
/// (38 MB against 30 MB); any HDF5 reader decodes either.
const DEFLATE_LEVEL: u32 = 1;

fn write_any(path: &Path, stem: &str, data: &Array3<f32>, layout: &H5Layout) -> Result<()> {
    let (c, h, w) = data.dim();
    if c == 0 || h == 0 || w == 0 {
        return Err(format_err(
            path,
            format!("cannot write an empty image of shape {:?}", data.dim()),
        ));
    }
    let file = H5File::create(path).map_err(|e| h5err(path, "cannot create HDF5 file", e))?;
    let we = |e| h5err(path, "cannot write HDF5", e);
    match layout {
        H5Layout::Ilastik => {
            let name = stem;
            let mut buf = Vec::with_capacity(c * h * w);
            for yy in 0..h {
                for xx in 0..w {
                    buf.extend((0..c).map(|cc| to_u16(data[[cc, yy, xx]])));
                }
            }
            let ds = file
                .new_dataset::<u16>()
                .shape([1, h, w, c])
                .chunk(&[1, h.min(256), w.min(256), c])
                .deflate(DEFLATE_LEVEL)
                .create(name)
                .map_err(we)?;
            ds.write_raw(&buf).map_err(we)?;
            write_str_attr(&ds, "axistags", &axistags_json("zyxc")).map_err(we)?;
        }
        H5Layout::Steinbock { name } => {
            let buf: Vec<f32> = data.iter().copied().collect();
            let ds = file
                .new_dataset::<f32>()
                .shape([c, h, w])
                .chunk(&[1, h.min(256), w.min(256)])
                .deflate(DEFLATE_LEVEL)
                .create(name)
                .map_err(we)?;
            ds.write_raw(&buf).map_err(we)?;
            write_str_attr(&ds, "axistags", &axistags_json("cyx")).map_err(we)?;
            write_str_attr(&ds, "display_mode", "grayscale").map_err(we)?;
            // steinbock marks its own files (h5py's bool); `steinbock classify ilastik fix`
            // leaves marked crops alone.
            ds.new_attr::<rust_hdf5::types::HBool>()
                .shape(())
                .create("steinbock")
                .and_then(|a| a.write_numeric(&rust_hdf5::types::HBool::from(true)))
                .map_err(we)?;
        }
    }
    file.close().map_err(we)
}

/// Writes a `(y, x, c)` dataset named `name` with `yxc` axistags (ilastik's export layout).
pub fn write_yxc<T: rust_hdf5::H5Type + Copy>(
    path: &Path,
    name: &str,
    buf: &[T],
    h: usize,
    w: usize,
    c: usize,
) -> Result<()> {
    let file = H5File::create(path).map_err(|e| h5err(path, "cannot create HDF5 file", e))?;
    let we = |e| h5err(path, "cannot write HDF5", e);
    let ds = file
        .new_dataset::<T>()
        .shape([h, w, c])
        .chunk(&[h.clamp(1, 256), w.clamp(1, 256), c.max(1)])
        .deflate(DEFLATE_LEVEL)
        .create(name)
        .map_err(we)?;
    ds.write_raw(buf).map_err(we)?;
    write_str_attr(&ds, "axistags", &axistags_json("yxc")).map_err(we)?;
    file.close().map_err(we)
}

fn write_str_attr(ds: &rust_hdf5::H5Dataset, name: &str, value: &str) -> rust_hdf5::Result<()> {
    ds.new_attr::<VarLenUnicode>()
        .shape(())
        .create(name)?
        .write_string(value)
}
