"""The comparison runner (mmkd_transfer/apis/comparison*.py, tools/compare.py):
shipped specs point at shipped configs and wire their teachers, bad specs
fail before training, checkpoint naming, the table and the JSON, and one
tiny comparison end to end (1 epoch per run)."""
import glob
import json
import os.path as osp
import re
import sys

import pytest
import yaml
from conftest import CONFIGS, REPO
from mmengine.config import Config

from mmkd_transfer.apis import (SpecError, check_rows, final_checkpoint,
                                format_table, load_spec, parse_spec,
                                results_json, run_comparison,
                                set_teacher_checkpoints)

sys.path.insert(0, osp.join(REPO, 'tools'))
import compare  # noqa: E402

SPECS = sorted(
    p for p in glob.glob(osp.join(CONFIGS, '**', '*.yml'), recursive=True)
    if osp.basename(p) != 'metafile.yml')
KD_CLS = 'kd/kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py'
MTKD_CLS = ('multi_teacher/'
            'mtkd_r18w32-32px_r18w32-8px_r18w8-8px_1xb64_digits-cls-100l.py')
TEACHER_CLS = 'baselines/teacher_r18w32_1xb64_digits-cls.py'
STUDENT_CLS = 'baselines/student_r18w8_1xb64_digits-cls-100l.py'


def test_specs_are_found():
    names = [osp.relpath(p, CONFIGS) for p in SPECS]
    for name in ('demo.yml', 'afd/results.yml', 'afd/results_seg.yml',
                 'afd/results_det.yml'):
        assert name in names


@pytest.mark.parametrize(
    'path', SPECS, ids=[osp.relpath(p, CONFIGS) for p in SPECS])
def test_shipped_spec_rows_are_configs_with_their_teachers(path):
    spec = load_spec(path)  # every config path resolves
    check_rows(spec)  # every row's teacher fits its config
    assert spec['teachers'] and len(spec['seeds']) >= 3
    # exactly the student-alone rows run without a teacher
    for row in spec['rows']:
        assert (row['teacher'] is None) == ('student' in row['key']), row


def test_demo_spec_has_both_settings_and_every_method():
    spec = load_spec(osp.join(CONFIGS, 'demo.yml'))
    keys = [row['key'] for row in spec['rows']]
    assert keys == [
        'student_8px', 'kd_8px', 'afd_8px', 'student_4px', 'kd_4px', 'afd_4px',
        'crkd_4px', 'tmu_4px'
    ]
    assert spec['seeds'] == [0, 1, 2]
    # every row has the same schedule: no per-row overrides
    assert all(row['cfg_options'] == {} for row in spec['rows'])
    epochs = {
        Config.fromfile(row['config']).train_cfg.max_epochs
        for row in spec['rows']
    }
    assert epochs == {30}


def test_det_spec_beta25_row_overrides_only_the_loss_weight():
    spec = load_spec(osp.join(CONFIGS, 'afd', 'results_det.yml'))
    rows = {row['key']: row for row in spec['rows']}
    assert rows['afd_beta25']['config'] == rows['afd']['config']
    assert rows['afd_beta25']['cfg_options'] == {
        'model.distiller.distill_losses.loss_afd.loss_weight': 25
    }
    assert spec['scale'] == 100.


def test_final_checkpoint_by_epoch_and_by_iter():
    cls = Config.fromfile(osp.join(CONFIGS, TEACHER_CLS))
    seg = Config.fromfile(
        osp.join(CONFIGS, 'baselines',
                 'teacher_fcn-r18w16_1xb8_digits-seg.py'))
    assert final_checkpoint(cls, 'w') == osp.join('w', 'epoch_30.pth')
    assert final_checkpoint(seg, 'w') == osp.join('w', 'iter_1500.pth')


