"""The peer of benches/segment.rs: the same pipeline steps with scikit-image / scipy / centrosome,
as tests/reference/cellprofiler_reference.py runs them (CellProfiler 4.2's code path).

    python3 segment.py PROBABILITIES.tiff PRESET [OUT_PREFIX]

Prints the wall and CPU seconds spent segmenting (reading excluded; the best of RUNS runs, env
SEGMENT_RUNS, default 3); with OUT_PREFIX writes the nucleus and cell masks as raw uint16
(`OUT_PREFIX_nuclei.u16`, `OUT_PREFIX_cells.u16`).
"""
import os
import sys
import time

import tifffile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
import cellprofiler_reference as ref  # noqa: E402

probs = tifffile.imread(sys.argv[1])
walls, cpus = [], []
for _ in range(int(os.environ.get("SEGMENT_RUNS", "3"))):
    t, c = time.perf_counter(), time.process_time()
    nuclei, cells = ref.segment(probs, sys.argv[2])
    walls.append(time.perf_counter() - t)
    cpus.append(time.process_time() - c)
print(min(walls), min(cpus))
if len(sys.argv) > 3:
    nuclei.astype("<u2").tofile(sys.argv[3] + "_nuclei.u16")
    cells.astype("<u2").tofile(sys.argv[3] + "_cells.u16")
