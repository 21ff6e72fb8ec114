//! Training and prediction: learning, probabilities, determinism, layouts, input errors.

mod common;

use ndarray::{array, Array2, ShapeBuilder};
use pixelforest_forest::{ForestError, ForestSettings, InputProblem, RandomForest};

fn small_settings(n_trees: usize) -> ForestSettings {
    ForestSettings {
        n_trees,
        ..Default::default()
    }
}

#[test]
fn separable_problem_is_learned_exactly() {
    let (x, y) = common::separable(400, 1);
    let (forest, report) = RandomForest::train(x.view(), &y, 2, &small_settings(20)).unwrap();
    assert_eq!(report.class_counts, vec![200, 200]);
    assert_eq!(report.oob_accuracy, 1.0);
    let p = forest.predict_proba(x.view());
    for (i, &label) in y.iter().enumerate() {
        let predicted = if p[[i, 0]] > p[[i, 1]] { 1 } else { 2 };
        assert_eq!(predicted, label, "row {i}: {:?}", p.row(i));
    }
    // Far from the gap every tree agrees.
    let probe = array![[0.05f32, 0.5, 0.5], [0.95, 0.5, 0.5]];
    let p = forest.predict_proba(probe.view());
    assert_eq!(p, array![[1.0f32, 0.0], [0.0, 1.0]]);
}

#[test]
fn probabilities_sum_to_one_and_cover_all_classes() {
    let (x, y) = common::noisy(600, 6, 3, 2);
    let (forest, report) = RandomForest::train(x.view(), &y, 3, &small_settings(15)).unwrap();
    assert_eq!(report.class_counts.iter().sum::<usize>(), 600);
    assert!(report.oob_accuracy > 0.6 && report.oob_accuracy < 1.0);
    let (test, _) = common::noisy(300, 6, 3, 3);
    let p = forest.predict_proba(test.view());
    assert_eq!(p.dim(), (300, 3));
    for row in p.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-5, "{row:?}");
        assert!(row.iter().all(|&v| (0.0..=1.0).contains(&v)));
    }
    for c in 0..3 {
        assert!(p.column(c).iter().any(|&v| v > 0.5), "class {c} never wins");
    }
}

#[test]
fn unlabeled_rows_are_skipped() {
    let (x, mut y) = common::noisy(300, 4, 2, 4);
    for label in y.iter_mut().step_by(3) {
        *label = 0;
    }
    let (_, report) = RandomForest::train(x.view(), &y, 2, &small_settings(5)).unwrap();
    assert_eq!(report.class_counts.iter().sum::<usize>(), 200);
}

#[test]
fn same_seed_gives_the_same_forest_for_any_thread_count() {
    let (x, y) = common::noisy(500, 8, 3, 5);
    let settings = small_settings(12);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let (forest, report) = RandomForest::train(x.view(), &y, 3, &settings).unwrap();
            (forest.predict_proba(x.view()), report, forest)
        })
    };
    let (p1, r1, f1) = run(1);
    let (p2, r2, f2) = run(2);
    let bits = |p: &Array2<f32>| p.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&p1), bits(&p2));
    assert_eq!(r1, r2);
    assert_eq!(f1, f2);
    let other = ForestSettings {
        seed: 7,
        ..settings.clone()
    };
    let (f3, _) = RandomForest::train(x.view(), &y, 3, &other).unwrap();
    assert_ne!(bits(&f3.predict_proba(x.view())), bits(&p1));
}

