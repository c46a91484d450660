"""Exact phrases, matched by comparing position lists instead of building spans.

Whoosh matches a phrase with ``SpanNear2``, which turns every position of
every word of each candidate article into a ``Span`` object and compares
them pairwise. A phrase with a stop word (``"wegen der"``) thus built
hundreds of thousands of objects per search. :class:`ExactPhrase` finds the
same articles with the same scores by intersecting sets of positions: the
phrase starts at ``p`` when word ``i`` occurs at ``p + i`` for every ``i``.
"""

from __future__ import annotations

from typing import Any

from whoosh import matching
from whoosh.matching import binary
from whoosh.query import Phrase, Term
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.util import make_binary_tree

__all__ = ["ExactPhrase"]


class ExactPhrase(Phrase):
    """A phrase whose words stand next to each other, in order (Whoosh's ``Phrase`` with ``slop=1``).

    >>> ExactPhrase("body", ["treff", "_mit", "putin"])
    ExactPhrase('body', ['treff', '_mit', 'putin'], slop=1, boost=1.000000)
    """

    def __init__(self, fieldname: str, words: list[str], boost: float = 1.0) -> None:
        super().__init__(fieldname, words, slop=1, boost=boost)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        fieldname = self.fieldname
        if fieldname not in searcher.schema or len(self.words) < 2:
            return super().matcher(searcher, context)
        field = searcher.schema[fieldname]
        reader = searcher.reader()
        terms = []
        for word in self.words:
            term = field.to_bytes(word)
            if (fieldname, term) not in reader:
                return matching.NullMatcher()
            terms.append(Term(fieldname, term))
        if context is not None:
            context = context.set(needs_current=True)
        matchers = [term.matcher(searcher, context) for term in terms]
        m: Any = _AdjacentMatcher(matchers)
        if self.boost != 1.0:
            m = matching.WrappingMatcher(m, boost=self.boost)
        return m


class _AdjacentMatcher(SpanWrappingMatcher):
    """Matches the articles of an intersection in which the words stand in a row."""

    def __init__(self, matchers: list[Any]) -> None:
        self.matchers = matchers
        super().__init__(make_binary_tree(binary.IntersectionMatcher, matchers))

    def copy(self) -> "_AdjacentMatcher":
        return self.__class__([m.copy() for m in self.matchers])

    def replace(self, minquality: float = 0) -> Any:
        if not self.is_active():
            return matching.NullMatcher()
        return self

    def _get_spans(self) -> list[Span]:
        matchers = self.matchers
        starts = set(matchers[0].value_as("positions"))
        for offset, m in enumerate(matchers[1:], start=1):
            if not starts:
                break
            starts.intersection_update(p - offset for p in m.value_as("positions"))
        last = len(matchers) - 1
        return [Span(start, start + last) for start in sorted(starts)]
