"""Teacher specs of multi-teacher algorithms: parsed and checked up front."""
from typing import Dict

RESERVED_NAMES = ('student', 'distill', 'architecture', 'distiller',
                  'data_preprocessor')
SPEC_KEYS = ('cfg', 'cfg_path', 'ckpt', 'ckpt_prefix', 'ckpt_strict', 'view',
             'trainable', 'mode')
TEACHER_MODES = ('loss', 'tensor')


def parse_teacher_specs(teachers) -> Dict[str, dict]:
    """Check ``teachers`` (name -> spec) and fill in the defaults.

    Names become module names (``teachers.<name>``), recorder source prefixes
    (``'<name>.head.fc'``), loss prefixes (``'<name>.loss_cls'``) and metric
    prefixes (``'<name>.accuracy/top1'``), so they must be identifiers, must
    not collide with each other (even ignoring case) nor with the prefixes
    the algorithm uses itself.
    """
    if not isinstance(teachers, dict) or not teachers:
        raise ValueError(
            'teachers must be a non-empty dict of name -> spec, e.g. '
            "teachers=dict(t_hr=dict(cfg=..., ckpt='hr.pth')), got "
            f'{teachers!r}.')
    seen = {}
    specs = {}
    for name, spec in teachers.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                f'teacher name {name!r} is not a Python identifier (letters, '
                'digits, "_"; no dots): it prefixes recorder sources such as '
                f'"{name}.head.fc". Rename it, e.g. "t_hr".')
        if name in RESERVED_NAMES:
            raise ValueError(
                f'teacher name {name!r} collides with a prefix the algorithm '
                f'uses itself ({", ".join(RESERVED_NAMES)}): rename it.')
        if name.lower() in seen:
            raise ValueError(
                f'teacher names {seen[name.lower()]!r} and {name!r} collide '
                '(they differ only in case): rename one.')
        seen[name.lower()] = name
        if not isinstance(spec, dict):
            raise ValueError(f'teacher {name!r}: the spec must be a dict with '
                             f'keys among {SPEC_KEYS}, got {spec!r}.')
        unknown = sorted(set(spec) - set(SPEC_KEYS))
        if unknown:
            raise ValueError(f'teacher {name!r}: unknown keys {unknown}; '
                             f'accepted: {SPEC_KEYS}.')
        if (spec.get('cfg') is None) == (spec.get('cfg_path') is None):
            raise ValueError(
                f'teacher {name!r} needs exactly one of cfg (a model config '
                'or model) and cfg_path (e.g. '
                '"mmpretrain::resnet/resnet18_8xb32_in1k.py").')
        full = dict(
            cfg=None,
            cfg_path=None,
            ckpt=None,
            ckpt_prefix='',
            ckpt_strict=True,
            view=None,
            trainable=False,
            mode='loss')
        full.update(spec)
        if not isinstance(full['ckpt_strict'], bool):
            raise ValueError(f'teacher {name!r}: ckpt_strict must be True or '
                             f'False, got {full["ckpt_strict"]!r}.')
        if full['mode'] not in TEACHER_MODES:
            raise ValueError(f'teacher {name!r}: mode must be one of '
                             f'{TEACHER_MODES}, got {full["mode"]!r}.')
        if full['trainable'] and full['mode'] != 'loss':
            raise ValueError(f'teacher {name!r} is trainable: its mode must '
                             'be "loss" (its task loss trains it).')
        specs[name] = full
    return specs


def check_clip_or_image_shape(shape):
    """(C, H, W) or (T, C, H, W) of positive ints, else a clear error."""
    if (not isinstance(shape, (list, tuple)) or len(shape) not in (3, 4)
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 1
                for v in shape)):
        raise ValueError(
            'input_shape must be (C, H, W), or (T, C, H, W) for clips, of '
            f'positive ints, got {shape!r}: set it to the size of one '
            'preprocessed training input before any view, e.g. '
            'input_shape=(3, 32, 32).')
    return tuple(shape)
