"""Docs do not drift: every path a README names exists, every tool it runs
accepts --help."""
import glob
import os.path as osp
import re
import subprocess
import sys

import pytest
from conftest import REPO

READMES = sorted([osp.join(REPO, 'README.md')] +
                 glob.glob(osp.join(REPO, 'configs', '*', 'README.md')))
PATH_RE = re.compile(r'(?<![\w/.-])((?:configs|tools|mmkd_transfer)/'
                     r'[\w./-]*\w)')


def _named_paths(readme):
    text = open(readme).read()
    for path in PATH_RE.findall(text):
        if '<' in path or '*' in path:
            continue
        yield path


@pytest.mark.parametrize('readme', READMES,
                         ids=[osp.relpath(p, REPO) for p in READMES])
def test_every_named_path_exists(readme):
    here = osp.dirname(readme)
    missing = [p for p in _named_paths(readme)
               if not (osp.exists(osp.join(REPO, p))
                       or osp.exists(osp.join(here, p)))]
    assert not missing, missing


def test_readme_starts_with_the_two_commands():
    text = open(osp.join(REPO, 'README.md')).read()
    first_block = text.split('```bash', 1)[1].split('```', 1)[0]
    commands = [ln.split('#')[0].strip() for ln in first_block.splitlines()
                if ln.strip()]
    assert commands == ['make demo', 'make test']
    assert 'make test' in open(osp.join(REPO, '.ci', 'run')).read()


@pytest.mark.parametrize('tool', ['train.py', 'test.py', 'export_student.py',
                                  'demo.py', 'benchmark.py'])
def test_tools_named_in_readme_answer_help(tool):
    assert f'tools/{tool}' in open(osp.join(REPO, 'README.md')).read()
    result = subprocess.run([sys.executable, osp.join(REPO, 'tools', tool),
                             '--help'], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'usage' in result.stdout.lower()
