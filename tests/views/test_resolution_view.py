"""ResolutionView: resized pixels, and targets/metadata per task."""
import pytest
import torch
import torch.nn.functional as F

from mmkd_transfer.views import ResolutionView, ViewError, build_view


def _det_sample(bboxes, img_shape=(60, 64), batch=(64, 64)):
    from mmdet.structures import DetDataSample
    from mmdet.structures.bbox import HorizontalBoxes
    from mmengine.structures import InstanceData
    sample = DetDataSample(
        metainfo=dict(
            img_shape=img_shape,
            ori_shape=(120, 128),
            scale_factor=(0.5, 0.5),
            pad_shape=batch,
            batch_input_shape=batch))
    sample.gt_instances = InstanceData(
        bboxes=HorizontalBoxes(torch.tensor(bboxes, dtype=torch.float32)),
        labels=torch.arange(len(bboxes)))
    return sample


def test_det_boxes_and_metadata_follow_the_view_hand_computed():
    sample = _det_sample([[8., 20., 24., 44.], [0., 0., 63., 59.]])
    inputs = torch.randn(1, 3, 64, 64)
    view = ResolutionView(scale_factor=0.25)
    out, (new, ) = view(inputs, [sample])
    assert out.shape == (1, 3, 16, 16)
    # 64 -> 16: every coordinate times 1/4
    assert new.gt_instances.bboxes.tensor.tolist() == [[2., 5., 6., 11.],
                                                       [0., 0., 15.75, 14.75]]
    assert new.img_shape == (15, 16)  # (60, 64) / 4
    assert new.pad_shape == (16, 16)
    assert new.batch_input_shape == (16, 16)
    assert new.scale_factor == (0.125, 0.125)  # 0.5 * 1/4, (w, h)
    assert new.ori_shape == (120, 128)  # the original image is unchanged
    assert torch.equal(new.gt_instances.labels, sample.gt_instances.labels)
    # the teacher's sample is untouched (copied, not mutated)
    assert sample.img_shape == (60, 64) and sample.scale_factor == (0.5, 0.5)
    assert sample.gt_instances.bboxes.tensor[0].tolist() == [8, 20, 24, 44]


def test_det_anisotropic_size_and_padding_divisor():
    sample = _det_sample([[8., 20., 24., 44.]], img_shape=(64, 48))
    view = ResolutionView(size=(40, 24), pad_size_divisor=32)
    out, (new, ) = view(torch.randn(1, 3, 64, 48), [sample])
    assert out.shape == (1, 3, 64, 32)  # 40x24 padded to multiples of 32
    assert out[..., 40:, :].abs().sum() == 0 and out[..., 24:].abs().sum() == 0
    ry, rx = 40 / 64, 24 / 48
    assert new.gt_instances.bboxes.tensor.tolist() == [[
        8 * rx, 20 * ry, 24 * rx, 44 * ry
    ]]
    assert new.img_shape == (40, 24)
    assert new.pad_shape == new.batch_input_shape == (64, 32)
    assert new.scale_factor == (0.5 * rx, 0.5 * ry)


def test_pixels_are_one_antialiased_resize_of_the_batch():
    inputs = torch.randn(2, 3, 32, 32)
    out, samples = ResolutionView(scale_factor=0.25)(inputs, None)
    expected = F.interpolate(
        inputs,
        size=(8, 8),
        mode='bilinear',
        align_corners=False,
        antialias=True)
    assert samples is None and torch.equal(out, expected)
    # clips (B, T, C, H, W) resize frame by frame
    clip = torch.randn(2, 4, 3, 16, 16)
    out, _ = ResolutionView(size=8)(clip)
    assert out.shape == (2, 4, 3, 8, 8)
    assert torch.allclose(out[:, 2], ResolutionView(size=8)(clip[:, 2])[0])


def test_classification_samples_are_passed_through_untouched():
    from mmpretrain.structures import DataSample
    bare = DataSample().set_gt_label(3)
    packed = DataSample(
        metainfo=dict(img_shape=(8, 8), ori_shape=(
            8, 8), sample_idx=5)).set_gt_label(4)
    view = ResolutionView(scale_factor=0.5)
    out, (new_bare, new) = view(torch.randn(2, 3, 8, 8), [bare, packed])
    assert out.shape == (2, 3, 4, 4)
    # labels do not depend on resolution: not even copied
    assert new_bare is bare and new is packed
    assert int(new.gt_label) == 4 and packed.img_shape == (8, 8)


def _seg_sample():
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    sample = SegDataSample(
        metainfo=dict(img_shape=(8, 8), pad_shape=(8, 8), ori_shape=(8, 8)))
    seg = torch.arange(64).reshape(1, 8, 8) % 11
    sample.gt_sem_seg = PixelData(data=seg)
    return sample


def test_seg_keep_scores_against_full_resolution_map():
    sample = _seg_sample()
    _, (new, ) = ResolutionView(scale_factor=0.5)(torch.randn(1, 3, 8, 8),
                                                  [sample])
    assert new is sample  # map and metadata stay in HR coordinates


def test_seg_resize_option_nearest_resizes_the_map():
    sample = _seg_sample()
    view = ResolutionView(scale_factor=0.5, seg_target='resize')
    _, (new, ) = view(torch.randn(1, 3, 8, 8), [sample])
    assert new.gt_sem_seg.data.shape == (1, 4, 4)
    assert torch.equal(new.gt_sem_seg.data,
                       sample.gt_sem_seg.data[:, ::2, ::2])
    assert new.img_shape == (4, 4) and new.pad_shape == (4, 4)
    assert sample.gt_sem_seg.data.shape == (1, 8, 8)


def test_bad_views_are_refused_with_the_fix():
    view = ResolutionView(scale_factor=0.1)
    with pytest.raises(ViewError, match=r'into 0x0 pixels.*at least 1/8'):
        view.out_shape((2, 3, 8, 8))
    with pytest.raises(ViewError, match='into 0x0'):
        view(torch.randn(1, 3, 8, 8))
    with pytest.raises(ViewError, match='exactly one of scale_factor'):
        ResolutionView()
    with pytest.raises(ViewError, match='scale_factor must be > 0'):
        ResolutionView(scale_factor=0)
    with pytest.raises(ViewError, match='mode must be one of'):
        ResolutionView(size=4, mode='linear')
    with pytest.raises(ViewError, match="seg_target must be one of"):
        ResolutionView(size=4, seg_target='crop')
    with pytest.raises(ViewError, match='config dict with "type"'):
        build_view('ResolutionView')


def test_views_build_under_any_default_scope():
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        view = build_view(
            [dict(type='FrameView'),
             dict(type='ResolutionView', size=2)])
    assert type(view).__name__ == 'ComposeView'
