//! The tree walk over row sets: a node compares the values of *all* rows that reach it at once.
//!
//! The block is feature-major, so the values of one feature for the block's rows are contiguous:
//! a node turns the set of rows that reach it (a bit mask) into the sets that go left and right
//! with a few vector compares per 64 rows, and a leaf adds its probabilities to all of its rows
//! with masked vector adds. The rows of a spatially coherent block (a tile row of pixels) mostly
//! share their path, so a tree costs a few vector operations per node it visits instead of a
//! chain of dependent loads per row and level (measured 2x faster than a lockstep per-row walk
//! on the end-to-end image). A node that only a few rows reach finishes them one by one, which
//! keeps scattered rows (random test rows) as cheap as a per-row walk.
//!
//! Every row reaches the leaf a per-row walk reaches (same comparison: NaN goes right) and gets
//! one addition per tree in tree order, so the sums are those of a per-row walk, bit for bit.
//!
//! Safety: [`walk`] is safe for every value its types allow. An [`Isa`] exists only by CPU
//! detection; a `FlatTree` only validated, with its class count and private fields (its
//! invariants are listed on the type); `walk` asserts that the buffers cover the rows, features
//! and classes. The unchecked reads below rely on exactly these, each block saying which.

use crate::predict::BLOCK;
use crate::tree::FlatTree;

const WORDS: usize = BLOCK / 64;
type Mask = [u64; WORDS];

/// Rows at or below which a node leaves its rows to the per-row walk (a compare of 64 values
/// costs about as much as a few per-row steps).
const FEW_ROWS: u32 = 16;
/// Rows the per-row walk moves in lockstep, so their independent loads overlap.
const GROUP: usize = 8;
/// Per-row steps between checks for rows that reached their leaf.
const ROUND: usize = 4;
/// Rows of a 64-row word at or above which a leaf adds with vector operations.
const DENSE: u32 = 8;

/// Scratch space of the walk, kept between calls.
#[derive(Default)]
pub(crate) struct Scratch {
    stack: Vec<(u32, Mask)>,
    /// Rows left to the per-row walk, with the node they continue from.
    pending: Vec<(u32, u32)>,
}
/// The vector operations of the walk, per instruction set.
///
/// # Safety
/// Implementations may use instructions the CPU lacks: call them only with a detected [`Isa`]
/// of the implementation (`walk` dispatches on one).
trait Ops {
    /// Bit `i` set when `values[i] <= t` (false for NaN, which goes right).
    ///
    /// # Safety
    /// The CPU supports the instructions of the implementation.
    unsafe fn le_mask(values: &[f32; 64], t: f32) -> u64;

    /// `acc[i] += v` for every set bit `i` of `bits`.
    ///
    /// # Safety
    /// As [`Ops::le_mask`].
    unsafe fn masked_add(acc: &mut [f32; 64], bits: u64, v: f32);
}

/// Portable version (LLVM vectorises it with the baseline SSE2).
struct Portable;

impl Ops for Portable {
    #[inline(always)]
    unsafe fn le_mask(values: &[f32; 64], t: f32) -> u64 {
        let mut m = 0u64;
        for (i, &v) in values.iter().enumerate() {
            m |= u64::from(v <= t) << i;
        }
        m
    }

