#!/usr/bin/env python3
"""Replays, step by step, how ilastik loads a Pixel Classification project (.ilp), without ilastik.

Each step follows the loading code of ilastik 1.4.0 or 1.3.3post3 (the release steinbock ships) and
names the file:line it follows (`CITES`, read at the tags `1.4.0` and `1.3.3post3` of
github.com/ilastik/ilastik). The replay stops at the first step where ilastik would abort or
silently drop data, and says which; otherwise it prints the labels every lane ends up with, in the
axis order ilastik holds them (its "current" order), and can write them as (y, x) TIFFs.

1.3.3post3 runs on h5py 2.10, which returns variable-length UTF-8 strings as `str` and
variable-length ASCII / fixed-length strings as `bytes`; h5py 3 returns `bytes` for all datasets.
Run under h5py 2.x the replay reads exactly as 1.3.3post3 does; under h5py 3 with
`--ilastik 1.3.3post3` it converts every value to the type h5py 2.10 would have returned
(`as_h5py2`) before ilastik's code touches it, so `.decode` on a `str` fails as it does there.

The emulation models h5py 2.10's *types*; it cannot model that h5py 2.10 (HDF5 1.10) fails to
convert the variable-length strings rust-hdf5 writes at all ("Conversion function not found", a
KeyError): only a run under the real h5py 2.10 shows that (`PIXELFOREST_H5PY2_PYTHON`).

Usage: replay_ilastik_load.py PROJECT --ilastik {1.4.0,1.3.3post3} [--headless] [--labels-out DIR]
Prints one JSON object; exit status 0 when the project loads with its labels, 1 when it does not.
"""

import argparse
import glob
import json
import os
import re
import sys
from itertools import permutations
from pathlib import Path

import h5py
import numpy

PM = "ilastik/shell/projectManager.py"
INIT = "ilastik/__init__.py"
AS = "ilastik/applets/base/appletSerializer.py"
DSS = "ilastik/applets/dataSelection/dataSelectionSerializer.py"
ODS = "ilastik/applets/dataSelection/opDataSelection.py"
FSS = "ilastik/applets/featureSelection/featureSelectionSerializer.py"
PCS = "ilastik/applets/pixelClassification/pixelClassificationSerializer.py"
PCW = "ilastik/workflows/pixelClassification/pixelClassificationWorkflow.py"
IDR = "lazyflow/operators/ioOperators/opInputDataReader.py"
H5R = "lazyflow/operators/ioOperators/opStreamingH5N5Reader.py"
TIF = "lazyflow/operators/ioOperators/opTiffReader.py"
A5D = "ndstructs/array5D.py"  # github.com/ilastik/ndstructs: Array5D asserts one key per axis

# step -> (1.4.0 location, 1.3.3post3 location); lazyflow lives in the ilastik repository from
# 1.4 on, and in the separate ilastik/lazyflow repository (same file names) for 1.3.3post3.
CITES = {
    "version": (f"{PM}:158,161 {INIT}:111,127-144", f"{PM}:158,161 {INIT}:112,128-146"),
    "workflow": (f"{PM}:168", f"{PM}:168"),
    "applets": (f"{PM}:465", f"{PM}:460"),
    "storage_version": (f"{AS}:1138,1155", f"{AS}:1142,1157"),
    "lanes": (f"{DSS}:187,199,207", f"{DSS}:220,232,240"),
    "info_class": (f"{DSS}:230,248-250", f"{DSS}:263,273-275"),
    "from_h5_group": (f"{ODS}:157-161", f"{ODS}:139-149"),
    "expand_path": (f"{ODS}:209-231,538", f"{ODS}:197-219,434"),
    "reader": (f"{ODS}:546-555 {IDR}:363-420 {H5R}:81-100 {TIF}", f"{ODS}:442-451 {IDR} {H5R} {TIF}"),
    "axistags_fit": (f"{ODS}:99-100", f"{ODS}:96-98"),
    "relative": (f"{ODS}:617-622,644-648", f"{ODS}:506-511,533-537"),
    "axis_order": (f"{ODS}:749,761-777 {PCW}:184-196", f"{ODS}:689,701-717 {PCW}:184-196"),
    "features": (f"{FSS}:91-127", f"{FSS}:91-127"),
    "label_names": (f"{PCS}:116 {AS}:378-402", f"{PCS}:118 {AS}:375-399"),
    "label_sets": (f"{PCS}:124 {AS}:588-618 {AS}:94-112", f"{PCS}:126 {AS}:592-622 {AS}:91-108"),
    "block_order": (f"{PCS}:60-88 {A5D}:38,185", f"{PCS}:56-83 {A5D}:38,185"),
}

