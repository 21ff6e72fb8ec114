"""Reference outputs for pixelforest's segment crate, computed with the code CellProfiler 4.2
calls, following its modules line by line (cellprofiler/modules/threshold.py,
identifyprimaryobjects.py with "Use advanced settings?" = No, filterobjects.py,
identifysecondaryobjects.py, smooth.py, resize.py, resizeobjects.py; CellProfiler v4.2.8).

Needs numpy, scipy, scikit-image, centrosome (pip install centrosome; 1.3.x has the same
propagate / cpmorphology code as the 1.2.x CellProfiler 4.2 pins). Writes raw little-endian
fixtures next to this file (see the test files for their shapes):

    python3 cellprofiler_reference.py            # regenerates every fixture
"""
import json
import os
import sys

import numpy as np
import scipy.ndimage
import skimage.filters
import skimage.segmentation
import skimage.transform
import centrosome.cpmorphology
import centrosome.propagate
import centrosome.smooth

HERE = os.path.dirname(os.path.abspath(__file__))

PRESETS = {
    # ImcSegmentationPipeline resources/pipelines/2_segment_ilastik.cppipe
    "isp": dict(resize=0.5, smooth_diameter=2, diameter=(3, 12), min_area=4, resize_objects=None),
    # steinbock segmentation/cellprofiler/data/cell_segmentation.cppipe
    "steinbock": dict(resize=None, smooth_diameter=4, diameter=(7, 25), min_area=5, resize_objects=0.5),
}


def cp_mce(data):
    """threshold.py get_global_threshold for TM_LI (what "Minimum Cross-Entropy" runs)."""
    data = data.ravel()
    if len(data) == 0:
        return 0.0
    if np.all(data == data[0]):
        return float(data[0])
    tol = max(np.min(np.diff(np.unique(data))) / 2, 0.5 / 65536)
    return li_0183(data, tol)


def li_0183(data, tolerance):
    """skimage.filters.threshold_li of scikit-image 0.18.3 (CellProfiler 4.2's pin). Later
    releases stop early when the background mean is 0 (data with many exact minima); where
    that stop is not reached, the installed scikit-image must agree, which is checked."""
    image = data[np.isfinite(data)].astype(np.float64)
    image_min = np.min(image)
    image = image - image_min
    t_next = np.mean(image)
    t_curr = -2 * tolerance
    early_stop = False
    while abs(t_next - t_curr) > tolerance:
        t_curr = t_next
        foreground = image > t_curr
        mean_fore = np.mean(image[foreground])
        mean_back = np.mean(image[~foreground])
        early_stop |= mean_back == 0
        with np.errstate(divide="ignore"):
            t_next = (mean_back - mean_fore) / (np.log(mean_back) - np.log(mean_fore))
    threshold = float(t_next + image_min)
    if not early_stop:
        installed = skimage.filters.threshold_li(data, tolerance=tolerance)
        assert abs(installed - threshold) < 1e-12, (installed, threshold)
    return threshold


def gaussian_masked(image, sigma):
    """smooth_with_function_and_mask with an all-true mask and a constant-mode Gaussian."""
    return centrosome.smooth.smooth_with_function_and_mask(
        image,
        lambda x: scipy.ndimage.gaussian_filter(x, sigma, mode="constant", cval=0),
        np.ones(image.shape, bool),
    )


def threshold_binary(image, correction, sigma):
    t = cp_mce(image) * correction
    t = min(max(t, 0.0), 1.0)
    return gaussian_masked(image, sigma) >= t


def declump_smooth(image, filter_size):
    """identifyprimaryobjects.py smooth_image."""
    sigma = filter_size / 2.35
    half = max(int(float(filter_size) / 2.0), 1)
    f = 1 / np.sqrt(2.0 * np.pi) / sigma * np.exp(-0.5 * np.arange(-half, half + 1) ** 2 / sigma ** 2)

    def fgaussian(a):
        out = scipy.ndimage.convolve1d(a, f, axis=0, mode="constant")
        return scipy.ndimage.convolve1d(out, f, axis=1, mode="constant")

    return fgaussian(image) / fgaussian(np.ones(image.shape))


