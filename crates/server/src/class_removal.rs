//! Deleting a class: its label value disappears from every label file of the project (its
//! pixels become unlabelled, higher values shift down by one) and from `pixelforest.json`, so
//! `train` never builds a model with a class nobody labels any more.

use std::path::PathBuf;

use ndarray::Array2;
use pixelforest_io::IoError;
use serde::Serialize;

use crate::project::Project;

/// How many labelled pixels a class has across the project (what the page's confirmation says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClassUsage {
    pub pixels: usize,
    pub images: usize,
}

/// Removes label `value` from `labels`: its pixels become 0, higher values move down by one.
/// Returns how many pixels were removed and whether anything changed.
pub fn remove_value(labels: &mut Array2<u8>, value: u8) -> (usize, bool) {
    let (mut removed, mut changed) = (0, false);
    for v in labels.iter_mut() {
        if *v == value {
            *v = 0;
            removed += 1;
            changed = true;
        } else if *v > value {
            *v -= 1;
            changed = true;
        }
    }
    (removed, changed)
}

/// The saved label files of the project's images.
fn label_files(project: &Project) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = project
        .images()
        .iter()
        .filter_map(|entry| project.existing_labels(entry))
        .collect();
    // A flat labels file can stand for one image only, but dedupe in case two resolve to it.
    files.sort();
    files.dedup();
    files
}

/// Pixels labelled `value` across the project.
pub fn usage(project: &Project, value: u8) -> Result<ClassUsage, IoError> {
    let mut usage = ClassUsage {
        pixels: 0,
        images: 0,
    };
    for path in label_files(project) {
        let labels = pixelforest_io::read_label_image(&path)?;
        let n = labels.iter().filter(|&&v| v == value).count();
        usage.pixels += n;
        usage.images += usize::from(n > 0);
    }
    Ok(usage)
}

/// Rewrites every label file without `value` (PNG files in place; a TIFF label image placed by
/// hand is replaced by the PNG beside it, which `existing_labels` prefers). Returns what was removed.
pub fn remove_from_project(project: &Project, value: u8) -> Result<ClassUsage, IoError> {
    let mut usage = ClassUsage {
        pixels: 0,
        images: 0,
    };
    for path in label_files(project) {
        let mut labels = pixelforest_io::read_label_image(&path)?;
        let (removed, changed) = remove_value(&mut labels, value);
        usage.pixels += removed;
        usage.images += usize::from(removed > 0);
        if changed {
            let target = path.with_extension("png");
            crate::files::save_labels(&target, &labels)?;
        }
    }
    Ok(usage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn deleting_a_middle_class_unlabels_it_and_shifts_the_higher_ones_down() {
        let mut labels = array![[0u8, 1, 2], [3, 2, 4]];
        assert_eq!(remove_value(&mut labels, 2), (2, true));
        assert_eq!(labels, array![[0u8, 1, 0], [2, 0, 3]]);
        let mut untouched = array![[0u8, 1]];
        assert_eq!(remove_value(&mut untouched, 2), (0, false));
    }

    #[test]
    fn deleting_a_class_rewrites_the_label_files_of_the_project() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.tiff"), b"x").unwrap();
        std::fs::write(dir.path().join("b.tiff"), b"x").unwrap();
        let project = Project::open(dir.path()).unwrap();
        let [a, b] = [0, 1].map(|i| project.labels_path(&project.images()[i]));
        crate::files::save_labels(&a, &array![[4u8, 4], [1, 3]]).unwrap();
        crate::files::save_labels(&b, &array![[1u8, 0]]).unwrap();
        assert_eq!(
            usage(&project, 4).unwrap(),
            ClassUsage {
                pixels: 2,
                images: 1
            }
        );
        let removed = remove_from_project(&project, 4).unwrap();
        assert_eq!(removed.pixels, 2);
        assert_eq!(
            pixelforest_io::read_label_image(&a).unwrap(),
            array![[0u8, 0], [1, 3]]
        );
        assert_eq!(
            pixelforest_io::read_label_image(&b).unwrap(),
            array![[1u8, 0]]
        );
    }
}
