"""Odd-sized inputs for the streaming byte-identity check (bench/checksums.sh).

Cuts 11-channel uint16 stacks out of a `pixelforest synth` acquisition into sizes that are not
multiples of the tile or band height (and a 1-row and a 2x3 one), each with its channel list.
Usage: make_inputs.py SYNTH_TIFF OUT_DIR
"""
import shutil
import sys
from pathlib import Path

import numpy as np
import tifffile

src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
stack = tifffile.imread(src)
names = src.with_suffix(".csv").read_text()
rng = np.random.default_rng(7)
sizes = {"odd": (137, 301), "tall": (301, 45), "row": (1, 50), "tiny": (2, 3), "band": (257, 129)}
for name, (h, w) in sizes.items():
    part = stack[:, :h, :w].copy()
    # a few hot pixels, so the filter has work at band edges
    for _ in range(5):
        part[rng.integers(0, 11), rng.integers(0, h), rng.integers(0, w)] = 5000
    tifffile.imwrite(out / f"{name}_ilastik.tiff", part, photometric="minisblack")
    (out / f"{name}_ilastik.csv").write_text(names)
