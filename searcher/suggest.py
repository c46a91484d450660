"""Spelling suggestions for queries that found nothing ("Did you mean: ...")."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from whoosh import query as wq
from whoosh.support.levenshtein import distance

from index.analysis import fold, is_stopword, stem, unstemmed_analyzer
from index.stems import Stemmer
from index.errors import QuerySyntaxError

__all__ = ["suggest_query"]

_WORDS = unstemmed_analyzer()
_WORDS_FIELDS = {"title": "title_words", "body": "body_words"}


def _known(reader: Any, field: str, word: str, stemfn: Callable[[str], str]) -> bool:
    return reader.doc_frequency(field, stemfn(word.lower())) > 0


def _closest(reader: Any, field: str, word: str) -> str | None:
    """The indexed written word nearest to ``word``: fewest edits, then most frequent."""
    folded = fold(word.lower())
    words_field = _WORDS_FIELDS[field]
    best: tuple[int, int, str] | None = None
    for maxdist in (1, 2):
        for candidate in reader.terms_within(words_field, folded, maxdist, prefix=1):
            if candidate == folded or is_stopword(candidate):
                continue  # a stop word is never what a misspelt name meant
            key = (distance(candidate, folded), -reader.doc_frequency(words_field, candidate), candidate)
            if best is None or key < best:
                best = key
        if best is not None:
            return best[2]
    return None


def _as_written(searcher: Any, field: str, folded: str) -> str:
    """How an article wrote the folded word ``folded`` (``prasident`` -> ``Präsident``)."""
    for docnum in searcher.docs_for_query(wq.Term(_WORDS_FIELDS[field], folded)):
        text = searcher.stored_fields(docnum).get(field, "")
        for token in _WORDS(text, chars=True):
            written = text[token.startchar : token.endchar]
            if fold(written.lower()) == folded:
                return written
        break
    return folded


def suggest_query(
    searcher: Any, query: str, terms: Iterable[tuple[str, str, int]], stemmer: Stemmer | None = None
) -> str | None:
    """A corrected query, replacing words the index does not know by close ones that it does.

    :param terms: ``(field, word, position)`` of the plain words of the query.
    :returns: the corrected query when it would find something, else None.
    """
    reader = searcher.reader()
    replacements: dict[int, tuple[str, str]] = {}
    for field, word, position in terms:
        if position in replacements or field not in _WORDS_FIELDS or _known(reader, field, word, stemmer or stem):
            continue
        close = _closest(reader, field, word)
        if close is not None:
            replacements[position] = (word, _as_written(searcher, field, close))
    if not replacements:
        return None
    corrected = query
    for position in sorted(replacements, reverse=True):
        word, better = replacements[position]
        if corrected[position : position + len(word)] == word:
            corrected = corrected[:position] + better + corrected[position + len(word) :]
    if corrected == query:
        return None
    from .compiler import compile_query
    from .query import parse_query

    try:
        compiled = compile_query(parse_query(corrected), reader, stemmer=stemmer)
    except QuerySyntaxError:
        return None
    return corrected if searcher.search(compiled.query, limit=1).scored_length() else None
