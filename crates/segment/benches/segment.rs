//! `segment` on a 1000 x 1000 acquisition (2000 x 2000 probabilities), both reference pipelines,
//! against CellProfiler 4.2.5 running the same pipeline's modules (benches/segment.py) in the
//! same run, one image on one thread each, the best of 3 runs (wall and CPU time: on a shared
//! machine CPU time is the steadier); also counts the pixels where the two masks differ.
//! Run: cargo bench -p pixelforest-segment --bench segment [-- isp|steinbock]
//! The peer needs `CELLPROFILER_PYTHON` (the python of the environment
//! tests/reference/setup_cellprofiler.sh builds) and the pipelines' `.cppipe` files in
//! `STEINBOCK_CPPIPE` and `ISP_CPPIPE` (see tests/reference/cellprofiler_reference.py).
//! The probability map is kept in `target/segment-bench/` (made once; delete it to remake it).
//! Peak memory of our side alone: `SEGMENT_PEER=0 /usr/bin/time -v <bench binary> isp`.

use std::path::PathBuf;
use std::time::Instant;

use ndarray::{Array2, Array3, Zip};
use pixelforest_io::{write_probabilities, ProbabilityFormat, SampleType};
use pixelforest_segment::identify::{gaussian_filter, Border};
use pixelforest_segment::{segment_probabilities, SegmentSettings};
use pixelforest_synth::{instances, SynthSettings};

/// Probabilities a pixel classifier would give the synthetic tissue at 2x: the true nuclei
/// and cytoplasm, blurred, with deterministic noise, normalised to sum 1.
fn probabilities(size: usize) -> Array3<f32> {
    let truth = instances(&SynthSettings {
        height: size,
        width: size,
        seed: 1,
    });
    let up =
        |a: &Array2<i32>| Array2::from_shape_fn((2 * size, 2 * size), |(y, x)| a[[y / 2, x / 2]]);
    let (nuclei, cells) = (up(&truth.nuclei), up(&truth.cells));
    let mut state = 7u64;
    let mut noise = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 0.2
    };
    let n = gaussian_filter(
        &nuclei.mapv(|v| f64::from(u8::from(v > 0))),
        2.0,
        Border::Reflect,
    );
    let c = Zip::from(&cells)
        .and(&nuclei)
        .map_collect(|&c, &n| f64::from(u8::from(c > 0 && n == 0)));
    let c = gaussian_filter(&c, 2.0, Border::Reflect);
    let mut out = Array3::<f32>::zeros((3, 2 * size, 2 * size));
    Zip::indexed(&n).and(&c).for_each(|(y, x), &n, &c| {
        let n = (n + noise()).clamp(0.0, 1.0) + 1e-3;
        let c = (c + noise()).clamp(0.0, 1.0) + 1e-3;
        let b = (1.0 - n - c).max(0.0) + 1e-3;
        let s = n + c + b;
        for (k, v) in [n, c, b].into_iter().enumerate() {
            out[[k, y, x]] = (v / s) as f32;
        }
    });
    out
}

/// CPU seconds this process has used (Linux `/proc/self/stat`, utime + stime at 100 Hz).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    (fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0)) / 100.0
}

fn main() {
    let presets: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a == "isp" || a == "steinbock")
        .collect();
    let presets = if presets.is_empty() {
        vec!["isp".into(), "steinbock".into()]
    } else {
        presets
    };
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/segment-bench"
    ));
    std::fs::create_dir_all(&dir).expect("bench folder");
    let path = dir.join("bench_s2_Probabilities.tiff");
    if !path.is_file() {
        write_probabilities(
            &path,
            &probabilities(1000),
            SampleType::U16,
            ProbabilityFormat::Tiff,
        )
        .expect("write probabilities");
    }
    // Read back: the same uint16-rounded values the peer reads.
    let probs = pixelforest_io::read_probabilities(&path).expect("read probabilities");
    for preset in presets {
        let settings = match preset.as_str() {
            "isp" => SegmentSettings::imc_segmentation_pipeline(),
            _ => SegmentSettings::steinbock(),
        };
        let (mut ours, mut ours_cpu) = (f64::INFINITY, f64::INFINITY);
        let mut masks = None;
        for _ in 0..3 {
            let (t, c) = (Instant::now(), cpu_seconds());
            masks = Some(segment_probabilities(&probs, &settings).expect("segments"));
            ours = ours.min(t.elapsed().as_secs_f64());
            ours_cpu = ours_cpu.min(cpu_seconds() - c);
        }
        let masks = masks.expect("three runs");
        let cells = masks.cells.iter().copied().max().unwrap_or(0);
        println!(
            "pixelforest segment ({preset}), 2000x2000 probabilities: {ours:.2} s wall, \
             {ours_cpu:.2} s CPU, {cells} cells"
        );
        if std::env::var("SEGMENT_PEER").is_ok_and(|v| v == "0") {
            continue;
        }
        let prefix = dir.join(&preset);
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/segment.py");
        let cppipe_var = if preset == "isp" {
            "ISP_CPPIPE"
        } else {
            "STEINBOCK_CPPIPE"
        };
        let (Ok(python), Ok(cppipe)) = (
            std::env::var("CELLPROFILER_PYTHON"),
            std::env::var(cppipe_var),
        ) else {
            println!(
                "CellProfiler peer skipped: set CELLPROFILER_PYTHON and {cppipe_var} \
                 (crates/segment/tests/reference/setup_cellprofiler.sh)"
            );
            continue;
        };
        let out = std::process::Command::new(python)
            .arg(script)
            .arg(&path)
            .arg(cppipe)
            .arg(&prefix)
            .output();
        match out {
            Ok(out) if out.status.success() => {
                let times: Vec<f64> = String::from_utf8_lossy(&out.stdout)
                    .split_whitespace()
                    .map(|t| t.parse().unwrap_or(f64::NAN))
                    .collect();
                let (peer, peer_cpu) = (times[0], times[1]);
                let read = |what: &str| -> Vec<i32> {
                    std::fs::read(format!("{}_{what}.u16", prefix.display()))
                        .unwrap_or_default()
                        .chunks_exact(2)
                        .map(|b| i32::from(u16::from_le_bytes([b[0], b[1]])))
                        .collect()
                };
                let differ =
                    |a: &Array2<i32>, b: Vec<i32>| a.iter().zip(&b).filter(|(x, y)| x != y).count();
                println!(
                    "CellProfiler 4.2.5 modules ({preset}): {peer:.2} s wall, {peer_cpu:.2} s CPU; \
                     pixelforest is {:.1}x (wall), {:.1}x (CPU); pixels differing: nuclei {}, cells {} of {}",
                    peer / ours,
                    peer_cpu / ours_cpu,
                    differ(&masks.nuclei, read("nuclei")),
                    differ(&masks.cells, read("cells")),
                    masks.cells.len()
                );
            }
            Ok(out) => println!(
                "CellProfiler peer failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => println!("CellProfiler peer could not start: {e}"),
        }
    }
}
