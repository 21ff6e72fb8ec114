//! Datasets of an `.ilp` as ilastik's h5py writes them. Every string is fixed-length and
//! null-padded (numpy `S` dtype, what h5py makes of a list of `bytes`): ilastik 1.4 (h5py 3)
//! and 1.3.3post3 (h5py 2.10) both read such strings as `bytes`, which ilastik `.decode`s;
//! h5py 2.10 reads variable-length UTF-8 strings as `str`, on which that `.decode` fails.

use std::path::Path;

use rust_hdf5::{DatatypeMessage, H5Group, HBool};

use crate::error::{FormatKind, IlpError, Result};

/// Writes into one project file, naming it in errors.
pub(crate) struct IlpWriter<'a> {
    pub(crate) path: &'a Path,
}

/// numpy's `S` type for strings of up to `len` bytes (HDF5 needs at least 1).
fn fixed(len: usize) -> DatatypeMessage {
    DatatypeMessage::FixedString {
        size: len.max(1) as u32,
        padding: 1, // null pad, as numpy / h5py
        charset: 0, // ASCII, as h5py writes `bytes`
    }
}

impl IlpWriter<'_> {
    pub(crate) fn err(&self, what: &str, e: rust_hdf5::Hdf5Error) -> IlpError {
        IlpError::format(
            self.path,
            FormatKind::CannotWrite {
                what: what.to_string(),
                reason: e.to_string(),
            },
        )
    }

    /// A scalar string (`ds[()]` is `bytes`).
    pub(crate) fn text(&self, g: &H5Group, name: &str, value: &str) -> Result<()> {
        let ds = g
            .new_dataset::<u8>()
            .scalar()
            .datatype(fixed(value.len()))
            .create(name)
            .map_err(|e| self.err(name, e))?;
        let mut bytes = value.as_bytes().to_vec();
        bytes.resize(value.len().max(1), 0);
        ds.write_raw_bytes(&bytes).map_err(|e| self.err(name, e))
    }

    /// A 1-D string array (`ds[()]` is an `S` array), padded to the longest.
    pub(crate) fn texts(&self, g: &H5Group, name: &str, values: &[&str]) -> Result<()> {
        let len = values.iter().map(|v| v.len()).max().unwrap_or(0).max(1);
        let ds = g
            .new_dataset::<u8>()
            .shape([values.len()])
            .datatype(fixed(len))
            .create(name)
            .map_err(|e| self.err(name, e))?;
        let mut bytes = Vec::with_capacity(len * values.len());
        for v in values {
            bytes.extend_from_slice(v.as_bytes());
            bytes.resize(bytes.len() + len - v.len(), 0);
        }
        ds.write_raw_bytes(&bytes).map_err(|e| self.err(name, e))
    }

    pub(crate) fn i64s(
        &self,
        g: &H5Group,
        name: &str,
        shape: &[usize],
        values: &[i64],
    ) -> Result<()> {
        g.new_dataset::<i64>()
            .shape(shape)
            .create(name)
            .and_then(|d| d.write_raw(values))
            .map_err(|e| self.err(name, e))
    }

    pub(crate) fn f64s(&self, g: &H5Group, name: &str, values: &[f64]) -> Result<()> {
        g.new_dataset::<f64>()
            .shape([values.len()])
            .create(name)
            .and_then(|d| d.write_raw(values))
            .map_err(|e| self.err(name, e))
    }

    pub(crate) fn bools(
        &self,
        g: &H5Group,
        name: &str,
        shape: &[usize],
        values: &[bool],
    ) -> Result<()> {
        let v: Vec<HBool> = values.iter().map(|&b| HBool::from(b)).collect();
        g.new_dataset::<HBool>()
            .shape(shape)
            .create(name)
            .and_then(|d| d.write_raw(&v))
            .map_err(|e| self.err(name, e))
    }

    pub(crate) fn group(&self, parent: &H5Group, name: &str) -> Result<H5Group> {
        parent.create_group(name).map_err(|e| self.err(name, e))
    }

    pub(crate) fn open_group(&self, parent: &H5Group, name: &str) -> Result<H5Group> {
        parent.group(name).map_err(|e| {
            IlpError::format(
                self.path,
                FormatKind::NoGroup {
                    group: name.to_string(),
                    reason: e.to_string(),
                },
            )
        })
    }

    /// A `u8` label block with its fixed-length `blockSlice` attribute.
    pub(crate) fn block(
        &self,
        g: &H5Group,
        name: &str,
        shape: &[usize],
        data: &[u8],
        slice: &str,
    ) -> Result<()> {
        let chunk: Vec<usize> = shape.iter().map(|&n| n.clamp(1, 256)).collect();
        let ds = g
            .new_dataset::<u8>()
            .shape(shape)
            .chunk(&chunk)
            .deflate(4)
            .create(name)
            .map_err(|e| self.err("label block", e))?;
        ds.write_raw(data).map_err(|e| self.err("label block", e))?;
        ds.set_attr_typed("blockSlice", fixed(slice.len()), slice.as_bytes().to_vec())
            .map_err(|e| self.err("blockSlice", e))
    }
}
