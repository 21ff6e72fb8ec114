//! Writes one file of every kind we write into a folder, for `tests/fixtures/check_outputs.py`
//! to read with tifffile and h5py: `cargo run -p pixelforest-io --example write_samples -- DIR`.

use std::path::PathBuf;

use ndarray::{Array2, Array3};
use pixelforest_io::{
    write_h5_image, write_label_image, write_probabilities, write_tiff_stack, H5Layout, Image,
    ProbabilityFormat, SampleType,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: write_samples DIR")?);
    std::fs::create_dir_all(&dir)?;
    // Same formulas as check_outputs.py.
    let stack = Array3::from_shape_fn((4, 300, 20), |(c, y, x)| (c * 1000 + y * 37 + x) as f32);
    let names = ["a", "b", "c", "d"].map(String::from).to_vec();
    let img = Image::new(stack.clone(), names)?;
    write_tiff_stack(&dir.join("stack_u16.tiff"), &img, SampleType::U16)?;
    let frac = Image::unnamed(stack.mapv(|v| v / 8.0));
    write_tiff_stack(&dir.join("stack_f32.tiff"), &frac, SampleType::F32)?;
    write_h5_image(&dir.join("x_s2.h5"), &img, &H5Layout::Ilastik)?;
    write_h5_image(
        &dir.join("x_crop.h5"),
        &frac,
        &H5Layout::Steinbock {
            name: "crop".into(),
        },
    )?;
    let probs = Array3::from_shape_fn((3, 6, 5), |(c, y, x)| ((c + y * 5 + x) % 11) as f32 / 10.0);
    for (name, s, f) in [
        ("probs_u16.tiff", SampleType::U16, ProbabilityFormat::Tiff),
        ("probs_f32.tiff", SampleType::F32, ProbabilityFormat::Tiff),
        ("probs_u16.h5", SampleType::U16, ProbabilityFormat::H5),
    ] {
        write_probabilities(&dir.join(name), &probs, s, f)?;
    }
    let mut probs5 = Array3::zeros((5, 6, 5));
    probs5.slice_mut(ndarray::s![..3, .., ..]).assign(&probs);
    write_probabilities(
        &dir.join("probs5_u16.tiff"),
        &probs5,
        SampleType::U16,
        ProbabilityFormat::Tiff,
    )?;
    let labels = Array2::from_shape_fn((7, 11), |(y, x)| ((y * 3 + x) % 4) as u8);
    write_label_image(&dir.join("labels.tiff"), &labels)?;
    write_label_image(&dir.join("labels.png"), &labels)?;
    println!("wrote samples to {}", dir.display());
    Ok(())
}
