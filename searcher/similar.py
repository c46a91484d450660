"""The key terms of an article, for finding the articles most like it.

An article's text goes through the analysis of the index (so ``Gipfeltreffen``
and ``Gipfeltreffens`` are one term); each term is weighed by how often the
article uses it (a headline word counting as much as it does in ranking) and
how rare it is in the archive (tf-idf). Stop words, numbers, very short
terms and terms no other article has are left out. The best of them, as the
article writes them, make an any-word query whose ranking finds the related
articles.

>>> terms = key_terms(
...     "Gipfel in Moskau", "Lawrow lobt den Gipfel. Der Gipfel war lang.",
...     analyzer=_demo_analyzer(), doc_frequency={"gipfel": 3, "moskau": 40, "lawrow": 2, "lobt": 1}.get,
...     doc_count=1000, limit=3)
>>> [(t.word, t.term) for t in terms]
[('Gipfel', 'gipfel'), ('Lawrow', 'lawrow'), ('Moskau', 'moskau')]
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from index.analysis import STOP_PREFIX

__all__ = ["KeyTerm", "key_terms", "KEY_TERMS"]

#: How many key terms describe an article.
KEY_TERMS = 12
_TITLE_WEIGHT = 2  # a headline word counts twice, as in ranking
_MIN_LENGTH = 3


@dataclass(frozen=True)
class KeyTerm:
    """An analysed term of an article, the word it was first written as, and its weight (the best is 1)."""

    term: str
    word: str
    weight: float


def key_terms(
    title: str,
    body: str,
    *,
    analyzer: Any,
    doc_frequency: Callable[[str], int | None],
    doc_count: int,
    limit: int = KEY_TERMS,
) -> list[KeyTerm]:
    """The ``limit`` terms that best tell this article apart, best first.

    :param analyzer: the index's analyzer of headline and body (a Whoosh analyzer).
    :param doc_frequency: how many articles of the index have a term (the article included).
    :param doc_count: how many articles the index has.
    """
    counts: Counter[str] = Counter()
    written: dict[str, str] = {}
    for text, weight in ((title, _TITLE_WEIGHT), (body, 1)):
        for token in analyzer(text, chars=True):
            term = token.text
            if term.startswith(STOP_PREFIX) or len(term) < _MIN_LENGTH or term.isdigit():
                continue
            counts[term] += weight
            written.setdefault(term, text[token.startchar : token.endchar])
    scored: list[tuple[float, str]] = []
    for term, count in counts.items():
        frequency = doc_frequency(term) or 0
        if frequency < 2:
            continue  # only in this article: it finds nothing else
        idf = math.log(1 + (doc_count - frequency + 0.5) / (frequency + 0.5))
        scored.append(((1 + math.log(count)) * idf, term))
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[:limit]
    if not best:
        return []
    top = best[0][0]
    return [KeyTerm(term, written[term], round(score / top, 2)) for score, term in best]


def _demo_analyzer() -> Any:
    """Lower-cased words, for the example above."""
    from whoosh.analysis import LowercaseFilter, RegexTokenizer

    return RegexTokenizer(r"\w+") | LowercaseFilter()
