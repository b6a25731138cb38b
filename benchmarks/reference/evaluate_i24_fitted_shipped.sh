#!/usr/bin/env bash
# Issue 24.5: the shipped checkpoints (trained on the default detector preset) on the evaluation tables at severity 3
# built with the MoveNet-fitted detector (build_i24_fitted.sh) and on the same tables built with the default preset
# (build_i24_eval.sh): same motion, cameras, depth simulation and seeds, only the detector differs. Every 10th frame;
# resumable (an existing output folder is skipped). RESULTS "Issue 24: the detector fitted to MoveNet".
# Usage: bash benchmarks/reference/evaluate_i24_fitted_shipped.sh FITTED_ROOT I24_ROOT   (writes FITTED_ROOT/eval_shipped)
set -u
FITTED=$1 I24=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$FITTED
source "$HERE/../lanes.sh"
MODELS=()
for v in tcn-27f-xy tcn-27f-xycd tcn-27f-casp poseformer-xy poseformer-xycd poseformer-casp; do
  MODELS+=("$v=$REPO/checkpoints/$v")
done
CMP=(tcn-27f-xy:tcn-27f-xycd tcn-27f-xy:tcn-27f-casp poseformer-xy:poseformer-xycd poseformer-xy:poseformer-casp)
for tag in "fitted:$FITTED/sev_3" "default:$I24/sev_3"; do
  tables=${tag#*:}
  evaluate_models "$FITTED/eval_shipped/${tag%%:*}" --datasets "$tables/test" "$tables/test_cmu" "$tables/humaneva" \
    --config detected2d --stride 10
done
