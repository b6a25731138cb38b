#!/usr/bin/env bash
# Issue-14 round 4: the "h36m" XY TCN 27f with viewpoint augmentation (one virtual-camera copy of every training
# record, auglift_hf.simulation.viewpoints), without and with body proportions; two one-thread lanes, resumable.
# Tables first (about 1-4 min each):
#   B="python benchmarks/reference/build_data.py --out ROOT --only train_noisy --train-definition h36m --no-depth --train-max-frames 0"
#   $B --virtual-cameras 1 --train-name train_h36m_view;   $B --virtual-cameras 1 --train-noise-free --train-name train_h36m_view_clean
#   $B --virtual-cameras 1 --body-proportions 1 --train-name train_h36m_blview
#   $B --virtual-cameras 1 --body-proportions 1 --train-noise-free --train-name train_h36m_blview_clean
# Usage: bash benchmarks/reference/train_i14_views.sh [root]
set -u
ROOT=${1:-/work/cache/i14c}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

for v in viewmix blviewmix; do
  train_run "tcn-27f-xy-h36m-$v" "$CFG/tcn-27f-xy-h36m-$v.yaml" \
    "train_datasets=[$ROOT/train_h36m_${v%mix},$ROOT/train_h36m_${v%mix}_clean]" &
done
wait
