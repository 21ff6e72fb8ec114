//! The HTTP routes (documented in the crate doc) and their handlers. Heavy work (reading images,
//! rendering PNGs, predicting) runs on blocking threads so the event loop stays responsive.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use pixelforest_core::{Image, LabelClass};

use crate::api_error::{from_rejection, ApiError, ApiResult};
use crate::labels_rle::{decode_rle, encode_rle, RleLabels};
use crate::project::{ImageEntry, ResolveError};
use crate::render::{self, ChannelStats, Layout};
use crate::responses::{ImageContent, ImageListing, Saved};
use crate::state::{AppState, PredictError, TrainStatus};

/// Small JSON bodies (classes).
const JSON_LIMIT: usize = 64 * 1024;
/// Label maps: worst-case RLE of a 2000 x 2000 image with alternating pixels stays below this.
const LABELS_LIMIT: usize = 64 * 1024 * 1024;
const MAX_CLASSES: usize = 255;
const MAX_CLASS_NAME: usize = 100;
/// Longest wait of `GET /api/status?wait=`: well below the request deadline.
const STATUS_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

pub(crate) type Shared = State<Arc<AppState>>;
pub(crate) type RawQuery = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The application: every route of the API, the page, and JSON errors for unknown routes.
pub fn router(state: Arc<AppState>) -> Router {
    let images = Router::new()
        .route("/", get(list_images))
        .route("/{id}/channel/{c}", get(channel_png))
        .route("/{id}/channel/{c}/stats", get(channel_stats))
        .route("/{id}/composite.png", get(composite_png))
        .route(
            "/{id}/labels",
            get(get_labels)
                .put(put_labels)
                .layer(DefaultBodyLimit::max(LABELS_LIMIT)),
        )
        .route("/{id}/prediction.png", get(prediction_png))
        .route("/{id}/uncertainty.png", get(uncertainty_png))
        .route(
            "/{id}/next-uncertain",
            get(crate::routes_more::next_uncertain),
        );
    Router::new()
        .route("/", get(crate::ui::page))
        .route("/ui/{file}", get(crate::ui::asset))
        .nest("/api/images", images)
        .route("/api/classes", get(get_classes).put(put_classes))
        .route(
            "/api/classes/{index}",
            axum::routing::delete(crate::routes_more::delete_class),
        )
        .route(
            "/api/classes/{index}/usage",
            get(crate::routes_more::class_usage),
        )
        .route(
            "/api/legend/uncertainty.png",
            get(crate::routes_more::uncertainty_legend),
        )
        .route("/api/train", post(train))
        .route("/api/status", get(status))
        .route(
            "/api/features",
            get(crate::features_api::get_features).put(crate::features_api::put_features),
        )
        .route("/api/model", post(save_model))
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this route",
            )
        })
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(axum::middleware::from_fn(crate::guard::same_origin_only))
        .layer(axum::middleware::from_fn(|request, next| {
            crate::timeout::deadline(crate::timeout::REQUEST_TIMEOUT, request, next)
        }))
        .with_state(state)
}

/// Runs `work` on a blocking thread; a panic in it becomes a 500 instead of a dropped connection.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(ApiError::internal(format!("internal error: {e}"))))
}

pub(crate) fn resolve(state: &AppState, key: &str) -> ApiResult<ImageEntry> {
    state.project.resolve(key).map_err(|e| match e {
        ResolveError::NotFound => ApiError::not_found(format!("no image {key:?}")),
        ResolveError::Invalid => ApiError::bad_request(format!("invalid image id {key:?}")),
        ResolveError::Ambiguous => {
            ApiError::bad_request(format!("{key:?} names several images; use its index"))
        }
    })
}

/// The image named by `key` and its pixels.
pub(crate) fn image_of(state: &AppState, key: &str) -> ApiResult<(ImageEntry, Arc<Image>)> {
    let entry = resolve(state, key)?;
    let image = state.image(&entry.path).map_err(internal)?;
    Ok((entry, image))
}

/// A failure of the server itself (500), with the error's message.
pub(crate) fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(error.to_string())
}

/// `pixels` encoded as a PNG response, never cached (overlays change with every training).
pub(crate) fn png_reply(
    pixels: &[u8],
    width: usize,
    height: usize,
    layout: Layout,
) -> ApiResult<Response> {
    let png = render::encode_png(pixels, width, height, layout).map_err(internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        png,
    )
        .into_response())
}

pub(crate) fn query(raw: RawQuery) -> ApiResult<HashMap<String, String>> {
    raw.map(|Query(q)| q).map_err(from_rejection)
}

async fn list_images(State(state): Shared) -> ApiResult<Json<Vec<ImageListing>>> {
    blocking(move || {
        let list = state
            .project
            .images()
            .into_iter()
            .map(|entry| ImageListing {
                has_labels: state.project.existing_labels(&entry).is_some(),
                content: match state.image_meta(&entry.path) {
                    Ok(meta) => ImageContent::Readable(meta),
                    Err(e) => ImageContent::Unreadable {
                        error: e.to_string(),
                    },
                },
                id: entry.id,
                name: entry.name,
            })
            .collect();
        Ok(Json(list))
    })
    .await
}

