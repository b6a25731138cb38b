#!/usr/bin/env bash
# Issue-15 experiments (benchmarks/RESULTS.md, "Scale normalisation and PoseAug"), lanes of one CPU thread, resumable.
#   main:  the main runs (two sequential lanes + the two second-seed PoseAug runs: four lanes)
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

lane_a() {
  run gt-xy-pa sb-gt poseaug=true
  run gt-xy sb-gt
  run gt-xyd sb-gt "input_channels=[x,y,d]"
  run det-xy sb-det
  run det-xy-box sb-det scale_normalization=box
  run gt-xyd-ds-dref3.5 sb-gt "input_channels=[x,y,d]" scale_normalization=depth reference_depth=3.5
}
lane_b() {
  run gt-xyd-ds-pa sb-gt "input_channels=[x,y,d]" scale_normalization=depth poseaug=true
  run gt-xyd-ds sb-gt "input_channels=[x,y,d]" scale_normalization=depth
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
  run gt-xyd-pa sb-gt "input_channels=[x,y,d]" poseaug=true
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
    run gt-xy-pa-seed1 sb-gt poseaug=true seed=1 data_seed=1 &
    run gt-xyd-ds-pa-seed1 sb-gt "input_channels=[x,y,d]" scale_normalization=depth poseaug=true seed=1 data_seed=1 &
    wait ;;
  extra) ;;
  *) echo "unknown stage '$STAGE' (main | extra | all)" >&2; exit 2 ;;
esac
case $STAGE in
  extra|all)
    lane_e &
    lane_f &
    lane_g &
    wait ;;
esac
