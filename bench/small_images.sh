#!/usr/bin/env bash
# Throughput over many small images (issue #15): one `predict` over 200 prepared 200x200 images
# against one `predict` process per image (model loaded 200 times, one image at a time).
#
#   bench/small_images.sh BIN MODEL RAW_TIFF WORK_DIR
#
# RAW_TIFF is an 11-channel acquisition of at least 1000x2000 (`pixelforest synth --size 2000`);
# 200 crops of 100x100 are cut from it and prepared (2x: 200x200x12). MODEL is a 12-channel model.
set -euo pipefail
bin=$(realpath "$1"); model=$(realpath "$2"); raw=$(realpath "$3"); work=$4
here=$(dirname "$(realpath "$0")")
mkdir -p "$work"; cd "$work"
if [ ! -d small_s2 ]; then
  python3 - "$raw" <<'PY'
import sys, pathlib, tifffile
src = pathlib.Path(sys.argv[1]); out = pathlib.Path("small_raw"); out.mkdir(exist_ok=True)
a = tifffile.imread(src); names = src.with_suffix(".csv").read_text()
for i in range(200):
    y, x = (i // 20) * 100, (i % 20) * 100
    tifffile.imwrite(out / f"c{i:03d}_ilastik.tiff", a[:, y:y + 100, x:x + 100], photometric="minisblack")
    (out / f"c{i:03d}_ilastik.csv").write_text(names)
PY
  "$bin" prepare small_raw --out small_s2 --crops-per-image 0 --quiet
fi
rm -rf batch_out single_out
t0=$(date +%s.%N)
"$bin" predict -m "$model" small_s2 -o batch_out --uncertainty --quiet
t1=$(date +%s.%N)
for f in small_s2/*_s2.h5; do
  "$bin" predict -m "$model" "$f" -o single_out --uncertainty --quiet
done
t2=$(date +%s.%N)
n=$(ls small_s2/*_s2.h5 | wc -l)
cmp -s <(cd batch_out && sha256sum ./*.tiff ./uncertainty/*.tiff) <(cd single_out && sha256sum ./*.tiff ./uncertainty/*.tiff) \
  && same="identical outputs" || same="OUTPUTS DIFFER"
awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v same="$same" 'BEGIN {
  printf "one batch: %d images in %.1f s = %.2f images/s\n", n, b - a, n / (b - a);
  printf "one process per image: %.1f s = %.2f images/s (%s)\n", c - b, n / (c - b), same }'