VERSIONS = ("1.4.0", "1.3.3post3")


class LoadError(Exception):
    """ilastik aborts the load here (or drops what the user needs)."""

    def __init__(self, step, message):
        super().__init__(message)
        self.step = step


class Replay:
    def __init__(self, path, version, headless):
        self.path = Path(path)
        self.version = version
        self.headless = headless
        self.h5py2 = version == "1.3.3post3"
        self.emulate_h5py2 = self.h5py2 and int(h5py.__version__.split(".")[0]) >= 3
        self.notes = []

    def cite(self, step):
        return CITES[step][VERSIONS.index(self.version)]

    def fail(self, step, message):
        raise LoadError(step, f"{message} [{self.cite(step)}]")

    # -- reading as the h5py of that release does -------------------------------------------

    def value(self, ds):
        """`ds[()]` (1.3.3post3 also uses `ds.value`, the same read in h5py 2.10)."""
        return self.as_h5py2(ds[()], ds.dtype)

    def attr(self, obj, name):
        return self.as_h5py2(obj.attrs[name], obj.attrs.get_id(name).dtype)

    def as_h5py2(self, value, dtype):
        if not self.emulate_h5py2:
            return value
        info = h5py.check_string_dtype(dtype)
        if info is None:
            return value
        as_str = info.length is None and info.encoding == "utf-8"

        def one(v):
            b = v if isinstance(v, bytes) else str(v).encode("utf-8")
            return b.decode("utf-8") if as_str else b

        if isinstance(value, numpy.ndarray) and value.shape != ():
            return numpy.array([one(v) for v in value.flat], dtype=object).reshape(value.shape)
        if isinstance(value, numpy.ndarray):
            value = value[()]
        return one(value)

    def text(self, ds, step, what):
        """ilastik's `ds[()].decode("utf-8")`: fails on a `str`, as it does under h5py 2.10."""
        v = self.value(ds)
        try:
            return v.decode("utf-8")
        except AttributeError:
            self.fail(step, f"{what}: {type(v).__name__} has no .decode (h5py {self.h5py_label()} reads "
                            f"{ds.dtype} / {h5py.check_string_dtype(ds.dtype)} as str)")

    def h5py_label(self):
        return "2.10 (emulated)" if self.emulate_h5py2 else h5py.__version__

    # -- the load --------------------------------------------------------------------------------

    def run(self):
        try:
            f = h5py.File(str(self.path), "r")
        except OSError as e:
            raise LoadError("version", f"not an HDF5 file: {e}")
        with f:
            self.check_version(f)
            lanes = self.data_selection(f)
            features = self.feature_selection(f)
            names, sets = self.pixel_classification(f, lanes)
        self.lanes = lanes
        return {
            "ok": True,
            "ilastik": self.version,
            "h5py": self.h5py_label(),
            "project_version": self.project_version,
            "label_names": names,
            "feature_ids": features,
            "lanes": [lane.summary() for lane in lanes],
            "label_sets": sets,
            "notes": self.notes,
        }

    def check_version(self, f):
        project_version = "0.5"
        if "ilastikVersion" in list(f.keys()):
            project_version = self.text(f["ilastikVersion"], "version", "ilastikVersion")
        self.project_version = project_version
        v1 = convert_version(project_version, self)[0:2]
        v2 = (1, 4) if self.version == "1.4.0" else (1, 3)
        compatible_set = [(0, 6), (1, 0), (1, 1), (1, 2), (1, 3), (1, 4)]
        if not ((v1 in compatible_set and v2 in compatible_set) or v1 == v2):
            self.fail("version", f"ProjectVersionError: project {project_version} vs ilastik {self.version}")
        if "workflowName" in list(f.keys()):
            name = self.text(f["workflowName"], "workflow", "workflowName")
            if name not in ("Pixel Classification", "PixelClassificationWorkflow"):
                self.fail("workflow", f"workflow {name!r} is not Pixel Classification")

    def top_group(self, f, name):
        """AppletSerializer.deserializeFromHdf5: without StorageVersion the group is ignored."""
        try:
            top = f[name]
            top["StorageVersion"][()]
        except KeyError:
            self.fail("storage_version", f"group {name!r} has no StorageVersion (or is missing): "
                                         "ilastik ignores it (initWithoutTopGroup)")
        return top

    def data_selection(self, f):
        top = self.top_group(f, "Input Data")
        try:
            info_dir = top["infos"]
        except KeyError:
            self.fail("lanes", "Input Data has no infos group")
        compat = "Role Names" not in top
        roles = ["Raw Data", "Prediction Mask"]
        lanes = []
        for lane_index, (lane_name, lane_group) in enumerate(sorted(info_dir.items())):
            groups = [("Raw Data", lane_group)] if compat else sorted(lane_group.items())
            raw = None
            for role_name, info_group in groups:
                info = self.read_dataset_info(info_group, lane_name, role_name)
                if info is None:
                    continue
                if role_name not in roles:
                    self.notes.append(f"{lane_name}: role {role_name!r} ignored by the workflow")
                elif role_name == "Raw Data":
                    raw = info
            if raw is None:
                self.fail("lanes", f"{lane_name} has no Raw Data")
            raw.index = lane_index
            raw.order_for_workflow(self)
            lanes.append(raw)
        return lanes

    def read_dataset_info(self, group, lane_name, role_name):
        if len(group) == 0:
            return None
        where = f"{lane_name}/{role_name}"
        if "__class__" in group:
            class_name = self.text(group["__class__"], "info_class", f"{where}/__class__")
            known = ["ProjectInternalDatasetInfo", "FilesystemDatasetInfo", "RelativeFilesystemDatasetInfo"]
            if self.version == "1.4.0":
                known.append("UrlDatasetInfo")
            if class_name not in known:
                self.fail("info_class", f"{where}: unknown __class__ {class_name!r} (KeyError)")
        else:
            location = self.text(group["location"], "info_class", f"{where}/location")
            file_path = self.text(group["filePath"], "info_class", f"{where}/filePath")
            if location == "FileSystem":
                class_name = "RelativeFilesystemDatasetInfo" if not os.path.isabs(file_path) else "FilesystemDatasetInfo"
            elif location == "ProjectInternal":
                class_name = "ProjectInternalDatasetInfo"
            else:
                self.fail("info_class", f"{where}: unknown location {location!r}")
        return LaneInfo.from_h5_group(self, group, class_name, where)


