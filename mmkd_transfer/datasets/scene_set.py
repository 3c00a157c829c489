"""Generate a folder of digit scenes once, in the layout a task writes.

The segmentation and detection sets share everything but their file layout:
the recipe (image counts, canvas size, seed), its defaults, the scenes drawn
per split and the atomic, checked generation of the folder. A task passes a
``write_split`` function that writes one split's scenes in its own format.
"""
from .digit_canvas import CANVAS_SEED, INK_THRESHOLD, compose_scenes
from .digits_source import SPLITS
from .generated_dir import ensure_generated

#: Recipe of a scene set when an argument is left None.
SCENE_SET_DEFAULTS = dict(
    num_train=300, num_val=100, canvas_size=64, seed=CANVAS_SEED)


def ensure_scene_set(data_root,
                     set_format,
                     version,
                     write_split,
                     num_train=None,
                     num_val=None,
                     canvas_size=None,
                     seed=None):
    """Generate a scene set in ``data_root`` unless one is there.

    Args:
        data_root (str): target folder.
        set_format (str): name recorded in the set's meta file, e.g.
            ``'digits_seg'``; a folder of another format is refused.
        version (int): version of the task's file layout.
        write_split (Callable[[str, str, list], None]): called as
            ``write_split(folder, split, scenes)`` for each split, with the
            scenes of :func:`compose_scenes`; writes them below ``folder``.
        num_train (int, optional): train images (default 300).
        num_val (int, optional): val images (default 100).
        canvas_size (int, optional): image side in pixels (default 64).
        seed (int, optional): scene seed (default ``CANVAS_SEED``).
        A None argument accepts whatever an existing set has (a new set gets
        :data:`SCENE_SET_DEFAULTS`); a given one must match it.

    Returns:
        str: ``data_root``.
    """
    wanted = dict(
        num_train=num_train,
        num_val=num_val,
        canvas_size=canvas_size,
        seed=seed)

    def generate(folder):
        recipe = {
            k: SCENE_SET_DEFAULTS[k] if v is None else v
            for k, v in wanted.items()
        }
        for split in SPLITS:
            scenes = compose_scenes(
                split,
                recipe[f'num_{split}'],
                recipe['canvas_size'],
                seed=recipe['seed'])
            write_split(folder, split, scenes)
        return dict(
            recipe,
            format=set_format,
            version=version,
            ink_threshold=INK_THRESHOLD)

    ensure_generated(data_root,
                     dict(wanted, format=set_format,
                          version=version), generate)
    return data_root
