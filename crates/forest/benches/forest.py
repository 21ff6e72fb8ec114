"""Python peer of the forest benchmark (crates/forest/benches/forest.rs).

  python3 forest.py generate DIR N_TRAIN N_TEST N_PREDICT N_FEATURES
      Writes a realistic correlated 3-class problem (scikit-learn make_classification: 20
      informative, 120 redundant = linear mixtures, the rest noise, class_sep 1.0) as raw
      little-endian files both sides read: train_x.f32 / train_y.u8 (labels 1..=3),
      test_x.f32 / test_y.u8 (held out) and predict_x.f32 (the held-out rows tiled to N_PREDICT
      rows, each copy with small jitter so rows are distinct).
  python3 forest.py sklearn DIR N_FEATURES
      Trains RandomForestClassifier(n_estimators=100, n_jobs=-1) on the training rows, predicts
      the held-out and the prediction rows, prints one JSON line with the timings and accuracy.

Needs: pip install numpy scikit-learn
"""

import json
import sys
import time
from pathlib import Path

import numpy as np


def generate(out: Path, n_train: int, n_test: int, n_predict: int, n_features: int) -> None:
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=n_train + n_test,
        n_features=n_features,
        n_informative=20,
        n_redundant=min(120, n_features - 20),
        n_classes=3,
        n_clusters_per_class=2,
        class_sep=1.0,
        flip_y=0.02,
        random_state=0,
    )
    x = x.astype("<f4")
    y = (y + 1).astype(np.uint8)
    out.mkdir(parents=True, exist_ok=True)
    x[:n_train].tofile(out / "train_x.f32")
    y[:n_train].tofile(out / "train_y.u8")
    test = x[n_train:]
    test.tofile(out / "test_x.f32")
    y[n_train:].tofile(out / "test_y.u8")
    rng = np.random.default_rng(1)
    with open(out / "predict_x.f32", "wb") as f:
        written = 0
        while written < n_predict:
            n = min(n_test, n_predict - written)
            chunk = test[:n] + rng.standard_normal((n, n_features), dtype=np.float32) * 0.05
            chunk.astype("<f4").tofile(f)
            written += n


def load(path: Path, n_features: int) -> np.ndarray:
    return np.fromfile(path, dtype="<f4").reshape(-1, n_features)


def bench_sklearn(out: Path, n_features: int) -> None:
    from sklearn.ensemble import RandomForestClassifier

    x = load(out / "train_x.f32", n_features)
    y = np.fromfile(out / "train_y.u8", dtype=np.uint8)
    test = load(out / "test_x.f32", n_features)
    test_y = np.fromfile(out / "test_y.u8", dtype=np.uint8)
    rf = RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0)
    t = time.perf_counter()
    rf.fit(x, y)
    train_s = time.perf_counter() - t
    accuracy = float((rf.predict(test) == test_y).mean())
    del x
    rows = np.memmap(out / "predict_x.f32", dtype="<f4", mode="r").reshape(-1, n_features)
    rows = np.ascontiguousarray(rows)
    t = time.perf_counter()
    proba = rf.predict_proba(rows)
    predict_s = time.perf_counter() - t
    print(
        json.dumps(
            {
                "train_s": train_s,
                "predict_s": predict_s,
                "predict_rows": int(rows.shape[0]),
                "accuracy": accuracy,
                "checksum": float(proba[:, 0].sum()),
            }
        )
    )


if __name__ == "__main__":
    mode, out = sys.argv[1], Path(sys.argv[2])
    if mode == "generate":
        generate(out, *(int(a) for a in sys.argv[3:7]))
    elif mode == "sklearn":
        bench_sklearn(out, int(sys.argv[3]))
    else:
        sys.exit(f"unknown mode {mode}")