def _spec(**changes):
    raw = dict(
        title='Digits (val top-1 %)',
        metric='accuracy/top1',
        seeds=[0, 1],
        teachers=dict(digits=dict(label='teacher w32', config=TEACHER_CLS)),
        rows=[
            dict(key='student', label='student alone', config=STUDENT_CLS),
            dict(key='kd', label='+ KD', config=KD_CLS, teacher='digits'),
        ])
    raw.update(changes)
    return raw


def test_table_lists_mean_std_and_per_seed_values():
    spec = parse_spec(_spec(), CONFIGS)
    text = format_table(spec, {
        'digits': [98.7],
        'student': [50.0, 52.0],
    }, [0, 1], 90.0)
    assert text.splitlines() == [
        'Digits (val top-1 %): mean ± sample std over seeds 0, 1 (1.5 min)',
        '',
        '| model | mean ± std | per seed |',
        '|---|---|---|',
        '| teacher w32 | 98.7 | 98.7 (seed 0) |',
        '| student alone | 51.0 ± 1.4 | 50.0, 52.0 |',
    ]  # the KD row has no values yet: left out


def test_results_json_has_every_value_and_the_table():
    spec = parse_spec(_spec(), CONFIGS)
    values = {'digits': [98.7], 'student': [50.0, 52.0], 'kd': [97.0]}
    result = results_json(spec, values, [0, 1], 60.0, threads=1)
    assert result['metric'] == 'accuracy/top1'
    assert result['seeds'] == [0, 1] and result['threads'] == 1
    assert result['rows'] == [
        dict(
            key='digits',
            label='teacher w32',
            config=TEACHER_CLS,
            seeds=[0],
            values=[98.7],
            mean=98.7,
            std=None),
        dict(
            key='student',
            label='student alone',
            config=STUDENT_CLS,
            seeds=[0, 1],
            values=[50.0, 52.0],
            mean=51.0,
            std=pytest.approx(2**0.5)),
        dict(
            key='kd',
            label='+ KD',
            config=KD_CLS,
            seeds=[0],
            values=[97.0],
            mean=97.0,
            std=None),
    ]
    assert result['table'] == format_table(spec, values, [0, 1], 60.0)
    json.dumps(result)  # serialisable as it is


@pytest.mark.parametrize('changes,message', [
    (dict(colour='red'), "unknown keys ['colour']"),
    (dict(metric=None), 'needs `metric`'),
    (dict(seeds=[0, 0]), 'seeds repeat'),
    (dict(seeds=[]), 'non-empty list of ints'),
    (dict(scale='100'), 'scale must be a number'),
    (dict(rows=[]), 'rows must be a non-empty list'),
    (dict(rows=[dict(key='a', label='a', config='nowhere.py')]),
     "config 'nowhere.py' not found"),
    (dict(rows=[dict(key='a', label='a', config=KD_CLS, teacher='hr')]),
     "teacher 'hr' is not among the spec teachers ['digits']"),
    (dict(rows=[dict(key='digits', label='a', config=STUDENT_CLS)]),
     'key used twice'),
    (dict(rows=[dict(key='a', label='a', config=STUDENT_CLS, seed=1)]),
     "unknown keys ['seed']"),
])
def test_bad_specs_name_the_problem(changes, message):
    with pytest.raises(SpecError, match=None) as info:
        parse_spec(_spec(**changes), CONFIGS)
    assert message in str(info.value)


@pytest.mark.parametrize('rows,message', [
    ([dict(key='kd', label='kd', config=KD_CLS)
      ], 'its config distils from a teacher: name the spec teacher'),
    ([dict(key='s', label='s', config=STUDENT_CLS, teacher='digits')
      ], 'its config has no teacher'),
    ([dict(key='m', label='m', config=MTKD_CLS, teacher='digits')
      ], "its config has teachers ['t_hr', 't_lr']: map each"),
    ([dict(key='m', label='m', config=MTKD_CLS, teacher=dict(t_hr='digits'))
      ], "`teacher` maps ['t_hr'], its config has teachers ['t_hr', 't_lr']"),
    ([
        dict(
            key='s',
            label='s',
            config=STUDENT_CLS,
            cfg_options={'train_cfgs.max_epochs': 1})
    ], "cfg_options ['train_cfgs.max_epochs']: student_r18w8_1xb64_digits-cls"
     '-100l.py has no such section'),
])
def test_rows_that_do_not_fit_their_config_fail_before_training(rows, message):
    spec = parse_spec(_spec(rows=rows), CONFIGS)
    with pytest.raises(SpecError) as info:
        check_rows(spec)
    assert message in str(info.value)


