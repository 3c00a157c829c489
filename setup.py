"""pip-installable MMRazor plugin: ``pip install -e .``."""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

MIM_FILES = ('configs', 'tools', 'model-index.yml')


def add_mim_extension():
    """Expose configs/, tools/, model-index.yml as mmkd_transfer/.mim.

    ``mim train mmkd_transfer CONFIG`` looks for ``<pkg>/.mim/tools/train.py``
    and searches ``<pkg>/.mim/configs``. Editable installs get symlinks,
    wheels and sdists get copies.
    """
    if 'develop' in sys.argv:
        mode = 'symlink'
    elif any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'install')):
        mode = 'copy'
    else:
        return
    here = osp.dirname(osp.abspath(__file__))
    mim_root = osp.join(here, 'mmkd_transfer', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(here, name)
        dst = osp.join(mim_root, name)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_root), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


def read_version():
    scope = {}
    here = osp.dirname(__file__)
    with open(osp.join(here, 'mmkd_transfer', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements():
    here = osp.dirname(__file__)
    with open(osp.join(here, 'requirements.txt')) as f:
        lines = [ln.split('#')[0].strip() for ln in f]
    return [ln for ln in lines if ln and ln not in ('pytest', 'tensorboard')]


def read_readme():
    path = osp.join(osp.dirname(__file__), 'README.md')
    if not osp.exists(path):
        return ''
    with open(path, encoding='utf-8') as f:
        return f.read()


add_mim_extension()
setup(
    name='mmkd_transfer',
    version=read_version(),
    description='Transfer-learning knowledge distillation for MMRazor',
    long_description=read_readme(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmkd_transfer', 'mmkd_transfer.*']),
    py_modules=['mmkd_transfer_hook'],
    include_package_data=True,
    # configs/, tools/ and model-index.yml as mmkd_transfer/.mim (above)
    package_data={'mmkd_transfer': ['.mim/**/*']},
    python_requires='>=3.8',
    install_requires=read_requirements(),
    license='Apache License 2.0',
    zip_safe=False,
)
