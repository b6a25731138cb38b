#!/usr/bin/env bash
# Issue-24.5 campaign, step 3 (after train_i24_fitted.sh): the recipes retrained on MoveNet-fitted detector 2D
# (`*-fit`, three seeds each) against the shipped checkpoints with their seeds (trained on the `optimistic` preset,
# the default until 2026-12-06: the TCN triple on the mixture, /work/cache/i26 runs; the PoseFormer triple on H36M,
# /work/cache/i24 runs), on the whole evaluation sets built with the fitted detector (build_i24_fitted.sh) at the
# calibrated severity S; DEGRADATION=1 adds 2S and the depth withheld (issue 24's degradation target for whatever is
# re-shipped); DEFAULT_TABLES=1 adds the same sets built with the `optimistic` preset (I24_ROOT/sev_S: what the
# retrained lifters lose on the kinder 2D). Judged by fitted_table.py (RESULTS "re-ship on MoveNet-fitted 2D").
# One family at a time (FAMILIES="tcn poseformer" by default; a family whose runs are not all trained is refused),
# into ROOT/eval_fit_<family>_{h36m,det,gt}[_default] and, with DEGRADATION=1, ROOT/eval_fit_<family>_{2x,nodepth}.
# Resumable: an existing output folder is skipped. Usage:
#   [FAMILIES=tcn] bash benchmarks/reference/evaluate_i24_fitted.sh ROOT I26_ROOT I24_ROOT S
# The re-ship of a family, whole (ROOT=/work/cache/i24f; python = the repo venv; the TCN family shown, PoseFormer the
# same with FAMILIES=poseformer, poseformer-9f-V-fit-seed0:poseformer-V):
#   DEGRADATION=1 DEFAULT_TABLES=1 FAMILIES=tcn bash benchmarks/reference/evaluate_i24_fitted.sh $ROOT $I26 $I24 3
#   python benchmarks/reference/fitted_table.py $ROOT tcn   # the tables and the rule's decision
#   python benchmarks/reference/evaluate.py --data $ROOT/sev_3 --out $ROOT/eval_ref --stride 10 --table-stride \
#     test_cmu=1 $ROOT/runs/tcn-27f-{xy,xycd,casp}-fit-seed0/final   # the cards' rows
#   python benchmarks/reference/ship.py --runs $ROOT/runs --eval $ROOT/eval_ref --fitted $ROOT --replace \
#     tcn-27f-xy-fit-seed0:tcn-27f-xy tcn-27f-xycd-fit-seed0:tcn-27f-xycd tcn-27f-casp-fit-seed0:tcn-27f-casp
# ship.py refuses (exit 2, nothing written) unless fitted_table.py says replace for every family named.
set -u
ROOT=$1 I26=$2 I24=$3 S=$4
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
seeds() {  # run-root name-with-{seed}: the three seed folders, comma-separated
  local root=$1 pattern=$2 out="" k
  for k in 0 1 2; do out+="${out:+,}$root/runs/${pattern//\{seed\}/$k}/final"; done
  echo "$out"
}
judge_family() {  # tcn | poseformer: its three -fit recipes against the shipped recipe's seeds
  local family=$1 v p m f
  MODELS=() CMP=()
  for v in xy xycd casp; do
    if [ "$family" = tcn ]; then
      MODELS+=("tcn-27f-$v-fit=$(seeds "$ROOT" "tcn-27f-$v-fit-seed{seed}")" "tcn-27f-$v=$(seeds "$I26" "tcn-27f-$v-mix-seed{seed}")")
      CMP+=("tcn-27f-$v:tcn-27f-$v-fit")
    else
      p="$REPO/checkpoints/poseformer-$v,$I24/runs/poseformer-9f-$v-surface-seed1/final,$I24/runs/poseformer-9f-$v-surface-seed2/final"
      MODELS+=("poseformer-9f-$v-fit=$(seeds "$ROOT" "poseformer-9f-$v-fit-seed{seed}")" "poseformer-$v=$p")
      CMP+=("poseformer-$v:poseformer-9f-$v-fit")
    fi
  done
  for v in xycd casp; do
    if [ "$family" = tcn ]; then CMP+=("tcn-27f-xy-fit:tcn-27f-$v-fit"); else CMP+=("poseformer-9f-xy-fit:poseformer-9f-$v-fit"); fi
  done
  for m in "${MODELS[@]}"; do
    IFS=, read -ra folders <<< "${m#*=}"
    for f in "${folders[@]}"; do [ -f "$f/model.safetensors" ] || { echo "missing run $f (train it first)" >&2; return 2; }; done
  done
  evaluate_severity_sets "$ROOT/eval_fit_$family" "" "$ROOT" "$S" "${DEGRADATION:-0}"
  [ "${DEFAULT_TABLES:-0}" = 1 ] && evaluate_severity_sets "$ROOT/eval_fit_$family" "_default" "$I24" "$S" 0
  return 0
}
rc=0
for family in ${FAMILIES:-tcn poseformer}; do judge_family "$family" || rc=$?; done
exit $rc