def convert_version(vstring, replay):
    parts = []
    for i in vstring.split("."):
        m = re.search(r"(\d+)", i)
        if not m:
            replay.fail("version", f"Don't understand version component: {i}")
        parts.append(int(m.groups()[0]))
    return tuple(parts)


def axis_keys(replay, json_text, where):
    """vigra AxisTags.fromJSON: one axis per entry of "axes", each with a "key"."""
    try:
        axes = json.loads(json_text)["axes"]
        return "".join(a["key"] for a in axes)
    except (ValueError, KeyError, TypeError) as e:
        replay.fail("from_h5_group", f"{where}: axistags not readable by vigra: {e}")


def default_axisordering(shape):
    """lazyflow.utility.helpers.get_default_axisordering."""
    if len(shape) == 3 and shape[2] <= 4:
        return "yxc"
    return {2: "yx", 3: "zyx", 4: "zyxc", 5: "tzyxc"}[len(shape)]


def split_external_internal(path):
    """lazyflow PathComponents: the external file ends at the first h5/hdf5/ilp/n5 extension."""
    m = re.search(r"\.(h5|hdf5|ilp|n5)(?=/|$)", path, re.IGNORECASE)
    if not m:
        return path, None
    internal = path[m.end():]
    return path[: m.end()], (internal or None)


