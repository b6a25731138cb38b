#!/usr/bin/env bash
# Evaluate the calibration runs of run.sh: at each severity, XY (3 seeds) vs XYCD (3 seeds) on that table's whole
# test split (S9/S11, detected2d), with seed statistics and the paired bootstrap interval over test takes.
set -u
ROOT=${1:-/work/cache/calibration}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lanes.sh"
R=$ROOT/runs
xy="xy=$R/xy-seed0/final,$R/xy-seed1/final,$R/xy-seed2/final"
for sev in 0 0.5 0.75 1; do
  xycd="xycd=$R/xycd-sev$sev-seed0/final,$R/xycd-sev$sev-seed1/final,$R/xycd-sev$sev-seed2/final"
  "$AUGLIFT" evaluate --models "$xy" "$xycd" --datasets "$ROOT/surf_$sev" --config detected2d \
    --out "$ROOT/eval_sev$sev" --no-progress
done
