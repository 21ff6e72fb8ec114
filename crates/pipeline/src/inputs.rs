//! Which files a batch command works on: files and folders given on the command line, the
//! reference workflow's naming conventions, and cluster sharding.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{PipelineError, Result};

/// Extensions of image files pixelforest reads as stacks.
const IMAGE_EXTENSIONS: &[&str] = &["tif", "tiff", "h5", "hdf5"];

/// Name endings of files pixelforest (or the reference workflow) writes next to images, which
/// are never inputs when a folder is scanned.
const OUTPUT_MARKERS: &[&str] = &[
    "_probabilities",
    "_uncertainty",
    "_labels",
    "_truth",
    "_scribbles",
    "_features",
];

/// True if `path` has an image extension (`.tif`, `.tiff`, `.h5`, `.hdf5`).
pub fn is_image_file(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()))
}

/// True for files that are outputs of a step, or temporary files of an unfinished write.
pub fn is_derived_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.starts_with('.') {
        return true;
    }
    let stem = pixelforest_io::image_stem(Path::new(&name));
    OUTPUT_MARKERS.iter().any(|m| stem.ends_with(m))
}

/// Expands files and folders into a sorted list of image files.
///
/// A folder contributes its image files (not recursively), except derived files; if
/// `prefer_suffix` is given and some files of the folder end with it (e.g. `_s2.h5`, the
/// reference workflow's full images), only those are taken. steinbock's `ilastik_img/` holds
/// only `<name>.h5` files and contributes them all. A file given by name is always taken, also
/// as `file.h5/dataset` (ilastik's form for one dataset of an HDF5 file). An input that does
/// not exist, or a folder without images, is an error.
pub fn collect_images(inputs: &[PathBuf], prefer_suffix: Option<&str>) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = list_folder(input)?;
            if let Some(suffix) = prefer_suffix {
                let suffix = suffix.to_lowercase();
                let preferred: Vec<PathBuf> = found
                    .iter()
                    .filter(|p| p.to_string_lossy().to_lowercase().ends_with(&suffix))
                    .cloned()
                    .collect();
                if !preferred.is_empty() {
                    found = preferred;
                }
            }
            if found.is_empty() {
                return Err(PipelineError::file(
                    input,
                    "no images found in this folder (expected .tiff, .tif, .h5 or .hdf5 files)",
                ));
            }
            out.extend(found);
        } else if input.is_file() {
            out.push(input.clone());
        } else if pixelforest_io::split_h5_path(input).is_some_and(|p| p.file.is_file()) {
            // ilastik's `file.h5/dataset` form: read_image opens that dataset.
            out.push(input.clone());
        } else {
            return Err(PipelineError::file(input, "no such file or folder"));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn list_folder(dir: &Path) -> Result<Vec<PathBuf>> {
    folder_files(dir, |path| is_image_file(path) && !is_derived_file(path))
}

/// The files of `dir` (not recursively) that `keep` accepts, sorted; a folder that cannot be
/// listed is an error naming it.
pub(crate) fn folder_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| PipelineError::file(dir, format!("cannot list folder: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| PipelineError::file(dir, format!("cannot list: {e}")))?;
        let path = entry.path();
        if path.is_file() && keep(&path) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// steinbock's folder names: its ilastik images, and where `steinbock classify ilastik run`
/// puts their probabilities (`ilastik_probabilities/<name>.tiff`).
pub const STEINBOCK_ILASTIK_IMG: &str = "ilastik_img";
/// See [`STEINBOCK_ILASTIK_IMG`].
pub const STEINBOCK_PROBABILITIES: &str = "ilastik_probabilities";

/// The steinbock project folder of `image` when it lies in a steinbock `ilastik_img/` folder
/// (also given as `ilastik_img/<name>.h5/img`), else `None`.
#[must_use]
pub fn steinbock_root(image: &Path) -> Option<PathBuf> {
    let file = pixelforest_io::split_h5_path(image).map_or_else(|| image.to_path_buf(), |p| p.file);
    let dir = file.parent()?;
    if dir.file_name()? != STEINBOCK_ILASTIK_IMG {
        return None;
    }
    Some(dir.parent().map(Path::to_path_buf).unwrap_or_default())
}

/// steinbock's probability file for a steinbock ilastik image:
/// `<root>/ilastik_probabilities/<name>.tiff`; `None` outside a steinbock layout.
#[must_use]
pub fn steinbock_probabilities_path(image: &Path) -> Option<PathBuf> {
    let root = steinbock_root(image)?;
    let file = pixelforest_io::split_h5_path(image).map_or_else(|| image.to_path_buf(), |p| p.file);
    let stem = pixelforest_io::image_stem(&file);
    Some(
        root.join(STEINBOCK_PROBABILITIES)
            .join(format!("{stem}.tiff")),
    )
}

/// steinbock's output folder `<root>/ilastik_probabilities` when every image lies in the
/// `ilastik_img/` folder of one steinbock project, else `None`.
#[must_use]
pub fn steinbock_output_dir(images: &[PathBuf]) -> Option<PathBuf> {
    let first = steinbock_root(images.first()?)?;
    images
        .iter()
        .all(|i| steinbock_root(i).as_ref() == Some(&first))
        .then(|| first.join(STEINBOCK_PROBABILITIES))
}

/// A slice of a batch for one job of a cluster job array: every `count`-th item starting at
/// `index` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// The items of `items` this shard processes.
    pub fn select<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % self.count == self.index)
            .map(|(_, t)| t)
            .collect()
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("invalid shard {s:?}: expected I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_batch() {
        let items: Vec<usize> = (0..10).collect();
        let mut all = Vec::new();
        for i in 0..3 {
            let shard: Shard = format!("{i}/3").parse().unwrap();
            all.extend(shard.select(items.clone()));
        }
        all.sort_unstable();
        assert_eq!(all, items);
        assert_eq!("1/3".parse::<Shard>().unwrap().select(items), vec![1, 4, 7]);
    }

    #[test]
    fn steinbock_images_map_to_steinbock_probabilities() {
        let img = Path::new("/p/ilastik_img/a_001.h5");
        assert_eq!(steinbock_root(img), Some(PathBuf::from("/p")));
        assert_eq!(
            steinbock_probabilities_path(Path::new("/p/ilastik_img/a_001.h5/img")),
            Some(PathBuf::from("/p/ilastik_probabilities/a_001.tiff"))
        );
        assert_eq!(steinbock_root(Path::new("/p/tiff/a_s2.h5")), None);
        let both = [img.to_path_buf(), PathBuf::from("/p/ilastik_img/b_002.h5")];
        assert_eq!(
            steinbock_output_dir(&both),
            Some(PathBuf::from("/p/ilastik_probabilities"))
        );
        let mixed = [img.to_path_buf(), PathBuf::from("/q/ilastik_img/b_002.h5")];
        assert_eq!(steinbock_output_dir(&mixed), None);
    }

    #[test]
    fn h5_dataset_paths_are_inputs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.h5"), b"x").unwrap();
        let given = dir.path().join("a.h5").join("img");
        assert_eq!(
            collect_images(std::slice::from_ref(&given), None).unwrap(),
            [given]
        );
        let missing = dir.path().join("b.h5").join("img");
        assert!(collect_images(&[missing], None).is_err());
    }

    #[test]
    fn bad_shards_are_rejected() {
        for s in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(s.parse::<Shard>().is_err(), "{s}");
        }
    }

    #[test]
    fn folders_skip_outputs_and_prefer_full_images() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "a_ilastik.tiff",
            "a_s2.h5",
            "b_s2.h5",
            "a_s2_Probabilities.tiff",
            ".a_s2.h5.tmp-1",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let all = collect_images(&[dir.path().to_path_buf()], None).unwrap();
        let names: Vec<_> = all
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a_ilastik.tiff", "a_s2.h5", "b_s2.h5"]);
        let s2 = collect_images(&[dir.path().to_path_buf()], Some("_s2.h5")).unwrap();
        assert_eq!(s2.len(), 2);
        let missing = collect_images(&[dir.path().join("nope")], None).unwrap_err();
        assert!(missing.to_string().contains("nope"));
        let empty = tempfile::tempdir().unwrap();
        let err = collect_images(&[empty.path().to_path_buf()], None).unwrap_err();
        assert!(err.to_string().contains("no images found"));
    }
}
