#!/usr/bin/env bash
# Issue-15 experiments: two sequential lanes of one CPU thread (benchmarks/RESULTS.md, "Scale normalisation and PoseAug").
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
lane_e &
lane_f &
lane_g &
wait
