//! Robustness of every file reader against damaged files (issue #13): the repository's own
//! fixtures are the seed corpus, proptest mutates them (flipped bytes, overwritten runs,
//! truncation, biased towards the headers where the structure is) and the reader must answer
//! `Ok` or `Err`, never panic, and never ask for an allocation beyond its budget.
//!
//! A fixed seed and a fixed number of cases per reader keep `cargo test` deterministic and short
//! (about 1,300 executions, a few seconds); `PROPTEST_CASES=n` runs more. This is the affordable
//! stand-in for a long `cargo fuzz` campaign, which needs nightly and hours of CPU.

// The allocation guard is a `GlobalAlloc`, which only `unsafe` code can implement; each
// operation below carries its SAFETY reason. The workspace denies `unsafe` everywhere else.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Largest single allocation any reader may request on these small inputs: the image memory
/// budget below plus the decoder's own buffers. A larger request is refused (the process then
/// aborts, failing the run) instead of taking the machine's memory.
const ALLOCATION_LIMIT: usize = 512 << 20;
/// The image memory budget the readers are run with (`PIXELFOREST_MAX_IMAGE_BYTES`).
const IMAGE_BUDGET: &str = "67108864";

/// Requests at least this large fail in any system allocator, so a reader that asks for one
/// and handles the refusal is fine; what it must not do is ask for an amount between the limit
/// and this, which would succeed outside the test and take the memory.
const UNSATISFIABLE: usize = 1 << 40;

static LARGEST: AtomicUsize = AtomicUsize::new(0);
/// Cases run one at a time, so the largest request is that of the current case.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs one case alone and checks its largest allocation request.
fn measured(case: impl FnOnce()) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    LARGEST.store(0, Ordering::Relaxed);
    case();
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest <= ALLOCATION_LIMIT || largest >= UNSATISFIABLE,
        "asked for {largest} bytes"
    );
}

/// The system allocator, recording the largest request and refusing those over the limit.
struct Guarded;

// SAFETY: every call is forwarded unchanged to `System`, except refused requests, which return
// null as the `GlobalAlloc` contract allows.
unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        if layout.size() > ALLOCATION_LIMIT {
            return std::ptr::null_mut();
        }
        // SAFETY: same layout, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        if new_size > ALLOCATION_LIMIT {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Guarded = Guarded;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn seeds(folder: &str, names: &[&str]) -> Vec<(String, Vec<u8>)> {
    names
        .iter()
        .map(|n| {
            let bytes = std::fs::read(repo(folder).join(n)).unwrap();
            (n.to_string(), bytes)
        })
        .collect()
}

