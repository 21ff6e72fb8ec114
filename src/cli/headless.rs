//! `pixelforest headless`: ilastik's headless command line, so that a two-line
//! `run_ilastik.sh` can stand in for ilastik in steinbock, ImcSegmentationPipeline's Snakemake
//! workflow and nf-core/imcyto. Parsing and naming are ilastik's (`pixelforest::ilastik`
//! `parse_headless_args`, `export_path`); the work is `predict`'s (`predict_batch`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use pixelforest::ilastik::{export_path, parse_headless_args, HeadlessArgs};
use pixelforest::io::{ProbabilityFormat, SampleType};
use pixelforest::pipeline::{
    collect_images, load_model, predict_batch, BatchReport, PredictOptions, DEFAULT_TILE,
};

use super::common::init_threads;

/// Run a trained classifier with ilastik's headless command line (a drop-in for
/// `run_ilastik.sh --headless`).
///
/// Takes the arguments steinbock, ImcSegmentationPipeline and nf-core/imcyto pass to ilastik,
/// in `--flag=value` or `--flag value` form, e.g. (steinbock):
///   pixelforest headless --headless --project=pixel_classifier.ilp --readonly --input_axes=cyx
///     --export_source=Probabilities --output_format=tiff
///     --output_filename_format=ilastik_probabilities/{nickname}.tiff --export_dtype=uint16
///     --output_axis_order=yxc --pipeline_result_drange=(0.0,1.0) --export_drange=(0,65535)
///     ilastik_img/a.h5/img ilastik_img/b.h5/img
///
/// Supported: --headless (required), --project (a .pxf model, or an ilastik project where
/// pixelforest can load its forest), --readonly[=BOOL], --input_axes (must equal the
/// dataset's axes), --export_source=Probabilities, --output_format=tiff|hdf5,
/// --output_filename_format with {dataset_dir} {nickname} {result_type},
/// --output_internal_path=exported_data, --export_dtype=uint16 with
/// --pipeline_result_drange=(0,1) --export_drange=(0,65535) (ilastik's renormalization) or
/// float32 (no renormalization), --output_axis_order=yxc, --logfile, inputs as trailing paths or
/// --raw_data, `file.h5/dataset` selecting a dataset. Any other flag or value is an error
/// naming it. Unset settings take ilastik's defaults for a new project (Probabilities, hdf5,
/// float32, `{dataset_dir}/{nickname}_{result_type}`), not a project's stored export settings;
/// the output axis order is always yxc. Existing outputs are overwritten, as ilastik does.
/// LAZYFLOW_THREADS sets the worker threads.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// ilastik's headless arguments.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        num_args = 0..,
        value_name = "ILASTIK_ARGS"
    )]
    args: Vec<String>,
}

/// ilastik's name for the exported source, `{result_type}` in file names.
const RESULT_TYPE: &str = "Probabilities";

