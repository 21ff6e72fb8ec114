//! Band-by-band readers and writers give the bytes (and values) of the whole-image ones: the
//! streaming `predict` and `prepare` rely on it for byte-identical outputs.

use std::path::Path;

use ndarray::{s, Array3};
use pixelforest_io::{
    H5BandWriter, H5Layout, ProbabilityBandWriter, ProbabilityFormat, RowReader, SampleType,
    TiffBandWriter, TiffCompression,
};

/// Deterministic values in [0, 1] with some structure (so LZW has runs to find).
fn probs(c: usize, h: usize, w: usize) -> Array3<f32> {
    Array3::from_shape_fn((c, h, w), |(k, y, x)| {
        let v = ((y * 7 + x * 3 + k * 11) % 97) as f32 / 97.0;
        if (x / 5 + y / 3) % 4 == 0 {
            0.25
        } else {
            v
        }
    })
}

/// Writes `data` in bands of the heights `bands` cycles through.
fn in_bands(data: &Array3<f32>, bands: &[usize], mut put: impl FnMut(ndarray::ArrayView3<f32>)) {
    let h = data.dim().1;
    let (mut y, mut i) = (0, 0);
    while y < h {
        let n = bands[i % bands.len()].min(h - y);
        put(data.slice(s![.., y..y + n, ..]));
        y += n;
        i += 1;
    }
}

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn probability_tiffs_written_in_bands_equal_whole_writes_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    // 700 x 3 u16 = 4200-byte rows: 239 rows per strip, so 601 rows make three strips and
    // bands of 1, 17 and 256 rows cross strip boundaries.
    for (c, h, w) in [
        (3, 601, 700),
        (1, 1, 5),
        (2, 9, 4),
        (4, 300, 333),
        (5, 2, 3),
        (8, 64, 129),
    ] {
        for sample in [SampleType::U16, SampleType::F32] {
            for comp in [
                TiffCompression::Lzw,
                TiffCompression::None,
                TiffCompression::Deflate,
            ] {
                let data = probs(c, h, w);
                let whole = dir.path().join("whole.tiff");
                let banded = dir.path().join("banded.tiff");
                pixelforest_io::write_probabilities_compressed(
                    &whole,
                    &data,
                    sample,
                    ProbabilityFormat::Tiff,
                    comp,
                )
                .unwrap();
                let mut wr = ProbabilityBandWriter::create(
                    &banded,
                    (c, h, w),
                    sample,
                    ProbabilityFormat::Tiff,
                    comp,
                )
                .unwrap();
                in_bands(&data, &[1, 17, 256], |b| wr.write_rows(b).unwrap());
                wr.finish().unwrap();
                assert!(
                    bytes(&whole) == bytes(&banded),
                    "{c}x{h}x{w} {sample:?} {comp:?} differs"
                );
            }
        }
    }
}

#[test]
fn one_channel_tiffs_written_in_bands_equal_write_tiff_stack() {
    let dir = tempfile::tempdir().unwrap();
    for (h, w) in [(1, 1), (700, 801), (3, 2)] {
        for sample in [SampleType::U16, SampleType::F32] {
            let data = probs(1, h, w).mapv(|v| (v * 65535.0).round());
            let image = pixelforest_io::Image::new(data.clone(), vec!["u".into()]).unwrap();
            let whole = dir.path().join("whole.tiff");
            let banded = dir.path().join("banded.tiff");
            pixelforest_io::write_tiff_stack(&whole, &image, sample).unwrap();
            let mut wr =
                TiffBandWriter::create(&banded, (1, h, w), sample, TiffCompression::None).unwrap();
            in_bands(&data, &[5, 300], |b| wr.write_rows(b).unwrap());
            wr.finish().unwrap();
            assert!(
                bytes(&whole) == bytes(&banded),
                "{h}x{w} {sample:?} differs"
            );
        }
    }
}

/// What `write_h5_image` wrote before it streamed: one `write_raw` of the whole image.
fn write_raw_zyxc(path: &Path, name: &str, data: &Array3<f32>) {
    let (c, h, w) = data.dim();
    let file = rust_hdf5::H5File::create(path).unwrap();
    let mut buf = Vec::with_capacity(c * h * w);
    for y in 0..h {
        for x in 0..w {
            buf.extend((0..c).map(|k| data[[k, y, x]].round().clamp(0.0, 65535.0) as u16));
        }
    }
    let ds = file
        .new_dataset::<u16>()
        .shape([1, h, w, c])
        .chunk(&[1, h.min(256), w.min(256), c])
        .deflate(1)
        .create(name)
        .unwrap();
    ds.write_raw(&buf).unwrap();
    ds.new_attr::<rust_hdf5::VarLenUnicode>()
        .shape(())
        .create("axistags")
        .unwrap()
        .write_string(&pixelforest_io::axistags_json("zyxc"))
        .unwrap();
    file.close().unwrap();
}