def test_teacher_checkpoints_go_where_each_algorithm_reads_them():
    ckpts = dict(digits='d.pth', hr='hr.pth')
    # an existing MMRazor project's SingleTeacherDistill config
    single = Config(
        dict(model=dict(type='SingleTeacherDistill', teacher_ckpt='old.pth')))
    set_teacher_checkpoints(single, 'digits', ckpts)
    assert single.model.teacher_ckpt == 'd.pth'
    multi = Config.fromfile(osp.join(CONFIGS, MTKD_CLS))
    set_teacher_checkpoints(multi, dict(t_hr='hr', t_lr='digits'), ckpts)
    assert multi.model.teachers.t_hr.ckpt == 'hr.pth'
    assert multi.model.teachers.t_lr.ckpt == 'd.pth'
    one = Config.fromfile(osp.join(CONFIGS, KD_CLS))
    set_teacher_checkpoints(one, 'digits', ckpts)
    assert one.model.teachers.teacher.ckpt == 'd.pth'


def _tiny_spec_file(folder, rows=None):
    """The test spec as a file, absolute config paths; every run is 1 epoch
    of 2 iterations (the first 128 training images), validated on 128."""
    tiny = {
        'train_cfg.max_epochs': 1,
        'train_dataloader.dataset.indices': 128,
        'val_dataloader.dataset.indices': 128
    }
    raw = _spec(cfg_options=tiny)
    raw['teachers']['digits'].update(cfg_options=tiny)
    for entry in [raw['teachers']['digits']] + raw['rows']:
        entry['config'] = osp.join(CONFIGS, entry['config'])
    if rows is not None:
        raw['rows'] = [r for r in raw['rows'] if r['key'] in rows]
    path = osp.join(str(folder), 'tiny.yml')
    with open(path, 'w') as f:
        yaml.safe_dump(raw, f, allow_unicode=True)
    return path


def test_tiny_comparison_end_to_end_then_teacher_reused(tmp_path, capsys):
    work = tmp_path / 'work'
    lines = []
    spec = load_spec(_tiny_spec_file(tmp_path))
    result = run_comparison(spec, work_dir=str(work), log=lines.append)
    progress = [ln for ln in lines if re.match(r'\[compare\] \d+/', ln)]
    assert len(progress) == 5
    assert progress[0].startswith('[compare] 1/5 teacher digits: training (')
    assert progress[0].endswith('teacher_r18w32_1xb64_digits-cls.py) '
                                '[0.0 min]')
    assert progress[1].startswith('[compare] 2/5 student seed 0: student '
                                  'alone (')
    assert progress[4].startswith('[compare] 5/5 kd seed 1: + KD (')
    teacher_ckpt = work / 'teacher_digits' / 'epoch_1.pth'
    assert teacher_ckpt.is_file()
    # the KD runs distilled from that teacher: the Runner's config dump
    dumped = Config.fromfile(str(work / 'kd_seed1' / osp.basename(KD_CLS)))
    assert dumped.model.teachers.teacher.ckpt == str(teacher_ckpt)

    saved = json.loads((work / 'results.json').read_text())
    assert saved == json.loads(json.dumps(result))
    rows = {row['key']: row for row in saved['rows']}
    assert rows['digits']['seeds'] == [0]
    assert rows['student']['seeds'] == rows['kd']['seeds'] == [0, 1]
    for row in rows.values():
        assert all(0 <= v <= 100 for v in row['values'])
        # top-1 on 128 images: a multiple of 100/128
        assert all(
            abs(v * 1.28 - round(v * 1.28)) < 1e-4 for v in row['values'])
    assert saved['table'] in '\n'.join(lines)

    # second run through the tool, same work dir: the teacher is only
    # evaluated (same value), seed 0 of the student gives the same value
    capsys.readouterr()
    second = compare.main([
        _tiny_spec_file(tmp_path, rows=['student']), '--seeds', '0',
        '--work-dir',
        str(work)
    ])
    out = capsys.readouterr().out
    assert f'[compare] 1/2 teacher digits: evaluating {teacher_ckpt}' in out
    values = {row['key']: row['values'] for row in second['rows']}
    assert values['digits'] == rows['digits']['values']
    assert values['student'] == rows['student']['values'][:1]


