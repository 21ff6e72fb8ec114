//! The project folder: which images it holds, where their labels live, and its settings file.
//! Every path built here stays inside the project folder; names from the client are only ever
//! matched against the listed images, never joined onto a path.

use std::path::{Path, PathBuf};

use pixelforest_pipeline::PipelineError;
pub use pixelforest_pipeline::ProjectSettings;

use crate::project_error::ProjectError;

/// Subfolders searched for images besides the project folder itself.
const IMAGE_DIRS: [&str; 3] = ["", "ilastik", "crops"];
const IMAGE_EXTENSIONS: [&str; 4] = ["h5", "hdf5", "tif", "tiff"];
/// The settings file, shared with `pixelforest train` so both read one set of classes.
pub const SETTINGS_FILE: &str = pixelforest_pipeline::PROJECT_SETTINGS;
/// Where `POST /api/model` writes the model and where the server looks for one at start.
pub const MODEL_FILE: &str = "classifier.pxf";
/// The folder of label maps, mirroring the image folders below it.
pub const LABELS_DIR: &str = "labels";

/// One image of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageEntry {
    /// Index in the sorted list: the id the API uses.
    pub id: usize,
    /// Path relative to the project folder, with `/` separators (display only).
    pub name: String,
    /// The file itself; never built from a client's request.
    pub path: PathBuf,
}

impl ImageEntry {
    /// The plain file name, the other key (besides the id) clients may name an image by.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// A project folder.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
}

impl Project {
    /// Opens `root`, which must be an existing directory.
    pub fn open(root: &Path) -> Result<Self, ProjectError> {
        if !root.is_dir() {
            return Err(ProjectError::NotADirectory(root.to_path_buf()));
        }
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// The project folder, where every path of the project stays.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The images, sorted by relative path so ids are stable while the folder does not change.
    /// Files whose names are not UTF-8 are left out: their labels could not be told apart.
    pub fn images(&self) -> Vec<ImageEntry> {
        let mut found = Vec::new();
        for dir in IMAGE_DIRS {
            let folder = if dir.is_empty() {
                self.root.clone()
            } else {
                self.root.join(dir)
            };
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_file() && has_image_extension(&path) {
                    // Names that are not UTF-8 would become lossy keys that two files can share.
                    let Ok(file) = entry.file_name().into_string() else {
                        continue;
                    };
                    let name = if dir.is_empty() {
                        file
                    } else {
                        format!("{dir}/{file}")
                    };
                    found.push((name, path));
                }
            }
        }
        found.sort();
        found
            .into_iter()
            .enumerate()
            .map(|(id, (name, path))| ImageEntry { id, name, path })
            .collect()
    }

    /// Finds an image by its index or its plain file name. Anything that looks like a path is refused.
    pub fn resolve(&self, key: &str) -> Result<ImageEntry, ResolveError> {
        let images = self.images();
        if let Ok(index) = key.parse::<usize>() {
            return images.into_iter().nth(index).ok_or(ResolveError::NotFound);
        }
        if !is_plain_name(key) {
            return Err(ResolveError::Invalid);
        }
        let mut matches = images.into_iter().filter(|e| e.file_name() == key);
        match (matches.next(), matches.next()) {
            (Some(entry), None) => Ok(entry),
            (Some(_), Some(_)) => Err(ResolveError::Ambiguous),
            (None, _) => Err(ResolveError::NotFound),
        }
    }

    /// Where the label map of `image` is saved: `labels/` mirrors the image's folder within the
    /// project (`ilastik/a.h5` -> `labels/ilastik/a_labels.png`, `b.tiff` -> `labels/b_labels.png`),
    /// so same-named images in `crops/` and `ilastik/` never share one labels file.
    pub fn labels_path(&self, image: &ImageEntry) -> PathBuf {
        self.labels_dir_of(image)
            .join(format!("{}_labels.png", image.stem()))
    }

    fn labels_dir_of(&self, image: &ImageEntry) -> PathBuf {
        let dir = self.root.join(LABELS_DIR);
        match image.name.rsplit_once('/') {
            Some((sub, _)) => dir.join(sub),
            None => dir,
        }
    }