#[test]
fn column_layout_and_strided_inputs_predict_identically() {
    let (x, y) = common::noisy(700, 5, 3, 6);
    let (forest, _) = RandomForest::train(x.view(), &y, 3, &small_settings(10)).unwrap();
    let rows = forest.predict_proba(x.view());
    // Feature-major tile (feature, pixel), standard layout.
    let columns = x.t().as_standard_layout().into_owned();
    let by_column = forest.predict_proba_columns(columns.view());
    assert_eq!(by_column.dim(), (3, 700));
    assert_eq!(by_column.t(), rows);
    // Fortran-order rows and a non-contiguous slice.
    let fortran = Array2::from_shape_vec((700, 5).f(), columns.iter().copied().collect()).unwrap();
    assert_eq!(forest.predict_proba(fortran.view()), rows);
    let every_other = x.slice(ndarray::s![..;2, ..]);
    assert_eq!(
        forest.predict_proba(every_other),
        rows.slice(ndarray::s![..;2, ..])
    );
    // Single rows, whose length-1 axis may have any stride.
    for i in [0, 351, 699] {
        let single = x.row(i).to_owned().insert_axis(ndarray::Axis(0));
        assert_eq!(
            forest.predict_proba(single.view()),
            rows.slice(ndarray::s![i..=i, ..])
        );
        let column = x.row(i).to_owned().insert_axis(ndarray::Axis(1));
        assert_eq!(
            forest.predict_proba_columns(column.view()).t(),
            rows.slice(ndarray::s![i..=i, ..])
        );
    }
    // Empty inputs.
    assert_eq!(
        forest.predict_proba(x.slice(ndarray::s![..0, ..])).dim(),
        (0, 3)
    );
}

#[test]
fn wrong_feature_count_is_an_error_in_try_variants() {
    let (x, y) = common::noisy(100, 4, 2, 8);
    let (forest, _) = RandomForest::train(x.view(), &y, 2, &small_settings(3)).unwrap();
    let wrong = Array2::<f32>::zeros((10, 5));
    assert!(matches!(
        forest.try_predict_proba(wrong.view()),
        Err(ForestError::FeatureCount {
            expected: 4,
            got: 5
        })
    ));
    assert!(matches!(
        forest.try_predict_proba_columns(wrong.view()),
        Err(ForestError::FeatureCount {
            expected: 4,
            got: 10
        })
    ));
}

#[test]
fn max_depth_limits_the_trees() {
    let (x, y) = common::noisy(300, 4, 3, 9);
    let settings = ForestSettings {
        n_trees: 5,
        max_depth: Some(2),
        ..Default::default()
    };
    let (forest, _) = RandomForest::train(x.view(), &y, 3, &settings).unwrap();
    for tree in forest.to_tree_specs() {
        assert!(tree.len() <= 7, "{} nodes", tree.len());
    }
}

#[test]
fn min_samples_leaf_gives_smaller_trees() {
    let (x, y) = common::noisy(400, 4, 3, 10);
    let count = |min_samples_leaf: usize| {
        let settings = ForestSettings {
            n_trees: 3,
            min_samples_leaf,
            ..Default::default()
        };
        let (forest, _) = RandomForest::train(x.view(), &y, 3, &settings).unwrap();
        forest.to_tree_specs().iter().map(Vec::len).sum::<usize>()
    };
    let (small, large) = (count(1), count(20));
    // Every leaf holds >= 20 of the ~253 distinct in-bag rows: at most 12 leaves, 23 nodes per tree.
    assert!(large <= 3 * 23, "{large}");
    assert!(small > 2 * large);
}

#[test]
fn class_balancing_favours_the_rare_class() {
    // 90% class 1, 10% class 2, overlapping.
    let (x, _) = common::noisy(1000, 3, 2, 11);
    let y: Vec<u8> = (0..1000)
        .map(|i| if x[[i, 0]] > 0.9 { 2 } else { 1 })
        .collect();
    let mut y_noisy = y.clone();
    for label in y_noisy.iter_mut().step_by(7) {
        *label = 3 - *label;
    }
    let share_of_rare = |balance_classes: bool| {
        let settings = ForestSettings {
            n_trees: 10,
            min_samples_leaf: 20,
            balance_classes,
            ..Default::default()
        };
        let (forest, _) = RandomForest::train(x.view(), &y_noisy, 2, &settings).unwrap();
        forest.predict_proba(x.view()).column(1).mean().unwrap()
    };
    let (plain, balanced) = (share_of_rare(false), share_of_rare(true));
    assert!(balanced > plain + 0.1, "plain {plain}, balanced {balanced}");
}

