"""Python peer of the forest benchmark (crates/forest/benches/forest.rs).

  python3 forest.py sklearn DIR N_FEATURES
      Reads the rows the Rust side wrote (raw little-endian: train_x.f32 / train_y.u8 with
      labels 1..=3, test_x.f32 / test_y.u8 held out, predict_x.f32), trains
      RandomForestClassifier(n_estimators=100, n_jobs=-1), predicts the held-out and the
      prediction rows, prints one JSON line with the timings and accuracy.

Needs: pip install numpy scikit-learn
"""

import json
import sys
import time
from pathlib import Path

import numpy as np


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
    if mode == "sklearn":
        bench_sklearn(out, int(sys.argv[3]))
    else:
        sys.exit(f"unknown mode {mode}")
