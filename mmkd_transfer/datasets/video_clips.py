"""Checks shared by the video-clip datasets."""


def check_frame_counts(input_frames, pred_frames):
    """Refuse frame counts below 1; return the clip length."""
    for name, value in (('input_frames', input_frames), ('pred_frames',
                                                         pred_frames)):
        if isinstance(value, bool) or not isinstance(value, int) or \
                value < 1:
            raise ValueError(f'{name} must be an int >= 1, got {value!r}')
    return input_frames + pred_frames


def check_clip_length(num_frames, input_frames, pred_frames, where):
    """One-line error when a sequence is shorter than one clip.

    Args:
        num_frames (int): frames available.
        input_frames (int): frames read by the model.
        pred_frames (int): frames it predicts.
        where (str): the sequence, for the message (a file or folder).
    """
    need = check_frame_counts(input_frames, pred_frames)
    if num_frames < need:
        raise ValueError(
            f'{where} has {num_frames} frames, fewer than input_frames + '
            f'pred_frames = {input_frames} + {pred_frames} = {need}; lower '
            f'the frame counts or use longer sequences')


__all__ = ['check_clip_length', 'check_frame_counts']
