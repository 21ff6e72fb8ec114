#!/usr/bin/env bash
# Long runs of the reader robustness tests (tests/reader_robustness.rs): each reader gets about
# SECONDS_PER_READER (default 600) of mutated inputs. The case count is sized from a short run's
# rate, and each run prints its case count, time and result. Not part of CI (it is long); run
# before claiming robustness:  bash tests/scripts/robustness_long.sh [SECONDS_PER_READER]
# The test binary is run directly, so cargo's build lock is free while it runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
budget="${1:-600}"
bin=$(cargo test --release --test reader_robustness --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*reader_robustness[^"]*"' | tail -1 | cut -d'"' -f4)
export CARGO_MANIFEST_DIR="$PWD"
now() { date +%s.%N; }
for t in damaged_tiff_stacks_never_panic damaged_hdf5_images_never_panic \
         damaged_label_images_never_panic damaged_models_never_panic \
         damaged_ilastik_projects_never_panic; do
    start=$(now)
    PROPTEST_CASES=300 "$bin" --exact "$t" >/dev/null 2>&1
    cases=$(printf '%.0f' "$(echo "300 * $budget / ($(now) - $start)" | bc -l)")
    start=$(date +%s)
    if PROPTEST_CASES="$cases" "$bin" --exact "$t" >"/tmp/$t.log" 2>&1; then
        result=passed
    else
        result="FAILED (see /tmp/$t.log)"
    fi
    echo "$t: $cases cases in $(( $(date +%s) - start )) s: $result"
done
