#!/usr/bin/env bash
# Peak RSS and wall time of `predict` and `prepare` (issue #15), with /usr/bin/time -v.
#
#   bench/rss.sh BIN MODEL DATA_DIR [REPEATS]
#
# DATA_DIR holds raw<N>/ (synthetic acquisitions of N x N, 11 channels: `pixelforest synth
# --size N --prefix s<N> --out raw<N>`) for prepare, and prep<N>/ (their prepared `_s2.h5`,
# 2N x 2N x 12) for predict; MODEL is a 12-channel model (`pixelforest demo` writes one).
# Prints one line per run: command, size, seconds, peak RSS in MB. Run it for the build before
# and after a change on the same machine state, and compare ranges over the repeats.
set -euo pipefail
bin=$(realpath "$1"); model=$(realpath "$2"); data=$(realpath "$3"); repeats=${4:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() { # label size command...
  local label=$1 size=$2; shift 2
  /usr/bin/time -v "$@" > /dev/null 2> "$out/time.txt" || { echo "$label $size FAILED"; tail -3 "$out/time.txt"; return; }
  local rss secs
  rss=$(awk -F': ' '/Maximum resident set size/ {print int($2/1024)}' "$out/time.txt")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time.txt")
  echo "$label $size ${secs}s ${rss}MB"
}
for r in $(seq "$repeats"); do
  for dir in "$data"/prep*; do
    [ -d "$dir" ] || continue
    size=$(basename "$dir" | tr -dc 0-9)
    measure predict "$size" "$bin" predict -m "$model" "$dir" -o "$out/p" --uncertainty --overwrite --quiet
  done
  for dir in "$data"/raw*; do
    [ -d "$dir" ] || continue
    size=$(basename "$dir" | tr -dc 0-9)
    [ -n "${SKIP_PREPARE:-}" ] && continue
    measure prepare "$size" "$bin" prepare "$dir" --out "$out/prep" --crops "$out/crops" --overwrite --quiet
  done
done
