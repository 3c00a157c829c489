"""The generated scene sets (segmentation, detection) are byte-identical on
every machine, wherever they are written."""
import hashlib
import os
import os.path as osp

import pytest

from mmkd_transfer.datasets.digits_det_dataset import ensure_digits_det
from mmkd_transfer.datasets.digits_seg_dataset import ensure_digits_seg


def tree_digest(root):
    """sha256 over (relative path, file sha256) of every file below root."""
    digest = hashlib.sha256()
    for dirpath, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = osp.join(dirpath, name)
            digest.update(osp.relpath(path, root).encode())
            with open(path, 'rb') as f:
                digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


# tree_digest of each default set
@pytest.mark.parametrize('ensure, golden', [
    (ensure_digits_seg,
     'fe7dba8bc36ec134436ca18564f3f38d9b718b898c80e1955adc636859e9b9a7'),
    (ensure_digits_det,
     'b765471c6779ce6747cdaca6c12fd83392561371c96372e7f6326e25e8fc98db'),
])
def test_files_are_byte_identical(ensure, golden, tmp_path):
    # a trailing slash, as in the configs, changes nothing
    first = ensure(str(tmp_path / 'first') + '/')
    again = ensure(str(tmp_path / 'again'))
    assert tree_digest(first) == tree_digest(again) == golden
