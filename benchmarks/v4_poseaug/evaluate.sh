#!/usr/bin/env bash
# Issue 27 item 3: evaluation of the v4 experiment (run.sh): the four arms as three-seed models (`auglift evaluate
# --models NAME=s0,s1,s2`: mean and std over seeds; comparisons average the seeds' per-pose errors, paired bootstrap
# over test takes) with ground-truth 2D (`--config gt2d`) on
#   H36M S9/S11 (every 10th frame) and CMU motion (build_i24_eval.sh tables: H36M-joint 2D, surface-v2 depth at S),
#   HumanEva-I (its real GT 2D; depth simulated at S), the out-of-domain virtual cameras (run.sh's table, every 10th
#   frame), and prints v4_table.py's tables. Arms: xy / xyd = the plain lifters continued for their PoseAug twins'
#   lifter samples (run.sh `cont`), xy-pa / xyd-pa = the PoseAug runs; xy-p1 / xyd-p1 = the phase-1 lifters both
#   twins start from (context, not compared). Resumable (an existing output folder is skipped).
# Usage: bash benchmarks/v4_poseaug/evaluate.sh ROOT [S] [I24_ROOT]   (defaults S=3, I24_ROOT=/work/cache/i24)
set -u
ROOT=$1 S=${2:-3} I24=${3:-/work/cache/i24}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../lanes.sh"
MODELS=()
for arm in xy xyd; do
  for kind in cont pa; do
    runs=()
    for s in 0 1 2; do
      f=$ROOT/runs/$arm-$kind-s$s/final
      [ -f "$f/model.safetensors" ] || { echo "missing run $f (run.sh first)" >&2; exit 2; }
      runs+=("$f")
    done
    name=$arm
    [ "$kind" = pa ] && name=$arm-pa
    MODELS+=("$name=$(IFS=,; echo "${runs[*]}")")
  done
done
for arm in xy xyd; do  # the phase-1 lifters both twins start from (context rows; no comparison)
  MODELS+=("$arm-p1=$ROOT/runs/$arm-p1-s0/final,$ROOT/runs/$arm-p1-s1/final,$ROOT/runs/$arm-p1-s2/final")
done
for t in "$I24/sev_$S/test" "$I24/sev_$S/test_cmu" "$I24/sev_$S/humaneva" "$ROOT/sev_$S/test_ood"; do
  [ -f "$t/README.md" ] || { echo "missing table $t (build_i24_eval.sh / run.sh)" >&2; exit 2; }
done
CMP=(xy:xyd xy:xy-pa xyd:xyd-pa xy-pa:xyd-pa)
ev() { evaluate_models "$ROOT/$1" --config gt2d "${@:2}"; }  # out-folder evaluate-args...
ev eval_v4_h36m --datasets "$I24/sev_$S/test" --stride 10 &
ev eval_v4_cross --datasets "$I24/sev_$S/test_cmu" "$I24/sev_$S/humaneva"
ev eval_v4_ood --datasets "$ROOT/sev_$S/test_ood" --stride 10
wait
"${PY:-$REPO/.venv/bin/python}" "$HERE/v4_table.py" "$ROOT"
