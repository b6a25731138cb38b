#!/usr/bin/env bash
# Issue-24 evaluation tables: whole H36M S9/S11 test set and the CMU motion (build_data.py, same 2D as every earlier
# reference table), and HumanEva-I (auglift convert humaneva), each with surface-v2 depth at the given severities.
# Resumable: finished tables are skipped. Usage: bash benchmarks/reference/build_i24_eval.sh ROOT SEVERITY...
set -u
ROOT=$1
shift
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
for S in "$@"; do
  OUT=$ROOT/sev_$S
  for t in test_cmu test; do
    [ -f "$OUT/$t/README.md" ] || "$REPO/.venv/bin/python" "$HERE/build_data.py" --detector-preset optimistic --out "$OUT" --only "$t" \
      --test-max-frames 0 --depth-simulation surface-v2 --test-severity "$S" >> "$ROOT/logs/tables.log" 2>&1
  done
  [ -f "$OUT/humaneva/README.md" ] || "$AUGLIFT" convert humaneva "$REPO/../shared/data/humaneva" --out "$OUT/humaneva" \
    --simulate-detector --detector-preset optimistic --depth-source synthetic --depth-simulation surface-v2 --depth-severity "$S" --no-progress \
    >> "$ROOT/logs/tables.log" 2>&1
done