fn parse_channel(image: &Image, text: &str) -> ApiResult<usize> {
    let c: usize = text
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("invalid channel {text:?}")))?;
    if c >= image.n_channels() {
        return Err(ApiError::not_found(format!(
            "channel {c} out of range: the image has {} channels",
            image.n_channels()
        )));
    }
    Ok(c)
}

fn parse_value(name: &str, text: &str) -> ApiResult<f32> {
    text.trim()
        .parse::<f32>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ApiError::bad_request(format!("{name}={text:?} is not a finite number")))
}

/// The window of channel `c`: explicit `min`/`max` when given, else the auto-contrast percentiles.
fn window_of(
    state: &AppState,
    entry: &ImageEntry,
    image: &Image,
    c: usize,
    min: Option<&str>,
    max: Option<&str>,
) -> ApiResult<(f32, f32)> {
    let auto = || state.channel_stats(&entry.path, image, c);
    let min = match min.filter(|s| !s.is_empty()) {
        Some(text) => parse_value("min", text)?,
        None => auto().low,
    };
    let max = match max.filter(|s| !s.is_empty()) {
        Some(text) => parse_value("max", text)?,
        None => auto().high,
    };
    Ok((min, max))
}

async fn channel_stats(
    State(state): Shared,
    Path((id, c)): Path<(String, String)>,
) -> ApiResult<Json<ChannelStats>> {
    blocking(move || {
        let (entry, image) = image_of(&state, &id)?;
        let c = parse_channel(&image, &c)?;
        let stats = state.channel_stats(&entry.path, &image, c);
        Ok(Json(stats))
    })
    .await
}

async fn channel_png(
    State(state): Shared,
    Path((id, file)): Path<(String, String)>,
    raw: RawQuery,
) -> ApiResult<Response> {
    let q = query(raw)?;
    blocking(move || {
        let (entry, image) = image_of(&state, &id)?;
        let c = file
            .strip_suffix(".png")
            .ok_or_else(|| ApiError::not_found("channel images are <c>.png"))?;
        let c = parse_channel(&image, c)?;
        let auto = q.get("auto").is_some_and(|v| v == "1" || v == "true");
        let (min, max) = if auto {
            (None, None)
        } else {
            (
                q.get("min").map(String::as_str),
                q.get("max").map(String::as_str),
            )
        };
        let (min, max) = window_of(&state, &entry, &image, c, min, max)?;
        let pixels = render::grey(image.channel(c), min, max);
        png_reply(&pixels, image.width(), image.height(), Layout::Grey)
    })
    .await
}

/// Comma-separated list; one entry applies to every channel.
fn split_list(text: Option<&String>, n: usize) -> ApiResult<Vec<Option<String>>> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(vec![None; n]);
    };
    let parts: Vec<Option<String>> = text.split(',').map(|s| Some(s.to_string())).collect();
    match parts.len() {
        1 => Ok(vec![parts[0].clone(); n]),
        k if k == n => Ok(parts),
        k => Err(ApiError::bad_request(format!(
            "{k} window values for {n} channels"
        ))),
    }
}

async fn composite_png(
    State(state): Shared,
    Path(id): Path<String>,
    raw: RawQuery,
) -> ApiResult<Response> {
    let q = query(raw)?;
    blocking(move || {
        let (entry, image) = image_of(&state, &id)?;
        let list = q.get("c").map_or("0", String::as_str);
        let channels = list
            .split(',')
            .map(|c| parse_channel(&image, c))
            .collect::<ApiResult<Vec<_>>>()?;
        if channels.is_empty() || channels.len() > 3 {
            return Err(ApiError::bad_request("c must list 1 to 3 channels"));
        }
        let mins = split_list(q.get("min"), channels.len())?;
        let maxs = split_list(q.get("max"), channels.len())?;
        let mut layers = Vec::new();
        for (i, &c) in channels.iter().enumerate() {
            let (min, max) = window_of(
                &state,
                &entry,
                &image,
                c,
                mins[i].as_deref(),
                maxs[i].as_deref(),
            )?;
            layers.push((image.channel(c), min, max));
        }
        let pixels = render::composite(&layers, image.height(), image.width());
        png_reply(&pixels, image.width(), image.height(), Layout::Rgb)
    })
    .await
}

async fn get_labels(State(state): Shared, Path(id): Path<String>) -> ApiResult<Json<RleLabels>> {
    blocking(move || {
        let entry = resolve(&state, &id)?;
        let meta = state.image_meta(&entry.path).map_err(internal)?;
        crate::training::prefetch_features(&state, &entry.path);
        let labels = match state.project.existing_labels(&entry) {
            Some(path) => pixelforest_io::read_label_image(&path).map_err(internal)?,
            None => ndarray::Array2::zeros((meta.height, meta.width)),
        };
        Ok(Json(encode_rle(&labels)))
    })
    .await
}

