//! Label conventions: 0 is unlabeled, classes are numbered from 1 in the order the user made them.

use serde::{Deserialize, Serialize};

/// The label value of a pixel nobody labeled.
pub const UNLABELED: u8 = 0;

/// A user-defined class: its display name and colour. Its label value is its index + 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelClass {
    /// Display name (ilastik's label name).
    pub name: String,
    /// Display colour, RGB.
    pub color: [u8; 3],
}

impl LabelClass {
    /// A class named `name` shown in `color`.
    pub fn new(name: &str, color: [u8; 3]) -> Self {
        Self {
            name: name.to_string(),
            color,
        }
    }
}

/// The three classes of the IMC segmentation workflow, in its label order and ilastik's colours.
pub fn default_classes() -> Vec<LabelClass> {
    vec![
        LabelClass::new("Nuclei", [255, 225, 25]),
        LabelClass::new("Cytoplasm/membrane", [0, 130, 200]),
        LabelClass::new("Background", [230, 25, 75]),
    ]
}
