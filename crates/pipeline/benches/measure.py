"""Benchmark of `pixelforest measure` against the same steps in Python, in one run.

Usage: python3 crates/pipeline/benches/measure.py target/release/pixelforest [SIZE] [CELLS]

Writes a SIZE x SIZE x 40 float32 image (default 1000) and a uint16 mask of about CELLS cells
(default 5000: Voronoi cells of random seeds, each clipped to a disc of radius 9, so there is
background between some of them), then runs, each under /usr/bin/time -v (wall time, peak RSS):
  ours:   pixelforest measure (all cores): intensities, regionprops, neighbours (expansion 4),
          the per-image CSVs and cells.csv; and again with centroid neighbours within 0 pixels
          (next to no neighbour work);
  python: the same steps as steinbock runs them: tifffile reads, scipy.ndimage.mean per channel
          (steinbock's intensities), scikit-image regionprops_table (steinbock's defaults),
          steinbock's expansion neighbours when steinbock is installed, pandas to_csv.
The Python step times are printed by the Python run itself.

Measured 2026-11-29, release build, 2 cores shared with five other builds (load average ~10, so
times vary run to run), 1000x1000x40, 4989 cells, two runs:
  pixelforest measure (expansion neighbours)   2.51 s / 0.93 s   peak RSS 398 / 439 MB
  pixelforest measure (centroids within 0)         - / 0.96 s   peak RSS       427 MB
  python, whole process                       43.94 s / 47.37 s  peak RSS 351 / 351 MB
    read 1.28 / 1.04, intensities 1.86 / 2.34, regionprops 3.72 / 4.48,
    steinbock expansion neighbours 33.68 / 35.31 s
  ratio (whole runs) 17.5x / 50.9x; without neighbours (read + intensities + regionprops:
  6.86 / 7.86 s against 0.96 s) 8.2x.
Most of our peak RSS is the TIFF stack reader growing one Vec page by page (the 128 -> 256 MB
reallocation of a 160 MB image), not the measurements (about 30 MB for this mask).
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
        # Neighbours by centroids within 0 pixels: next to no neighbour work, to compare with
        # the Python steps without neighbours.
        lean = timed([binary, "measure", "--images", f"{root}/img", "--masks", f"{root}/masks",
                      "--panel", f"{root}/panel.csv", "--out", f"{root}/lean", "-q",
                      "--neighbors", "centroids", "--dmax", "0"])
        theirs = timed([sys.executable, __file__, "--peer", root])
        print(f"pixelforest measure: {ours[0]:.2f} s, peak RSS {ours[1]:.0f} MB")
        print(f"pixelforest measure, centroid neighbours within 0: {lean[0]:.2f} s, "
              f"peak RSS {lean[1]:.0f} MB")
        print(f"python (steinbock's steps): {theirs[0]:.2f} s, peak RSS {theirs[1]:.0f} MB")
        print(f"ratio: {theirs[0] / ours[0]:.1f}x")


if __name__ == "__main__":
    main()