async fn put_labels(
    State(state): Shared,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Saved>> {
    let body = body.map_err(from_rejection)?;
    let rle: RleLabels = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("invalid label JSON: {e}")))?;
    blocking(move || {
        let entry = resolve(&state, &id)?;
        let meta = state.image_meta(&entry.path).map_err(internal)?;
        let n_classes = u8::try_from(state.settings().classes.len()).unwrap_or(u8::MAX);
        let labels = decode_rle(&rle, (meta.height, meta.width), n_classes)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        state.set_focus(&entry.path);
        let path = state.project.labels_path(&entry);
        save_file(&state, &path, || crate::files::save_labels(&path, &labels))
    })
    .await
}

async fn get_classes(State(state): Shared) -> Json<Vec<LabelClass>> {
    Json(state.settings().classes)
}

async fn put_classes(
    State(state): Shared,
    body: Result<Json<Vec<LabelClass>>, JsonRejection>,
) -> ApiResult<Json<Vec<LabelClass>>> {
    let Json(classes) = body.map_err(from_rejection)?;
    if classes.is_empty() || classes.len() > MAX_CLASSES {
        return Err(ApiError::bad_request(format!(
            "1 to {MAX_CLASSES} classes are needed"
        )));
    }
    if let Some(bad) = classes
        .iter()
        .find(|c| c.name.trim().is_empty() || c.name.chars().count() > MAX_CLASS_NAME)
    {
        return Err(ApiError::bad_request(format!(
            "class name {:?} must have 1 to {MAX_CLASS_NAME} characters",
            bad.name
        )));
    }
    blocking(move || {
        let mut settings = state.settings();
        settings.classes = classes;
        state
            .exclusive_write(|| state.project.save_settings(&settings))
            .map_err(internal)?;
        let classes = settings.classes.clone();
        state.set_settings(settings);
        Ok(Json(classes))
    })
    .await
}

async fn train(State(state): Shared) -> (StatusCode, Json<TrainStatus>) {
    crate::training::request_training(&state);
    (StatusCode::ACCEPTED, Json(state.status()))
}

/// `GET /api/status`; with `wait=G`, answered once the status differs from "training with model
/// G" (or after [`STATUS_WAIT`]), so the page learns of a new model at once without polling.
async fn status(State(state): Shared, raw: RawQuery) -> ApiResult<Json<TrainStatus>> {
    let q = query(raw)?;
    let Some(text) = q.get("wait") else {
        return Ok(Json(state.status()));
    };
    let generation = text
        .parse()
        .map_err(|_| ApiError::bad_request(format!("wait={text:?} is not a model generation")))?;
    Ok(Json(state.status_after(generation, STATUS_WAIT).await))
}

pub(crate) fn probabilities(
    state: &AppState,
    id: &str,
) -> ApiResult<(Arc<ndarray::Array3<f32>>, usize, usize)> {
    let (entry, image) = image_of(state, id)?;
    let probs = state.prediction(&entry.path).map_err(|e| match e {
        PredictError::NoModel => ApiError::conflict(e.to_string()),
        PredictError::Failed { .. } => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
        }
    })?;
    Ok((probs, image.width(), image.height()))
}

async fn prediction_png(State(state): Shared, Path(id): Path<String>) -> ApiResult<Response> {
    blocking(move || {
        let (probs, width, height) = probabilities(&state, &id)?;
        let colors: Vec<[u8; 3]> = state.settings().classes.iter().map(|c| c.color).collect();
        let pixels = render::prediction_overlay(&probs, &colors);
        png_reply(&pixels, width, height, Layout::Rgba)
    })
    .await
}

async fn uncertainty_png(State(state): Shared, Path(id): Path<String>) -> ApiResult<Response> {
    blocking(move || {
        let (probs, width, height) = probabilities(&state, &id)?;
        let uncertainty = render::uncertainty(&probs).map_err(internal)?;
        let pixels = render::uncertainty_overlay(uncertainty.view());
        png_reply(&pixels, width, height, Layout::Rgba)
    })
    .await
}

/// Runs `write` (which writes `path`) exclusively and answers with the project-relative path.
fn save_file<E: std::fmt::Display>(
    state: &AppState,
    path: &std::path::Path,
    write: impl FnOnce() -> Result<(), E>,
) -> ApiResult<Json<Saved>> {
    state.exclusive_write(write).map_err(internal)?;
    let saved = path.strip_prefix(state.project.root()).unwrap_or(path);
    Ok(Json(Saved {
        saved: saved.to_path_buf(),
    }))
}

async fn save_model(State(state): Shared) -> ApiResult<Json<Saved>> {
    blocking(move || {
        let model = state
            .model()
            .ok_or_else(|| ApiError::conflict("no model yet: POST /api/train first"))?;
        let path = state.project.model_path();
        save_file(&state, &path, || {
            pixelforest_pipeline::save_model(&model, &path)
        })
    })
    .await
}
