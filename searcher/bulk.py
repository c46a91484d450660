"""Running a query over whole posting lists at once, with numpy.

Whoosh's matchers walk a query tree one matching article at a time, in
Python: a word found in 30,000 articles costs 30,000 rounds of method calls in
each field it is searched in, and the total count needs every one of them.
Here each term's posting list is read whole, block by block from Whoosh's
postings file, scored with the BM25F formula and the field lengths that Whoosh
itself uses, and the lists are combined with array operations that follow the
shape of Whoosh's matcher tree (which parts are added, in which order, where a
boost multiplies), so that every article gets the score Whoosh would give it.
A query type without a rule here is run through Whoosh's own matcher and
collected into arrays, so every query gives what Whoosh gives
(``tests/test_bulk.py`` compares the two on many queries).
"""

from __future__ import annotations

import pickle
import time
import zlib
from datetime import timezone
from bisect import insort
from collections import OrderedDict
from itertools import chain, compress
from io import BytesIO
from struct import Struct
from typing import Any, Callable, Iterator, Sequence

import numpy as np
from whoosh import formats
from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader
from whoosh.searching import TimeLimit  # where Whoosh defines it; its collectors module costs an import
from whoosh.reading import CorruptIndexError, TermNotFound
from whoosh.scoring import BM25F, WeightScorer
from whoosh.util.numeric import _length_byte_cache

from index.analysis import STOP_PREFIX, stop_pair
from index.columns import deleted_numbers, fixed_values
from index.schema import UNDATED

from .phrases import ExactPhrase

__all__ = ["Matches", "PostingCache", "QueryRunner", "best_scored", "concatenate", "first_in_order"]

#: Sorted, unique document numbers and the score of each.
Matches = tuple[np.ndarray, np.ndarray]

_EMPTY: Matches = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
_INT = Struct("!i")
_BYTE_TO_LENGTH = np.array(_length_byte_cache, dtype=np.float64)
# Whoosh switches an Or of three or more parts in a segment of at most this
# many articles to an array union that adds the parts one after another.
_SMALL_SEGMENT = 5000
_TOO_MANY_CLAUSES = 1024
_MAX_TERM_INFOS = 200_000
_MANY_TERMS = 8  # an Or of at least this many terms of one field is scored in one pass
_CHECK_EVERY = 64  # articles between two looks at the clock in Whoosh's own matchers
_PAIRS_FIELD = {"title": "title_pairs", "body": "body_pairs"}  # see index.schema
#: The postings a term needs in a segment before its positions are kept decoded
#: (:class:`PostingCache`): four blocks of 512, below which a phrase reads few blocks anyway.
POSITIONS_MIN_POSTINGS = 2048


