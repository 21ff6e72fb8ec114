"""Peer for benches/features.rs: fastfilters2 (the ilastik team's SIMD filter library) on the same
image. `compute_filters(img, sigma)` returns 7 maps per scale (smoothing, gradient magnitude,
LoG, structure tensor and Hessian eigenvalues); called at the 7 default scales it computes 49
maps, the size of ilastik's full set. Usage: features.py IMAGE.f32 H W  -> prints seconds"""
import sys
import time

import numpy as np
import fastfilters2 as ff

path, h, w = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
img = np.fromfile(path, dtype=np.float32).reshape(h, w)
sigmas = [0.3, 0.7, 1.0, 1.6, 3.5, 5.0, 10.0]
best = float("inf")
for _ in range(2):
    t = time.perf_counter()
    n = sum(ff.compute_filters(img, s).shape[0] for s in sigmas)
    best = min(best, time.perf_counter() - t)
print(best, n)