class LaneInfo:
    """A DatasetInfo as ilastik builds it from the project: the file's shape, the project's tags."""

    @classmethod
    def from_h5_group(cls, replay, group, class_name, where):
        info = cls()
        info.where = where
        info.class_name = class_name
        try:
            replay.value(group["allowLabels"])
            info.nickname = replay.text(group["nickname"], "from_h5_group", f"{where}/nickname")
        except KeyError as e:
            replay.fail("from_h5_group", f"{where}: missing {e}")
        if "axistags" in group:
            tags = replay.text(group["axistags"], "from_h5_group", f"{where}/axistags")
            info.tags = axis_keys(replay, tags, where)
        elif "axisorder" in group:
            info.tags = replay.text(group["axisorder"], "from_h5_group", f"{where}/axisorder")
        else:
            info.tags = None
        if "display_mode" in group:
            replay.text(group["display_mode"], "from_h5_group", f"{where}/display_mode")
        if class_name == "ProjectInternalDatasetInfo":
            info.project_internal(replay, group)
        else:
            info.file_path = replay.text(group["filePath"], "from_h5_group", f"{where}/filePath")
            info.filesystem(replay, group)
        if info.tags is None:
            info.tags = info.default_tags
        if len(info.tags) != len(info.shape):
            replay.fail("axistags_fit", f"{where}: UnsuitedAxistagsException: axistags {info.tags!r} "
                                        f"don't fit data shape {tuple(info.shape)} of {info.file_path}")
        return info

    def project_internal(self, replay, group):
        inner = replay.text(group["inner_path"] if "inner_path" in group else group["filePath"],
                            "from_h5_group", f"{self.where}/inner_path")
        self.file_path = inner
        ds = group.file[inner]
        self.shape = tuple(ds.shape)
        self.default_tags = (axis_keys(replay, ds.attrs["axistags"], self.where) if "axistags" in ds.attrs
                             else default_axisordering(ds.shape))

    def filesystem(self, replay, group):
        base_dir = Path(os.path.abspath(group.file.filename)).parent
        external, internal = split_external_internal(self.file_path)
        if replay.version == "1.4.0":
            full = base_dir / Path(external).expanduser()
        else:
            full = Path(os.path.expanduser(external if os.path.isabs(external) else os.path.join(base_dir, external)))
        found = glob.glob(str(full))
        if not found:
            if not replay.headless:
                replay.fail("info_class", f"{self.where}: FileNotFoundError {full} (the GUI asks the user to "
                                          "locate it; headless ilastik substitutes an empty dummy lane)")
            self.dummy(replay, group, full)
            return
        self.external = Path(found[0])
        self.read_meta(replay, internal)
        if self.class_name == "RelativeFilesystemDatasetInfo":
            try:
                Path(os.path.abspath(str(full))).relative_to(base_dir)
            except ValueError:
                replay.fail("relative", f"{self.where}: CantSaveAsRelativePathsException: "
                                        f"{self.file_path} is not under {base_dir}")

    def dummy(self, replay, group, full):
        """Headless: DummyDatasetInfo (1.4.0) / PreloadedArrayDatasetInfo (1.3.3post3) from the
        stored shape and axistags."""
        if "shape" not in group or "axistags" not in group:
            replay.fail("info_class", f"{self.where}: {full} missing and no stored shape/axistags for a dummy lane")
        self.shape = tuple(int(v) for v in replay.value(group["shape"]))
        self.default_tags = self.tags
        self.external = None
        replay.notes.append(f"{self.where}: raw file {full} missing; headless dummy lane of shape {self.shape}")

    def read_meta(self, replay, internal):
        """OpInputDataReader: shape and default axistags of the file."""
        ext = self.external.suffix.lower().lstrip(".")
        if ext in ("h5", "hdf5", "ilp", "n5"):
            with h5py.File(str(self.external), "r") as h5:
                if not internal:
                    datasets = []
                    h5.visititems(lambda n, o: datasets.append(n) if isinstance(o, h5py.Dataset)
                                  and 2 <= len(o.shape) <= 5 else None)
                    if len(datasets) != 1:
                        replay.fail("reader", f"{self.where}: no internal path and {len(datasets)} datasets "
                                              f"in {self.external}")
                    internal = datasets[0]
                if internal not in h5:
                    replay.fail("reader", f"{self.where}: {self.external} has no dataset {internal!r}")
                ds = h5[internal]
                self.shape = tuple(ds.shape)
                try:  # a KeyError (absent, or h5py cannot convert it) means default axes
                    tags = ds.attrs["axistags"]
                    tags = tags.decode("utf-8") if isinstance(tags, bytes) else tags
                    self.default_tags = axis_keys(replay, tags, f"{self.external}/{internal}")
                except KeyError as e:
                    if "axistags" in ds.attrs:
                        replay.notes.append(f"{self.external}/{internal}: axistags attribute unreadable "
                                            f"under h5py {h5py.__version__} ({e}); default axes used")
                    self.default_tags = default_axisordering(ds.shape)
                if len(self.default_tags) != len(self.shape):
                    replay.fail("reader", f"{self.external}/{internal}: axistags attribute does not fit shape")
        elif ext in ("tif", "tiff"):
            self.shape, self.default_tags = tiff_meta(replay, self.external, self.where)
        elif ext == "npy":
            arr = numpy.load(str(self.external), mmap_mode="r")
            self.shape, self.default_tags = tuple(arr.shape), default_axisordering(arr.shape)
        elif ext in ("png", "jpg", "jpeg", "bmp", "gif"):
            import imageio.v3 as iio  # vigra.impex reads (y, x, c) with a channel axis always

            arr = iio.imread(str(self.external))
            shape = arr.shape if arr.ndim == 3 else arr.shape + (1,)
            self.shape, self.default_tags = tuple(shape), "yxc"
        else:
            replay.fail("reader", f"{self.where}: no reader for .{ext}")

    def order_for_workflow(self, replay):
        """OpDataSelection.setupOutputs with the workflow's forceAxisOrder (c at the end)."""
        if "x" not in self.tags or "y" not in self.tags:
            replay.fail("axis_order", f"{self.where}: axes {self.tags!r} lack x or y (DatasetConstraintError)")
        c_at_end = ["yxc", "xyc"]
        c_at_end += ["".join(p) + "c" for p in permutations("tzyx", 3)]
        c_at_end += ["".join(p) + "c" for p in permutations("tzyx", 4)]
        minimal = {k for k, v in zip(self.tags, self.shape) if v > 1}
        candidates = [o for o in c_at_end if minimal.issubset(set(o))]
        if not candidates:
            replay.fail("axis_order", f"{self.where}: axes {self.tags} fit no allowed order")
        order = sorted(candidates, key=len)[0]
        tagged = dict(zip(self.tags, self.shape))
        self.order = order
        self.current_shape = tuple(tagged.get(k, 1) for k in order)
        self.labels = numpy.zeros(self.current_shape[:-1] + (1,), dtype=numpy.uint8)

    def summary(self):
        values, counts = numpy.unique(self.labels, return_counts=True)
        return {
            "lane": self.index,
            "class": self.class_name,
            "file_path": self.file_path,
            "axistags": self.tags,
            "shape": list(self.shape),
            "order": self.order,
            "labels": {str(int(v)): int(n) for v, n in zip(values, counts) if v != 0},
        }


