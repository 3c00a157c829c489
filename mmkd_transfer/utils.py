"""Small helpers shared by the whole package."""
import importlib
import pkgutil


def import_submodules(package_name):
    """Import every module of a package so its classes register themselves.

    Each registry folder (losses, recorders, ...) calls this from its
    ``__init__`` so a new file is registered without editing a shared list.
    """
    package = importlib.import_module(package_name)
    for info in sorted(
            pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith('_'):
            importlib.import_module(f'{package_name}.{info.name}')


def closest_names(name, candidates, n=5):
    """Up to ``n`` candidates that look like ``name`` (for error messages).

    Falls back to the first top-level names, so the message always shows
    where to start looking.
    """
    import difflib
    candidates = list(candidates)
    close = difflib.get_close_matches(name, candidates, n=n, cutoff=0.4)
    if not close:
        close = [c for c in candidates if c and '.' not in c][:n]
    return close
