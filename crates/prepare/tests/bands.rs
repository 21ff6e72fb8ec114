//! `prepare_rows` on windows of input rows equals the same rows of `prepare_image` bit for bit,
//! for every band split of small images (heights 1 to 9, bands of 1 to 4 output rows), so the
//! streaming `prepare` writes the bytes the whole-image one wrote.

use ndarray::{s, Array3};
use pixelforest_core::Image;
use pixelforest_prepare::{prepare_image, prepare_rows, prepare_window, PrepareSettings, Summary};

fn image(c: usize, h: usize, w: usize) -> Image {
    // Seeded pseudo-random counts with hot pixels, so the filter changes values at band edges.
    let mut state = 0x9e37_79b9_u32 ^ (h as u32 * 31 + w as u32);
    let data = Array3::from_shape_fn((c, h, w), |_| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        if state.is_multiple_of(11) {
            900.0 + (state % 97) as f32
        } else {
            (state % 40) as f32 * 0.37
        }
    });
    Image::new(data, (0..c).map(|i| format!("ch{i}")).collect()).unwrap()
}

#[test]
fn rows_prepared_from_windows_equal_the_whole_prepared_image() {
    let settings = [
        PrepareSettings::default(),
        PrepareSettings {
            hot_pixel_threshold: 5.0,
            summary: Summary::Sum,
            scale: 3,
        },
        PrepareSettings {
            hot_pixel_threshold: 0.0,
            summary: Summary::None,
            scale: 1,
        },
    ];
    let mut checked = 0;
    for s in &settings {
        for h in 1..=9 {
            let img = image(3, h, 5);
            let whole = prepare_image(&img, s);
            let out_h = h * s.scale;
            for band in 1..=4 {
                let mut y = 0;
                while y < out_h {
                    let out = y..(y + band).min(out_h);
                    let win = prepare_window(out.clone(), h, s);
                    let window = Image::new(
                        img.data().slice(s![.., win.clone(), ..]).to_owned(),
                        img.channels().to_vec(),
                    )
                    .unwrap();
                    let rows = prepare_rows(&window, win.start, h, s, out.clone());
                    assert_eq!(rows.channels(), whole.channels());
                    let expected = whole.data().slice(s![.., out.clone(), ..]);
                    assert!(
                        rows.data()
                            .iter()
                            .zip(expected.iter())
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "h {h}, scale {}, rows {out:?}",
                        s.scale
                    );
                    checked += 1;
                    y = out.end;
                }
            }
        }
    }
    assert!(checked > 300);
}

#[test]
fn the_window_adds_the_filter_halo_to_the_interpolated_rows() {
    let s = PrepareSettings::default();
    // Output rows 4..8 of a 2x upscale sample source rows 1.75..3.25: rows 1..=4, plus one each side.
    assert_eq!(prepare_window(4..8, 10, &s), 0..6);
    assert_eq!(prepare_window(0..2, 10, &s), 0..3);
    assert_eq!(prepare_window(18..20, 10, &s), 7..10);
}
