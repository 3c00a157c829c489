# Shared by slurm_train.sh and slurm_test.sh (sourced, not run).
# Environment: GPUS (total processes, default 8), GPUS_PER_NODE (default 8),
# CPUS_PER_TASK (default 5), SRUN_ARGS (extra srun options), PYTHON.
# Each task learns its rank from Slurm (--launcher slurm); the node count is
# GPUS / GPUS_PER_NODE.

# slurm_need_args COUNT USAGE ARGS...: print the usage, exit 2 if too few.
slurm_need_args() {
    local count=$1 usage=$2
    shift 2
    if [ $# -lt "$count" ]; then
        echo "usage: $0 $usage" >&2
        exit 2
    fi
}

# slurm_run PARTITION JOB_NAME SCRIPT [args...]: one `python -u SCRIPT args`
# per GPU with srun, the repository first on PYTHONPATH.
slurm_run() {
    local partition=$1 job_name=$2
    shift 2
    local gpus=${GPUS:-8}
    local gpus_per_node=${GPUS_PER_NODE:-8}
    local repo
    repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    export PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}"
    # shellcheck disable=SC2086  # SRUN_ARGS holds several options
    srun -p "$partition" \
        --job-name="$job_name" \
        --gres=gpu:"$gpus_per_node" \
        --ntasks="$gpus" \
        --ntasks-per-node="$gpus_per_node" \
        --cpus-per-task="${CPUS_PER_TASK:-5}" \
        --kill-on-bad-exit=1 \
        ${SRUN_ARGS:-} \
        "${PYTHON:-python}" -u "$@"
}
