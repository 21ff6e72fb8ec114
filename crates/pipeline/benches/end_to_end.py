"""Peer for benches/end_to_end.rs: the Python pixel-classification pipeline the ilastik team
ships pieces of — fastfilters2 features + scikit-learn RandomForestClassifier(100 trees) — on the
same prepared image and labels, with the same feature set (every family at each sigma, per
channel; DoG as G(s) - G(0.66 s)).

Usage: end_to_end.py IMAGE.f32 LABELS.u8 C H W SIGMAS(comma) SEED
Prints: features_seconds train_seconds predict_seconds; writes IMAGE.f32.peer_argmax.npy (the
predicted class per pixel, 1-based) for the Rust side to score against the held-out truth.
fastfilters2 runs on one thread; OpenCV's blur (the DoG's second smoothing) may use more."""
import sys
import time

import numpy as np

img_path, lab_path, c, h, w, sigmas, seed = sys.argv[1:8]
c, h, w, seed = int(c), int(h), int(w), int(seed)
sigmas = [float(s) for s in sigmas.split(",")]
img = np.fromfile(img_path, dtype=np.float32).reshape(c, h, w)
labels = np.fromfile(lab_path, dtype=np.uint8).reshape(h, w)

import fastfilters2 as ff
import cv2
from sklearn.ensemble import RandomForestClassifier


def features(image):
    out = []
    for s in sigmas:
        for ch in image:
            f = ff.compute_filters(np.ascontiguousarray(ch), s)  # (7, y, x)
            out.append(f)
            small = cv2.GaussianBlur(ch, (0, 0), 0.66 * s, borderType=cv2.BORDER_REFLECT_101)
            out.append((f[0] - small)[None])
    return np.concatenate(out).reshape(-1, h * w)


t = time.perf_counter()
feats = features(img)
t_feat = time.perf_counter() - t
mask = labels.ravel() > 0
x_train = feats[:, mask].T
y_train = labels.ravel()[mask]
t = time.perf_counter()
rf = RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=seed)
rf.fit(x_train, y_train)
t_train = time.perf_counter() - t
t = time.perf_counter()
probs = rf.predict_proba(feats.T)
t_pred = time.perf_counter() - t
np.save(img_path + ".peer_argmax.npy", (probs.argmax(axis=1) + 1).astype(np.uint8))
print(t_feat, t_train, t_pred)