#[test]
fn ilastik_h5_written_in_bands_equals_a_whole_write_raw_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    for (c, h, w) in [(3, 600, 300), (2, 1, 7), (12, 257, 513)] {
        let data = probs(c, h, w).mapv(|v| v * 3000.0);
        let whole = dir.path().join("img_s2.h5");
        write_raw_zyxc(&whole, "img_s2", &data);
        let out = dir.path().join("out").join("img_s2.h5");
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let mut wr = H5BandWriter::create(&out, &H5Layout::Ilastik, (c, h, w)).unwrap();
        in_bands(&data, &[100, 3, 256], |b| wr.write_rows(b).unwrap());
        wr.finish().unwrap();
        assert!(bytes(&whole) == bytes(&out), "{c}x{h}x{w} differs");
    }
}

#[test]
fn row_reader_bands_equal_the_whole_image() {
    let dir = tempfile::tempdir().unwrap();
    // 2000 wide: the tiff crate writes 250-row strips, so 601 rows span three strips a page.
    let (c, h, w) = (3, 601, 2000);
    let data = probs(c, h, w).mapv(|v| (v * 1000.0).round());
    let names: Vec<String> = (0..c).map(|i| format!("m{i}")).collect();
    let image = pixelforest_io::Image::new(data.clone(), names).unwrap();
    let tiff = dir.path().join("a.tiff");
    pixelforest_io::write_tiff_stack(&tiff, &image, SampleType::U16).unwrap();
    let h5 = dir.path().join("a_s2.h5");
    pixelforest_io::write_h5_image(&h5, &image, &H5Layout::Ilastik).unwrap();
    let sb = dir.path().join("b.h5");
    let layout = H5Layout::Steinbock { name: "img".into() };
    pixelforest_io::write_h5_image(&sb, &image, &layout).unwrap();
    for path in [&tiff, &h5, &sb] {
        let whole = pixelforest_io::read_image(path).unwrap();
        let mut reader = RowReader::open(path).unwrap();
        assert_eq!(reader.channel_names(), whole.channels());
        assert!(!reader.may_hold_non_finite() || path == &sb);
        for (y0, n) in [(0, 1), (249, 2), (250, 251), (600, 1), (0, 601), (17, 300)] {
            let band = reader.read_rows(y0, n).unwrap();
            assert_eq!(
                band,
                whole.data().slice(s![.., y0..y0 + n, ..]),
                "{} rows {y0}+{n}",
                path.display()
            );
        }
        assert!(reader.read_rows(600, 2).is_err());
    }
    // Uncompressed pages are read by offset, any rows at a time (a band never pulls in a
    // page-sized strip: tifffile writes one strip per page).
    assert_eq!(RowReader::open(&tiff).unwrap().chunk_rows(), 1);
    // An LZW page (decoded strip by strip, not read by offset): three 5-sample strips.
    let lzw = dir.path().join("p.tiff");
    let p = probs(5, 601, 200);
    pixelforest_io::write_probabilities_compressed(
        &lzw,
        &p,
        SampleType::U16,
        ProbabilityFormat::Tiff,
        TiffCompression::Lzw,
    )
    .unwrap();
    let whole = pixelforest_io::read_pixels(&lzw).unwrap();
    let mut reader = RowReader::open(&lzw).unwrap();
    assert_eq!(reader.chunk_rows(), 500);
    for (y0, n) in [(0, 1), (499, 2), (17, 584)] {
        assert_eq!(
            reader.read_rows(y0, n).unwrap(),
            whole.slice(s![.., y0..y0 + n, ..])
        );
    }
    assert_eq!(RowReader::open(&h5).unwrap().chunk_rows(), 256);
}

/// tifffile writes each page of an uncompressed stack as one strip (as steinbock's and
/// imctools' TIFFs are); those rows are read from their offsets, not by decoding the page.
#[test]
fn single_strip_tifffile_stacks_are_read_row_by_row() {
    if !pixelforest_testdata::python_ready("tifffile") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one_strip.tiff");
    let script = format!(
        "import numpy as np, tifffile\n\
         a = (np.arange(3 * 301 * 77, dtype=np.uint32) * 7919 % 65536).astype(np.uint16).reshape(3, 301, 77)\n\
         tifffile.imwrite(r'{}', a, photometric='minisblack')\n\
         assert len(tifffile.TiffFile(r'{}').pages[0].dataoffsets) == 1",
        path.display(),
        path.display()
    );
    let ok = std::process::Command::new("python3")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(ok.success());
    let whole = pixelforest_io::read_pixels(&path).unwrap();
    assert_eq!(
        whole[[2, 300, 76]],
        ((3 * 301 * 77 - 1) as u32 * 7919 % 65536) as f32
    );
    let mut reader = RowReader::open(&path).unwrap();
    assert_eq!(
        reader.chunk_rows(),
        1,
        "the one 301-row strip is not decoded per band"
    );
    for (y0, n) in [(0, 1), (150, 151), (300, 1)] {
        assert_eq!(
            reader.read_rows(y0, n).unwrap(),
            whole.slice(s![.., y0..y0 + n, ..])
        );
    }
}
