//! Types shared by every layer of pixelforest.
//!
//! One image type carries data between layers: a channel-first `f32` array with its channel
//! names ([`Image`]). Labels are `u8` maps where 0 means unlabeled and 1..=K name a class
//! ([`LabelClass`]).
//!
//! ```
//! use ndarray::Array3;
//! use pixelforest_core::{default_classes, Image};
//!
//! let image = Image::new(Array3::zeros((2, 4, 5)), vec!["DNA1".into(), "CD45".into()]).unwrap();
//! assert_eq!((image.n_channels(), image.height(), image.width()), (2, 4, 5));
//! // Label 1 is the first class.
//! assert_eq!(default_classes()[0].name, "Nuclei");
//! ```

#![warn(missing_docs)]

mod channel_names;
mod image;
mod labels;

pub use channel_names::{generated_channel_names, is_generated_channel_names};
pub use image::{Image, ImageError};
pub use labels::{default_classes, LabelClass, UNLABELED};