def test_tool_refuses_a_bad_spec_in_one_line(tmp_path):
    path = tmp_path / 'bad.yml'
    path.write_text('title: t\nmetric: m\nrows: []\n')
    with pytest.raises(SystemExit) as info:
        compare.main([str(path)])
    assert str(info.value).startswith('compare: ')
    assert 'rows must be a non-empty list' in str(info.value)
    with pytest.raises(SystemExit) as info:
        compare.main([str(tmp_path / 'missing.yml')])
    assert 'not found' in str(info.value)
    good = _tiny_spec_file(tmp_path)
    with pytest.raises(SystemExit, match=r'seeds: seeds repeat: \[0, 0\]'):
        compare.main([good, '--seeds', '0', '0'])
    with pytest.raises(SystemExit, match="checkpoint 'no.pth' not found"):
        compare.main([good, '--teacher-ckpt', 'no.pth'])


def test_teacher_ckpt_option():
    assert compare.teacher_checkpoints(['t.pth'], {'digits': {}}) == {
        'digits': 't.pth'
    }
    assert compare.teacher_checkpoints(['hr=a.pth', 'lr=b.pth'], {
        'hr': {},
        'lr': {}
    }) == {
        'hr': 'a.pth',
        'lr': 'b.pth'
    }
    with pytest.raises(SystemExit, match='write KEY=CKPT'):
        compare.teacher_checkpoints(['a.pth'], {'hr': {}, 'lr': {}})


def _video_spec(**changes):
    """Two metrics (MSE lower is better), 3 decimals, a fine-tune row."""
    raw = dict(
        title='Video (val)',
        metric=['video/mse', 'video/ssim'],
        lower_is_better=['video/mse'],
        digits=3,
        seeds=[0, 1],
        teachers=dict(src=dict(label='source', config=f'tmu/{VIDEO_SOURCE}')),
        rows=[
            dict(
                key='student_scratch',
                label='scratch',
                config=f'tmu/{VIDEO_SCRATCH}'),
            dict(
                key='student_finetune',
                label='fine-tuned',
                config=f'tmu/{VIDEO_FINETUNE}',
                load_from='src'),
        ])
    raw.update(changes)
    return raw


VIDEO_SOURCE = 'convlstm_l2h16p2_1xb8-1500_moving-digits-2d-16px.py'
VIDEO_SCRATCH = 'convlstm_l2h16p2_1xb8-500_moving-digits-3d-16px.py'
VIDEO_FINETUNE = 'convlstm_l2h16p2_1xb8-500_moving-digits-2d-ft-3d-16px.py'


