#!/usr/bin/env bash
# Issue-24 re-ship: the shipped XYCD / CASP checkpoints (TCN 27f, PoseFormer 9f) retrained on surface-v2 depth with one
# severity per training sequence drawn in [LO, HI] (centred above the calibrated severity: benchmarks/RESULTS.md,
# "Issue 24: calibration"), on the uncapped detector-definition 2D table whose 2D is the XY twins' to the bit
# (build_data.py --depth-simulation surface-v2; the XY checkpoints read the same 2D and are not retrained).
# Same recipes and budgets as train_i14_long.sh (TCN 20,000 steps, PoseFormer 7,000 steps, x128, stride 4, seed 0).
# Two one-thread lanes; resumable (finished tables and runs are skipped, runs resume from their last checkpoint).
# Usage: bash benchmarks/reference/train_i24_reship.sh ROOT LO HI   (LANES="b" runs one lane only)
set -u
ROOT=$1 LO=$2 HI=$3
HERE=$(cd "$(dirname "$0")" && pwd)
CFG=$HERE/configs
source "$HERE/../lanes.sh"
TABLE=$ROOT/train_surface_full
PY=$REPO/.venv/bin/python

build_table() {
  [ -f "$TABLE/README.md" ] && return 0
  "$PY" "$HERE/build_data.py" --detector-preset optimistic --out "$ROOT" --only train_noisy --train-name train_surface_full --train-max-frames 0 \
    --depth-simulation surface-v2 --train-severity "$LO" "$HI" >> "$ROOT/logs/tables.log" 2>&1 || touch "$TABLE.failed"
}
run() {  # config-name run-name overrides...
  local cfg=$1 name=$2
  shift 2
  while [ ! -f "$TABLE/README.md" ]; do [ -f "$TABLE.failed" ] && return 1; sleep 20; done
  train_run "$name" "$CFG/$cfg.yaml" "train_datasets=[$TABLE]" train_stride=4 save_strategy=steps \
    save_steps=2000 save_total_limit=1 resume=true "$@"
}
tcn() { run "tcn-27f-$1-real" "tcn-27f-$1-surface" max_steps=20000 lr_decay=0.87; }
poseformer() { run "poseformer-9f-$1-real" "poseformer-9f-$1-surface" max_steps=7000 lr_decay=0.68; }

lane_a() { build_table; tcn xycd; poseformer casp; }
lane_b() { tcn casp; poseformer xycd; }
for lane in ${LANES:-a b}; do "lane_$lane" & done
wait
