#!/usr/bin/env bash
# Issue-24 calibration (benchmarks/RESULTS.md, "Issue 24: calibration"): TCN 27f XY vs XYCD on surface-v2 depth, three
# seeds per severity, on real H36M motion (first 150 frames of every sequence, four real cameras) with simulated
# detector 2D (the same 2D in every table: same motion, cameras and detector seed). A job list worked off by two
# one-thread workers (tables first); resumable: finished tables and runs are skipped.
# Usage: bash benchmarks/calibration/run.sh [root] [severity ...]   (default /work/cache/calibration, 0 0.5 0.75 1 2 3)
# then evaluate.sh [root] [severity ...]. XY and XYC (confidence without depth) ignore depth, so one triple of each (on
# the first severity's table) serves all. ARCH=poseformer-9f runs the PoseFormer recipe (configs/poseformer-9f-*.yaml;
# XY, XYC and XYCD, runs named poseformer-9f-...); WORKERS=1 works the list off in one lane.
set -u
ROOT=${1:-/work/cache/calibration}
shift
SEVERITIES=("$@")
[ ${#SEVERITIES[@]} -gt 0 ] || SEVERITIES=(0 0.5 0.75 1 2 3)
TAG=${TAG:-}                      # e.g. TAG=-auglift EXTRA_CONVERT_FLAGS="--depth-encoding auglift": a variant's tables/runs
EXTRA_CONVERT_FLAGS=${EXTRA_CONVERT_FLAGS:-}
XYC_TAG=${XYC_TAG:-}              # a variant that changes the confidences (e.g. --detector-preset score-calibrated):
                                  # XYC_TAG=$TAG retrains the XYC triple on its tables (XY reads the same 2D to the bit)
ARCH=${ARCH:-tcn-27f}
# DETECTOR_PRESET: the simulated detector of every table (default optimistic: the one these calibration sections
# were measured with; movenet-fitted, the package's default since 2026-12-06, with its own TAG for a recalibration)
WORKERS=${WORKERS:-2}
PREFIX=""
[ "$ARCH" = tcn-27f ] || PREFIX="$ARCH-"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lanes.sh"
SHARED=$REPO/../shared/data/h36m

table() {  # severity
  [ -f "$ROOT/surf_$1$TAG/README.md" ] && return 0
  "$AUGLIFT" convert h36m --positions-3d "$SHARED/data_3d_h36m_fk25.npz" \
    --cameras "$SHARED/cameras.pkl" --depth-source synthetic --depth-simulation surface-v2 --depth-severity "$1" \
    --simulate-detector --detector-preset "${DETECTOR_PRESET:-optimistic}" --max-frames 150 $EXTRA_CONVERT_FLAGS --out "$ROOT/surf_$1$TAG" --no-progress \
    >> "$ROOT/logs/tables.log" 2>&1 || { touch "$ROOT/surf_$1$TAG.failed"; return 1; }
}
run() {  # name config table seed
  while [ ! -f "$ROOT/$3/README.md" ]; do
    [ -f "$ROOT/$3.failed" ] && { echo "table $3 failed: skip $1" >> "$ROOT/logs/lanes.log"; return 1; }
    sleep 10
  done
  train_run "$1" "$HERE/configs/$2" "train_datasets=[$ROOT/$3]" "seed=$4" "data_seed=$4"
}

JOBS=()
for s in "${SEVERITIES[@]}"; do JOBS+=("table $s"); done
if [ "$ARCH" = tcn-27f ]; then
  for seed in 0 1 2; do JOBS+=("run xy-seed$seed tcn-27f-xy-surface.yaml surf_${SEVERITIES[0]}$TAG $seed"); done
  for seed in 0 1 2; do JOBS+=("run xyc$XYC_TAG-seed$seed tcn-27f-xyc-surface.yaml surf_${SEVERITIES[0]}$TAG $seed"); done
  for s in "${SEVERITIES[@]}"; do
    for seed in 0 1 2; do JOBS+=("run xycd-sev$s$TAG-seed$seed tcn-27f-xycd-surface.yaml surf_$s$TAG $seed"); done
  done
else  # seed by seed, so that a stopped campaign leaves whole XY / XYCD pairs
  for seed in 0 1 2; do
    JOBS+=("run ${PREFIX}xy-seed$seed $ARCH-xy-surface.yaml surf_${SEVERITIES[0]}$TAG $seed")
    [ -f "$HERE/configs/$ARCH-xyc-surface.yaml" ] &&
      JOBS+=("run ${PREFIX}xyc$XYC_TAG-seed$seed $ARCH-xyc-surface.yaml surf_${SEVERITIES[0]}$TAG $seed")
    for s in "${SEVERITIES[@]}"; do
      JOBS+=("run ${PREFIX}xycd-sev$s$TAG-seed$seed $ARCH-xycd-surface.yaml surf_$s$TAG $seed")
    done
  done
fi
work_off_jobs "$WORKERS"
