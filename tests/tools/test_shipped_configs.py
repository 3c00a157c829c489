"""Benchmark entries find their default configs from any folder, also when
the package is imported through a link (the editable install links it into
site-packages, whose parent folder is not the repository)."""
import os
import os.path as osp
import subprocess
import sys

from conftest import REPO

from mmkd_transfer.apis.benchmark.shipped_configs import (resolve_config,
                                                          shipped_config_dirs)

SKD_TEACHER = ('configs/skd/'
               'fcn-r18w16-os4_1xb16-1000i_aerial-clips-64px-frame.py')


def test_a_shipped_path_resolves_from_another_folder(tmp_path):
    assert os.getcwd() == str(tmp_path)  # not the repository
    found = resolve_config(SKD_TEACHER)
    assert osp.isfile(found)
    assert osp.realpath(found) == osp.realpath(osp.join(REPO, SKD_TEACHER))


def test_existing_paths_and_unknown_names_are_kept(tmp_path):
    (tmp_path / 'configs').mkdir()
    (tmp_path / 'configs' / 'mine.py').write_text('x = 1\n')
    assert resolve_config('configs/mine.py') == 'configs/mine.py'
    assert resolve_config('configs/skd/none.py') == 'configs/skd/none.py'
    assert resolve_config('other/x.py') == 'other/x.py'


def test_the_mim_copy_comes_first_then_the_checkout():
    mim, checkout = shipped_config_dirs()
    assert mim.endswith(osp.join('mmkd_transfer', '.mim', 'configs'))
    assert osp.realpath(checkout) == osp.realpath(osp.join(REPO, 'configs'))


def test_configs_resolve_through_a_linked_package(tmp_path):
    site = tmp_path / 'site'
    site.mkdir()
    os.symlink(osp.join(REPO, 'mmkd_transfer'), site / 'mmkd_transfer')
    code = ('from mmkd_transfer.apis.benchmark.shipped_configs import '
            'resolve_config; import mmkd_transfer, os.path as osp; '
            'print(mmkd_transfer.__file__); '
            f'print(osp.isfile(resolve_config({SKD_TEACHER!r})))')
    env = dict(os.environ, PYTHONPATH=str(site))
    result = subprocess.run([sys.executable, '-c', code],
                            cwd=tmp_path,
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    package_file, found = result.stdout.split()[-2:]
    # imported through the link, and the config is still found
    assert package_file.startswith(str(site))
    assert found == 'True'
