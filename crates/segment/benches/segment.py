"""The peer of benches/segment.rs: CellProfiler 4.2.5 itself, running the reference pipeline's
modules headless on one probability map, as tests/reference/cellprofiler_reference.py does
(needs that script's environment: tests/reference/setup_cellprofiler.sh).

    VENV/bin/python segment.py PROBABILITIES.tiff CPPIPE [OUT_PREFIX]

Prints the wall and CPU seconds the modules take (reading the TIFF excluded; the best of RUNS
runs, env SEGMENT_RUNS, default 3); with OUT_PREFIX writes the nucleus and cell masks as raw
uint16 (`OUT_PREFIX_nuclei.u16`, `OUT_PREFIX_cells.u16`).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "reference"))
import cellprofiler_reference as ref  # noqa: E402
import tifffile  # noqa: E402

probs = tifffile.imread(sys.argv[1])
pipeline, input_name = ref.load_processing(sys.argv[2])
walls, cpus = [], []
for _ in range(int(os.environ.get("SEGMENT_RUNS", "3"))):
    t, c = time.perf_counter(), time.process_time()
    nuclei, cells, _ = ref.run_pipeline(pipeline, input_name, probs)
    walls.append(time.perf_counter() - t)
    cpus.append(time.process_time() - c)
print(min(walls), min(cpus))
if len(sys.argv) > 3:
    nuclei.astype("<u2").tofile(sys.argv[3] + "_nuclei.u16")
    cells.astype("<u2").tofile(sys.argv[3] + "_cells.u16")
