"""Docs do not drift: every path a page names and every relative link
resolves, no page points outside the repository (except papers and
upstream projects), the model index lists exactly the metafiles that exist,
and every tool the README runs accepts --help."""
import ast
import glob
import os.path as osp
import re
import subprocess
import sys
from urllib.parse import unquote, urlparse

import pytest
import yaml
from conftest import REPO
from test_lint import repo_text_files

READMES = sorted([osp.join(REPO, 'README.md')] +
                 glob.glob(osp.join(REPO, 'configs', '*', 'README.md')))
# Every page a user reads: the README, docs/ and the configs' READMEs.
PAGES = sorted(
    set(READMES +
        glob.glob(osp.join(REPO, 'docs', '**', '*.md'), recursive=True) +
        glob.glob(osp.join(REPO, 'configs', '**', '*.md'), recursive=True)))
PAGE_IDS = [osp.relpath(p, REPO) for p in PAGES]
PATH_RE = re.compile(r'(?<![\w/.-])((?:configs|tools|mmkd_transfer)/'
                     r'[\w./-]*\w)')
# Inline links and images, [text](target "title"), and reference
# definitions, [label]: target.
INLINE_LINK_RE = re.compile(r'!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?[^)]*\)')
REFERENCE_LINK_RE = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)',
                               re.MULTILINE)
# The only places outside the repository a page may link to: papers and
# upstream projects.
ALLOWED_HOSTS = ('doi.org', 'arxiv.org', 'github.com')
# Team notes that are not part of the repository (built from pieces so that
# this file does not name them itself).
NOT_SHIPPED = [
    '..' + '/shared', 'METHODS' + '.md', 'DESIGN' + '.md',
    'MMRAZOR_NOTES' + '.md', 'STYLE' + '.md'
]


def _read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def _named_paths(page):
    text = _read(page)
    for path in PATH_RE.findall(text):
        if '<' in path or '*' in path:
            continue
        yield path


def _without_code_blocks(text):
    return re.sub(
        r'^(```|~~~).*?^\1', '', text, flags=re.MULTILINE | re.DOTALL)


def _without_code(text):
    """Markdown with fenced blocks and inline code removed (links in code
    are examples, not links)."""
    return re.sub(r'`[^`\n]*`', '', _without_code_blocks(text))


def links(text):
    """Every link target of a markdown text, in order."""
    text = _without_code(text)
    return (INLINE_LINK_RE.findall(text) +
            [m[0] for m in REFERENCE_LINK_RE.findall(text)])


def heading_anchors(text):
    """GitHub's anchors of a page's headings: lower case, punctuation
    dropped, spaces to '-', '-1', '-2', ... on repeats."""
    anchors, seen = set(), {}
    for line in _without_code_blocks(text).splitlines():
        match = re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', line)
        if not match:
            continue
        title = re.sub(r'`|\*\*|__', '', match.group(1)).strip().lower()
        slug = re.sub(r'[^\w\- ]', '', title).replace(' ', '-')
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f'{slug}-{count}')
    return anchors


def broken_links(page, root=REPO):
    """Relative links of ``page`` that do not resolve to a file (and, for a
    ``#anchor``, to a heading) inside ``root``; absolute links to hosts
    other than papers and upstream projects."""
    here = osp.dirname(page)
    broken = []
    for target in links(_read(page)):
        url = urlparse(target)
        if url.scheme in ('http', 'https'):
            host = url.netloc.lower()
            if not any(host == h or host.endswith('.' + h)
                       for h in ALLOWED_HOSTS):
                broken.append(f'{target} (outside the repository)')
            continue
        if url.scheme or url.netloc:
            broken.append(f'{target} (not a relative link)')
            continue
        path = osp.normpath(osp.join(here, unquote(url.path))) \
            if url.path else page
        if osp.relpath(path, root).startswith('..'):
            broken.append(f'{target} (outside the repository)')
        elif not osp.exists(path):
            broken.append(f'{target} (no such file)')
        elif url.fragment and path.endswith('.md') and \
                url.fragment not in heading_anchors(_read(path)):
            broken.append(f'{target} (no such heading)')
    return broken


@pytest.mark.parametrize('page', PAGES, ids=PAGE_IDS)
def test_every_named_path_exists(page):
    here = osp.dirname(page)
    missing = [
        p for p in _named_paths(page)
        if not (osp.exists(osp.join(REPO, p)) or osp.exists(osp.join(here, p)))
    ]
    assert not missing, missing


@pytest.mark.parametrize('page', PAGES, ids=PAGE_IDS)
def test_every_link_resolves(page):
    broken = broken_links(page)
    assert not broken, f'{osp.relpath(page, REPO)}: {broken}'


def test_the_pages_that_must_exist_are_there():
    for page in [
            'README.md', 'docs/README.md', 'docs/architecture.md',
            'docs/adding_a_method.md', 'docs/methods/README.md',
            'docs/methods/afd.md'
    ]:
        assert osp.join(REPO, page) in PAGES, page
    # every page of docs/ is reachable from the docs index
    index = osp.join(REPO, 'docs', 'README.md')
    reached = {
        osp.normpath(osp.join(REPO, 'docs',
                              t.split('#')[0]))
        for t in links(_read(index))
    }
    reached |= {
        osp.normpath(osp.join(REPO, 'docs', 'methods', t))
        for t in links(_read(osp.join(REPO, 'docs', 'methods', 'README.md')))
    }
    unreached = [
        p for p in PAGES if p.startswith(osp.join(REPO, 'docs'))
        and p not in reached and p != index
    ]
    assert not unreached, unreached