    #[inline(always)]
    unsafe fn masked_add(acc: &mut [f32; 64], bits: u64, v: f32) {
        for (i, a) in acc.iter_mut().enumerate() {
            if bits >> i & 1 == 1 {
                *a += v;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
struct Avx2;

// The value intrinsics are safe to call in these `target_feature` functions; only the loads and
// stores through pointers are unsafe. They inline into `walk_avx2` / `walk_avx512`, which enable
// the same features.
#[cfg(target_arch = "x86_64")]
impl Ops for Avx2 {
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn le_mask(values: &[f32; 64], t: f32) -> u64 {
        use std::arch::x86_64::*;
        let t = _mm256_set1_ps(t);
        let mut m = 0u64;
        for (k, lanes) in values.chunks_exact(8).enumerate() {
            // SAFETY: `lanes` holds the 8 f32s the unaligned load reads.
            let v = unsafe { _mm256_loadu_ps(lanes.as_ptr()) };
            let c = _mm256_cmp_ps::<_CMP_LE_OQ>(v, t);
            m |= u64::from(_mm256_movemask_ps(c) as u8) << (8 * k);
        }
        m
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn masked_add(acc: &mut [f32; 64], bits: u64, v: f32) {
        use std::arch::x86_64::*;
        let lane_bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
        let v = _mm256_set1_ps(v);
        for (k, lanes) in acc.chunks_exact_mut(8).enumerate() {
            let byte = (bits >> (8 * k)) as u8;
            if byte != 0 {
                let sel = _mm256_and_si256(_mm256_set1_epi32(i32::from(byte)), lane_bits);
                let on = _mm256_castsi256_ps(_mm256_cmpeq_epi32(sel, lane_bits));
                // SAFETY: `lanes` holds the 8 f32s the unaligned load reads.
                let a = unsafe { _mm256_loadu_ps(lanes.as_ptr()) };
                // Lanes off add +0.0, which leaves every sum (never -0.0) unchanged.
                let sum = _mm256_add_ps(a, _mm256_and_ps(on, v));
                // SAFETY: `lanes` is the 8 f32s the unaligned store writes, borrowed mutably.
                unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
struct Avx512;

#[cfg(target_arch = "x86_64")]
impl Ops for Avx512 {
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn le_mask(values: &[f32; 64], t: f32) -> u64 {
        use std::arch::x86_64::*;
        let t = _mm512_set1_ps(t);
        let mut m = 0u64;
        for (k, lanes) in values.chunks_exact(16).enumerate() {
            // SAFETY: `lanes` holds the 16 f32s the unaligned load reads.
            let v = unsafe { _mm512_loadu_ps(lanes.as_ptr()) };
            m |= u64::from(_mm512_cmp_ps_mask::<_CMP_LE_OQ>(v, t)) << (16 * k);
        }
        m
    }

    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn masked_add(acc: &mut [f32; 64], bits: u64, v: f32) {
        use std::arch::x86_64::*;
        let v = _mm512_set1_ps(v);
        for (k, lanes) in acc.chunks_exact_mut(16).enumerate() {
            let m = (bits >> (16 * k)) as u16;
            if m != 0 {
                // SAFETY: `lanes` holds the 16 f32s the unaligned load reads.
                let a = unsafe { _mm512_loadu_ps(lanes.as_ptr()) };
                let sum = _mm512_mask_add_ps(a, m, a, v);
                // SAFETY: `lanes` is the 16 f32s the unaligned store writes, borrowed mutably.
                unsafe { _mm512_storeu_ps(lanes.as_mut_ptr(), sum) };
            }
        }
    }
}

/// An instruction set this CPU has. Only detection makes one ([`Isa::detect`], or
/// [`Isa::all_detected`] in tests): holding an `Isa` proves its instructions run here, which is
/// what makes [`walk`] safe to call with it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Isa(Kind);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    /// The best instruction set of this CPU (the standard library caches the CPU query).
    pub(crate) fn detect() -> Isa {
        Isa::all_detected().pop().unwrap_or(Isa(Kind::Portable))
    }

    /// Every instruction set of this CPU the walk has a version for, best last.
    pub(crate) fn all_detected() -> Vec<Isa> {
        #[allow(unused_mut)] // Only x86-64 adds to the portable version.
        let mut all = vec![Isa(Kind::Portable)];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") {
                all.push(Isa(Kind::Avx2));
            }
            if is_x86_feature_detected!("avx512f") {
                all.push(Isa(Kind::Avx512));
            }
        }
        all
    }
}

/// Where the per-row walk reads a row's values.
#[derive(Clone, Copy)]
pub(crate) enum RowSource<'a> {
    /// From the feature-major block.
    Block,
    /// From the caller's row-major rows: feature `f` of row `r` at `data[r * stride + f]`.
    /// Rows scattered through a deep tree touch one cache line per step here against one per
    /// feature in the block (measured 15% faster on random rows).
    RowMajor { data: &'a [f32], stride: usize },
}

/// Adds the leaf probabilities `tree` gives rows `0..len` of the feature-major `block`
/// (feature `f` of row `r` at `f * BLOCK + r`) to the class-major sums `acc`
/// (class `c` of row `r` at `c * BLOCK + r`).
///
/// # Panics
/// When `len > BLOCK`, or `block`, `acc` or the rows of `rows` do not cover the rows, features
/// and classes the walk reads and writes.
pub(crate) fn walk(
    isa: Isa,
    tree: &FlatTree,
    block: &[f32],
    rows: RowSource,
    len: usize,
    acc: &mut [f32],
    scratch: &mut Scratch,
) {
    let bound = tree.n_features_bound();
    let k = tree.n_classes();
    assert!(
        len <= BLOCK && block.len() >= bound * BLOCK && acc.len() >= k * BLOCK,
        "block does not cover the rows and features the tree reads"
    );
    if let RowSource::RowMajor { data, stride } = rows {
        let needed = (len.saturating_sub(1))
            .checked_mul(stride)
            .and_then(|n| n.checked_add(bound));
        assert!(
            len == 0 || (stride >= bound && needed.is_some_and(|n| data.len() >= n)),
            "rows do not cover the features the tree reads"
        );
    }
    // The calls below rely on the tree's invariants (`FlatTree`) and the bounds asserted above:
    // every node and probability row the walk indexes exists, every row it reads lies below
    // `len` (or is row 0, which exists whenever there is work) and every feature below `bound`.
    match isa.0 {
        // SAFETY: the portable version needs no CPU feature; bounds as above.
        Kind::Portable => unsafe { walk_with::<Portable>(tree, block, len, acc, scratch) },
        // SAFETY: `isa` was detected, so the CPU has AVX2; bounds as above.
        #[cfg(target_arch = "x86_64")]
        Kind::Avx2 => unsafe { walk_avx2(tree, block, len, acc, scratch) },
        // SAFETY: `isa` was detected, so the CPU has AVX-512F; bounds as above.
        #[cfg(target_arch = "x86_64")]
        Kind::Avx512 => unsafe { walk_avx512(tree, block, len, acc, scratch) },
    }
    let pending = &scratch.pending;
    match rows {
        RowSource::Block => {
            // SAFETY: bounds as above; `value` reads feature `f < bound` of row `r < BLOCK`,
            // inside the block asserted to hold `bound * BLOCK` values.
            unsafe {
                walk_rows(tree, acc, pending, |r, f| {
                    *block.get_unchecked(f * BLOCK + r)
                });
            }
        }
        RowSource::RowMajor { data, stride } => {
            // SAFETY: bounds as above; `value` reads feature `f < bound <= stride` of row
            // `r < len`, inside `data` asserted to hold `(len - 1) * stride + bound` values.
            unsafe {
                walk_rows(tree, acc, pending, |r, f| {
                    *data.get_unchecked(r * stride + f)
                });
            }
        }
    }
}

/// # Safety
/// The CPU has AVX2; the requirements of [`walk_with`] hold.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn walk_avx2(
    tree: &FlatTree,
    block: &[f32],
    len: usize,
    acc: &mut [f32],
    scratch: &mut Scratch,
) {
    // SAFETY: passed on from the caller.
    unsafe { walk_with::<Avx2>(tree, block, len, acc, scratch) }
}

/// # Safety
/// The CPU has AVX-512F; the requirements of [`walk_with`] hold.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn walk_avx512(
    tree: &FlatTree,
    block: &[f32],
    len: usize,
    acc: &mut [f32],
    scratch: &mut Scratch,
) {
    // SAFETY: passed on from the caller.
    unsafe { walk_with::<Avx512>(tree, block, len, acc, scratch) }
}

/// Calls `f(r)` for every set bit `r` of `mask`.
#[inline(always)]
fn for_each_row(mask: &Mask, mut f: impl FnMut(usize)) {
    for (w, &word) in mask.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            f(w * 64 + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
}

/// The set walk: moves row sets from the root down, adds the leaves' probabilities to whole
/// sets, and leaves the rows of nodes that only a few rows reach in `scratch.pending`.
///
/// # Safety
/// The CPU supports `O`'s instructions; `len <= BLOCK`; `block` holds
/// `tree.n_features_bound() * BLOCK` values and `acc` `tree.n_classes() * BLOCK`.
#[inline(always)]
unsafe fn walk_with<O: Ops>(
    tree: &FlatTree,
    block: &[f32],
    len: usize,
    acc: &mut [f32],
    scratch: &mut Scratch,
) {
    let nodes = tree.nodes();
    let n_internal = tree.n_internal();
    scratch.stack.clear();
    scratch.pending.clear();
    scratch.stack.push((0, first_rows(len)));
    while let Some((index, mask)) = scratch.stack.pop() {
        if index >= n_internal {
            // SAFETY: a child at or above `n_internal` names a probability row (FlatTree); the
            // caller guarantees `acc` and the CPU.
            unsafe { add_leaf::<O>(tree, acc, index - n_internal, &mask) };
            continue;
        }
        let count: u32 = mask.iter().map(|w| w.count_ones()).sum();
        if count <= FEW_ROWS {
            for_each_row(&mask, |r| scratch.pending.push((index, r as u32)));
            continue;
        }
        // SAFETY: `index` is a node: the root or a child (FlatTree).
        let node = unsafe { nodes.get_unchecked(index as usize) };
        // SAFETY: the node's feature is below the bound, so its BLOCK values lie in `block`.
        let values = unsafe { block.get_unchecked(node.feature as usize * BLOCK..) };
        // SAFETY: `values` holds BLOCK values; the caller guarantees the CPU supports `O`.
        let (left, right) = unsafe { split::<O>(values, node.threshold, &mask) };
        if right.iter().any(|&w| w != 0) {
            scratch.stack.push((node.children[1], right));
        }
        if left.iter().any(|&w| w != 0) {
            scratch.stack.push((node.children[0], left));
        }
    }
}

/// The mask of rows `0..len`.
#[inline(always)]
fn first_rows(len: usize) -> Mask {
    let mut all: Mask = [0; WORDS];
    for (w, word) in all.iter_mut().enumerate() {
        let n = len.saturating_sub(w * 64).min(64);
        *word = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    }
    all
}

/// Adds the probabilities of leaf `leaf` to the rows of `mask`: vector adds for dense words,
/// one row at a time for sparse ones.
///
/// # Safety
/// The CPU supports `O`'s instructions; `leaf` names a probability row of `tree`
/// (`leaf < n_leaves`); `acc` holds `tree.n_classes() * BLOCK` values.
#[inline(always)]
unsafe fn add_leaf<O: Ops>(tree: &FlatTree, acc: &mut [f32], leaf: u32, mask: &Mask) {
    let k = tree.n_classes();
    // SAFETY: `leaf` names a probability row of `k` values (the caller).
    let p = unsafe {
        tree.probs()
            .get_unchecked(leaf as usize * k..(leaf as usize + 1) * k)
    };
    for (w, &bits) in mask.iter().enumerate() {
        if bits.count_ones() >= DENSE {
            for (c, &v) in p.iter().enumerate() {
                // SAFETY: `c < k` and `64 * w + 64 <= BLOCK`: 64 values of `acc`.
                let lane = unsafe { acc.get_unchecked_mut(c * BLOCK + 64 * w..) };
                let lane = lane.first_chunk_mut::<64>();
                if let Some(lane) = lane {
                    // SAFETY: the caller guarantees the CPU supports `O`.
                    unsafe { O::masked_add(lane, bits, v) };
                }
            }
        } else {
            let mut b = bits;
            while b != 0 {
                let r = w * 64 + b.trailing_zeros() as usize;
                for (c, &v) in p.iter().enumerate() {
                    // SAFETY: `c < k` and `r < BLOCK`.
                    unsafe { *acc.get_unchecked_mut(c * BLOCK + r) += v };
                }
                b &= b - 1;
            }
        }
    }
}

/// The rows of `mask` whose value is `<= threshold` (left) and the others (right, NaN
/// included).
///
/// # Safety
/// The CPU supports `O`'s instructions; `values` holds at least `BLOCK` values.
#[inline(always)]
unsafe fn split<O: Ops>(values: &[f32], threshold: f32, mask: &Mask) -> (Mask, Mask) {
    let mut left: Mask = [0; WORDS];
    let mut right: Mask = [0; WORDS];
    for w in 0..WORDS {
        if mask[w] != 0 {
            // SAFETY: `64 * w + 64 <= BLOCK` values (the caller).
            let lanes = unsafe { values.get_unchecked(64 * w..) };
            if let Some(lanes) = lanes.first_chunk::<64>() {
                // SAFETY: the caller guarantees the CPU supports `O`.
                let le = unsafe { O::le_mask(lanes, threshold) };
                left[w] = mask[w] & le;
                right[w] = mask[w] & !le;
            }
        }
    }
    (left, right)
}

/// The per-row walk of the `(node, row)` pairs left by the set walk: `GROUP` slots walk in
/// lockstep, `ROUND` steps at a time without branches (a row that reached its leaf loops on its
/// sink); between rounds a finished slot adds its leaf and takes the next pair.
///
/// # Safety
/// Every pair names a node of the tree and a row below `BLOCK`; `acc` holds
/// `tree.n_classes() * BLOCK` values; `value(r, f)` may be called with a row of a pair (or row
/// 0, when there is a pair) and a feature below `tree.n_features_bound()`.
#[inline(always)]
unsafe fn walk_rows(
    tree: &FlatTree,
    acc: &mut [f32],
    pending: &[(u32, u32)],
    value: impl Fn(usize, usize) -> f32,
) {
    let nodes = tree.nodes();
    let n_internal = tree.n_internal();
    let probs = tree.probs();
    let k = tree.n_classes();
    // An idle slot sits on the sink of probability row 0 and reads row 0.
    let mut slot_node = [n_internal; GROUP];
    let mut slot_row = [0u32; GROUP];
    let mut live = [false; GROUP];
    let mut next = 0;
    let mut active = 0;
    loop {
        for s in 0..GROUP {
            let node = slot_node[s];
            if live[s] {
                if node < n_internal {
                    continue;
                }
                let r = slot_row[s] as usize;
                // SAFETY: a node at or above `n_internal` is the sink of a probability row.
                let p = unsafe { probs.get_unchecked((node - n_internal) as usize * k..) };
                for (c, &v) in p[..k].iter().enumerate() {
                    // SAFETY: `c < k` and `r < BLOCK`.
                    unsafe { *acc.get_unchecked_mut(c * BLOCK + r) += v };
                }
                live[s] = false;
                active -= 1;
            }
            if let Some(&(start, row)) = pending.get(next) {
                slot_node[s] = start;
                slot_row[s] = row;
                live[s] = true;
                active += 1;
                next += 1;
            } else {
                slot_node[s] = n_internal;
                slot_row[s] = 0;
            }
        }
        if active == 0 {
            return;
        }
        for _ in 0..ROUND {
            for s in 0..GROUP {
                // SAFETY: slots hold the node of a pair, one of its children, or a sink.
                let n = unsafe { nodes.get_unchecked(slot_node[s] as usize) };
                let v = value(slot_row[s] as usize, n.feature as usize);
                slot_node[s] = n.next(v);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{ForestSettings, RandomForest};
    use ndarray::Array2;

    /// Every instruction set this CPU has.
    /// Says which versions this CPU cannot check: those tests then cover fewer versions.
    fn isas() -> Vec<Isa> {
        let all = Isa::all_detected();
        #[cfg(target_arch = "x86_64")]
        for (kind, name) in [(Kind::Avx2, "AVX2"), (Kind::Avx512, "AVX-512F")] {
            if !all.iter().any(|isa| isa.0 == kind) {
                eprintln!(
                    "skipped: this CPU has no {name}, so its version of the walk is not checked"
                );
            }
        }
        all
    }

    /// Sums of the per-row walk, tree by tree, class-major like `walk`'s.
    fn per_row_sums(forest: &RandomForest, block: &[f32], len: usize) -> Vec<f32> {
        let k = forest.n_classes;
        let mut acc = vec![0f32; k * BLOCK];
        for tree in &forest.trees {
            for r in 0..len {
                let p = tree.leaf_probs(|f| block[f * BLOCK + r]);
                for (c, &v) in p.iter().enumerate() {
                    acc[c * BLOCK + r] += v;
                }
            }
        }
        acc
    }

    /// A deterministic value in [0, 1) for test data (one home for the crate's tests).
    pub(crate) fn lcg(state: &mut u64) -> f32 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 40) as f32 / (1u64 << 24) as f32
    }

    #[test]
    fn set_walk_equals_the_per_row_walk_bit_for_bit() {
        let (n, nf) = (3000, 6);
        let mut state = 3u64;
        let x = Array2::from_shape_fn((n, nf), |_| lcg(&mut state));
        let y: Vec<u8> = (0..n)
            .map(|i| 1 + ((x[[i, 0]] * 3.0 + x[[i, 1]]) as u8 % 3))
            .collect();
        let settings = ForestSettings {
            n_trees: 12,
            ..ForestSettings::default()
        };
        let (forest, _) = RandomForest::train(x.view(), &y, 3, &settings).unwrap();
        // Coherent rows (a smooth ramp, long shared paths), random rows (scattered paths,
        // the per-row part), NaN and infinities, and blocks shorter than BLOCK.
        let mut blocks: Vec<(Vec<f32>, usize)> = Vec::new();
        let ramp = (0..nf * BLOCK)
            .map(|i| ((i % BLOCK) as f32 / BLOCK as f32 + (i / BLOCK) as f32 * 0.1) % 1.0)
            .collect();
        blocks.push((ramp, BLOCK));
        let random: Vec<f32> = (0..nf * BLOCK).map(|_| lcg(&mut state)).collect();
        blocks.push((random.clone(), BLOCK));
        blocks.push((random.clone(), 77));
        blocks.push((random.clone(), 1));
        let mut odd = random;
        for (i, v) in odd.iter_mut().enumerate() {
            match i % 7 {
                0 => *v = f32::NAN,
                1 => *v = f32::INFINITY,
                2 => *v = f32::NEG_INFINITY,
                _ => {}
            }
        }
        blocks.push((odd, 200));
        for (block, len) in &blocks {
            let want = per_row_sums(&forest, block, *len);
            for isa in isas() {
                let mut scratch = Scratch::default();
                // The same rows row-major, as `predict_proba` may hand them over.
                let rows: Vec<f32> = (0..*len)
                    .flat_map(|r| (0..nf).map(move |f| block[f * BLOCK + r]))
                    .collect();
                let sources = [
                    RowSource::Block,
                    RowSource::RowMajor {
                        data: &rows,
                        stride: nf,
                    },
                ];
                for source in sources {
                    let mut acc = vec![0f32; 3 * BLOCK];
                    for tree in &forest.trees {
                        walk(isa, tree, block, source, *len, &mut acc, &mut scratch);
                    }
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&acc), bits(&want), "{isa:?}, {len} rows");
                }
            }
        }
    }

    /// `walk` took the class count from its caller: with a wrong one its bounds check passed and
    /// the leaf additions wrote past the sums. The count is now the tree's own.
    #[test]
    #[should_panic(expected = "block does not cover")]
    fn sums_too_short_for_the_trees_classes_panic_instead_of_writing_past_them() {
        let (n, nf) = (300, 4);
        let mut state = 5u64;
        let x = Array2::from_shape_fn((n, nf), |_| lcg(&mut state));
        let y: Vec<u8> = (0..n).map(|i| 1 + (x[[i, 0]] * 3.0) as u8 % 3).collect();
        let settings = ForestSettings {
            n_trees: 1,
            ..ForestSettings::default()
        };
        let (forest, _) = RandomForest::train(x.view(), &y, 3, &settings).unwrap();
        let block = vec![0.5f32; nf * BLOCK];
        // Room for two classes' sums, not three.
        let mut acc = vec![0f32; 2 * BLOCK];
        let mut scratch = Scratch::default();
        let isa = Isa::detect();
        walk(
            isa,
            &forest.trees[0],
            &block,
            RowSource::Block,
            BLOCK,
            &mut acc,
            &mut scratch,
        );
    }

    #[test]
    fn masked_add_and_le_mask_agree_across_instruction_sets() {
        let mut state = 9u64;
        let mut values = [0f32; 64];
        for v in values.iter_mut() {
            *v = lcg(&mut state);
        }
        values[5] = f32::NAN;
        let want = (0..64).fold(0u64, |m, i| m | (u64::from(values[i] <= 0.5) << i));
        let bits = 0xF0F0_1234_8000_0001u64;
        for isa in isas() {
            let mut acc = [1f32; 64];
            let got = match isa.0 {
                // SAFETY: the portable version needs no CPU feature.
                Kind::Portable => unsafe { test_ops::<Portable>(&mut acc, bits, &values) },
                // SAFETY: `isa` was detected, so the CPU has AVX2.
                #[cfg(target_arch = "x86_64")]
                Kind::Avx2 => unsafe { test_avx2(&mut acc, bits, &values) },
                // SAFETY: `isa` was detected, so the CPU has AVX-512F.
                #[cfg(target_arch = "x86_64")]
                Kind::Avx512 => unsafe { test_avx512(&mut acc, bits, &values) },
            };
            assert_eq!(got, want, "{isa:?}");
            for (i, &a) in acc.iter().enumerate() {
                let added = bits >> i & 1 == 1;
                assert_eq!(a, if added { 1.25 } else { 1.0 }, "{isa:?} lane {i}");
            }
        }
    }

    /// # Safety
    /// The CPU supports `O`'s instructions.
    #[inline(always)]
    unsafe fn test_ops<O: Ops>(acc: &mut [f32; 64], bits: u64, values: &[f32; 64]) -> u64 {
        // SAFETY: passed on from the caller.
        unsafe { O::masked_add(acc, bits, 0.25) };
        // SAFETY: passed on from the caller.
        unsafe { O::le_mask(values, 0.5) }
    }

    /// # Safety
    /// The CPU has AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn test_avx2(acc: &mut [f32; 64], bits: u64, values: &[f32; 64]) -> u64 {
        // SAFETY: passed on from the caller.
        unsafe { test_ops::<Avx2>(acc, bits, values) }
    }

    /// # Safety
    /// The CPU has AVX-512F.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn test_avx512(acc: &mut [f32; 64], bits: u64, values: &[f32; 64]) -> u64 {
        // SAFETY: passed on from the caller.
        unsafe { test_ops::<Avx512>(acc, bits, values) }
    }
}
