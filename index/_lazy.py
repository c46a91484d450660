"""Module attributes imported on first use (PEP 562), so that a package starts quickly."""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
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


_ENGLISH_MORPHOLOGY = "whoosh.lang.morph_en"


def defer_english_morphology() -> None:
    """Let ``whoosh.query`` import English word variations only when it uses them.

    ``whoosh.query.terms`` imports ``variations`` from ``whoosh.lang.morph_en``
    for its ``Variations`` query, which diplosearch never builds; that module
    compiles some fifty expressions on import, about 10 ms of every search's
    start. Until the query is imported, a stand-in takes the module's place
    and imports the real one if ``variations`` is ever called.
    """
    if _ENGLISH_MORPHOLOGY in sys.modules or "whoosh.query.terms" in sys.modules:
        return
    stand_in = ModuleType(_ENGLISH_MORPHOLOGY)

    def variations(word: str) -> Any:
        if sys.modules.get(_ENGLISH_MORPHOLOGY) is stand_in:
            del sys.modules[_ENGLISH_MORPHOLOGY]
        return import_module(_ENGLISH_MORPHOLOGY).variations(word)

    stand_in.variations = variations  # type: ignore[attr-defined]
    sys.modules[_ENGLISH_MORPHOLOGY] = stand_in
