# Sourced by the benchmark training scripts: resumable `auglift train` runs in one-CPU-thread lanes.
# Needs ROOT (the run root: runs/ and logs/ go there). Provides
#   train_run NAME CONFIG.yaml [key=value overrides...]
# which skips a run whose final/model.safetensors exists, resumes from its checkpoints otherwise (configs set
# `resume: true` or pass resume=true), appends to ROOT/logs/train-NAME.log and logs start/end to ROOT/logs/lanes.log.
#   work_off_jobs [WORKERS]
# which works off the global JOBS array (each entry a command line) with WORKERS one-thread workers (default 2),
# each job claimed once (claims in a temporary folder under ROOT). Or run lanes in parallel with `lane_function &` ...
# `wait` (one thread each: the machines have 2 cores).
#   evaluate_models OUT [auglift evaluate args...]
# which runs `auglift evaluate` of the global MODELS array (NAME=folder[,seed folders]) with the comparisons of the
# global CMP array (A:B) into OUT, skipped when OUT exists (evaluation scripts are resumable by output folder).
#   evaluate_severity_sets OUT_PREFIX OUT_SUFFIX TABLES S DEGRADATION
# which runs evaluate_models on the whole issue-24 test sets of build_i24_eval.sh under TABLES at severity S (two
# lanes): <prefix>_det<suffix> (CMU + HumanEva-I, detector 2D), <prefix>_h36m<suffix> (H36M S9/S11 every 10th frame),
# <prefix>_gt<suffix> (HumanEva-I, real GT 2D); with DEGRADATION=1 also <prefix>_2x<suffix> (the three at 2S) and
# <prefix>_nodepth<suffix> (depth withheld).
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AUGLIFT=${AUGLIFT:-$REPO/.venv/bin/auglift}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p "$ROOT/logs" "$ROOT/runs"

train_run() {  # name config overrides...
  local name=$1 cfg=$2 rc
  shift 2
  if [ -f "$ROOT/runs/$name/final/model.safetensors" ]; then
    echo "$(date -u +%FT%TZ) skip $name (final model exists)" >> "$ROOT/logs/lanes.log"
    return 0
  fi
  echo "$(date -u +%FT%TZ) start $name" >> "$ROOT/logs/lanes.log"
  "$AUGLIFT" train "$cfg" "output_dir=$ROOT/runs/$name" "$@" >> "$ROOT/logs/train-$name.log" 2>&1
  rc=$?
  echo "$(date -u +%FT%TZ) end $name rc=$rc" >> "$ROOT/logs/lanes.log"
  return $rc
}

work_off_jobs() {  # [workers]
  local claims
  claims=$(mktemp -d "$ROOT/claims.XXXX")
  _job_worker() {
    local i
    for i in "${!JOBS[@]}"; do
      mkdir "$claims/$i" 2>/dev/null || continue
      ${JOBS[$i]}
    done
  }
  for _ in $(seq "${1:-2}"); do _job_worker & done
  wait
  rm -rf "$claims"
}

evaluate_models() {  # out-folder evaluate-args...
  local out=$1
  shift
  [ -d "$out" ] || "$AUGLIFT" evaluate --models "${MODELS[@]}" --compare "${CMP[@]}" --out "$out" --no-progress "$@"
}

evaluate_severity_sets() {  # out-prefix out-suffix tables-root severity degradation(0|1)
  local out=$1 suffix=$2 tables=$3 s=$4 s2
  s2=$(python3 -c "print(f'{2 * float(\"$s\"):g}')")
  evaluate_models "${out}_det$suffix" --datasets "$tables/sev_$s/test_cmu" "$tables/sev_$s/humaneva" \
    --config detected2d &
  evaluate_models "${out}_h36m$suffix" --datasets "$tables/sev_$s/test" --config detected2d --stride 10
  evaluate_models "${out}_gt$suffix" --datasets "$tables/sev_$s/humaneva" --config gt2d
  wait
  [ "$5" = 1 ] || return 0
  evaluate_models "${out}_2x$suffix" --datasets "$tables/sev_$s2/test" "$tables/sev_$s2/test_cmu" \
    "$tables/sev_$s2/humaneva" --config detected2d --stride 10 &
  evaluate_models "${out}_nodepth$suffix" --datasets "$tables/sev_$s/test" "$tables/sev_$s/test_cmu" \
    "$tables/sev_$s/humaneva" --config detected2d --stride 10 --no-depth
  wait
}
