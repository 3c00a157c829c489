"""pip-installable MMRazor plugin: ``pip install -e .``."""
import os.path as osp

from setuptools import find_packages, setup


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


setup(
    name='mmkd_transfer',
    version=read_version(),
    description='Transfer-learning distillation (CRKD, AFD, TMU, SKD) for MMRazor',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmkd_transfer', 'mmkd_transfer.*']),
    include_package_data=True,
    package_data={'mmkd_transfer': ['.mim/**/*', '*.pth']},
    python_requires='>=3.8',
    install_requires=read_requirements(),
    license='Apache License 2.0',
    zip_safe=False,
)
