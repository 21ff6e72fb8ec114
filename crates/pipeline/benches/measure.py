"""Benchmark of `pixelforest measure` against the same steps in Python, in one run.

Usage: python3 crates/pipeline/benches/measure.py target/release/pixelforest [SIZE] [CELLS]

Writes a SIZE x SIZE x 40 float32 image (default 1000) and a uint16 mask of about CELLS cells
(default 5000: Voronoi cells of random seeds, each clipped to a disc of radius 9, so there is
background between some of them), then runs, each under /usr/bin/time -v (wall time, peak RSS):
  ours:   pixelforest measure (all cores): intensities, regionprops, neighbours (expansion 4),
          the per-image CSVs and cells.csv;
  python: the same steps as steinbock runs them: tifffile reads, scipy.ndimage.mean per channel
          (steinbock's intensities), scikit-image regionprops_table (steinbock's defaults),
          steinbock's expansion neighbours when steinbock is installed, pandas to_csv.
The Python step times are printed by the Python run itself.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

PROPS = ["label", "area", "centroid", "axis_major_length", "axis_minor_length", "eccentricity"]


def make_data(root, size, cells):
    import tifffile
    from scipy.ndimage import distance_transform_edt

    rng = np.random.default_rng(5)
    seeds = np.ones((size, size), dtype=bool)
    ys, xs = rng.integers(0, size, cells), rng.integers(0, size, cells)
    seeds[ys, xs] = False
    labels = np.zeros((size, size), dtype=np.uint16)
    labels[ys, xs] = np.arange(1, cells + 1, dtype=np.uint16)
    dist, (iy, ix) = distance_transform_edt(seeds, return_indices=True)
    mask = np.where(dist <= 9, labels[iy, ix], 0).astype(np.uint16)
    img = (rng.random((40, size, size), dtype=np.float32) * 50).astype(np.float32)
    os.makedirs(os.path.join(root, "img"))
    os.makedirs(os.path.join(root, "masks"))
    tifffile.imwrite(os.path.join(root, "img", "bench.tiff"), img)
    tifffile.imwrite(os.path.join(root, "masks", "bench.tiff"), mask)
    with open(os.path.join(root, "panel.csv"), "w") as f:
        f.write("channel,name,keep\n")
        for c in range(40):
            f.write(f"M{c},ch{c},1\n")
    return len(np.unique(mask)) - 1


def peer(root):
    """The Python steps, timed one by one."""
    import pandas as pd
    import tifffile
    from scipy import ndimage
    from skimage.measure import regionprops_table

    out = os.path.join(root, "py")
    os.makedirs(out, exist_ok=True)
    t = time.perf_counter()
    img = tifffile.imread(os.path.join(root, "img", "bench.tiff"))
    mask = tifffile.imread(os.path.join(root, "masks", "bench.tiff"))
    times = {"read": time.perf_counter() - t}
    t = time.perf_counter()
    objects = np.unique(mask[mask != 0])
    means = {f"ch{c}": ndimage.mean(img[c], labels=mask, index=objects) for c in range(40)}
    pd.DataFrame(means, index=pd.Index(objects, name="Object")).to_csv(os.path.join(out, "i.csv"))
    times["intensities"] = time.perf_counter() - t
    t = time.perf_counter()
    table = regionprops_table(mask, properties=PROPS)
    pd.DataFrame(table).to_csv(os.path.join(out, "r.csv"), index=False)
    times["regionprops"] = time.perf_counter() - t
    try:
        from steinbock.measurement import neighbors
    except ImportError:
        neighbors = None
    if neighbors is not None:
        t = time.perf_counter()
        df = neighbors.measure_neighbors(
            mask, neighbors.NeighborhoodType.EUCLIDEAN_PIXEL_EXPANSION, dmax=4.0
        )
        df.to_csv(os.path.join(out, "n.csv"), index=False)
        times["neighbors (steinbock expansion 4)"] = time.perf_counter() - t
    for k, v in times.items():
        print(f"  python {k}: {v:.2f} s")
    print(f"  python steps in all (no interpreter start, no imports): {sum(times.values()):.2f} s")


def timed(cmd):
    """Wall seconds and peak RSS (MB) of `cmd` under /usr/bin/time -v; its stdout is shown."""
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{p.stderr}")
    sys.stdout.write(p.stdout)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
    h, m, s = wall.groups()
    secs = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    return secs, rss / 1024


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--peer":
        peer(sys.argv[2])
        return
    binary = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    cells = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
    with tempfile.TemporaryDirectory() as root:
        n = make_data(root, size, cells)
        print(f"image {size}x{size}x40 float32, {n} cells, {os.cpu_count()} cores")
        ours = timed([binary, "measure", "--images", f"{root}/img", "--masks", f"{root}/masks",
                      "--panel", f"{root}/panel.csv", "--out", f"{root}/ours", "-q"])
        theirs = timed([sys.executable, __file__, "--peer", root])
        print(f"pixelforest measure: {ours[0]:.2f} s, peak RSS {ours[1]:.0f} MB")
        print(f"python (steinbock's steps): {theirs[0]:.2f} s, peak RSS {theirs[1]:.0f} MB")
        print(f"ratio: {theirs[0] / ours[0]:.1f}x")


if __name__ == "__main__":
    main()
