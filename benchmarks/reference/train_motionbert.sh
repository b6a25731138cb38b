#!/usr/bin/env bash
# Train the MotionBERT XY / XYCD reference pair with `auglift train <config>`: two runs in parallel, one CPU thread
# each, resumable (a checkpoint every 100 steps; re-running the script resumes). Logs in <root>/logs.
# Usage: bash benchmarks/reference/train_motionbert.sh [runs_root]   (default /work/cache/h36m_ref)
set -u
ROOT=${1:-/work/cache/h36m_ref}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

for name in motionbert-27f-xy motionbert-27f-xycd; do
  train_run "$name" "$CFG/$name.yaml" "train_datasets=[$ROOT/train_noisy]" &
done
wait
