"""tools/check_config.py: build a config's model, one forward, then stop."""
import socket

import pytest
import torch
from conftest import config_path, load_tool

tool = load_tool('check_config')
KD = config_path('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py')
MMRAZOR_KD = ('mmrazor::distill/mmcls/kd/'
              'kd_logits_resnet34_resnet18_8xb32_in1k.py')


@pytest.fixture
def no_network(monkeypatch):

    def refuse(self, address):
        # what an offline machine answers (urllib turns it into URLError)
        raise ConnectionRefusedError(f'network access to {address} refused')

    monkeypatch.setattr(socket.socket, 'connect', refuse)


def test_checks_an_mmrazor_mmcls_config_without_downloading(
        capsys, no_network):
    status = tool.main([MMRAZOR_KD, '--no-checkpoints'])
    out = capsys.readouterr().out.splitlines()
    assert status == 0, out
    assert out[0] == 'model: SingleTeacherDistill (classification)'
    assert out[1].startswith('student: ImageClassifier, 11.69M parameters')
    assert out[2].startswith('teacher: ImageClassifier, 21.80M parameters')
    assert out[3].startswith('losses: ') and 'distill.loss_kl=' in out[3]
    assert out[-1].endswith(': OK')


def test_checks_a_plugin_config_on_a_real_batch(capsys):
    status = tool.main([KD, '--real-batch', '--no-checkpoints'])
    out = capsys.readouterr().out
    assert status == 0, out
    assert 'model: MultiTeacherDistill (dataloader)' in out


def test_a_missing_teacher_checkpoint_fails_in_one_line(capsys):
    status = tool.main([KD, '--cfg-options', 'model.teacher_ckpt=nope.pth'])
    captured = capsys.readouterr()
    assert status == 1 and captured.out == ''
    err = captured.err.strip()
    assert '\n' not in err
    assert err.startswith('check_config: kd_logits_r18w32_r18w8_1xb64_'
                          'digits-cls-100l.py: FAILED: ConfigError: ')
    assert "'nope.pth' does not exist" in err


def test_a_misspelt_recorder_source_fails_in_one_line(capsys, no_network):
    status = tool.main([
        MMRAZOR_KD, '--no-checkpoints', '--cfg-options',
        'model.distiller.student_recorders.fc.source=head.fcc'
    ])
    err = capsys.readouterr().err.strip()
    assert status == 1 and '\n' not in err
    # MMRazor's type and words, the recorder that names the source, the
    # closest module names
    assert 'RecorderSourceError: SingleTeacherDistill, student recorder' in err
    assert '"head.fcc" is not in the model.' in err
    assert "'head.fc'" in err


def test_strip_checkpoints_turns_every_download_off():
    cfg = dict(
        teacher_ckpt='https://x/t.pth',
        architecture=dict(cfg_path='mmcls::a.py', pretrained=True),
        teacher=dict(
            backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='u')),
            head=dict(init_cfg=[
                dict(type='Normal', std=0.01),
                dict(type='Pretrained', checkpoint='v')
            ]),
            pretrained='https://x/p.pth'))
    tool.strip_checkpoints(cfg)
    assert cfg == dict(
        architecture=dict(cfg_path='mmcls::a.py', pretrained=False),
        teacher=dict(
            backbone=dict(init_cfg=None),
            head=dict(init_cfg=[dict(type='Normal', std=0.01)]),
            pretrained=None))


@pytest.mark.parametrize('task', tool.TASKS)
def test_dummy_batches_are_seeded_and_shaped(task):
    first = tool.dummy_batch(task, batch_size=3, seed=1)
    again = tool.dummy_batch(task, batch_size=3, seed=1)
    assert len(first['inputs']) == len(first['data_samples']) == 3
    side = 32 if task == 'classification' else 64
    for a, b in zip(first['inputs'], again['inputs']):
        assert a.dtype == torch.uint8 and a.shape == (3, side, side)
        assert torch.equal(a, b)


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match='task must be one of'):
        tool.dummy_batch('pose')


def test_a_failed_download_names_the_option_that_skips_it(capsys, no_network):
    # the config's teacher_ckpt is an https URL; the network is refused
    status = tool.main([MMRAZOR_KD])
    err = capsys.readouterr().err.strip()
    assert status == 1 and '\n' not in err
    assert err.endswith('(a download failed: --no-checkpoints skips teacher '
                        'checkpoints and pretrained weights)')
