#!/usr/bin/env bash
# Evaluate a checkpoint on a Slurm cluster, one process per GPU, with srun:
#   tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]
# Environment: see tools/slurm_common.sh (GPUS, GPUS_PER_NODE, ...).
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/slurm_common.sh
source "$DIR/slurm_common.sh"
slurm_need_args 4 "PARTITION JOB_NAME CONFIG CHECKPOINT [args...]" "$@"
# srun -p PARTITION --job-name=JOB_NAME ... test.py CONFIG CHECKPOINT
slurm_run "$1" "$2" "$DIR/test.py" "$3" "$4" --launcher slurm "${@:5}"