/// One change to a file's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR a byte at a position (a fraction of the length, or of the first 4 KiB).
    Flip { at: f64, head: bool, mask: u8 },
    /// Overwrite a run with one value (0x00 / 0xff make lengths and offsets extreme).
    Fill {
        at: f64,
        head: bool,
        len: usize,
        value: u8,
    },
    /// Cut the file.
    Truncate { at: f64 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0f64..1.0;
    prop_oneof![
        4 => (at.clone(), any::<bool>(), 1u8..=255).prop_map(|(at, head, mask)| Mutation::Flip { at, head, mask }),
        3 => (at.clone(), any::<bool>(), 1usize..16, prop_oneof![Just(0u8), Just(0xff), Just(0x7f), any::<u8>()])
            .prop_map(|(at, head, len, value)| Mutation::Fill { at, head, len, value }),
        1 => at.prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let pos = |at: f64, head: bool, len: usize| {
        let span = if head { len.min(4096) } else { len };
        ((at * span as f64) as usize).min(len.saturating_sub(1))
    };
    match *m {
        Mutation::Flip { at, head, mask } => {
            let i = pos(at, head, bytes.len());
            bytes[i] ^= mask;
        }
        Mutation::Fill {
            at,
            head,
            len,
            value,
        } => {
            let i = pos(at, head, bytes.len());
            let end = (i + len).min(bytes.len());
            bytes[i..end].fill(value);
        }
        Mutation::Truncate { at } => bytes.truncate((at * bytes.len() as f64) as usize),
    }
}

fn config(cases: u32) -> Config {
    if std::env::var_os("PIXELFOREST_MAX_IMAGE_BYTES").is_none() {
        std::env::set_var("PIXELFOREST_MAX_IMAGE_BYTES", IMAGE_BUDGET);
    }
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(13),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Mutates a seed, writes it under its own name (readers choose by extension), runs `read`.
fn run_mutated(
    seeds: &[(String, Vec<u8>)],
    pick: usize,
    mutations: &[Mutation],
    read: impl Fn(&Path),
) {
    let (name, seed) = &seeds[pick % seeds.len()];
    let mut bytes = seed.clone();
    for m in mutations {
        if !bytes.is_empty() {
            apply(&mut bytes, m);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, &bytes).unwrap();
    measured(|| read(&path));
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..6)
}

proptest! {
    #![proptest_config(config(400))]
    #[test]
    fn damaged_tiff_stacks_never_panic(pick in 0usize..64, ms in mutations()) {
        let seeds = seeds("crates/io/tests/fixtures", &[
            "stack_u16_raw.tiff", "stack_u16_lzw.tiff", "stack_u16_deflate.tiff", "stack_u8.tiff",
            "stack_u32.tiff", "stack_f32.tiff", "pages_f32_deflate.tiff", "interleaved_yxc.tiff",
            "stack.ome.tiff",
        ]);
        run_mutated(&seeds, pick, &ms, |p| {
            let _ = pixelforest_io::read_image(p);
            let _ = pixelforest_io::image_shape(p);
            let _ = pixelforest_io::read_probabilities(p);
        });
    }
}

proptest! {
    #![proptest_config(config(250))]
    #[test]
    fn damaged_hdf5_images_never_panic(pick in 0usize..64, ms in mutations()) {
        let seeds = seeds("crates/io/tests/fixtures", &[
            "ilastik_layout.h5", "steinbock_layout.h5", "xcy_order.h5", "probs_ilastik.h5",
        ]);
        run_mutated(&seeds, pick, &ms, |p| {
            let _ = pixelforest_io::read_image(p);
            let _ = pixelforest_io::image_shape(p);
        });
    }
}

proptest! {
    #![proptest_config(config(300))]
    #[test]
    fn damaged_label_images_never_panic(pick in 0usize..64, ms in mutations()) {
        let mut seeds = seeds("crates/io/tests/fixtures", &["labels_u16.tiff", "labels.h5"]);
        seeds.push(("labels.png".into(), label_png()));
        run_mutated(&seeds, pick, &ms, |p| {
            let _ = pixelforest_io::read_label_image(p);
        });
    }
}

/// A 12 x 9 label PNG as `serve` writes it (deterministic).
fn label_png() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.png");
    let labels = ndarray::Array2::from_shape_fn((9, 12), |(y, x)| ((x + 2 * y) % 4) as u8);
    pixelforest_io::write_label_image(&path, &labels).unwrap();
    std::fs::read(path).unwrap()
}

/// A small trained model as `train` writes it (deterministic: fixed seed).
fn model_bytes() -> Vec<u8> {
    use pixelforest_pipeline::train_model;
    let image = pixelforest_core::Image::unnamed(ndarray::Array3::from_shape_fn(
        (1, 12, 12),
        |(_, y, x)| (x * 10 + y) as f32,
    ));
    let labels = ndarray::Array2::from_shape_fn((12, 12), |(y, x)| match (y, x) {
        (0..3, _) => 1,
        (9..12, _) => 2,
        _ => 0,
    });
    let selection = pixelforest_features::FeatureSelection {
        sigmas: vec![1.0],
        matrix: vec![
            vec![true],
            vec![false],
            vec![false],
            vec![false],
            vec![false],
            vec![false],
        ],
        structure_tensor: pixelforest::features::StructureTensorScales::default(),
    };
    let classes = &pixelforest_core::default_classes()[..2];
    let settings = pixelforest_forest::ForestSettings {
        n_trees: 3,
        ..Default::default()
    };
    let model = train_model(&[(image, labels)], &selection, classes, &settings).unwrap();
    let mut bytes = Vec::new();
    model.save(&mut bytes).unwrap();
    bytes
}

proptest! {
    #![proptest_config(config(300))]
    #[test]
    fn damaged_models_never_panic(ms in mutations(), fix_checksum in any::<bool>()) {
        let mut bytes = model_bytes();
        for m in &ms {
            if !bytes.is_empty() {
                apply(&mut bytes, m);
            }
        }
        // With the checksum recomputed, the mutation reaches the parser (a forged file).
        if fix_checksum && bytes.len() > 4 {
            let body = bytes.len() - 4;
            let crc = crc32(&bytes[..body]);
            bytes[body..].copy_from_slice(&crc.to_le_bytes());
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.pxf");
        std::fs::write(&path, &bytes).unwrap();
        measured(|| {
            if let Ok(model) = pixelforest_pipeline::load_model(&path) {
                // A model that loads must predict without panicking.
                let image = pixelforest_core::Image::unnamed(ndarray::Array3::from_elem(
                    (model.meta.channel_names.len(), 6, 6),
                    3.0,
                ));
                let _ = pixelforest_pipeline::predict_image(&model, &image, 64);
            }
        });
    }
}

/// CRC-32 (IEEE), as the model file stores it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

proptest! {
    #![proptest_config(config(48))]
    #[test]
    fn damaged_ilastik_projects_never_panic(ms in mutations()) {
        let seeds = seeds("crates/ilastik/tests/fixtures", &["mitocheckPixelClassification.ilp"]);
        run_mutated(&seeds, 0, &ms, |p| {
            if let Ok(project) = pixelforest_ilastik::IlpProject::open(p) {
                for lane in &project.lanes {
                    let _ = lane.split_file_path();
                    let _ = project.resolve_raw_path(lane, None);
                }
            }
        });
    }
}
