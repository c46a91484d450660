"""The alias table of diplomacy's names: one entity, all the ways it is written.

A reader who types ``Kyiv`` wants the articles that say ``Kiew``; ``Zelensky``
means ``Selenskyj``, ``UN`` means ``Vereinte Nationen``. The table maps every
name of an entity to all its other names; the searcher expands a query word
(or phrase) that is one of them into all of them.

The shipped table is ``index/data/aliases.tsv``; users add their own in the
same format (``diplosearch search --aliases FILE``)::

    # comments start with '#'
    kind	canonical	variants
    place	Kiew	Kyiv | Kiev | Kyjiw

(tab-separated; ``kind`` is ``person``, ``place`` or ``org``; variants are
separated by ``|``). Names are compared folded (:func:`index.analysis.fold`), so case,
umlaut spellings and diacritics do not matter (and a genitive ``s``).

>>> table = AliasTable.from_lines(["place\\tKiew\\tKyiv | Kiev"], source="example")
>>> sorted(" ".join(names) for names in table.alternatives(("kyiv",)))
['kiev', 'kiew']
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import re
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple, Sequence

from .analysis import WORD_PATTERN, fold
from .errors import SearchError
from .folders import user_folder

__all__ = ["Entity", "AliasTable", "AliasTableError", "KINDS", "SHIPPED_ALIASES"]

KINDS = ("person", "place", "org")
SHIPPED_ALIASES = Path(__file__).with_name("data") / "aliases.tsv"

# Part of the cache's key: raise it when the keys computed for a name change
# other than through the analysis (which SCHEMA_VERSION covers).
_CACHE_LAYOUT = 1
_CACHE_KEPT = 8  # sets of tables whose lookup is kept


class AliasTableError(SearchError):
    """An alias file cannot be read or has a malformed line."""


class Entity(NamedTuple):  # a NamedTuple: defining a dataclass costs about 1 ms of every search's start
    """A person, place or organisation and the names it goes by.

    :param canonical: the German form (``Wolodymyr Selenskyj``).
    :param variants: every other name (``Selenskyj``, ``Zelensky``, ...).
    """

    kind: str
    canonical: str
    variants: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.canonical, *self.variants)


_WORD = re.compile(WORD_PATTERN)


def _key(name: str) -> tuple[str, ...]:
    # Folded, not stemmed: comparing names needs no stemmer, and a surname
    # that stems like an ordinary word (Hofer, hof) stays apart from it.
    return tuple(fold(word.lower()) for word in _WORD.findall(name))


class AliasTable:
    """Entities and the lookup from any of their names to all the others.

    :param entities: the entities; names are analysed on first lookup.
    """

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: tuple[Entity, ...] = tuple(entities)
        self._by_key: dict[tuple[str, ...], list[int]] | None = None
        self._keys: list[list[tuple[str, ...]]] = []
        self._cache_file: Path | None = None  # where to keep the lookup once built

    @classmethod
    def from_lines(cls, lines: Iterable[str], *, source: str) -> "AliasTable":
        """Read entities from the lines of an alias file.

        :raises AliasTableError: for a malformed line, naming ``source`` and the line.
        """
        entities = []
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            columns = line.split("\t")
            if [c.strip().lower() for c in columns[:2]] == ["kind", "canonical"]:
                continue  # the header line
            if len(columns) not in (2, 3):
                raise AliasTableError(
                    f"{source}:{number}: expected 'kind<TAB>canonical<TAB>variants', got {len(columns)} columns"
                )
            kind, canonical = columns[0].strip().lower(), columns[1].strip()
            if kind not in KINDS:
                raise AliasTableError(f"{source}:{number}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
            if not canonical:
                raise AliasTableError(f"{source}:{number}: the canonical name is empty")
            variants = tuple(v.strip() for v in (columns[2] if len(columns) == 3 else "").split("|") if v.strip())
            entities.append(Entity(kind, canonical, variants))
        return cls(entities)

    @classmethod
    def from_files(cls, paths: Sequence[Path | str], *, shipped: bool = True) -> "AliasTable":
        """The shipped table (unless ``shipped=False``) followed by the given files.

        The lookup built from a set of files is kept in the user's cache
        (``$XDG_CACHE_HOME/diplosearch``), keyed by the files' contents, so a
        new process need not fold every name again (about 15 ms of a search's
        start); without a usable cache it is built as usual.

        :raises AliasTableError: a file is missing, unreadable or malformed.
        """
        sources = [SHIPPED_ALIASES] if shipped else []
        sources += [Path(p) for p in paths]
        contents: list[tuple[Path, bytes]] = []
        for path in sources:
            try:
                contents.append((path, path.read_bytes()))
            except OSError as exc:
                raise AliasTableError(f"cannot read the alias file {path}: {exc.strerror or exc}") from None
        cache_file = user_folder("XDG_CACHE_HOME") / f"aliases-{_cache_key(data for _, data in contents)}.marshal"
        table = _read_cached(cache_file)
        if table is not None:
            return table
        entities: list[Entity] = []
        for path, data in contents:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise AliasTableError(f"the alias file {path} is not UTF-8 text") from None
            lines = io.StringIO(text, newline=None)  # universal newlines, as open() reads them
            entities.extend(cls.from_lines(lines, source=str(path)).entities)
        table = cls(entities)
        table._cache_file = cache_file
        return table

    @classmethod
    def shipped(cls) -> "AliasTable":
        """The table that comes with diplosearch."""
        return cls.from_files([])

    def _index(self) -> dict[tuple[str, ...], list[int]]:
        if self._by_key is None:
            # Entities that share a name are one entity: a user's line
            # "place<TAB>Kiew<TAB>Kyjiv" joins the shipped Kiew with all its names.
            group = list(range(len(self.entities)))

            def root(n: int) -> int:
                while group[n] != n:
                    group[n] = group[group[n]]
                    n = group[n]
                return n

            first_owner: dict[tuple[str, ...], int] = {}
            keys_of: list[list[tuple[str, ...]]] = []
            for number, entity in enumerate(self.entities):
                keys = list(dict.fromkeys(k for k in (_key(name) for name in entity.names) if k))
                keys_of.append(keys)
                for key in keys:
                    if key in first_owner:
                        group[root(number)] = root(first_owner[key])
                    else:
                        first_owner[key] = number
            merged: dict[int, list[tuple[str, ...]]] = {}
            for number, keys in enumerate(keys_of):
                names = merged.setdefault(root(number), [])
                names.extend(k for k in keys if k not in names)
            self._keys = [merged[root(number)] for number in range(len(self.entities))]
            by_key: dict[tuple[str, ...], list[int]] = {}
            for number in range(len(self.entities)):
                if root(number) == number:
                    for key in self._keys[number]:
                        by_key.setdefault(key, []).append(number)
            self._by_key = by_key
            if self._cache_file is not None:
                _write_cached(self._cache_file, self)
        return self._by_key

    def lookup(self, key: Sequence[str]) -> list[Entity]:
        """The entities one of whose names has the folded words ``key``."""
        return [self.entities[n] for n in self._index().get(tuple(key), [])]

    def named(self) -> Iterator[tuple[tuple[str, ...], Entity]]:
        """Every name's folded words with the entity it names (entities sharing a name are one)."""
        for key, numbers in self._index().items():
            yield key, self.entities[numbers[0]]

    def names_of(self, key: Sequence[str]) -> list[tuple[str, ...]]:
        """The folded words of every name of the entities named ``key``, ``key`` included."""
        found: dict[tuple[str, ...], None] = {}
        for number in self._index().get(tuple(key), []):
            found.update(dict.fromkeys(self._keys[number]))
        return list(found)

    def alternatives(self, key: Sequence[str], *, exact: bool = False) -> list[tuple[str, ...]]:
        """The folded words of all other names of the entities named ``key``.

        :param exact: for a quoted full name of a person, leave out the one-word
            names (the surname alone is broader: ``"Wladimir Putin"`` stays a
            full name, ``Vladimir Putin`` and ``Wladimir Wladimirowitsch Putin`` with it).
        """
        key = tuple(key)
        found: dict[tuple[str, ...], None] = {}
        for number in self._index().get(key, []):
            narrow = exact and len(key) > 1 and self.entities[number].kind == "person"
            for other in self._keys[number]:
                if other != key and not (narrow and len(other) == 1):
                    found[other] = None
        return list(found)

    def __len__(self) -> int:
        return len(self.entities)


