#!/usr/bin/env bash
# Builds the Python environment cellprofiler_reference.py runs in: CellProfiler 4.2.5's own
# module code with the versions it pins (steinbock 0.16.1's container runs CellProfiler 4.2.5):
# numpy 1.x, scipy 1.9.0, scikit-image 0.18.3, centrosome 1.2.1, cellprofiler-core 4.2.5.
# wxPython, python-javabridge and python-bioformats are not installed: the script runs the
# modules headless and reads the TIFFs itself (see its docstring).
#
#   bash setup_cellprofiler.sh /tmp/cp425      # needs a Python 3.8 (e.g. pyenv's 3.8.18)
set -euo pipefail
venv=${1:?usage: setup_cellprofiler.sh VENV_DIR}
python=${PYTHON38:-}
if [ -z "$python" ]; then
    # The first Python 3.8 that runs (a pyenv shim may exist without its version selected).
    for candidate in python3.8 "$HOME"/.pyenv/versions/3.8*/bin/python3.8; do
        if "$candidate" -c "import sys" 2>/dev/null; then python=$candidate; break; fi
    done
fi
[ -n "$python" ] || { echo "needs Python 3.8 (set PYTHON38)" >&2; exit 1; }
"$python" -m venv "$venv"
pip="$venv/bin/pip"
"$pip" install -q "numpy==1.23.5" "scipy==1.9.0" "scikit-image==0.18.3" "cython<3" wheel setuptools \
    "tifffile==2023.7.10" "imagecodecs==2023.3.16"
"$pip" install -q --no-build-isolation "centrosome==1.2.1"
"$pip" install -q --no-deps "cellprofiler==4.2.5" "cellprofiler-core==4.2.5"
"$pip" install -q "docutils==0.15.2" boto3 h5py future psutil inflect
echo "ready: $venv/bin/python cellprofiler_reference.py STEINBOCK_CPPIPE ISP_CPPIPE"
