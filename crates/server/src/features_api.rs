//! `GET`/`PUT /api/features`: the project's feature selection as ilastik's family x scale matrix,
//! with the presets, for the page's matrix. The page always sees ilastik's seven scales (plus any
//! other scale the project uses); what is stored keeps only the scales in use, so choosing a
//! preset's boxes stores exactly that preset's selection.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use pixelforest_features::{Family, FeatureSelection, DEFAULT_SIGMAS};
use serde::{Deserialize, Serialize};

use crate::api_error::{from_rejection, ApiError, ApiResult};
use crate::routes::{blocking, internal, Shared};

/// The presets the page offers, by the names `train --features` takes.
const PRESETS: [&str; 2] = ["sigma>=1", "ilastik"];

/// What `GET /api/features` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureMatrix {
    /// Row names, in ilastik's order.
    pub families: Vec<&'static str>,
    /// Column scales, ascending.
    pub sigmas: Vec<f64>,
    /// `matrix[family][scale]`: the project's selection.
    pub matrix: Vec<Vec<bool>>,
    /// Per preset, its matrix over the same columns.
    pub presets: Vec<Preset>,
    /// Features per image channel the selection computes.
    pub per_channel: usize,
}

/// A named preset as a matrix over the page's columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preset {
    pub name: &'static str,
    pub matrix: Vec<Vec<bool>>,
}

/// The body of `PUT /api/features`: a matrix over the given scales.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeatureChoice {
    pub sigmas: Vec<f64>,
    pub matrix: Vec<Vec<bool>>,
}

/// ilastik's scales and those of `selection`, ascending.
fn columns(selection: &FeatureSelection) -> Vec<f64> {
    let mut sigmas: Vec<f64> = DEFAULT_SIGMAS.to_vec();
    sigmas.extend(&selection.sigmas);
    sigmas.sort_by(f64::total_cmp);
    sigmas.dedup();
    sigmas
}

/// `selection`'s matrix over `sigmas` (a superset of its scales).
fn expand(selection: &FeatureSelection, sigmas: &[f64]) -> Vec<Vec<bool>> {
    selection
        .matrix
        .iter()
        .map(|row| {
            sigmas
                .iter()
                .map(|s| {
                    let j = selection.sigmas.iter().position(|t| t == s);
                    j.is_some_and(|j| row[j])
                })
                .collect()
        })
        .collect()
}

/// The selection `choice` makes, with the scales no family uses left out.
fn compact(choice: &FeatureChoice, current: &FeatureSelection) -> FeatureSelection {
    let used: Vec<usize> = (0..choice.sigmas.len())
        .filter(|&j| choice.matrix.iter().any(|row| row.get(j) == Some(&true)))
        .collect();
    FeatureSelection {
        sigmas: used.iter().map(|&j| choice.sigmas[j]).collect(),
        matrix: choice
            .matrix
            .iter()
            .map(|row| used.iter().map(|&j| row.get(j) == Some(&true)).collect())
            .collect(),
        structure_tensor: current.structure_tensor,
    }
}

fn matrix_of(selection: &FeatureSelection) -> FeatureMatrix {
    let sigmas = columns(selection);
    let presets = PRESETS
        .iter()
        .filter_map(|&name| {
            let preset = FeatureSelection::preset(name).ok()?;
            Some(Preset {
                name,
                matrix: expand(&preset, &sigmas),
            })
        })
        .collect();
    FeatureMatrix {
        families: Family::ALL.iter().map(|f| f.display_name()).collect(),
        matrix: expand(selection, &sigmas),
        sigmas,
        presets,
        per_channel: selection.n_features(1),
    }
}

pub async fn get_features(State(state): Shared) -> Json<FeatureMatrix> {
    Json(matrix_of(&state.settings().features))
}

/// Stores the selection in `pixelforest.json` (checked: ilastik's rule that only Gaussian
/// smoothing runs below sigma 0.7, at least one feature). The model stays until the next training.
pub async fn put_features(
    State(state): Shared,
    body: Result<Json<FeatureChoice>, JsonRejection>,
) -> ApiResult<Json<FeatureMatrix>> {
    let Json(choice) = body.map_err(from_rejection)?;
    if choice.sigmas.len() > 32 || choice.matrix.len() != Family::ALL.len() {
        return Err(ApiError::bad_request(format!(
            "the matrix needs {} rows (one per family) and at most 32 scales",
            Family::ALL.len()
        )));
    }
    blocking(move || {
        let mut settings = state.settings();
        let selection = compact(&choice, &settings.features);
        selection
            .validate()
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        settings.features = selection;
        state
            .exclusive_write(|| state.project.save_settings(&settings))
            .map_err(internal)?;
        let answer = matrix_of(&settings.features);
        state.set_settings(settings);
        Ok(Json(answer))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preset_shown_in_the_matrix_and_stored_back_is_the_preset() {
        for name in PRESETS {
            let preset = FeatureSelection::preset(name).unwrap();
            let shown = matrix_of(&preset);
            assert_eq!(shown.sigmas, DEFAULT_SIGMAS);
            let choice = FeatureChoice {
                sigmas: shown.sigmas,
                matrix: shown.matrix,
            };
            assert_eq!(compact(&choice, &preset), preset, "{name}");
        }
    }

    #[test]
    fn the_matrix_shows_sigma_ge_1_in_ilastiks_columns() {
        let shown = matrix_of(&FeatureSelection::preset("sigma>=1").unwrap());
        // Columns 0.3 and 0.7 off, 1 to 10 on, for every family.
        for row in &shown.matrix {
            assert_eq!(row, &[false, false, true, true, true, true, true]);
        }
        assert_eq!(shown.per_channel, 40);
        assert_eq!(shown.families[4], "Structure Tensor Eigenvalues");
    }

    #[test]
    fn unused_scales_are_not_stored() {
        let current = FeatureSelection::preset("ilastik").unwrap();
        let mut matrix = vec![vec![false; 7]; 6];
        matrix[0][0] = true; // Gaussian smoothing at 0.3
        matrix[3][4] = true; // difference of Gaussians at 3.5
        let stored = compact(
            &FeatureChoice {
                sigmas: DEFAULT_SIGMAS.to_vec(),
                matrix,
            },
            &current,
        );
        assert_eq!(stored.sigmas, [0.3, 3.5]);
        assert_eq!(
            stored.matrix,
            [
                [true, false],
                [false, false],
                [false, false],
                [false, true],
                [false, false],
                [false, false]
            ]
        );
    }
}
