//! The channel-first multichannel image passed between layers.

use ndarray::{Array3, ArrayView2, ArrayView3, Axis};

/// Errors building an [`Image`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    /// The data's channel count differs from the number of names.
    #[error("image has {data} channels but {names} channel names were given")]
    ChannelCountMismatch {
        /// Channels of the data.
        data: usize,
        /// Channel names given.
        names: usize,
    },
}

/// A multichannel 2-D image, shape `(channels, height, width)`, with one name per channel.
///
/// `f32` everywhere: IMC counts fit exactly up to 2^24, and every filter works in `f32`.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    data: Array3<f32>,
    channels: Vec<String>,
}

impl Image {
    /// Wraps `data` (c, y, x) with its channel names; the counts must agree.
    pub fn new(data: Array3<f32>, channels: Vec<String>) -> Result<Self, ImageError> {
        if data.shape()[0] != channels.len() {
            return Err(ImageError::ChannelCountMismatch {
                data: data.shape()[0],
                names: channels.len(),
            });
        }
        Ok(Self { data, channels })
    }

    /// Wraps `data` with generated names `ch0`, `ch1`, ... for sources that carry none.
    pub fn unnamed(data: Array3<f32>) -> Self {
        let channels = crate::generated_channel_names(data.shape()[0]);
        Self { data, channels }
    }

    /// The pixels, `(channels, height, width)`.
    pub fn data(&self) -> &Array3<f32> {
        &self.data
    }

    /// The pixels, mutable (the channel count cannot change: the names stay valid).
    pub fn data_mut(&mut self) -> &mut Array3<f32> {
        &mut self.data
    }

    /// A view of the pixels.
    pub fn view(&self) -> ArrayView3<'_, f32> {
        self.data.view()
    }

    /// The pixels and channel names, without copying them.
    #[must_use]
    pub fn into_parts(self) -> (Array3<f32>, Vec<String>) {
        (self.data, self.channels)
    }

    /// The channel names, one per channel.
    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// Number of channels.
    pub fn n_channels(&self) -> usize {
        self.data.shape()[0]
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.data.shape()[1]
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.data.shape()[2]
    }

    /// One channel as a (y, x) view.
    pub fn channel(&self, index: usize) -> ArrayView2<'_, f32> {
        self.data.index_axis(Axis(0), index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_mismatched_channel_names() {
        let err = Image::new(Array3::zeros((2, 3, 4)), vec!["a".into()]).unwrap_err();
        assert_eq!(err, ImageError::ChannelCountMismatch { data: 2, names: 1 });
    }

    #[test]
    fn reports_shape_and_names() {
        let img = Image::unnamed(Array3::zeros((2, 3, 4)));
        assert_eq!((img.n_channels(), img.height(), img.width()), (2, 3, 4));
        assert_eq!(img.channels(), ["ch0", "ch1"]);
    }
}
