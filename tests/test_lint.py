"""Style does not drift: flake8, isort and yapf (settings in setup.cfg) and
the text checks of .pre-commit-config.yaml find nothing in the repository.

Each test fails with the full list of problems and the command that fixes
them. The linters are the versions pinned in requirements/lint.txt, which
tools/setup_env.sh installs.
"""
import os
import os.path as osp
import re
import subprocess
import sys
from importlib import metadata

import pytest
import yaml
from conftest import REPO

# What the linters check (the Python code of the repository).
LINTED = [
    'mmkd_transfer', 'tools', 'tests', 'configs', 'setup.py',
    'mmkd_transfer_hook.py'
]
SETUP_CFG = osp.join(REPO, 'setup.cfg')
PRE_COMMIT = osp.join(REPO, '.pre-commit-config.yaml')
LINT_REQUIREMENTS = osp.join(REPO, 'requirements', 'lint.txt')
# Never walked when git cannot list the files (mirrors .gitignore).
IGNORED_DIRS = {
    '.git', '.venv', '__pycache__', '.pytest_cache', 'build', 'work_dirs',
    'data', '.mim'
}


def _run(tool_args, cwd=REPO):
    return subprocess.run([sys.executable, '-m', *tool_args],
                          cwd=cwd,
                          capture_output=True,
                          text=True,
                          timeout=300)


def _pinned_versions():
    pins = {}
    for line in open(LINT_REQUIREMENTS):
        line = line.split('#')[0].strip()
        if line:
            name, version = line.split('==')
            pins[name.strip()] = version.strip()
    return pins


def flake8_problems(paths, cwd=REPO):
    """flake8's report lines (``path:line:col: code message``)."""
    result = _run(['flake8', *paths], cwd)
    if result.returncode not in (0, 1) or result.stderr.strip():
        raise RuntimeError(f'flake8 failed to run: {result.stderr[-2000:]}')
    return result.stdout.splitlines()


def isort_problems(paths, cwd=REPO):
    """Files whose imports isort would change."""
    result = _run(['isort', '--check-only', '--settings-path', REPO, *paths],
                  cwd)
    files = re.findall(r'ERROR: (\S+) Imports are incorrectly sorted',
                       result.stdout + result.stderr)
    if result.returncode and not files:
        raise RuntimeError(f'isort failed to run: {result.stderr[-2000:]}')
    return [osp.relpath(f, cwd) for f in files]


def yapf_problems(paths, cwd=REPO):
    """Files yapf would reformat, each with its number of changed lines."""
    result = _run(
        ['yapf', '--style', SETUP_CFG, '--diff', '--recursive', *paths], cwd)
    if result.returncode not in (0, 1) or result.stderr.strip():
        raise RuntimeError(f'yapf failed to run: {result.stderr[-2000:]}')
    changed = {}
    current = None
    for line in result.stdout.splitlines():
        if line.startswith('+++ '):
            current = line[4:].split('\t')[0].replace(' (reformatted)', '')
            changed[current] = 0
        elif current and line[:1] in ('+', '-') and line[:3] != '---':
            changed[current] += 1
    return [f'{path} ({n} lines)' for path, n in sorted(changed.items())]


def _repo_files():
    """Files git would commit (tracked or untracked but not ignored)."""
    try:
        out = subprocess.run(
            ['git', 'ls-files', '--cached', '--others', '--exclude-standard'],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=True)
        return [
            f for f in out.stdout.splitlines()
            if osp.isfile(osp.join(REPO, f))
        ]
    except (OSError, subprocess.SubprocessError):
        files = []
        for root, dirs, names in os.walk(REPO):
            dirs[:] = [
                d for d in dirs
                if d not in IGNORED_DIRS and not d.endswith('.egg-info')
            ]
            files += [osp.relpath(osp.join(root, n), REPO) for n in names]
        return files


def repo_text_files():
    """(path, bytes) of every text file, as pre-commit's ``types: [text]``."""
    for path in sorted(_repo_files()):
        with open(osp.join(REPO, path), 'rb') as f:
            content = f.read()
        if b'\0' not in content:
            yield path, content


def _pygrep_hooks():
    config = yaml.safe_load(open(PRE_COMMIT))
    return {
        hook['id']: hook
        for repo in config['repos']
        for hook in repo['hooks'] if hook.get('language') == 'pygrep'
    }


def _compile_pygrep(hook):
    # as pre-commit's pygrep: a bytes pattern; --multiline matches the whole
    # file with MULTILINE | DOTALL, else each line (newline included)
    multiline = '--multiline' in hook.get('args', [])
    flags = re.MULTILINE | re.DOTALL if multiline else 0
    return re.compile(hook['entry'].encode(), flags), multiline


