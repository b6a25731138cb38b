#!/usr/bin/env bash
# Issue-26 mixture candidate (benchmarks/RESULTS.md "Issue 26: training mixture with Bandai Namco motion, selection
# rule", written before any mixture run): the shipped TCN 27f XY recipe (20,000 steps x 128, stride 4, lr_decay 0.87
# per epoch) on H36M (weight 0.7, the uncapped detector-definition 2D table of train_i24_reship.sh) + the Bandai Namco
# clips (weight 0.3), seeds 0, 1, 2. The mixture's epoch is the H36M table's (train_epoch_windows=first), so the
# learning-rate schedule and the number of windows seen equal the baseline's (tcn-27f-xy and its seeds 1-2).
# The Bandai table: build_data.py --only train_bvh (auglift_hf.data.bvh: retargeted onto S1's bone lengths + 2
# re-proportioned bodies, 25 fps, the four real cameras of one H36M training subject per clip, the same simulated
# detector as the H36M table; no depth columns: XY lifters only). Also builds the XY evaluation tables the rule
# reports beside the build_i24_eval.sh ones: the out-of-domain cameras (test_ood) and CMU with noise-free
# detector-definition 2D (test_cmu_cocogt, the lifter's own ground-truth input), and the same for H36M S9/S11
# (test_cocogt). Two one-thread lanes; resumable.
# DEPTH=1 (the rule's second step, after the XY candidate passed): the Bandai table with surface-v2 depth columns
# (train_bvh_surface: the same 2D and scores to the bit as train_bvh, severities U[2, 4] per sequence as the shipped
# depth lifters; two depth passes (gt2d, detected2d) over 36,912 sequences, ~8 sequences/s on one loaded thread;
# TABLE_WORKERS=2 splits them over two processes with the same bytes; resumable: each sequence's depth is kept in a
# cache until the table is written) and the TCN 27f XYCD / CASP recipes of train_i24_reship.sh on the same mixture,
# seeds 0-2 (tcn-27f-{xycd,casp}-mix-seed*), twins of tcn-27f-xy-mix.
# Usage: bash benchmarks/reference/train_i26_mixture.sh ROOT BVH_DIR H36M_TABLE
#   e.g. ROOT=/work/cache/i26, BVH_DIR = the fetched Bandai-Namco-Research-Motiondataset *.bvh (3,076 clips),
#   H36M_TABLE=/work/cache/i24/train_surface_full
set -u
ROOT=$1 BVH=$2 H36M=$3
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
PY=$REPO/.venv/bin/python
BANDAI=$ROOT/train_bvh
[ -f "$H36M/README.md" ] || { echo "no H36M training table at $H36M (train_i24_reship.sh builds it)" >&2; exit 2; }

if [ ! -f "$BANDAI/README.md" ]; then
  "$PY" "$HERE/build_data.py" --detector-preset optimistic --out "$ROOT" --only train_bvh --bvh "$BVH" --train-max-frames 0 --body-proportions 2 \
    --no-depth >> "$ROOT/logs/tables.log" 2>&1 || { echo "train_bvh failed: $ROOT/logs/tables.log" >&2; exit 1; }
fi
eval_tables() {
  [ -f "$ROOT/eval_xy/test_ood/README.md" ] || "$PY" "$HERE/build_data.py" --detector-preset optimistic --out "$ROOT/eval_xy" --only test_ood \
    --no-depth >> "$ROOT/logs/tables.log" 2>&1
  [ -f "$ROOT/eval_xy/test_cmu_cocogt/README.md" ] || "$PY" "$HERE/build_data.py" --detector-preset optimistic --out "$ROOT/eval_xy" \
    --only test_cmu --gt-definition coco --no-depth >> "$ROOT/logs/tables.log" 2>&1
  [ -f "$ROOT/eval_xy/test_cocogt/README.md" ] || "$PY" "$HERE/build_data.py" --detector-preset optimistic --out "$ROOT/eval_xy" \
    --only test --gt-definition coco --no-depth >> "$ROOT/logs/tables.log" 2>&1
}
BANDAI_DEPTH=$ROOT/train_bvh_surface
mix() {  # recipe xy|depth seed: the shipped TCN recipe and budget on H36M 0.7 + Bandai 0.3 (its table without / with depth)
  local bandai=$BANDAI
  [ "$2" = depth ] && bandai=$BANDAI_DEPTH
  train_run "tcn-27f-$1-mix-seed$3" "$HERE/configs/tcn-27f-$1-real.yaml" "train_datasets=[$H36M,$bandai]" \
    "train_weights=[0.7,0.3]" train_epoch_windows=first train_stride=4 max_steps=20000 lr_decay=0.87 \
    save_strategy=steps save_steps=2000 save_total_limit=1 resume=true "seed=$3" "data_seed=$3"
}
if [ "${DEPTH:-0}" != 1 ]; then
  JOBS=("mix xy xy 0" "mix xy xy 1" "eval_tables" "mix xy xy 2")
  work_off_jobs 2
  exit 0
fi
if [ ! -f "$BANDAI_DEPTH/README.md" ]; then
  "$PY" "$HERE/build_data.py" --detector-preset optimistic --out "$ROOT" --only train_bvh --bvh "$BVH" --bvh-name train_bvh_surface \
    --train-max-frames 0 --body-proportions 2 --depth-simulation surface-v2 --train-severity 2 4 \
    --workers "${TABLE_WORKERS:-1}" --depth-cache "$ROOT/train_bvh_surface.depth_cache" >> "$ROOT/logs/tables.log" \
    2>&1 || { echo "train_bvh_surface failed: $ROOT/logs/tables.log" >&2; exit 1; }
fi
JOBS=()
for seed in 0 1 2; do for v in xycd casp; do JOBS+=("mix $v depth $seed"); done; done
work_off_jobs 2
