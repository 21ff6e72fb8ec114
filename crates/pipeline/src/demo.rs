//! `demo`: the whole stage on built-in synthetic data — synth, prepare, train on the synthetic
//! scribbles, predict with uncertainty — scored against the generator's ground truth.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ndarray::Array2;
use pixelforest_core::{default_classes, LabelClass};
use pixelforest_features::FeatureSelection;
use pixelforest_forest::ForestSettings;
use pixelforest_prepare::PrepareSettings;
use pixelforest_segment::identify::{match_objects, Detection};
use pixelforest_segment::SegmentSettings;
use pixelforest_synth::{instances, SynthSettings};

use crate::batch_predict::{predict_batch, PredictOptions, UncertaintyDir};
use crate::error::{PipelineError, Result};
use crate::inputs::collect_images;
use crate::measure_run::{measure_batch, write_cell_table, MeasureOptions, TableFormat};
use crate::metrics::{argmax_classes, score, Scores};
use crate::model::{save_model, Model};
use crate::prepare_run::{prepare_batch, prepared_stem, PrepareOptions};
use crate::report::BatchReport;
use crate::segment_inputs::MaskLayout;
use crate::segment_run::{segment_batch, SegmentOptions};
use crate::synth_run::{write_synth, SynthFiles, SynthOptions};
use crate::train_files::train_from_files;

/// Options of the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    /// Folder the demo writes its project into.
    pub out_dir: PathBuf,
    /// Synthetic acquisitions; the first is labelled and trained on, all are predicted.
    pub n_images: usize,
    /// Raw acquisition edge in pixels (the prepared images are `scale` times larger).
    pub size: usize,
    /// Seed of the data, the crops and the forest.
    pub seed: u64,
    /// Feature preset.
    pub features: String,
    /// Trees in the forest.
    pub n_trees: usize,
    /// Show progress bars.
    pub progress: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            out_dir: PathBuf::from("demo-out"),
            n_images: 2,
            size: 300,
            seed: 1,
            features: pixelforest_features::DEFAULT_PRESET.into(),
            n_trees: ForestSettings::DEFAULT.n_trees,
            progress: true,
        }
    }
}

/// One timed step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step's name.
    pub name: &'static str,
    /// Wall time it took.
    pub elapsed: Duration,
    /// Megapixels the step processed (at the resolution it works on).
    pub megapixels: f64,
}

/// What the demo measured.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoReport {
    /// The timed steps, in order.
    pub steps: Vec<Step>,
    /// Class names, in label order.
    pub class_names: Vec<String>,
    /// Labelled pixels per class.
    pub labelled_pixels: Vec<usize>,
    /// The forest's out-of-bag accuracy.
    pub oob_accuracy: Option<f64>,
    /// Features per pixel.
    pub n_features: usize,
    /// Scores per predicted image: (name, scores, used for training).
    pub scores: Vec<(String, Scores, bool)>,
    /// The model file written.
    pub model: PathBuf,
    /// The probability files written.
    pub probabilities: Vec<PathBuf>,
    /// Per image: nuclei and cells found by `segment` against the synthetic instances.
    pub detection: Vec<ImageDetection>,
    /// The single-cell table `measure` wrote (steinbock's `cells.csv`) and its number of cells.
    pub cells: (PathBuf, usize),
}

/// One image's segmentation scored against the generator's instances (object F1 at
/// IoU >= 0.5).
#[derive(Debug, Clone, PartialEq)]
pub struct ImageDetection {
    /// The acquisition's name.
    pub name: String,
    /// Nuclei found (the `--nuclei-out` masks) against the generator's nuclei.
    pub nuclei: Detection,
    /// Cells found against the generator's cells.
    pub cells: Detection,
    /// The cell mask `segment` wrote.
    pub mask: PathBuf,
}

/// Nearest-neighbour upscaling of a label map by an integer factor.
pub fn upscale_labels(labels: &Array2<u8>, scale: usize) -> Array2<u8> {
    let s = scale.max(1);
    let (h, w) = labels.dim();
    Array2::from_shape_fn((h * s, w * s), |(y, x)| labels[[y / s, x / s]])
}

fn batch_ok(report: &BatchReport, what: &str) -> Result<()> {
    if report.failed() > 0 {
        return Err(PipelineError::Invalid(format!(
            "demo {what} failed:\n{}",
            report.table()
        )));
    }
    Ok(())
}

