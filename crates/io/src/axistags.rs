//! vigra `axistags`: the JSON string attribute that tells ilastik the axis order of a dataset.
//!
//! vigra's `AxisTags.toJSON()` writes `{"axes": [{"key", "typeFlags", "resolution",
//! "description"}, ...]}`; `typeFlags` are vigra's `AxisType` bits (Channels = 1, Space = 2,
//! Angle = 4, Time = 8, ...). steinbock writes only `key` and `typeFlags`, which ilastik also
//! accepts; we write all four fields as vigra does.

use serde::{Deserialize, Serialize};

const CHANNELS: u32 = 1;
const SPACE: u32 = 2;
const TIME: u32 = 8;

/// One axis as read: only `key` is needed; vigra's other fields are optional.
#[derive(Debug, Deserialize)]
struct Axis {
    key: String,
}

#[derive(Debug, Deserialize)]
struct AxisTags {
    axes: Vec<Axis>,
}

/// One axis as vigra writes it (`resolution` is printed as the integer `0`).
#[derive(Debug, Serialize)]
struct VigraAxis {
    key: String,
    #[serde(rename = "typeFlags")]
    type_flags: u32,
    resolution: u32,
    description: String,
}

#[derive(Debug, Serialize)]
struct VigraAxisTags {
    axes: Vec<VigraAxis>,
}

/// The axistags JSON for axis keys such as `"zyxc"` or `"cyx"`.
pub fn axistags_json(keys: &str) -> String {
    let axes = keys
        .chars()
        .map(|k| VigraAxis {
            key: k.to_string(),
            type_flags: match k {
                'c' => CHANNELS,
                't' => TIME,
                _ => SPACE,
            },
            resolution: 0,
            description: String::new(),
        })
        .collect();
    // Serialising plain structs cannot fail.
    serde_json::to_string_pretty(&VigraAxisTags { axes }).unwrap_or_default()
}

/// The axis keys (one char each, e.g. `"zyxc"`) stated by an axistags JSON string, or `None`
/// when it does not parse.
pub fn parse_axistags(json: &str) -> Option<String> {
    let tags: AxisTags = serde_json::from_str(json).ok()?;
    let keys: String = tags
        .axes
        .iter()
        .filter_map(|a| a.key.chars().next())
        .collect();
    (keys.chars().count() == tags.axes.len()).then_some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_keys() {
        assert_eq!(
            parse_axistags(&axistags_json("zyxc")).as_deref(),
            Some("zyxc")
        );
    }

    #[test]
    fn reads_steinbock_short_form() {
        let json = r#"{"axes": [{"key": "c", "typeFlags": 1}, {"key": "y", "typeFlags": 2}, {"key": "x", "typeFlags": 2}]}"#;
        assert_eq!(parse_axistags(json).as_deref(), Some("cyx"));
    }

    /// The exact text vigra's `AxisTags.toJSON()` produces (as quoted by ilastik users'
    /// scripts that hard-code it).
    #[test]
    fn matches_vigra_text() {
        let vigra = "{\n  \"axes\": [\n    {\n      \"key\": \"t\",\n      \"typeFlags\": 8,\n      \"resolution\": 0,\n      \"description\": \"\"\n    },\n    {\n      \"key\": \"c\",\n      \"typeFlags\": 1,\n      \"resolution\": 0,\n      \"description\": \"\"\n    }\n  ]\n}";
        assert_eq!(axistags_json("tc"), vigra);
    }

    #[test]
    fn writes_vigra_type_flags() {
        let json = axistags_json("cyx");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["axes"][0]["typeFlags"], 1);
        assert_eq!(v["axes"][1]["typeFlags"], 2);
        assert_eq!(v["axes"][2]["description"], "");
    }
}
