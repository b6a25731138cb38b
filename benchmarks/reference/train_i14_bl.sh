#!/usr/bin/env bash
# Issue-14 round 3: the round-2 TCN 27f XY / XYCD / CASP runs (train_i14_long.sh: same configs, seed, 20,000 steps
# x 128 at stride 4) on the table with one re-proportioned copy of every take (build_data.py --only train_noisy
# --train-name train_real_bl --train-max-frames 0 --body-proportions 1), twice as many rows, so lr_decay 0.757 =
# 0.87^2 per (twice as long) epoch keeps the per-step schedule. One one-thread process per variant, resumable.
# Usage: bash benchmarks/reference/train_i14_bl.sh [root] [variant ...]   (default variants: xy xycd casp)
set -u
ROOT=${1:-/work/cache/i14c}
shift || true
VARIANTS=${*:-xy xycd casp}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

run() {  # variant
  train_run "tcn-27f-$1-bl" "$CFG/tcn-27f-$1-real.yaml" "train_datasets=[$ROOT/train_real_bl]" train_stride=4 \
    save_strategy=steps save_steps=2000 save_total_limit=1 resume=true max_steps=20000 lr_decay=0.757
}

# one process per variant: three one-thread runs on two cores finish sooner than two sequential lanes
for v in $VARIANTS; do run "$v" & done
wait
