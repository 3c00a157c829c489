"""Aerial-like clips: a panning camera over fields, roads and vehicles.

An embedded stand-in for aerial video saliency data (AVS1K; SKD, Li et al.,
IEEE TIP 2020) in which what is salient is known by construction:

- the ground is a periodic "world" image twice the frame side: fields of
  earth colours, grain noise, one horizontal and one vertical road and a few
  *parked* vehicles painted into it;
- the camera pans over it at ``camera_speed`` pixels per frame in a random
  direction (the frame is a window of the world, wrapped at its borders),
  so the whole background moves;
- ``num_objects`` *moving* vehicles, drawn like the parked ones (same
  sizes and colours: appearance alone cannot tell them apart), cross the
  frame at ``object_speed`` pixels per frame and bounce off its borders.

Because ``object_speed - camera_speed >= 1``, every moving vehicle moves
differently from the background in every frame; the ground-truth saliency is
a Gaussian density on the moving vehicles only (parked ones move with the
background and are not salient), and the fixations are points drawn from
that density, as simulated observers.

Every random choice comes from one ``numpy.random.RandomState`` seeded by
``(seed, split, clip index)`` (a clip can be made alone, in any order) and
the images are built by integer arithmetic only, so the frames and
fixations are bit-identical on every machine.
"""
import numpy as np

from .digits_source import SPLITS, check_split
from .moving_digits import bounce
from .saliency_maps import gaussian_density

# Colours in BGR order (as OpenCV and mmcv read images).
#: fields: dark green, light green, brown, ochre, olive
GROUND_COLOURS = np.array([[40, 90, 40], [70, 150, 100], [40, 70, 110],
                           [70, 140, 170], [50, 110, 100]],
                          dtype=np.int64)
ROAD_COLOUR = np.array([120, 120, 120], dtype=np.int64)
#: vehicles: white, red, blue, yellow, black
VEHICLE_COLOURS = np.array([[235, 235, 235], [40, 40, 210], [200, 90, 30],
                            [40, 210, 230], [25, 25, 25]],
                           dtype=np.int64)
#: the world is this many frame sides wide (periodic)
WORLD_SCALE = 2


def _periodic_box_blur(image, radius):
    """Mean over a (2r+1)^2 window, wrapping at the borders (integers)."""
    total = np.zeros_like(image)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            total += np.roll(image, (dy, dx), axis=(0, 1))
    return total // (2 * radius + 1)**2


