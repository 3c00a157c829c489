#!/usr/bin/env bash
# Create .venv and install the verified OpenMMLab stack plus this package.
#
# Idempotent: a second run only checks what is there. The slow part is mmcv
# 2.1.0 with compiled ops (no prebuilt wheel fits torch 2.14): it is built
# once from the PyPI sdist and its wheel is cached, keyed by the torch version
# it was built against (pip's own cache is keyed by the sdist alone and would
# hand a wheel built for another torch back, which then fails to load).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MMKD_VENV:-$ROOT/.venv}"
PY_BOOT="${PYTHON:-python3.11}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.14.1 torchvision==0.29.1}"
CACHE_DIR="${MMKD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmkd_transfer}"
STAMP="$VENV/.mmkd_installed"

say() { printf '[setup] %s\n' "$*"; }

# The stamp holds the hash of everything that decides what gets installed.
want_hash=$(cat "$0" "$ROOT/requirements.txt" "$ROOT/requirements/lint.txt" "$ROOT/setup.py" "$ROOT/mmkd_transfer_hook.py" | sha1sum | cut -c1-16)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_hash" ]; then
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtual environment $VENV"
    "$PY_BOOT" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check)

# torch first: every other package is built or resolved against it.
if ! "$PY" -c "import torch, torchvision" 2>/dev/null; then
    say "installing $TORCH_SPEC (large; taken from local disk where it lies there)"
    # shellcheck disable=SC2086
    "${PIP[@]}" $TORCH_SPEC
fi
TORCH_VER=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")
VISION_VER=$("$PY" -c "import torchvision; print(torchvision.__version__.split('+')[0])")

# Every later install keeps these: the torch pair as installed, numpy<2
# (several OpenMMLab packages break on numpy 2; opencv >= 4.12 needs it), and
# setuptools that torch (>=77) and mmcv's setup.py (pkg_resources, <81) need.
CONSTRAINTS="$VENV/mmkd-constraints.txt"
cat > "$CONSTRAINTS" <<CONS
torch==$TORCH_VER
torchvision==$VISION_VER
numpy<2
opencv-python<4.12
opencv-python-headless<4.12
setuptools>=77,<81
CONS
PIP+=(-c "$CONSTRAINTS")
"${PIP[@]}" -q 'setuptools>=77,<81' wheel ninja 'numpy<2'

have_mmcv_ops() {
    "$PY" - <<'PY' 2>/dev/null
import mmcv, mmcv.ops
from mmcv.ops import nms  # needs the compiled extension
assert mmcv.__version__ == '2.1.0', mmcv.__version__
PY
}

if have_mmcv_ops; then
    say "mmcv 2.1.0 with compiled ops already installed: using it as is"
else
    WHEEL_DIR="$CACHE_DIR/mmcv-2.1.0/torch-$TORCH_VER-py$("$PY" -c 'import sys;print(f"{sys.version_info[0]}{sys.version_info[1]}")')"
    if ! ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
        say "building mmcv 2.1.0 with compiled CPU ops against torch $TORCH_VER"
        say "  (no prebuilt wheel fits this torch; about 10 minutes on 2 cores, done once,"
        say "   then cached in $WHEEL_DIR)"
        BUILD_TMP=$(mktemp -d)
        # torch 2.14 headers need C++20 while mmcv's setup.py asks for C++17.
        cat > "$BUILD_TMP/cxx" <<'WRAP'
#!/usr/bin/env bash
args=()
for a in "$@"; do
    if [ "$a" = "-std=c++17" ] || [ "$a" = "-std=c++14" ]; then a="-std=c++20"; fi
    args+=("$a")
done
exec g++ "${args[@]}"
WRAP
        chmod +x "$BUILD_TMP/cxx"
        CXX="$BUILD_TMP/cxx" MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS="${MAX_JOBS:-2}" \
            "$PY" -m pip wheel --disable-pip-version-check --no-deps --no-build-isolation \
            --no-binary mmcv --no-cache-dir -w "$BUILD_TMP/wheels" mmcv==2.1.0
        mkdir -p "$WHEEL_DIR"
        cp "$BUILD_TMP"/wheels/mmcv-2.1.0-*.whl "$WHEEL_DIR/"
        rm -rf "$BUILD_TMP"
    else
        say "using cached mmcv wheel from $WHEEL_DIR"
    fi
    "${PIP[@]}" --force-reinstall --no-deps "$WHEEL_DIR"/mmcv-2.1.0-*.whl
    # mmcv's own runtime dependencies (no-deps above keeps pip away from torch).
    "${PIP[@]}" -q addict 'packaging' Pillow pyyaml yapf opencv-python 'mmengine==0.10.7'
    have_mmcv_ops || { say "mmcv ops failed to import after install"; exit 1; }
fi

say "installing the OpenMMLab stack and test tools"
"${PIP[@]}" -q -r "$ROOT/requirements.txt"
# the pinned linters of setup.cfg (tests/test_lint.py, pre-commit)
"${PIP[@]}" -q -r "$ROOT/requirements/lint.txt"

# openmim pulls opendatalab -> openxlab, which pin setuptools 60.2 and break
# both torch and the mmcv build; mim's train/test commands do not need them.
if ! "$PY" -c "import mim" 2>/dev/null; then
    say "installing openmim without opendatalab/openxlab"
    "${PIP[@]}" -q --no-deps 'openmim==0.3.9'
    "${PIP[@]}" -q Click colorama model-index pandas requests rich tabulate
fi

say "installing mmkd_transfer (editable, setup.py develop like OpenMMLab repos,"
say "  so that 'mim train mmkd_transfer' finds mmkd_transfer/.mim/tools)"
# (a PEP 660 editable install left by an earlier run would hide the repo
#  from mim, so start from a clean slate)
"$PY" -m pip uninstall -y -q mmkd_transfer >/dev/null 2>&1 || true
"${PIP[@]}" -q --no-deps --no-build-isolation --no-use-pep517 -e "$ROOT"
# mim looks for <dist location>/mmkd_transfer/.mim/tools/train.py, but a
# modern editable install keeps the package in the repo, not under the
# dist's location (site-packages): link it there so `mim train` finds it.
SITE=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
if [ ! -e "$SITE/mmkd_transfer" ]; then
    ln -s "$ROOT/mmkd_transfer" "$SITE/mmkd_transfer"
fi
# compat fixes in force whenever mmrazor is imported (mim train mmrazor ...)
"$PY" -m mmkd_transfer_hook --install

"$PY" -m pip check >/dev/null 2>&1 || "$PY" -m pip check | grep -v opendatalab || true
"$PY" -c "import numpy; assert numpy.__version__ < '2', numpy.__version__"
"$PY" -c "import mmkd_transfer, mmrazor.models, mmpretrain, mmseg, mmdet; print('[setup] stack imports fine')"
echo "$want_hash" > "$STAMP"
