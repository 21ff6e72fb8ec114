//! ilastik projects in the pipeline: train from a project's labels and feature selection,
//! import its labels as label images, export our labels as a project ilastik opens.

use std::path::{Path, PathBuf};

use ndarray::{s, Array2};
use pixelforest_core::{Image, LabelClass};
use pixelforest_features::FeatureSelection;
use pixelforest_forest::NodeSpec;
use pixelforest_ilastik::{
    append_lanes, write_project, ExportLane, ExportProject, IlastikVersion, IlpFeatures, IlpNode,
    IlpProject,
};

use crate::error::{PipelineError, Result};

/// The project's feature selection as ours (same scales and matrix), validated. The ilastik crate
/// orders the matrix rows by its `FEATURE_IDS`, which are our `Family::ALL` in the same order
/// (`ilastik_feature_rows_are_our_families`).
pub fn selection_from_ilp(project: &IlpProject) -> Result<FeatureSelection> {
    let f = project.features.as_ref().ok_or_else(|| {
        PipelineError::file(&project.path, "the project has no feature selection")
    })?;
    let selection = FeatureSelection {
        sigmas: f.scales.clone(),
        matrix: f.matrix.clone(),
        structure_tensor: pixelforest_features::StructureTensorScales::Fastfilters,
    };
    selection
        .validate()
        .map_err(|e| PipelineError::file(&project.path, e.to_string()))?;
    Ok(selection)
}

/// The project's classes (names and colours; unnamed colours default to grey).
pub fn classes_from_ilp(project: &IlpProject) -> Vec<LabelClass> {
    project
        .label_names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            LabelClass::new(
                n,
                project
                    .label_colors
                    .get(i)
                    .copied()
                    .unwrap_or([128, 128, 128]),
            )
        })
        .collect()
}

/// `labels` placed in a map of the image's size; labels beyond the image are an error.
fn fit_labels(
    labels: &Array2<u8>,
    h: usize,
    w: usize,
    project: &Path,
    raw: &Path,
) -> Result<Array2<u8>> {
    let (lh, lw) = labels.dim();
    let mut out = Array2::<u8>::zeros((h, w));
    for ((y, x), &v) in labels.indexed_iter() {
        if v != 0 && (y >= h || x >= w) {
            return Err(PipelineError::file(
                project,
                format!(
                    "labels reach pixel ({y}, {x}) but {} is only {h}x{w}",
                    raw.display()
                ),
            ));
        }
    }
    let (ch, cw) = (lh.min(h), lw.min(w));
    out.slice_mut(s![..ch, ..cw])
        .assign(&labels.slice(s![..ch, ..cw]));
    Ok(out)
}

/// The labelled lanes of a project with their raw images: (raw path, image, labels).
pub fn ilp_training_set(
    project: &IlpProject,
    data_dir: Option<&Path>,
) -> Result<Vec<(PathBuf, Image, Array2<u8>)>> {
    let mut out = Vec::new();
    for lane in &project.lanes {
        let Some(labels) = lane.first_plane() else {
            continue;
        };
        if lane.labels.len() > 1 {
            eprintln!(
                "note: {} lane {} has labels on {} planes (time points / z slices); only the first is used",
                project.path.display(),
                lane.index,
                lane.labels.len()
            );
        }
        let raw = project.resolve_raw_path(lane, data_dir)?;
        let image = pixelforest_io::read_image(&raw)?;
        let labels = fit_labels(labels, image.height(), image.width(), &project.path, &raw)?;
        out.push((raw, image, labels));
    }
    if out.is_empty() {
        return Err(PipelineError::file(
            &project.path,
            "the project has no labels",
        ));
    }
    Ok(out)
}

/// The label file name of each labelled lane: `<raw stem>_labels.tiff`, so `train` pairs it
/// with its image by name; lanes whose images share a stem (`a/crop.h5`, `b/crop.h5`) get
/// `<stem>_lane<N>_labels.tiff` instead, so no lane's labels overwrite another's.
fn label_file_names(project: &IlpProject) -> Vec<(usize, String)> {
    let stem_of = |lane: &pixelforest_ilastik::IlpLane| {
        pixelforest_io::image_stem(Path::new(&lane.split_file_path().0))
    };
    let labelled: Vec<_> = project
        .lanes
        .iter()
        .filter(|l| l.first_plane().is_some())
        .collect();
    labelled
        .iter()
        .map(|lane| {
            let stem = stem_of(lane);
            let shared = labelled.iter().filter(|o| stem_of(o) == stem).count() > 1;
            let name = if shared {
                format!("{stem}_lane{}_labels.tiff", lane.index)
            } else {
                format!("{stem}_labels.tiff")
            };
            (lane.index, name)
        })
        .collect()
}

