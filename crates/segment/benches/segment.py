"""The peer of benches/segment.rs: the same pipeline steps with scikit-image / scipy / centrosome,
as tests/reference/cellprofiler_reference.py runs them (CellProfiler 4.2's code path).

    python3 segment.py PROBABILITIES.tiff PRESET [OUT_PREFIX]

Prints the seconds spent segmenting (reading excluded); with OUT_PREFIX writes the nucleus and
cell masks as raw uint16 (`OUT_PREFIX_nuclei.u16`, `OUT_PREFIX_cells.u16`).
"""
import os
import sys
import time

import tifffile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
import cellprofiler_reference as ref  # noqa: E402

probs = tifffile.imread(sys.argv[1])
t = time.perf_counter()
nuclei, cells = ref.segment(probs, sys.argv[2])
print(time.perf_counter() - t)
if len(sys.argv) > 3:
    nuclei.astype("<u2").tofile(sys.argv[3] + "_nuclei.u16")
    cells.astype("<u2").tofile(sys.argv[3] + "_cells.u16")
