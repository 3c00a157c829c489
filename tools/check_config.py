"""Check a config without training: build its model, run one forward, stop.

    python tools/check_config.py CONFIG [--cfg-options k=v ...]
                                        [--no-checkpoints] [--real-batch]
                                        [--batch-size N] [--img-size S]

Works for this project's configs and for existing MMRazor / mmcls-era configs
(``mmrazor::distill/...`` paths too). It runs the config checks of
``tools/train.py`` (a missing dataset is only a note unless ``--real-batch``
needs it), builds the model (a distillation algorithm builds its
teacher and student, loads ``teacher_ckpt`` and registers its recorders),
then feeds it one batch through the data preprocessor and the loss forward,
and prints a short summary. By default the batch is a small dummy batch of
the model's task (classification, detection or segmentation);
``--real-batch`` takes the first batch of ``train_dataloader`` instead (needs
the dataset on disk). ``--no-checkpoints`` skips ``teacher_ckpt`` and
``Pretrained`` weights, so nothing is downloaded. Any failure is one line on
stderr and exit status 1.
"""
import argparse
import os.path as osp
import sys
import urllib.error
import warnings

TASKS = ('classification', 'detection', 'segmentation')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Build a config\'s model and run one forward.')
    parser.add_argument('config', help='config file or package::path')
    from mmkd_transfer.cli import add_cfg_options
    add_cfg_options(parser)
    parser.add_argument(
        '--no-checkpoints',
        action='store_true',
        help='skip teacher_ckpt and Pretrained weights')
    parser.add_argument(
        '--real-batch',
        action='store_true',
        help='use the first train_dataloader batch')
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument(
        '--img-size',
        type=int,
        default=None,
        help='side of the dummy images (default: 32 for '
        'classification, 64 otherwise)')
    return parser.parse_args(argv)


def strip_checkpoints(node):
    """Drop teacher checkpoints and pretrained weights from a config, in place.

    Removes ``teacher_ckpt`` / ``ckpt_path`` keys (and the ``ckpt`` of
    every ``MultiTeacherDistill`` teacher) and ``init_cfg`` entries of
    type ``Pretrained``, and turns ``pretrained`` settings off, so building the
    model reads and downloads nothing.
    """
    if isinstance(node, list):
        for item in node:
            strip_checkpoints(item)
        return
    if not isinstance(node, dict):
        return
    for key in ('teacher_ckpt', 'ckpt_path'):
        node.pop(key, None)  # MMRazor loads a ckpt_path that is present
    if isinstance(node.get('teachers'), dict):  # MultiTeacherDistill specs
        for spec in node['teachers'].values():
            if isinstance(spec, dict) and 'ckpt' in spec:
                spec['ckpt'] = None
    if 'pretrained' in node:
        node['pretrained'] = False if isinstance(node['pretrained'],
                                                 bool) else None
    init_cfg = node.get('init_cfg')
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
        node['init_cfg'] = None
    elif isinstance(init_cfg, list):
        node['init_cfg'] = [
            c for c in init_cfg
            if not (isinstance(c, dict) and c.get('type') == 'Pretrained')
        ] or None
    for value in node.values():
        strip_checkpoints(value)


def resolve_config_path(config):
    """A file path for ``config``; ``package::dir/file.py`` is looked up in
    the installed package's configs (``mmcls::`` in mmpretrain's)."""
    if '::' not in config:
        return config
    from mmengine.config.utils import MODULE2PACKAGE
    from mmengine.utils import get_installed_path

    from mmkd_transfer.compat import mmcls_cfg_path_to_mmpretrain
    package, _, rel_path = mmcls_cfg_path_to_mmpretrain(config).partition('::')
    path = osp.join(
        get_installed_path(MODULE2PACKAGE.get(package, package)), '.mim',
        'configs', rel_path)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{config} is not a config of the installed '
                                f'{package} ({path} does not exist)')
    return path


def load_config(config, cfg_options=None, no_checkpoints=False):
    """Read a config with the plugin's fixes in force."""
    from mmengine.config import Config

    import mmkd_transfer  # noqa: F401  (compat fixes: mmcls:: paths, ...)
    cfg = Config.fromfile(resolve_config_path(config))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if no_checkpoints:
        strip_checkpoints(cfg._cfg_dict)
    return cfg


def build_model(cfg):
    """Build ``cfg.model`` under the config's default scope."""
    from mmengine.registry import DefaultScope
    from mmengine.utils import import_modules_from_strings
    from mmrazor.registry import MODELS
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model_cfg = cfg.model.copy()
        # An mmcls/mmdet/mmseg model config keeps its preprocessor outside.
        if 'data_preprocessor' in cfg and \
                'data_preprocessor' not in model_cfg:
            model_cfg['data_preprocessor'] = cfg.data_preprocessor
        return MODELS.build(model_cfg)


def model_task(model):
    """The task of a model or of a distillation algorithm's student."""
    student = getattr(model, 'architecture', model)
    checks = (('mmdet.models', 'BaseDetector',
               'detection'), ('mmseg.models', 'BaseSegmentor', 'segmentation'),
              ('mmpretrain.models', 'BaseClassifier', 'classification'))
    import importlib
    for module_name, cls_name, task in checks:
        try:
            cls = getattr(importlib.import_module(module_name), cls_name)
        except ImportError:
            continue
        if isinstance(student, cls):
            return task
    raise TypeError(f'{type(student).__name__} is neither an mmpretrain '
                    'classifier, an mmdet detector nor an mmseg segmentor; '
                    'use --real-batch to check it with its own data')


