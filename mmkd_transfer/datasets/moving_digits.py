"""Moving digits: k of scikit-learn's digits bouncing in a square canvas.

A small, embedded stand-in for Moving MNIST (Srivastava et al., 2015):
each clip draws ``num_digits`` digits from one split of
:mod:`.digits_source`, gives each a random start and a random direction at
a fixed speed, bounces them off the canvas borders and overlays them with
a per-pixel maximum. Every random choice comes from one
``numpy.random.RandomState`` seeded by ``(seed, split, num_digits)``, so a
set is bit-identical on every machine.
"""
import numpy as np

from .digits_source import (SPLITS, check_img_size, check_split, load_split,
                            to_uint8_gray)


def bounce(position, velocity, limit):
    """Advance 1-D positions by one frame, reflecting at 0 and ``limit``.

    Args:
        position (np.ndarray): float positions in [0, limit].
        velocity (np.ndarray): float velocities, same shape.
        limit (float): largest position.

    Returns:
        tuple[np.ndarray, np.ndarray]: new positions and velocities.
    """
    position = position + velocity
    velocity = velocity.copy()
    low, high = position < 0, position > limit
    position = np.where(low, -position, position)
    position = np.where(high, 2 * limit - position, position)
    velocity[low | high] *= -1
    return np.clip(position, 0, limit), velocity


def generate_moving_digits(num_clips,
                           num_digits,
                           num_frames,
                           frame_size=32,
                           digit_size=12,
                           speed=1.5,
                           split='train',
                           seed=0):
    """Generate moving-digit clips.

    Args:
        num_clips (int): clips to make.
        num_digits (int): digits per clip (k >= 1).
        num_frames (int): frames per clip.
        frame_size (int): canvas side in pixels. Defaults to 32.
        digit_size (int): digit side in pixels (< frame_size).
            Defaults to 12.
        speed (float): pixels moved per frame. Defaults to 1.5.
        split (str): digits drawn from ``'train'`` or ``'val'``.
            Defaults to ``'train'``.
        seed (int): seed of positions, directions and digit choice.
            Defaults to 0.

    Returns:
        np.ndarray: (num_clips, num_frames, frame_size, frame_size) uint8.
    """
    check_split(split)
    frame_size = check_img_size(frame_size)
    digit_size = check_img_size(digit_size)
    if digit_size >= frame_size:
        raise ValueError(f'digit_size ({digit_size}) must be smaller than '
                         f'frame_size ({frame_size}) for digits to move')
    if num_digits < 1 or num_clips < 1 or num_frames < 1:
        raise ValueError(f'num_clips, num_digits and num_frames must be '
                         f'>= 1, got {num_clips}, {num_digits}, '
                         f'{num_frames}')
    digits = to_uint8_gray(load_split(split)[0], digit_size)
    rng = np.random.RandomState([seed, SPLITS.index(split), num_digits])
    shape = (num_clips, num_digits)
    choice = rng.randint(len(digits), size=shape)
    limit = float(frame_size - digit_size)
    pos = rng.uniform(0, limit, size=shape + (2, ))  # (y, x)
    angle = rng.uniform(0, 2 * np.pi, size=shape)
    vel = speed * np.stack([np.sin(angle), np.cos(angle)], axis=-1)

    clips = np.zeros((num_clips, num_frames, frame_size, frame_size),
                     dtype=np.uint8)
    for t in range(num_frames):
        top_left = np.rint(pos).astype(np.int64)
        for n in range(num_clips):
            for k in range(num_digits):
                y, x = top_left[n, k]
                window = clips[n, t, y:y + digit_size, x:x + digit_size]
                np.maximum(window, digits[choice[n, k]], out=window)
        pos, vel = bounce(pos, vel, limit)
    return clips


__all__ = ['bounce', 'generate_moving_digits']
