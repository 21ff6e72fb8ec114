#!/usr/bin/env bash
# Runs demo, prepare (both layouts) and predict (TIFF, HDF5, float32, uncertainty, several tile
# sizes) with the binary $1 in the folder $2 and prints one sha256 line per output file, so
# outputs of two builds can be compared byte for byte: bench/checksums.sh BIN DIR > sums.txt
set -euo pipefail
bin=$(realpath "$1"); dir=$2
here=$(dirname "$(realpath "$0")")
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
"$bin" demo --out demo --size 150 --images 2 --trees 20 -q > /dev/null
"$bin" synth --out raw --images 1 --size 320 --seed 3 > /dev/null 2>&1
python3 "$here/make_inputs.py" raw/synth_01_ilastik.tiff in
"$bin" prepare in --out isp --crops isp_crops --crop-size 40 --crops-per-image 2 --quiet > /dev/null
"$bin" prepare in --out isp3 --crops isp3_crops --scale 3 --summary sum --crop-size 40 --quiet > /dev/null
"$bin" prepare in --layout steinbock --out sb_img --crops sb_crops --crop-size 40 --hot-pixel-threshold 50 --quiet > /dev/null
model=demo/classifier.pxf
for t in 256 16 23; do
  "$bin" predict -m "$model" isp -o p_tiff_$t --uncertainty --tile-size $t --quiet > /dev/null
  "$bin" predict -m "$model" isp -o p_h5_$t --format h5 --tile-size $t --quiet > /dev/null
done
"$bin" predict -m "$model" isp -o p_f32 --dtype float32 --uncertainty --measure max --quiet > /dev/null
"$bin" predict -m "$model" isp -o p_defl --compression deflate --quiet > /dev/null
find . -type f ! -name '*.log' | sort | xargs sha256sum
