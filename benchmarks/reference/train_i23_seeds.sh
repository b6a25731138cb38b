#!/usr/bin/env bash
# Issue-23 seeds for the shipped headline claims: seeds 1 and 2 of every shipped XY / XYCD / CASP recipe (TCN 27f,
# PoseFormer 9f), same recipes, budgets and training table as the shipped seed-0 checkpoints (train_i24_reship.sh:
# the uncapped detector-definition 2D table with surface-v2 depth, severity per sequence in [2, 4]; the XY lifters read
# the same 2D to the bit and ignore depth). seed and data_seed both set (initialisation, window order, flips, depth
# dropout). Seed 0 of each recipe is the shipped checkpoint. A job list worked off by two one-thread
# workers; resumable (finished runs are skipped, runs resume from their last checkpoint).
# Usage: bash benchmarks/reference/train_i23_seeds.sh ROOT   (ROOT of train_i24_reship.sh: ROOT/train_surface_full)
set -u
ROOT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
CFG=$HERE/configs
source "$HERE/../lanes.sh"
TABLE=$ROOT/train_surface_full
[ -f "$TABLE/README.md" ] || { echo "no training table at $TABLE: run train_i24_reship.sh first" >&2; exit 2; }

run() {  # config-name run-name seed overrides...
  local cfg=$1 name=$2 seed=$3
  shift 3
  train_run "$name" "$CFG/$cfg.yaml" "train_datasets=[$TABLE]" train_stride=4 save_strategy=steps save_steps=2000 \
    save_total_limit=1 resume=true "seed=$seed" "data_seed=$seed" "$@"
}
tcn() { run "tcn-27f-$1-real" "tcn-27f-$1-surface-seed$2" "$2" max_steps=20000 lr_decay=0.87; }
poseformer() { run "poseformer-9f-$1-real" "poseformer-9f-$1-surface-seed$2" "$2" max_steps=7000 lr_decay=0.68; }

JOBS=()  # TCN trios first, then the PoseFormer XY / XYCD pairs, the PoseFormer CASP seeds last
for seed in 1 2; do for v in xy xycd casp; do JOBS+=("tcn $v $seed"); done; done
for seed in 1 2; do for v in xy xycd; do JOBS+=("poseformer $v $seed"); done; done
for seed in 1 2; do JOBS+=("poseformer casp $seed"); done
work_off_jobs 2