/// What the export writes, decided from ilastik's settings.
#[derive(Debug, Clone, Copy)]
struct Export {
    sample: SampleType,
    format: ProbabilityFormat,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let parsed = parse_headless_args(&args.args)?;
    if !parsed.headless {
        bail!("pixelforest runs ilastik's headless mode only: pass --headless");
    }
    let (export, notes) = export_settings(&parsed)?;
    init_threads(lazyflow_threads()?)?;
    let project = parsed
        .project
        .clone()
        .context("--project is required (the trained model or ilastik project)")?;
    let inputs = input_paths(&parsed)?;
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let outputs = plan_outputs(&parsed, &inputs, export.format, &cwd)?;
    let model = load_model(&project)?;
    let mut log = Log::open(parsed.logfile.as_deref())?;
    for note in &notes {
        log.line(note);
    }
    log.line(&format!(
        "predicting {} images with {} ({} classes)",
        inputs.len(),
        project.display(),
        model.meta.classes.len()
    ));
    let mut report = BatchReport {
        outcomes: Vec::new(),
        elapsed: std::time::Duration::ZERO,
    };
    for (input, output) in inputs.iter().zip(&outputs) {
        let options = predict_options(output, export)?;
        let one = predict_batch(&model, std::slice::from_ref(input), &options);
        report.outcomes.extend(one.outcomes);
        report.elapsed += one.elapsed;
    }
    log.text(&report.table());
    Ok(if report.failed() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Decides the sample type and container from ilastik's export flags, refusing every
/// combination pixelforest does not write exactly as ilastik would; also returns a note for
/// every setting left to its default.
fn export_settings(a: &HeadlessArgs) -> anyhow::Result<(Export, Vec<String>)> {
    let source = a.export_source.as_deref().unwrap_or(RESULT_TYPE);
    if !source.eq_ignore_ascii_case(RESULT_TYPE) {
        bail!("--export_source={source} is not supported: pixelforest exports Probabilities");
    }
    let format = match a.output_format.as_deref() {
        Some("tiff") => ProbabilityFormat::Tiff,
        Some("hdf5") | None => ProbabilityFormat::H5,
        Some(other) => bail!(
            "--output_format={other} is not supported: pixelforest writes tiff or hdf5 \
             (ilastik's `tiff sequence`, `multipage tiff`, `compressed hdf5`, png, npy ... are not)"
        ),
    };
    if let Some(p) = a.output_internal_path.as_deref() {
        if p.trim_start_matches('/') != pixelforest::io::EXPORT_DATASET {
            bail!(
                "--output_internal_path={p} is not supported: the dataset is always `{}`",
                pixelforest::io::EXPORT_DATASET
            );
        }
    }
    if let Some(order) = a.output_axis_order.as_deref() {
        if order != "yxc" {
            bail!("--output_axis_order={order} is not supported: pixelforest writes yxc");
        }
    }
    let sample = sample_type(a)?;
    let mut notes = Vec::new();
    for (flag, given, default) in [
        (
            "--export_source",
            a.export_source.is_some(),
            "Probabilities",
        ),
        ("--output_format", a.output_format.is_some(), "hdf5"),
        ("--export_dtype", a.export_dtype.is_some(), "float32"),
        ("--output_axis_order", a.output_axis_order.is_some(), "yxc"),
    ] {
        if !given {
            notes.push(format!(
                "note: {flag} not given: using {default} (a project's stored export settings are not read)"
            ));
        }
    }
    Ok((Export { sample, format }, notes))
}

/// ilastik's dtype conversion: uint16 renormalized from [0, 1] to [0, 65535], or float32 as
/// computed (optionally "renormalized" from [0, 1] to [0, 1]).
fn sample_type(a: &HeadlessArgs) -> anyhow::Result<SampleType> {
    let unit = Some((0.0, 1.0));
    let ranges = (a.pipeline_result_drange, a.export_drange);
    match (a.export_dtype.as_deref(), ranges) {
        (Some("uint16"), (r, Some((0.0, 65535.0)))) if r == unit => Ok(SampleType::U16),
        (Some("float32") | None, (_, None)) => Ok(SampleType::F32),
        (Some("float32") | None, (r, e)) if r == unit && e == unit => Ok(SampleType::F32),
        (dtype, (r, e)) => bail!(
            "--export_dtype={} with --pipeline_result_drange={} --export_drange={} is not \
             supported: pixelforest writes uint16 with (0.0,1.0) -> (0,65535), or float32",
            dtype.unwrap_or("(unset)"),
            range_text(r),
            range_text(e)
        ),
    }
}

fn range_text(r: Option<(f64, f64)>) -> String {
    r.map_or("(unset)".into(), |(lo, hi)| format!("({lo},{hi})"))
}

/// LAZYFLOW_THREADS, ilastik's thread count, which steinbock and the Snakemake rule set.
fn lazyflow_threads() -> anyhow::Result<Option<usize>> {
    match std::env::var("LAZYFLOW_THREADS") {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<usize>()
            .map(|n| Some(n).filter(|&n| n > 0))
            .with_context(|| format!("LAZYFLOW_THREADS={v:?} is not a number")),
        _ => Ok(None),
    }
}

/// The input images, each checked to exist and, with --input_axes, to have those axes.
fn input_paths(a: &HeadlessArgs) -> anyhow::Result<Vec<PathBuf>> {
    if a.inputs.is_empty() {
        bail!("no input images given (trailing paths or --raw_data)");
    }
    let mut out = Vec::with_capacity(a.inputs.len());
    for input in &a.inputs {
        let path = PathBuf::from(input);
        if path.is_dir() {
            bail!("{input}: a folder; ilastik takes image files (use `pixelforest predict` for folders)");
        }
        collect_images(std::slice::from_ref(&path), None)?;
        if let Some(want) = a.input_axes.as_deref() {
            match pixelforest::io::h5_path::image_axes(&path)? {
                Some(axes) if axes == want => {}
                Some(axes) => bail!(
                    "{input}: the dataset's axes are `{axes}` but --input_axes={want}; \
                     pixelforest reads datasets in their stored axis order"
                ),
                None => bail!(
                    "{input}: --input_axes applies to HDF5 datasets; pixelforest reads the axes \
                     of TIFF files from the file"
                ),
            }
        }
        out.push(path);
    }
    Ok(out)
}

/// Every input's export file, planned before any work: unfilled placeholders, two inputs
/// sharing an output, and an output replacing its input are errors.
fn plan_outputs(
    a: &HeadlessArgs,
    inputs: &[PathBuf],
    format: ProbabilityFormat,
    cwd: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let template = a
        .output_filename_format
        .as_deref()
        .unwrap_or("{dataset_dir}/{nickname}_{result_type}");
    let mut outputs: Vec<PathBuf> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let text = input.to_string_lossy();
        let (path, unknown) = export_path(template, &text, RESULT_TYPE, extension(format), cwd);
        if let Some(key) = unknown.first() {
            bail!(
                "--output_filename_format={template}: placeholder {{{key}}} is not supported \
                 (supported: {{dataset_dir}}, {{nickname}}, {{result_type}})"
            );
        }
        if let Some(i) = outputs.iter().position(|o| *o == path) {
            bail!(
                "{} and {} would both be exported to {}; add {{nickname}} to --output_filename_format",
                inputs[i].display(),
                input.display(),
                path.display()
            );
        }
        let source = pixelforest::io::split_h5_path(input).map_or(input.clone(), |p| p.file);
        if cwd.join(&source) == path {
            bail!(
                "{}: the export would replace its own input",
                input.display()
            );
        }
        outputs.push(path);
    }
    Ok(outputs)
}

fn extension(format: ProbabilityFormat) -> &'static str {
    match format {
        ProbabilityFormat::Tiff => "tiff",
        ProbabilityFormat::H5 => "h5",
    }
}

