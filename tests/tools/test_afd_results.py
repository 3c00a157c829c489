"""tools/afd_results.py: its rows point at shipped configs, the teacher
checkpoint it expects is the one training leaves, and its table."""
import os.path as osp
import sys

import pytest
from conftest import REPO
from mmengine.config import Config

sys.path.insert(0, osp.join(REPO, 'tools'))
import afd_results  # noqa: E402


@pytest.mark.parametrize('task', sorted(afd_results.TASKS))
def test_rows_are_shipped_configs(task):
    spec = afd_results.TASKS[task]
    names = [spec['teacher']] + [name for _, _, name in spec['rows']]
    for name in names:
        assert osp.isfile(osp.join(afd_results.CONFIGS, name)), name
    assert spec['rows'][0][0] == 'student'  # the row without a teacher


def test_final_checkpoint_by_epoch_and_by_iter():
    cls = Config.fromfile(
        osp.join(afd_results.CONFIGS, afd_results.TASKS['cls']['teacher']))
    seg = Config.fromfile(
        osp.join(afd_results.CONFIGS, afd_results.TASKS['seg']['teacher']))
    assert afd_results.final_checkpoint(cls, 'w') == osp.join(
        'w', 'epoch_30.pth')
    assert afd_results.final_checkpoint(seg, 'w') == osp.join(
        'w', 'iter_1500.pth')


def test_table_lists_mean_std_and_seeds():
    text = afd_results.table('seg', {
        'teacher': [60.0],
        'student': [50.0, 52.0],
        'afd': [55.0, 57.0]
    }, [0, 1], 90.0)
    lines = text.splitlines()
    assert lines[0].startswith('Digits segmentation, FCN (val mIoU %')
    assert '1.5 min' in lines[0]
    assert lines[4] == '| teacher FCN ResNetV1c-18 w16 | 60.0 | 60.0 |'
    assert lines[5] == ('| student FCN ResNetV1c-18 w8: student alone | '
                        '51.0 ± 1.4 | 50.0, 52.0 |')
    assert 'AFD features (beta=200) | 56.0 ± 1.4 | 55.0, 57.0 |' in lines[6]
    assert len(lines) == 7  # the CWD row has no values: left out
