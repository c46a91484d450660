"""The user's folders for diplosearch, by the XDG base directory rules."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["user_folder"]

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
