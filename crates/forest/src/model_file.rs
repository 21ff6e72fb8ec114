//! The `.pxf` model file: a versioned, self-describing, checksummed binary.
//!
//! Layout (little-endian):
//! `b"PXFOREST"`, u32 format version, u64 JSON length, JSON [`ModelMeta`],
//! u32 n_features, u32 n_classes, u32 n_trees, then per tree: u32 n_splits, u32 n_rows,
//! n_splits x (u32 feature, f32 threshold, u32 left, u32 right), n_rows x n_classes f32
//! leaf probabilities; finally a CRC-32 (IEEE) of everything before it.
//! Node indices are as in [`crate::tree::FlatTree`]: a child `>= n_splits` is a leaf whose
//! probabilities are row `child - n_splits`. Floats are stored as their bits, so a loaded model
//! predicts bit-identically.

use std::io::{Read, Write};

use crate::tree::{FlatTree, Node};
use crate::{ForestError, Model, ModelMeta, RandomForest};

const MAGIC: &[u8; 8] = b"PXFOREST";
/// Current format version; bump on any layout change.
pub const FORMAT_VERSION: u32 = 1;

fn model_err(msg: impl Into<String>) -> ForestError {
    ForestError::Model(msg.into())
}

/// Reads fields from the file's bytes, never past their end.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize, what: &str) -> Result<&'a [u8], ForestError> {
        if len > self.bytes.len() - self.pos {
            return Err(model_err(format!("truncated while reading {what}")));
        }
        let s = &self.bytes[self.pos..self.pos + len];
        self.pos += len;
        Ok(s)
    }

    fn u32(&mut self, what: &str) -> Result<u32, ForestError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self, what: &str) -> Result<u64, ForestError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }
}

/// Most classes a model may have: label maps store classes as `u8` (0 = unlabeled).
pub const MAX_CLASSES: usize = 255;

/// Checks the metadata against the forest it describes, so that a hand-edited file with a valid
/// checksum is an error here, not a panic or a wrong prediction later. (The feature selection is
/// opaque at this layer; the features layer validates it.)
fn validate_meta(meta: &ModelMeta, n_features: usize, n_classes: usize) -> Result<(), ForestError> {
    let bad = |m: String| Err(model_err(format!("invalid metadata: {m}")));
    if n_classes > MAX_CLASSES {
        return bad(format!(
            "{n_classes} classes, at most {MAX_CLASSES} are supported"
        ));
    }
    if meta.classes.len() != n_classes {
        return bad(format!(
            "{} classes are named but the forest has {n_classes}",
            meta.classes.len()
        ));
    }
    if meta.channel_names.is_empty() {
        return bad("no channel names".into());
    }
    if meta.feature_names.len() != n_features {
        return bad(format!(
            "{} feature names but the forest uses {n_features} features",
            meta.feature_names.len()
        ));
    }
    let s = &meta.settings;
    if s.n_trees == 0 || s.min_samples_leaf == 0 || s.max_depth == Some(0) {
        return bad(format!(
            "training settings out of range: {} trees, min_samples_leaf {}, max_depth {:?}",
            s.n_trees, s.min_samples_leaf, s.max_depth
        ));
    }
    Ok(())
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

impl Model {
    /// Writes the versioned, checksummed binary model file.
    pub fn save<W: Write>(&self, mut writer: W) -> Result<(), ForestError> {
        let meta = serde_json::to_vec(&self.meta)
            .map_err(|e| model_err(format!("cannot encode metadata: {e}")))?;
        let forest = &self.forest;
        if !forest.sub_forests.is_empty() {
            // The format has no place for ilastik's sub-forest averaging; the project itself is
            // the model file for such a forest.
            return Err(model_err(
                "an ilastik project's forest is used from its .ilp, not saved as .pxf",
            ));
        }
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT_VERSION);
        out.extend_from_slice(&(meta.len() as u64).to_le_bytes());
        out.extend_from_slice(&meta);
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

    /// Reads a model file; a wrong magic, unknown version, truncation or bad checksum is an error.
    pub fn load<R: Read>(mut reader: R) -> Result<Self, ForestError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(model_err("not a pixelforest model (wrong magic bytes)"));
        }
        let mut cur = Cursor {
            bytes: &bytes,
            pos: MAGIC.len(),
        };
        let version = cur.u32("the format version")?;
        if version != FORMAT_VERSION {
            return Err(model_err(format!(
                "unknown format version {version} (this program reads version {FORMAT_VERSION})"
            )));
        }
        if bytes.len() < cur.pos + 4 {
            return Err(model_err("truncated (no checksum)"));
        }
        let body_len = bytes.len() - 4;
        let stored = u32::from_le_bytes([
            bytes[body_len],
            bytes[body_len + 1],
            bytes[body_len + 2],
            bytes[body_len + 3],
        ]);
        if crc32fast::hash(&bytes[..body_len]) != stored {
            return Err(model_err(
                "checksum mismatch (the file is corrupt or truncated)",
            ));
        }
        let mut cur = Cursor {
            bytes: &bytes[..body_len],
            pos: cur.pos,
        };
        let meta_len = cur.u64("the metadata length")?;
        let meta_len = usize::try_from(meta_len)
            .ok()
            .filter(|&l| l <= cur.remaining())
            .ok_or_else(|| model_err("metadata length exceeds the file"))?;
        let meta: ModelMeta = serde_json::from_slice(cur.take(meta_len, "the metadata")?)
            .map_err(|e| model_err(format!("bad metadata: {e}")))?;
        let n_features = cur.u32("the feature count")? as usize;
        let n_classes = cur.u32("the class count")? as usize;
        let n_trees = cur.u32("the tree count")? as usize;
        if n_classes == 0 || n_features == 0 || n_trees == 0 {
            return Err(model_err(format!(
                "{n_features} features, {n_classes} classes, {n_trees} trees"
            )));
        }
        let mut trees = Vec::with_capacity(n_trees.min(cur.remaining() / 8));
        for t in 0..n_trees {
            let n_internal = cur.u32("a tree header")? as usize;
            let n_leaves = cur.u32("a tree header")? as usize;
            let node_bytes = n_internal
                .checked_mul(16)
                .filter(|&b| b <= cur.remaining())
                .ok_or_else(|| model_err(format!("tree {t} is truncated")))?;
            let nodes: Vec<Node> = cur
                .take(node_bytes, "nodes")?
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
            let prob_bytes = n_leaves
                .checked_mul(n_classes)
                .and_then(|v| v.checked_mul(4))
                .filter(|&b| b <= cur.remaining())
                .ok_or_else(|| model_err(format!("tree {t} is truncated")))?;
            let probs: Vec<f32> = cur
                .take(prob_bytes, "leaves")?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            let tree = FlatTree::from_parts(nodes, probs, n_features, n_classes)
                .map_err(|e| model_err(format!("tree {t}: {e}")))?;
            trees.push(tree);
        }
        if cur.remaining() != 0 {
            return Err(model_err(format!(
                "{} unexpected bytes after the trees",
                cur.remaining()
            )));
        }
        validate_meta(&meta, n_features, n_classes)?;
        Ok(Model {
            forest: RandomForest {
                n_features,
                n_classes,
                trees,
                sub_forests: Vec::new(),
            },
            meta,
        })
    }
}
