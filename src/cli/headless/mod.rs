//! `pixelforest headless`: ilastik's headless command line, so that a two-line
//! `run_ilastik.sh` can stand in for ilastik in steinbock, ImcSegmentationPipeline's Snakemake
//! workflow and nf-core/imcyto. Parsing and naming are ilastik's (`pixelforest::ilastik`
//! `parse_headless_args`, `export_path`); the work is `predict`'s (`predict_batch`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod settings;

use anyhow::{bail, Context};
use pixelforest::ilastik::{
    export_path, parse_headless_args, read_export_settings, HeadlessArgs, StoredExport,
};
use pixelforest::io::ProbabilityFormat;
use pixelforest::pipeline::{
    collect_images, load_model, predict_batch, BatchReport, PredictOptions, DEFAULT_TILE,
};

use super::common::init_threads;
use settings::{resolve, Export, RESULT_TYPE};

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
/// naming it. As in ilastik, settings not given are those stored in an .ilp project's
/// `Prediction Export` group, else ilastik's defaults (Probabilities, hdf5, float32,
/// `{dataset_dir}/{nickname}_{result_type}`, the input's axis order); each is reported.
/// Existing outputs are overwritten, as ilastik does. LAZYFLOW_THREADS sets the worker threads.
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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let parsed = parse_headless_args(&args.args)?;
    if !parsed.headless {
        bail!("pixelforest runs ilastik's headless mode only: pass --headless");
    }
    let project = parsed
        .project
        .clone()
        .context("--project is required (the trained model or ilastik project)")?;
    // A missing project is reported by load_model, after the flags have been checked.
    let stored = if is_ilp(&project) && project.is_file() {
        read_export_settings(&project)?
    } else {
        StoredExport::default()
    };
    let (export, notes) = resolve(&parsed, &stored)?;
    init_threads(lazyflow_threads()?)?;
    let inputs = input_paths(&parsed, export.axis_order_set)?;
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let outputs = plan_outputs(&inputs, &export, &cwd)?;
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
        let options = predict_options(output, &export)?;
        let one = predict_batch(&model, std::slice::from_ref(input), &options)?;
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

fn is_ilp(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ilp"))
}

/// The input images, each checked to exist and, with --input_axes, to have those axes. With
/// no output axis order set, ilastik exports in the input's order, so an HDF5 input must
/// keep its channels last.
fn input_paths(a: &HeadlessArgs, axis_order_set: bool) -> anyhow::Result<Vec<PathBuf>> {
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
        check_axes(input, &path, a.input_axes.as_deref(), axis_order_set)?;
        out.push(path);
    }
    Ok(out)
}

/// With --input_axes, the dataset must have those axes (pixelforest reads datasets in their
/// stored order); with no output axis order set, ilastik exports in the input's order, which
/// must keep the channels last. A file whose axes cannot be read is left to the batch, which
/// reports it without stopping the others.
fn check_axes(
    input: &str,
    path: &Path,
    want: Option<&str>,
    axis_order_set: bool,
) -> anyhow::Result<()> {
    if want.is_none() && axis_order_set {
        return Ok(());
    }
    let Ok(axes) = pixelforest::io::image_axes(path) else {
        return Ok(());
    };
    match (axes.as_deref(), want) {
        (Some(axes), _) if !axis_order_set && !axes.ends_with('c') => bail!(
            "{input}: no --output_axis_order given, so ilastik would export in the input's axis \
             order `{axes}`; pixelforest writes yxc: pass --output_axis_order=yxc"
        ),
        (Some(axes), Some(want)) if axes != want => bail!(
            "{input}: the dataset's axes are `{axes}` but --input_axes={want}; pixelforest reads \
             datasets in their stored axis order"
        ),
        (None, Some(_)) => bail!(
            "{input}: --input_axes applies to HDF5 datasets; pixelforest reads the axes of TIFF \
             files from the file"
        ),
        _ => Ok(()),
    }
}

/// Every input's export file, planned before any work: unfilled placeholders, two inputs
/// sharing an output, and an output replacing its input are errors.
fn plan_outputs(inputs: &[PathBuf], export: &Export, cwd: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let template = export.filename.as_str();
    let mut outputs: Vec<PathBuf> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let text = input.to_string_lossy();
        let (path, unknown) =
            export_path(template, &text, RESULT_TYPE, extension(export.format), cwd);
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
fn predict_options(output: &Path, export: &Export) -> anyhow::Result<PredictOptions> {
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