/// Writes every labelled lane's labels in `out_dir` (named by `label_file_names`: lanes whose
/// images share a name are told apart by lane number, with a note), and the classes to
/// `pixelforest.json` there; returns the label files.
pub fn import_ilp(project: &IlpProject, out_dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| PipelineError::file(out_dir, format!("cannot create folder: {e}")))?;
    let mut written = Vec::new();
    for (index, name) in label_file_names(project) {
        let Some(lane) = project.lanes.iter().find(|l| l.index == index) else {
            continue;
        };
        let Some(labels) = lane.first_plane() else {
            continue;
        };
        if name.contains("_lane") {
            eprintln!(
                "note: lane {index} ({}) shares its image name with another lane; its labels \
                 are {name}",
                lane.file_path
            );
        }
        let path = out_dir.join(name);
        pixelforest_io::write_label_image(&path, labels)?;
        written.push(path);
    }
    let settings = crate::ProjectSettings {
        classes: classes_from_ilp(project),
        ..crate::ProjectSettings::default()
    };
    settings.write(&out_dir.join(crate::PROJECT_SETTINGS))?;
    Ok(written)
}

/// `path` relative to `base` if it lies under it (ilastik's `RelativeFilesystemDatasetInfo`),
/// else absolute (`FilesystemDatasetInfo`).
fn path_for_project(path: &Path, base: &Path) -> String {
    let abs = path
        .canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let base = base.canonicalize().unwrap_or_else(|_| base.to_path_buf());
    abs.strip_prefix(&base)
        .map(Path::to_path_buf)
        .unwrap_or(abs)
        .to_string_lossy()
        .into_owned()
}

/// A project lane for an image, labelled from `labels_path` or without labels: the raw file
/// described as stored (axes, shape, the HDF5 dataset), so ilastik's check of the project's
/// axistags against the file passes.
pub fn export_lane(
    image_path: &Path,
    labels_path: Option<&Path>,
    project_dir: &Path,
) -> Result<ExportLane> {
    let layout = pixelforest_io::stored_layout(image_path)?;
    let extent = |k| {
        layout
            .axes
            .chars()
            .position(|a| a == k)
            .map(|i| layout.shape[i])
    };
    let (Some(h), Some(w)) = (extent('y'), extent('x')) else {
        return Err(PipelineError::file(
            image_path,
            format!("no y and x axes in {:?} ({})", layout.shape, layout.axes),
        ));
    };
    let labels = match labels_path {
        Some(p) => pixelforest_io::read_label_image(p)?,
        None => Array2::zeros((h, w)),
    };
    let labels_path = labels_path.unwrap_or(image_path);
    if (h, w) != labels.dim() {
        return Err(PipelineError::file(
            labels_path,
            format!(
                "label image is {}x{} but {} is {:?} ({})",
                labels.nrows(),
                labels.ncols(),
                image_path.display(),
                layout.shape,
                layout.axes
            ),
        ));
    }
    let mut file_path = path_for_project(image_path, project_dir);
    if let Some(dataset) = &layout.dataset {
        file_path = format!("{file_path}/{dataset}");
    }
    Ok(ExportLane {
        file_path,
        nickname: pixelforest_io::image_stem(image_path),
        axes: layout.axes,
        shape: layout.shape,
        labels,
    })
}

