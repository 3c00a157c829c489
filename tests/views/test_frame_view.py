"""FrameView picks the right frames in both layouts; views compose."""
import pytest
import torch

from mmkd_transfer.views import FrameView, ViewError, build_view


def _clip(b=2, t=4, c=3, h=5, w=6):
    # frame f of sample i is filled with 10 * i + f: easy to identify
    values = (10 * torch.arange(b)[:, None] + torch.arange(t)[None]).float()
    return values[:, :, None, None, None].expand(b, t, c, h, w).contiguous()


def _frame_ids(x, c=3):
    """Per-sample frame ids of (B, k, C, H, W) or (B, k*C, H, W)."""
    if x.dim() == 4:
        x = x.reshape(x.shape[0], -1, c, *x.shape[-2:])
    return (x[:, :, 0, 0, 0] % 10).long().tolist()


def test_btchw_single_pair_and_all():
    clip = _clip()
    frame, samples = FrameView(frames=2)(clip, ['s0', 's1'])
    assert frame.shape == (2, 3, 5, 6) and samples == ['s0', 's1']
    assert torch.equal(frame, clip[:, 2])
    pair, _ = FrameView(frames=(1, 2))(clip)
    assert pair.shape == (2, 2, 3, 5, 6) and _frame_ids(pair) == [[1, 2]] * 2
    last, _ = FrameView(frames=(-1, 0))(clip)
    assert _frame_ids(last) == [[3, 0]] * 2
    every, _ = FrameView(frames='all', out_layout='channel_stacked')(clip)
    assert every.shape == (2, 12, 5, 6)
    assert _frame_ids(every) == [[0, 1, 2, 3]] * 2


def test_channel_stacked_single_and_pair():
    clip = _clip()
    stacked = clip.reshape(2, 12, 5, 6)  # frame t in channels 3t..3t+2
    frame, _ = FrameView(
        frames=3, layout='channel_stacked', num_frames=4)(
            stacked)
    assert frame.shape == (2, 3, 5, 6) and torch.equal(frame, clip[:, 3])
    pair, _ = FrameView(
        frames=(0, 1), layout='channel_stacked', num_frames=4)(
            stacked)
    assert pair.shape == (2, 6, 5, 6) and torch.equal(pair, stacked[:, :6])
    as_clip, _ = FrameView(
        frames=(2, 3),
        layout='channel_stacked',
        num_frames=4,
        out_layout='BTCHW')(
            stacked)
    assert torch.equal(as_clip, clip[:, 2:4])


def test_frames_then_resolution_compose():
    clip = _clip(h=8, w=8)
    view = build_view([
        dict(type='FrameView', frames=(0, 1)),
        dict(type='ResolutionView', scale_factor=0.5)
    ])
    out, _ = view(clip)
    assert out.shape == (2, 2, 3, 4, 4) and _frame_ids(out) == [[0, 1]] * 2
    assert view.out_shape((2, 4, 3, 8, 8)) == (2, 2, 3, 4, 4)


def test_bad_frames_are_refused():
    with pytest.raises(
            ViewError, match='frame index 4 is outside a clip of '
            '4 frames'):
        FrameView(frames=(3, 4), num_frames=4)  # at build time
    with pytest.raises(ViewError, match='frame index 5 is outside') as err:
        FrameView(frames=5)(_clip())
    assert str(err.value).endswith(
        "set the dataset's clip_len (and the view's num_frames, if given) "
        'to >= 6, or choose frames within the clip.')
    with pytest.raises(ViewError, match='to >= 7, or choose') as err:
        FrameView(frames=(0, -7))(_clip())  # frame -7 needs 7 frames
    with pytest.raises(ViewError, match='needs num_frames'):
        FrameView(layout='channel_stacked')
    with pytest.raises(ViewError, match='needs a .B, T, C, H, W. batch'):
        FrameView()(torch.randn(2, 3, 5, 6))
    with pytest.raises(ViewError, match='frames must be'):
        FrameView(frames=[])
