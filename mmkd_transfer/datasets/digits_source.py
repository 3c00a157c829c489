"""The digits source: scikit-learn's bundled 8x8 digits, split and resized.

Everything embedded (classification, segmentation and detection sets) draws
its images from here, so one fixed split decides which digits are "train"
and which are "val" everywhere: no val digit ever appears in a train image.

The split and every other random choice use ``numpy.random.RandomState``
(whose stream numpy guarantees stable across versions) and the resizing is
plain element-wise numpy arithmetic in a fixed order (no BLAS, no OpenCV), so
the arrays are bit-identical on every machine.
"""
import functools
import numbers

import numpy as np

#: Seed of the fixed stratified train/val split. Changing it changes every
#: embedded benchmark number, so it is a constant, not an argument.
SPLIT_SEED = 20240
NUM_TRAIN = 1400
NUM_VAL = 397
NUM_CLASSES = 10
CLASSES = tuple(str(i) for i in range(NUM_CLASSES))
#: The raw digits have intensities 0..16 (counts of set pixels in 4x4 blocks).
RAW_MAX = 16.0
RAW_SIZE = 8
SPLITS = ('train', 'val')


@functools.lru_cache(maxsize=1)
def _load_all():
    """Return all 1,797 raw images (N, 8, 8) float64 and labels (N,) int64."""
    from sklearn.datasets import load_digits  # ships with scikit-learn

    digits = load_digits()
    images = np.asarray(digits.images, dtype=np.float64)
    labels = np.asarray(digits.target, dtype=np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def _stratified_val_counts(class_sizes, num_val):
    """Share ``num_val`` among classes in proportion to their sizes.

    Largest-remainder rounding, ties broken by the lower class index, so the
    result depends on nothing but the class sizes.
    """
    total = class_sizes.sum()
    exact = class_sizes * num_val / total
    counts = np.floor(exact).astype(np.int64)
    remainder = exact - counts
    order = sorted(range(len(class_sizes)), key=lambda c: (-remainder[c], c))
    for c in order[:num_val - counts.sum()]:
        counts[c] += 1
    return counts


@functools.lru_cache(maxsize=None)
def split_indices(split):
    """Indices into ``load_digits()`` of one split, ascending.

    Args:
        split (str): ``'train'`` (1,400 images) or ``'val'`` (397 images).

    Returns:
        np.ndarray: int64 indices, read-only.
    """
    check_split(split)
    _, labels = _load_all()
    class_sizes = np.bincount(labels, minlength=NUM_CLASSES)
    val_counts = _stratified_val_counts(class_sizes, NUM_VAL)
    rng = np.random.RandomState(SPLIT_SEED)
    val = []
    for c in range(NUM_CLASSES):
        members = np.flatnonzero(labels == c)
        val.append(members[rng.permutation(len(members))[:val_counts[c]]])
    is_val = np.zeros(len(labels), dtype=bool)
    is_val[np.concatenate(val)] = True
    idx = np.flatnonzero(is_val if split == 'val' else ~is_val)
    idx.setflags(write=False)
    return idx


def load_split(split):
    """Raw images and labels of one split.

    Args:
        split (str): ``'train'`` or ``'val'``.

    Returns:
        tuple[np.ndarray, np.ndarray]: images (N, 8, 8) float64 in 0..16 and
        labels (N,) int64 in 0..9.
    """
    images, labels = _load_all()
    idx = split_indices(split)
    return images[idx], labels[idx]


def check_split(split):
    """Refuse a split name other than train or val."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")


def check_img_size(img_size):
    """Refuse an image size that is not a positive int."""
    if (isinstance(img_size, bool)
            or not isinstance(img_size, numbers.Integral) or img_size < 1):
        raise ValueError(f'img_size must be an int >= 1 (pixels per side), '
                         f'got {img_size!r}')
    return int(img_size)


def _bilinear_weights(in_len, out_len):
    """(out_len, in_len) bilinear weights, pixel centres aligned (as cv2)."""
    weights = np.zeros((out_len, in_len), dtype=np.float64)
    src = (np.arange(out_len) + 0.5) * (in_len / out_len) - 0.5
    src = np.clip(src, 0, in_len - 1)
    lo = np.floor(src).astype(np.int64)
    hi = np.minimum(lo + 1, in_len - 1)
    frac = src - lo
    rows = np.arange(out_len)
    np.add.at(weights, (rows, lo), 1.0 - frac)
    np.add.at(weights, (rows, hi), frac)
    return weights


def _area_weights(in_len, out_len):
    """(out_len, in_len) box-filter weights: each output pixel averages the
    input area it covers (what cv2.INTER_AREA does when shrinking)."""
    weights = np.zeros((out_len, in_len), dtype=np.float64)
    scale = in_len / out_len
    for i in range(out_len):
        start, stop = i * scale, (i + 1) * scale
        for k in range(int(np.floor(start)), min(int(np.ceil(stop)), in_len)):
            overlap = min(stop, k + 1) - max(start, k)
            if overlap > 0:
                weights[i, k] = overlap / scale
    return weights


def _resize_weights(in_len, out_len):
    if out_len >= in_len:
        return _bilinear_weights(in_len, out_len)
    return _area_weights(in_len, out_len)


def _apply_axis(x, weights, axis):
    """Contract ``axis`` of ``x`` with ``weights`` by an ordered sum.

    An explicit loop instead of matmul: BLAS may fuse multiply-adds or
    reorder the sum depending on the CPU, which could flip a rounding.
    """
    x = np.moveaxis(x, axis, -1)
    out = np.zeros(x.shape[:-1] + (weights.shape[0], ), dtype=np.float64)
    for k in range(weights.shape[1]):
        out = out + x[..., k:k + 1] * weights[:, k]
    return np.moveaxis(out, -1, axis)


def resize_gray(images, size):
    """Resize square gray images, bilinear up, area (antialiased) down.

    Args:
        images (np.ndarray): (..., H, W) float array.
        size (int): output side length in pixels.

    Returns:
        np.ndarray: (..., size, size) float64.
    """
    size = check_img_size(size)
    images = np.asarray(images, dtype=np.float64)
    h, w = images.shape[-2:]
    out = _apply_axis(images, _resize_weights(h, size), images.ndim - 2)
    return _apply_axis(out, _resize_weights(w, size), images.ndim - 1)


def to_uint8_gray(raw_images, img_size=RAW_SIZE):
    """Raw 0..16 digits to 0..255 uint8 gray images of side ``img_size``.

    Args:
        raw_images (np.ndarray): (..., 8, 8) raw digit intensities.
        img_size (int): output side length. Defaults to 8.

    Returns:
        np.ndarray: (..., img_size, img_size) uint8.
    """
    scaled = resize_gray(raw_images, img_size) * (255.0 / RAW_MAX)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def to_bgr(raw_images, img_size=RAW_SIZE):
    """Raw 0..16 digits to (..., img_size, img_size, 3) uint8 BGR images.

    The gray value is replicated into the three channels, as OpenCV does
    when it loads a gray PNG in colour mode.

    Args:
        raw_images (np.ndarray): (..., 8, 8) raw digit intensities.
        img_size (int): output side length. Defaults to 8.

    Returns:
        np.ndarray: (..., img_size, img_size, 3) uint8, C-contiguous.
    """
    gray = to_uint8_gray(raw_images, img_size)
    return np.ascontiguousarray(np.repeat(gray[..., None], 3, axis=-1))


def resolve_num_labelled(num_labelled, total):
    """Turn ``num_labelled`` (None, int count or float fraction) into a count.

    Args:
        num_labelled (None | int | float): None for all, an int count in
            1..total, or a float fraction in (0, 1].
        total (int): number of samples available.

    Returns:
        int: the number of labelled samples.
    """
    if num_labelled is None:
        return total
    if isinstance(num_labelled, bool):
        raise ValueError(
            f'num_labelled must be None, an int count or a float fraction '
            f'in (0, 1], got {num_labelled!r}')
    if isinstance(num_labelled, numbers.Integral):
        if not 1 <= num_labelled <= total:
            raise ValueError(
                f'num_labelled={num_labelled} is out of range: give a count '
                f'in 1..{total}, a fraction in (0, 1], or None for all')
        return int(num_labelled)
    if isinstance(num_labelled, numbers.Real):
        if not 0 < num_labelled <= 1:
            raise ValueError(
                f'num_labelled={num_labelled!r} is a float, so it is a '
                f'fraction and must be in (0, 1]; pass an int for a count')
        count = int(round(float(num_labelled) * total))
        if count < 1:
            raise ValueError(
                f'num_labelled={num_labelled!r} of {total} samples leaves no '
                f'label: use a fraction >= {0.5 / total:.2g} or an int count')
        return count
    raise ValueError(
        f'num_labelled must be None, an int count or a float fraction in '
        f'(0, 1], got {type(num_labelled).__name__} {num_labelled!r}')


def _balanced_quotas(class_sizes, count, rng):
    """Per-class quotas summing to ``count``, as equal as the sizes allow.

    Water-filling: each class gets an equal share capped by its size; the
    remainder after an even share goes to classes in a seeded random order.
    """
    quotas = np.zeros(len(class_sizes), dtype=np.int64)
    left = count
    while left > 0:
        open_classes = [
            c for c in range(len(class_sizes)) if quotas[c] < class_sizes[c]
        ]
        share = left // len(open_classes)
        if share == 0:
            for c in rng.permutation(open_classes)[:left]:
                quotas[c] += 1
            break
        for c in open_classes:
            add = min(share, class_sizes[c] - quotas[c])
            quotas[c] += add
            left -= add
    return quotas


def select_labelled(labels, num_labelled, seed=0):
    """Pick a class-balanced labelled subset.

    Args:
        labels (array-like): (N,) int class labels of the whole pool.
        num_labelled (None | int | float): None for all, an int count, or a
            float fraction in (0, 1] of N.
        seed (int): seed of the choice. Defaults to 0.

    Returns:
        np.ndarray: sorted int64 indices into ``labels`` of the labelled
        samples. Per class counts differ by at most one (unless a class runs
        out of samples).
    """
    labels = np.asarray(labels, dtype=np.int64)
    count = resolve_num_labelled(num_labelled, len(labels))
    if count == len(labels):
        return np.arange(len(labels), dtype=np.int64)
    classes = np.unique(labels)
    rng = np.random.RandomState(seed)
    members = [np.flatnonzero(labels == c) for c in classes]
    # draw every class's order first so quotas do not shift the stream
    orders = [m[rng.permutation(len(m))] for m in members]
    quotas = _balanced_quotas(np.array([len(m) for m in members]), count, rng)
    chosen = np.concatenate([o[:q] for o, q in zip(orders, quotas)])
    return np.sort(chosen).astype(np.int64)
