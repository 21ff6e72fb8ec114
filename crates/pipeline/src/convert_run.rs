//! `convert`: IMC instrument files (`.mcd`, `.txt`) to one multichannel TIFF per acquisition,
//! as steinbock's `preprocess imc images` writes them (`steinbock/preprocessing/_cli/imc.py`,
//! `preprocessing/imc.py`, BodenmillerGroup/steinbock commit 848fc5ed):
//! - `<mcd stem>_<acquisition id, 3 digits>.tiff`; a `.txt` without an `.mcd`: `<txt stem>.tiff`;
//!   a name already taken gets steinbock's `DUPLICATE<n>_` prefix;
//! - the channels of the panel's `channel` column, in its order (an acquisition lacking one
//!   fails); float32 or uint16 (rounded half to even and clipped, as steinbock's
//!   `io._to_dtype`);
//! - an acquisition whose `.mcd` data are missing, cut, or stopped early is read from its
//!   `.txt` (`<mcd stem>*_0*<id>.txt`), and this is reported;
//! - the hot-pixel filter on request (steinbock's `--hpf`).
//!
//! Planning is in `convert_plan`.
//! The channel names (the panel's `name`s) go into each TIFF's OME-XML; `images.csv` lists
//! the images with their source, recovery file and slide position as steinbock's does.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::{Array3, Axis};
use pixelforest_core::Image;
use pixelforest_io::{panel_from_channels, write_panel, PanelRow};
use pixelforest_io::{read_imc_txt, read_imc_txt_channels, ImcChannel, McdFile, SampleType};
use pixelforest_io::{write_image_info, AcquisitionInfo, ImageInfo};

use crate::convert_plan::{plan_jobs, Job, Source};
use crate::error::{PipelineError, Result};
use crate::report::{run_parallel, BatchReport};

/// Where the panel comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum PanelSource {
    /// Read this steinbock `panel.csv` (its `channel` and `name` columns).
    Read(PathBuf),
    /// Make one from the files' channels and write it here.
    Create(PathBuf),
}

/// Options of a `convert` run.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertOptions {
    /// Folder of the written stacks.
    pub out_dir: PathBuf,
    /// Which channels to keep and their names.
    pub panel: PanelSource,
    /// Sample type of the written stacks.
    pub sample: SampleType,
    /// steinbock's `--hpf`; 0 disables the filter.
    pub hot_pixel_threshold: f32,
    /// Where to write steinbock's `images.csv` (`None`: not written).
    pub image_info: Option<PathBuf>,
    /// Redo acquisitions whose outputs exist.
    pub overwrite: bool,
    /// Show progress bars.
    pub progress: bool,
}

/// Converts `mcd` and `txt` files; returns the report and the panel used. A bad file or
/// acquisition is reported, the others written.
///
/// # Errors
/// The panel cannot be read or written (nothing is converted then).
pub fn convert_batch(
    mcd: &[PathBuf],
    txt: &[PathBuf],
    options: &ConvertOptions,
) -> Result<(BatchReport, Vec<(String, String)>)> {
    let opened: Vec<(PathBuf, std::result::Result<McdFile, String>)> = mcd
        .iter()
        .map(|p| (p.clone(), McdFile::open(p).map_err(|e| e.to_string())))
        .collect();
    let panel = resolve_panel(&opened, txt, &options.panel)?;
    let (plan, inputs) = plan_jobs(&opened, txt, &options.out_dir);
    let files: HashMap<&PathBuf, &McdFile> = opened
        .iter()
        .filter_map(|(p, f)| f.as_ref().ok().map(|f| (p, f)))
        .collect();
    // The images of a file that failed in part, for the report (run_parallel keeps none),
    // and every file's images.csv rows.
    let partial = std::sync::Mutex::new(HashMap::<PathBuf, Vec<PathBuf>>::new());
    let infos = std::sync::Mutex::new(HashMap::<PathBuf, Vec<ImageInfo>>::new());
    let mut report = run_parallel(&inputs, "files", options.progress, |input, warn| {
        let jobs = match plan.get(input) {
            Some(Ok(jobs)) => jobs,
            Some(Err(e)) => return Err(PipelineError::Invalid(e.clone())),
            None => return Ok((Vec::new(), 0)),
        };
        let mcd = files.get(&input.to_path_buf()).copied();
        let (outputs, rows, result) = convert_file(input, mcd, jobs, &panel, options, warn);
        if let Ok(mut i) = infos.lock() {
            i.insert(input.to_path_buf(), rows);
        }
        if result.is_err() {
            if let Ok(mut p) = partial.lock() {
                p.insert(input.to_path_buf(), outputs);
            }
            return result.map(|px| (Vec::new(), px));
        }
        result.map(|px| (outputs, px))
    });
    let mut partial = partial.into_inner().unwrap_or_default();
    for o in &mut report.outcomes {
        if let Some(outputs) = partial.remove(&o.input) {
            o.outputs = outputs;
        }
    }
    if let Some(path) = &options.image_info {
        let mut infos = infos.into_inner().unwrap_or_default();
        let rows: Vec<ImageInfo> = inputs
            .iter()
            .flat_map(|i| infos.remove(i).unwrap_or_default())
            .collect();
        if !rows.is_empty() {
            crate::batch_predict::create_parent(path)?;
            write_image_info(path, &rows)?;
        }
    }
    Ok((report, panel))
}

