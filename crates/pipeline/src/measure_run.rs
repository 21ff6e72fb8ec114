//! `measure` over many images: steinbock's per-image tables (`intensities/`, `regionprops/`,
//! `neighbors/`, one `<stem>.csv` each) from each image and its mask, in parallel over images,
//! then one combined table (`cells.csv` or `cells.parquet`, steinbock's `export csv` layout:
//! `Image`, `Object`, the intensities, the region properties).
//!
//! Masks are matched to images by stem (`--mask-name`, steinbock's `masks/<stem>.tiff` by
//! default); a missing mask fails that image, naming the file it looked for. Outputs go through
//! atomic writes; an image whose three tables re-read is skipped on a re-run (resume), and the
//! combined table is built from the tables on disk, so it also covers images done earlier.

use std::path::{Path, PathBuf};

use ndarray::Axis;
use pixelforest_io::{Column, ColumnData, Table};
use pixelforest_segment::{
    mean_intensities, neighbors, region_props, Intensities, Neighbor, ObjectIndex, RegionProps,
};

pub use pixelforest_segment::{MeasureError, NeighborSettings, NeighborType};

use crate::batch_predict::create_parent;
use crate::error::{PipelineError, Result};
use crate::plan::plan_outputs;
use crate::report::{run_parallel, BatchReport};

/// Container of the combined table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// `cells.csv`, as steinbock's `export csv` writes it.
    Csv,
    /// `cells.parquet`.
    Parquet,
}

/// The per-image tables, as steinbock names their folders.
const TABLES: [&str; 3] = ["intensities", "regionprops", "neighbors"];

/// Options of a batch measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureOptions {
    /// Folder of the cell masks.
    pub masks_dir: PathBuf,
    /// Mask file name; `{stem}` is the image's stem, `{name}` the stem without `_ilastik`.
    pub mask_pattern: String,
    /// Channel names from this steinbock panel (kept rows); `None`: the image's own names.
    pub panel: Option<PathBuf>,
    /// Folder of `intensities/`, `regionprops/`, `neighbors/` and the combined table.
    pub out_dir: PathBuf,
    /// Which cells are neighbours (steinbock's `--type` and `--dmax`).
    pub neighbors: NeighborSettings,
    /// Format of the combined table.
    pub format: TableFormat,
    /// Measure again images whose tables exist.
    pub overwrite: bool,
    /// Show a progress bar.
    pub progress: bool,
}

impl MeasureOptions {
    /// The mask of `image`: `{stem}` in the pattern is the image's stem, `{name}` the stem
    /// without the workflow's `_ilastik` suffix (the name `prepare`, `predict` and `segment`
    /// carry on: `a_ilastik.tiff` -> `a_s2_Probabilities_mask.tiff`).
    pub fn mask_path(&self, image: &Path) -> PathBuf {
        let stem = pixelforest_io::image_stem(image);
        let name = stem.strip_suffix("_ilastik").unwrap_or(&stem);
        self.masks_dir.join(
            self.mask_pattern
                .replace("{stem}", &stem)
                .replace("{name}", name),
        )
    }

    /// The `intensities`, `regionprops` and `neighbors` tables of `image`.
    pub fn outputs(&self, image: &Path) -> Vec<PathBuf> {
        let stem = pixelforest_io::image_stem(image);
        TABLES
            .iter()
            .map(|t| self.out_dir.join(t).join(format!("{stem}.csv")))
            .collect()
    }

    /// The combined table.
    pub fn table_path(&self) -> PathBuf {
        self.out_dir.join(match self.format {
            TableFormat::Csv => "cells.csv",
            TableFormat::Parquet => "cells.parquet",
        })
    }
}

/// Measures every image of `images` with its mask; never stops at a bad image.
///
/// # Errors
/// Before any work, when two images would write one table or a table would replace an input.
pub fn measure_batch(images: &[PathBuf], options: &MeasureOptions) -> Result<BatchReport> {
    plan_outputs(images, |image| options.outputs(image))?;
    Ok(run_parallel(
        images,
        "images",
        options.progress,
        |image, _| {
            let outputs = options.outputs(image);
            if !options.overwrite && outputs.iter().all(|p| table_complete(p)) {
                return Ok((outputs, 0));
            }
            let pixels = measure_one(image, options, &outputs)?;
            Ok((outputs, pixels))
        },
    ))
}

/// True when an existing table re-reads with an `Object` first column.
fn table_complete(path: &Path) -> bool {
    pixelforest_io::read_table_csv(path)
        .is_ok_and(|t| t.columns.first().is_some_and(|c| c.name == "Object"))
}

/// Measures one image and writes its three tables; returns its pixel count.
fn measure_one(image: &Path, options: &MeasureOptions, outputs: &[PathBuf]) -> Result<usize> {
    let mask_path = options.mask_path(image);
    if !mask_path.is_file() {
        return Err(PipelineError::file(
            &mask_path,
            format!("mask not found (the mask of {})", image.display()),
        ));
    }
    let mask = pixelforest_io::read_mask(&mask_path)?;
    let (data, names) = read_channels(image, options.panel.as_deref())?;
    let objects = ObjectIndex::new(mask.view());
    let intensities = mean_intensities(data.view(), mask.view(), &objects)
        .map_err(|e| PipelineError::file(&mask_path, format!("{e} ({})", image.display())))?;
    drop(data);
    let props = region_props(mask.view(), &objects);
    let edges = neighbors(mask.view(), &objects, &props, options.neighbors);
    let tables = [
        intensity_table(&intensities, &names),
        regionprops_table(&props),
        neighbor_table(&edges),
    ];
    for (path, table) in outputs.iter().zip(&tables) {
        create_parent(path)?;
        pixelforest_io::write_table_csv(path, table)?;
    }
    Ok(mask.len())
}