/// Runs the demo in `options.out_dir`.
pub fn run_demo(options: &DemoOptions) -> Result<DemoReport> {
    let out = &options.out_dir;
    let tiff_dir = out.join("tiff");
    let mut steps = Vec::new();
    let raw_mpx = (options.n_images * options.size * options.size) as f64 / 1e6;

    let t = Instant::now();
    let files = synthesize(options, &tiff_dir)?;
    steps.push(Step::since("synth", t, raw_mpx));

    let t = Instant::now();
    let scale = prepare(options, &files)?;
    steps.push(Step::since("prepare", t, raw_mpx));

    // Label the first acquisition with its synthetic scribbles, at the prepared resolution.
    let first_stem = prepared_stem(&files[0].stack, scale);
    let (label_path, n_labels) = write_scribbles(out, &files[0], &first_stem, scale)?;

    let t = Instant::now();
    let classes = default_classes();
    let image_path = tiff_dir.join(format!("{first_stem}.h5"));
    let model = train(options, &image_path, label_path, &classes)?;
    let model_path = out.join("classifier.pxf");
    save_model(&model, &model_path)?;
    steps.push(Step::since("train", t, n_labels as f64 / 1e6));

    let t = Instant::now();
    let (predict_options, predicted_px) = predict_prepared(options, &model, &tiff_dir)?;
    steps.push(Step::since(
        "predict + uncertainty",
        t,
        predicted_px as f64 / 1e6,
    ));

    let (scores, probabilities) = score_all(
        &files,
        scale,
        (&tiff_dir, &image_path),
        &predict_options,
        classes.len(),
    )?;
    let t = Instant::now();
    let detection = segment_and_score(options, &probabilities, &files)?;
    steps.push(Step::since("segment", t, raw_mpx));
    let t = Instant::now();
    let stacks: Vec<PathBuf> = files.iter().map(|f| f.stack.clone()).collect();
    let cells = measure_cells(options, &stacks)?;
    steps.push(Step::since("measure", t, raw_mpx));

    let report = model.meta.report.clone();
    Ok(DemoReport {
        steps,
        class_names: classes.iter().map(|c| c.name.clone()).collect(),
        labelled_pixels: report
            .as_ref()
            .map(|r| r.class_counts.clone())
            .unwrap_or_default(),
        oob_accuracy: report.map(|r| r.oob_accuracy),
        n_features: model.forest.n_features(),
        scores,
        model: model_path,
        probabilities,
        detection,
        cells,
    })
}

/// Per image `(stem, scores, trained on it)`, and the probability files scored.
type ScoredImages = (Vec<(String, Scores, bool)>, Vec<PathBuf>);

/// Each acquisition's prepared image scored against its ground truth, as `(stem, scores,
/// trained on it)` (`trained` is the image trained on), and the probability files read.
fn score_all(
    files: &[SynthFiles],
    scale: usize,
    (tiff_dir, trained): (&Path, &Path),
    predict_options: &PredictOptions,
    n_classes: usize,
) -> Result<ScoredImages> {
    let mut scores = Vec::new();
    let mut probabilities = Vec::new();
    for f in files {
        let stem = prepared_stem(&f.stack, scale);
        let image = tiff_dir.join(format!("{stem}.h5"));
        let probs_path = predict_options.output_path(&image);
        let s = score_image(&probs_path, f, scale, n_classes)?;
        scores.push((stem, s, image == trained));
        probabilities.push(probs_path);
    }
    Ok((scores, probabilities))
}

/// The synthetic acquisitions, written to `tiff_dir`.
fn synthesize(options: &DemoOptions, tiff_dir: &Path) -> Result<Vec<SynthFiles>> {
    write_synth(&SynthOptions {
        out_dir: tiff_dir.to_path_buf(),
        n_images: options.n_images.max(1),
        height: options.size,
        width: options.size,
        seed: options.seed,
        prefix: "synth".into(),
    })
}

/// Predicts every prepared image of `tiff_dir` with uncertainty into the demo's folders;
/// returns the options used (they name the outputs) and the pixels predicted.
fn predict_prepared(
    options: &DemoOptions,
    model: &Model,
    tiff_dir: &Path,
) -> Result<(PredictOptions, usize)> {
    let out = &options.out_dir;
    let predict_options = PredictOptions {
        output_dir: Some(out.join("ilastik")),
        uncertainty_dir: Some(UncertaintyDir::Folder(out.join("uncertainty"))),
        overwrite: true,
        progress: options.progress,
        ..PredictOptions::default()
    };
    let images = collect_images(
        std::slice::from_ref(&tiff_dir.to_path_buf()),
        Some("_s2.h5"),
    )?;
    let predicted = predict_batch(model, &images, &predict_options)?;
    batch_ok(&predicted, "predict")?;
    let pixels = predicted.outcomes.iter().map(|o| o.pixels).sum();
    Ok((predict_options, pixels))
}

/// Measures every acquisition (as recorded, not upscaled) with the cell mask `segment` wrote:
/// steinbock's per-cell tables and the combined `cells.csv`, with its number of cells.
fn measure_cells(options: &DemoOptions, stacks: &[PathBuf]) -> Result<(PathBuf, usize)> {
    let measure = MeasureOptions {
        masks_dir: options.out_dir.join("masks"),
        mask_pattern: "{name}_s2_Probabilities_mask.tiff".into(),
        panel: None,
        out_dir: options.out_dir.join("cells"),
        neighbors: pixelforest_segment::NeighborSettings::new(
            pixelforest_segment::NeighborType::Expansion,
            Some(4.0),
            None,
        )
        .map_err(|e| PipelineError::Invalid(e.to_string()))?,
        format: TableFormat::Csv,
        overwrite: true,
        progress: options.progress,
    };
    batch_ok(&measure_batch(stacks, &measure)?, "measure")?;
    write_cell_table(stacks, &measure)
}

