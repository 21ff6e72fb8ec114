//! The `.pxf` model file's container: a versioned, checksummed binary holding the forest and the
//! metadata the layer above writes (this layer stores that JSON as given and never reads it).
//!
//! Layout (little-endian):
//! `b"PXFOREST"`, u32 format version, u64 JSON length, JSON metadata,
//! u32 n_features, u32 n_classes, u32 n_trees, then per tree: u32 n_splits, u32 n_rows,
//! n_splits x (u32 feature, f32 threshold, u32 left, u32 right), n_rows x n_classes f32
//! leaf probabilities; finally a CRC-32 (IEEE) of everything before it.
//! Node indices are as in [`crate::tree::FlatTree`]: a child `>= n_splits` is a leaf whose
//! probabilities are row `child - n_splits`. Floats are stored as their bits, so a loaded model
//! predicts bit-identically.

use std::io::{Read, Write};

use crate::tree::{FlatTree, Node};
use crate::{ForestError, ModelFileProblem, RandomForest};

const MAGIC: &[u8; 8] = b"PXFOREST";
/// Current format version; bump on any layout change.
pub const FORMAT_VERSION: u32 = 1;

/// Most classes a model may have: label maps store classes as `u8` (0 = unlabeled).
pub const MAX_CLASSES: usize = 255;

/// Reads fields from the file's bytes, never past their end.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], ModelFileProblem> {
        if len > self.bytes.len() - self.pos {
            return Err(ModelFileProblem::Truncated(what));
        }
        let s = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(s)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, ModelFileProblem> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, ModelFileProblem> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// `count` items of `size` bytes, or an error when the file holds fewer.
    fn items(
        &mut self,
        count: usize,
        size: usize,
        what: &'static str,
    ) -> Result<&'a [u8], ModelFileProblem> {
        let len = count
            .checked_mul(size)
            .ok_or(ModelFileProblem::Truncated(what))?;
        self.take(len, what)
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Writes `forest` with the metadata `meta_json` as a `.pxf` file.
///
/// # Errors
/// [`ModelFileProblem::SubForests`] for an imported ilastik forest (the project itself is the
/// model file for such a forest), or the writer's I/O error.
pub fn write_model_file<W: Write>(
    forest: &RandomForest,
    meta_json: &[u8],
    mut writer: W,
) -> Result<(), ForestError> {
    if !forest.sub_forests.is_empty() {
        return Err(ModelFileProblem::SubForests.into());
    }
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, FORMAT_VERSION);
    out.extend_from_slice(&(meta_json.len() as u64).to_le_bytes());
    out.extend_from_slice(meta_json);
    put_u32(&mut out, forest.n_features as u32);
    put_u32(&mut out, forest.n_classes as u32);
    put_u32(&mut out, forest.trees.len() as u32);
    for tree in &forest.trees {
        put_u32(&mut out, tree.n_internal());
        put_u32(&mut out, tree.n_leaves() as u32);
        for node in tree.splits() {
            put_u32(&mut out, node.feature);
            put_u32(&mut out, node.threshold.to_bits());
            put_u32(&mut out, node.children[0]);
            put_u32(&mut out, node.children[1]);
        }
        for p in tree.probs() {
            put_u32(&mut out, p.to_bits());
        }
    }
    let crc = crc32fast::hash(&out);
    put_u32(&mut out, crc);
    writer.write_all(&out)?;
    writer.flush()?;
    Ok(())
}

/// Reads a `.pxf` file: its metadata JSON (unparsed) and its forest.
///
/// # Errors
/// [`ForestError::ModelFile`] for a wrong magic, an unknown version, truncation, a bad
/// checksum or a malformed tree; the reader's I/O error.
pub fn read_model_file<R: Read>(mut reader: R) -> Result<(Vec<u8>, RandomForest), ForestError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    let mut cur = checked_body(&bytes)?;
    let meta_len = cur.u64("the metadata length")?;
    let meta_len =
        usize::try_from(meta_len).map_err(|_| ModelFileProblem::Truncated("the metadata"))?;
    let meta = cur.take(meta_len, "the metadata")?.to_vec();
    let forest = read_forest(&mut cur)?;
    if cur.remaining() != 0 {
        return Err(ModelFileProblem::TrailingBytes(cur.remaining()).into());
    }
    Ok((meta, forest))
}

/// Checks the magic, version and checksum; returns a cursor over the body after the version.
fn checked_body(bytes: &[u8]) -> Result<Cursor<'_>, ModelFileProblem> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(ModelFileProblem::Magic);
    }
    let mut cur = Cursor {
        bytes,
        pos: MAGIC.len(),
    };
    let version = cur.u32("the format version")?;
    if version != FORMAT_VERSION {
        return Err(ModelFileProblem::Version(version));
    }
    if bytes.len() < cur.pos + 4 {
        return Err(ModelFileProblem::Truncated("the checksum"));
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    if crc32fast::hash(body) != u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]) {
        return Err(ModelFileProblem::Checksum);
    }
    Ok(Cursor {
        bytes: body,
        pos: cur.pos,
    })
}

/// The counts and the trees.
fn read_forest(cur: &mut Cursor) -> Result<RandomForest, ModelFileProblem> {
    let n_features = cur.u32("the feature count")? as usize;
    let n_classes = cur.u32("the class count")? as usize;
    let n_trees = cur.u32("the tree count")? as usize;
    if n_classes == 0 || n_classes > MAX_CLASSES || n_features == 0 || n_trees == 0 {
        return Err(ModelFileProblem::Counts {
            n_features,
            n_classes,
            n_trees,
        });
    }
    let mut trees = Vec::with_capacity(n_trees.min(cur.remaining() / 8));
    for tree in 0..n_trees {
        trees.push(
            read_tree(cur, n_features, n_classes)
                .map_err(|problem| ModelFileProblem::Tree { tree, problem })?,
        );
    }
    Ok(RandomForest {
        n_features,
        n_classes,
        trees,
        sub_forests: Vec::new(),
    })
}

/// One tree; a truncated tree is [`crate::TreeProblem::Empty`] with the file's problem.
fn read_tree(
    cur: &mut Cursor,
    n_features: usize,
    n_classes: usize,
) -> Result<FlatTree, crate::TreeProblem> {
    let truncated = |_| crate::TreeProblem::Truncated;
    let n_internal = cur.u32("a tree header").map_err(truncated)? as usize;
    let n_leaves = cur.u32("a tree header").map_err(truncated)? as usize;
    let nodes: Vec<Node> = cur
        .items(n_internal, 16, "nodes")
        .map_err(truncated)?
        .chunks_exact(16)
        .map(|c| {
            let w = |i: usize| u32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
            Node {
                feature: w(0),
                threshold: f32::from_bits(w(4)),
                children: [w(8), w(12)],
            }
        })
        .collect();
    let n_probs = n_leaves
        .checked_mul(n_classes)
        .ok_or(crate::TreeProblem::Truncated)?;
    let probs: Vec<f32> = cur
        .items(n_probs, 4, "leaves")
        .map_err(truncated)?
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    FlatTree::from_parts(nodes, probs, n_features, n_classes)
}