def _cache_key(contents: Iterable[bytes]) -> str:
    from .schema import SCHEMA_VERSION  # here: the schema imports this module

    digest = hashlib.sha256(f"{SCHEMA_VERSION}/{_CACHE_LAYOUT}/{marshal.version}".encode())
    for data in contents:
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:32]


def _read_cached(path: Path) -> AliasTable | None:
    """The table kept in ``path`` with its lookup, or None when there is none or it is unusable."""
    try:
        entities, keys, by_key = marshal.loads(path.read_bytes())
        table = AliasTable(Entity(kind, canonical, tuple(variants)) for kind, canonical, variants in entities)
        if len(keys) != len(table.entities) or not isinstance(by_key, dict):
            return None
        table._keys, table._by_key = keys, by_key
        return table
    except (OSError, EOFError, ValueError, TypeError):
        return None  # no cache yet, or one damaged: the caller builds the lookup


def _write_cached(path: Path, table: AliasTable) -> None:
    """Keep ``table``'s lookup for the next process; a cache that cannot be written is no error."""
    record: Any = (
        tuple((e.kind, e.canonical, e.variants) for e in table.entities),
        table._keys,
        table._by_key,
    )
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(marshal.dumps(record))
        os.replace(temporary, path)  # whole or not at all, for processes reading it now
    except OSError:
        try:
            temporary.unlink()
        except OSError:
            pass
        return
    _prune_cache(path.parent)


def _prune_cache(folder: Path) -> None:
    """Keep the :data:`_CACHE_KEPT` most recent lookups: each edit of a table adds one."""
    try:
        kept = sorted(folder.glob("aliases-*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[_CACHE_KEPT:]:
            old.unlink()
    except OSError:
        pass  # another process pruned it first