/// `predict`'s options writing exactly `output` (always overwritten, as ilastik does).
fn predict_options(output: &Path, export: Export) -> anyhow::Result<PredictOptions> {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .and_then(|n| {
            n.strip_suffix(&format!(".{}", extension(export.format)))
                .map(str::to_string)
        })
        .with_context(|| format!("{}: not a file name", output.display()))?;
    Ok(PredictOptions {
        output_dir: output.parent().map(Path::to_path_buf),
        name_pattern: name,
        sample: export.sample,
        format: export.format,
        uncertainty_dir: None,
        tile_size: DEFAULT_TILE,
        overwrite: true,
        progress: true,
        ..PredictOptions::default()
    })
}

/// Messages to stderr and, with --logfile, to that file.
struct Log {
    file: Option<(PathBuf, std::fs::File)>,
}

impl Log {
    fn open(path: Option<&Path>) -> anyhow::Result<Log> {
        let file = match path {
            Some(p) => Some((
                p.to_path_buf(),
                std::fs::File::create(p)
                    .with_context(|| format!("{}: cannot create log file", p.display()))?,
            )),
            None => None,
        };
        Ok(Log { file })
    }

    fn line(&mut self, msg: &str) {
        self.text(&format!("{msg}\n"));
    }

    fn text(&mut self, msg: &str) {
        eprint!("{msg}");
        if let Some((path, f)) = &mut self.file {
            if let Err(e) = f.write_all(msg.as_bytes()) {
                eprintln!("warning: {}: cannot write log: {e}", path.display());
                self.file = None;
            }
        }
    }
}