def test_link_checker_catches_what_it_should(tmp_path):
    (tmp_path / 'other.md').write_text('# A `code` title\n## Twice\n'
                                       '## Twice\n')
    page = tmp_path / 'page.md'
    page.write_text(
        '# Page\n[ok](other.md) [ok](other.md#a-code-title) '
        '[ok](other.md#twice-1) [ok](#page) [ok](https://arxiv.org/abs/1) '
        '[ok](https://github.com/open-mmlab/mmrazor)\n'
        '`[code](missing.md)` and\n```\n[block](missing.md)\n```\n'
        '[bad](missing.md) [bad](other.md#nope) [bad](#nope) '
        '[bad](https://example.com/x) ![bad](img.png)\n'
        '[bad](../outside.md)\n'
        '[ref]: missing_too.md\n')
    broken = [
        b.split(' (')[0] for b in broken_links(str(page), root=str(tmp_path))
    ]
    assert broken == [
        'missing.md', 'other.md#nope', '#nope', 'https://example.com/x',
        'img.png', '../outside.md', 'missing_too.md'
    ]


def test_no_text_names_files_outside_the_repository():
    hits = []
    for path, content in repo_text_files():
        text = content.decode('utf-8', errors='replace')
        for number, line in enumerate(text.splitlines(), 1):
            for name in NOT_SHIPPED:
                if name in line:
                    hits.append(f'{path}:{number}: {name}')
    assert not hits, ('these files name team notes that do not ship with '
                      'the repository; point to docs/ instead:\n' +
                      '\n'.join(hits))


def _local_config(path):
    # 'mmpretrain::resnet/...' names a config of another package
    return isinstance(path, str) and '::' not in path


def test_model_index_lists_exactly_the_metafiles():
    index = yaml.safe_load(_read(osp.join(REPO, 'model-index.yml')))
    listed = index['Import']
    existing = sorted(
        osp.relpath(p, REPO) for p in glob.glob(
            osp.join(REPO, 'configs', '**', 'metafile.yml'), recursive=True))
    assert sorted(listed) == existing
    assert len(listed) == len(set(listed)), 'a metafile is listed twice'


def test_model_index_loads_as_mim_reads_it():
    # the reader behind `mim search` (openmim's dependency, installed by
    # tools/setup_env.sh)
    load = pytest.importorskip('modelindex.load_model_index').load
    index_file = osp.join(REPO, 'model-index.yml')
    names = []
    for metafile in yaml.safe_load(_read(index_file))['Import']:
        meta = yaml.safe_load(_read(osp.join(REPO, metafile)))
        names += [model['Name'] for model in meta['Models']]
    models = load(index_file).models
    assert sorted(m.name for m in models) == sorted(names)
    assert all(m.config for m in models)


@pytest.mark.parametrize(
    'metafile',
    sorted(
        glob.glob(
            osp.join(REPO, 'configs', '**', 'metafile.yml'), recursive=True)),
    ids=lambda p: osp.relpath(p, REPO))
def test_every_file_a_metafile_names_exists(metafile):
    meta = yaml.safe_load(_read(metafile))
    names = [c['README'] for c in meta['Collections']]
    collections = {c['Name'] for c in meta['Collections']}
    for model in meta['Models']:
        assert model['In Collection'] in collections, model['Name']
        names.append(model['Config'])
        for role in ('Teacher', 'Student'):
            role_meta = (model.get('Metadata') or {}).get(role) or {}
            names.append(role_meta.get('Config'))
    missing = [
        n for n in names
        if _local_config(n) and not osp.exists(osp.join(REPO, n))
    ]
    assert not missing, missing


def test_setup_ships_only_files_that_exist():
    tree = ast.parse(_read(osp.join(REPO, 'setup.py')))
    mim_files = next(
        ast.literal_eval(node.value) for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(
            getattr(t, 'id', None) == 'MIM_FILES' for t in node.targets))
    assert 'model-index.yml' in mim_files
    missing = [n for n in mim_files if not osp.exists(osp.join(REPO, n))]
    assert not missing, missing


def test_readme_starts_with_the_two_commands():
    text = _read(osp.join(REPO, 'README.md'))
    first_block = text.split('```bash', 1)[1].split('```', 1)[0]
    commands = [
        ln.split('#')[0].strip() for ln in first_block.splitlines()
        if ln.strip()
    ]
    assert commands == ['make demo', 'make test']
    assert 'make test' in _read(osp.join(REPO, '.ci', 'run'))


@pytest.mark.parametrize(
    'tool',
    ['train.py', 'test.py', 'export_student.py', 'demo.py', 'benchmark.py'])
def test_tools_named_in_readme_answer_help(tool):
    assert f'tools/{tool}' in _read(osp.join(REPO, 'README.md'))
    result = subprocess.run(
        [sys.executable,
         osp.join(REPO, 'tools', tool), '--help'],
        capture_output=True,
        text=True,
        timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'usage' in result.stdout.lower()