def tiff_meta(replay, path, where):
    """OpTiffReader.setupOutputs: tifffile's first series, axes mapped to vigra keys."""
    import tifffile

    with tifffile.TiffFile(str(path)) as tif:
        if len(tif.series) > 1:
            replay.fail("reader", f"{where}: TIFF with {len(tif.series)} series")
        series = tif.series[0]
        axes, shape = series.axes, tuple(series.shape)
        page = series.pages[0]
        p, d, y, x, s = page.shaped
        if p != 1 or d != 1:
            replay.fail("reader", f"{where}: TIFF pages with planar samples / depth")
        page_shape = (y, x) if s == 1 else (y, x, s)
        if s != 1 and "C" in axes:
            replay.fail("reader", f"{where}: multi-sample pages and a C axis")
        if shape[-len(page_shape):] != page_shape:
            replay.fail("reader", f"{where}: series shape {shape} vs page {page_shape}")
    axes = axes.lower().replace("s", "c")
    if "i" in axes:
        for k in "tzc":
            if k not in axes:
                axes = axes.replace("i", k)
                break
    if "q" in axes:
        axes = default_axisordering(shape)
    return shape, axes


def feature_selection(self, f):
    top = self.top_group(f, "FeatureSelections")
    try:
        scales = [float(s) for s in self.value(top["Scales"])]
        ids_raw = self.value(top["FeatureIds"])
    except KeyError as e:
        # ilastik catches the KeyError and goes on without a feature selection; a present but
        # unreadable FeatureIds (h5py 2.10: "Conversion function not found") is data lost.
        if "Scales" in top and "FeatureIds" in top:
            self.fail("features", f"FeatureIds/Scales unreadable under h5py {self.h5py_label()} ({e}): "
                                  "ilastik silently drops the feature selection")
        self.notes.append("FeatureSelections: no Scales/FeatureIds; selection not restored")
        return None
    try:
        ids = [s.decode("utf-8") for s in ids_raw]
    except AttributeError:
        self.fail("features", f"FeatureIds: elements are str, not bytes, under h5py {self.h5py_label()} "
                              "(AttributeError: the feature selection is not restored)")
    if "SelectionMatrix" in top:
        matrix = self.value(top["SelectionMatrix"])
        if matrix.shape != (len(ids), len(scales)):
            self.fail("features", f"SelectionMatrix {matrix.shape} vs {len(ids)} ids x {len(scales)} scales")
    return ids


