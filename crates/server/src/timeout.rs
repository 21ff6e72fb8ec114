//! A deadline on every request: a slow client sending its body byte by byte, or a computation
//! that never ends, otherwise holds a connection (and its memory) forever.

use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

/// Longest a request may take, body upload included: a prediction overlay of a 2000 x 2000
/// image takes a few seconds; training runs in the background and is not bounded by this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Answers 503 when the request is not done within `limit`. Work already handed to a blocking
/// thread finishes there, but the connection is released.
pub async fn deadline(limit: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the request took longer than {} s", limit.as_secs()),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_request_past_its_deadline_gets_503() {
        let app = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "done"
                }),
            )
            .route("/fast", get(|| async { "done" }))
            .layer(axum::middleware::from_fn(|r, n| {
                deadline(Duration::from_millis(50), r, n)
            }));
        let call = |uri: &'static str| {
            app.clone()
                .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        };
        let started = std::time::Instant::now();
        assert_eq!(
            call("/slow").await.unwrap().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(call("/fast").await.unwrap().status(), StatusCode::OK);
    }
}
