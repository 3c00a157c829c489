"""A shipped distillation config rewritten as a user's MMRazor config.

The shipped configs use the plugin's ``MultiTeacherDistill``; users' own
configs use MMRazor's ``SingleTeacherDistill`` / ``FpnTeacherDistill``. Both
must load teacher checkpoints strictly and name their recorders, so the
tests build the MMRazor form from the shipped config's parts: the same
student, the same teacher, the distiller with teacher recorder sources
without the ``teacher.`` prefix.
"""
import copy

from mmengine.config import Config


def mmrazor_model(shipped_model):
    """MMRazor's algorithm config equivalent to a one-teacher shipped one.

    Args:
        shipped_model (dict): ``model`` of a shipped config
            (``MultiTeacherDistill`` with a teacher named ``teacher``).

    Returns:
        dict: a ``SingleTeacherDistill`` config, or ``FpnTeacherDistill``
        when the teacher runs in ``'tensor'`` mode (as MMRazor runs it).
    """
    shipped = copy.deepcopy(dict(shipped_model))
    spec = shipped['teachers']['teacher']
    distiller = shipped['distiller']
    for recorder in distiller['teacher_recorders'].values():
        assert recorder['source'].startswith('teacher.'), recorder
        recorder['source'] = recorder['source'][len('teacher.'):]
    model = dict(
        _scope_='mmrazor',
        type=('FpnTeacherDistill'
              if spec.get('mode') == 'tensor' else 'SingleTeacherDistill'),
        architecture=shipped['architecture'],
        teacher=spec['cfg'],
        teacher_ckpt=spec.get('ckpt'),
        distiller=distiller)
    if 'data_preprocessor' in shipped:
        model['data_preprocessor'] = shipped['data_preprocessor']
    return model


def mmrazor_config(path):
    """A shipped config file with its model as MMRazor's algorithm."""
    cfg = Config.fromfile(path)
    cfg.model = mmrazor_model(cfg.model.to_dict())
    cfg.val_cfg = dict(type='mmrazor.SingleTeacherDistillValLoop')
    return cfg
