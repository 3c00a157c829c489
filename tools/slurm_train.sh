#!/usr/bin/env bash
# Train on a Slurm cluster, one process per GPU, with srun:
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args...]
# Environment: see tools/slurm_common.sh (GPUS, GPUS_PER_NODE, ...).
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/slurm_common.sh
source "$DIR/slurm_common.sh"
slurm_need_args 4 "PARTITION JOB_NAME CONFIG WORK_DIR [args...]" "$@"
# srun -p PARTITION --job-name=JOB_NAME ... train.py CONFIG --work-dir=WORK_DIR
slurm_run "$1" "$2" "$DIR/train.py" "$3" --work-dir="$4" --launcher slurm \
    "${@:5}"
