//! Projects in ilastik's real layout with the cases real projects have (fixtures/multilane,
//! written by `make_multilane.py` after ilastik's serializers): unlabelled lanes before and
//! between labelled ones, two lanes whose images share a file name, label blocks in the axis
//! order of ilastik 1.4.0 (reordered, with their own axistags) and of 1.3.3post3 (the raw
//! file's original order), and a forest of two vigra sub-forests.

use std::path::{Path, PathBuf};

use pixelforest_ilastik::IlpProject;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/multilane")
        .join(name)
}

/// lane -> sorted [y, x, label] of every labelled pixel, as h5py read them back.
fn expected() -> std::collections::BTreeMap<usize, Vec<[usize; 3]>> {
    let text = std::fs::read_to_string(fixture("expected.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["labels"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, px)| {
            (
                k.parse().unwrap(),
                serde_json::from_value(px.clone()).unwrap(),
            )
        })
        .collect()
}

fn check(name: &str) {
    let p = IlpProject::open(&fixture(name)).unwrap();
    assert_eq!(p.lanes.len(), 5, "{name}");
    let want = expected();
    for lane in &p.lanes {
        let mut got: Vec<[usize; 3]> = lane
            .labels
            .iter()
            .flat_map(|plane| {
                plane
                    .labels
                    .indexed_iter()
                    .filter(|(_, &v)| v != 0)
                    .map(|((y, x), &v)| [y, x, usize::from(v)])
                    .collect::<Vec<_>>()
            })
            .collect();
        got.sort_unstable();
        assert_eq!(
            got,
            want.get(&lane.index).cloned().unwrap_or_default(),
            "{name}: lane {}",
            lane.index
        );
        // A labelled lane's label map has the lane's own size.
        if let (Some(plane), Some(shape)) = (lane.first_plane(), &lane.shape) {
            let y = lane.axes.find('y').unwrap();
            let x = lane.axes.find('x').unwrap();
            assert_eq!(
                plane.dim(),
                (shape[y], shape[x]),
                "{name}: lane {}",
                lane.index
            );
        }
    }
    let forest = p.forest.as_ref().unwrap();
    assert_eq!(
        forest.forests.iter().map(Vec::len).collect::<Vec<_>>(),
        [4, 3]
    );
    assert_eq!(forest.known_labels, [1, 2, 3]);
}

#[test]
fn labels_land_on_the_lane_their_set_names_in_ilastik_1_4_layout() {
    check("multilane_1.4.ilp");
}

#[test]
fn labels_land_on_the_lane_their_set_names_in_ilastik_1_3_layout() {
    check("multilane_1.3.ilp");
}
