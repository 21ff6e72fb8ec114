//! Where the time of one live update goes, part by part, on an image and its label file:
//! `cargo run -p pixelforest-server --example latency_parts -- <image> <labels.png> [preset]`.
//! Prints the seconds of: reading the image, its features (whole image), training on the
//! labelled pixels (features of the labelled tiles + forest, as `train` does), the forest alone
//! on rows gathered from the whole-image features, and predicting the whole image (features +
//! forest, as the overlay does) versus the forest alone on the whole-image features.

use std::time::Instant;

use pixelforest_core::default_classes;
use pixelforest_features::{compute_features, FeatureSelection};
use pixelforest_forest::{ForestSettings, RandomForest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [image, labels, rest @ ..] = args.as_slice() else {
        return Err("usage: latency_parts <image> <labels.png> [preset]".into());
    };
    let preset = rest.first().map_or("sigma>=1", String::as_str);
    let selection = FeatureSelection::preset(preset)?;
    let time = |what: &str, t: Instant| eprintln!("{what:<44} {:7.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let image = pixelforest_io::read_image(std::path::Path::new(image))?;
    let labels = pixelforest_io::read_label_image(std::path::Path::new(labels))?;
    time("read image + labels", t);
    let t = Instant::now();
    let feats = compute_features(image.view(), &selection);
    time(
        &format!("features, whole image ({} planes)", feats.dim().0),
        t,
    );
    let classes = default_classes();
    let settings = ForestSettings::default();
    let t = Instant::now();
    let samples = vec![(image.clone(), labels.clone())];
    let model = pixelforest_pipeline::train_model(&samples, &selection, &classes, &settings)?;
    time("train_model (labelled tiles' features + forest)", t);
    let t = Instant::now();
    let (nf, h, w) = feats.dim();
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for ((r, c), &l) in labels.indexed_iter() {
        if l != 0 {
            rows.extend(feats.slice(ndarray::s![.., r, c]).iter());
            y.push(l);
        }
    }
    let x = ndarray::Array2::from_shape_vec((y.len(), nf), rows)?;
    time(&format!("gather {} rows from the planes", y.len()), t);
    let t = Instant::now();
    let (forest, _) = RandomForest::train(x.view(), &y, classes.len(), &settings)?;
    time("forest alone (100 trees)", t);
    let t = Instant::now();
    let _ = pixelforest_pipeline::predict_image(&model, &image, 256)?;
    time("predict_image (features + forest)", t);
    let t = Instant::now();
    let columns = feats.view().into_shape_with_order((nf, h * w))?;
    let _ = forest.predict_proba_columns(columns);
    time("forest alone on the cached planes", t);
    Ok(())
}
