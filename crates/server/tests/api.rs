//! The HTTP API on a temporary project of small synthetic images, through the router (no socket).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use ndarray::{Array2, Array3};
use pixelforest_core::Image;
use pixelforest_io::SampleType;
use pixelforest_server::{encode_rle, router, AppState, RleLabels};
use serde_json::{json, Value};
use tower::ServiceExt;

const H: usize = 64;
const W: usize = 80;
/// Nuclei centres of the synthetic image; each nucleus has radius 5 and a membrane ring at 6..8.
const NUCLEI: [(f32, f32); 4] = [(16.0, 20.0), (16.0, 58.0), (46.0, 22.0), (45.0, 60.0)];

fn distance_to_nucleus(y: usize, x: usize) -> f32 {
    NUCLEI
        .iter()
        .map(|&(cy, cx)| ((y as f32 - cy).powi(2) + (x as f32 - cx).powi(2)).sqrt())
        .fold(f32::MAX, f32::min)
}

/// Three channels: a nuclear marker (bright discs), a membrane marker (rings) and a ramp 0..H*W-1
/// whose exact values the window-levelling tests check.
fn synthetic_image() -> Image {
    let data = Array3::from_shape_fn((3, H, W), |(c, y, x)| {
        let d = distance_to_nucleus(y, x);
        match c {
            0 => {
                if d <= 5.0 {
                    50.0
                } else {
                    2.0
                }
            }
            1 => {
                if (6.0..=8.0).contains(&d) {
                    30.0
                } else {
                    1.0
                }
            }
            _ => (y * W + x) as f32,
        }
    });
    Image::new(data, vec!["DNA".into(), "Membrane".into(), "Ramp".into()]).unwrap()
}

/// Scribbles: nuclei centres (1), a ring pixel set (2) and the far background (3).
fn scribbles() -> Array2<u8> {
    Array2::from_shape_fn((H, W), |(y, x)| {
        let d = distance_to_nucleus(y, x);
        if d <= 2.0 {
            1
        } else if (6.5..=7.5).contains(&d) && x % 2 == 0 {
            2
        } else if d >= 11.0 && (x + y) % 3 == 0 {
            3
        } else {
            0
        }
    })
}

/// A project with `a.tiff` at the top level and `ilastik/b_crop.tiff`.
fn project() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("ilastik")).unwrap();
    let image = synthetic_image();
    pixelforest_io::write_tiff_stack(&dir.path().join("a.tiff"), &image, SampleType::F32).unwrap();
    pixelforest_io::write_tiff_stack(
        &dir.path().join("ilastik/b_crop.tiff"),
        &image,
        SampleType::F32,
    )
    .unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"not an image").unwrap();
    let state = AppState::new(dir.path()).unwrap();
    (dir, router(state))
}

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    body: Option<Vec<u8>>,
) -> (StatusCode, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(uri);
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(body.map_or_else(Body::empty, Body::from))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, bytes)
}

async fn get_json(app: &Router, uri: &str) -> Value {
    let (status, body) = send(app, Method::GET, uri, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap()
}

/// Decodes a PNG: (width, height, samples per pixel, pixels).
fn decode_png(bytes: &[u8]) -> (u32, u32, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, info.color_type.samples(), buf)
}

fn assert_json_error(status: StatusCode, body: &[u8], expected: StatusCode) {
    assert_eq!(status, expected, "{}", String::from_utf8_lossy(body));
    let value: Value = serde_json::from_slice(body).expect("error body is JSON");
    assert!(
        value["error"].as_str().is_some_and(|m| !m.is_empty()),
        "{value}"
    );
}

#[tokio::test]
async fn lists_images_with_size_and_channels() {
    let (_dir, app) = project();
    let list = get_json(&app, "/api/images").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "a.tiff");
    assert_eq!(list[1]["name"], "ilastik/b_crop.tiff");
    assert_eq!(
        (
            list[1]["id"].as_u64(),
            list[1]["width"].as_u64(),
            list[1]["height"].as_u64()
        ),
        (Some(1), Some(80), Some(64))
    );
    assert_eq!(list[0]["channels"].as_array().unwrap().len(), 3);
    assert_eq!(list[0]["has_labels"], false);
}