def test_table_with_two_metrics_names_them_and_their_direction():
    spec = parse_spec(_video_spec(), CONFIGS)
    assert spec['metric'] == 'video/mse' and spec['digits'] == 3
    assert spec['rows'][1]['load_from'] == 'src'
    values = {
        'video/mse': {
            'src': [10.0],
            'student_scratch': [20.0, 22.0]
        },
        'video/ssim': {
            'src': [0.5],
            'student_scratch': [0.25, 0.5]
        }
    }
    text = format_table(spec, values, [0, 1], 60.0)
    assert text.splitlines()[2:] == [
        '| model | video/mse ↓ | video/ssim ↑ | per seed |',
        '|---|---|---|---|',
        '| source | 10.000 | 0.500 | 10.000 / 0.500 (seed 0) |',
        '| scratch | 21.000 ± 1.414 | 0.375 ± 0.177 | 20.000, 22.000 / '
        '0.250, 0.500 |',
    ]
    result = results_json(spec, values, [0, 1], 60.0, threads=1)
    assert result['metrics'] == ['video/mse', 'video/ssim']
    scratch = result['rows'][1]
    assert scratch['values'] == [20.0, 22.0] and scratch['mean'] == 21.0
    assert scratch['metrics']['video/ssim']['mean'] == 0.375
    json.dumps(result)


def test_one_lower_is_better_metric_says_so():
    spec = parse_spec(_spec(metric='loss', lower_is_better=['loss']), CONFIGS)
    text = format_table(spec, {'student': [1.0, 3.0]}, [0, 1], 0.0)
    assert '| model | mean ± std (lower is better) | per seed |' in text


@pytest.mark.parametrize('changes,message', [
    (dict(metric=['a', 'a']), 'list of distinct keys'),
    (dict(lower_is_better=['video/psnr']), 'lower_is_better must list'),
    (dict(digits=9), 'digits must be an int in [0, 6]'),
    (dict(rows=[
        dict(
            key='ft',
            label='ft',
            config=f'tmu/{VIDEO_FINETUNE}',
            load_from='nope')
    ]), "load_from 'nope' is not among the spec teachers ['src']"),
])
def test_bad_video_specs_name_the_problem(changes, message):
    with pytest.raises(SpecError) as info:
        parse_spec(_video_spec(**changes), CONFIGS)
    assert message in str(info.value)


def test_select_rows_keeps_spec_order_and_refuses_unknown_keys():
    from mmkd_transfer.apis import select_rows
    spec = parse_spec(_video_spec(), CONFIGS)
    picked = select_rows(spec, ['student_finetune'])
    assert [r['key'] for r in picked['rows']] == ['student_finetune']
    assert select_rows(spec, None) is spec
    with pytest.raises(SpecError, match=r"rows \['tmu'\] are not in"):
        select_rows(spec, ['tmu'])


def test_finetune_row_loads_the_teacher_and_finished_runs_are_reused(tmp_path):
    """A 2-iteration video comparison: the fine-tune row starts from the
    source checkpoint; a second run with reuse_runs trains nothing and
    gives the same values."""
    tiny = {
        'train_cfg.max_iters': 2,
        'train_cfg.val_interval': 2,
        'default_hooks.checkpoint.interval': 2,
        'train_dataloader.batch_size': 2,
        'train_dataloader.dataset.num_clips': 4,
        'val_dataloader.dataset.num_clips': 2,
    }
    raw = _video_spec(seeds=[0], cfg_options=tiny)
    raw['teachers']['src']['cfg_options'] = tiny
    spec = parse_spec(raw, CONFIGS)
    work = tmp_path / 'work'
    first = run_comparison(spec, work_dir=str(work), log=lambda _: None)
    source_ckpt = work / 'teacher_src' / 'iter_2.pth'
    dumped = Config.fromfile(
        str(work / 'student_finetune_seed0' / VIDEO_FINETUNE))
    assert dumped.load_from == str(source_ckpt)
    lines = []
    second = run_comparison(
        spec, work_dir=str(work), log=lines.append, reuse_runs=True)
    reused = [ln for ln in lines if ', evaluating ' in ln]
    assert len(reused) == 2  # both rows; the teacher is evaluated anyway
    assert [r['metrics'] for r in second['rows']] == \
        [r['metrics'] for r in first['rows']]