/// The pixels of `image` and its channel names (from `panel` when given, as steinbock takes
/// them: the kept rows' `name`).
fn read_channels(
    image: &Path,
    panel: Option<&Path>,
) -> Result<(ndarray::Array3<f32>, Vec<String>)> {
    match panel {
        Some(panel) => {
            let data = pixelforest_io::read_pixels(image)?;
            let names = pixelforest_io::read_panel(panel, data.shape()[0], image)?;
            Ok((data, names))
        }
        None => Ok(pixelforest_io::read_image(image)?.into_parts()),
    }
}

fn object_column(objects: impl Iterator<Item = u32>) -> Column {
    Column::new("Object", ColumnData::UInt(objects.map(u64::from).collect()))
}

/// steinbock's `intensities/<stem>.csv`: `Object`, then one column per channel.
fn intensity_table(intensities: &Intensities, names: &[String]) -> Table {
    let mut columns = vec![object_column(intensities.objects.iter().copied())];
    for (name, values) in names.iter().zip(intensities.means.axis_iter(Axis(1))) {
        columns.push(Column::new(name, ColumnData::Float64(values.to_vec())));
    }
    Table { columns }
}

/// steinbock's `regionprops/<stem>.csv` with its default properties, in its column names.
fn regionprops_table(props: &[RegionProps]) -> Table {
    let f = |name: &str, get: fn(&RegionProps) -> f64| {
        Column::new(name, ColumnData::Float64(props.iter().map(get).collect()))
    };
    Table {
        columns: vec![
            object_column(props.iter().map(|p| p.label)),
            Column::new(
                "area",
                ColumnData::UInt(props.iter().map(|p| p.area).collect()),
            ),
            f("centroid-0", |p| p.centroid.0),
            f("centroid-1", |p| p.centroid.1),
            f("axis_major_length", |p| p.axis_major_length),
            f("axis_minor_length", |p| p.axis_minor_length),
            f("eccentricity", |p| p.eccentricity),
        ],
    }
}

/// steinbock's `neighbors/<stem>.csv`: `Object`, `Neighbor`, `Distance` (float32, empty for
/// pixel expansion).
fn neighbor_table(edges: &[Neighbor]) -> Table {
    let ids = |get: fn(&Neighbor) -> u32| {
        ColumnData::UInt(edges.iter().map(|e| u64::from(get(e))).collect())
    };
    Table {
        columns: vec![
            Column::new("Object", ids(|e| e.object)),
            Column::new("Neighbor", ids(|e| e.neighbor)),
            Column::new(
                "Distance",
                ColumnData::Float32(
                    edges
                        .iter()
                        .map(|e| e.distance.unwrap_or(f32::NAN))
                        .collect(),
                ),
            ),
        ],
    }
}

/// Writes the combined table of `images` from their `intensities` and `regionprops` tables on
/// disk (steinbock's `export csv`): `Image` (the image's file name), `Object`, the channels,
/// the region properties. Images without tables (failed) are left out. Returns its path and
/// its number of cells (rows).
///
/// # Errors
/// A table cannot be read, its objects differ between the two tables, its columns differ from
/// the first image's, or the combined table cannot be written.
pub fn write_cell_table(images: &[PathBuf], options: &MeasureOptions) -> Result<(PathBuf, usize)> {
    let mut all = Table::default();
    for image in images {
        let outputs = options.outputs(image);
        if !outputs[..2].iter().all(|p| p.is_file()) {
            continue;
        }
        let table = image_rows(image, &outputs[0], &outputs[1])?;
        all.append(&table)
            .map_err(|why| PipelineError::file(&outputs[0], why))?;
    }
    let path = options.table_path();
    create_parent(&path)?;
    match options.format {
        TableFormat::Csv => pixelforest_io::write_table_csv(&path, &all)?,
        TableFormat::Parquet => pixelforest_io::write_table_parquet(&path, &all)?,
    }
    Ok((path, all.rows()))
}

/// One image's rows of the combined table.
fn image_rows(image: &Path, intensities: &Path, regionprops: &Path) -> Result<Table> {
    let a = pixelforest_io::read_table_csv(intensities)?;
    let b = pixelforest_io::read_table_csv(regionprops)?;
    if a.columns.first() != b.columns.first() {
        return Err(PipelineError::file(
            regionprops,
            format!("its objects differ from those of {}", intensities.display()),
        ));
    }
    let name = image
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut columns = vec![Column::new("Image", ColumnData::Text(vec![name; a.rows()]))];
    columns.extend(a.columns);
    columns.extend(b.columns.into_iter().skip(1));
    Ok(Table { columns })
}
