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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_listing_has_either_the_size_or_the_error() {
        let listing = |content| ImageListing {
            id: 3,
            name: "ilastik/a.h5".into(),
            has_labels: true,
            content,
        };
        let readable = listing(ImageContent::Readable(ImageMeta {
            width: 80,
            height: 64,
            channels: vec!["DNA".into()],
        }));
        assert_eq!(
            serde_json::to_value(readable).unwrap(),
            json!({"id": 3, "name": "ilastik/a.h5", "has_labels": true,
                   "width": 80, "height": 64, "channels": ["DNA"]})
        );
        let unreadable = listing(ImageContent::Unreadable {
            error: "a.h5: not HDF5".into(),
        });
        assert_eq!(
            serde_json::to_value(unreadable).unwrap(),
            json!({"id": 3, "name": "ilastik/a.h5", "has_labels": true, "error": "a.h5: not HDF5"})
        );
    }
}
