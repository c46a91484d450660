"""Finding the matched words in an article's text, and cutting snippets around them.

A snippet is plain text plus the ``[start, end)`` character spans of the
marked words in that text; rendering marks (terminal colour, brackets, HTML)
happens at the edge, in :meth:`Snippet.render`. Spans always cover the words
as the article wrote them (``Sicherheitsgarantien``, not the stem), because
the analyzer keeps each token's character offsets.

>>> from searcher.compiler import MarkPlan
>>> plan = MarkPlan(); plan.stems["body"].add("verhandl")
>>> match_spans("Die Verhandlungen begannen.", "body", plan)
[(4, 17)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress
from typing import Iterable, Iterator

from index.analysis import STOP_PREFIX, WORD_PATTERN, fold, is_stopword, stem
from index.stems import Stemmer
from index.compounds import MIN_WORD, parts_of

from .compiler import MarkPlan

__all__ = ["Snippet", "match_spans", "make_snippets", "FRAGMENT_CHARS", "MAX_FRAGMENTS"]

#: The longest snippet fragment, in characters (before the ``…`` marks).
FRAGMENT_CHARS = 220
#: The most fragments of the body shown per hit.
MAX_FRAGMENTS = 3
_CONTEXT_BEFORE = 70
_HYPHEN_GAP = re.compile(r"[-‐‑–]")
_WORD = re.compile(WORD_PATTERN)


@dataclass(frozen=True)
class Snippet:
    """A piece of an article with its matched words.

    :param field: ``title`` or ``body``.
    :param text: the text shown.
    :param spans: ``(start, end)`` offsets of the matched words in ``text``, ascending.
    """

    field: str
    text: str
    spans: tuple[tuple[int, int], ...]

    def render(self, before: str = "[", after: str = "]") -> str:
        """The text with each span wrapped in ``before`` and ``after``.

        >>> Snippet("body", "Die NATO tagt", ((4, 8),)).render()
        'Die [NATO] tagt'
        """
        return render_spans(self.text, self.spans, before, after)

    def to_json(self) -> dict[str, object]:
        return {"field": self.field, "text": self.text, "spans": [list(span) for span in self.spans]}


def render_spans(text: str, spans: Iterable[tuple[int, int]], before: str, after: str) -> str:
    """Wrap each ``(start, end)`` span of ``text`` in ``before`` and ``after``."""
    out = []
    last = 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(before + text[start:end] + after)
        last = end
    out.append(text[last:])
    return "".join(out)


def match_spans(
    text: str, field: str, marks: MarkPlan, stemmer: Stemmer | None = None, memo: dict[str, bool] | None = None
) -> list[tuple[int, int]]:
    """The character spans of ``text`` that the query matched, merged and ascending.

    A phrase is one span from its first to its last word, and only where the
    whole phrase occurs; words joined by a hyphen (``Selenskyj-Putin-Treffen``)
    that are all matched become one span.

    :param stemmer: stems the text's words (from the index's stem store); NLTK when None.
    :param memo: which written words of ``field`` are marked, kept between calls
        with the same ``marks`` (the hits of one search), so each is decided once.
    """
    stems = marks.stems.get(field, set())
    words = marks.words.get(field, set())
    phrases = marks.phrases.get(field, [])
    parts = marks.parts
    if not (stems or words or phrases or parts) or not text:
        return []
    marked = {} if memo is None else memo
    # Whether a written word is marked depends on the word alone: decide once
    # per distinct word, then find where the marked ones stand.
    present = set(_WORD.findall(text))
    new = present.difference(marked)
    if new:
        _decide(list(new), marked, stems, words, parts, stemmer)
    spans = [span for word in present if marked[word] for span in _whole_word_spans(text, word)]
    if phrases:
        tokens = _tokens(text, stemmer)
        terms = [t[0] for t in tokens]
        for sequence, slop in phrases:
            spans.extend(_phrase_spans(terms, tokens, sequence, slop))
    return _merge(text, spans)


def _decide(
    new: list[str], marked: dict[str, bool], stems: set[str], words: set[str], parts: set[str], stemmer: Stemmer | None
) -> None:
    """Record in ``marked`` whether each of the written words ``new`` is marked."""
    # Only a word that starts as a marked term does can have that term: the
    # stemmer removes endings and folding keeps an ASCII first letter, so the
    # other words need no stem (on a first search, each is a store lookup).
    candidates = _may_have_term(new, stems)
    if stemmer is None:
        terms = dict(zip(candidates, _terms([word.lower() for word in candidates], None)))
    else:
        terms = stemmer.written(candidates)[0]
    # Word by word, but in C: these run for every distinct word of every hit.
    hits = set(compress(candidates, map(stems.__contains__, map(terms.__getitem__, candidates))))
    if words:
        folds = _folds(new, stemmer)
        hits.update(compress(new, map(words.__contains__, map(folds.__getitem__, new))))
    if parts:
        nouns_only = stemmer is not None  # only nouns are split, as when indexing
        long_words = [
            written
            for written in new
            if len(written) >= MIN_WORD and (not nouns_only or written[0].isupper()) and written not in hits
        ]
        if long_words:
            folds = _folds(long_words, stemmer)
            # Cheap test first: a part's stem is (nearly always) inside the folded word.
            probe = re.compile("|".join(re.escape(part[:4]) for part in sorted(parts))).search
            # The whole compound that contains a matched part is marked.
            hits.update(
                written for written in long_words if probe(folds[written]) and _has_part(written, parts, stemmer)
            )
    marked.update(dict.fromkeys(new, False))
    marked.update(dict.fromkeys(hits, True))


def _folds(written: list[str], stemmer: Stemmer | None) -> dict[str, str]:
    """The folded form of each of the ``written`` words (kept by the stemmer when there is one)."""
    if stemmer is None:
        return dict(zip(written, map(fold, map(str.lower, written))))
    return stemmer.folds(written)


def _may_have_term(written: list[str], terms: set[str]) -> list[str]:
    """Those of the ``written`` words whose indexed term could be one of ``terms``.

    A word's term is its stem, which the German stemmer makes by removing
    endings from the folded word, or ``_`` and the folded word for a stop word.
    Folding changes letters that are not ASCII (``ä`` to ``a``) and the
    digraphs ``ae``, ``oe``, ``ue`` (to ``a``, ``o``, ``u``), so a word whose
    first letter is ASCII keeps it in its term.
    """
    if not terms:
        return []
    initials = {term[:1] for term in terms}
    if STOP_PREFIX in initials:
        return written
    initials.update([initial.upper() for initial in initials])
    return [word for word in written if word[0] in initials or word[0] > "\x7f"]


def _terms(lowers: list[str], stemmer: Stemmer | None) -> list[str]:
    """The indexed terms of lower-case words, as :func:`index.analysis.german_analyzer` makes them.

    The same lower-casing, stop words and stems, without the analyzer's token
    objects; the stemmer remembers the term of each word.
    """
    if stemmer is None:
        return [STOP_PREFIX + fold(w) if is_stopword(w) else stem(w) for w in lowers]
    unknown = stemmer.unknown(lowers)
    if unknown:
        stemmer.prefetch(unknown)
    return list(map(stemmer.token, lowers))


def _tokens(text: str, stemmer: Stemmer | None) -> list[tuple[str, int, int]]:
    """``(term, start, end)`` of each word of ``text``, as the German analyzer gives them."""
    found = [(match.group(), *match.span()) for match in _WORD.finditer(text)]
    terms = _terms([word.lower() for word, _, _ in found], stemmer)
    return [(term, start, end) for term, (_, start, end) in zip(terms, found)]


def _whole_word_spans(text: str, word: str) -> Iterator[tuple[int, int]]:
    """Where ``word`` stands in ``text`` as a whole token of ``WORD_PATTERN``, not inside a longer one.

    The tokens are runs of letters and digits (``[^\\W_]``, which is
    ``str.isalnum``), so a whole one has no such character on either side.
    """
    length = len(word)
    start = text.find(word)
    while start >= 0:
        end = start + length
        if not (start and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum()):
            yield start, end
        start = text.find(word, end)


def _has_part(written: str, parts: set[str], stemmer: Stemmer | None) -> bool:
    if stemmer is None:
        return any(stem(part) in parts for part in parts_of(written))
    return any(stemmer(part) in parts for part in stemmer.parts(written.lower()))


def _phrase_spans(
    terms: list[str], tokens: list[tuple[str, int, int]], sequence: tuple[str, ...], slop: int
) -> Iterable[tuple[int, int]]:
    length = len(sequence)
    if slop == 0:
        first = sequence[0]
        for i in range(len(terms) - length + 1):
            if terms[i] == first and tuple(terms[i : i + length]) == sequence:
                yield tokens[i][1], tokens[i + length - 1][2]
        return
    # Proximity: all words within a window, in any order; mark each word found.
    wanted = set(sequence)
    window = length + slop * (length - 1)
    for i, term in enumerate(terms):
        if term not in wanted:
            continue
        seen: dict[str, int] = {}
        for j in range(i, min(len(terms), i + window)):
            if terms[j] in wanted and terms[j] not in seen:
                seen[terms[j]] = j
        if len(seen) == len(wanted):
            for j in seen.values():
                yield tokens[j][1], tokens[j][2]


def _merge(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort spans, join overlapping ones and ones separated only by a hyphen."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if merged:
            last_start, last_end = merged[-1]
            if start <= last_end or _HYPHEN_GAP.fullmatch(text[last_end:start]):
                merged[-1] = (last_start, max(last_end, end))
                continue
        merged.append((start, end))
    return merged


def _clean(text: str) -> str:
    # Same length as the input, so offsets stay valid: line breaks become spaces.
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def _fragment(text: str, start: int, end: int, spans: list[tuple[int, int]], field: str) -> Snippet:
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inner = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return Snippet(field, prefix + _clean(text[start:end]) + suffix, tuple(inner))


def _word_start(text: str, position: int, floor: int) -> int:
    """Move ``position`` back to the start of a sentence within reach, else to a word start."""
    if position <= 0:
        return 0
    base = max(floor, position - _CONTEXT_BEFORE)
    window = text[base:position]
    best = max((window.rfind(sep) + len(sep) for sep in (". ", "! ", "? ", "\n") if sep in window), default=-1)
    if best >= 0:
        return base + best
    start = max(floor, position - _CONTEXT_BEFORE // 2)
    while start > floor and not text[start - 1].isspace():
        start -= 1
    return start


def _word_end(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    end = position
    while end > 0 and not text[end - 1].isspace():
        end -= 1
    return end if end > 0 else position


def make_snippets(
    text: str, field: str, spans: list[tuple[int, int]], *, max_fragments: int = MAX_FRAGMENTS
) -> list[Snippet]:
    """The best one to ``max_fragments`` fragments of ``text`` around its spans.

    Fragments are ranked by how many different matched words they hold, then
    by how many matches; they are returned in text order. Without spans, the
    opening of the text is the one fragment.
    """
    if not text.strip():
        return []
    if not spans:
        end = _word_end(text, FRAGMENT_CHARS) if len(text) > FRAGMENT_CHARS else len(text)
        return [_fragment(text, 0, end, [], field)]
    # Group spans that fit into one fragment.
    groups: list[list[tuple[int, int]]] = []
    for span in spans:
        if groups and span[1] - groups[-1][0][0] <= FRAGMENT_CHARS - _CONTEXT_BEFORE:
            groups[-1].append(span)
        else:
            groups.append([span])

    def rank(group: list[tuple[int, int]]) -> tuple[int, int, int]:
        distinct = {fold(text[s:e].lower()) for s, e in group}
        return (len(distinct), len(group), -group[0][0])

    chosen = sorted(sorted(groups, key=rank, reverse=True)[:max_fragments], key=lambda g: g[0][0])
    snippets = []
    floor = 0
    for group in chosen:
        first, last = group[0][0], group[-1][1]
        if last <= floor:
            # The previous fragment ran on past this group and already shows it.
            continue
        start = _word_start(text, first, floor)
        limit = max(last, start + FRAGMENT_CHARS)
        end = len(text) if limit >= len(text) else max(last, _word_end(text, limit))
        snippets.append(_fragment(text, start, end, spans, field))
        floor = end
    return snippets