def vehicle_shape(rng, size):
    """(h, w) of a vehicle: ``size`` long, about half as wide, random
    orientation."""
    short = max(2, size // 2 + 1)
    return (size, short) if rng.randint(2) else (short, size)


def _paint_world(rng, world_size, object_size, num_parked):
    """The periodic ground image (world_size, world_size, 3) int64."""
    cell = max(world_size // 8, 1)
    cells = -(-world_size // cell)
    labels = rng.randint(len(GROUND_COLOURS), size=(cells, cells))
    fields = GROUND_COLOURS[labels].repeat(cell, 0).repeat(cell, 1)
    world = fields[:world_size, :world_size].copy()
    grain = rng.randint(-24, 25, size=(world_size, world_size, 1))
    world = _periodic_box_blur(world + grain, 1)
    road = max(2, world_size // 32)
    row, col = rng.randint(world_size, size=2)
    rows = (row + np.arange(road)) % world_size
    cols = (col + np.arange(road)) % world_size
    world[rows, :] = ROAD_COLOUR
    world[:, cols] = ROAD_COLOUR
    for _ in range(num_parked):
        h, w = vehicle_shape(rng, object_size)
        y, x = rng.randint(world_size, size=2)
        colour = VEHICLE_COLOURS[rng.randint(len(VEHICLE_COLOURS))]
        world[np.ix_((y + np.arange(h)) % world_size,
                     (x + np.arange(w)) % world_size)] = colour
    return world


def check_aerial_recipe(frame_size, num_frames, num_objects, num_parked,
                        object_size, object_speed, camera_speed,
                        num_fixations):
    """One-line errors for a recipe that cannot make a clip."""
    lowest = dict(
        frame_size=(frame_size, 8),
        num_frames=(num_frames, 1),
        num_objects=(num_objects, 1),
        num_parked=(num_parked, 0),
        object_size=(object_size, 2),
        num_fixations=(num_fixations, 1))
    for name, (value, low) in lowest.items():
        is_int = isinstance(value, (int, np.integer))
        if isinstance(value, bool) or not is_int or value < low:
            raise ValueError(f'{name} must be an int >= {low}, got {value!r}')
    if object_size >= frame_size // 2:
        raise ValueError(f'object_size ({object_size}) must be below half '
                         f'the frame_size ({frame_size}) for vehicles to '
                         f'move inside the frame')
    if camera_speed < 0 or object_speed - camera_speed < 1:
        raise ValueError(
            f'object_speed ({object_speed}) must exceed camera_speed '
            f'({camera_speed} >= 0) by >= 1 pixel per frame, so that moving '
            f'vehicles always move differently from the background')


def generate_aerial_clip(index,
                         num_frames=2,
                         frame_size=64,
                         num_objects=2,
                         num_parked=3,
                         object_size=None,
                         object_speed=2.5,
                         camera_speed=1.0,
                         sigma=None,
                         num_fixations=16,
                         gt_frame=0,
                         split='train',
                         seed=0):
    """Generate one aerial-like clip and the saliency of one of its frames.

    Args:
        index (int): clip index (with ``seed`` and ``split``, it seeds the
            clip).
        num_frames (int): frames in the clip. Defaults to 2.
        frame_size (int): frame side in pixels (>= 8). Defaults to 64.
        num_objects (int): moving (salient) vehicles. Defaults to 2.
        num_parked (int): parked vehicles in the ground image (distractors).
            Defaults to 3.
        object_size (int, optional): vehicle length in pixels. Defaults to
            ``max(3, frame_size // 10)``.
        object_speed (float): moving vehicles' speed in the frame, pixels
            per frame. Defaults to 2.5.
        camera_speed (float): camera pan, pixels per frame. Defaults to 1.
        sigma (float, optional): std of the Gaussian on each moving vehicle,
            pixels. Defaults to ``object_size``.
        num_fixations (int): fixation points drawn from the density.
            Defaults to 16.
        gt_frame (int): the frame whose saliency is returned. Defaults to 0
            (frame t; frame t + 1 shows how things move).
        split (str): ``'train'`` or ``'val'`` (separate random streams).
            Defaults to ``'train'``.
        seed (int): generation seed. Defaults to 0.

    Returns:
        dict: ``frames`` (T, H, W, 3) uint8 BGR, ``saliency`` (H, W) float32
        max-normalised density of frame ``gt_frame``, ``fixations`` (H, W)
        uint8 binary, ``centres`` (num_objects, 2) float (y, x) of the moving
        vehicles in that frame.
    """
    check_split(split)
    if object_size is None:
        object_size = max(3, frame_size // 10)
    check_aerial_recipe(frame_size, num_frames, num_objects, num_parked,
                        object_size, object_speed, camera_speed, num_fixations)
    if not -num_frames <= gt_frame < num_frames:
        raise ValueError(f'gt_frame {gt_frame} is outside a clip of '
                         f'{num_frames} frames')
    gt_frame %= num_frames
    sigma = float(object_size if sigma is None else sigma)
    rng = np.random.RandomState([seed, SPLITS.index(split), index])
    world_size = WORLD_SCALE * frame_size
    world = _paint_world(rng, world_size, object_size, num_parked)

    pan_angle = rng.uniform(0, 2 * np.pi)
    pan = camera_speed * np.array([np.sin(pan_angle), np.cos(pan_angle)])
    origin = rng.uniform(0, world_size, size=2)
    shapes = [vehicle_shape(rng, object_size) for _ in range(num_objects)]
    colours = VEHICLE_COLOURS[rng.randint(
        len(VEHICLE_COLOURS), size=num_objects)]
    limit = float(frame_size - object_size)
    pos = rng.uniform(0, limit, size=(num_objects, 2))  # (y, x) top-left
    angle = rng.uniform(0, 2 * np.pi, size=num_objects)
    vel = object_speed * np.stack([np.sin(angle), np.cos(angle)], axis=-1)

    span = np.arange(frame_size)
    frames = np.empty((num_frames, frame_size, frame_size, 3), np.uint8)
    for t in range(num_frames):
        oy, ox = np.rint(origin + t * pan).astype(np.int64)
        frame = world[np.ix_((oy + span) % world_size,
                             (ox + span) % world_size)].copy()
        top_left = np.rint(pos).astype(np.int64)
        if t == gt_frame:
            centres = top_left + (np.array(shapes) - 1) / 2.0
        for (y, x), (h, w), colour in zip(top_left, shapes, colours):
            frame[y:y + h, x:x + w] = colour
        frames[t] = np.clip(frame, 0, 255)
        pos, vel = bounce(pos, vel, limit)

    saliency = gaussian_density((frame_size, frame_size), centres, sigma)
    fixations = np.zeros((frame_size, frame_size), np.uint8)
    which = rng.randint(num_objects, size=num_fixations)
    points = np.rint(centres[which] +
                     rng.normal(0, sigma, size=(num_fixations, 2)))
    points = np.clip(points, 0, frame_size - 1).astype(np.int64)
    fixations[points[:, 0], points[:, 1]] = 1
    return dict(
        frames=frames, saliency=saliency, fixations=fixations, centres=centres)


__all__ = ['check_aerial_recipe', 'generate_aerial_clip', 'vehicle_shape']