#[tokio::test]
async fn serves_the_page() {
    let (_dir, app) = project();
    let (status, body) = send(&app, Method::GET, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8_lossy(&body).into_owned();
    assert!(page.contains("<canvas id=\"canvas\">"));
    assert!(page.contains("src=\"/ui/main.js\""));
    // The page's modules come from /ui/; nothing else does.
    let (status, body) = send(&app, Method::GET, "/ui/main.js", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("import { pf } from \"./state.js\""));
    for missing in ["/ui/nope.js", "/ui/..%2Fapi.rs", "/ui/"] {
        let (status, _) = send(&app, Method::GET, missing, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn channel_png_is_window_levelled() {
    let (_dir, app) = project();
    // Ramp channel 2: value y*W + x; window [100, 1120] maps value v to round((v - 100) / 1020 * 255).
    let (status, body) = send(
        &app,
        Method::GET,
        "/api/images/0/channel/2.png?min=100&max=1120",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (w, h, samples, pixels) = decode_png(&body);
    assert_eq!((w, h, samples), (80, 64, 1));
    let expected = |v: f32| ((v - 100.0) / 1020.0 * 255.0).round().clamp(0.0, 255.0) as u8;
    for (i, &p) in pixels.iter().enumerate() {
        assert_eq!(p, expected(i as f32), "pixel {i}");
    }
    // Addressing by file name gives the same image.
    let (_, by_name) = send(
        &app,
        Method::GET,
        "/api/images/b_crop.tiff/channel/2.png?min=100&max=1120",
        None,
    )
    .await;
    assert_eq!(decode_png(&by_name).3, pixels);
}

#[tokio::test]
async fn auto_contrast_uses_percentiles() {
    let (_dir, app) = project();
    let stats = get_json(&app, "/api/images/0/channel/2/stats").await;
    // 5120 ramp values 0..5119: ranks round(0.005 * 5119) = 26 and round(0.995 * 5119) = 5093.
    assert_eq!(
        stats,
        json!({"min": 0.0, "max": 5119.0, "low": 26.0, "high": 5093.0})
    );
    let (_, auto) = send(
        &app,
        Method::GET,
        "/api/images/0/channel/2.png?auto=1",
        None,
    )
    .await;
    let (_, explicit) = send(
        &app,
        Method::GET,
        "/api/images/0/channel/2.png?min=26&max=5093",
        None,
    )
    .await;
    assert_eq!(decode_png(&auto).3, decode_png(&explicit).3);
}

#[tokio::test]
async fn composite_puts_channels_in_red_green_blue() {
    let (_dir, app) = project();
    let (status, body) = send(
        &app,
        Method::GET,
        "/api/images/0/composite.png?c=0,1&min=0,0&max=50,30",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (w, h, samples, rgb) = decode_png(&body);
    assert_eq!((w, h, samples), (80, 64, 3));
    let at = |y: usize, x: usize| &rgb[(y * W + x) * 3..(y * W + x) * 3 + 3];
    assert_eq!(at(16, 20), [255, 9, 0]); // nucleus centre: DNA 50/50, membrane 1/30
    assert_eq!(at(16, 27), [10, 255, 0]); // ring, 7 px right of the centre: DNA 2/50, membrane 30/30
    let (status, body) = send(
        &app,
        Method::GET,
        "/api/images/0/composite.png?c=0,1,2,0",
        None,
    )
    .await;
    assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = send(&app, Method::GET, "/api/images/0/composite.png?c=7", None).await;
    assert_json_error(status, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn labels_round_trip_through_the_project_folder() {
    let (dir, app) = project();
    let labels = scribbles();
    let body = serde_json::to_vec(&encode_rle(&labels)).unwrap();
    let (status, reply) = send(&app, Method::PUT, "/api/images/1/labels", Some(body)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    let file = dir.path().join("labels/ilastik/b_crop_labels.png");
    assert_eq!(pixelforest_io::read_label_image(&file).unwrap(), labels);
    // Bodies above the 64 KiB JSON limit are fine for label maps (padding makes this one 200 KiB).
    let mut padded = serde_json::to_vec(&encode_rle(&labels)).unwrap();
    padded.extend(std::iter::repeat_n(b' ', 200 * 1024));
    let (status, reply) = send(&app, Method::PUT, "/api/images/1/labels", Some(padded)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    let back: RleLabels =
        serde_json::from_value(get_json(&app, "/api/images/1/labels").await).unwrap();
    assert_eq!(back, encode_rle(&labels));
    // An image without labels answers an all-zero map of its size.
    let empty: RleLabels =
        serde_json::from_value(get_json(&app, "/api/images/0/labels").await).unwrap();
    assert_eq!(
        empty,
        RleLabels {
            width: W,
            height: H,
            runs: vec![0, (W * H) as u32]
        }
    );
    assert_eq!(get_json(&app, "/api/images").await[1]["has_labels"], true);
}

#[tokio::test]
async fn rejects_labels_of_the_wrong_size_or_class() {
    let (dir, app) = project();
    let small = serde_json::to_vec(&encode_rle(&Array2::<u8>::zeros((H, W - 1)))).unwrap();
    let (status, body) = send(&app, Method::PUT, "/api/images/0/labels", Some(small)).await;
    assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    let unknown_class =
        serde_json::to_vec(&encode_rle(&Array2::<u8>::from_elem((H, W), 4))).unwrap();
    let (status, body) = send(
        &app,
        Method::PUT,
        "/api/images/0/labels",
        Some(unknown_class),
    )
    .await;
    assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = send(
        &app,
        Method::PUT,
        "/api/images/0/labels",
        Some(b"[1, 2".to_vec()),
    )
    .await;
    assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    assert!(!dir.path().join("labels").exists());
}

#[tokio::test]
async fn rejects_path_traversal() {
    let (dir, app) = project();
    let labels = serde_json::to_vec(&encode_rle(&Array2::<u8>::zeros((H, W)))).unwrap();
    for id in [
        "..%2Fsecret.txt",
        "%2Fetc%2Fpasswd",
        "ilastik%2Fb_crop.tiff",
        "..",
        "a.tiff%5C..",
        "secret.txt",
    ] {
        let (status, body) = send(
            &app,
            Method::GET,
            &format!("/api/images/{id}/channel/0.png"),
            None,
        )
        .await;
        assert!(status.is_client_error(), "{id}: {status}");
        serde_json::from_slice::<Value>(&body).expect("JSON error");
        let (status, _) = send(
            &app,
            Method::PUT,
            &format!("/api/images/{id}/labels"),
            Some(labels.clone()),
        )
        .await;
        assert!(status.is_client_error(), "{id}: {status}");
    }
    let (status, body) = send(&app, Method::GET, "/api/images/../../etc/passwd", None).await;
    assert_json_error(status, &body, StatusCode::NOT_FOUND);
    assert!(!dir.path().join("labels").exists());
    assert!(!dir
        .path()
        .parent()
        .unwrap()
        .join("labels")
        .join("secret_labels.png")
        .exists());
}

#[tokio::test]
async fn rejects_malformed_requests_with_json_errors() {
    let (dir, app) = project();
    let (status, body) = send(
        &app,
        Method::PUT,
        "/api/classes",
        Some(b"[{not json".to_vec()),
    )
    .await;
    assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = send(
        &app,
        Method::PUT,
        "/api/classes",
        Some(br#"[{"name": "x"}]"#.to_vec()),
    )
    .await;
    assert!(status.is_client_error());
    assert_json_error(status, &body, status);
    let (status, body) = send(&app, Method::PUT, "/api/classes", Some(b"[]".to_vec())).await;
    assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = send(
        &app,
        Method::GET,
        "/api/images/0/channel/2.png?min=abc",
        None,
    )
    .await;
    assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    let (status, body) = send(&app, Method::GET, "/api/images/0/channel/9.png", None).await;
    assert_json_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = send(&app, Method::GET, "/api/images/99/labels", None).await;
    assert_json_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = send(&app, Method::GET, "/api/nothing", None).await;
    assert_json_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = send(&app, Method::DELETE, "/api/classes", None).await;
    assert_json_error(status, &body, StatusCode::METHOD_NOT_ALLOWED);
    let huge = vec![b' '; 1 << 20];
    let (status, body) = send(&app, Method::PUT, "/api/classes", Some(huge)).await;
    assert_json_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE);
    // Nothing was written by the rejected requests.
    assert!(!dir.path().join("pixelforest.json").exists());
}

#[tokio::test]
async fn refuses_requests_from_other_origins() {
    let (dir, app) = project();
    let request = Request::builder()
        .method(Method::PUT)
        .uri("/api/classes")
        .header("host", "127.0.0.1:8765")
        .header("origin", "http://evil.example")
        .header("content-type", "application/json")
        .body(Body::from(r#"[{"name": "x", "color": [1, 2, 3]}]"#))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_json_error(status, &body, StatusCode::FORBIDDEN);
    assert!(!dir.path().join("pixelforest.json").exists());
}

#[tokio::test]
async fn classes_persist_in_the_settings_file() {
    let (dir, app) = project();
    let classes =
        json!([{"name": "Nuclei", "color": [1, 2, 3]}, {"name": "Rest", "color": [4, 5, 6]}]);
    let (status, _) = send(
        &app,
        Method::PUT,
        "/api/classes",
        Some(classes.to_string().into_bytes()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get_json(&app, "/api/classes").await, classes);
    let reopened = router(AppState::new(dir.path()).unwrap());
    assert_eq!(get_json(&reopened, "/api/classes").await, classes);
}

#[tokio::test]
async fn overlays_need_a_model() {
    let (_dir, app) = project();
    let (status, body) = send(&app, Method::GET, "/api/images/0/prediction.png", None).await;
    assert_json_error(status, &body, StatusCode::CONFLICT);
    let (status, body) = send(&app, Method::POST, "/api/model", None).await;
    assert_json_error(status, &body, StatusCode::CONFLICT);
    assert_eq!(get_json(&app, "/api/status").await["state"], "idle");
}

async fn wait_for_training(app: &Router) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = get_json(app, "/api/status").await;
        if status["state"] != "training" || Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trains_then_serves_prediction_and_uncertainty_overlays() {
    let (dir, app) = project();
    let body = serde_json::to_vec(&encode_rle(&scribbles())).unwrap();
    let (status, _) = send(&app, Method::PUT, "/api/images/0/labels", Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(&app, Method::POST, "/api/train", None).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let status = wait_for_training(&app).await;
    assert_eq!(status["state"], "ready", "{status}");
    assert_eq!(status["generation"], 1);
    assert_eq!(status["labelled_images"], 1);
    let counts = scribbles().iter().fold([0u64; 3], |mut acc, &v| {
        if v > 0 {
            acc[usize::from(v) - 1] += 1;
        }
        acc
    });
    assert_eq!(status["class_counts"], json!(counts));

    // Predict the other image (same content): nucleus centres take the Nuclei colour, far background
    // the Background colour, each nearly opaque.
    let (status, body) = send(&app, Method::GET, "/api/images/1/prediction.png", None).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let (w, h, samples, rgba) = decode_png(&body);
    assert_eq!((w, h, samples), (80, 64, 4));
    let at = |y: usize, x: usize| &rgba[(y * W + x) * 4..(y * W + x) * 4 + 4];
    let classes = pixelforest_core::default_classes();
    assert_eq!(at(16, 20)[..3], classes[0].color);
    assert!(at(16, 20)[3] > 150, "{:?}", at(16, 20));
    assert_eq!(at(30, 40)[..3], classes[2].color);
    let (status, body) = send(&app, Method::GET, "/api/images/1/uncertainty.png", None).await;
    assert_eq!(status, StatusCode::OK);
    let (w, h, samples, unc) = decode_png(&body);
    assert_eq!((w, h, samples), (80, 64, 4));
    // Inferno colours, never the white that read as signal: a certain pixel is dark purple-black.
    assert!(unc.chunks_exact(4).all(|p| p[..3] != [255, 255, 255]));
    assert!(unc[(30 * W + 40) * 4 + 3] < 128, "background is certain");
    assert!(
        unc[(30 * W + 40) * 4] < 100,
        "{:?}",
        &unc[(30 * W + 40) * 4..][..4]
    );

    // The next uncertain region: a window of the asked size, on the unlabelled image 1.
    let next = get_json(&app, "/api/images/1/next-uncertain?size=16").await;
    assert_eq!(
        (next["w"].as_u64(), next["h"].as_u64()),
        (Some(16), Some(16))
    );
    let (x, y) = (
        next["x"].as_u64().unwrap() as usize,
        next["y"].as_u64().unwrap() as usize,
    );
    let mean: f32 = (y..y + 16)
        .flat_map(|yy| (x..x + 16).map(move |xx| (yy, xx)))
        .map(|(yy, xx)| f32::from(unc[(yy * W + xx) * 4 + 3]) / 255.0)
        .sum::<f32>()
        / 256.0;
    assert!(
        (mean - next["mean"].as_f64().unwrap() as f32).abs() < 0.01,
        "{next} vs {mean}"
    );
    let second = get_json(&app, "/api/images/1/next-uncertain?size=16&skip=1").await;
    assert_ne!(next, second);
    assert!(second["mean"].as_f64() <= next["mean"].as_f64());

    let (status, _) = send(&app, Method::POST, "/api/model", None).await;
    assert_eq!(status, StatusCode::OK);
    let model = std::fs::File::open(dir.path().join("classifier.pxf")).unwrap();
    let model = pixelforest_pipeline::Model::load(std::io::BufReader::new(model)).unwrap();
    assert_eq!(model.meta.classes.len(), 3);
    assert_eq!(model.meta.channel_names.len(), 3);

    // The regression: a restarted server said "no model yet" although classifier.pxf was there.
    let restarted = router(AppState::new(dir.path()).unwrap());
    let status = get_json(&restarted, "/api/status").await;
    assert_eq!(status["state"], "ready", "{status}");
    assert_eq!(status["model_file"], "classifier.pxf");
    assert_eq!(status["class_counts"], json!(counts));
    let (status, again) = send(
        &restarted,
        Method::GET,
        "/api/images/1/prediction.png",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(decode_png(&again).3, rgba);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_class_removes_its_labels_and_the_model_trains_without_it() {
    let (dir, app) = project();
    let four = json!([{"name": "Nuclei", "color": [1, 2, 3]}, {"name": "Extra", "color": [9, 9, 9]},
                      {"name": "Cyto", "color": [4, 5, 6]}, {"name": "Background", "color": [7, 8, 9]}]);
    let (status, _) = send(
        &app,
        Method::PUT,
        "/api/classes",
        Some(four.to_string().into_bytes()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The scribbles' classes 2 and 3 become 3 and 4; class 2 ("Extra") gets a 3-pixel stroke.
    let mut labels = scribbles().mapv(|v| if v >= 2 { v + 1 } else { v });
    for x in 0..3 {
        labels[[0, x]] = 2;
    }
    let body = serde_json::to_vec(&encode_rle(&labels)).unwrap();
    let (status, _) = send(&app, Method::PUT, "/api/images/0/labels", Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        get_json(&app, "/api/classes/1/usage").await,
        json!({"pixels": 3, "images": 1})
    );

    let (status, body) = send(&app, Method::DELETE, "/api/classes/1", None).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let deleted: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(deleted["removed"], json!({"pixels": 3, "images": 1}));
    assert_eq!(deleted["classes"].as_array().unwrap().len(), 3);
    let settings: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("pixelforest.json")).unwrap())
            .unwrap();
    assert_eq!(settings["classes"][1]["name"], "Cyto");
    let saved = pixelforest_io::read_label_image(&dir.path().join("labels/a_labels.png")).unwrap();
    // Extra's pixels are unlabelled now, the classes above it back at their old values.
    let mut expected = scribbles();
    for x in 0..3 {
        expected[[0, x]] = 0;
    }
    assert_eq!(saved, expected);
    let (status, body) = send(&app, Method::DELETE, "/api/classes/3", None).await;
    assert_json_error(status, &body, StatusCode::NOT_FOUND);
    assert_eq!(get_json(&app, "/api/status").await["has_model"], false);

    send(&app, Method::POST, "/api/train", None).await;
    let status = wait_for_training(&app).await;
    assert_eq!(status["state"], "ready", "{status}");
    assert_eq!(status["class_counts"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_model_of_a_deleted_class_is_not_loaded_at_restart() {
    let (dir, app) = project();
    let body = serde_json::to_vec(&encode_rle(&scribbles())).unwrap();
    send(&app, Method::PUT, "/api/images/0/labels", Some(body)).await;
    send(&app, Method::POST, "/api/train", None).await;
    assert_eq!(wait_for_training(&app).await["state"], "ready");
    let (status, _) = send(&app, Method::POST, "/api/model", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(&app, Method::DELETE, "/api/classes/0", None).await;
    assert_eq!(status, StatusCode::OK);
    let restarted = router(AppState::new(dir.path()).unwrap());
    let status = get_json(&restarted, "/api/status").await;
    assert_eq!(
        (status["state"].as_str(), status["has_model"].as_bool()),
        (Some("error"), Some(false))
    );
    let error = status["error"].as_str().unwrap();
    assert!(
        error.contains("3 classes, the project has 2: train again"),
        "{error}"
    );
}

#[tokio::test]
async fn same_named_images_in_crops_and_ilastik_keep_separate_labels() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["crops", "ilastik"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        pixelforest_io::write_tiff_stack(
            &dir.path().join(sub).join("x.tiff"),
            &synthetic_image(),
            SampleType::F32,
        )
        .unwrap();
    }
    let app = router(AppState::new(dir.path()).unwrap());
    let list = get_json(&app, "/api/images").await;
    assert_eq!(list[0]["name"], "crops/x.tiff");
    assert_eq!(list[1]["name"], "ilastik/x.tiff");
    let labels = scribbles();
    let body = serde_json::to_vec(&encode_rle(&labels)).unwrap();
    let (status, _) = send(&app, Method::PUT, "/api/images/0/labels", Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    // The other image still has no labels: it used to read (and overwrite) the same file.
    let other: RleLabels =
        serde_json::from_value(get_json(&app, "/api/images/1/labels").await).unwrap();
    assert_eq!(other.runs, vec![0, (W * H) as u32]);
    let list = get_json(&app, "/api/images").await;
    assert_eq!(
        (&list[0]["has_labels"], &list[1]["has_labels"]),
        (&json!(true), &json!(false))
    );
    let saved = dir.path().join("labels/crops/x_labels.png");
    assert_eq!(pixelforest_io::read_label_image(&saved).unwrap(), labels);
    assert!(!dir.path().join("labels/ilastik").exists());
}

#[tokio::test]
async fn listing_survives_an_image_declaring_20_gb() {
    let (dir, app) = project();
    let hostile = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../io/tests/fixtures/hostile/huge_declared.tiff");
    std::fs::copy(hostile, dir.path().join("z_huge.tiff")).unwrap();
    let list = get_json(&app, "/api/images").await;
    assert_eq!(list[2]["name"], "z_huge.tiff");
    let error = list[2]["error"].as_str().unwrap();
    assert!(error.contains("declares 100000x100000"), "{error}");
    assert_eq!(list[0]["width"], W);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feature_matrix_is_stored_and_live_training_builds_the_model_train_builds() {
    let (dir, app) = project();
    let shown = get_json(&app, "/api/features").await;
    assert_eq!(shown["per_channel"], 40);
    assert_eq!(shown["sigmas"], json!([0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0]));
    // A Laplacian at sigma 0.3: ilastik offers none, so it is refused.
    let mut matrix = shown["matrix"].clone();
    matrix[1][0] = json!(true);
    let body = serde_json::to_vec(&json!({"sigmas": shown["sigmas"], "matrix": matrix})).unwrap();
    let (status, body) = send(&app, Method::PUT, "/api/features", Some(body)).await;
    assert_json_error(status, &body, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("not available at sigma 0.3"));
    // Gaussian smoothing at 0.3 and 1, the Hessian's two eigenvalues at 3.5: 4 per channel.
    let mut matrix = vec![vec![false; 7]; 6];
    matrix[0][0] = true;
    matrix[0][2] = true;
    matrix[5][4] = true;
    let body = serde_json::to_vec(&json!({"sigmas": shown["sigmas"], "matrix": matrix})).unwrap();
    let (status, body) = send(&app, Method::PUT, "/api/features", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer["per_channel"], 4);
    assert_eq!(answer["matrix"], json!(matrix));
    let stored = pixelforest_pipeline::ProjectSettings::read(&dir.path().join("pixelforest.json"))
        .unwrap()
        .features;
    assert_eq!(stored.sigmas, [0.3, 1.0, 3.5]);
    assert_eq!(stored.n_features(1), 4);

    // Live training (features kept by the server) builds the forest `train` builds from the files.
    let labels = serde_json::to_vec(&encode_rle(&scribbles())).unwrap();
    let (status, _) = send(&app, Method::PUT, "/api/images/0/labels", Some(labels)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(&app, Method::POST, "/api/train", None).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // The status request waits for the training instead of being polled.
    let status = get_json(&app, "/api/status?wait=0").await;
    assert_eq!(status["state"], "ready", "{status}");
    let (status, _) = send(&app, Method::POST, "/api/model", None).await;
    assert_eq!(status, StatusCode::OK);
    let served = pixelforest_pipeline::load_model(&dir.path().join("classifier.pxf")).unwrap();
    let settings =
        pixelforest_pipeline::ProjectSettings::of_labels(&dir.path().join("labels")).unwrap();
    let pairs =
        pixelforest_pipeline::pair_labels(&[dir.path().join("a.tiff")], &dir.path().join("labels"));
    let cli = pixelforest_pipeline::train_from_files(
        &pairs.pairs,
        &settings.features,
        &settings.classes,
        &settings.forest(),
    )
    .unwrap();
    assert_eq!(served.forest.n_features(), 4 * 3);
    assert_eq!(served.forest, cli.forest);
    assert_eq!(served.meta.feature_selection, cli.meta.feature_selection);
}
