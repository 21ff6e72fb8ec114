//! Files written by tifffile and h5py (tests/fixtures/make_fixtures.py) read with exact values.

use std::path::PathBuf;

use ndarray::Array3;
use pixelforest_io::{read_image, read_label_image, read_probabilities, renormalize_u16};

const C: usize = 3;
const H: usize = 5;
const W: usize = 7;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The script's ramp: c * 100 + y * 10 + x, times `scale`, cast like numpy's astype.
fn ramp(scale: f32, cast: fn(f32) -> f32) -> Array3<f32> {
    Array3::from_shape_fn((C, H, W), |(c, y, x)| {
        cast((c * 100 + y * 10 + x) as f32 * scale)
    })
}

fn same(x: f32) -> f32 {
    x
}

fn as_u8(x: f32) -> f32 {
    f32::from(x as u8)
}

#[test]
fn reads_tifffile_stacks_of_every_type_and_compression() {
    for (name, expected) in [
        ("stack_u16_raw.tiff", ramp(1.0, same)),
        ("stack_u16_lzw.tiff", ramp(1.0, same)),
        ("stack_u16_deflate.tiff", ramp(1.0, same)),
        ("stack_u8.tiff", ramp(0.5, as_u8)),
        ("stack_u32.tiff", ramp(1000.0, same)),
        ("stack_f32.tiff", ramp(0.25, same)),
        ("interleaved_yxc.tiff", ramp(1.0, same)),
        ("pages_u16_lzw.tiff", ramp(1.0, same)),
        ("pages_f32_deflate.tiff", ramp(0.25, same)),
    ] {
        let img = read_image(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(img.data(), &expected, "{name}");
        assert_eq!(img.channels(), ["ch0", "ch1", "ch2"], "{name}");
    }
}

#[test]
fn reads_ome_tiff_channel_names() {
    let img = read_image(&fixture("stack.ome.tiff")).unwrap();
    assert_eq!(img.data(), &ramp(1.0, same));
    assert_eq!(img.channels(), ["DNA1", "CD45", "Ir193"]);
}

#[test]
fn sidecar_csv_names_channels() {
    let img = read_image(&fixture("sample_ilastik.tiff")).unwrap();
    assert_eq!(img.channels(), ["Ir191", "Ir193", "Pr141"]);
}

#[test]
fn sidecar_csv_header_and_bom_are_skipped() {
    let img = read_image(&fixture("headed.tiff")).unwrap();
    assert_eq!(img.channels(), ["Ir191", "Ir193", "Pr141"]);
}

#[test]
fn panel_csv_in_parent_selects_ilastik_rows() {
    let img = read_image(&fixture("panel/img/roi1.tiff")).unwrap();
    assert_eq!(img.channels(), ["DNA1", "DNA2", "CD3"]);
}

#[test]
fn reads_ilastik_and_steinbock_h5_layouts() {
    let img = read_image(&fixture("ilastik_layout.h5")).unwrap();
    assert_eq!(img.data(), &ramp(1.0, same));
    let img = read_image(&fixture("steinbock_layout.h5")).unwrap();
    assert_eq!(img.data(), &ramp(0.5, same));
}

#[test]
fn follows_axistags_of_any_order() {
    let img = read_image(&fixture("xcy_order.h5")).unwrap();
    assert_eq!(img.data(), &ramp(1.0, same));
}

#[test]
fn reads_ilastik_uint16_probabilities() {
    let p = read_probabilities(&fixture("probs_ilastik.h5")).unwrap();
    assert_eq!(p.dim(), (3, H, W));
    for (c, v) in [0.5f32, 0.25, 1.0 / 3.0].into_iter().enumerate() {
        let stored = (v * 65535.0f32) as u16;
        assert!(p
            .index_axis(ndarray::Axis(0), c)
            .iter()
            .all(|&q| q == f32::from(stored) / 65535.0));
    }
}

#[test]
fn renormalization_matches_numpy_bit_for_bit() {
    let text = std::fs::read_to_string(fixture("renormalize.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let bits = v["p_bits"].as_array().unwrap();
    let out = v["u16"].as_array().unwrap();
    assert_eq!(bits.len(), out.len());
    for (b, o) in bits.iter().zip(out) {
        let p = f32::from_bits(b.as_u64().unwrap() as u32);
        assert_eq!(
            u64::from(renormalize_u16(p)),
            o.as_u64().unwrap(),
            "p = {p}"
        );
    }
}

#[test]
fn reads_label_images() {
    let expected = ndarray::Array2::from_shape_fn((H, W), |(y, x)| ((y * W + x) % 4) as u8);
    assert_eq!(
        read_label_image(&fixture("labels_u16.tiff")).unwrap(),
        expected
    );
    assert_eq!(read_label_image(&fixture("labels.h5")).unwrap(), expected);
    let err = read_label_image(&fixture("labels_big.tiff"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("labels_big.tiff") && err.contains("300"),
        "{err}"
    );
}
