"""Peer for benches/prepare.rs: the same preparation with numpy / scipy / OpenCV, as steinbock
does it (hot pixels via maximum_filter, mean x 100, cv2.resize INTER_LINEAR), on the same
stack. Prints one line: seconds."""
import sys
import time

import numpy as np
import cv2
from scipy.ndimage import maximum_filter

c, h, w = (int(v) for v in sys.argv[1:4])
rng = np.random.default_rng(1)
img = rng.poisson(5.0, size=(c, h, w)).astype(np.float32)
t = time.perf_counter()
kernel = np.ones((1, 3, 3), dtype=bool)
kernel[0, 1, 1] = False
maxn = maximum_filter(img, footprint=kernel, mode="mirror")
img = np.where(img - maxn > 50, maxn, img)
stack = np.concatenate([img.mean(axis=0)[None] * 100, img])
out = np.stack([cv2.resize(ch, None, fx=2, fy=2, interpolation=cv2.INTER_LINEAR) for ch in stack])
print(time.perf_counter() - t)
