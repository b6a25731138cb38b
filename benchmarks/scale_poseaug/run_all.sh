#!/usr/bin/env bash
# Issue-15 experiments: four lanes of one CPU thread (two sequential lanes + the two second-seed PoseAug runs) (benchmarks/RESULTS.md, "Scale normalisation and PoseAug").
# Usage: bash benchmarks/scale_poseaug/run_all.sh [root]   (default /work/cache/i15; tables from build_data.py)
set -u
ROOT=${1:-/work/cache/i15}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
REPO=$(cd "$(dirname "$0")/../.." && pwd)
AUGLIFT=${AUGLIFT:-$REPO/.venv/bin/auglift}
mkdir -p "$ROOT/logs" "$ROOT/runs"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1

run() {  # name config overrides...
  local name=$1 cfg=$2; shift 2
  if [ -f "$ROOT/runs/$name/final/model.safetensors" ]; then return; fi
  echo "$(date -u +%FT%TZ) start $name" >> "$ROOT/logs/lanes.log"
  "$AUGLIFT" train "$CFG/$cfg.yaml" "output_dir=$ROOT/runs/$name" "train_datasets=[$ROOT/train_${cfg#sb-}.parquet]" "$@" \
    > "$ROOT/logs/train-$name.log" 2>&1
  echo "$(date -u +%FT%TZ) end $name rc=$?" >> "$ROOT/logs/lanes.log"
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
lane_a &
lane_b &
run gt-xy-pa-seed1 sb-gt poseaug=true seed=1 data_seed=1 &
run gt-xyd-ds-pa-seed1 sb-gt "input_channels=[x,y,d]" scale_normalization=depth poseaug=true seed=1 data_seed=1 &
wait
