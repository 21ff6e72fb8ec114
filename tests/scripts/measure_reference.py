"""Reference measurements for tests/measure_reference.rs.

Usage: measure_reference.py IMAGE.tiff MASK.tiff

Prints JSON: the objects, numpy's per-object channel means (bincount / counts), scikit-image's
`regionprops_table` with steinbock's default properties, and, when steinbock is importable
(`pip install --no-deps steinbock`), steinbock's own intensities and neighbours (centroids
dmax 15, borders dmax 4, expansion dmax 4) computed by its functions on the same arrays.
"""

import json
import sys

import numpy as np
import tifffile
from skimage.measure import regionprops_table

PROPS = ["label", "area", "centroid", "axis_major_length", "axis_minor_length", "eccentricity"]
NEIGHBORS = {"centroids": 15.0, "borders": 4.0, "expansion": 4.0}


def clean(values):
    """Floats as `repr` strings (exact, and JSON has no NaN); NaN as null."""
    out = []
    for v in values:
        if isinstance(v, float):
            v = None if np.isnan(v) else repr(v)
        out.append(v)
    return out


def steinbock_results(img, mask):
    try:
        from steinbock.measurement import intensities, neighbors
    except ImportError:
        return None
    names = [f"c{i}" for i in range(img.shape[0])]
    means = intensities.measure_intensites(
        img, mask, names, intensities.IntensityAggregation.MEAN
    )
    kinds = {
        "centroids": neighbors.NeighborhoodType.CENTROID_DISTANCE,
        "borders": neighbors.NeighborhoodType.EUCLIDEAN_BORDER_DISTANCE,
        "expansion": neighbors.NeighborhoodType.EUCLIDEAN_PIXEL_EXPANSION,
    }
    edges = {}
    for key, kind in kinds.items():
        metric = "euclidean" if key == "centroids" else None
        df = neighbors.measure_neighbors(mask, kind, metric=metric, dmax=NEIGHBORS[key])
        edges[key] = [
            [int(o), int(n), clean([float(d)])[0]]
            for o, n, d in zip(df["Object"], df["Neighbor"], df["Distance"])
        ]
    return {"means": [clean(row) for row in means.to_numpy().tolist()], "neighbors": edges}


def main():
    img = tifffile.imread(sys.argv[1]).astype(np.float32)
    mask = tifffile.imread(sys.argv[2])
    objects = np.unique(mask[mask != 0])
    counts = np.bincount(mask.ravel())
    means = [
        (np.bincount(mask.ravel(), weights=img[c].ravel(), minlength=counts.size)[objects]
         / counts[objects]).tolist()
        for c in range(img.shape[0])
    ]
    table = regionprops_table(mask.astype(np.int64), properties=PROPS)
    print(json.dumps({
        "objects": objects.tolist(),
        "means": [clean(row) for row in np.array(means).T.tolist()],
        "regionprops": {k: clean(np.asarray(v).tolist()) for k, v in table.items()},
        "steinbock": steinbock_results(img, mask),
    }))


if __name__ == "__main__":
    main()
