#!/usr/bin/env bash
# Evaluate the calibration runs of run.sh: at each severity, XY, XYC (confidence, no depth) and XYCD (3 seeds each) on
# that table's whole test split (S9/S11, detected2d), with seed statistics and paired bootstrap intervals over test
# takes (XYCD vs XY, XYC vs XY, XYCD vs XYC). TAG=-auglift evaluates the AugLift-encoding variant on its own tables;
# ARCH=poseformer-9f the PoseFormer runs of run.sh (output eval_poseformer-9f-sevS).
# Usage: bash benchmarks/calibration/evaluate.sh [root] [severity ...]   (default /work/cache/calibration, 2 2.5 3 5)
set -u
ROOT=${1:-/work/cache/calibration}
shift
SEVERITIES=("$@")
[ ${#SEVERITIES[@]} -gt 0 ] || SEVERITIES=(2 2.5 3 5)
TAG=${TAG:-}
XYC_TAG=${XYC_TAG:-}  # as run.sh: the XYC triple of a variant that changes the confidences
ARCH=${ARCH:-tcn-27f}
PREFIX=""
[ "$ARCH" = tcn-27f ] || PREFIX="$ARCH-"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lanes.sh"
R=$ROOT/runs
group() { echo "$1=$R/$2-seed0/final,$R/$2-seed1/final,$R/$2-seed2/final"; }
for sev in "${SEVERITIES[@]}"; do
  out=$ROOT/eval_${PREFIX}sev$sev$TAG
  [ -d "$out" ] && continue
  models=("$(group xy "${PREFIX}xy")" "$(group xycd "${PREFIX}xycd-sev$sev$TAG")")
  compare=(xy:xycd)
  if [ -f "$R/${PREFIX}xyc$XYC_TAG-seed2/final/model.safetensors" ]; then
    models+=("$(group xyc "${PREFIX}xyc$XYC_TAG")")
    compare+=(xy:xyc xyc:xycd)
  fi
  "$AUGLIFT" evaluate --models "${models[@]}" --datasets "$ROOT/surf_$sev$TAG" --config detected2d \
    --compare "${compare[@]}" --out "$out" --no-progress
done