/// The folder a project at `out` lives in (its relative paths start there).
fn project_dir(out: &Path) -> &Path {
    out.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a new ilastik project at `out` with the given labelled images, classes and features,
/// for the ilastik release `version`.
pub fn export_ilp(
    pairs: &[(PathBuf, PathBuf)],
    classes: &[LabelClass],
    selection: &FeatureSelection,
    out: &Path,
    version: IlastikVersion,
) -> Result<()> {
    crate::batch_predict::create_parent(out)?;
    let base = project_dir(out);
    let lanes = pairs
        .iter()
        .map(|(image, labels)| export_lane(image, Some(labels), base))
        .collect::<Result<Vec<_>>>()?;
    let project = ExportProject {
        label_names: classes.iter().map(|c| c.name.clone()).collect(),
        label_colors: classes.iter().map(|c| c.color).collect(),
        features: IlpFeatures {
            scales: selection.sigmas.clone(),
            matrix: selection.matrix.clone(),
        },
        lanes,
        version,
    };
    write_project(out, &project)?;
    Ok(())
}

/// Appends unlabelled lanes for `images` (new crops to label in ilastik, from `suggest --ilp`)
/// to the existing project `project`, leaving its lanes, labels and forest alone; returns the
/// index of the first new lane.
pub fn append_ilp_images(
    images: &[PathBuf],
    project: &Path,
    version: IlastikVersion,
) -> Result<usize> {
    let base = project_dir(project);
    let lanes = images
        .iter()
        .map(|image| export_lane(image, None, base))
        .collect::<Result<Vec<_>>>()?;
    Ok(append_lanes(project, &lanes, version)?)
}

/// Appends lanes for labelled images to the existing project `project`,
/// leaving its lanes, labels and forest alone; returns the index of the first new lane.
pub fn append_ilp_lanes(
    pairs: &[(PathBuf, PathBuf)],
    project: &Path,
    version: IlastikVersion,
) -> Result<usize> {
    let base = project_dir(project);
    let lanes = pairs
        .iter()
        .map(|(image, labels)| export_lane(image, Some(labels), base))
        .collect::<Result<Vec<_>>>()?;
    Ok(append_lanes(project, &lanes, version)?)
}

/// The largest f32 below `t`: vigra splits on `x < t` (f64), ours on `x <= threshold` (f32), and
/// for f32 values both agree exactly with this threshold.
fn last_f32_below(t: f64) -> f32 {
    let f = t as f32;
    if f64::from(f) < t {
        return f;
    }
    // Step one ulp towards -inf.
    if f == 0.0 {
        return -f32::from_bits(1);
    }
    let bits = f.to_bits();
    if f > 0.0 {
        f32::from_bits(bits - 1)
    } else {
        f32::from_bits(bits + 1)
    }
}

/// The project's trained vigra forest as ours, its sub-forests averaged as ilastik averages
/// them, with one output class per label class of the project (a class ilastik's forest never
/// saw in training, absent from `known_labels`, gets probability 0 as in ilastik's export).
pub fn forest_from_ilp(project: &IlpProject) -> Result<pixelforest_forest::RandomForest> {
    let forest = project
        .forest
        .as_ref()
        .ok_or_else(|| PipelineError::file(&project.path, "the project has no trained forest"))?;
    // Output position of each of the forest's classes.
    let known: Vec<usize> = if forest.known_labels.is_empty() {
        (0..forest.n_classes).collect()
    } else {
        forest
            .known_labels
            .iter()
            .map(|&l| (l as usize).saturating_sub(1))
            .collect()
    };
    if known.len() != forest.n_classes {
        return Err(PipelineError::file(
            &project.path,
            format!(
                "the forest has {} classes but known_labels lists {}",
                forest.n_classes,
                known.len()
            ),
        ));
    }
    let n_out = project
        .label_names
        .len()
        .max(known.iter().map(|k| k + 1).max().unwrap_or(0));
    let convert = |tree: &Vec<IlpNode>| -> Vec<NodeSpec> {
        tree.iter()
            .map(|n| match n {
                IlpNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => NodeSpec::Split {
                    feature: *feature,
                    threshold: last_f32_below(*threshold),
                    left: *left,
                    right: *right,
                },
                IlpNode::Leaf { probs } => {
                    let mut out = vec![0.0f32; n_out];
                    for (&k, &p) in known.iter().zip(probs) {
                        out[k] = p as f32;
                    }
                    NodeSpec::Leaf { probs: out }
                }
            })
            .collect()
    };
    let forests = forest
        .forests
        .iter()
        .map(|trees| trees.iter().map(convert).collect())
        .collect();
    Ok(pixelforest_forest::RandomForest::from_vigra_forests(
        forest.n_features,
        n_out,
        forests,
    )?)
}

#[cfg(test)]
mod tests {
    use super::last_f32_below;
    use pixelforest_features::Family;
    use pixelforest_ilastik::FEATURE_IDS;

    #[test]
    fn ilastik_feature_rows_are_our_families() {
        // Our family names (as a model file stores them) are ilastik's feature ids, row for row.
        let ours: Vec<String> = Family::ALL
            .iter()
            .map(|f| {
                serde_json::to_value(f)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ours, FEATURE_IDS);
    }

    #[test]
    fn thresholds_keep_vigras_strict_comparison() {
        for t in [0.5f64, 1.0, -2.0, 0.0, 1e-30, 33029.5, 0.1] {
            let c = last_f32_below(t);
            assert!(f64::from(c) < t, "{t}");
            // The next f32 up is not below t.
            let up = if c >= 0.0 {
                f32::from_bits(c.to_bits() + 1)
            } else if c == -f32::from_bits(1) {
                0.0
            } else {
                f32::from_bits(c.to_bits() - 1)
            };
            assert!(f64::from(up) >= t, "{t}: {c} {up}");
        }
    }
}