class _Lru:
    """Arrays by key, up to ``max_bytes``, the least recently used dropped first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], entry: tuple[np.ndarray, np.ndarray]) -> None:
        cost = entry[0].nbytes + entry[1].nbytes
        if cost > self.max_bytes // 4:
            return  # one entry may not push out most of the others
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[0].nbytes + old[1].nbytes
        self._entries[key] = entry
        self.size += cost
        while self.size > self.max_bytes:
            _, (first, second) = self._entries.popitem(last=False)
            self.size -= first.nbytes + second.nbytes


class PostingCache:
    """Decoded posting lists of recently searched terms, and the positions of frequent ones.

    Reading a list means unpickling and decompressing every block with its
    positions; a searcher that answers many queries keeps the most recently
    used lists here, up to ``max_bytes``, least recently used first out: a
    word's BM25F scores where a search scores it (12 bytes a posting), or its
    weights (8 bytes) for a prefix's or fuzzy term's words, scored together.

    A phrase reads the positions of its words in the articles that have them
    all. The positions of a word with at least :data:`POSITIONS_MIN_POSTINGS`
    postings in a segment are decoded whole and kept the second time a phrase
    asks for them (4 bytes a position, 8 an article), while they fit in half
    of ``max_bytes`` more (see :meth:`keep_positions_now`), apart from the
    lists so that they never push lists out: a frequent word such as *die* is then decoded once per searcher
    rather than once per phrase, while a one-off search pays nothing more.

    Segments never change once written, so an entry never goes stale; it is
    keyed by the segment's id, the field and the term, and scores also by the
    statistics of the whole index they were computed with.
    """

    def __init__(self, max_bytes: int) -> None:
        self._lists = _Lru(max_bytes)
        self._positions = _Lru(max_bytes // 2)
        #: Term entries (or None for a term a segment lacks), by the same keys;
        #: about 200 bytes each, emptied when full.
        self.term_infos: dict[tuple[str, str, bytes], Any] = {}
        # Positions asked for once and not kept yet; emptied when full.
        self._positions_asked: set[tuple[str, str, bytes]] = set()

    def get(self, key: tuple[str, str, bytes]) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's article numbers and weights, or None when not kept."""
        found = self._lists.get(key)
        if found is None:
            return None
        return found[0].astype(np.int64), found[1].astype(np.float64)

    def put(self, key: tuple[str, str, bytes], ids: np.ndarray, weights: np.ndarray) -> None:
        # Weights are float32 in Whoosh's postings, so float32 keeps them exactly.
        self._lists.put(key, (ids.astype(np.int32), weights.astype(np.float32)))

    def scored(self, key: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's article numbers and BM25F scores (see :meth:`QueryRunner.term`), or None when not kept."""
        found = self._lists.get(key)
        if found is None:
            return None
        return found[0].astype(np.int64), found[1]

    def put_scored(self, key: tuple[Any, ...], ids: np.ndarray, scores: np.ndarray) -> None:
        """Keep a term's scores in place of its weights: 12 bytes a posting instead of 8.

        The scores are kept read-only, as callers get them without a copy.
        """
        scores = scores.copy()
        scores.flags.writeable = False
        self._lists.put(key, (ids.astype(np.int32), scores))

    def positions(self, key: tuple[str, str, bytes]) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's decoded positions (see :func:`_positions_table`), or None when not kept."""
        return self._positions.get(key)

    def keep_positions_now(self, key: tuple[str, str, bytes], nbytes: int) -> bool:
        """Whether to decode a term's positions whole and keep them: the second time a phrase asks, if they fit.

        Kept positions are never pushed out by others: in a large index the
        positions of every frequent word outgrow the budget, and decoding a
        list whole only to drop it soon after costs more than reading the
        blocks a phrase needs. The words kept are those that phrases read
        first, which are the most frequent ones.
        """
        room = self._positions.max_bytes - self._positions.size
        if nbytes > min(room, self._positions.max_bytes // 4):
            return False
        if key in self._positions_asked:
            self._positions_asked.discard(key)
            return True
        if len(self._positions_asked) >= _MAX_TERM_INFOS:
            self._positions_asked.clear()
        self._positions_asked.add(key)
        return False

    def put_positions(self, key: tuple[str, str, bytes], starts: np.ndarray, positions: np.ndarray) -> None:
        self._positions.put(key, (starts, positions))


class _Segment:
    """One segment's searcher, with what its terms are scored against, read once."""

    def __init__(self, searcher: Any, offset: int) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.doc_count_all = self.reader.doc_count_all()
        deleted = deleted_numbers(self.reader)
        self.deleted = np.array(deleted, dtype=np.int64) if deleted else None
        self.segid: str | None = getattr(self.reader, "_segid", None)
        terms = getattr(self.reader, "_terms", None)
        self.terms = terms if isinstance(terms, W3TermsReader) else None
        self._length_bytes: dict[str, np.ndarray | None] = {}
        self._dates: np.ndarray | None = None

    def length_bytes(self, fieldname: str) -> np.ndarray | None:
        """Every article's length byte in a field (see :func:`_lengths_at`), or None.

        Kept as bytes, one an article rather than a float's eight, and decoded
        only for the articles a term matches: a searcher keeps every field's
        column of every segment it has read.
        """
        if fieldname not in self._length_bytes:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

            self._length_bytes[fieldname] = self._column(_lenfield(fieldname), LENGTHS_COLUMN, np.uint8)
        return self._length_bytes[fieldname]

    def dates(self) -> np.ndarray | None:
        """Every article's ``date_sort`` value (seconds, or :data:`~index.schema.UNDATED`)."""
        if self._dates is None:
            self._dates = self._column("date_sort", self.searcher.schema["date_sort"].column_type, np.dtype(">i8"))
        return self._dates

    def _column(self, name: str, column: Any, dtype: Any) -> np.ndarray | None:
        """A column of fixed-size numbers, read whole; None when the segment lacks it."""
        perdoc = getattr(self.reader, "_perdoc", None)
        if perdoc is None or not perdoc.has_column(name):
            return None
        values: np.ndarray = fixed_values(perdoc.column_reader(name, column), self.doc_count_all, dtype)
        return values

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        """The stored fields of the segment's article ``docnum``.

        Read from the segment's own column: the top-level searcher would first
        find the segment again, and copy the record to leave out fields no
        longer in the schema, which diplosearch's readers never ask for.
        """
        perdoc = getattr(self.reader, "_perdoc", None)
        if perdoc is None:
            return dict(self.reader.stored_fields(docnum))
        record: dict[str, Any] = perdoc.stored_fields(docnum)  # a new dict, unpickled for this call
        return record

    def live_only(self, ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``ids`` (each once) and their ``values``, without the articles deleted from the segment."""
        if self.deleted is None:
            return ids, values
        keep = ~np.isin(ids, self.deleted, assume_unique=True)
        return ids[keep], values[keep]

    def live(self) -> np.ndarray:
        """The numbers of all articles not deleted."""
        everything = np.arange(self.doc_count_all, dtype=np.int64)
        return everything if self.deleted is None else np.setdiff1d(everything, self.deleted, assume_unique=True)


class QueryRunner:
    """Runs Whoosh queries on a searcher's segments; build one per search.

    :param searcher: the top-level Whoosh searcher (with the BM25F weighting).
    :param deadline: a ``time.monotonic()`` value after which a search raises
        :class:`whoosh.searching.TimeLimit`.
    :param segments: segments prepared by an earlier runner on the same
        searcher, to reuse their field lengths.
    :param cache: decoded posting lists kept between searches, or None.
    """

    def __init__(
        self,
        searcher: Any,
        deadline: float = float("inf"),
        segments: list[_Segment] | None = None,
        cache: PostingCache | None = None,
    ) -> None:
        self.searcher = searcher
        self.deadline = deadline
        self.context = searcher.context()
        if segments is None:
            segments = [_Segment(sub, offset) for sub, offset in searcher.leaf_searchers()]
        self.segments = segments
        self.cache = cache
        self._term_infos: dict[tuple[str, str, bytes], Any] = {}
        self._avgfl: dict[str, float] = {}

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TimeLimit

    def run(self, q: Any, found: list[Matches] | None = None) -> Matches:
        """All articles that match ``q``, with their scores, as top-level document numbers.

        :param found: when given, each segment's matches are appended to it as
            they are found, so that a caller stopped by the time limit keeps them.
        """
        parts = found if found is not None else []
        for segment in self.segments:
            self.check_time()
            ids, scores = self.matches(q, segment, self.context)
            parts.append((ids + segment.offset, scores))
        return concatenate(parts)

    # -- one query node in one segment -----------------------------------------

    def matches(self, q: Any, segment: _Segment, context: Any) -> Matches:
        kind = type(q)
        if kind is wq.Term:
            return self.term(q, segment, context)
        if kind is ExactPhrase and q.fieldname in segment.searcher.schema and len(q.words) > 1:
            return self.phrase(q, segment, context)
        if kind is wq.And:
            return self.compound(q, segment, context, _intersect, lambda sub: 0 - self.size(sub, segment))
        if kind is wq.Or:
            return self.either(q, segment, context)
        if kind is wq.DisjunctionMax:
            return self.compound(q, segment, context, _union_max, lambda sub: self.size(sub, segment))
        if kind is wq.Not:
            return self.inverse(q, segment)
        if kind is wq.Every and q.fieldname in (None, "", "*"):
            live = segment.live()
            return live, np.full(len(live), float(q.boost))
        if q is wq.NullQuery:
            return _EMPTY
        if isinstance(q, wq.NumericRange) and q.constantscore and not context.needs_current:
            if type(q) is wq.DateRange and q.fieldname == "date":
                dated = self.date_range(q, segment)
                if dated is not None:
                    return dated
            return self.constant_range(q, segment)
        return self.whoosh_matches(q, segment, context)

    def term(self, q: Any, segment: _Segment, context: Any) -> Matches:
        """A term's postings, scored as Whoosh's ``Term`` matcher scores them."""
        schema = segment.searcher.schema
        if q.fieldname not in schema:
            return _EMPTY
        try:
            tbytes = schema[q.fieldname].to_bytes(q.text)
        except ValueError:
            return _EMPTY
        if segment.terms is None:
            return self.whoosh_matches(q, segment, context)
        weighting = context.weighting
        if type(weighting) is BM25F and schema[q.fieldname].scorable:
            length_bytes = segment.length_bytes(q.fieldname)
            if length_bytes is None:
                return self.whoosh_matches(q, segment, context)
            scored = self.bm25_scored(segment, q.fieldname, tbytes, length_bytes, weighting)
            if scored is None:
                return _EMPTY
            ids, scores = segment.live_only(*scored)
            return ids, (scores * q.boost if q.boost != 1.0 else scores)
        found = self.postings(segment, q.fieldname, tbytes)
        if found is None:
            return _EMPTY
        ids, weights = segment.live_only(*found)
        if weighting is None:  # unscored (inside a Not): only the articles count
            scores = np.zeros(len(ids))
        else:
            scorer = weighting.scorer(segment.searcher, q.fieldname, tbytes)
            if not isinstance(scorer, WeightScorer):
                return self.whoosh_matches(q, segment, context)
            scores = weights
        if q.boost != 1.0:
            scores = scores * q.boost
        return ids, scores

    def bm25_scored(self, segment: _Segment, fieldname: str, tbytes: bytes, length_bytes: np.ndarray, weighting: Any) -> Matches | None:
        """A term's articles in a segment (deleted ones included) and their BM25F scores before any boost, or None.

        The scores depend on statistics of the whole index as well as on the
        segment's postings, so the cache keeps them by both: after a commit
        that changes the statistics, the next search scores afresh.
        """
        # BM25FScorer's statistics, taken as it takes them (without its own term lookup) ...
        idf = segment.searcher.get_parent().idf(fieldname, tbytes)
        avgfl = self.avg_field_length(fieldname)
        B = weighting._field_B.get(fieldname, weighting.B)
        K1 = weighting.K1
        key = (segment.segid, fieldname, tbytes, idf, avgfl, B, K1) if self.cache is not None and segment.segid is not None else None
        if key is not None:
            kept = self.cache.scored(key)  # type: ignore[union-attr]  # key only with a cache
            if kept is not None:
                return kept
        found = self.postings(segment, fieldname, tbytes, keep=False)
        if found is None:
            return None
        ids, weights = found
        fl = _lengths_at(length_bytes, ids)
        # ... and whoosh.scoring.bm25, operation for operation, so that the floats agree.
        scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        if key is not None:
            self.cache.put_scored(key, ids, scores)  # type: ignore[union-attr]
        return ids, scores

    def term_info(self, segment: _Segment, fieldname: str, tbytes: bytes) -> Any:
        """The segment's entry for a term, or None; each is read once per search (or cache)."""
        known = self._term_infos
        if self.cache is not None and segment.segid is not None:
            known = self.cache.term_infos
            if len(known) > _MAX_TERM_INFOS:
                known.clear()
        key = (segment.segid or str(segment.offset), fieldname, tbytes)
        if key not in known:
            try:
                known[key] = segment.terms.term_info(fieldname, tbytes)  # type: ignore[union-attr]  # only called with terms
            except TermNotFound:
                known[key] = None
        return known[key]

    def avg_field_length(self, fieldname: str) -> float:
        """Whoosh's average length of a field over the whole index (which it adds up per call)."""
        if fieldname not in self._avgfl:
            self._avgfl[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return self._avgfl[fieldname]

    def size(self, q: Any, segment: _Segment) -> int:
        """Whoosh's ``estimate_size`` of a query in a segment (for a term: its document frequency)."""
        if type(q) is wq.Term and segment.terms is not None:
            try:
                tbytes = segment.searcher.schema[q.fieldname].to_bytes(q.text)
            except (KeyError, ValueError):
                return q.estimate_size(segment.reader)
            terminfo = self.term_info(segment, q.fieldname, tbytes)
            return 0 if terminfo is None else terminfo.doc_frequency()
        return q.estimate_size(segment.reader)

    def compound(self, q: Any, segment: _Segment, context: Any, combine: Callable[[Matches, Matches], Matches], weight: Callable[[Any], float]) -> Matches:
        """And or DisjunctionMax: Whoosh's huffman-like tree of two-way matchers, then the boost."""
        subs = q.subqueries
        if not subs:
            return _EMPTY
        if len(subs) == 1:  # Whoosh ignores the boost of a compound of one part
            return self.matches(subs[0], segment, context)
        built = [self.matches(sub, segment, context) for sub in subs]
        if len(built) == 2:  # either order gives the same sums: no need for the sizes
            return _boosted(combine(built[0], built[1]), q.boost)
        result = _weighted_tree(combine, [(weight(sub), m) for sub, m in zip(subs, built)])
        return _boosted(result, q.boost)

    def either(self, q: Any, segment: _Segment, context: Any) -> Matches:
        """Or, as Whoosh chooses to run it: a tree of unions, or (small segments) an array union."""
        subs = q.subqueries
        if not subs:
            return _EMPTY
        if len(subs) == 1:
            return self.matches(subs[0], segment, context)
        tree = len(subs) < _TOO_MANY_CLAUSES and (
            context.needs_current or q.scale or len(subs) == 2 or segment.doc_count_all > _SMALL_SEGMENT
        )
        if q.scale:
            return self.whoosh_matches(q, segment, context)
        if len(subs) >= _MANY_TERMS:
            flat = self.many_terms(q, segment, context, tree)
            if flat is not None:
                return flat
        built = [self.matches(sub, segment, context) for sub in subs]
        if tree and len(built) == 2:
            return _boosted(_union_add(built[0], built[1]), q.boost)
        if tree:
            weights = [self.size(sub, segment) for sub in subs]
            return _boosted(_weighted_tree(_union_add, list(zip(weights, built))), q.boost)
        # Whoosh's ArrayUnionMatcher: the parts' boosted scores added one after another.
        ids = _union_ids([m[0] for m in built])
        scores = np.zeros(len(ids))
        for sub_ids, sub_scores in built:
            scores[np.searchsorted(ids, sub_ids)] += sub_scores * q.boost
        return ids, scores

    def many_terms(self, q: Any, segment: _Segment, context: Any, tree: bool) -> Matches | None:
        """An Or of many terms of one field (a prefix or fuzzy term's words), scored in one pass.

        An article's score is the sum of its terms' scores, added in the order
        of the terms rather than in the order of Whoosh's tree of unions: the
        same sum up to rounding in the last bit. None when the parts are not
        all plainly scored terms of one field.
        """
        subs = q.subqueries
        if any(type(sub) is not wq.Term for sub in subs):
            return None
        fieldname = subs[0].fieldname
        weighting = context.weighting
        schema = segment.searcher.schema
        if (
            segment.terms is None
            or type(weighting) is not BM25F
            or fieldname not in schema
            or not schema[fieldname].scorable
            or any(sub.fieldname != fieldname for sub in subs)
        ):
            return None
        length_bytes = segment.length_bytes(fieldname)
        if length_bytes is None:
            return None
        field = schema[fieldname]
        parent = segment.searcher.get_parent()
        id_lists: list[np.ndarray] = []
        weight_lists: list[np.ndarray] = []
        factors: list[tuple[float, float]] = []  # idf and boost, per term
        for sub in subs:
            try:
                tbytes = field.to_bytes(sub.text)
            except ValueError:
                continue
            found = self.postings(segment, fieldname, tbytes)
            if found is None or not len(found[0]):
                continue
            id_lists.append(found[0])
            weight_lists.append(found[1])
            factors.append((parent.idf(fieldname, tbytes), sub.boost))
        if not id_lists:
            return _EMPTY
        sizes = [len(ids) for ids in id_lists]
        ids = np.concatenate(id_lists)
        weights = np.concatenate(weight_lists)
        idf = np.repeat(np.array([f[0] for f in factors]), sizes)
        boost = np.repeat(np.array([f[1] for f in factors]), sizes)
        if segment.deleted is not None:
            keep = ~np.isin(ids, segment.deleted)
            ids, weights, idf, boost = ids[keep], weights[keep], idf[keep], boost[keep]
        K1, B = weighting.K1, weighting._field_B.get(fieldname, weighting.B)
        avgfl = self.avg_field_length(fieldname)
        fl = _lengths_at(length_bytes, ids)
        scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl))) * boost
        if not tree:
            scores = scores * q.boost  # the array union boosts each part
        unique, inverse = np.unique(ids, return_inverse=True)
        sums = np.bincount(inverse, weights=scores, minlength=len(unique))
        return _boosted((unique, sums), q.boost) if tree else (unique, sums)

    def postings(self, segment: _Segment, fieldname: str, tbytes: bytes, keep: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's article numbers and weights in a segment (deleted articles included), or None.

        :param keep: keep a list read from the file in the cache (not when the
            caller keeps what it makes of it instead).
        """
        terminfo = self.term_info(segment, fieldname, tbytes)
        if terminfo is None:
            return None
        self.check_time()
        key = (segment.segid, fieldname, tbytes) if segment.segid is not None else None
        cached = self.cache.get(key) if self.cache is not None and key is not None else None
        if cached is not None:
            return cached
        ids, weights = _read_postings(segment.terms._postfile, terminfo)  # type: ignore[union-attr]  # only with terms
        if keep and self.cache is not None and key is not None:
            self.cache.put(key, ids, weights)
        return ids, weights

    def inverse(self, q: Any, segment: _Segment) -> Matches:
        """Not: every live article the inner query does not match, each scoring 1."""
        inner, _ = self.matches(q.query, segment, segment.searcher.boolean_context())
        live = segment.live()
        ids = np.setdiff1d(live, inner, assume_unique=True)
        return ids, np.ones(len(ids))

    def constant_range(self, q: Any, segment: _Segment) -> Matches:
        """A date or number range: the union of its trie terms, each article scoring the boost."""
        compiled = q._compile_query(segment.reader)
        if compiled is wq.NullQuery:
            return _EMPTY
        inner = compiled.child if isinstance(compiled, wq.ConstantScoreQuery) else compiled
        ids_lists: list[np.ndarray] = []
        boolean = segment.searcher.boolean_context().set(weighting=segment.searcher.weighting)
        stack = [inner]
        while stack:
            node = stack.pop()
            if isinstance(node, wq.Or):
                stack.extend(node.subqueries)
            elif isinstance(node, wq.Term):
                ids_lists.append(self.term(node, segment, boolean)[0])
            elif isinstance(node, wq.TermRange):
                for text in node._btexts(segment.reader):
                    ids_lists.append(self.term(wq.Term(node.fieldname, text), segment, boolean)[0])
            else:
                ids_lists.append(self.whoosh_matches(node, segment, boolean)[0])
        ids = _union_ids(ids_lists)
        return ids, np.full(len(ids), float(q.boost))

    def date_range(self, q: Any, segment: _Segment) -> Matches | None:
        """A date range read off the ``date_sort`` column, or None where that would not be exact.

        ``date_sort`` is the article's date in whole seconds (UTC), truncated,
        so for a range from a whole second (inclusive) to a whole second
        (exclusive) the comparison of seconds decides as the date itself
        would; truncation rounds up before 1970, so a segment with such dates
        is left to the terms of the ``date`` field.
        """
        start, end = q.startdate, q.enddate
        for bound in (start, end):
            if bound is not None and (bound.microsecond or bound.tzinfo is not None):
                return None
        if (start is not None and q.startexcl) or (end is not None and not q.endexcl):
            return None
        dates = segment.dates()
        if dates is None:
            return None
        keep = dates != UNDATED
        if np.any(dates[keep] < 0):
            return None
        if start is not None:
            keep &= dates >= int(start.replace(tzinfo=timezone.utc).timestamp())
        if end is not None:
            keep &= dates < int(end.replace(tzinfo=timezone.utc).timestamp())
        ids = np.flatnonzero(keep)
        if segment.deleted is not None:
            ids = np.setdiff1d(ids, segment.deleted, assume_unique=True)
        return ids, np.full(len(ids), float(q.boost))

    def phrase(self, q: Any, segment: _Segment, context: Any) -> Matches:
        """An exact phrase: the articles of all its words where they stand in a row.

        Scored as :class:`searcher.phrases.ExactPhrase`: the sum of the words'
        scores over an order-keeping tree, times the phrase's boost. Which
        articles match is decided on :meth:`phrase_units`: stop-word pairs
        where the phrase has stop words, its words elsewhere.
        """
        field = segment.searcher.schema[q.fieldname]
        if type(field.format) is not formats.Positions:
            return self.whoosh_matches(q, segment, context)
        if segment.terms is None:
            return self.whoosh_matches(q, segment, context)
        inner = context.set(needs_current=True)
        lists: list[Matches] = []
        for word in q.words:
            tbytes = field.to_bytes(word)
            if (q.fieldname, tbytes) not in segment.reader:
                return _EMPTY
            lists.append(self.term(wq.Term(q.fieldname, tbytes), segment, inner))
        common = lists[0][0]
        for ids, _ in lists[1:]:
            common = np.intersect1d(common, ids, assume_unique=True)
        units: list[tuple[str, bytes, int, np.ndarray]] = []
        for fieldname, tbytes, offset in self.phrase_units(q, segment):
            if fieldname == q.fieldname:
                unit_ids = lists[offset][0]
            else:
                found = self.postings(segment, fieldname, tbytes)
                if found is None:
                    return _EMPTY
                unit_ids = found[0]
                common = np.intersect1d(common, unit_ids, assume_unique=True)
            units.append((fieldname, tbytes, offset, unit_ids))
        if not len(common):
            return _EMPTY
        if len(units) == 1:  # one pair is the whole phrase: its articles are the answer
            ids = common
        else:
            ids = self._phrase_starts(segment, common, units)
            if not len(ids):
                return _EMPTY
        scores = _binary_tree_sum([scores[np.searchsorted(word_ids, ids)] for word_ids, scores in lists])
        return _boosted((ids, scores), q.boost)

    def phrase_units(self, q: Any, segment: _Segment) -> list[tuple[str, bytes, int]]:
        """What a phrase's positions are read from: ``(field, term, offset in the phrase)``.

        Each stop word and the word after it are one term of the field's
        pairs field (see :class:`index.analysis.StopPairFilter`), far rarer
        than the stop word; the words no pair covers are read as themselves.
        """
        schema = segment.searcher.schema
        field = schema[q.fieldname]
        words = q.words
        covered: set[int] = set()
        units: list[tuple[str, bytes, int]] = []
        pairs_name = _PAIRS_FIELD.get(q.fieldname)
        if pairs_name is not None and pairs_name in schema:
            pairs_field = schema[pairs_name]
            for offset, (word, following) in enumerate(zip(words, words[1:])):
                if word.startswith(STOP_PREFIX):
                    units.append((pairs_name, pairs_field.to_bytes(stop_pair(word, following)), offset))
                    covered.update((offset, offset + 1))
        for offset, word in enumerate(words):
            if offset not in covered:
                units.append((q.fieldname, field.to_bytes(word), offset))
        return units

    def _phrase_starts(self, segment: _Segment, common: np.ndarray, units: list[tuple[str, bytes, int, np.ndarray]]) -> np.ndarray:
        """The articles of ``common`` in which every unit stands at its offset from one start."""
        # Each position of a unit, less its offset, keyed with its article's
        # row in ``common``: the phrase starts where all units share a key.
        # Positions are read only for articles still in the running, rarest unit first.
        # Keys come in ascending order (articles ascending, each one's positions
        # ascending), so the articles still in the running and the keys shared
        # are found without sorting or hashing.
        keys: np.ndarray | None = None
        for fieldname, tbytes, offset, unit_ids in sorted(units, key=lambda unit: len(unit[3])):
            self.check_time()
            if keys is not None:
                rows = keys >> 32
                candidates = rows[np.concatenate(([True], rows[1:] != rows[:-1]))]
            else:
                candidates = np.arange(len(common), dtype=np.int64)
            unit_keys = self.position_keys(segment, fieldname, tbytes, common[candidates], offset)
            unit_keys = (candidates[unit_keys >> 32] << 32) | (unit_keys & 0xFFFFFFFF)
            keys = unit_keys if keys is None else keys[_in_ascending(keys, unit_keys)]
            if not len(keys):
                return _EMPTY[0]
        assert keys is not None
        keep = np.zeros(len(common), dtype=bool)
        keep[keys >> 32] = True
        return common[keep]

    def position_keys(self, segment: _Segment, fieldname: str, tbytes: bytes, wanted: np.ndarray, offset: int) -> np.ndarray:
        """A term's positions in the articles ``wanted`` (sorted, all in its postings), as :func:`_position_keys` keys them."""
        terminfo = self.term_info(segment, fieldname, tbytes)
        found = self.postings(segment, fieldname, tbytes)
        assert terminfo is not None and found is not None  # the term has the wanted articles
        rows = np.searchsorted(found[0], wanted)
        postfile = segment.terms._postfile  # type: ignore[union-attr]  # only with terms
        if self.cache is not None and segment.segid is not None and len(found[0]) >= POSITIONS_MIN_POSTINGS:
            key = (segment.segid, fieldname, tbytes)
            table = self.cache.positions(key)
            # A position costs 4 bytes, an article 8; a Positions posting's weight is its number of positions.
            nbytes = 4 * int(terminfo.weight()) + 8 * (len(found[0]) + 1)
            if table is None and self.cache.keep_positions_now(key, nbytes):
                table = _positions_table(_read_values(postfile, terminfo, None))
                self.cache.put_positions(key, *table)
            if table is not None:
                return _table_keys(*table, rows, offset)
        return _position_keys(_read_values(postfile, terminfo, rows), offset)

    def whoosh_matches(self, q: Any, segment: _Segment, context: Any) -> Matches:
        """Any other query: Whoosh's own matcher, collected article by article."""
        matcher = q.matcher(segment.searcher, context)
        ids: list[int] = []
        scores: list[float] = []
        scored = context.weighting is not None
        count = 0
        while matcher.is_active():
            if count % _CHECK_EVERY == 0:
                self.check_time()
            count += 1
            ids.append(matcher.id())
            scores.append(matcher.score() if scored else 0.0)
            matcher.next()
        if not ids:
            return _EMPTY
        id_array = np.array(ids, dtype=np.int64)
        score_array = np.array(scores, dtype=np.float64)
        if len(id_array) > 1 and np.any(np.diff(id_array) <= 0):  # e.g. duplicate spans
            id_array, first = np.unique(id_array, return_index=True)
            score_array = score_array[first]
        return id_array, score_array


def best_scored(ids: np.ndarray, scores: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The matches that can be among the ``count`` best: all that score at least the ``count``-th best score."""
    if len(ids) <= count:
        return ids, scores
    threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
    keep = scores >= threshold
    return ids[keep], scores[keep]


def first_in_order(
    docnums: np.ndarray, keys: Sequence[np.ndarray], count: int, article_ids: Callable[[list[int]], list[str]]
) -> list[int]:
    """The first ``count`` of ``docnums`` ordered by ``keys``, then by article id.

    Ties go by the id an article came with, not by its number in the index, so
    that the order is the same however the index was built (which worker took
    which article, what was updated since), and pages of one search follow each
    other without repeats or gaps. Ids are read only for the articles that tie.

    :param keys: arrays aligned with ``docnums``, each ascending, the first deciding first.
    :param article_ids: the ids of a list of document numbers.
    """
    if count <= 0 or len(docnums) == 0:
        return []
    order = np.lexsort(tuple(reversed(keys)))  # lexsort's last key decides first
    starts_group = np.zeros(len(order), dtype=bool)
    starts_group[0] = True
    for key in keys:
        ranked = key[order]
        starts_group[1:] |= ranked[1:] != ranked[:-1]
    group = np.cumsum(starts_group)
    if len(order) > count:
        # The group at the last place may reach beyond it: all of that group competes.
        end = int(np.searchsorted(group, group[count - 1], side="right"))
        order, group = order[:end], group[:end]
    tied = np.bincount(group)[group] > 1
    chosen = docnums[order].tolist()
    if not tied.any():
        return chosen[:count]
    tied_docnums = list(compress(chosen, tied.tolist()))
    names = dict(zip(tied_docnums, article_ids(tied_docnums)))
    ranked_docnums = sorted(zip(group.tolist(), chosen), key=lambda item: (item[0], names.get(item[1], ""), item[1]))
    return [docnum for _, docnum in ranked_docnums[:count]]


def stored_fields(segments: Sequence[_Segment], docnum: int) -> dict[str, Any]:
    """The stored fields of the article with the top-level number ``docnum``."""
    for segment in reversed(segments):
        if docnum >= segment.offset:
            return segment.stored_fields(docnum - segment.offset)
    raise IndexError(f"no article number {docnum}")


def concatenate(found: list[Matches]) -> Matches:
    """The matches of several segments (already numbered top-level) as one pair of arrays."""
    if not found:
        return _EMPTY
    if len(found) == 1:
        return found[0]
    return np.concatenate([m[0] for m in found]), np.concatenate([m[1] for m in found])


# -- array helpers ---------------------------------------------------------------


def _read_postings(postfile: Any, terminfo: Any) -> tuple[np.ndarray, np.ndarray]:
    """A term's whole posting list: document numbers, weights and (if asked for) values.

    Reads Whoosh 3's postings format: a 4-byte tag, then blocks, each an int
    length (negative for the last block), a pickled info tuple and the
    (possibly zlib-compressed) pickle of delta-coded ids, weights and values.
    """
    if terminfo.is_inlined():
        raw_ids, raw_weights, raw_values = terminfo.inlined_postings()
        ids = np.array(raw_ids, dtype=np.int64)
        weights = np.array(raw_weights, dtype=np.float64) if raw_weights else np.ones(len(ids))
        return ids, weights
    return _decode_blocks(postfile, terminfo, _read_blocks)


def _read_values(postfile: Any, terminfo: Any, rows: np.ndarray | None) -> list[Any]:
    """The posting values at ``rows`` (ascending) of a term's posting list; all of them for None.

    Only the blocks that hold one of the rows are decompressed and unpickled:
    a phrase with a frequent word wants its positions in few articles.
    """
    if terminfo.is_inlined():
        inlined = terminfo.inlined_postings()[2]
        return list(inlined) if rows is None else [inlined[row] for row in rows.tolist()]
    wanted = None if rows is None else rows.tolist()
    return _decode_blocks(postfile, terminfo, lambda data: _values_at(data, wanted))


def _decode_blocks(postfile: Any, terminfo: Any, decode: Callable[[bytes], Any]) -> Any:
    """``decode`` applied to a term's postings bytes, any damage raised as CorruptIndexError."""
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # Whoosh 3 reads the length back as a 1-tuple
        (length,) = length
    data = postfile.get(offset, length)
    if len(data) != length or data[:4] != WHOOSH3_HEADER_MAGIC:
        raise CorruptIndexError(f"the postings at offset {offset} are cut short or damaged")
    try:
        return decode(data)
    except (ValueError, EOFError, IndexError, TypeError, pickle.UnpicklingError, zlib.error) as exc:
        raise CorruptIndexError(f"a postings block at offset {offset} is damaged ({exc})") from None


def _blocks(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """Each postings block of a term: its number of postings, its compression and its
    payload (see :func:`_unpickled_block`). Raises ValueError at the end when the last
    block is missing."""
    stream = BytesIO(data)
    position = len(WHOOSH3_HEADER_MAGIC)
    last = False
    while not last and position < len(data):
        (block_length,) = _INT.unpack_from(data, position)
        if block_length < 0:
            last = True
            block_length = -block_length
        end = position + _INT.size + block_length
        stream.seek(position + _INT.size)
        count, _max_id, _max_weight, compression, _min_len, _max_len = pickle.load(stream)
        payload = data[stream.tell() : end]
        yield count, compression, payload
        position = end
    if not last:
        raise ValueError("the last block is missing")


def _unpickled_block(payload: bytes, compression: int) -> tuple[Any, Any, Any]:
    """A block's delta-coded ids, weights and values."""
    return pickle.loads(zlib.decompress(payload) if compression else payload)  # type: ignore[no-any-return]


def _values_at(data: bytes, rows: list[int] | None) -> list[Any]:
    values: list[Any] = []
    if rows is None:  # every row
        for _count, compression, payload in _blocks(data):
            values.extend(_unpickled_block(payload, compression)[2])
        return values
    first_row = 0  # the row of the block's first posting
    want = 0  # the next wanted row's place in ``rows``
    for count, compression, payload in _blocks(data):
        if want == len(rows):
            break
        if rows[want] < first_row + count:
            block_values = _unpickled_block(payload, compression)[2]
            while want < len(rows) and rows[want] < first_row + count:
                values.append(block_values[rows[want] - first_row])
                want += 1
        first_row += count
    if want < len(rows):
        raise ValueError("the postings end before the rows asked for")
    return values


def _read_blocks(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    # Gathered as Python lists and turned into arrays once: per block, a
    # numpy call costs more than the list operations.
    deltas: list[int] = []
    weights: list[float] = []
    counts: list[int] = []
    for count, compression, payload in _blocks(data):
        block_deltas, block_weights, _values = _unpickled_block(payload, compression)
        deltas.extend(block_deltas)
        counts.append(count)
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
    if not deltas:
        return _EMPTY[0], _EMPTY[1]
    # Ids are delta-coded within each block, from 0 in every block: one running
    # sum, less what the blocks before each block added up to.
    running = np.cumsum(np.array(deltas, dtype=np.int64))
    sizes = np.array(counts, dtype=np.int64)
    if len(sizes) > 1:
        ends = np.cumsum(sizes)
        before = np.concatenate(([0], running[ends[:-1] - 1]))
        running -= np.repeat(before, sizes)
    return running, np.array(weights, dtype=np.float64)


def _lengths_at(length_bytes: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The field lengths of articles ``ids``, as Whoosh decodes them from their length bytes."""
    return _BYTE_TO_LENGTH.take(length_bytes.take(ids))  # take: three quarters of the time of [ ] here


def _position_keys(values: list[bytes], offset: int) -> np.ndarray:
    """``row << 32 | position - offset`` for each position in each value, for positions >= ``offset``.

    The row is the value's place in ``values``.
    """
    lengths, positions = _decode_positions(values)
    rows = np.repeat(np.arange(len(values), dtype=np.int64), lengths)
    return _keyed(rows, positions, offset)


def _decode_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """How many positions each value holds, and all the positions, value after value.

    A value of Whoosh's ``Positions`` format is a 4-byte count and the pickled
    list of the gaps between positions (what ``decode_positions`` reads).
    diplosearch writes that pickle without its final stop and Whoosh with it;
    the stop added here ends either (unpickling ignores what follows a stop).
    """
    gaps = [pickle.loads(value[4:] + b".") for value in values]
    lengths = np.fromiter(map(len, gaps), dtype=np.int64, count=len(gaps))
    flat = np.fromiter(chain.from_iterable(gaps), dtype=np.int64, count=int(lengths.sum()))
    running = np.cumsum(flat)
    firsts = np.cumsum(lengths) - lengths
    # Restart the running sum at each value: subtract what the values before it added up to.
    return lengths, running - np.repeat(running[firsts] - flat[firsts], lengths)


def _keyed(rows: np.ndarray, positions: np.ndarray, offset: int) -> np.ndarray:
    wanted = positions >= offset
    return (rows[wanted] << 32) | (positions[wanted] - offset)


def _positions_table(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """A whole posting list's positions: ``positions[starts[row]:starts[row + 1]]`` are the row's."""
    lengths, positions = _decode_positions(values)
    starts = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return starts, positions.astype(np.int32)


def _table_keys(starts: np.ndarray, positions: np.ndarray, rows: np.ndarray, offset: int) -> np.ndarray:
    """What :func:`_position_keys` gives for the values at ``rows``, read from a :func:`_positions_table`."""
    begins = starts[rows]
    lengths = starts[rows + 1] - begins
    # Where each gathered position is in ``positions``: its row's start plus its place in the row.
    firsts = np.cumsum(lengths) - lengths
    places = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(begins - firsts, lengths)
    keyed_rows = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
    return _keyed(keyed_rows, positions[places].astype(np.int64), offset)


def _in_ascending(values: np.ndarray, ascending: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``ascending`` (sorted): ``np.isin`` by binary search, sorting neither."""
    if not len(ascending):
        return np.zeros(len(values), dtype=bool)
    places = np.minimum(np.searchsorted(ascending, values), len(ascending) - 1)
    return ascending[places] == values


def _boosted(matches: Matches, boost: float) -> Matches:
    if boost == 1.0:
        return matches
    return matches[0], matches[1] * boost


def _union_ids(lists: list[np.ndarray]) -> np.ndarray:
    lists = [ids for ids in lists if len(ids)]
    if not lists:
        return _EMPTY[0]
    if len(lists) == 1:
        return lists[0]
    return np.unique(np.concatenate(lists))


def _intersect(a: Matches, b: Matches) -> Matches:
    if not len(a[0]) or not len(b[0]):
        return _EMPTY
    small, large = (a, b) if len(a[0]) <= len(b[0]) else (b, a)
    at = np.searchsorted(large[0], small[0])
    at[at == len(large[0])] = 0
    found = large[0][at] == small[0]
    in_small, in_large = np.flatnonzero(found), at[found]
    ids = small[0][in_small]
    if small is a:
        return ids, a[1][in_small] + b[1][in_large]
    return ids, a[1][in_large] + b[1][in_small]


def _union(a: Matches, b: Matches, combine: Any, empty: float) -> Matches:
    """Articles of either side; where both match, ``combine`` of their scores (b's applied to a's)."""
    if not len(a[0]):
        return b
    if not len(b[0]):
        return a
    size = int(max(a[0][-1], b[0][-1])) + 1
    if (len(a[0]) + len(b[0])) * 8 >= size:
        # Dense: one slot per article number, cheaper than sorting when the lists fill the range.
        present = np.zeros(size, dtype=bool)
        present[a[0]] = True
        present[b[0]] = True
        ids = np.flatnonzero(present)
        slots = np.full(size, empty)
        slots[a[0]] = a[1]
        slots[b[0]] = combine(slots[b[0]], b[1])
        return ids, slots[ids]
    ids = np.concatenate((a[0], b[0]))
    ids.sort(kind="stable")  # two sorted runs: merged in one pass
    if len(ids) > 1:
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
    scores = np.full(len(ids), empty)
    scores[np.searchsorted(ids, a[0])] = a[1]
    at = np.searchsorted(ids, b[0])
    scores[at] = combine(scores[at], b[1])
    return ids, scores


def _union_add(a: Matches, b: Matches) -> Matches:
    # 0.0 + x is x: an article on one side keeps that side's score exactly.
    return _union(a, b, np.add, 0.0)


def _union_max(a: Matches, b: Matches) -> Matches:
    """DisjunctionMax: an article scores the best of its own matches.

    (Whoosh's ``DisjunctionMaxMatcher`` takes the maximum of both sides'
    current scores even when one side stands on a later article, so an
    article could score as another that only an alias matched.)
    """
    return _union(a, b, np.maximum, -np.inf)


def _weighted_tree(combine: Callable[[Matches, Matches], Matches], weighted: list[tuple[float, Matches]]) -> Matches:
    """Combine as ``whoosh.util.make_weighted_tree`` pairs matchers: the two lightest first."""
    items = sorted(((w, i, m) for i, (w, m) in enumerate(weighted)), key=lambda item: item[0])
    made = len(items)
    while len(items) > 1:
        wa, _, a = items.pop(0)
        wb, _, b = items.pop(0)
        insort(items, (wa + wb, made, combine(a, b)), key=lambda item: item[0])
        made += 1
    return items[0][2]


def _binary_tree_sum(scores: list[np.ndarray]) -> np.ndarray:
    """Add as ``whoosh.util.make_binary_tree`` nests its matchers: halves first."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _binary_tree_sum(scores[:half]) + _binary_tree_sum(scores[half:])
