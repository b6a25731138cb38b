#!/usr/bin/env bash
# Issue-24 evaluation of the re-shipped surface-v2 checkpoints (RESULTS "Issue 24: re-shipped checkpoints on whole
# test sets"): reference rows for ship.py, then `auglift evaluate` of the shipped folders against their XY twins on
# the whole test sets at the calibrated severity S, at 2S, and with the depth withheld. Steps are resumable (an
# existing output folder is skipped). Usage: bash evaluate_i24.sh ROOT S STEP  (STEP: reference | shipped)
#   ROOT: build_i24_eval.sh / train_i24_reship.sh root; reference: before ship.py; shipped: after it.
set -u
ROOT=$1 S=$2 STEP=$3
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
PY=$REPO/.venv/bin/python
PAIRS=(tcn-27f-xy:tcn-27f-xycd tcn-27f-xy:tcn-27f-casp poseformer-xy:poseformer-xycd poseformer-xy:poseformer-casp)
RUNS=() MODELS=() CMP=()
for pair in "${PAIRS[@]}"; do
  xy=${pair%%:*} depth=${pair##*:}
  run=${depth/poseformer-/poseformer-9f-}-surface  # run names: tcn-27f-xycd-surface, poseformer-9f-xycd-surface
  [ -f "$ROOT/runs/$run/final/model.safetensors" ] || continue
  RUNS+=("$ROOT/runs/$run/final")
  [[ " ${MODELS[*]} " == *" $REPO/checkpoints/$xy "* ]] || MODELS+=("$REPO/checkpoints/$xy")
  MODELS+=("$REPO/checkpoints/$depth")
  CMP+=("$pair")
done
if [ "$STEP" = reference ]; then
  "$PY" "$HERE/evaluate.py" --data "$ROOT/sev_$S" --out "$ROOT/eval_sev$S" --stride 10 --table-stride test_cmu=1 \
    "${RUNS[@]}"
  exit $?
fi
evaluate_severity_sets "$ROOT/eval_i24" "" "$ROOT" "$S" 1
