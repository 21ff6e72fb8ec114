"""Reference outputs for pixelforest's segment crate, computed by CellProfiler 4.2.5's own module
code (cellprofiler 4.2.5, cellprofiler-core 4.2.5, centrosome 1.2.1, scikit-image 0.18.3,
scipy 1.9.0: the versions steinbock 0.16.1's container runs; build them with
setup_cellprofiler.sh). Writes raw little-endian fixtures next to this file (shapes in the tests):

    VENV/bin/python cellprofiler_reference.py STEINBOCK_CPPIPE ISP_CPPIPE

STEINBOCK_CPPIPE: steinbock v0.16.1 `steinbock/segmentation/cellprofiler/data/cell_segmentation.cppipe`;
ISP_CPPIPE: ImcSegmentationPipeline v3.6 `resources/pipelines/2_segment_ilastik.cppipe` (neither is
kept in this repository). Each pipeline is loaded by CellProfiler and its processing modules run
headless, in order, on one image set; the file-handling modules (Images, Metadata, NamesAndTypes,
Groups, SaveImages, CreateBatchFiles) are left out and the probability map is put into the image
set as NamesAndTypes would: python-bioformats 4.0.7 `ImageReader.read(rescale=True)` returns a
uint16 RGB TIFF as `float32(values) / 65535`. Run this way on BodenmillerGroup/TestData's
`210308_ImcTestData`, these modules give the 15 masks steinbock 0.16.1 wrote and the 15 that
ImcSegmentationPipeline wrote, pixel for pixel (and ImcSegmentationPipeline's `_s1` maps).

    VENV/bin/python cellprofiler_reference.py --run CPPIPE IN_DIR OUT_DIR
runs one pipeline on every `*.tiff` of IN_DIR and writes its cell masks to OUT_DIR.
"""
import json
import os
import re
import sys
import types
from unittest import mock

# Java-backed readers CellProfiler imports but these modules never call.
for _name in ["javabridge", "bioformats", "bioformats.formatreader", "bioformats.omexml",
              "bioformats.formatwriter", "prokaryote"]:
    sys.modules[_name] = mock.MagicMock(name=_name)
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import scipy.ndimage  # noqa: E402
import tifffile  # noqa: E402
import centrosome.propagate  # noqa: E402
import cellprofiler_core.preferences as prefs  # noqa: E402

prefs.set_headless()
from cellprofiler_core.utilities.core.modules import fill_modules  # noqa: E402

fill_modules()
from cellprofiler_core.image import Image, ImageSetList  # noqa: E402
from cellprofiler_core.measurement import Measurements  # noqa: E402
from cellprofiler_core.object import ObjectSet  # noqa: E402
from cellprofiler_core.pipeline import Pipeline  # noqa: E402
from cellprofiler_core.workspace import Workspace  # noqa: E402
import cellprofiler.modules.threshold as threshold  # noqa: E402
from cellprofiler.modules.resizeobjects import rescale  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FILE_MODULES = ("Images:", "Metadata:", "NamesAndTypes:", "Groups:", "SaveImages:", "CreateBatchFiles:")


def load_processing(cppipe, diameter=None):
    """The pipeline without its file modules, and the name NamesAndTypes gives the input;
    `diameter` ("MIN,MAX") replaces IdentifyPrimaryObjects' typical diameter."""
    text = open(cppipe).read()
    if diameter is not None:
        text = re.sub(r"(Typical diameter of objects, in pixel units \(Min,Max\):)[0-9]+,[0-9]+",
                      r"\g<1>" + diameter, text)
    # NamesAndTypes: the name its (single) assignment rule gives.
    input_name = re.search(r"Select the rule criteria:.*\n\s*Name to assign these images:(\w+)", text).group(1)
    head, *modules = text.split("\n\n")
    keep = [m for m in modules if m.strip() and not m.lstrip().startswith(FILE_MODULES)]
    head = re.sub(r"ModuleCount:\d+", "ModuleCount:%d" % len(keep), head)
    trimmed = os.path.join(HERE, ".trimmed.cppipe")
    with open(trimmed, "w") as f:
        f.write("\n\n".join([head] + keep) + "\n")
    pipeline = Pipeline()
    pipeline.load(trimmed)
    os.remove(trimmed)
    return pipeline, input_name


def run_pipeline(pipeline, input_name, probabilities_u16):
    """Runs the modules on one (y, x, 3) uint16 map; returns (nuclei, cells) label images as
    the pipeline leaves them (nuclei: FilterObjects' output, resized like the cells when the
    pipeline resizes its objects)."""
    image_set_list = ImageSetList()
    image_set = image_set_list.get_image_set(0)
    image_set.add(input_name, Image(probabilities_u16.astype(np.float32) / float(65535), scale=65535))
    object_set = ObjectSet()
    workspace = Workspace(pipeline, None, image_set, object_set, Measurements(), image_set_list)
    nuclei_name = cells_name = None
    factor = None
    for module in pipeline.modules():
        module.run(workspace)
        if module.module_name == "FilterObjects":
            nuclei_name = module.y_name.value
        elif module.module_name == "ConvertObjectsToImage":
            cells_name = module.object_name.value
        elif module.module_name == "ResizeObjects":
            factor = (module.factor_y.value, module.factor_x.value)
    nuclei = object_set.get_objects(nuclei_name).segmented
    if factor is not None:
        nuclei = rescale(nuclei, factor)
    return nuclei, object_set.get_objects(cells_name).segmented, image_set


