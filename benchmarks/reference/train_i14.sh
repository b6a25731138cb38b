#!/usr/bin/env bash
# Issue-14 reference runs: TCN 27f and PoseFormer 9f, XY / XYCD / CASP, on detector-definition 2D + realistic
# depth + depth dropout (table built by build_data.py --train-name train_real --train-max-frames 150).
# Two one-thread lanes (TCN lane, PoseFormer lane), same seeds in each lane.
# Usage: bash benchmarks/reference/train_i14.sh [root]
set -u
ROOT=${1:-/work/cache/h36m_ref_i14}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PY:-$REPO/.venv/bin/python}
mkdir -p "$ROOT/logs"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1

run() {  # config-name
  local name=$1
  echo "$(date -u +%FT%TZ) start $name" >> "$ROOT/logs/lanes.log"
  "$PY" -m auglift_hf.cli train "$CFG/$name.yaml" "output_dir=$ROOT/runs/$name" "train_datasets=[$ROOT/train_real]" \
    > "$ROOT/logs/train-$name.log" 2>&1
  echo "$(date -u +%FT%TZ) end $name rc=$?" >> "$ROOT/logs/lanes.log"
}

lane() {  # architecture prefix
  for v in xycd xy casp; do run "$1-$v-real"; done
}

lane tcn-27f &
lane poseformer-9f &
wait
