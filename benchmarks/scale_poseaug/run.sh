#!/usr/bin/env bash
# Issue-15 experiments (benchmarks/RESULTS.md, "Scale normalisation and PoseAug"), lanes of one CPU thread, resumable.
# Since issue 27 every PoseAug run starts from its plain twin's final lifter (poseaug_pretrained), so twins run first.
# Note: RESULTS' issue-15 PoseAug rows were measured with the earlier per-step port (see RESULTS), not this schedule.
#   main:  the main runs (two lanes, then the seed-1 twins (lane_g), then the two seed-1 PoseAug runs)
#   extra: second seeds, XYD + PoseAug, d_ref 4.0 / 5.0 (three lanes)
# Usage: bash benchmarks/scale_poseaug/run.sh [root] [main|extra|all]   (default /work/cache/i15 all; tables from
# build_data.py)
set -u
ROOT=${1:-/work/cache/i15}
STAGE=${2:-all}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

run() {  # name config overrides...
  local name=$1 cfg=$2
  shift 2
  train_run "$name" "$CFG/$cfg.yaml" "train_datasets=[$ROOT/train_${cfg#sb-}.parquet]" "$@"
}
pa() {  # name twin config overrides...: PoseAug from the plain twin's lifter (issue 27: hardness needs a trained lifter)
  local name=$1 twin=$2 cfg=$3
  shift 3
  run "$name" "$cfg" poseaug=true "poseaug_pretrained=$ROOT/runs/$twin/final" "$@"
}

lane_a() {
  run gt-xy sb-gt
  pa gt-xy-pa gt-xy sb-gt
  run gt-xyd sb-gt "input_channels=[x,y,d]"
  run det-xy sb-det
  run det-xy-box sb-det scale_normalization=box
  run gt-xyd-ds-dref3.5 sb-gt "input_channels=[x,y,d]" scale_normalization=depth reference_depth=3.5
}
lane_b() {
  run gt-xyd-ds sb-gt "input_channels=[x,y,d]" scale_normalization=depth
  pa gt-xyd-ds-pa gt-xyd-ds sb-gt "input_channels=[x,y,d]" scale_normalization=depth
  run det-xycd sb-det "input_channels=[x,y,c,d]"
  run det-xycd-box sb-det "input_channels=[x,y,c,d]" scale_normalization=box
  run gt-xyd-ds-dref6.0 sb-gt "input_channels=[x,y,d]" scale_normalization=depth reference_depth=6.0
}
lane_e() {
  run det-xy-seed1 sb-det seed=1 data_seed=1
  run det-xy-box-seed1 sb-det scale_normalization=box seed=1 data_seed=1
  run det-xycd-seed1 sb-det "input_channels=[x,y,c,d]" seed=1 data_seed=1
  run det-xycd-box-seed1 sb-det "input_channels=[x,y,c,d]" scale_normalization=box seed=1 data_seed=1
}
lane_f() {
  pa gt-xyd-pa gt-xyd sb-gt "input_channels=[x,y,d]"
  run gt-xyd-ds-dref5.0 sb-gt "input_channels=[x,y,d]" scale_normalization=depth reference_depth=5.0
}
lane_g() {
  run gt-xy-seed1 sb-gt seed=1 data_seed=1
  run gt-xyd-ds-seed1 sb-gt "input_channels=[x,y,d]" scale_normalization=depth seed=1 data_seed=1
  run gt-xyd-seed1 sb-gt "input_channels=[x,y,d]" seed=1 data_seed=1
  run gt-xyd-ds-dref4.0 sb-gt "input_channels=[x,y,d]" scale_normalization=depth reference_depth=4.0
}

case $STAGE in
  main|all)
    lane_a &
    lane_b &
    wait
    lane_g &  # the seed-1 plain twins, then their PoseAug runs
    wait
    pa gt-xy-pa-seed1 gt-xy-seed1 sb-gt seed=1 data_seed=1 &
    pa gt-xyd-ds-pa-seed1 gt-xyd-ds-seed1 sb-gt "input_channels=[x,y,d]" scale_normalization=depth seed=1 data_seed=1 &
    wait ;;
  extra) ;;
  *) echo "unknown stage '$STAGE' (main | extra | all)" >&2; exit 2 ;;
esac
case $STAGE in
  extra|all)
    lane_e &
    lane_f &  # needs gt-xyd (lane_a, run in `main`)
    lane_g &
    wait ;;
esac
