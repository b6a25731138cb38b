#!/usr/bin/env bash
# Issue-14 reference runs: TCN 27f and PoseFormer 9f, XY / XYCD / CASP, on detector-definition 2D + realistic
# depth + depth dropout (table built by build_data.py --train-name train_real --train-max-frames 150).
# Two one-thread lanes (TCN lane, PoseFormer lane), same seeds in each lane.
# Usage: bash benchmarks/reference/train_i14.sh [root]
set -u
ROOT=${1:-/work/cache/h36m_ref_i14}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

lane() {  # architecture prefix
  for v in xycd xy casp; do train_run "$1-$v-real" "$CFG/$1-$v-real.yaml" "train_datasets=[$ROOT/train_real]"; done
}

lane tcn-27f &
lane poseformer-9f &
wait
