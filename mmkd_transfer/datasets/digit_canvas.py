"""Scenes of a few resized digits on a black canvas, for seg and detection.

Each scene takes 1..``max_digits`` digits from one split of the digits source
(so val scenes only hold val digits), resizes each to a random square size
and pastes it at a random place where its square overlaps no other digit's.
Ink is where the gray value is at least ``INK_THRESHOLD``; segmentation
labels and detection boxes are both derived from that ink, so they agree.
"""
import numpy as np

from .digits_source import check_split, load_split, to_uint8_gray

#: Seed of the scene generator (combined with the split).
CANVAS_SEED = 1797
#: A gray value (0..255) at or above this is ink, below it background.
INK_THRESHOLD = 64
_SPLIT_ID = {'train': 0, 'val': 1}
_PLACEMENT_TRIES = 30


def check_scene_args(canvas_size, min_digit, max_digit, max_digits):
    """Refuse scene sizes that cannot be drawn."""
    if not 1 <= min_digit <= max_digit:
        raise ValueError(
            f'digit sizes must satisfy 1 <= min_digit <= max_digit, got '
            f'{min_digit}..{max_digit}')
    if max_digit > canvas_size:
        raise ValueError(
            f'max_digit={max_digit} does not fit a {canvas_size}px canvas: '
            f'use a canvas_size >= max_digit')
    if max_digits < 1:
        raise ValueError(f'max_digits must be >= 1, got {max_digits}')


def compose_scenes(split,
                   num_images,
                   canvas_size=64,
                   min_digit=16,
                   max_digit=28,
                   max_digits=3,
                   seed=CANVAS_SEED):
    """Draw ``num_images`` scenes, deterministically.

    Args:
        split (str): which digits to use, ``'train'`` or ``'val'``.
        num_images (int): number of scenes.
        canvas_size (int): canvas side in pixels. Defaults to 64.
        min_digit (int): smallest digit side in pixels. Defaults to 16.
        max_digit (int): largest digit side in pixels. Defaults to 28.
        max_digits (int): most digits per scene (at least one is always
            placed). Defaults to 3.
        seed (int): generator seed. Defaults to ``CANVAS_SEED``.

    Returns:
        list[tuple[np.ndarray, list[dict]]]: per scene the (H, W) uint8 gray
        image and its digits, each ``dict(label=int 0..9,
        bbox=(x0, y0, x1, y1))`` with the tight box of its ink (x1, y1
        exclusive) and ``mask`` the (H, W) bool ink mask.
    """
    check_split(split)
    check_scene_args(canvas_size, min_digit, max_digit, max_digits)
    raw, labels = load_split(split)
    rng = np.random.RandomState([seed, _SPLIT_ID[split]])
    scenes = []
    for _ in range(num_images):
        image = np.zeros((canvas_size, canvas_size), np.uint8)
        squares, digits = [], []
        for _ in range(rng.randint(1, max_digits + 1)):
            idx = rng.randint(len(labels))
            size = rng.randint(min_digit, max_digit + 1)
            for _ in range(_PLACEMENT_TRIES):
                x = rng.randint(canvas_size - size + 1)
                y = rng.randint(canvas_size - size + 1)
                if not any(x < sx1 and sx0 < x + size and y < sy1 and sy0 < y +
                           size for sx0, sy0, sx1, sy1 in squares):
                    break
            else:
                continue  # no free place: the scene gets fewer digits
            patch = to_uint8_gray(raw[idx], size)
            ink = patch >= INK_THRESHOLD
            if not ink.any():
                continue
            squares.append((x, y, x + size, y + size))
            image[y:y + size, x:x + size] = patch
            mask = np.zeros_like(image, dtype=bool)
            mask[y:y + size, x:x + size] = ink
            rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
            bbox = (x + int(cols[0]), y + int(rows[0]), x + int(cols[-1]) + 1,
                    y + int(rows[-1]) + 1)
            digits.append(dict(label=int(labels[idx]), bbox=bbox, mask=mask))
        scenes.append((image, digits))
    return scenes
