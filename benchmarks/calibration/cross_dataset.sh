#!/usr/bin/env bash
# The calibration lifters (run.sh; TCN 27f, three seeds each, trained at severity S) across datasets and depth
# quality: XY, XYC and XYCD@S on CMU and HumanEva-I with surface-v2 depth at S (the package's honest cross-dataset
# projection, issue 24 item 2), XYCD@S at 2S (item 3) and with the depth withheld (--no-depth).
# Tables from benchmarks/reference/build_i24_eval.sh. Usage: bash cross_dataset.sh CALIB_ROOT EVAL_ROOT S
# ARCH=poseformer-9f: the PoseFormer calibration lifters, at S only (output cross_poseformer-9f-sevS). TAG as run.sh
# (the XYCD runs and the H36M table of a variant, e.g. TAG=-fit on the movenet-fitted calibration with the
# build_i24_fitted.sh tables as EVAL_ROOT).
set -u
ROOT=$1 TABLES=$2 S=$3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lanes.sh"
ARCH=${ARCH:-tcn-27f}
PREFIX=""
[ "$ARCH" = tcn-27f ] || PREFIX="$ARCH-"
R=$ROOT/runs
group() { echo "$1=$R/$PREFIX$2-seed0/final,$R/$PREFIX$2-seed1/final,$R/$PREFIX$2-seed2/final"; }
TAG=${TAG:-}
XY=$(group xy xy) XYC=$(group xyc xyc) XYCD=$(group xycd "xycd-sev$S$TAG")
S2=$(python3 -c "print(f'{2 * float(\"$S\"):g}')")
for sev in "$S" "$S2"; do
  out=$ROOT/cross_${PREFIX}sev$sev
  [ -d "$out" ] || "$AUGLIFT" evaluate --models "$XY" "$XYC" "$XYCD" --datasets "$TABLES/sev_$sev/test_cmu" \
    "$TABLES/sev_$sev/humaneva" --config detected2d --compare xy:xycd xy:xyc xyc:xycd --out "$out" --no-progress
  [ -z "$PREFIX" ] || exit 0
done
[ -d "$ROOT/cross_nodepth" ] || "$AUGLIFT" evaluate --models "$XY" "$XYCD" --datasets "$ROOT/surf_$S$TAG" \
  "$TABLES/sev_$S/test_cmu" "$TABLES/sev_$S/humaneva" --config detected2d --no-depth --compare xy:xycd \
  --out "$ROOT/cross_nodepth" --no-progress
[ -d "$ROOT/h36m_sev$S2" ] || "$AUGLIFT" evaluate --models "$XY" "$XYCD" --datasets "$TABLES/sev_$S2/test" \
  --config detected2d --stride 10 --compare xy:xycd --out "$ROOT/h36m_sev$S2" --no-progress
