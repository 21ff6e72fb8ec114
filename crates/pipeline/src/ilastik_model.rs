//! An ilastik project used as a model: its stored (trained) forest with its own feature
//! selection, classes and feature convention, so `predict --model project.ilp` gives ilastik's
//! own probabilities without retraining.

use std::path::Path;

use pixelforest_features::StructureTensorScales;
use pixelforest_forest::ForestSettings;
use pixelforest_ilastik::IlpProject;

use crate::error::{PipelineError, Result};
use crate::ilastik_run::{classes_from_ilp, forest_from_ilp, selection_from_ilp};
use crate::model::{Model, ModelMeta};

/// The first bytes of every HDF5 file (an `.ilp` is one).
const HDF5_SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// True when `path` starts with the HDF5 signature (an ilastik project, not a `.pxf`).
pub fn is_hdf5_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == HDF5_SIGNATURE)
}

/// The structure-tensor convention of the ilastik release that trained the project: ilastik
/// computes its features with fastfilters since 1.3 (`lazyflow/operators/filterOperators.py`),
/// with vigra's filters before.
fn convention(ilastik_version: &str) -> StructureTensorScales {
    let major_minor: Vec<u32> = ilastik_version
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .filter_map(|p| p.parse().ok())
        .collect();
    match major_minor.as_slice() {
        [1, minor] if *minor < 3 => StructureTensorScales::Vigra,
        [0, _] => StructureTensorScales::Vigra,
        _ => StructureTensorScales::Fastfilters,
    }
}

/// The project's trained forest as a model.
///
/// # Errors
/// When the project has no trained forest (with the advice to train one), no feature
/// selection, or a forest whose feature count does not fit its selection.
pub fn model_from_ilp(project: &IlpProject) -> Result<Model> {
    if project.forest.is_none() {
        return Err(PipelineError::file(
            &project.path,
            "the project has no trained forest (train it in ilastik, or train one with \
             `pixelforest train --from-ilp`)",
        ));
    }
    let mut selection = selection_from_ilp(project)?;
    selection.structure_tensor = convention(&project.ilastik_version);
    let forest = forest_from_ilp(project)?;
    let per_channel = selection.n_features(1);
    if per_channel == 0 || forest.n_features() % per_channel != 0 {
        return Err(PipelineError::file(
            &project.path,
            format!(
                "the forest uses {} features, which is no multiple of the {per_channel} features \
                 per channel of the project's selection",
                forest.n_features()
            ),
        ));
    }
    let n_channels = forest.n_features() / per_channel;
    // ilastik does not name channels; generated names match any image of that channel count.
    let channel_names = pixelforest_core::generated_channel_names(n_channels);
    let feature_names = project
        .forest
        .as_ref()
        .map(|f| f.feature_names.clone())
        .filter(|names| names.len() == forest.n_features())
        .unwrap_or_else(|| selection.feature_names(&channel_names));
    let classes = classes_from_ilp(project);
    Ok(Model {
        forest,
        meta: ModelMeta {
            channel_names,
            feature_names,
            feature_selection: selection,
            classes,
            settings: ForestSettings::default(),
            report: None,
            provenance: serde_json::json!({
                "ilastik_project": project.path.display().to_string(),
                "ilastik_version": project.ilastik_version,
            }),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ilastik_before_1_3_used_vigras_filters() {
        assert_eq!(convention("1.2.0rc10"), StructureTensorScales::Vigra);
        assert_eq!(convention("1.3.3post3"), StructureTensorScales::Fastfilters);
        assert_eq!(convention("1.4.1b15"), StructureTensorScales::Fastfilters);
        assert_eq!(convention(""), StructureTensorScales::Fastfilters);
    }
}
