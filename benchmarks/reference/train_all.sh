#!/usr/bin/env bash
# Train every reference lifter with `auglift train <config>`: two sequential lanes of one CPU thread each.
# Usage: bash benchmarks/reference/train_all.sh [runs_root]   (default /work/cache/h36m_ref; logs in <root>/logs)
set -u
ROOT=${1:-/work/cache/h36m_ref}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
REPO=$(cd "$(dirname "$0")/../.." && pwd)
AUGLIFT=${AUGLIFT:-$REPO/.venv/bin/auglift}
mkdir -p "$ROOT/logs"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1

lane() {
  for name in "$@"; do
    echo "$(date -u +%FT%TZ) start $name" >> "$ROOT/logs/lanes.log"
    "$AUGLIFT" train "$CFG/$name.yaml" "output_dir=$ROOT/runs/$name" "train_datasets=[$ROOT/train_noisy]" \
      > "$ROOT/logs/train-$name.log" 2>&1
    rc=$?
    echo "$(date -u +%FT%TZ) end $name rc=$rc" >> "$ROOT/logs/lanes.log"
  done
}

lane tcn-27f-xy tcn-27f-xycd tcn-27f-xyc tcn-27f-casp &
lane poseformer-9f-xy poseformer-9f-xycd simplebaseline-xy simplebaseline-xycd &
wait
