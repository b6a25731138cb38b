#!/usr/bin/env bash
# Largest TCN 27f budget (after train_long.sh): the XY / XYCD pair on the uncapped training table
# (build_data.py --train-max-frames 0 --train-name train_noisy_full), 20,000 steps x 128, lr_decay chosen so the
# final LR is ~1/10 of the initial one (see the configs). Same seed within the pair, two lanes of one thread.
# Usage: bash benchmarks/reference/train_xl.sh [data_root]
set -u
ROOT=${1:-/work/cache/h36m_ref}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

for v in xy xycd; do
  train_run "tcn-27f-$v-xl" "$CFG/tcn-27f-$v-xl.yaml" "train_datasets=[$ROOT/train_noisy_full]" &
done
wait
