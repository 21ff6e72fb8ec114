//! Imported trees (`from_tree_specs`) and ilastik's uncertainty.

use ndarray::{array, Array2};
use pixelforest_forest::{
    uncertainty, ForestError, InputProblem, NodeSpec, RandomForest, TreeProblem,
};

fn leaf(probs: &[f32]) -> NodeSpec {
    NodeSpec::Leaf {
        probs: probs.to_vec(),
    }
}

fn split(feature: u32, threshold: f32, left: u32, right: u32) -> NodeSpec {
    NodeSpec::Split {
        feature,
        threshold,
        left,
        right,
    }
}

#[test]
fn hand_made_trees_predict_the_expected_probabilities() {
    // Tree A: x0 <= 0.5 ? [3, 1] (normalised to 0.75/0.25) : (x1 <= 2 ? [0, 1] : [1, 0]).
    // Nodes deliberately out of order.
    let tree_a = vec![
        split(0, 0.5, 2, 1),
        split(1, 2.0, 3, 4),
        leaf(&[3.0, 1.0]),
        leaf(&[0.0, 1.0]),
        leaf(&[1.0, 0.0]),
    ];
    // Tree B: a single leaf.
    let tree_b = vec![leaf(&[0.5, 0.5])];
    let forest = RandomForest::from_tree_specs(2, 2, vec![tree_a, tree_b]).unwrap();
    assert_eq!(forest.n_trees(), 2);
    let x = array![[0.5f32, 9.0], [0.6, 2.0], [0.6, 2.5], [f32::NAN, 0.0]];
    let p = forest.predict_proba(x.view());
    let expected = array![
        [(0.75 + 0.5) / 2.0, (0.25 + 0.5) / 2.0],
        [0.25, 0.75],
        [0.75, 0.25],
        [0.25, 0.75]
    ];
    for (a, b) in p.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-6, "{p:?}");
    }
    // Feature-major input gives the same.
    let cols = x.t().as_standard_layout().into_owned();
    assert_eq!(forest.predict_proba_columns(cols.view()).t(), p);
    // Specs survive a round trip.
    let again = RandomForest::from_tree_specs(2, 2, forest.to_tree_specs()).unwrap();
    assert_eq!(again, forest);
}

#[test]
fn bad_specs_are_errors() {
    let cases: Vec<(Vec<NodeSpec>, TreeProblem)> = vec![
        (vec![], TreeProblem::Empty),
        (
            vec![split(0, 0.0, 1, 5), leaf(&[1.0, 0.0])],
            TreeProblem::Child { node: 0, child: 5 },
        ),
        (
            vec![split(2, 0.0, 1, 1), leaf(&[1.0, 0.0])],
            TreeProblem::Feature {
                node: 0,
                feature: 2,
                n_features: 2,
            },
        ),
        (
            vec![split(0, 0.0, 1, 1), leaf(&[1.0, 0.0])],
            TreeProblem::SharedNode(1),
        ),
        (
            vec![split(0, 0.0, 0, 1), leaf(&[1.0, 0.0])],
            TreeProblem::SharedNode(0),
        ),
        (
            vec![
                split(0, f32::NAN, 1, 2),
                leaf(&[1.0, 0.0]),
                leaf(&[0.0, 1.0]),
            ],
            TreeProblem::NanThreshold(0),
        ),
        (
            vec![leaf(&[1.0])],
            TreeProblem::LeafLength {
                leaf: 0,
                len: 1,
                n_classes: 2,
            },
        ),
        (vec![leaf(&[0.0, 0.0])], TreeProblem::LeafProbabilities(0)),
        (vec![leaf(&[-1.0, 2.0])], TreeProblem::LeafProbabilities(0)),
    ];
    for (tree, expected) in cases {
        match RandomForest::from_tree_specs(2, 2, vec![tree.clone()]) {
            Err(ForestError::Tree { tree: 0, problem }) => assert_eq!(problem, expected),
            other => panic!("{tree:?}: {other:?}"),
        }
    }
    assert!(matches!(
        RandomForest::from_tree_specs(2, 2, vec![]),
        Err(ForestError::Input(InputProblem::NoTrees))
    ));
}

#[test]
fn uncertainty_is_one_minus_the_margin() {
    // (class, pixel)
    let probs = array![
        [0.7f32, 0.5, 0.1, 1.0],
        [0.2, 0.5, 0.3, 0.0],
        [0.1, 0.0, 0.6, 0.0]
    ];
    let u = uncertainty(probs.view());
    let expected = [
        1.0 - (0.7f32 - 0.2),
        1.0 - (0.5f32 - 0.5),
        1.0 - (0.6f32 - 0.3),
        0.0,
    ];
    assert_eq!(u.to_vec(), expected.to_vec());
    assert!((u[0] - 0.5).abs() < 1e-6);
    assert_eq!(u[1], 1.0);
    // One class: ilastik reports zero uncertainty.
    let one = Array2::from_elem((1, 5), 0.3f32);
    assert_eq!(uncertainty(one.view()).to_vec(), vec![0.0; 5]);
    assert_eq!(uncertainty(Array2::<f32>::zeros((3, 0)).view()).len(), 0);
}
