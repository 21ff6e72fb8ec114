//! A labeling project's settings file, `pixelforest.json`: its classes, the feature selection and
//! the forest's size and seed. `serve` writes it; `serve` (live training) and `train` read it, so
//! both train the same model on the project's labels. The one place that knows the file's format.

use std::path::Path;

use pixelforest_core::{default_classes, LabelClass};
use pixelforest_features::{FeatureSelection, DEFAULT_PRESET};
use pixelforest_forest::ForestSettings;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{PipelineError, Result};

/// The settings file of a labeling project.
pub const PROJECT_SETTINGS: &str = "pixelforest.json";

/// Classes and training settings of a labeling project. Missing fields take their defaults, so
/// every earlier file loads: one with the classes only (`ilp import`), and one whose `features`
/// is a preset name (`"sigma>=1"`, written before the selection was stored as its matrix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectSettings {
    /// Label value `i + 1` is class `i`.
    pub classes: Vec<LabelClass>,
    /// ilastik's family x scale matrix; written as the matrix, read as it or as a preset name.
    #[serde(deserialize_with = "selection_or_preset")]
    pub features: FeatureSelection,
    /// Trees of the forest live training and `train` grow.
    pub n_trees: usize,
    /// Seed of the forest.
    pub seed: u64,
}

impl Default for ProjectSettings {
    /// The forest's own defaults (ilastik's 100 trees), so `serve` and `train` agree.
    fn default() -> Self {
        let forest = ForestSettings::default();
        Self {
            classes: default_classes(),
            features: default_selection(),
            n_trees: forest.n_trees,
            seed: forest.seed,
        }
    }
}

fn default_selection() -> FeatureSelection {
    FeatureSelection::preset(DEFAULT_PRESET)
        .unwrap_or_else(|e| unreachable!("the default preset exists: {e}"))
}

/// `features` as a selection (checked) or, as older files hold it, a preset name.
fn selection_or_preset<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<FeatureSelection, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Preset(String),
        Matrix(FeatureSelection),
    }
    let selection = match Stored::deserialize(deserializer)? {
        Stored::Preset(name) => FeatureSelection::preset(&name),
        Stored::Matrix(selection) => selection.validate().map(|()| selection),
    };
    selection.map_err(serde::de::Error::custom)
}

impl ProjectSettings {
    /// Reads `path`; errors name the file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| PipelineError::file(path, format!("cannot read settings: {e}")))?;
        serde_json::from_str(&text)
            .map_err(|e| PipelineError::file(path, format!("invalid settings: {e}")))
    }

    /// Reads `path`, or the defaults when it does not exist yet.
    pub fn read_or_default(path: &Path) -> Result<Self> {
        if path.exists() {
            Self::read(path)
        } else {
            Ok(Self::default())
        }
    }

    /// The settings of the project whose labels are in `labels_dir`: `pixelforest.json` there or
    /// in its parent (where `serve` writes it, beside `labels/`), else the defaults.
    pub fn of_labels(labels_dir: &Path) -> Result<Self> {
        let parent = labels_dir.parent().map(|p| p.join(PROJECT_SETTINGS));
        match [Some(labels_dir.join(PROJECT_SETTINGS)), parent]
            .into_iter()
            .flatten()
            .find(|p| p.is_file())
        {
            Some(path) => Self::read(&path),
            None => Ok(Self::default()),
        }
    }

    /// Writes `path` atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| PipelineError::file(path, format!("cannot write settings: {e}")))?;
        pixelforest_io::atomic_write(path, |tmp| {
            std::fs::write(tmp, text.as_bytes()).map_err(|source| pixelforest_io::IoError::Io {
                path: tmp.to_path_buf(),
                source,
            })
        })?;
        Ok(())
    }

    /// The forest settings training uses: the project's trees and seed, the forest's defaults
    /// for the rest.
    pub fn forest(&self) -> ForestSettings {
        ForestSettings {
            n_trees: self.n_trees,
            seed: self.seed,
            ..ForestSettings::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/project_settings")
            .join(name)
    }

    #[test]
    fn a_settings_file_serve_wrote_with_a_preset_name_still_loads() {
        let settings = ProjectSettings::read(&fixture("serve_2026-11.json")).unwrap();
        let names: Vec<_> = settings.classes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["Nuclei", "Cytoplasm/membrane", "Background", "Stroma"]
        );
        assert_eq!(settings.classes[3].color, [60, 180, 75]);
        // "sigma>=1": every family at 1, 1.6, 3.5, 5 and 10.
        assert_eq!(settings.features.sigmas, [1.0, 1.6, 3.5, 5.0, 10.0]);
        assert!(settings.features.matrix.iter().flatten().all(|&on| on));
        assert_eq!((settings.n_trees, settings.seed), (100, 42));
    }

    #[test]
    fn a_settings_file_ilp_import_wrote_with_classes_only_loads_with_defaults() {
        let settings = ProjectSettings::read(&fixture("ilp_import_2026-11.json")).unwrap();
        let names: Vec<_> = settings.classes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Label 1", "Label 2", "Label 3"]);
        assert_eq!(settings.features, default_selection());
    }

    #[test]
    fn the_matrix_is_written_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PROJECT_SETTINGS);
        let mut settings = ProjectSettings {
            features: FeatureSelection::preset("ilastik").unwrap(),
            ..ProjectSettings::default()
        };
        settings.features.matrix[5][6] = false;
        settings.write(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"matrix\""), "{text}");
        assert_eq!(ProjectSettings::read(&path).unwrap(), settings);
    }

    #[test]
    fn an_invalid_selection_or_preset_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PROJECT_SETTINGS);
        for features in [
            r#""sigma>=2""#,
            r#"{"sigmas": [0.3], "matrix": [[false],[true],[false],[false],[false],[false]]}"#,
        ] {
            std::fs::write(&path, format!(r#"{{"features": {features}}}"#)).unwrap();
            let error = ProjectSettings::read(&path).unwrap_err().to_string();
            assert!(error.starts_with(&path.display().to_string()), "{error}");
            assert!(
                error.contains("sigma>=2") || error.contains("not available at sigma 0.3"),
                "{error}"
            );
        }
    }

    #[test]
    fn the_settings_beside_the_labels_folder_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let labels = dir.path().join("labels");
        std::fs::create_dir(&labels).unwrap();
        std::fs::copy(
            fixture("serve_2026-11.json"),
            dir.path().join(PROJECT_SETTINGS),
        )
        .unwrap();
        assert_eq!(
            ProjectSettings::of_labels(&labels).unwrap().classes.len(),
            4
        );
        let elsewhere = tempfile::tempdir().unwrap();
        assert_eq!(
            ProjectSettings::of_labels(elsewhere.path()).unwrap(),
            ProjectSettings::default()
        );
    }
}
