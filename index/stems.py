"""The stems of an index's words, kept beside the index, so that searching needs no NLTK.

Importing NLTK costs about 200 ms, more than opening an index and answering a
query together. Every word an index holds is stemmed once, when it is
indexed; the indexer records ``folded word -> stem`` for all of them in
``stems.sqlite`` in the index directory, and a searcher reads stems from there.
Only a query word the archive has never seen still needs NLTK.

The stem of a word depends only on its folded form (:func:`index.analysis.stem`),
and the folded forms are exactly the terms of the ``title_words`` and
``body_words`` fields, which is where the indexer takes them from.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Mapping

from .analysis import STOP_PREFIX, WORD_PATTERN, fold, is_stopword, stem_folded
from .compounds import MIN_WORD, split_compound
from .schema import SCHEMA_VERSION

__all__ = ["StemStore", "Stemmer", "STORE_NAME", "record_stems", "describe_words"]

STORE_NAME = "stems.sqlite"
_BATCH = 900  # below SQLite's limit of host parameters in one statement
_VERSION = f"{SCHEMA_VERSION}/2"  # the analysis, and this file's own layout
_WORD = re.compile(WORD_PATTERN)


class StemStore:
    """The ``stems.sqlite`` of an index directory.

    :param path: the database file.
    :param writable: create it if missing and allow :meth:`add`.
    """

    def __init__(self, path: Path | str, *, writable: bool = False) -> None:
        self.path = Path(path)
        if writable:
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            if self.analysis_version() != _VERSION:
                # Stems of another analysis are wrong for this one: start afresh.
                self._db.execute("DROP TABLE IF EXISTS stems")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('analysis', ?)", (_VERSION,))
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS stems (word TEXT PRIMARY KEY, stem TEXT NOT NULL, parts TEXT) WITHOUT ROWID"
            )
            self._db.commit()
        else:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    def analysis_version(self) -> str | None:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'analysis'").fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    @classmethod
    def open_for_reading(cls, index_dir: Path | str) -> "StemStore | None":
        """The store of an index, or None when it has none (an index written before stores existed)."""
        path = Path(index_dir) / STORE_NAME
        if not path.is_file():
            return None
        try:
            store = cls(path)
        except sqlite3.Error:
            return None
        if store.analysis_version() != _VERSION:
            store.close()
            return None
        return store

    def lookup(self, words: Iterable[str]) -> dict[str, tuple[str, tuple[str, ...] | None]]:
        """What the store has for ``words`` (folded): ``word -> (stem, compound parts)``.

        The parts are None for words too short to be compounds.
        """
        unique = list(dict.fromkeys(words))
        found: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        try:
            for start in range(0, len(unique), _BATCH):
                batch = unique[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(f"SELECT word, stem, parts FROM stems WHERE word IN ({marks})", batch)
                for word, stem, parts in rows:
                    found[word] = (stem, None if parts is None else tuple(parts.split()))
        except sqlite3.Error:
            pass  # a damaged store only costs speed: the stemmer falls back to NLTK
        return found

    def add(self, rows: Iterable[tuple[str, str, str | None]]) -> None:
        """Add ``(word, stem, parts)`` rows; parts space-separated, or None."""
        self._db.executemany("INSERT OR REPLACE INTO stems (word, stem, parts) VALUES (?, ?, ?)", rows)
        self._db.commit()

    def close(self) -> None:
        self._db.close()


#: A word's entry in the store: its stem, and its compound parts (None for
#: words too short to be compounds).
Entry = tuple[str, "tuple[str, ...] | None"]


def describe_words(words: Iterable[str]) -> dict[str, Entry]:
    """The store's entries for folded words, as :func:`record_stems` computes them.

    An indexing worker computes these for the words it analysed, so that the
    run's end need not compute them again in one process.
    """
    return {w: (stem_folded(w), split_compound(w) if len(w) >= MIN_WORD else None) for w in words}


def record_stems(index_dir: Path | str, reader: Any, described: Mapping[str, Entry] | None = None) -> int:
    """Add the stems of the words of ``reader`` that the store lacks; returns how many.

    :param reader: a Whoosh reader of the index (its ``title_words`` and ``body_words``).
    :param described: entries already computed (:func:`describe_words`), used
        instead of computing them again.
    """
    described = described or {}
    path = Path(index_dir) / STORE_NAME
    try:
        store = StemStore(path, writable=True)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise  # busy or full, not damaged
        # Damaged: it holds nothing that the index cannot give again, so start afresh.
        path.unlink()
        store = StemStore(path, writable=True)
    try:
        added = 0
        batch: list[str] = []

        def flush() -> int:
            known = store.lookup(batch)
            # A word first recorded as a part of a compound has no parts of its
            # own yet; as a word of the text it needs them (the highlighter asks).
            new = {word for word in batch if word not in known or (known[word][1] is None and len(word) >= MIN_WORD)}
            # The parts of new compounds too: marking Sicherheitsgarantien for a
            # search of Garantien compares the stems of its parts.
            entries = {word: described.get(word) or describe_words([word])[word] for word in new}
            parts = {part for _, word_parts in entries.values() for part in word_parts or ()}
            parts.difference_update(new)
            parts.difference_update(store.lookup(parts))
            rows = [(w, stem, None if split is None else " ".join(split)) for w, (stem, split) in entries.items()]
            for w in parts:
                stem, split = described.get(w) or (stem_folded(w), None)
                rows.append((w, stem, None if split is None else " ".join(split)))
            store.add(rows)
            batch.clear()
            return len(rows)

        seen: set[str] = set()
        for word in _words(reader):
            if word in seen:
                continue
            seen.add(word)
            batch.append(word)
            if len(batch) >= 5000:
                added += flush()
        if batch:
            added += flush()
        return added
    finally:
        store.close()


def _words(reader: Any) -> Iterable[str]:
    """The folded words of the index, and those of the shipped alias table's names.

    A query for ``Lawrow`` also searches ``Lavrov``; with its stem kept here,
    that needs no NLTK either, even if no article ever wrote it.
    """
    for field in ("title_words", "body_words"):
        for raw in reader.lexicon(field):
            yield raw.decode("utf-8") if isinstance(raw, bytes) else raw
    from .aliases import SHIPPED_ALIASES, AliasTable

    if SHIPPED_ALIASES.is_file():
        for entity in AliasTable.shipped().entities:
            for name in entity.names:
                yield from (fold(word.lower()) for word in _WORD.findall(name))


_MAX_TERMS = 500_000  # about 50 MB of words and terms at most


class Stemmer:
    """Stems words from an index's store, falling back to NLTK for words it lacks.

    Callable like :func:`index.analysis.stem` (a lower-case word in, its
    stem out); :meth:`prefetch` reads many words in one query first.
    """

    def __init__(self, store: StemStore | None) -> None:
        self.store = store
        self._cache: dict[str, tuple[str, tuple[str, ...] | None]] = {}
        # Indexed terms by lower-case word: the highlighter asks for the same
        # words hit after hit, so each is analysed once per searcher.
        self._terms: dict[str, str] = {}
        # Term and folded form by word as written, for the highlighter's
        # per-word test: one lookup instead of lower-casing and two more.
        self._written_terms: dict[str, str] = {}
        self._written_folds: dict[str, str] = {}

    def prefetch(self, words: Iterable[str]) -> None:
        """Fetch the stems of many lower-case words at once (the words of a hit's text)."""
        if self.store is None:
            return
        wanted = {fold(w) for w in words}
        wanted.difference_update(self._cache)
        if wanted:
            self._cache.update(self.store.lookup(wanted))

    def _entry(self, folded: str) -> tuple[str, tuple[str, ...] | None] | None:
        entry = self._cache.get(folded)
        if entry is None and self.store is not None:
            self._cache.update(self.store.lookup([folded]))
            entry = self._cache.get(folded)
        return entry

    def known(self, word: str) -> str | None:
        """The stem of a lower-case word if the index holds the word, else None (no NLTK)."""
        entry = self._entry(fold(word))
        return entry[0] if entry else None

    def parts(self, word: str) -> tuple[str, ...]:
        """The compound parts of a lower-case word, from the store when it has them."""
        entry = self._entry(fold(word))
        if entry is not None and entry[1] is not None:
            return entry[1]
        return split_compound(word)  # the lexicon, loaded on first use

    def __call__(self, word: str) -> str:
        folded = fold(word)
        entry = self._entry(folded)
        if entry is not None:
            return entry[0]
        found = stem_folded(folded)  # a word the index has never seen: NLTK
        self._cache[folded] = (found, None)
        return found

    def token(self, word: str) -> str:
        """The indexed term of a lower-case word: its stem, or ``_`` + folded form for a stop word."""
        term = self._terms.get(word)
        if term is None:
            term = STOP_PREFIX + fold(word) if is_stopword(word) else self(word)
            if len(self._terms) >= _MAX_TERMS:
                self._terms.clear()
            self._terms[word] = term
        return term

    def written(self, words: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
        """The indexed term and the folded form of each word of ``words``, as written (any case).

        Two dictionaries keyed by the written word, which also hold the words
        asked about before; the terms are :meth:`token`'s. Words new to this
        stemmer are fetched from the store together.
        """
        terms, folds = self._written_terms, self._written_folds
        if len(terms) >= _MAX_TERMS:
            terms.clear()
            folds.clear()
        missing = set(words).difference(terms)
        if missing:
            lowers = {word: word.lower() for word in missing}
            unknown = self.unknown(lowers.values())
            if unknown:
                self.prefetch(unknown)
            for word, lower in lowers.items():
                terms[word] = self.token(lower)
                folds[word] = fold(lower)
        return terms, folds

    def folds(self, words: Iterable[str]) -> dict[str, str]:
        """The folded form of each word of ``words``, as written (any case).

        A dictionary keyed by the written word, which also holds the words
        asked about before (here and by :meth:`written`).
        """
        folds = self._written_folds
        if len(folds) >= _MAX_TERMS:
            folds.clear()
            self._written_terms.clear()  # :meth:`written` expects a fold for each word it has a term for
        missing = set(words).difference(folds)
        if missing:
            folds.update(zip(missing, map(fold, map(str.lower, missing))))
        return folds

    def unknown(self, words: Iterable[str]) -> set[str]:
        """Those of ``words`` (lower-case) whose term :meth:`token` has not given yet."""
        return set(words).difference(self._terms)
