#!/usr/bin/env bash
# Issue-14 budget-matched runs (the shipped checkpoints): TCN 27f and PoseFormer 9f, XY / XYCD / CASP, on the
# uncapped detector-definition 2D + realistic depth table with real-detector confidences (build_data.py --only
# train_noisy --train-name train_real_v2_full --train-max-frames 0), depth dropout as in the *-real configs.
# (The measured XY runs read train_real_full, built before the confidence calibration: same 2D to the bit, only the
# confidences and depth columns differ, which XY lifters do not read.)
# TCN: 20,000 steps x 128 at stride 4 (the old -xl TCNs' budget; ~32 min per model on one idle thread);
# PoseFormer: 7,000 steps x 128 (~34 min per model). LR decay per epoch sized so the final LR is ~0.11 x the first.
# Two one-thread lanes, same seed in each lane. Resumable: re-running continues from the last checkpoint.
# Usage: bash benchmarks/reference/train_i14_long.sh [root]
set -u
ROOT=${1:-/work/cache/i14c}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

run() {  # config-name run-name overrides...
  local cfg=$1 name=$2
  shift 2
  train_run "$name" "$CFG/$cfg.yaml" "train_datasets=[$ROOT/train_real_v2_full]" train_stride=4 save_strategy=steps \
    save_steps=2000 save_total_limit=1 resume=true "$@"
}

tcn_lane() {
  for v in xycd xy casp; do run "tcn-27f-$v-real" "tcn-27f-$v-long" max_steps=20000 lr_decay=0.87; done
}
poseformer_lane() {
  for v in xycd xy casp; do run "poseformer-9f-$v-real" "poseformer-9f-$v-long" max_steps=7000 lr_decay=0.68; done
}

tcn_lane &
poseformer_lane &
wait
