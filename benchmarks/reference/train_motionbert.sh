#!/usr/bin/env bash
# Train the MotionBERT XY / XYCD reference pair with `auglift train <config>`: two runs in parallel, one CPU thread
# each, resumable (a checkpoint every 100 steps; re-running the script resumes). Logs in <root>/logs.
# Usage: bash benchmarks/reference/train_motionbert.sh [runs_root]   (default /work/cache/h36m_ref)
set -u
ROOT=${1:-/work/cache/h36m_ref}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
REPO=$(cd "$(dirname "$0")/../.." && pwd)
AUGLIFT=${AUGLIFT:-$REPO/.venv/bin/auglift}
mkdir -p "$ROOT/logs"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1

run() {
  name=$1
  echo "$(date -u +%FT%TZ) start $name" >> "$ROOT/logs/lanes.log"
  "$AUGLIFT" train "$CFG/$name.yaml" "output_dir=$ROOT/runs/$name" "train_datasets=[$ROOT/train_noisy]" \
    >> "$ROOT/logs/train-$name.log" 2>&1
  echo "$(date -u +%FT%TZ) end $name rc=$?" >> "$ROOT/logs/lanes.log"
}

run motionbert-27f-xy &
run motionbert-27f-xycd &
wait
