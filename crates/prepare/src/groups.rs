//! steinbock's channel aggregation (`create_ilastik_image` with `aggr_func=np.mean`): each
//! group of channels becomes one channel, their mean, summed in channel order in f32 and
//! divided by the group size, as numpy's `mean(axis=0)` on a float32 stack does.

use ndarray::{Array2, Array3, Axis};
use pixelforest_core::Image;

/// One output channel: the indices of the input channels it averages, and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Indices of the channels averaged.
    pub channels: Vec<usize>,
    /// Name of the aggregated channel.
    pub name: String,
}

/// The image of group means, one channel per group in the order given.
///
/// # Panics
/// If a group is empty or names a channel the image does not have (callers check the panel
/// against the image first).
#[must_use]
pub fn aggregate_groups(image: &Image, groups: &[Group]) -> Image {
    let (_, h, w) = image.data().dim();
    let mut data = Array3::<f32>::zeros((groups.len(), h, w));
    for (mut dst, group) in data.axis_iter_mut(Axis(0)).zip(groups) {
        assert!(!group.channels.is_empty(), "a channel group has channels");
        let mut sum = Array2::<f32>::zeros((h, w));
        for &c in &group.channels {
            sum += &image.channel(c);
        }
        let n = group.channels.len() as f32;
        dst.assign(&sum.mapv(|v| v / n));
    }
    let names = groups.iter().map(|g| g.name.clone()).collect();
    Image::new(data, names).expect("one name per group by construction")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn groups_average_their_channels_in_the_order_given() {
        let data = array![[[1.0f32, 2.0]], [[3.0, 6.0]], [[10.0, 20.0]]];
        let image = Image::new(data, vec!["a".into(), "b".into(), "c".into()]).unwrap();
        let groups = [
            Group {
                channels: vec![2],
                name: "c".into(),
            },
            Group {
                channels: vec![0, 1],
                name: "a + b".into(),
            },
        ];
        let out = aggregate_groups(&image, &groups);
        assert_eq!(out.channels(), ["c", "a + b"]);
        assert_eq!(out.data(), &array![[[10.0f32, 20.0]], [[2.0, 4.0]]]);
    }
}