def primary_basic(image, diameter, correction=1.2, declump_size=1):
    """IdentifyPrimaryObjects.run with self.basic True (the pipelines' setting)."""
    binary = threshold_binary(image, correction, 1.0)
    binary = centrosome.cpmorphology.fill_labeled_holes(
        binary, size_fn=lambda size, fg: size < diameter[1] * diameter[1])
    labeled, _ = scipy.ndimage.label(binary, np.ones((3, 3), bool))
    # separate_neighboring_objects, basic: intensity maxima, intensity watershed
    blurred = declump_smooth(image, declump_size)
    assert diameter[0] <= 10
    suppression = diameter[0] / 1.5
    footprint = centrosome.cpmorphology.strel_disk(max(1, suppression - 0.5))
    maxima = centrosome.cpmorphology.is_local_maximum(blurred, labeled, footprint)
    maxima[blurred <= 0] = 0
    maxima = centrosome.cpmorphology.binary_shrink(maxima)
    labeled_maxima, _ = scipy.ndimage.label(maxima, np.ones((3, 3), bool))
    markers = np.zeros(image.shape, np.int32)
    markers[labeled_maxima > 0] = -labeled_maxima[labeled_maxima > 0]
    unedited = -skimage.segmentation.watershed(
        connectivity=np.ones((3, 3), bool), image=1 - image, markers=markers, mask=labeled != 0)
    segmented = centrosome.cpmorphology.fill_labeled_holes(unedited.copy())
    segmented, _ = centrosome.cpmorphology.relabel(segmented)
    return unedited, segmented


def filter_min_area(segmented, min_area):
    """FilterObjects on AreaShape_Area (pixel count) with a minimum."""
    n = segmented.max()
    areas = np.bincount(segmented.ravel(), minlength=n + 1)[1:]
    keep = np.argwhere(areas >= min_area)[:, 0] + 1
    table = np.zeros(n + 1, int)
    table[keep] = np.arange(1, len(keep) + 1)
    return table[segmented]


def secondary_propagation(image, unedited, segmented, regularization=0.05):
    """IdentifySecondaryObjects.run, M_PROPAGATION, fill holes, no edge discarding."""
    thresholded = threshold_binary(image, 1.0, 1.3488 / 0.6744 / 2.0)
    labels_in = unedited.copy()
    edge = np.unique(np.hstack((labels_in[0, :], labels_in[-1, :], labels_in[:, 0], labels_in[:, -1])))
    touching = np.zeros(labels_in.max() + 1, bool)
    touching[edge] = True
    labels_in[(~touching[labels_in]) & (segmented == 0)] = 0
    out, _ = centrosome.propagate.propagate(image, labels_in, thresholded, regularization)
    out = centrosome.cpmorphology.fill_labeled_holes(out, mask=out == 0)
    max_out = out.max()
    if max_out == 0:
        return out
    lookup = scipy.ndimage.maximum(segmented, out, list(range(max_out + 1)))
    lookup = np.array(lookup, int)
    lookup[0] = 0
    return lookup[out]


def segment(probabilities_u16, preset):
    """The cppipe's modules in order; probabilities (y, x, class) uint16 as ilastik exports."""
    p = PRESETS[preset]
    # CellProfiler loads "Image bit-depth" uint16 as float32 / 65535 (bioformats reader); the
    # steps below run in float64 on those values.
    stack = (probabilities_u16.astype(np.float32) / np.float32(65535)).astype(np.float64)
    if p["resize"]:
        shape = np.round(np.array(stack.shape[:2]) * p["resize"])
        stack = skimage.transform.resize(stack, (shape[0], shape[1], stack.shape[2]), order=1, mode="symmetric")
    nuc, cyto = stack[:, :, 0], stack[:, :, 1]
    nuc_cyto = np.clip(cyto + nuc, 0, 1)
    smoothed = gaussian_masked(nuc, p["smooth_diameter"] / 2.35)
    unedited, segmented = primary_basic(smoothed, p["diameter"])
    nuclei = filter_min_area(segmented, p["min_area"])
    cells = secondary_propagation(nuc_cyto, unedited, nuclei)
    if p["resize_objects"]:
        f = p["resize_objects"]
        nuclei = scipy.ndimage.zoom(nuclei, (f, f), order=0, mode="nearest")
        cells = scipy.ndimage.zoom(cells, (f, f), order=0, mode="nearest")
    return nuclei, cells


