"""Python peer of benches/stack_io.rs: tifffile / h5py on the same files.

Prints one line per case: `<case> <seconds>`. Usage: stack_io.py DIR C H W
"""
import sys
import time

import h5py
import numpy as np
import tifffile

d, c, h, w = sys.argv[1], *map(int, sys.argv[2:5])
stack = np.random.default_rng(0).integers(0, 1000, (c, h, w)).astype(np.uint16)


def timed(name, f):
    t = time.perf_counter()
    f()
    print(name, time.perf_counter() - t, flush=True)


timed("write_tiff_u16", lambda: tifffile.imwrite(f"{d}/py.tiff", stack, photometric="minisblack"))
timed("read_tiff_u16", lambda: tifffile.imread(f"{d}/rs.tiff").astype(np.float32))


def write_h5():
    with h5py.File(f"{d}/py.h5", "w") as f:
        f.create_dataset("py", data=np.moveaxis(stack, 0, -1)[None], chunks=(1, min(h, 256), min(w, 256), c), compression="gzip", compression_opts=4)


def read_h5():
    with h5py.File(f"{d}/rs.h5") as f:
        np.moveaxis(f["rs"][0], -1, 0).astype(np.float32)


timed("write_h5_ilastik", write_h5)
timed("read_h5_ilastik", read_h5)