def dummy_batch(task, batch_size=2, img_size=None, seed=0):
    """A raw batch (uint8 images + data samples) as a dataloader gives it.

    Args:
        task (str): one of :data:`TASKS`.
        batch_size (int): number of images.
        img_size (int, optional): image side; 32 for classification and 64
            otherwise when None.
        seed (int): seed of the random images and targets.

    Returns:
        dict: ``inputs`` (list of (3, S, S) uint8 tensors) and
        ``data_samples`` (the task's data sample type, with targets).
    """
    import torch
    generator = torch.Generator().manual_seed(seed)
    size = img_size or (32 if task == 'classification' else 64)
    if task == 'detection':
        from mmdet.testing import demo_mm_inputs
        torch.manual_seed(seed)
        return demo_mm_inputs(
            batch_size,
            image_shapes=[(3, size, size)] * batch_size,
            num_items=[2] * batch_size,
            num_classes=2,
            with_mask=True)
    inputs = [
        torch.randint(
            0, 256, (3, size, size), generator=generator, dtype=torch.uint8)
        for _ in range(batch_size)
    ]
    meta = dict(
        img_shape=(size, size),
        ori_shape=(size, size),
        pad_shape=(size, size),
        scale_factor=(1.0, 1.0))
    if task == 'classification':
        from mmpretrain.structures import DataSample
        samples = [
            DataSample(metainfo=meta).set_gt_label(i % 2)
            for i in range(batch_size)
        ]
    elif task == 'segmentation':
        from mmengine.structures import PixelData
        from mmseg.structures import SegDataSample
        samples = []
        for _ in range(batch_size):
            sample = SegDataSample(metainfo=meta)
            sample.gt_sem_seg = PixelData(
                data=torch.randint(0, 2, (1, size, size), generator=generator))
            samples.append(sample)
    else:
        raise ValueError(f'task must be one of {TASKS}, got {task!r}')
    return dict(inputs=inputs, data_samples=samples)


def first_batch(cfg):
    """The first batch of the config's ``train_dataloader``."""
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        loader_cfg = cfg.train_dataloader.copy()
        loader_cfg.update(num_workers=0, persistent_workers=False)
        loader = Runner.build_dataloader(loader_cfg)
        return next(iter(loader))


def forward_losses(model, batch):
    """One loss forward (no gradients); returns ``{name: float}``."""
    import torch
    model.train()
    with torch.no_grad():
        data = model.data_preprocessor(batch, True)
        losses = model(**data, mode='loss')
        _, log_vars = model.parse_losses(losses)
    return {name: float(value) for name, value in log_vars.items()}


def count_params(module):
    return sum(p.numel() for p in module.parameters())


def summary(model, task, losses):
    """A few lines: model, student/teacher sizes, losses."""
    lines = [f'model: {type(model).__name__} ({task})']
    for role in ('architecture', 'teacher'):
        part = getattr(model, role, None)
        if part is not None:
            name = 'student' if role == 'architecture' else role
            lines.append(f'{name}: {type(part).__name__}, '
                         f'{count_params(part) / 1e6:.2f}M parameters')
    lines.append('losses: ' + ', '.join(f'{name}={value:.4g}'
                                        for name, value in losses.items()))
    return lines


def check(config,
          cfg_options=None,
          no_checkpoints=False,
          real_batch=False,
          batch_size=2,
          img_size=None):
    """Build the model of ``config`` and run one loss forward.

    Returns:
        list[str]: the summary lines.
    """
    import math

    from mmkd_transfer.config_checks import (ConfigError, ConfigWarning,
                                             check_custom_import,
                                             check_dataset_paths,
                                             check_teacher_checkpoints)
    cfg = load_config(config, cfg_options, no_checkpoints)
    check_custom_import(cfg)
    if no_checkpoints:
        # teachers without a checkpoint are what was asked for
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', ConfigWarning)
            check_teacher_checkpoints(cfg)
    else:
        check_teacher_checkpoints(cfg)
    notes = []
    try:
        check_dataset_paths(cfg)
    except ConfigError as err:
        if real_batch:
            raise
        # a dummy batch does not need the data; training will
        notes.append(f'note: {err}')
    model = build_model(cfg)
    task = 'dataloader' if real_batch else model_task(model)
    batch = first_batch(cfg) if real_batch else dummy_batch(
        task, batch_size, img_size)
    losses = forward_losses(model, batch)
    bad = [name for name, value in losses.items() if not math.isfinite(value)]
    if bad:
        raise FloatingPointError(f'non-finite losses {bad} on the first batch')
    return summary(model, task, losses) + notes


def _where(err):
    """``file:line`` where an exception was raised."""
    import traceback
    frame = traceback.extract_tb(err.__traceback__)[-1]
    return f'at {frame.filename}:{frame.lineno}'


def main(argv=None):
    args = parse_args(argv)
    try:
        lines = check(args.config, args.cfg_options, args.no_checkpoints,
                      args.real_batch, args.batch_size, args.img_size)
    except Exception as err:  # one line, whatever failed
        message = str(err).strip().splitlines()
        first = message[0] if message else f'(no message) {_where(err)}'
        if isinstance(err, (urllib.error.URLError, ConnectionError)):
            first += (' (a download failed: --no-checkpoints skips teacher '
                      'checkpoints and pretrained weights)')
        print(
            f'check_config: {osp.basename(args.config)}: FAILED: '
            f'{type(err).__name__}: {first}',
            file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    print(f'check_config: {osp.basename(args.config)}: OK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
