#!/usr/bin/env bash
# Train every reference lifter with `auglift train <config>`: two sequential lanes of one CPU thread each.
# Usage: bash benchmarks/reference/train_all.sh [runs_root]   (default /work/cache/h36m_ref; logs in <root>/logs)
set -u
ROOT=${1:-/work/cache/h36m_ref}
CFG=$(cd "$(dirname "$0")" && pwd)/configs
source "$(dirname "$0")/../lanes.sh"

lane() {
  for name in "$@"; do train_run "$name" "$CFG/$name.yaml" "train_datasets=[$ROOT/train_noisy]"; done
}

lane tcn-27f-xy tcn-27f-xycd tcn-27f-xyc tcn-27f-casp &
lane poseformer-9f-xy poseformer-9f-xycd simplebaseline-xy simplebaseline-xycd &
wait
