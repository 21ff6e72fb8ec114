//! Stack io throughput against tifffile / h5py (benches/stack_io.py), in Mpx/s per channel-pixel.
//! `cargo bench -p pixelforest-io --bench stack_io`

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use ndarray::Array3;
use pixelforest_io::{read_image, write_h5_image, write_tiff_stack, H5Layout, Image, SampleType};

const C: usize = 20;
const H: usize = 1000;
const W: usize = 1000;

fn timed(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn python_peer(dir: &Path) -> HashMap<String, f64> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/stack_io.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(dir)
        .args([C, H, W].map(|n| n.to_string()))
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(' ')?;
                Some((k.to_string(), v.trim().parse().ok()?))
            })
            .collect(),
        _ => {
            println!("python peer unavailable: pip install numpy tifffile h5py");
            HashMap::new()
        }
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = Array3::from_shape_fn((C, H, W), |(c, y, x)| {
        ((c * 7919 + y * 31 + x * 17) % 1000) as f32
    });
    let img = Image::unnamed(data);
    let tiff = dir.path().join("rs.tiff");
    let h5 = dir.path().join("rs.h5");
    let ours = [
        (
            "write_tiff_u16",
            timed(|| write_tiff_stack(&tiff, &img, SampleType::U16).expect("write tiff")),
        ),
        (
            "read_tiff_u16",
            timed(|| drop(read_image(&tiff).expect("read tiff"))),
        ),
        (
            "write_h5_ilastik",
            timed(|| write_h5_image(&h5, &img, &H5Layout::Ilastik).expect("write h5")),
        ),
        (
            "read_h5_ilastik",
            timed(|| drop(read_image(&h5).expect("read h5"))),
        ),
    ];
    let peer = python_peer(dir.path());
    let mpx = (C * H * W) as f64 / 1e6;
    println!("{C}x{H}x{W} u16 stack ({mpx:.0} M samples)");
    for (name, secs) in ours {
        match peer.get(name) {
            Some(p) => println!(
                "{name:18} ours {:8.1} Mpx/s  python {:8.1} Mpx/s  ratio {:.2}x",
                mpx / secs,
                mpx / p,
                p / secs
            ),
            None => println!("{name:18} ours {:8.1} Mpx/s", mpx / secs),
        }
    }
}
