#!/usr/bin/env bash
# Issue-24.5 campaign, step 1: every table the shipped lifters are trained and judged on, rebuilt with the simulated
# detector fitted to real MoveNet (PRESET, default `movenet-fitted`: auglift_hf.simulation.detector2d
# COCO_DETECTOR_PRESETS; benchmarks/RESULTS.md "Issue 24: the detector fitted to MoveNet"). Same layout, recipes and
# seeds as the tables of the current checkpoints, only the detector preset differs:
#   ROOT/train_surface_full   H36M S1/5/6/7/8 training table, surface-v2 depth U[2, 4] (as train_i24_reship.sh)
#   ROOT/train_bvh_surface    Bandai Namco clips, 2 re-proportioned bodies, surface-v2 depth U[2, 4] (as
#                             DEPTH=1 train_i26_mixture.sh; XY lifters read its 2D and ignore the depth)
#   ROOT/sev_S/{test,test_cmu,humaneva}   the whole evaluation sets at severities 3 and 6 (as build_i24_eval.sh)
#   ROOT/eval_xy/test_ood     the out-of-domain cameras (as train_i26_mixture.sh)
# Serial, each surface-v2 table on WORKERS processes (default 2); resumable: finished tables are skipped and a killed
# build resumes from its depth cache with the same bytes. Log: ROOT/logs/tables.log; progress: ROOT/logs/fitted.log.
# Usage: bash benchmarks/reference/build_i24_fitted.sh ROOT BVH_DIR
set -u
ROOT=$1 BVH=$2
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
PY=$REPO/.venv/bin/python
PRESET=${PRESET:-movenet-fitted} W=${WORKERS:-2}
LOG=$ROOT/logs/tables.log

step() {  # folder command...: run the command unless folder/README.md exists; stop the script on failure
  local folder=$1
  shift
  [ -f "$folder/README.md" ] && return 0
  echo "$(date -u +%FT%TZ) start $folder" >> "$ROOT/logs/fitted.log"
  "$@" >> "$LOG" 2>&1 || { echo "$(date -u +%FT%TZ) FAILED $folder (see $LOG)" | tee -a "$ROOT/logs/fitted.log" >&2; exit 1; }
  echo "$(date -u +%FT%TZ) end $folder" >> "$ROOT/logs/fitted.log"
}
build() {  # out name-of-table build_data.py args...
  local out=$1 name=$2
  shift 2
  step "$out/$name" "$PY" "$HERE/build_data.py" --out "$out" --detector-preset "$PRESET" "$@"
}
eval_set() {  # severity
  local out=$ROOT/sev_$1
  build "$out" test --only test --test-max-frames 0 --depth-simulation surface-v2 --test-severity "$1" \
    --workers "$W" --depth-cache "$out/test.depth_cache"
  build "$out" test_cmu --only test_cmu --test-max-frames 0 --depth-simulation surface-v2 --test-severity "$1" \
    --workers "$W" --depth-cache "$out/test_cmu.depth_cache"
  step "$out/humaneva" "$AUGLIFT" convert humaneva "$REPO/../shared/data/humaneva" --out "$out/humaneva" \
    --simulate-detector --detector-preset "$PRESET" --depth-source synthetic --depth-simulation surface-v2 \
    --depth-severity "$1" --workers "$W" --depth-cache "$out/humaneva.depth_cache" --no-progress
}

build "$ROOT" train_surface_full --only train_noisy --train-name train_surface_full --train-max-frames 0 \
  --depth-simulation surface-v2 --train-severity 2 4 --workers "$W" --depth-cache "$ROOT/train_surface_full.depth_cache"
eval_set 3
build "$ROOT" train_bvh_surface --only train_bvh --bvh "$BVH" --bvh-name train_bvh_surface --train-max-frames 0 \
  --body-proportions 2 --depth-simulation surface-v2 --train-severity 2 4 --workers "$W" \
  --depth-cache "$ROOT/train_bvh_surface.depth_cache"
eval_set 6
build "$ROOT/eval_xy" test_ood --only test_ood --no-depth
echo "$(date -u +%FT%TZ) all tables built" >> "$ROOT/logs/fitted.log"
