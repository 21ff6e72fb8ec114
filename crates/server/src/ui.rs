//! The labeling page's files in `ui/`: the HTML, its stylesheet and its ES modules, compiled into
//! the binary and served as they are (no build step). `GET /` is `index.html`; the page loads the
//! rest from `/ui/<file>`.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Every file of the page: name, content type, contents.
const FILES: &[(&str, &str, &str)] = &[
    ("index.html", HTML, include_str!("ui/index.html")),
    ("style.css", CSS, include_str!("ui/style.css")),
    ("main.js", JS, include_str!("ui/main.js")),
    ("state.js", JS, include_str!("ui/state.js")),
    ("dom.js", JS, include_str!("ui/dom.js")),
    ("api.js", JS, include_str!("ui/api.js")),
    ("view.js", JS, include_str!("ui/view.js")),
    ("labels.js", JS, include_str!("ui/labels.js")),
    ("images.js", JS, include_str!("ui/images.js")),
    ("channels.js", JS, include_str!("ui/channels.js")),
    ("classes.js", JS, include_str!("ui/classes.js")),
    ("features.js", JS, include_str!("ui/features.js")),
    ("tools.js", JS, include_str!("ui/tools.js")),
    ("input.js", JS, include_str!("ui/input.js")),
    ("training.js", JS, include_str!("ui/training.js")),
    ("uncertain.js", JS, include_str!("ui/uncertain.js")),
    ("persist.js", JS, include_str!("ui/persist.js")),
];

fn file(name: &str) -> Option<(&'static str, &'static str)> {
    FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, kind, body)| (kind, body))
}

fn respond(kind: &'static str, body: &'static str) -> Response {
    // `no-cache`: the browser revalidates, so a rebuilt server never runs an old module.
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// `GET /`: the page.
pub async fn page() -> Response {
    let (kind, body) = file("index.html").unwrap_or((HTML, ""));
    respond(kind, body)
}

/// `GET /ui/{file}`: a stylesheet or module of the page; only the listed files exist.
pub async fn asset(Path(name): Path<String>) -> Response {
    match file(&name) {
        Some((kind, body)) => respond(kind, body),
        None => ApiError::not_found(format!("no page file {name:?}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The targets of `from "./x.js"` imports and `/ui/...` references in `text`.
    fn references(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for (marker, end) in [("from \"./", '"'), ("\"/ui/", '"')] {
            for (at, _) in text.match_indices(marker) {
                let rest = &text[at + marker.len()..];
                found.push(rest[..rest.find(end).unwrap()].to_string());
            }
        }
        found
    }

    #[test]
    fn every_file_the_page_references_is_served() {
        let mut referenced = Vec::new();
        for (name, _, body) in FILES {
            for target in references(body) {
                assert!(
                    file(&target).is_some(),
                    "{name} references {target}, not served"
                );
                referenced.push(target);
            }
        }
        // And every served file is used: nothing stale is left in the list.
        for (name, _, _) in FILES.iter().filter(|(n, _, _)| *n != "index.html") {
            assert!(
                referenced.iter().any(|r| r == name),
                "{name} is never loaded"
            );
        }
        assert!(references(file("index.html").unwrap().1).contains(&"main.js".to_string()));
    }

    #[test]
    fn every_file_in_the_ui_folder_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(file(&name).is_some(), "ui/{name} is not served");
        }
    }
}
