//! Types shared by every layer of pixelforest.
//!
//! One image type carries data between layers: a channel-first `f32` array with its channel
//! names ([`Image`]). Labels are `u8` maps where 0 means unlabeled and 1..=K name a class
//! ([`LabelClass`]).

#![warn(missing_docs)]

mod channel_names;
mod image;
mod labels;

pub use channel_names::{generated_channel_names, is_generated_channel_names};
pub use image::{Image, ImageError};
pub use labels::{default_classes, LabelClass, UNLABELED};