#[test]
fn nan_rows_are_predicted_without_panicking() {
    let (x, y) = common::noisy(100, 3, 2, 12);
    let (forest, _) = RandomForest::train(x.view(), &y, 2, &small_settings(3)).unwrap();
    let p = forest.predict_proba(array![[f32::NAN, f32::NAN, f32::NAN]].view());
    assert!((p.sum() - 1.0).abs() < 1e-6);
}

#[test]
fn bad_inputs_are_errors() {
    let (x, y) = common::noisy(50, 3, 2, 13);
    let s = small_settings(2);
    assert!(matches!(
        RandomForest::train(x.view(), &[0u8; 50], 2, &s),
        Err(ForestError::NoLabels)
    ));
    let mut one = vec![0u8; 50];
    one[3] = 2;
    one[9] = 2;
    match RandomForest::train(x.view(), &one, 2, &s) {
        Err(ForestError::OneClass(c)) => assert_eq!(c, 2),
        other => panic!("{other:?}"),
    }
    let mut bad = x.clone();
    bad[[7, 2]] = f32::INFINITY;
    match RandomForest::train(bad.view(), &y, 2, &s) {
        Err(ForestError::NotFinite {
            sample, feature, ..
        }) => assert_eq!((sample, feature), (7, 2)),
        other => panic!("{other:?}"),
    }
    bad[[7, 2]] = f32::NAN;
    assert!(matches!(
        RandomForest::train(bad.view(), &y, 2, &s),
        Err(ForestError::NotFinite { .. })
    ));
    // A non-finite value in an unlabelled row does not matter.
    let mut y_skip = y.clone();
    y_skip[7] = 0;
    assert!(RandomForest::train(bad.view(), &y_skip, 2, &s).is_ok());
    assert!(matches!(
        RandomForest::train(x.view(), &y[..49], 2, &s),
        Err(ForestError::Input(InputProblem::LabelCount {
            labels: 49,
            rows: 50
        }))
    ));
    let mut too_big = y.clone();
    too_big[0] = 3;
    assert!(matches!(
        RandomForest::train(x.view(), &too_big, 2, &s),
        Err(ForestError::Input(InputProblem::LabelOutOfRange {
            label: 3,
            sample: 0,
            n_classes: 2
        }))
    ));
    let zero_trees = small_settings(0);
    assert!(matches!(
        RandomForest::train(x.view(), &y, 2, &zero_trees),
        Err(ForestError::Input(InputProblem::ZeroSetting("n_trees")))
    ));
}

#[test]
fn seeds_1_and_42_share_no_tree() {
    // Tree seeds were `seed + tree`: seed 42's tree t was seed 1's tree t + 41 (59 of 100 shared).
    let (x, y) = common::noisy(300, 6, 3, 14);
    let trees = |seed: u64| {
        let settings = ForestSettings {
            seed,
            ..Default::default()
        };
        let (forest, _) = RandomForest::train(x.view(), &y, 3, &settings).unwrap();
        forest.to_tree_specs()
    };
    let (one, other) = (trees(1), trees(42));
    assert_eq!(one.len(), 100);
    // These rows give every tree seed its own tree (no two trees of one forest are equal), so a
    // tree both forests hold can only come from a tree seed both derived.
    for (i, t) in one.iter().enumerate() {
        assert!(!one[i + 1..].contains(t), "seed 1 grew tree {i} twice");
    }
    let shared = one.iter().filter(|t| other.contains(t)).count();
    assert_eq!(shared, 0, "seeds 1 and 42 share {shared} trees");
}
