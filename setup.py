"""pip-installable MMRazor plugin: ``pip install -e .``."""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

MIM_FILES = ('configs', 'tools', 'model-index.yml')


def add_mim_extension():
    """Expose configs/ and tools/ as mmkd_transfer/.mim, as OpenMMLab does.

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
    with open(osp.join(osp.dirname(__file__), 'mmkd_transfer', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements():
    here = osp.dirname(__file__)
    with open(osp.join(here, 'requirements.txt')) as f:
        lines = [ln.split('#')[0].strip() for ln in f]
    return [ln for ln in lines if ln and ln not in ('pytest', 'tensorboard')]


add_mim_extension()
setup(
    name='mmkd_transfer',
    version=read_version(),
    description='Transfer-learning distillation (CRKD, AFD, TMU, SKD) for MMRazor',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmkd_transfer', 'mmkd_transfer.*']),
    py_modules=['mmkd_transfer_hook'],
    include_package_data=True,
    package_data={'mmkd_transfer': ['.mim/**/*', '*.pth']},
    python_requires='>=3.8',
    install_requires=read_requirements(),
    license='Apache License 2.0',
    zip_safe=False,
)