/// Segments the predicted maps as ImcSegmentationPipeline does (back at the acquisitions'
/// resolution) and scores nuclei and cells against the generator's instances.
fn segment_and_score(
    options: &DemoOptions,
    probabilities: &[PathBuf],
    files: &[SynthFiles],
) -> Result<Vec<ImageDetection>> {
    let seg = SegmentOptions {
        out_dir: options.out_dir.join("masks"),
        nuclei_dir: Some(options.out_dir.join("nuclei")),
        probabilities_dir: None,
        layout: MaskLayout::Isp,
        settings: SegmentSettings::imc_segmentation_pipeline(),
        overwrite: true,
        progress: options.progress,
    };
    batch_ok(&segment_batch(probabilities, &seg)?, "segment")?;
    let mut detection = Vec::new();
    for (i, (probs, f)) in probabilities.iter().zip(files).enumerate() {
        let truth = instances(&SynthSettings {
            height: options.size,
            width: options.size,
            seed: options.seed.wrapping_add(i as u64),
        });
        let [cells, nuclei] = [0, 1].map(|k| seg.outputs(probs)[k].clone());
        let read = |p: &Path| -> Result<Array2<i32>> {
            let px = pixelforest_io::read_pixels(p)?;
            Ok(px.index_axis(ndarray::Axis(0), 0).mapv(|v| v as i32))
        };
        detection.push(ImageDetection {
            name: f.name.clone(),
            nuclei: match_objects(&truth.nuclei, &read(&nuclei)?, 0.5),
            cells: match_objects(&truth.cells, &read(&cells)?, 0.5),
            mask: cells,
        });
    }
    Ok(detection)
}

/// The predicted classes of `probs_path` scored against the acquisition's ground truth.
fn score_image(
    probs_path: &Path,
    f: &SynthFiles,
    scale: usize,
    n_classes: usize,
) -> Result<Scores> {
    let probs = pixelforest_io::read_probabilities(probs_path)?;
    let truth = upscale_labels(&pixelforest_io::read_label_image(&f.truth)?, scale);
    Ok(score(&argmax_classes(&probs), &truth, n_classes))
}

impl Step {
    fn since(name: &'static str, start: Instant, megapixels: f64) -> Self {
        Step {
            name,
            elapsed: start.elapsed(),
            megapixels,
        }
    }
}

/// Trains on the one labelled image with the demo's preset, tree count and seed.
fn train(
    options: &DemoOptions,
    image_path: &Path,
    label_path: PathBuf,
    classes: &[LabelClass],
) -> Result<Model> {
    let selection = FeatureSelection::preset(&options.features)?;
    let forest = ForestSettings {
        n_trees: options.n_trees,
        seed: options.seed,
        ..ForestSettings::default()
    };
    train_from_files(
        &[(image_path.to_path_buf(), label_path)],
        &selection,
        classes,
        &forest,
    )
}

/// Prepares the synthetic stacks (full images and one crop each) beside them; returns the scale.
fn prepare(options: &DemoOptions, files: &[SynthFiles]) -> Result<usize> {
    let out = &options.out_dir;
    let settings = PrepareSettings::default();
    let scale = settings.scale;
    let stacks: Vec<PathBuf> = files.iter().map(|f| f.stack.clone()).collect();
    let prep = prepare_batch(
        &stacks,
        &PrepareOptions {
            settings,
            out_dir: out.join("tiff"),
            crops_dir: out.join("ilastik"),
            crops_per_image: 1,
            crop_size: 250,
            seed: options.seed,
            overwrite: true,
            progress: options.progress,
        },
    )?;
    batch_ok(&prep, "prepare")?;
    Ok(scale)
}

/// Writes the acquisition's scribbles, upscaled, as the prepared image's label image; returns
/// its path and pixel count.
fn write_scribbles(
    out: &Path,
    first: &SynthFiles,
    first_stem: &str,
    scale: usize,
) -> Result<(PathBuf, usize)> {
    let labels_dir = out.join("labels");
    let scribbles = pixelforest_io::read_label_image(&first.scribbles)?;
    let label_path = labels_dir.join(format!("{first_stem}_labels.tiff"));
    std::fs::create_dir_all(&labels_dir)
        .map_err(|e| PipelineError::file(&labels_dir, e.to_string()))?;
    let labels = upscale_labels(&scribbles, scale);
    pixelforest_io::write_label_image(&label_path, &labels)?;
    Ok((label_path, labels.len()))
}