def pygrep_problems(hook, files):
    """``path:line`` of every match of a pygrep hook in ``files``."""
    pattern, multiline = _compile_pygrep(hook)
    problems = []
    for path, content in files:
        if multiline:
            match = pattern.search(content)
            if match:
                line = content.count(b'\n', 0, match.start()) + 1
                problems.append(f'{path}:{line}')
        else:
            for number, line in enumerate(content.splitlines(True), 1):
                if pattern.search(line):
                    problems.append(f'{path}:{number}')
    return problems


def _report(tool, problems, fix=None):
    how = f'fix with `{fix}`' if fix else 'fix by hand'
    return (f'{tool}: {len(problems)} problem(s); {how}:\n' +
            '\n'.join(problems))


@pytest.mark.parametrize('tool', ['flake8', 'isort', 'yapf'])
def test_linters_are_the_pinned_versions(tool):
    pinned = _pinned_versions()
    assert tool in pinned, f'{tool} is not pinned in requirements/lint.txt'
    try:
        installed = metadata.version(tool)
    except metadata.PackageNotFoundError:
        installed = None
    assert installed == pinned[tool], (
        f'{tool} {installed} is installed, requirements/lint.txt pins '
        f'{pinned[tool]}: run `bash tools/setup_env.sh` (or `pip install -r '
        'requirements/lint.txt`).')


def test_flake8_finds_nothing():
    problems = flake8_problems(LINTED)
    assert not problems, _report('flake8', problems)


def test_isort_finds_nothing():
    problems = isort_problems(LINTED)
    assert not problems, _report('isort', problems,
                                 'isort ' + ' '.join(LINTED))


def test_yapf_finds_nothing():
    problems = yapf_problems(LINTED)
    assert not problems, _report('yapf', problems,
                                 'yapf -i -r ' + ' '.join(LINTED))


@pytest.mark.parametrize('hook_id', ['trailing-whitespace', 'end-of-file'])
def test_text_checks_find_nothing(hook_id):
    hook = _pygrep_hooks()[hook_id]
    problems = pygrep_problems(hook, repo_text_files())
    assert not problems, _report(hook['name'], problems)


def test_pre_commit_runs_the_same_linters():
    config = yaml.safe_load(open(PRE_COMMIT))
    hooks = {h['id']: h for repo in config['repos'] for h in repo['hooks']}
    assert set(hooks) == {
        'flake8', 'isort', 'yapf', 'trailing-whitespace', 'end-of-file'
    }
    for tool in ('flake8', 'isort', 'yapf'):
        # local hooks run the pinned tool of the environment: no download
        assert hooks[tool]['language'] == 'system'
        assert hooks[tool]['entry'].split()[0] == tool
        assert hooks[tool]['types'] == ['python']


def test_text_checks_catch_what_they_should():
    hooks = _pygrep_hooks()
    files = [('ok.md', b'a\n\tb\n'), ('empty.py', b''),
             ('space.md', b'a \nb\n'), ('tab.py', b'a\nb\t\n'),
             ('crlf.md', b'a \r\n'), ('no_eol.md', b'a\nb'),
             ('two_eol.md', b'a\n\n')]
    assert pygrep_problems(hooks['trailing-whitespace'],
                           files) == ['space.md:1', 'tab.py:2', 'crlf.md:1']
    assert pygrep_problems(hooks['end-of-file'],
                           files) == ['no_eol.md:2', 'two_eol.md:1']


def test_linters_catch_what_they_should(tmp_path):
    """The settings of setup.cfg are read and do flag bad code (so an empty
    report above means clean code, not a linter that saw nothing)."""
    bad = tmp_path / 'bad_style.py'
    bad.write_text('import torch\nimport os\n\n'
                   "x = {  'a':1}\n"
                   f"y = '{'z' * 80}'\n"
                   'print(os, torch, x, y)\n')
    codes = [
        line.split(': ')[1].split()[0] for line in flake8_problems([str(bad)])
    ]
    assert sorted(codes) == ['E201', 'E231', 'E501']
    assert isort_problems([str(bad)], cwd=str(tmp_path)) == ['bad_style.py']
    assert yapf_problems([str(bad)], cwd=str(tmp_path)) == [f'{bad} (2 lines)']
    good = tmp_path / 'good_style.py'
    good.write_text('import os\n\nimport torch\n\n'
                    "x = {'a': 1}\nprint(os, torch, x)\n")
    assert flake8_problems([str(good)]) == []
    assert isort_problems([str(good)], cwd=str(tmp_path)) == []
    assert yapf_problems([str(good)], cwd=str(tmp_path)) == []
