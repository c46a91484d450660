"""The user's folders for diplosearch, by the XDG base directory rules, and the size of folders."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

__all__ = ["user_folder", "total_size", "file_size"]

_DEFAULTS = {
    "XDG_DATA_HOME": (".local", "share"),
    "XDG_CONFIG_HOME": (".config",),
    "XDG_STATE_HOME": (".local", "state"),
    "XDG_CACHE_HOME": (".cache",),
}


def user_folder(variable: str) -> Path:
    """``$VARIABLE/diplosearch``, or its default under the home folder when unset or empty.

    >>> user_folder("XDG_CONFIG_HOME").name
    'diplosearch'
    """
    base = os.environ.get(variable) or os.path.join(os.path.expanduser("~"), *_DEFAULTS[variable])
    return Path(base) / "diplosearch"


def total_size(paths: Iterable[Path | str], enough: int | None = None) -> int:
    """The bytes in ``paths`` (files, folders walked), counted until ``enough`` is reached.

    :param enough: stop counting once the total reaches this; None counts all.
    """
    total = 0
    for path in paths:
        if Path(path).is_dir():
            for folder, _, files in os.walk(path):
                for name in files:
                    total += file_size(Path(folder, name))
                    if enough is not None and total >= enough:
                        return total
        else:
            total += file_size(Path(path))
    return total


def file_size(path: Path | str) -> int:
    """The bytes of a file; 0 when it cannot be read (gone, or no permission)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
