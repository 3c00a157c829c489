"""The SKD results spec: rows fit their configs, and stage 2 of seed s
reads the stage-1 checkpoints of seed s ({seed}, {work_dir} filled in)."""
from conftest import config_path

from mmkd_transfer.apis.comparison import _config, check_rows, with_seed
from mmkd_transfer.apis.comparison_spec import load_spec


def test_with_seed_fills_string_values_only():
    options = {'a': '{work_dir}/x_seed{seed}/iter_5.pth', 'b': 5, 'c': 'y'}
    assert with_seed(options, 2, 'W') == {
        'a': 'W/x_seed2/iter_5.pth',
        'b': 5,
        'c': 'y'
    }


def test_skd_spec_stage2_rows_read_the_same_seeds_stage1_students():
    spec = load_spec(config_path('skd', 'results.yml'))
    check_rows(spec)
    rows = {row['key']: row for row in spec['rows']}
    # stage-1 rows run before the stage-2 rows of the same seed
    keys = list(rows)
    assert keys.index('student_st_skd') > max(
        keys.index('skd_s'), keys.index('skd_t'))
    row = rows['student_st_skd']
    cfg = _config(row['config'], 'unused', 1,
                  with_seed(row['cfg_options'], 1, 'W'))
    assert cfg.model.trunk_checkpoints == dict(
        spatial='W/skd_s_seed1/iter_300.pth',
        temporal='W/skd_t_seed1/iter_300.pth')
    assert cfg.train_cfg.max_iters == 300
    assert cfg.default_hooks.checkpoint.interval == 300


def test_skd_spec_scores_all_six_measures_kld_lower_is_better():
    from mmkd_transfer.evaluation.saliency_metric import MEASURES
    spec = load_spec(config_path('skd', 'results.yml'))
    assert spec['metrics'] == [f'saliency/{m}' for m in MEASURES]
    assert spec['lower_is_better'] == ['saliency/kld']
