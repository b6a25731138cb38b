#!/usr/bin/env bash
# Issue-23 three-seed evaluation of the shipped recipes (RESULTS "Issue 23 + 24: three seeds"): each shipped checkpoint
# (seed 0) with its seeds 1 and 2 (train_i23_seeds.sh) as one model of seed replicates (`auglift evaluate --models
# NAME=seed0,seed1,seed2`: mean and std over seeds; comparisons average the per-pose errors of the seeds, paired
# bootstrap over test takes), on the tables of build_i24_eval.sh: the whole test sets at the calibrated severity S
# (DEGRADATION=1 also at 2S and with the depth withheld). A recipe enters only when all three seeds exist. Resumable
# (an existing output folder is skipped). ARCHS="poseformer-9f" SUFFIX=-poseformer evaluates one architecture into
# eval_seeds_*-poseformer. Usage: bash benchmarks/reference/evaluate_i23_seeds.sh ROOT S
set -u
ROOT=$1 S=$2
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
MODELS=() CMP=()
for arch in ${ARCHS:-tcn-27f poseformer-9f}; do
  ship=${arch/poseformer-9f/poseformer}  # checkpoint names: tcn-27f-xy, poseformer-xy
  for v in xy xycd casp; do
    runs=$ROOT/runs/$arch-$v-surface-seed
    [ -f "${runs}1/final/model.safetensors" ] && [ -f "${runs}2/final/model.safetensors" ] || continue
    MODELS+=("$ship-$v=$REPO/checkpoints/$ship-$v,${runs}1/final,${runs}2/final")
    [ "$v" = xy ] || { [[ " ${MODELS[*]} " == *" $ship-xy="* ]] && CMP+=("$ship-xy:$ship-$v"); }
  done
done
[ ${#CMP[@]} -gt 0 ] || { echo "no complete XY / depth pair of three seeds under $ROOT/runs" >&2; exit 2; }
# two one-thread lanes of about equal size (37k and 34k scored frames)
evaluate_severity_sets "$ROOT/eval_seeds" "${SUFFIX:-}" "$ROOT" "$S" "${DEGRADATION:-0}"