fn resolve_panel(
    opened: &[(PathBuf, std::result::Result<McdFile, String>)],
    txt: &[PathBuf],
    source: &PanelSource,
) -> Result<Vec<(String, String)>> {
    match source {
        PanelSource::Read(path) => Ok(pixelforest_io::read_panel_channels(path)?),
        PanelSource::Create(path) => {
            // steinbock: from the .mcd files if there are any, else from the .txt files.
            let mut channels: Vec<ImcChannel> = opened
                .iter()
                .filter_map(|(_, f)| f.as_ref().ok())
                .flat_map(|f| f.acquisitions().flat_map(|a| a.channels.iter().cloned()))
                .collect();
            if opened.is_empty() {
                // A .txt whose header cannot be read fails later, with its file named.
                channels.extend(
                    txt.iter()
                        .filter_map(|t| read_imc_txt_channels(t).ok())
                        .flatten(),
                );
            }
            let rows: Vec<PanelRow> = panel_from_channels(&channels);
            if rows.is_empty() {
                return Err(PipelineError::Invalid(
                    "no channels found to make a panel from".into(),
                ));
            }
            crate::batch_predict::create_parent(path)?;
            write_panel(path, &rows)?;
            let named = |r: PanelRow| {
                let name = if r.name.is_empty() {
                    r.channel.clone()
                } else {
                    r.name
                };
                (r.channel, name)
            };
            Ok(rows.into_iter().map(named).collect())
        }
    }
}