def pixel_classification(self, f, lanes):
    top = self.top_group(f, "PixelClassification")
    names = self.list_slot(top, "LabelNames")
    if "LabelSets" not in top:
        return names, []
    sets = top["LabelSets"]
    if sets.attrs.get("meta.has_mask") is not None:
        self.fail("label_sets", "LabelSets has a meta.has_mask attribute: has_mask assertion fails")
    digits = re.compile(r"[^0-9]*(\d*).*")
    ordered = sorted(sets.items(), key=lambda kv: int(digits.match(kv[0]).groups()[0]))
    version = parse_version(self.project_version)
    saved_rule = self.saved_order_rule(version)
    report = []
    for index, (set_name, group) in enumerate(ordered):
        if index >= len(lanes):
            self.fail("label_sets", f"{set_name}: label set {index} but only {len(lanes)} lanes")
        lane = lanes[index]
        saved = {"original": lane.tags, "current": lane.order, "txyzc": "txyzc"}[saved_rule]
        for block_name, block in group.items():
            if not isinstance(block, h5py.Dataset):
                self.fail("label_sets", f"{set_name}/{block_name}: masked block groups not replayed")
            try:
                text = self.attr(block, "blockSlice")
            except KeyError as e:  # not caught by SerialBlockSlot: the load aborts
                self.fail("label_sets", f"{set_name}/{block_name}: blockSlice unreadable under h5py "
                                        f"{self.h5py_label()}: {e}")
            slicing = string_to_slicing(text)
            data = block[...]
            self.place_block(lane, saved, slicing, data, f"{set_name}/{block_name}")
        report.append({"set": set_name, "lane": index, "saved_order": saved})
    return names, report


def saved_order_rule(self, version):
    """BackwardsCompatibleLabelSerialBlockSlot.get_saved_data_axiskeys."""
    pixel_plus_object = False  # this is a Pixel Classification project
    if parse_version("1.3.3") <= version < parse_version("1.3.3post2") and pixel_plus_object:
        return "txyzc"
    if self.version == "1.3.3post3":
        return "original"
    if parse_version("1.3.3post2") <= version <= parse_version("1.4.0b7"):
        return "original"
    return "current"


