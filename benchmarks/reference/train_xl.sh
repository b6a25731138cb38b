#!/usr/bin/env bash
# Largest TCN 27f budget (after train_long.sh): the XY / XYCD pair on the uncapped training table
# (build_data.py --train-max-frames 0 --train-name train_noisy_full), 20,000 steps x 128, lr_decay chosen so the
# final LR is ~1/10 of the initial one (see the configs). Same seed within the pair, two lanes of one thread.
# Usage: bash benchmarks/reference/train_xl.sh [data_root]
set -u
ROOT=${1:-/work/cache/h36m_ref}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
REPO=$(cd "$(dirname "$0")/../.." && pwd)
AUGLIFT=${AUGLIFT:-$REPO/.venv/bin/auglift}
mkdir -p "$ROOT/logs"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1

run() {  # variant (xy | xycd)
  local name=tcn-27f-$1-xl
  echo "$(date -u +%FT%TZ) start $name" >> "$ROOT/logs/lanes.log"
  "$AUGLIFT" train "$CFG/$name.yaml" "output_dir=$ROOT/runs/$name" "train_datasets=[$ROOT/train_noisy_full]" \
    > "$ROOT/logs/train-$name.log" 2>&1
  local rc=$?
  echo "$(date -u +%FT%TZ) end $name rc=$rc" >> "$ROOT/logs/lanes.log"
}

run xy &
run xycd &
wait
