#!/usr/bin/env bash
# Longer-budget pairs (run after train_all.sh, when the machine was quieter): TCN 27f 4x steps, PoseFormer 9f 3x
# steps, the LR decay stretched so the final LR is ~1/8 of the initial one. Same seeds within each pair.
# Usage: bash benchmarks/reference/train_long.sh [runs_root]
set -u
ROOT=${1:-/work/cache/h36m_ref}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

run() {  # config-name run-name overrides...
  local cfg=$1 name=$2
  shift 2
  train_run "$name" "$CFG/$cfg.yaml" "train_datasets=[$ROOT/train_noisy]" "$@"
}

lane() {  # xy or xycd
  run "tcn-27f-$1" "tcn-27f-$1-long" max_steps=4800 lr_decay=0.83
  run "poseformer-9f-$1" "poseformer-9f-$1-long" max_steps=1800 lr_decay=0.6
}

lane xy &
lane xycd &
wait