def synthetic_probabilities(h, w, seed):
    """IMC-like probabilities: round and oval nuclei, some touching, a cytoplasm ring, noise,
    smoothed as a pixel classifier's output is, scaled so the three classes sum to 1."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    nuc = np.zeros((h, w))
    cell = np.zeros((h, w))
    n = int(h * w / 500)
    for _ in range(n):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        ry, rx = rng.uniform(4, 9), rng.uniform(4, 9)
        d = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2
        nuc = np.maximum(nuc, np.clip(1.3 - d, 0, 1) * rng.uniform(0.7, 1.0))
        cell = np.maximum(cell, np.clip(1.2 - d / 3.2, 0, 1))
    nuc = scipy.ndimage.gaussian_filter(nuc + rng.normal(0, 0.05, (h, w)), 1.2)
    cyto = scipy.ndimage.gaussian_filter(cell * 0.9 + rng.normal(0, 0.05, (h, w)), 1.5)
    nuc = np.clip(nuc, 0, 1)
    cyto = np.clip(cyto - nuc, 0, 1) * 0.95
    bg = np.clip(1 - nuc - cyto, 0, 1)
    stack = np.stack([nuc, cyto, bg], axis=-1)
    stack /= stack.sum(axis=-1, keepdims=True)
    return (stack.astype(np.float32) * np.float32(65535)).astype(np.uint16)


def write(name, array, dtype):
    np.ascontiguousarray(array, dtype=dtype).tofile(os.path.join(HERE, name))


def mce_fixtures():
    rng = np.random.default_rng(14)
    cases = {
        "uniform": rng.uniform(0, 1, 5000),
        "bimodal": np.concatenate([rng.normal(0.15, 0.05, 4000), rng.normal(0.7, 0.1, 1000)]).clip(0, 1),
        "u16_levels": np.round(rng.beta(0.5, 2.0, 8000) * 65535) / 65535,
        "sparse_foreground": np.concatenate([np.zeros(3000), rng.uniform(0.3, 1, 300)]),
        "coarse": np.round(rng.uniform(0, 1, 2000) * 20) / 20,
    }
    out = {}
    for name, data in cases.items():
        write("mce_%s.f64" % name, data, "<f8")
        out[name] = {"len": int(len(data)), "threshold": cp_mce(data)}
    with open(os.path.join(HERE, "mce.json"), "w") as f:
        json.dump(out, f, indent=1)


def propagate_fixtures():
    rng = np.random.default_rng(7)
    h, w = 48, 64
    image = scipy.ndimage.gaussian_filter(rng.uniform(0, 1, (h, w)), 2)
    image[10:20, 30:40] = 1.0  # a flat plateau: ties decided by the heap
    labels = np.zeros((h, w), np.int32)
    for k in range(1, 9):
        y, x = rng.integers(0, h), rng.integers(0, w)
        labels[max(0, y - 1):y + 2, max(0, x - 1):x + 2] = k
    mask = image > 0.45
    mask[10:20, 30:40] = True
    write("propagate_image.f64", image, "<f8")
    write("propagate_seeds.i32", labels, "<i4")
    write("propagate_mask.u8", mask, "u1")
    for weight in (0.05, 1.0):
        out, _ = centrosome.propagate.propagate(image, labels, mask, weight)
        write("propagate_w%s.i32" % weight, out, "<i4")


def pipeline_fixtures():
    h, w = 200, 200
    probs = synthetic_probabilities(h, w, 3)
    write("pipeline_probabilities.u16", probs, "<u2")
    for preset in PRESETS:
        nuclei, cells = segment(probs, preset)
        write("pipeline_%s_nuclei.u16" % preset, nuclei, "<u2")
        write("pipeline_%s_cells.u16" % preset, cells, "<u2")
        print(preset, nuclei.shape, nuclei.max(), cells.max(), file=sys.stderr)


if __name__ == "__main__":
    mce_fixtures()
    propagate_fixtures()
    pipeline_fixtures()
