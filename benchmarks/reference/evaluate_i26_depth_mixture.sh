#!/usr/bin/env bash
# Issue-26 second step (after `DEPTH=1 train_i26_mixture.sh`): the TCN 27f XYCD / CASP recipes trained on the H36M +
# Bandai Namco mixture, three seeds each, against their XY twin on the same mixture (tcn-27f-xy-mix) and against the
# H36M-only depth lifters they would replace (tcn-27f-xycd / tcn-27f-casp: the shipped seed 0 + seeds 1-2 of
# train_i23_seeds.sh). Same tables as evaluate_i23_seeds.sh (build_i24_eval.sh: the whole test sets at the calibrated
# severity S, with DEGRADATION=1 also at 2S and with the depth withheld, the issue-24 degradation check a re-shipped
# depth lifter must pass). Resumable (an existing output folder is skipped); with DEGRADATION=1 it ends with
# depth_mixture_table.py ROOT: the tables and the pre-registered decision (RESULTS "Issue 26: the depth pair on the
# mixture, selection rule"), "replace the triple" or "keep the H36M-only triple".
# Usage: bash benchmarks/reference/evaluate_i26_depth_mixture.sh ROOT I24_ROOT S
# The replacement, whole (ROOT=/work/cache/i26 I24=/work/cache/i24 BVH=the Bandai *.bvh folder; python = the repo venv):
#   DEPTH=1 bash benchmarks/reference/train_i26_mixture.sh $ROOT $BVH $I24/train_surface_full
#   DEGRADATION=1 bash benchmarks/reference/evaluate_i26_depth_mixture.sh $ROOT $I24 3   # before any folder is replaced
#   python benchmarks/reference/evaluate.py --data $I24/sev_3 --out $ROOT/eval_ref --stride 10 --table-stride \
#     test_cmu=1 $ROOT/runs/tcn-27f-xycd-mix-seed0/final $ROOT/runs/tcn-27f-casp-mix-seed0/final   # the cards' rows
#   python benchmarks/reference/ship.py --runs $ROOT/runs --eval $ROOT/eval_ref --three-seeds $ROOT --replace \
#     tcn-27f-xy-mix-seed0:tcn-27f-xy tcn-27f-xycd-mix-seed0:tcn-27f-xycd tcn-27f-casp-mix-seed0:tcn-27f-casp
# ship.py refuses (exit 2, nothing written) unless depth_mixture_table.py says replace; without --replace it refuses
# existing folders. Then README / RESULTS tables and `card_data.py --check` (the lead).
set -u
ROOT=$1 I24=$2 S=$3
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
for p in "$ROOT/runs/tcn-27f-"{xy,xycd,casp}"-mix-seed"{0,1,2} "$I24/runs/tcn-27f-"{xycd,casp}"-surface-seed"{1,2}; do
  [ -f "$p/final/model.safetensors" ] || { echo "missing run $p (train it first)" >&2; exit 2; }
done
for v in xycd casp; do  # the H36M-only baseline is the shipped seed 0: gone once the triple is replaced
  [ -d "$ROOT/eval_mixd_nodepth" ] || ! grep -q '"training_sources"' "$REPO/checkpoints/tcn-27f-$v/eval_results.json" ||
    { echo "checkpoints/tcn-27f-$v is trained on a mixture (already replaced): not the H36M-only baseline" >&2; exit 2; }
done
mix() { echo "$ROOT/runs/tcn-27f-$1-mix-seed0/final,$ROOT/runs/tcn-27f-$1-mix-seed1/final,$ROOT/runs/tcn-27f-$1-mix-seed2/final"; }
MODELS=("tcn-27f-xy-mix=$(mix xy)")
CMP=()
for v in xycd casp; do
  MODELS+=("tcn-27f-$v-mix=$(mix "$v")"
           "tcn-27f-$v=$REPO/checkpoints/tcn-27f-$v,$I24/runs/tcn-27f-$v-surface-seed1/final,$I24/runs/tcn-27f-$v-surface-seed2/final")
  CMP+=("tcn-27f-xy-mix:tcn-27f-$v-mix" "tcn-27f-$v:tcn-27f-$v-mix")
done
evaluate_severity_sets "$ROOT/eval_mixd" "" "$I24" "$S" "${DEGRADATION:-0}"
[ "${DEGRADATION:-0}" = 1 ] || exit 0
"$REPO/.venv/bin/python" "$HERE/depth_mixture_table.py" "$ROOT"
