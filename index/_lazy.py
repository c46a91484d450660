"""Module attributes imported on first use (PEP 562), so that a package starts quickly."""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable, Mapping


def lazy_attributes(package: str, where: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from the submodule ``where[name]``.

    :param package: the package's ``__name__``.
    :param where: attribute name -> relative module name (``".indexer"``).
    :param namespace: the package's ``globals()``; each attribute is kept there once imported.
    """

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(where[name], package), name)
        namespace[name] = value
        return value

    return __getattr__