def synthetic_probabilities(h, w, seed):
    """IMC-like probabilities: round and oval nuclei, some touching, a cytoplasm ring, noise,
    smoothed as a pixel classifier's output is, scaled so the three classes sum to 1."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    nuc = np.zeros((h, w))
    cell = np.zeros((h, w))
    for _ in range(int(h * w / 500)):
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


def faint_probabilities(h, w, seed):
    """A nearly empty map (nucleus probability a few hundredths at most), as ilastik gives
    for acquisitions without nuclei: Li's threshold then sits among float32 rounding steps."""
    rng = np.random.default_rng(seed)
    nuc = scipy.ndimage.gaussian_filter(rng.gamma(1.0, 0.004, (h, w)), 1.5)
    cyto = scipy.ndimage.gaussian_filter(rng.gamma(2.0, 0.05, (h, w)), 2.0)
    bg = np.clip(1 - nuc - cyto, 0, 1)
    stack = np.stack([nuc, cyto, bg], axis=-1)
    stack /= stack.sum(axis=-1, keepdims=True)
    return np.round(stack * 65535).astype(np.uint16)


def write(name, array, dtype):
    np.ascontiguousarray(array, dtype=dtype).tofile(os.path.join(HERE, name))


def cp_mce(data_f32):
    """Threshold.get_global_threshold for "Minimum Cross-Entropy" on a float32 image."""
    module = threshold.Threshold()
    module.global_operation.value = threshold.TM_LI
    image = data_f32.reshape(1, -1)
    return float(module.get_global_threshold(image, np.ones(image.shape, bool)))


def mce_fixtures():
    rng = np.random.default_rng(14)
    cases = {
        "uniform": rng.uniform(0, 1, 5000),
        "bimodal": np.concatenate([rng.normal(0.15, 0.05, 4000), rng.normal(0.7, 0.1, 1000)]).clip(0, 1),
        "u16_levels": np.round(rng.beta(0.5, 2.0, 8000) * 65535) / 65535,
        "sparse_foreground": np.concatenate([np.zeros(3000), rng.uniform(0.3, 1, 300)]),
        "coarse": np.round(rng.uniform(0, 1, 2000) * 20) / 20,
        "faint": scipy.ndimage.gaussian_filter(rng.gamma(1.0, 0.004, 6000), 2.0),
    }
    out = {}
    for name, data in cases.items():
        data = data.astype(np.float32)
        write("mce_%s.f32" % name, data, "<f4")
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


# Minimum diameters above 10, where IdentifyPrimaryObjects searches maxima at low resolution.
LOWRES_DIAMETERS = {"steinbock": "15,40", "isp": "11,30"}


def pipeline_fixtures(steinbock_cppipe, isp_cppipe):
    maps = {"pipeline": synthetic_probabilities(200, 200, 3), "faint": faint_probabilities(120, 120, 5)}
    cppipes = (("steinbock", steinbock_cppipe), ("isp", isp_cppipe))
    for prefix, probs in maps.items():
        write("%s_probabilities.u16" % prefix, probs, "<u2")
        for preset, cppipe in cppipes:
            pipeline, input_name = load_processing(cppipe)
            nuclei, cells, _ = run_pipeline(pipeline, input_name, probs)
            write("%s_%s_nuclei.u16" % (prefix, preset), nuclei, "<u2")
            write("%s_%s_cells.u16" % (prefix, preset), cells, "<u2")
            print(prefix, preset, nuclei.shape, nuclei.max(), cells.max(), file=sys.stderr)
    for preset, cppipe in cppipes:
        pipeline, input_name = load_processing(cppipe, LOWRES_DIAMETERS[preset])
        nuclei, cells, _ = run_pipeline(pipeline, input_name, maps["pipeline"])
        write("lowres_%s_nuclei.u16" % preset, nuclei, "<u2")
        write("lowres_%s_cells.u16" % preset, cells, "<u2")
        print("lowres", preset, nuclei.shape, nuclei.max(), cells.max(), file=sys.stderr)


def run_folder(cppipe, src, out):
    pipeline, input_name = load_processing(cppipe)
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if name.endswith(".tiff"):
            _, cells, _ = run_pipeline(pipeline, input_name, tifffile.imread(os.path.join(src, name)))
            tifffile.imwrite(os.path.join(out, name), cells.astype(np.uint16))


if __name__ == "__main__":
    if sys.argv[1] == "--run":
        run_folder(*sys.argv[2:5])
    else:
        mce_fixtures()
        propagate_fixtures()
        pipeline_fixtures(sys.argv[1], sys.argv[2])
