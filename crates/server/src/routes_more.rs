//! Handlers of the routes added for the labeling loop: deleting a class, the next uncertain
//! region to label, and the uncertainty colour map's legend.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use pixelforest_core::LabelClass;
use serde::Serialize;

use crate::api_error::{ApiError, ApiResult};
use crate::class_removal::{self, ClassUsage};
use crate::render::{self, Layout};
use crate::routes::{
    blocking, internal, png_reply, probabilities, query, resolve, RawQuery, Shared,
};

/// Default side of the window `next-uncertain` looks for, in image pixels.
const UNCERTAIN_WINDOW: usize = 64;

/// The label value of the class at list position `index` (0-based), checked against the classes.
fn class_value(classes: &[LabelClass], index: &str) -> ApiResult<u8> {
    let index: usize = index
        .parse()
        .map_err(|_| ApiError::bad_request(format!("invalid class index {index:?}")))?;
    if index >= classes.len() {
        return Err(ApiError::not_found(format!(
            "no class {index}: there are {} classes",
            classes.len()
        )));
    }
    u8::try_from(index + 1).map_err(|_| ApiError::bad_request("class index above 254"))
}

pub async fn class_usage(
    State(state): Shared,
    Path(index): Path<String>,
) -> ApiResult<Json<ClassUsage>> {
    blocking(move || {
        let value = class_value(&state.settings().classes, &index)?;
        let usage = class_removal::usage(&state.project, value).map_err(internal)?;
        Ok(Json(usage))
    })
    .await
}

/// What `DELETE /api/classes/{index}` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deleted {
    pub classes: Vec<LabelClass>,
    pub removed: ClassUsage,
}

pub async fn delete_class(
    State(state): Shared,
    Path(index): Path<String>,
) -> ApiResult<Json<Deleted>> {
    blocking(move || {
        let mut settings = state.settings();
        let value = class_value(&settings.classes, &index)?;
        if settings.classes.len() == 1 {
            return Err(ApiError::bad_request("the last class cannot be deleted"));
        }
        state
            .forget_model()
            .map_err(|e| ApiError::conflict(e.to_string()))?;
        state.exclusive_write(|| {
            let removed =
                class_removal::remove_from_project(&state.project, value).map_err(internal)?;
            settings.classes.remove(usize::from(value - 1));
            state.project.save_settings(&settings).map_err(internal)?;
            state.set_settings(settings.clone());
            Ok(Json(Deleted {
                classes: settings.classes,
                removed,
            }))
        })
    })
    .await
}

/// What `GET /api/images/{id}/next-uncertain` answers: a window of the image and its mean uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Region {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
    pub mean: f32,
}

/// The `skip`-th most uncertain window (wrapping around), labelled pixels counting as certain so
/// the answer is where nothing is labelled yet.
pub async fn next_uncertain(
    State(state): Shared,
    Path(id): Path<String>,
    raw: RawQuery,
) -> ApiResult<Json<Region>> {
    let q = query(raw)?;
    let number = |name: &str, default: usize| -> ApiResult<usize> {
        q.get(name).map_or(Ok(default), |t| {
            t.parse()
                .map_err(|_| ApiError::bad_request(format!("{name}={t:?} is not a count")))
        })
    };
    let size = number("size", UNCERTAIN_WINDOW)?.max(1);
    let skip = number("skip", 0)?.min(10_000);
    blocking(move || {
        let (probs, _, _) = probabilities(&state, &id)?;
        let mut map = render::uncertainty(&probs).map_err(internal)?;
        let entry = resolve(&state, &id)?;
        if let Some(path) = state.project.existing_labels(&entry) {
            let labels = pixelforest_io::read_label_image(&path).map_err(internal)?;
            if labels.dim() == map.dim() {
                map.zip_mut_with(&labels, |u, &l| {
                    if l != 0 {
                        *u = 0.0;
                    }
                });
            }
        }
        let windows = pixelforest_prepare::uncertain_windows(map.view(), size, &[], skip + 1);
        let best = windows
            .get(skip % windows.len().max(1))
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "the image is empty"))?;
        let r = best.rect;
        Ok(Json(Region {
            x: r.x,
            y: r.y,
            w: r.w,
            h: r.h,
            mean: best.mean,
        }))
    })
    .await
}

pub async fn uncertainty_legend() -> ApiResult<Response> {
    png_reply(&render::uncertainty_legend(), 256, 1, Layout::Rgb)
}
