#!/usr/bin/env bash
# Longer-budget pairs (run after train_all.sh, when the machine was quieter): TCN 27f 4x steps, PoseFormer 9f 3x
# steps, the LR decay stretched so the final LR is ~1/8 of the initial one. Same seeds within each pair.
# Usage: bash benchmarks/reference/train_long.sh [runs_root]
set -u
ROOT=${1:-/work/cache/h36m_ref}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
REPO=$(cd "$(dirname "$0")/../.." && pwd)
AUGLIFT=${AUGLIFT:-$REPO/.venv/bin/auglift}
mkdir -p "$ROOT/logs"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1

run() {  # config-name run-name overrides...
  local cfg=$1 name=$2; shift 2
  echo "$(date -u +%FT%TZ) start $name" >> "$ROOT/logs/lanes.log"
  "$AUGLIFT" train "$CFG/$cfg.yaml" "output_dir=$ROOT/runs/$name" "train_datasets=[$ROOT/train_noisy]" "$@" \
    > "$ROOT/logs/train-$name.log" 2>&1
  local rc=$?
  echo "$(date -u +%FT%TZ) end $name rc=$rc" >> "$ROOT/logs/lanes.log"
}

lane() {  # xy or xycd
  run "tcn-27f-$1" "tcn-27f-$1-long" max_steps=4800 lr_decay=0.83
  run "poseformer-9f-$1" "poseformer-9f-$1-long" max_steps=1800 lr_decay=0.6
}

lane xy &
lane xycd &
wait