def place_block(self, lane, saved, slicing, data, where):
    """reshape_datablock_and_slicing_for_input (Slice5D / Array5D from the saved axis keys to the
    current ones: axes missing from the current order are dropped, new ones are 0:1), then
    `inslot[index][slicing] = block`."""
    if len(slicing) != len(saved) or data.ndim != len(saved):
        self.fail("block_order", f"{where}: block of {data.ndim} axes / slice of {len(slicing)} read as "
                                 f"{saved!r} (Array5D/Slice5D axis mismatch)")
    if tuple(b - a for a, b in slicing) != data.shape:
        self.fail("label_sets", f"{where}: blockSlice {slicing} does not match block shape {data.shape}")
    tagged = dict(zip(saved, slicing))
    current = lane.order
    block, keys = data, saved
    for k in saved:
        if k not in current:
            i = keys.index(k)
            if block.shape[i] != 1:
                self.fail("block_order", f"{where}: axis {k} of length {block.shape[i]} has no place in {current}")
            block, keys = block.take(0, axis=i), keys.replace(k, "")
    for k in current:
        if k not in keys:
            block, keys = block[..., None], keys + k
    block = numpy.transpose(block, [keys.index(k) for k in current])
    target = tuple(slice(*tagged[k]) if k in tagged else slice(0, 1) for k in current)
    for k, s, n in zip(current, target, lane.labels.shape):
        if s.stop > n:
            self.fail("label_sets", f"{where}: {k} {s.start}:{s.stop} outside the lane ({k}={n}); labels lost")
    lane.labels[target] = block


def list_slot(self, top, name):
    """SerialListSlot.deserialize (LabelNames)."""
    if name not in top:
        return []
    ds = top[name]
    if "isEmpty" in ds.attrs and ds.attrs["isEmpty"]:
        return []
    if len(ds.shape) == 0 or ds.shape[0] == 0:
        return []
    try:
        data = list(self.value(ds))
    except KeyError as e:  # not caught by SerialListSlot: the load aborts
        self.fail("label_names", f"{name} unreadable under h5py {self.h5py_label()}: {e}")
    out = []
    for v in data:
        if isinstance(v, bytes):
            v = v.decode("utf-8")
        if not isinstance(v, str):
            self.fail("label_names", f"{name}: element {v!r} is not text")
        out.append(v)
    return out


def string_to_slicing(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if isinstance(text, numpy.ndarray):
        text = text[()]
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
    out = []
    for part in text[1:-1].split(","):
        a, b = part.split(":")
        out.append((int(a), int(b)))
    return out


def parse_version(text):
    """PEP 440 ordering as packaging.version / pkg_resources.parse_version give it."""
    from packaging.version import Version

    return Version(text)


Replay.feature_selection = feature_selection
Replay.pixel_classification = pixel_classification
Replay.saved_order_rule = saved_order_rule
Replay.place_block = place_block
Replay.list_slot = list_slot


def write_labels(out_dir, lanes):
    import tifffile

    out_dir.mkdir(parents=True, exist_ok=True)
    for lane in lanes:
        plane = lane.labels
        order = lane.order
        for k in [k for k in order if k not in "yx"]:
            plane = plane.take(0, axis=order.index(k))
            order = order.replace(k, "")
        if order == "xy":
            plane = plane.T
        tifffile.imwrite(str(out_dir / f"lane{lane.index:04d}.tiff"), numpy.ascontiguousarray(plane))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project")
    ap.add_argument("--ilastik", choices=VERSIONS, required=True)
    ap.add_argument("--headless", action="store_true",
                    help="a missing raw file becomes a dummy lane (headless ilastik) instead of a failure")
    ap.add_argument("--labels-out", type=Path, help="write each lane's labels as laneNNNN.tiff (y, x)")
    args = ap.parse_args()
    replay = Replay(args.project, args.ilastik, args.headless)
    try:
        report = replay.run()
    except LoadError as e:
        print(json.dumps({"ok": False, "ilastik": args.ilastik, "h5py": replay.h5py_label(),
                          "step": e.step, "error": str(e), "notes": replay.notes}, indent=1))
        return 1
    if args.labels_out:
        write_labels(args.labels_out, replay.lanes)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
