"""The searcher: opened once on an index, then asked many queries.

>>> import tempfile
>>> from index import index_paths
>>> index_dir = tempfile.mkdtemp()
>>> _ = index_paths(index_dir, ["seeds"])
>>> with Searcher(index_dir) as searcher:
...     result = searcher.search('"Treffen mit Putin"')
>>> [(hit.id, hit.snippets[0].render()) for hit in result.hits]
[('000_230d9d416a8d1689.txt', '…Selenskyj erklärte wiederholt, er sei zu einem [Treffen mit Putin] bereit, ...…')]

Results are frozen dataclasses holding plain values: they stay valid after the
searcher is closed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Sequence

from index.aliases import AliasTable
from index.analysis import german_analyzer
from index.columns import column_lookup, integer_column
from index.errors import IndexDamaged, SearchError
from index.schema import UNDATED
from index.stems import Stemmer, StemStore
from index.store import open_index, read_meta

from .compiler import MAX_EXPANSIONS, CompiledQuery, MarkPlan, compile_query
from .facets import Facets, check_facets, count_facets
from .highlight import Snippet, make_snippets, match_spans
from .query import And, Field, Node, Not, Or, Word, parse_query

if TYPE_CHECKING:  # the timeline module is loaded by the one method that needs it
    from .timeline import PeriodKind, Timeline

__all__ = ["Searcher", "SearchResult", "Hit", "Article", "ArticleNotFound", "SortOrder"]

SortOrder = Literal["relevance", "date"]
#: Longest a search may run before it stops and returns what it found.
DEFAULT_TIME_LIMIT = 10.0
#: Memory for decoded or scored posting lists kept between searches (see :class:`searcher.bulk.PostingCache`).
DEFAULT_POSTING_CACHE_MB = 64
_FEW_DATES = 2048  # up to this many articles' dates are read one by one, not as the whole column


class ArticleNotFound(SearchError):
    """No article in the index has the given id."""


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()
    return value.isoformat()


@dataclass(frozen=True)
class Hit:
    """One search result.

    :param rank: 1 for the first hit of the first page.
    :param score: the relevance score (BM25F); None when sorted by date.
    :param snippets: the headline's match (when it has one) and up to three
        fragments of the body, each with the spans of its marked words.
    :param people: the canonical names of the people the article mentions
        (``places`` and ``orgs`` likewise; see :mod:`index.entities`).
    """

    rank: int
    id: str
    score: float | None
    title: str
    date: datetime | None
    source: str
    category: str
    url: str
    path: str
    snippets: tuple[Snippet, ...]
    body: str = ""
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()

    def to_record(self) -> dict[str, Any]:
        """Every stored field of the article, with rank and score: one row of an export."""
        return {
            "rank": self.rank,
            "id": self.id,
            "score": None if self.score is None else round(self.score, 4),
            "title": self.title,
            "date": _iso(self.date),
            "source": self.source,
            "category": self.category,
            "url": self.url,
            "path": self.path,
            "people": list(self.people),
            "places": list(self.places),
            "orgs": list(self.orgs),
            "body": self.body,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": None if self.score is None else round(self.score, 4),
            "title": self.title,
            "date": _iso(self.date),
            "source": self.source,
            "category": self.category,
            "url": self.url,
            "path": self.path,
            "snippets": [s.to_json() for s in self.snippets],
        }


@dataclass(frozen=True)
class SearchResult:
    """The answer to one query.

    :param total: how many articles match (all pages).
    :param suggestion: a corrected query when nothing matched and the index
        knows a close word, else None.
    :param notes: how the query was read (ignored stop words, capped prefix
        expansions, a time limit reached).
    :param complete: False when the time limit stopped the search early.
    :param facets: counts per facet value over all matches
        (``{"source": {"zeit": 3}}``), when asked for; see :mod:`searcher.facets`.
    """

    query: str
    total: int
    took_ms: float
    hits: tuple[Hit, ...]
    suggestion: str | None
    page: int
    limit: int
    notes: tuple[str, ...] = ()
    complete: bool = True
    facets: Facets | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "query": self.query,
            "total": self.total,
            "took_ms": round(self.took_ms, 2),
            "hits": [hit.to_json() for hit in self.hits],
            "suggestion": self.suggestion,
        }
        if self.facets is not None:
            data["facets"] = {name: dict(values) for name, values in self.facets.items()}
        return data


@dataclass(frozen=True)
class Article:
    """A whole stored article, with the spans of a query's matches (for reading it)."""

    id: str
    title: str
    body: str
    date: datetime | None
    source: str
    category: str
    url: str
    path: str
    title_spans: tuple[tuple[int, int], ...] = ()
    body_spans: tuple[tuple[int, int], ...] = ()
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": _iso(self.date),
            "source": self.source,
            "category": self.category,
            "url": self.url,
            "path": self.path,
            "body": self.body,
            "title_spans": [list(s) for s in self.title_spans],
            "body_spans": [list(s) for s in self.body_spans],
            "people": list(self.people),
            "places": list(self.places),
            "orgs": list(self.orgs),
        }