/// Converts one input's jobs; returns the outputs there now and the pixels written (0: all
/// existed), or the failures.
fn convert_file(
    input: &Path,
    mcd: Option<&McdFile>,
    jobs: &[Job],
    panel: &[(String, String)],
    options: &ConvertOptions,
    warn: &(dyn Fn(String) + Sync),
) -> (Vec<PathBuf>, Vec<ImageInfo>, Result<usize>) {
    let (mut outputs, mut pixels, mut failures) = (Vec::new(), 0usize, Vec::new());
    let mut rows = Vec::new();
    for job in jobs {
        if !options.overwrite && already_done(mcd, job, panel.len()) {
            outputs.push(job.output.clone());
            rows.extend(image_info(input, mcd, job));
            continue;
        }
        let result = read_source(input, mcd, &job.source, warn)
            .and_then(|(data, channels)| {
                select_channels(input, &job.source, data, &channels, panel)
            })
            .and_then(|data| {
                let mut data = filter(data, options.hot_pixel_threshold);
                if options.sample == SampleType::U16 {
                    // steinbock's io._to_dtype: np.around (half to even), then clip.
                    data.mapv_inplace(f32::round_ties_even);
                }
                let names = panel.iter().map(|(_, n)| n.clone()).collect();
                let image = Image::new(data, names)
                    .map_err(|e| PipelineError::file(input, e.to_string()))?;
                crate::batch_predict::create_parent(&job.output)?;
                pixelforest_io::write_ome_tiff_stack(&job.output, &image, options.sample)?;
                Ok(image.height() * image.width())
            });
        match result {
            Ok(px) => {
                pixels += px;
                outputs.push(job.output.clone());
                rows.extend(image_info(input, mcd, job));
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    if !failures.is_empty() {
        let written = outputs.len();
        let msg = format!(
            "{} ({written} of {} images written)",
            failures.join("; "),
            jobs.len()
        );
        return (outputs, rows, Err(PipelineError::Invalid(msg)));
    }
    (outputs, rows, Ok(pixels))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `images.csv` row of a written image: its size from the file, where it came from.
fn image_info(input: &Path, mcd: Option<&McdFile>, job: &Job) -> Option<ImageInfo> {
    let [c, h, w] = pixelforest_io::image_shape(&job.output).ok()?;
    let mut info = ImageInfo {
        image: file_name(&job.output),
        width_px: w,
        height_px: h,
        num_channels: c,
        source_file: file_name(input),
        recovery_file: None,
        recovered: false,
        acquisition: None,
    };
    if let (Source::Acquisition { id, recovery }, Some(f)) = (&job.source, mcd) {
        let acq = f.acquisitions().find(|a| a.id == *id)?;
        let complete = f
            .stored_pixels(acq)
            .is_ok_and(|n| n >= (acq.width * acq.height) as u64);
        info.recovery_file = recovery.as_deref().map(file_name);
        info.recovered = recovery.is_some() && !complete;
        let size = |px: usize, um: Option<f64>| um.map(|um| px as f64 * um);
        info.acquisition = Some(AcquisitionInfo {
            id: acq.id,
            description: acq.description.clone(),
            start_um: acq.roi_points_um.map(|p| p[0]),
            end_um: acq.roi_points_um.map(|p| p[2]),
            width_um: size(acq.width, acq.pixel_size_um.0),
            height_um: size(acq.height, acq.pixel_size_um.1),
        });
    }
    Some(info)
}

fn already_done(mcd: Option<&McdFile>, job: &Job, channels: usize) -> bool {
    if !job.output.is_file() {
        return false;
    }
    match (&job.source, mcd) {
        (Source::Acquisition { id, .. }, Some(f)) => {
            f.acquisitions().find(|a| a.id == *id).is_some_and(|a| {
                crate::plan::is_complete(&job.output, Some(channels), a.height, a.width)
            })
        }
        _ => pixelforest_io::read_pixels(&job.output).is_ok_and(|d| d.dim().0 == channels),
    }
}

/// An acquisition's pixels and channels: from the `.mcd`, else its `.txt`.
fn read_source(
    input: &Path,
    mcd: Option<&McdFile>,
    source: &Source,
    warn: &(dyn Fn(String) + Sync),
) -> Result<(Array3<f32>, Vec<ImcChannel>)> {
    let from_txt = |t: &Path| -> Result<(Array3<f32>, Vec<ImcChannel>)> {
        let txt = read_imc_txt(t)?;
        Ok((txt.data, txt.channels))
    };
    let (id, recovery) = match source {
        Source::Txt => return from_txt(input),
        Source::Acquisition { id, recovery } => (*id, recovery.as_deref()),
    };
    let Some(file) = mcd else {
        return Err(PipelineError::file(
            input,
            format!("acquisition {id}: file not open"),
        ));
    };
    let Some(acq) = file.acquisitions().find(|a| a.id == id) else {
        return Err(PipelineError::file(
            input,
            format!("acquisition {id} not found"),
        ));
    };
    match (file.read_acquisition(acq), recovery) {
        (Ok(px), _) if px.is_complete() => Ok((px.data, acq.channels.clone())),
        (Ok(px), Some(txt)) => {
            let (h, w) = (acq.height, acq.width);
            warn(format!(
                "{}: acquisition {id} stopped early ({} of {} pixels); read from {}",
                input.display(),
                px.stored,
                h * w,
                txt.display()
            ));
            from_txt(txt)
        }
        (Ok(px), None) => {
            warn(format!(
                "{}: acquisition {id} stopped early ({} of {} pixels), no .txt found: missing pixels are 0",
                input.display(), px.stored, acq.height * acq.width
            ));
            Ok((px.data, acq.channels.clone()))
        }
        (Err(e), Some(txt)) => {
            warn(format!("{e}; read from {}", txt.display()));
            from_txt(txt)
        }
        (Err(e), None) => Err(PipelineError::Invalid(format!(
            "{e}, and no .txt file to recover it from"
        ))),
    }
}

/// The panel's channels, in its order, from `data` whose channels are `channels`.
fn select_channels(
    input: &Path,
    source: &Source,
    data: Array3<f32>,
    channels: &[ImcChannel],
    panel: &[(String, String)],
) -> Result<Array3<f32>> {
    let names: Vec<String> = channels.iter().map(ImcChannel::name).collect();
    let mut index = Vec::with_capacity(panel.len());
    for (metal, _) in panel {
        let Some(i) = names.iter().position(|n| n == metal) else {
            let what = match source {
                Source::Acquisition { id, .. } => format!("acquisition {id}"),
                Source::Txt => "file".into(),
            };
            return Err(PipelineError::file(
                input,
                format!(
                    "{what} has no channel {metal} of the panel (it has {})",
                    names.join(", ")
                ),
            ));
        };
        index.push(i);
    }
    if index.iter().copied().eq(0..names.len()) {
        return Ok(data);
    }
    Ok(data.select(Axis(0), &index))
}

fn filter(mut data: Array3<f32>, threshold: f32) -> Array3<f32> {
    if threshold > 0.0 {
        for mut plane in data.outer_iter_mut() {
            let filtered = pixelforest_prepare::filter_hot_pixels(plane.view(), threshold);
            plane.assign(&filtered);
        }
    }
    data
}
