#!/usr/bin/env bash
# Train on a Slurm cluster, one process per GPU, with srun:
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py args...]
# Environment: see tools/slurm_common.sh (GPUS, GPUS_PER_NODE, ...).
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/slurm_common.sh
source "$DIR/slurm_common.sh"
slurm_need_args 4 "PARTITION JOB_NAME CONFIG WORK_DIR [args...]" "$@"
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=$4
shift 4
slurm_run "$PARTITION" "$JOB_NAME" "$DIR/train.py" "$CONFIG" \
    --work-dir="$WORK_DIR" --launcher slurm "$@"