class Searcher:
    """Searches one index. Safe to share between threads.

    :param index_dir: the index directory.
    :param time_limit: seconds after which a search stops and returns what it found.
    :param max_expansions: the most words a prefix or fuzzy term expands to.
    :param posting_cache_mb: memory for the decoded (or scored) posting lists
        of recently searched terms, kept for the next searches, and half as much again for
        the positions of frequent words that phrases read (0: none).
    :param aliases: the names a query word may stand for (``Kyiv``: ``Kiew``);
        None means the shipped table, ``AliasTable([])`` none at all.
    :raises IndexNotFound: no index there.
    :raises IndexIncompatible: the index needs a rebuild.

    The searcher sees the index as it was when opened; call :meth:`refresh`
    to see later commits (it is cheap when nothing changed).
    """

    def __init__(
        self,
        index_dir: Path | str,
        *,
        time_limit: float = DEFAULT_TIME_LIMIT,
        max_expansions: int = MAX_EXPANSIONS,
        aliases: AliasTable | None = None,
        posting_cache_mb: int = DEFAULT_POSTING_CACHE_MB,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.aliases = AliasTable.shipped() if aliases is None else aliases
        self.time_limit = time_limit
        self.max_expansions = max_expansions
        self.posting_cache_mb = posting_cache_mb
        self._postings: Any = None  # made with the first search: numpy is imported then
        self._lock = threading.RLock()
        self._data = ""
        self._ix: Any = None
        self._searcher: Any = None
        self._open()

    def _open(self) -> None:
        from whoosh.scoring import BM25F

        meta = read_meta(self.index_dir)
        ix = open_index(self.index_dir)
        try:
            searcher = ix.searcher(weighting=BM25F())
        except (OSError, ValueError, EOFError) as exc:
            ix.close()
            raise IndexDamaged(
                f"the index at {self.index_dir} cannot be read ({exc}); rebuild with "
                f"'diplosearch index --rebuild PATH --index {self.index_dir}'"
            ) from None
        old_searcher, old_ix = self._searcher, self._ix
        self._ix, self._searcher, self._data = ix, searcher, meta.data
        self._forget_segments()
        self._stemmer = Stemmer(StemStore.open_for_reading(self.index_dir))
        if old_searcher is not None:
            old_searcher.close()
            old_ix.close()

    def _forget_segments(self) -> None:
        """Drop what was read from the segments of the searcher being replaced."""
        self._segments: Any = None
        self._date_array: Any = None
        self._lookups: dict[str, Callable[[int], Any]] = {}

    def _dates(self, searcher: Any) -> Any:
        """Every article's ``date_sort`` value, as an array by document number."""
        if self._date_array is None:
            self._date_array = integer_column(searcher.reader(), "date_sort", UNDATED)
        return self._date_array

    def _dates_of(self, searcher: Any, docnums: Any) -> Any:
        """The ``date_sort`` values of some articles, as an array aligned with ``docnums``."""
        import numpy as np

        if self._date_array is None and len(docnums) <= _FEW_DATES:
            # A one-off search need not read the whole date column for the dates of a page.
            lookup = self._lookup(searcher, "date_sort", UNDATED)
            return np.array([lookup(docnum) for docnum in docnums.tolist()], dtype=np.int64)
        return self._dates(searcher)[docnums]

    def _article_ids(self, searcher: Any) -> Callable[[list[int]], list[str]]:
        """A function from document numbers to their articles' ids."""

        def article_ids(docnums: list[int]) -> list[str]:
            lookup = self._lookup(searcher, "id", "")
            return [lookup(docnum) for docnum in docnums]

        return article_ids

    def _lookup(self, searcher: Any, fieldname: str, default: Any) -> Callable[[int], Any]:
        """A column's value by document number, its readers kept until the searcher changes.

        Opening a column's reader in each of 20 segments (a 1M index) cost a
        search some 6 ms.
        """
        lookup = self._lookups.get(fieldname)
        if lookup is None:
            lookup = self._lookups[fieldname] = column_lookup(searcher.reader(), fieldname, default)
        return lookup

    def refresh(self) -> bool:
        """Look for commits made since the searcher was opened or last refreshed.

        :returns: True when the searcher now sees a newer index.
        """
        with self._lock:
            if read_meta(self.index_dir).data != self._data:  # rebuilt into a new folder
                self._open()
                return True
            fresh = self._searcher.refresh()
            if fresh is self._searcher:
                return False
            self._searcher = fresh
            self._forget_segments()
            self._stemmer = Stemmer(StemStore.open_for_reading(self.index_dir))  # with the new words
            return True

    def close(self) -> None:
        """Release the index files."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._ix.close()
                self._searcher = self._ix = None

    def __enter__(self) -> "Searcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def doc_count(self) -> int:
        """How many articles the searcher sees."""
        with self._lock:
            return int(self._searcher.doc_count())

    def _live(self) -> Any:
        if self._searcher is None:
            raise SearchError("the searcher is closed; open a new Searcher")
        return self._searcher

    # -- searching ---------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 10,
        page: int = 1,
        sort: SortOrder = "relevance",
        *,
        any_terms: bool = False,
        snippets: bool = True,
        facets: Sequence[str] = (),
    ) -> SearchResult:
        """Run a query and return one page of ranked hits.

        :param query: a query in diplosearch's syntax (see :mod:`searcher.query`).
        :param limit: hits per page (1 or more).
        :param page: which page, from 1.
        :param sort: ``"relevance"`` (BM25F, title above body, ties by newer
            date) or ``"date"`` (newest first; undated last).
        :param any_terms: words are optional instead of all required.
        :param snippets: compute highlighted snippets for the hits.
        :param facets: facets to count over all matches (``("source", "year")``;
            see :data:`searcher.facets.FACETS`), returned as ``result.facets``.
        :raises QuerySyntaxError: the query is malformed.
        """
        started = time.perf_counter()
        _check_paging(limit, page, sort)
        facets = check_facets(facets)
        node = parse_query(query, any_terms=any_terms)
        return self._answer(node, query, started, limit, page, sort, snippets, facets)

    def _answer(
        self,
        node: Node,
        query: str,
        started: float,
        limit: int,
        page: int,
        sort: SortOrder,
        snippets: bool,
        facets: tuple[str, ...],
        marks: MarkPlan | None = None,
    ) -> SearchResult:
        """Compile and run a parsed query: one page of hits, and the facets asked for.

        :param marks: what to highlight instead of the query's own words.
        """
        with self._lock:
            searcher = self._live()
            compiled = self._compile(searcher, node)
            if marks is not None:
                compiled.marks = marks
            ranked, total, complete, matched = self._run(searcher, compiled, limit * page, sort)
            first = (page - 1) * limit
            memos: dict[str, dict[str, bool]] = {"title": {}, "body": {}}  # marked words, decided once per search
            hits = tuple(
                self._hit(searcher, compiled, first + offset + 1, docnum, score, snippets, memos)
                for offset, (docnum, score) in enumerate(ranked[first : first + limit])
            )
            suggestion = self._suggest(searcher, compiled, query) if total == 0 and marks is None else None
            counts = count_facets(searcher.reader(), matched.tolist(), facets) if facets else None
        notes = list(compiled.notes)
        if not complete:
            notes.append(f"the search stopped after {self.time_limit:g} s; results are incomplete")
        return SearchResult(
            query=query,
            total=total,
            took_ms=(time.perf_counter() - started) * 1000,
            hits=hits,
            suggestion=suggestion,
            page=page,
            limit=limit,
            notes=tuple(notes),
            complete=complete,
            facets=counts,
        )

    def _compile(self, searcher: Any, node: Node) -> CompiledQuery:
        return compile_query(
            node, searcher.reader(), max_expansions=self.max_expansions, aliases=self.aliases, stemmer=self._stemmer
        )

    # -- related articles and timelines --------------------------------------------

    def similar(
        self,
        article_id: str,
        limit: int = 10,
        page: int = 1,
        *,
        snippets: bool = True,
        facets: Sequence[str] = (),
    ) -> SearchResult:
        """The articles most like the one with ``article_id``, best first, without itself.

        The article's key terms (:func:`searcher.similar.key_terms`), as it
        writes them, are the query (``result.query``); any of them may match,
        and the snippets mark them.

        :raises ArticleNotFound: no article has that id.
        """
        from .similar import key_terms

        started = time.perf_counter()
        _check_paging(limit, page, "relevance")
        facets = check_facets(facets)
        with self._lock:
            searcher = self._live()
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                raise ArticleNotFound(f"no article with id {article_id!r} in {self.index_dir}")
            stored = searcher.stored_fields(docnum)
            reader = searcher.reader()
            terms = key_terms(
                stored.get("title", ""),
                stored.get("body", ""),
                analyzer=german_analyzer(self._stemmer),
                doc_frequency=lambda term: max(reader.doc_frequency("title", term), reader.doc_frequency("body", term)),
                doc_count=searcher.doc_count(),
            )
        marks = MarkPlan()
        for field in marks.stems:
            marks.stems[field].update(term.term for term in terms)
        words: list[Node] = [Word(term.word, 0, term.weight) for term in terms]
        itself = Not(Field("id", Word(article_id, 0)))
        node = And((Or(tuple(words)), itself)) if words else And((Field("id", Word(article_id, 0)), itself))
        query = " ".join(term.word for term in terms)
        return self._answer(node, query, started, limit, page, "relevance", snippets, facets, marks)

    def timeline(self, query: str, by: PeriodKind = "month", *, any_terms: bool = False) -> Timeline:
        """How many articles match ``query`` per year, month or ISO week.

        :param by: ``"month"``, ``"year"`` or ``"week"``.
        :raises QuerySyntaxError: the query is malformed.
        :raises ValueError: for another ``by``.
        """
        node = parse_query(query, any_terms=any_terms)
        with self._lock:
            searcher = self._live()
            compiled = self._compile(searcher, node)
            from .bulk import QueryRunner, concatenate

            runner = QueryRunner(searcher, segments=self._segments, cache=self._postings)
            self._segments = runner.segments
            found: list[Any] = []
            runner.run(compiled.query, found)
            seconds = self._dates(searcher)[concatenate(found)[0]].tolist()
        from .timeline import build_timeline

        return build_timeline(query, by, seconds, compiled.notes)

    def _run(self, searcher: Any, compiled: CompiledQuery, wanted: int, sort: SortOrder) -> tuple[list[tuple[int, float | None]], int, bool, Any]:
        """The first ``wanted`` hits in order, the total, whether the search completed, and all matches."""
        from whoosh.searching import TimeLimit

        from .bulk import PostingCache, QueryRunner, best_scored, concatenate, first_in_order

        if self._postings is None and self.posting_cache_mb > 0:
            self._postings = PostingCache(self.posting_cache_mb * 1024 * 1024)
        runner = QueryRunner(searcher, time.monotonic() + self.time_limit, self._segments, self._postings)
        self._segments = runner.segments  # their field lengths serve the next search too
        found: list[Any] = []
        complete = True
        try:
            runner.run(compiled.query, found)
        except TimeLimit:
            complete = False
        ids, scores = concatenate(found)
        total = len(ids)
        if total == 0:
            return [], 0, complete, ids
        article_ids = self._article_ids(searcher)
        if sort == "date":
            # Newest first (~ reverses the order without overflowing at UNDATED, -2**63, which comes last).
            by_date = first_in_order(ids, (~self._dates(searcher)[ids],), wanted, article_ids)
            return [(docnum, None) for docnum in by_date], total, complete, ids
        # Higher score first; equal scores newer first, then by article id.
        ids_in_reach, scores_in_reach = best_scored(ids, scores, wanted)
        dates = self._dates_of(searcher, ids_in_reach)
        ranked = first_in_order(ids_in_reach, (-scores_in_reach, ~dates), wanted, article_ids)
        score_of = dict(zip(ids_in_reach.tolist(), scores_in_reach.tolist()))
        return [(docnum, score_of[docnum]) for docnum in ranked], total, complete, ids

    def _hit(
        self,
        searcher: Any,
        compiled: CompiledQuery,
        rank: int,
        docnum: int,
        score: float | None,
        snippets: bool,
        memos: dict[str, dict[str, bool]],
    ) -> Hit:
        from .bulk import stored_fields

        stored = stored_fields(self._segments, docnum)  # the segments of the search just run
        title = stored.get("title", "")
        body = stored.get("body", "")
        parts: list[Snippet] = []
        if snippets:
            title_spans = match_spans(title, "title", compiled.marks, self._stemmer, memos["title"])
            if title_spans:
                parts.append(Snippet("title", title, tuple(title_spans)))
            body_spans = match_spans(body, "body", compiled.marks, self._stemmer, memos["body"])
            parts.extend(make_snippets(body, "body", body_spans))
        return Hit(rank=rank, score=score, title=title, snippets=tuple(parts), body=body, **_metadata(stored))

    def _suggest(self, searcher: Any, compiled: CompiledQuery, query: str) -> str | None:
        from .suggest import suggest_query

        return suggest_query(searcher, query, compiled.terms, self._stemmer)

    # -- reading one article ---------------------------------------------------

    def article(self, article_id: str, query: str | None = None) -> Article:
        """The whole article with ``article_id``, with a query's matches marked.

        :raises ArticleNotFound: no article has that id.
        :raises QuerySyntaxError: the query is malformed.
        """
        with self._lock:
            searcher = self._live()
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                raise ArticleNotFound(f"no article with id {article_id!r} in {self.index_dir}")
            stored = searcher.stored_fields(docnum)
            title, body = stored.get("title", ""), stored.get("body", "")
            title_spans: list[tuple[int, int]] = []
            body_spans: list[tuple[int, int]] = []
            if query:
                compiled = compile_query(
                    parse_query(query),
                    searcher.reader(),
                    max_expansions=self.max_expansions,
                    aliases=self.aliases,
                    stemmer=self._stemmer,
                )
                title_spans = match_spans(title, "title", compiled.marks, self._stemmer)
                body_spans = match_spans(body, "body", compiled.marks, self._stemmer)
        return Article(
            title=title,
            body=body,
            title_spans=tuple(title_spans),
            body_spans=tuple(body_spans),
            **_metadata(stored),
        )


def _date(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _metadata(stored: dict[str, Any]) -> dict[str, Any]:
    """The stored fields every result carries, with empty strings for missing ones."""
    return {
        "id": stored.get("id", ""),
        "date": _date(stored.get("date")),
        "source": stored.get("source") or "",
        "category": stored.get("category") or "",
        "url": stored.get("url") or "",
        "path": stored.get("path") or "",
        "people": _names(stored.get("people")),
        "places": _names(stored.get("places")),
        "orgs": _names(stored.get("orgs")),
    }


def _names(value: object) -> tuple[str, ...]:
    """The names of an entity field, stored one a line."""
    return tuple(value.split("\n")) if isinstance(value, str) and value else ()


def _check_paging(limit: int, page: int, sort: str) -> None:
    if limit < 1 or page < 1:
        raise ValueError("limit and page start at 1")
    if sort not in ("relevance", "date"):
        raise ValueError(f"sort is 'relevance' or 'date', not {sort!r}")
