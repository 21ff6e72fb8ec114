//! `demo`: the whole stage on built-in synthetic data — synth, prepare, train on the synthetic
//! scribbles, predict with uncertainty — scored against the generator's ground truth.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ndarray::Array2;
use pixelforest_core::default_classes;
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
use crate::prepare_run::{prepare_batch, prepared_stem, PrepareOptions};
use crate::report::BatchReport;
use crate::segment_inputs::MaskLayout;
use crate::segment_run::{segment_batch, SegmentOptions};
use crate::synth_run::{write_synth, SynthOptions};
use crate::train_files::{save_model, train_from_files};

/// Options of the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    pub out_dir: PathBuf,
    /// Synthetic acquisitions; the first is labelled and trained on, all are predicted.
    pub n_images: usize,
    /// Raw acquisition edge in pixels (the prepared images are `scale` times larger).
    pub size: usize,
    pub seed: u64,
    pub features: String,
    pub n_trees: usize,
    pub progress: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            out_dir: PathBuf::from("demo-out"),
            n_images: 2,
            size: 300,
            seed: 1,
            features: "sigma>=1".into(),
            n_trees: 100,
            progress: true,
        }
    }
}

/// One timed step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: &'static str,
    pub elapsed: Duration,
    /// Megapixels the step processed (at the resolution it works on).
    pub megapixels: f64,
}

/// What the demo measured.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoReport {
    pub steps: Vec<Step>,
    pub class_names: Vec<String>,
    pub labelled_pixels: Vec<usize>,
    pub oob_accuracy: Option<f64>,
    pub n_features: usize,
    /// Scores per predicted image: (name, scores, used for training).
    pub scores: Vec<(String, Scores, bool)>,
    pub model: PathBuf,
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
    pub name: String,
    pub nuclei: Detection,
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
    let files = write_synth(&SynthOptions {
        out_dir: tiff_dir.clone(),
        n_images: options.n_images.max(1),
        height: options.size,
        width: options.size,
        seed: options.seed,
        prefix: "synth".into(),
    })?;
    steps.push(Step {
        name: "synth",
        elapsed: t.elapsed(),
        megapixels: raw_mpx,
    });

    let t = Instant::now();
    let settings = PrepareSettings::default();
    let scale = settings.scale;
    let stacks: Vec<PathBuf> = files.iter().map(|f| f.stack.clone()).collect();
    let prep = prepare_batch(
        &stacks,
        &PrepareOptions {
            settings,
            out_dir: tiff_dir.clone(),
            crops_dir: out.join("ilastik"),
            crops_per_image: 1,
            crop_size: 250,
            seed: options.seed,
            overwrite: true,
            progress: options.progress,
        },
    )?;
    batch_ok(&prep, "prepare")?;
    steps.push(Step {
        name: "prepare",
        elapsed: t.elapsed(),
        megapixels: raw_mpx,
    });

    // Label the first acquisition with its synthetic scribbles, at the prepared resolution.
    let labels_dir = out.join("labels");
    let first = &files[0];
    let scribbles = pixelforest_io::read_label_image(&first.scribbles)?;
    let first_stem = prepared_stem(&first.stack, scale);
    let label_path = labels_dir.join(format!("{first_stem}_labels.tiff"));
    std::fs::create_dir_all(&labels_dir)
        .map_err(|e| PipelineError::file(&labels_dir, e.to_string()))?;
    let labels = upscale_labels(&scribbles, scale);
    pixelforest_io::write_label_image(&label_path, &labels)?;

    let t = Instant::now();
    let classes = default_classes();
    let selection = FeatureSelection::preset(&options.features)?;
    let forest = ForestSettings {
        n_trees: options.n_trees,
        seed: options.seed,
        ..ForestSettings::default()
    };
    let image_path = tiff_dir.join(format!("{first_stem}.h5"));
    let model = train_from_files(
        &[(image_path.clone(), label_path)],
        &selection,
        &classes,
        &forest,
    )?;
    let model_path = out.join("classifier.pxf");
    save_model(&model, &model_path)?;
    let train_mpx = (labels.len()) as f64 / 1e6;
    steps.push(Step {
        name: "train",
        elapsed: t.elapsed(),
        megapixels: train_mpx,
    });

    let t = Instant::now();
    let images = collect_images(std::slice::from_ref(&tiff_dir), Some("_s2.h5"))?;
    let predict_options = PredictOptions {
        output_dir: Some(out.join("ilastik")),
        uncertainty_dir: Some(UncertaintyDir::Folder(out.join("uncertainty"))),
        overwrite: true,
        progress: options.progress,
        ..PredictOptions::default()
    };
    let predicted = predict_batch(&model, &images, &predict_options)?;
    batch_ok(&predicted, "predict")?;
    let predicted_px: usize = predicted.outcomes.iter().map(|o| o.pixels).sum();
    steps.push(Step {
        name: "predict + uncertainty",
        elapsed: t.elapsed(),
        megapixels: predicted_px as f64 / 1e6,
    });

    let mut scores = Vec::new();
    let mut probabilities = Vec::new();
    for f in &files {
        let stem = prepared_stem(&f.stack, scale);
        let image = tiff_dir.join(format!("{stem}.h5"));
        let probs_path = predict_options.output_path(&image);
        let probs = pixelforest_io::read_probabilities(&probs_path)?;
        let truth = upscale_labels(&pixelforest_io::read_label_image(&f.truth)?, scale);
        let s = score(&argmax_classes(&probs), &truth, classes.len());
        scores.push((stem, s, Path::new(&image) == image_path));
        probabilities.push(probs_path);
    }
    let t = Instant::now();
    let detection = segment_and_score(options, &probabilities, &files)?;
    steps.push(Step {
        name: "segment",
        elapsed: t.elapsed(),
        megapixels: raw_mpx,
    });
    let t = Instant::now();
    let cells = measure_cells(options, &stacks)?;
    steps.push(Step {
        name: "measure",
        elapsed: t.elapsed(),
        megapixels: raw_mpx,
    });

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
            4.0,
        )
        .map_err(|e| PipelineError::Invalid(e.to_string()))?,
        format: TableFormat::Csv,
        overwrite: true,
        progress: options.progress,
    };
    batch_ok(&measure_batch(stacks, &measure)?, "measure")?;
    let table = write_cell_table(stacks, &measure)?;
    let text =
        std::fs::read_to_string(&table).map_err(|e| PipelineError::file(&table, e.to_string()))?;
    let n_cells = text.lines().count().saturating_sub(1);
    Ok((table, n_cells))
}

/// Segments the predicted maps as ImcSegmentationPipeline does (back at the acquisitions'
/// resolution) and scores nuclei and cells against the generator's instances.
fn segment_and_score(
    options: &DemoOptions,
    probabilities: &[PathBuf],
    files: &[crate::synth_run::SynthFiles],
) -> Result<Vec<ImageDetection>> {
    let seg = SegmentOptions {
        out_dir: options.out_dir.join("masks"),
        nuclei_dir: Some(options.out_dir.join("nuclei")),
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
