"""Patch reshaping: fold p x p pixel blocks of each frame into channels.

PredRNN-style predictors run on frames whose p x p pixel blocks are stacked
as channels, so a 64x64x1 frame with p = 4 becomes 16x16x16: the recurrent
cells work on a 16x smaller grid with the same information.
"""


def _check(clips, patch_size):
    if clips.dim() != 5:
        raise ValueError(f'expected clips of shape (N, T, C, H, W), got '
                         f'{tuple(clips.shape)}; add the batch/time axes')
    if not isinstance(patch_size, int) or patch_size < 1:
        raise ValueError(f'patch_size must be a positive int, got '
                         f'{patch_size!r}')


def reshape_patch(clips, patch_size):
    """Fold p x p pixel blocks into channels.

    Args:
        clips (torch.Tensor): (N, T, C, H, W), H and W divisible by p.
        patch_size (int): block side p.

    Returns:
        torch.Tensor: (N, T, C * p * p, H / p, W / p). Channel index
        ``c * p * p + dy * p + dx`` holds pixel ``(y * p + dy, x * p + dx)``
        of input channel ``c``.
    """
    _check(clips, patch_size)
    n, t, c, h, w = clips.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f'frame size {h}x{w} is not divisible by '
                         f'patch_size {p}; choose a patch size dividing both')
    x = clips.reshape(n, t, c, h // p, p, w // p, p)
    x = x.permute(0, 1, 2, 4, 6, 3, 5)  # N T C dy dx H/p W/p
    return x.reshape(n, t, c * p * p, h // p, w // p)


def reshape_patch_back(patches, patch_size):
    """Unfold channels back into p x p pixel blocks (inverse of
    :func:`reshape_patch`).

    Args:
        patches (torch.Tensor): (N, T, C * p * p, H / p, W / p).
        patch_size (int): block side p.

    Returns:
        torch.Tensor: (N, T, C, H, W).
    """
    _check(patches, patch_size)
    n, t, cp, hp, wp = patches.shape
    p = patch_size
    if cp % (p * p):
        raise ValueError(f'{cp} channels are not a multiple of patch_size^2 '
                         f'= {p * p}; pass the patch size used to fold them')
    c = cp // (p * p)
    x = patches.reshape(n, t, c, p, p, hp, wp)
    x = x.permute(0, 1, 2, 5, 3, 6, 4)  # N T C H/p dy W/p dx
    return x.reshape(n, t, c, hp * p, wp * p)


__all__ = ['reshape_patch', 'reshape_patch_back']
