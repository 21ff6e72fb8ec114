//! Regression: tree votes were averaged as `sum * (1 / n_trees)`, so 20 votes of 100 gave
//! 0.19999999 and exported as 13106, where ilastik (vigra divides by the vote total) writes
//! 13107.

use ndarray::Array2;
use pixelforest::forest::{NodeSpec, RandomForest};
use pixelforest::io::renormalize_u16;

/// A one-split tree that sends every row to the leaf voting for `class`.
fn vote(class: usize) -> Vec<NodeSpec> {
    let mut probs = vec![0.0; 3];
    probs[class] = 1.0;
    vec![
        NodeSpec::Split {
            feature: 0,
            threshold: 1e9,
            left: 1,
            right: 2,
        },
        NodeSpec::Leaf { probs },
        NodeSpec::Leaf {
            probs: vec![0.0, 0.0, 1.0],
        },
    ]
}

#[test]
fn twenty_votes_of_a_hundred_export_as_ilastik_writes_them() {
    let trees: Vec<Vec<NodeSpec>> = (0..100).map(|t| vote(usize::from(t >= 20))).collect();
    let x = Array2::<f32>::zeros((5, 1));
    let ours = RandomForest::from_tree_specs(1, 3, trees.clone()).unwrap();
    let p = ours.predict_proba(x.view());
    assert_eq!(p[[0, 0]], 0.2f32);
    assert_eq!(renormalize_u16(p[[0, 0]]), 13107);
    assert_eq!(renormalize_u16(p[[0, 1]]), 52428);
    // The same trees as ilastik's 10 sub-forests of 10 trees give the same numbers.
    let forests: Vec<Vec<Vec<NodeSpec>>> = trees.chunks(10).map(<[_]>::to_vec).collect();
    let vigra = RandomForest::from_vigra_forests(1, 3, forests).unwrap();
    let q = vigra.predict_proba(x.view());
    assert_eq!(renormalize_u16(q[[0, 0]]), 13107);
    assert_eq!(renormalize_u16(q[[0, 1]]), 52428);
}
