#!/usr/bin/env bash
# Issue-26 evaluation of the mixture candidate against its baseline (RESULTS "Issue 26 ... selection rule"):
# tcn-27f-xy (the shipped seed 0 + seeds 1-2 of train_i23_seeds.sh) vs tcn-27f-xy-mix (seeds 0-2 of
# train_i26_mixture.sh), each one model of three seed replicates (`auglift evaluate --models NAME=s0,s1,s2`; the
# comparison averages the seeds' per-pose errors, paired bootstrap over test takes). Whole test sets: H36M S9/S11 and
# its out-of-domain cameras every 10th frame, CMU and HumanEva-I every frame; simulated detector 2D, plus HumanEva-I
# with its real GT 2D, CMU and H36M with the noise-free detector-definition 2D. Then mixture_table.py ROOT prints the
# tables and the rule's decision. Resumable (an existing output folder is skipped).
# Usage: bash benchmarks/reference/evaluate_i26_mixture.sh ROOT I24_ROOT S
#   (ROOT of train_i26_mixture.sh; I24_ROOT holds runs/tcn-27f-xy-surface-seed{1,2} and build_i24_eval.sh's sev_S)
set -u
ROOT=$1 I24=$2 S=$3
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
base=$I24/runs/tcn-27f-xy-surface-seed mix=$ROOT/runs/tcn-27f-xy-mix-seed
for f in "${base}1" "${base}2" "${mix}0" "${mix}1" "${mix}2"; do
  [ -f "$f/final/model.safetensors" ] || { echo "missing run $f (train it first)" >&2; exit 2; }
done
MODELS=("tcn-27f-xy=$REPO/checkpoints/tcn-27f-xy,${base}1/final,${base}2/final"
        "tcn-27f-xy-mix=${mix}0/final,${mix}1/final,${mix}2/final")
CMP=(tcn-27f-xy:tcn-27f-xy-mix)
ev() { evaluate_models "$ROOT/$1" "${@:2}"; }  # out-folder evaluate-args...
ev eval_mix_det --datasets "$I24/sev_$S/test_cmu" "$I24/sev_$S/humaneva" --config detected2d &
ev eval_mix_h36m --datasets "$I24/sev_$S/test" --config detected2d --stride 10
ev eval_mix_ood --datasets "$ROOT/eval_xy/test_ood" --config detected2d --stride 10
wait
ev eval_mix_gt --datasets "$I24/sev_$S/humaneva" "$ROOT/eval_xy/test_cmu_cocogt" --config gt2d &
ev eval_mix_h36m_gt --datasets "$ROOT/eval_xy/test_cocogt" --config gt2d --stride 10
wait
"$REPO/.venv/bin/python" "$HERE/mixture_table.py" "$ROOT"
