#!/usr/bin/env bash
# Issue-24 calibration (benchmarks/RESULTS.md, "Issue 24: calibration pilot"): TCN 27f XY vs XYCD on surface-v2
# depth at severities 0 / 0.5 / 0.75 / 1, three seeds each, on real H36M motion (first 150 frames of every sequence, four
# real cameras) with simulated detector 2D. Two lanes of one CPU thread (~45 min on 2 idle cores); resumable.
# Usage: bash benchmarks/calibration/run.sh [root]   (default /work/cache/calibration), then evaluate.sh [root].
set -u
ROOT=${1:-/work/cache/calibration}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lanes.sh"
SHARED=$REPO/../shared/data/h36m

table() {  # severity: the same motion, cameras and detector seed, so every table has the same 2D
  [ -f "$ROOT/surf_$1/README.md" ] || "$AUGLIFT" convert h36m --positions-3d "$SHARED/data_3d_h36m_fk25.npz" \
    --cameras "$SHARED/cameras.pkl" --depth-source synthetic --depth-simulation surface-v2 --depth-severity "$1" \
    --simulate-detector --max-frames 150 --out "$ROOT/surf_$1" --no-progress >> "$ROOT/logs/tables.log" 2>&1
}
run() {  # name config table seed
  train_run "$1" "$HERE/configs/$2" "train_datasets=[$ROOT/$3]" "seed=$4" "data_seed=$4"
}
lane_a() {
  table 0 && table 1
  for s in 0 1 2; do run "xy-seed$s" tcn-27f-xy-surface.yaml surf_1 $s; done  # XY ignores depth: one table
  for s in 0 1 2; do run "xycd-sev0-seed$s" tcn-27f-xycd-surface.yaml surf_0 $s; done
  table 0.75
  for s in 0 2; do run "xycd-sev0.75-seed$s" tcn-27f-xycd-surface.yaml surf_0.75 $s; done
}
lane_b() {
  table 0.5
  for s in 0 1 2; do run "xycd-sev0.5-seed$s" tcn-27f-xycd-surface.yaml surf_0.5 $s; done
  while [ ! -f "$ROOT/surf_1/README.md" ]; do sleep 10; done
  for s in 0 1 2; do run "xycd-sev1-seed$s" tcn-27f-xycd-surface.yaml surf_1 $s; done
  while [ ! -f "$ROOT/surf_0.75/README.md" ]; do sleep 10; done
  run xycd-sev0.75-seed1 tcn-27f-xycd-surface.yaml surf_0.75 1
}
lane_a & lane_b & wait
