"""tools/visualize_saliency.py: one labelled row of frame | ground truth |
prediction overlays per model, from tiny checkpoints made here."""
import numpy as np
import pytest
import torch
from conftest import config_path, load_tool

SPATIAL = config_path('skd', 'skd-s_1xb16-1000i_aerial-clips-32px-frame.py')
tool = load_tool('visualize_saliency')


def _checkpoint(tmp_path, name, seed):
    """A spatial student with random conv weights (its own init gives a
    constant map), saved as a Runner would."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS
    cfg = Config.fromfile(SPATIAL)
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    for key, value in model.state_dict().items():
        if key.endswith('weight') and value.dim() == 4:
            value.normal_(0, 0.3)
    path = tmp_path / name
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path)


def _read_rgb(path):
    import cv2
    return cv2.imread(str(path), cv2.IMREAD_COLOR)[..., ::-1]


def test_rows_share_frame_and_truth_and_differ_in_prediction(tmp_path):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmrazor.registry import DATASETS

    from mmkd_transfer.engine.hooks.saliency_overlay_hook import (
        GAP, render_saliency_overlay)
    a = _checkpoint(tmp_path, 'a.pth', 0)
    b = _checkpoint(tmp_path, 'b.pth', 1)
    out = tmp_path / 'fig.png'
    assert tool.main([
        str(out), '--clips', '0', '2', '--row', 'model a', SPATIAL, a, '--row',
        'model b', SPATIAL, b
    ]) == 0
    fig = _read_rgb(out)
    panel, row_h = 64, tool.LABEL_HEIGHT + 64
    clip_w = 3 * panel + 2 * GAP
    assert fig.shape == (2 * row_h, 2 * clip_w + tool.CLIP_GAP, 3)
    # a label was written (dark pixels) in each white strip
    for r in range(2):
        assert fig[r * row_h:r * row_h + tool.LABEL_HEIGHT].min() < 100
    row_a = fig[tool.LABEL_HEIGHT:row_h]
    row_b = fig[row_h + tool.LABEL_HEIGHT:]
    # frame and ground-truth panels: identical in both rows and equal to
    # the overlay of the dataset's clip 2 drawn directly
    cfg = Config.fromfile(SPATIAL)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        dataset = DATASETS.build(cfg.val_dataloader.dataset)
    item = dataset[2]
    sample = item['data_samples']
    direct = render_saliency_overlay(
        item['inputs'][0],
        gt=sample.gt_saliency.data,
        fixations=sample.gt_fixations.data)
    start = clip_w + tool.CLIP_GAP
    shared = slice(start, start + direct.shape[1])
    np.testing.assert_array_equal(row_a[:, shared], direct)
    np.testing.assert_array_equal(row_b[:, shared], direct)
    # the prediction panels differ: the two checkpoints were loaded
    pred = slice(start + clip_w - panel, start + clip_w)
    assert np.abs(row_a[:, pred].astype(int) -
                  row_b[:, pred].astype(int)).mean() > 1


def test_palette_png_and_bad_input(tmp_path, capsys):
    from PIL import Image

    from mmkd_transfer.cli import run_tool
    a = _checkpoint(tmp_path, 'a.pth', 0)
    out = tmp_path / 'fig.png'
    tool.main([str(out), '--colors', '16', '--row', 'a', SPATIAL, a])
    image = Image.open(out)
    assert image.mode == 'P' and len(image.getcolors()) <= 16
    with pytest.raises(SystemExit) as err:
        run_tool(tool.main, [str(out), '--row', 'a', SPATIAL, 'no.pth'])
    assert err.value.code == 1
    message = capsys.readouterr().err.strip()
    assert 'no.pth' in message and '\n' not in message
    with pytest.raises(SystemExit):
        run_tool(tool.main,
                 [str(out), '--clips', '999', '--row', 'a', SPATIAL, a])
    message = capsys.readouterr().err.strip()
    assert '--clips 999 is outside the 128 clips' in message