    /// The saved label file of `image`, also accepting TIFF label images placed there by hand.
    /// Labels of an image in a subfolder saved flat in `labels/` (by earlier versions, or by
    /// hand) are taken only while no other image of the project has the same stem.
    pub fn existing_labels(&self, image: &ImageEntry) -> Option<PathBuf> {
        let find = |dir: PathBuf| {
            ["png", "tiff", "tif"]
                .iter()
                .map(|ext| dir.join(format!("{}_labels.{ext}", image.stem())))
                .find(|p| p.is_file())
        };
        if let Some(found) = find(self.labels_dir_of(image)) {
            return Some(found);
        }
        if !image.name.contains('/') {
            return None;
        }
        let flat = find(self.root.join(LABELS_DIR))?;
        let sharing = self
            .images()
            .iter()
            .filter(|e| e.stem() == image.stem())
            .count();
        (sharing == 1).then_some(flat)
    }

    /// Removes temporary files that killed servers left where this one writes (the project
    /// folder and `labels/` with its subfolders).
    pub fn remove_stale_temp_files(&self) {
        let labels = self.root.join(LABELS_DIR);
        pixelforest_io::remove_stale_temp_files(&self.root);
        for dir in IMAGE_DIRS {
            pixelforest_io::remove_stale_temp_files(&labels.join(dir));
        }
    }

    /// The project's `pixelforest.json`.
    pub fn settings_path(&self) -> PathBuf {
        self.root.join(SETTINGS_FILE)
    }

    /// The project's `classifier.pxf`.
    pub fn model_path(&self) -> PathBuf {
        self.root.join(MODEL_FILE)
    }

    /// Reads `pixelforest.json`, or the defaults when it does not exist yet.
    pub fn load_settings(&self) -> Result<ProjectSettings, ProjectError> {
        ProjectSettings::read_or_default(&self.settings_path()).map_err(ProjectError::Settings)
    }

    /// Writes `pixelforest.json` atomically.
    pub fn save_settings(&self, settings: &ProjectSettings) -> Result<(), PipelineError> {
        settings.write(&self.settings_path())
    }
}

/// Why an image key did not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveError {
    /// No image has that index or file name (404).
    NotFound,
    /// The key looks like a path, which clients may not send (400).
    Invalid,
    /// Several images in different subfolders share the file name; the index is unambiguous.
    Ambiguous,
}

fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()))
}

/// A bare file name: no separators, no parent references, not absolute, no control characters.
fn is_plain_name(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 255
        && key != "."
        && !key.contains("..")
        && !key
            .chars()
            .any(|c| c == '/' || c == '\\' || c == ':' || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        assert!(is_plain_name("a_s000_crop.h5"));
        for bad in [
            "",
            "..",
            "../x.h5",
            "a/b.h5",
            "a\\b.h5",
            "/etc/passwd",
            "C:x",
            "a\0b",
            "x..h5",
        ] {
            assert!(!is_plain_name(bad), "{bad:?} accepted");
        }
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_image_names_are_not_listed_so_they_cannot_share_labels() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        for raw in [&b"im\xff.tiff"[..], b"im\xfe.tiff", b"ok.tiff"] {
            let path = dir.path().join(std::ffi::OsStr::from_bytes(raw));
            if std::fs::write(&path, b"x").is_err() {
                return; // a file system that refuses such names cannot have the problem
            }
        }
        let project = Project::open(dir.path()).unwrap();
        let names: Vec<_> = project.images().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["ok.tiff"]);
    }

    #[test]
    fn lists_images_in_known_folders_only() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["ilastik", "crops", "other"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        for f in [
            "b.tiff",
            "ilastik/a.h5",
            "crops/c.TIF",
            "other/d.h5",
            "notes.txt",
        ] {
            std::fs::write(dir.path().join(f), b"x").unwrap();
        }
        let project = Project::open(dir.path()).unwrap();
        let names: Vec<_> = project.images().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["b.tiff", "crops/c.TIF", "ilastik/a.h5"]);
        assert_eq!(project.resolve("2").unwrap().name, "ilastik/a.h5");
        assert_eq!(project.resolve("a.h5").unwrap().id, 2);
        assert_eq!(project.resolve("3"), Err(ResolveError::NotFound));
        assert_eq!(project.resolve("../b.tiff"), Err(ResolveError::Invalid));
        let labels = project.labels_path(&project.resolve("0").unwrap());
        assert_eq!(labels, dir.path().join("labels").join("b_labels.png"));
        let labels = project.labels_path(&project.resolve("2").unwrap());
        assert_eq!(labels, dir.path().join("labels/ilastik/a_labels.png"));
    }
}
