//! The JSON bodies the API answers with (besides [`crate::TrainStatus`], the classes and the label
//! runs), as types: the crate doc's API table is their field list.

use std::path::PathBuf;

use serde::Serialize;

use crate::state::ImageMeta;

/// One entry of `GET /api/images`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageListing {
    pub id: usize,
    pub name: String,
    pub has_labels: bool,
    #[serde(flatten)]
    pub content: ImageContent,
}

/// An image's size and channels, or why it could not be read (the list still shows it).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ImageContent {
    Readable(ImageMeta),
    Unreadable { error: String },
}

/// The answer of a write: the written file, relative to the project folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saved {
    pub saved: PathBuf,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorBody<'a> {
    pub error: &'a str,
}
