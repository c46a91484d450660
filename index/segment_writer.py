"""Writing a segment of articles quickly, in the format Whoosh reads.

Whoosh's own writer analyses each field of an article separately, puts every
posting into a pool as a tuple, sorts all of them when the segment is
flushed, and looks up the field length of each posting's document in the
segment's files as it writes. For an article's headline and body that means
three passes over the same words and a sort of a million tuples per two
thousand articles. This writer produces the same segment with less work:

* :class:`ArticleAnalysis` reads an article's words once and derives the
  postings of ``title``, ``body``, ``title_words``, ``body_words``,
  ``title_pairs``, ``body_pairs`` and ``parts`` from one cached description
  of each distinct word;
* :class:`GroupedPostingPool` takes an article's postings of a field as
  columns (terms, weights, values) in a few C-level calls, and groups them by
  term only when it writes them: a stable sort of the terms' ranks in numpy,
  so each term's postings stay in document order;
* :class:`ArticleSegmentWriter` keeps the field lengths of its own documents
  in memory for the flush, and finds the people, places and organisations an
  article names (given the alias table), so that in a two-process run the
  workers do it, not the process that reads the files;
* :class:`BlockWriter` pickles each postings block with protocol 4, where
  Whoosh uses protocol 2. Protocol 2 has no opcode for bytes, so each of a
  block's position values was unpickled through a call of ``codecs.encode``:
  reading a block of 128 body postings took 290 us against 16 us now, and the
  compressed block is about half the size. Whoosh reads either with ``pickle.loads``.

The postings are those of the schema's analyzers: the same articles,
weights and positions (``tests/test_segment_writer.py`` compares them), so a
query finds the same articles with the same scores. Two encodings are
shorter than Whoosh's own writer makes them, in forms Whoosh reads: a block's
frequencies are pickled as ints, not floats, and a position list without the
pickle's header and stop (see :func:`_gaps_pickle`).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import operator
import pickle
import queue
import re
from array import array
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import zlib

from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC, W3PostingsWriter, W3TermInfo
from whoosh.system import emptybytes, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.multiproc import MpWriter
from whoosh.writing import PostingPool, SegmentWriter

from . import _workers
from .errors import IndexingFailed

from .analysis import STOP_PREFIX, WORD_PATTERN, fold, is_stopword, stem, stem_folded

if TYPE_CHECKING:
    from .aliases import AliasTable

__all__ = ["ArticleAnalysis", "ArticleSegmentWriter", "ArticleMpWriter", "BlockWriter", "GroupedPostingPool", "FAST_FIELDS"]

#: The fields whose postings :class:`ArticleAnalysis` computes.
FAST_FIELDS = ("title", "body", "title_words", "body_words", "title_pairs", "body_pairs", "parts")

_WORDS = re.compile(WORD_PATTERN)
_STOP_PREFIX = STOP_PREFIX.encode()
_PACKED_COUNTS: dict[int, bytes] = {}
_SINGLE_POSITIONS: dict[int, bytes] = {}
# Memory the pool counts against its limit per posting. tracemalloc on 2,000
# synthetic articles: 38 bytes a posting held (term and value references, a
# docnum and a weight in arrays, the values often shared), 45 at the peak of
# grouping them; 100 leaves room for the rest of a worker, so that a two-process
# run peaks lower than with the pool before (see BENCHMARKS.md).
_POSTING_BYTES = 100
# Postings grouped at a time when the pool is written (whole terms, so a chunk
# may hold more): the sorted docnums, weights and values of a chunk are made
# in one call each, and a term's group is sliced from them.
_GROUP_CHUNK = 65536
# Postings pickled together when the pool spills (whole term groups, so a
# chunk may hold more): one call per chunk, not per term. Writing the segment
# holds one chunk of every run in memory: some 0.5 MB a run.
_RUN_CHUNK = 4096

#: Terms with at most this many postings in a segment keep them in their term
#: entry: no postings block to write, and none to read when searching.
INLINE_POSTINGS = 2

Posting = tuple[bytes, int, float, bytes]
#: One article's postings of one field: its terms, their frequencies and their values, in the same order.
Columns = tuple[list[bytes], list[int], list[bytes]]
Group = tuple["array[int]", "array[float]", list[bytes]]


def _packed_count(count: int) -> bytes:
    """Whoosh's encoding of a frequency (``pack_uint``), cached for small counts."""
    packed = _PACKED_COUNTS.get(count)
    if packed is None:
        packed = count.to_bytes(4, "big")
        if count < 1024:
            _PACKED_COUNTS[count] = packed
    return packed


def _gaps_pickle(gaps: list[int]) -> bytes:
    """A list of ints pickled without the protocol header, the memo entry and the stop.

    Whoosh's ``Positions.decode_positions`` appends the stop when a value
    lacks it, and unpickling needs no protocol header, so Whoosh reads these
    as it reads its own. Of the 10 bytes that protocol 2 takes for a list of
    one small int, 4 are left.
    """
    # Protocol 2 always starts a list with PROTO 2, EMPTY_LIST, BINPUT 0.
    return b"]" + pickle.dumps(gaps, 2)[5:-1]


def _positions_value(positions: list[int]) -> bytes:
    """Whoosh's encoding of a position list (the ``Positions`` format).

    Most words occur once in an article, so the value of a single position is
    made once and shared, which saves time and the pool's memory.
    """
    if len(positions) == 1:
        position = positions[0]
        value = _SINGLE_POSITIONS.get(position)
        if value is None:
            value = _packed_count(1) + _gaps_pickle(positions)
            if position < 4096:
                _SINGLE_POSITIONS[position] = value
        return value
    deltas = [positions[0]]
    deltas.extend(b - a for a, b in zip(positions, positions[1:]))
    return _packed_count(len(deltas)) + _gaps_pickle(deltas)


class ArticleAnalysis:
    """The postings of an article's text fields, from one reading of its words.

    The analysis of a distinct word (its stem or stop-word term, its folded
    form, the stems of its compound parts) is computed once and remembered.

    :param max_words: distinct words to remember before starting afresh, which
        bounds the memory of a long run.

    >>> analysis = ArticleAnalysis()
    >>> postings = analysis.postings("Gipfel", "Die Außenminister trafen sich", parts=True)
    >>> length, body = postings["body"]
    >>> length, sorted(term.decode() for term, *_ in body)
    (4, ['_die', '_sich', 'aussenminist', 'traf'])
    >>> sorted(term.decode() for term, *_ in postings["parts"][1])
    ['auss', 'minist']
    """

    def __init__(self, max_words: int = 500_000) -> None:
        self.max_words = max_words
        self._words: dict[str, tuple[bytes, bytes, tuple[bytes, ...]]] = {}

    def _describe(self, written: str) -> tuple[bytes, bytes, tuple[bytes, ...]]:
        from .compounds import parts_of

        lower = written.lower()
        folded = fold(lower)
        if is_stopword(lower):
            term = STOP_PREFIX + folded
        else:
            term = stem(lower)
        parts = tuple(stem(part).encode() for part in parts_of(written))
        description = (term.encode(), folded.encode(), parts)
        if len(self._words) >= self.max_words:
            self._words.clear()
        self._words[written] = description
        return description

    def folded_words(self) -> set[str]:
        """The folded forms of the distinct words analysed (since the cache last started afresh)."""
        return {description[1].decode() for description in self._words.values()}

    def forget(self) -> None:
        """Drop every word remembered, here and in the analysis's own caches, to free their memory.

        A worker calls this before writing its segment, which then reuses the
        memory (tens of MB after 10,000 articles); the words are analysed
        again if more articles come.
        """
        from .compounds import forget_splits

        self._words.clear()
        fold.cache_clear()
        stem_folded.cache_clear()
        forget_splits()

    def _field(self, text: str, parts_counts: dict[bytes, int] | None) -> tuple[int, Columns, Columns, Columns]:
        """The number of words of one text, and its postings as a positions field, a word field and a pairs field."""
        words = self._words
        describe = self._describe
        positions: dict[bytes, list[int]] = defaultdict(list)
        pair_positions: dict[bytes, list[int]] = defaultdict(list)
        counts: dict[bytes, int] = defaultdict(int)
        found_words = _WORDS.findall(text)
        stop_before: bytes | None = None  # the term before this word, if a stop word
        for position, written in enumerate(found_words):
            description = words.get(written) or describe(written)
            term = description[0]
            positions[term].append(position)
            counts[description[1]] += 1
            if stop_before is not None:
                pair_positions[stop_before + b" " + term].append(position - 1)
            stop_before = term if term.startswith(_STOP_PREFIX) else None
            if parts_counts is not None:
                for part in description[2]:
                    parts_counts[part] += 1
        return (
            len(found_words),
            _positions_columns(positions),
            (list(counts), list(counts.values()), list(map(_packed_count, counts.values()))),
            _positions_columns(pair_positions),
        )

    def columns(self, title: str, body: str, *, parts: bool) -> dict[str, tuple[int, Columns]]:
        """The length and the postings of each text field, as columns (see :data:`Columns`).

        The length is the number of words, as Whoosh counts it for scoring.

        :param parts: also compute the ``parts`` field (compound parts of
            headline and body).
        """
        parts_counts: dict[bytes, int] | None = defaultdict(int) if parts else None
        title_length, title_postings, title_words, title_pairs = self._field(title, parts_counts)
        body_length, body_postings, body_words, body_pairs = self._field(body, parts_counts)
        result = {
            "title": (title_length, title_postings),
            "title_words": (title_length, title_words),
            "title_pairs": (sum(title_pairs[1]), title_pairs),
            "body": (body_length, body_postings),
            "body_words": (body_length, body_words),
            "body_pairs": (sum(body_pairs[1]), body_pairs),
        }
        if parts_counts is not None:
            counts = list(parts_counts.values())
            result["parts"] = (sum(counts), (list(parts_counts), counts, list(map(_packed_count, counts))))
        return result

    def postings(self, title: str, body: str, *, parts: bool) -> dict[str, tuple[int, list[Posting]]]:
        """:meth:`columns` as Whoosh's postings: ``(term bytes, frequency, weight, value bytes)``."""
        return {
            name: (length, [(term, count, float(count), value) for term, count, value in zip(terms, counts, values)])
            for name, (length, (terms, counts, values)) in self.columns(title, body, parts=parts).items()
        }


def _positions_columns(positions: dict[bytes, list[int]]) -> Columns:
    return list(positions), list(map(len, positions.values())), list(map(_positions_value, positions.values()))


class _FieldColumns:
    """A field's postings in the order they arrived (by docnum): terms, docnums, weights and values side by side."""

    __slots__ = ("terms", "docnums", "weights", "values")

    def __init__(self) -> None:
        self.terms: list[bytes] = []
        self.docnums = array("I")
        self.weights = array("f")
        self.values: list[bytes] = []

    def __len__(self) -> int:
        return len(self.terms)


class GroupedPostingPool(PostingPool):
    """A posting pool that adds an article's postings of a field at once and groups them by term when written.

    An article's postings arrive as columns (terms, weights, values), which
    extend the field's columns in a few calls, with no Python loop over the
    postings. Grouping them by term waits for the segment's flush (or a
    spill): the terms are ranked once, and a stable sort of the ranks, in
    numpy, brings each term's postings together in docnum order. Past its
    memory limit the pool writes what it holds to a run on disk, grouped and
    sorted by term; writing the segment merges the runs term by term, so
    memory stays bounded.
    """

    def __init__(
        self, tempstore: Any, segment: Any, limitmb: int = 128, inline_limit: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.inline_limit = inline_limit
        self.columns: dict[str, _FieldColumns] = {}

    def add_columns(
        self, fieldname: str, docnum: int, terms: list[bytes], weights: Iterable[float], values: Iterable[bytes]
    ) -> None:
        """Add one document's postings of one field; docnums must arrive in order."""
        columns = self.columns.get(fieldname)
        if columns is None:
            columns = self.columns[fieldname] = _FieldColumns()
            self.fieldnames.add(fieldname)
        columns.terms.extend(terms)
        columns.docnums.extend(itertools.repeat(docnum, len(terms)))
        columns.weights.extend(weights)
        columns.values.extend(values)
        self.currentsize += len(terms) * _POSTING_BYTES
        if self.currentsize > self.limit:
            self._spill()

    def add_document_postings(self, fieldname: str, docnum: int, postings: list[Posting]) -> None:
        """Add one document's postings of one field, as Whoosh's tuples; docnums must arrive in order."""
        self.add_columns(
            fieldname, docnum, [p[0] for p in postings], [p[2] for p in postings], [p[3] for p in postings]
        )

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        # The tuple form, used when Whoosh merges other segments into this one.
        fieldname, term, docnum, weight, value = item
        self.add_columns(fieldname, docnum, [term], [weight], [value or emptybytes])

    def _spill(self) -> None:
        path, stream = self._new_run()
        chunk: list[tuple[tuple[str, bytes], bytes, bytes, list[bytes]]] = []
        in_chunk = 0
        for key, (docnums, weights, values) in self._in_memory():
            chunk.append((key, docnums.tobytes(), weights.tobytes(), values))
            in_chunk += len(docnums)
            if in_chunk >= _RUN_CHUNK:
                pickle.dump(chunk, stream, pickle.HIGHEST_PROTOCOL)
                chunk, in_chunk = [], 0
        if chunk:
            pickle.dump(chunk, stream, pickle.HIGHEST_PROTOCOL)
        stream.close()
        self.runs.append(path)
        self.columns = {}
        self.currentsize = 0

    def _read_grouped_run(self, path: str, order: int) -> Iterator[tuple[tuple[str, bytes], int, Group]]:
        stream = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(stream)
                except EOFError:
                    return
                for key, docnums, weights, values in chunk:
                    yield key, order, (array("I", docnums), array("f", weights), values)
        finally:
            stream.close()

    def _in_memory(self) -> Iterator[tuple[tuple[str, bytes], Group]]:
        """The postings in memory grouped, by field name and term; each field taken out of the pool as it is reached."""
        for fieldname in sorted(self.columns):
            columns = self.columns.pop(fieldname)
            for term, group in _grouped(columns):
                yield (fieldname, term), group

    def sorted_groups(self) -> Iterator[tuple[tuple[str, bytes], Group]]:
        """Every term's postings, in term order; the runs on disk and the memory merged."""
        if not self.runs:
            yield from self._in_memory()
            return
        # Earlier runs hold earlier documents: for equal keys, the run's number
        # (the second item) puts them first, and the groups are never compared.
        last = len(self.runs)
        in_memory = ((key, last, group) for key, group in self._in_memory())
        sources = [self._read_grouped_run(path, order) for order, path in enumerate(self.runs)] + [in_memory]
        merged = heapq.merge(*sources)
        first = next(merged, None)
        if first is None:
            return
        key, _, (docnums, weights, values) = first
        for next_key, _, group in merged:
            if next_key == key:
                docnums.extend(group[0])
                weights.extend(group[1])
                values.extend(group[2])
                continue
            yield key, (docnums, weights, values)
            key, (docnums, weights, values) = next_key, group
        yield key, (docnums, weights, values)

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        for (fieldname, term), (docnums, weights, values) in self.sorted_groups():
            for docnum, weight, value in zip(docnums, weights, values):
                yield fieldname, term, docnum, weight, value

    def cleanup(self) -> None:
        for path in self.runs:
            try:
                self._remove_run(path)
            except OSError:
                pass
        self.runs = []
        self.columns = {}

    def write_groups(self, fieldwriter: Any, schema: Any, lengths_of: Callable[[str, array[int]], list[int]]) -> None:
        """Write all postings, term by term, into a W3 segment's field writer.

        :param lengths_of: gives, for a field name and the docnums of a term's
            postings, the documents' lengths of that field as the segment
            stores them.
        """
        current_field = None
        for (fieldname, term), (docnums, weights, values) in self.sorted_groups():
            if fieldname != current_field:
                if current_field is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                current_field = fieldname
            lengths = lengths_of(fieldname, docnums)
            # Values all present (positions, counts) or all absent (ids, hashes), never mixed.
            if len(docnums) <= self.inline_limit and (all(values) or not any(values)):
                _write_inline_term(fieldwriter, term, docnums, weights, values, lengths)
            else:
                fieldwriter.start_term(term)
                _add_postings(fieldwriter._postwriter, docnums, weights, values, lengths)
                fieldwriter.finish_term()
        if current_field is not None:
            fieldwriter.finish_field()
        self.cleanup()


def _grouped(columns: _FieldColumns) -> Iterator[tuple[bytes, Group]]:
    """A field's postings grouped by term, in term order, each term's in the order they arrived.

    The groups are cut from chunks of about :data:`_GROUP_CHUNK` postings, so
    the temporary lists stay small; the terms are let go once ranked.
    """
    import numpy as np

    terms = columns.terms
    distinct = sorted(set(terms))
    rank = dict(zip(distinct, range(len(distinct))))
    ranks = np.fromiter(map(rank.__getitem__, terms), dtype=np.int32, count=len(terms))
    del rank, terms
    columns.terms = []
    order = np.argsort(ranks, kind="stable")  # stable: each term's postings stay in docnum order
    ends: list[int] = np.cumsum(np.bincount(ranks, minlength=len(distinct))).tolist()
    del ranks
    docnums = np.frombuffer(columns.docnums, dtype=f"=u{columns.docnums.itemsize}")
    weights = np.frombuffer(columns.weights, dtype=f"=f{columns.weights.itemsize}")
    values = columns.values
    first_term = first_posting = 0
    while first_term < len(distinct):
        # The chunk ends with the first term that reaches _GROUP_CHUNK postings.
        last_term = min(bisect.bisect_left(ends, first_posting + _GROUP_CHUNK, lo=first_term), len(distinct) - 1)
        rows = order[first_posting : ends[last_term]]
        chunk_docnums = array("I", docnums[rows].tobytes())
        chunk_weights = array("f", weights[rows].tobytes())
        chunk_values = [values[row] for row in rows.tolist()]
        start = 0
        for term_number in range(first_term, last_term + 1):
            end = ends[term_number] - first_posting
            yield distinct[term_number], (chunk_docnums[start:end], chunk_weights[start:end], chunk_values[start:end])
            start = end
        first_term, first_posting = last_term + 1, ends[last_term]


def _write_inline_term(
    fieldwriter: Any, term: bytes, docnums: array[int], weights: array[float], values: list[bytes], lengths: list[int]
) -> None:
    """Write a rare term with its few postings inside its term entry (no postings block).

    Whoosh reads such "inlined" postings (``W3TermInfo.is_inlined``); its
    writer's own inlining calls a method that ``W3TermInfo`` lacks, so this
    does what it means to: the block statistics, then the postings, into the
    term entry.
    """
    writer = fieldwriter._postwriter
    terminfo = W3TermInfo()
    writer.start_postings(fieldwriter._format, terminfo)
    _add_postings(writer, docnums, weights, values, lengths)
    terminfo.add_block(writer)
    # A field without values (id, hash) keeps a None per posting, as its postings
    # blocks read back: an empty tuple reads back as "", which Whoosh's merge rejects.
    values_kept = writer._values or (None,) * len(writer._ids)
    terminfo.set_inlined(writer._ids, writer._weights, values_kept)
    writer._terminfo = None
    fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + term, terminfo.to_bytes())


def _add_postings(
    writer: Any, docnums: array[int], weights: array[float], values: list[bytes], lengths: list[int]
) -> None:
    """Add a term's postings to Whoosh's W3 postings writer, a block at a time.

    The same as calling its ``add_posting`` for each posting (which checks
    types and updates the block statistics one posting at a time), for the
    format of the pinned Whoosh release; the tests compare the files written.
    """
    limit = writer._blocklimit
    for start in range(0, len(docnums), limit):
        if len(writer._ids) >= limit:
            writer._write_block()
        end = start + limit
        chunk_weights = weights[start:end]
        writer._ids.extend(docnums[start:end])
        writer._weights.extend(chunk_weights)
        top = max(chunk_weights)
        if top > writer._maxweight:
            writer._maxweight = top
        writer._values.extend(filter(None, values[start:end]))
        known = list(filter(None, lengths[start:end]))
        if known:
            shortest = min(known)
            if writer._minlength is None or shortest < writer._minlength:
                writer._minlength = shortest
            longest = max(known)
            if longest > writer._maxlength:
                writer._maxlength = longest


#: The pickle protocol of postings blocks: the first with an opcode for bytes.
BLOCK_PROTOCOL = 4
#: Postings per block and the zlib level of blocks (Whoosh: 128 and 3). Searches
#: read a word's whole list or the few blocks of a phrase's candidates, so longer
#: blocks cost no query time (phrases measured alike with 128 for lists with
#: positions), and they compress better: see BENCHMARKS.md.
BLOCK_POSTINGS = 512
BLOCK_COMPRESSION = 6


class BlockWriter(W3PostingsWriter):
    """Whoosh's W3 postings writer, with each block pickled in :data:`BLOCK_PROTOCOL`.

    A block is written as Whoosh 3 lays it out: the tag ``W3Bl`` before a
    term's first block, then per block its byte length (negated for the last
    block), the pickled info tuple (postings, last id, highest weight,
    compression, shortest and longest field length as length bytes) and the
    pickled (and, from :data:`~whoosh.codec.whoosh3.COMPRESSION_MIN_SIZE`
    bytes on, zlib-compressed) tuple of delta-coded ids, weights and values.
    """

    # Whoosh's _mini_ids and _mini_weights walk a block's postings in Python
    # generators; these give the same values with the loops in C.

    def _mini_ids(self) -> tuple[Any, ...]:
        ids = self._ids
        if self._byteids:
            return tuple(ids)
        return tuple(map(operator.sub, ids, itertools.chain((0,), ids)))

    def _mini_weights(self) -> float | tuple[float, ...] | None:
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]  # type: ignore[no-any-return]
        # Frequencies pickle in 2 bytes as ints and in 9 as floats; Whoosh
        # computes with either alike.
        try:
            as_ints = tuple(map(int, weights))
        except (OverflowError, ValueError):  # an infinite or NaN weight
            return tuple(weights)
        if as_ints == tuple(weights):
            return as_ints
        return tuple(weights)

    def _write_block(self, last: bool = False) -> None:
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        payload = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), BLOCK_PROTOCOL)
        compression = self._compression if len(payload) >= COMPRESSION_MIN_SIZE else 0
        if compression:
            payload = zlib.compress(payload, compression)
        info = pickle.dumps(
            (
                len(self._ids),
                self._ids[-1],
                self._maxweight,
                compression,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            BLOCK_PROTOCOL,
        )
        size = len(info) + len(payload)
        postfile.write_int(-size if last else size)
        postfile.write(info)
        postfile.write(payload)
        self._blockcount += 1
        self._new_block()


class _BlockCodec:
    """Gives a field writer :class:`BlockWriter` postings writers; all else is the W3 codec's."""

    def __init__(self, codec: Any) -> None:
        self._codec = codec

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> BlockWriter:
        codec = self._codec
        return BlockWriter(
            dbfile,
            blocklimit=BLOCK_POSTINGS,
            byteids=byteids,
            compression=BLOCK_COMPRESSION,
            inlinelimit=codec._inlinelimit,
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self._codec, name)


def _write_offsets(writer: Any) -> None:
    """Make a variable-length column writer write its rows' offsets, however few the rows.

    Whoosh writes them only past 32,768 rows; otherwise its reader adds up the
    lengths in a Python loop over the whole segment, which each new process
    pays for each segment it reads an article's stored fields from (about
    3 ms per 10,000 articles). The offsets cost 4 bytes an article.
    """
    while not hasattr(writer, "cutoff") and hasattr(writer, "_child"):
        writer = writer._child
    if hasattr(writer, "cutoff"):
        writer.cutoff = 0


class ArticleSegmentWriter(SegmentWriter):
    """A Whoosh segment writer for diplosearch's schema; see the module docstring.

    Takes the same keyword arguments as Whoosh's ``SegmentWriter``. Fields
    other than the text fields go through their own analyzers, as in Whoosh.

    :param entities: the alias table whose names an article's headline and
        body are searched for, to fill its ``people``, ``places`` and
        ``orgs`` fields (see :func:`index.entities.entity_fields`); None
        leaves those fields as given.
    """

    def __init__(
        self,
        ix: Any,
        *args: Any,
        inline_postings: int = INLINE_POSTINGS,
        entities: AliasTable | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(ix, *args, **kwargs)
        self.entities = entities
        # Only the field writer's postings writers change; the segment keeps
        # Whoosh's own codec, which is what the table of contents records.
        self.fieldwriter._codec = _BlockCodec(self.fieldwriter._codec)
        _write_offsets(self.perdocwriter._colwriters["_stored"])
        limit = self.pool.limit // (1024 * 1024)
        self.pool = GroupedPostingPool(
            self._tempstorage, self.newsegment, limitmb=limit, inline_limit=inline_postings
        )
        self.analysis = ArticleAnalysis()
        # Field lengths of the documents added here, by docnum, in the byte
        # the segment stores (0: not known here, such as merged-in documents).
        self._lengths: dict[str, bytearray] = defaultdict(bytearray)
        self.fieldwriter._tindex.buckets = [_HashBucket() for _ in range(256)]

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        schema = self.schema
        title, body = fields.get("title"), fields.get("body")
        if self.entities is not None and isinstance(title, str) and isinstance(body, str):
            from .entities import entity_fields

            fields.update(entity_fields(title, body, self.entities))
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        docnum = self.docnum
        fast: dict[str, tuple[int, Columns]] = {}
        if isinstance(title, str) and isinstance(body, str) and "_boost" not in fields:
            fast = self.analysis.columns(title, body, parts=fields.get("parts") is not None)
        pool = self.pool
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if name in fast:
                    length, (terms, counts, values) = fast[name]
                    pool.add_columns(name, docnum, terms, counts, values)
                elif field.indexed:
                    postings = list(field.index(value))
                    if field.scorable:
                        length = sum(frequency for _, frequency, _, _ in postings)
                    pool.add_document_postings(name, docnum, postings)
                stored = fields.get("_stored_" + name, value)
                perdoc.add_field(name, field, stored if field.stored else None, length)
                if length:
                    codes = self._lengths[name]
                    if len(codes) <= docnum:
                        codes.extend(bytes(docnum + 1 - len(codes)))
                    codes[docnum] = length_to_byte(length)
                column = field.column_type
                if column and stored is not None:
                    perdoc.add_column_value(name, column, field.to_column_value(stored))
        except ValueError:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        if not self.codec.length_stats:
            super()._flush_segment()
            return
        self.perdocwriter.close()
        stored_lengths = self.per_document_reader()
        own = self._lengths

        def lengths_of(fieldname: str, docnums: array[int]) -> list[int]:
            codes = own.get(fieldname, b"")
            known = len(codes)
            found = [_BYTE_LENGTHS[codes[docnum]] if docnum < known else None for docnum in docnums]
            if None in found:
                read = stored_lengths.doc_field_length_reader(fieldname)
                found = [length if length is not None else read(docnum) for length, docnum in zip(found, docnums)]
            return found  # type: ignore[return-value]  # None only where the segment has no length either

        try:
            self.pool.write_groups(self.fieldwriter, self.schema, lengths_of)
        finally:
            self.fieldwriter.close()
            stored_lengths.close()


# A field length as a segment stores it: one byte, so approximate above 10 or
# so. Code 0 is kept for "not known here" (a length of 0 is never looked up:
# such a field has no postings).
_BYTE_LENGTHS: list[int | None] = [None] + [byte_to_length(code) for code in range(1, 256)]


class _HashBucket:
    """One of the term file's 256 hash buckets, as Whoosh's hash writer fills and reads it.

    Whoosh keeps a tuple per term until the segment is written (some 120
    bytes; a segment of 50,000 articles has about a million terms); two
    arrays keep the same 12 bytes a term.
    """

    __slots__ = ("hashes", "positions")

    def __init__(self) -> None:
        self.hashes = array("I")
        self.positions = array("q")

    def append(self, entry: tuple[int, int]) -> None:
        self.hashes.append(entry[0])
        self.positions.append(entry[1])

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.hashes, self.positions)


class ArticleMpWriter(MpWriter):
    """Whoosh's multi-process writer, with :class:`ArticleSegmentWriter` in each worker.

    Each worker writes a segment of its own (``multisegment=True``); the
    workers are started with "spawn", so they never hold the index lock's
    file descriptor, and they exit when the indexing process dies.

    :param entities: the alias table the workers' writers find names of
        (see :class:`ArticleSegmentWriter`); this process never loads what
        finding them needs (the compound lexicon, some 28 MB).
    """

    def __init__(self, ix: Any, procs: int, entities: AliasTable | None = None, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, multisegment=True, start_method="spawn", **kwargs)
        # The workers read the alias table from a file. Passed as an argument, it
        # would be more than a pipe's buffer, and starting a worker that dies
        # before reading its arguments (a script without the main guard) would
        # block for ever on writing them.
        self.subargs = {**self.subargs, "entities_file": self._saved(entities) if entities is not None else None}
        self.fieldwriter._codec = _BlockCodec(self.fieldwriter._codec)  # for segments merged here
        # The workers read the queue itself; this process puts jobs in through
        # a watch on the workers, so that it never waits for ever on a dead one.
        self._jobs = self.jobqueue
        self.jobqueue = _WatchedJobs(self._jobs, self.check_workers)
        self._received: list[Any] = []  # what workers handed back: segments, or what they failed on

    def _saved(self, entities: AliasTable) -> str:
        """Write ``entities`` to the run's temporary folder, which the commit or cancel removes; its file name."""
        filename = "aliases.pickle"
        with self.temp_storage().create_file(filename).raw_file() as stream:
            pickle.dump(entities, stream, pickle.HIGHEST_PROTOCOL)
        return filename

    def _new_task(self) -> Any:
        task = self._mpctx.Process(
            target=_workers.run_segment_worker,
            args=(self.storage, self.indexname, self._jobs, self.resultqueue, self.subargs),
        )
        task.start()
        self.tasks.append(task)  # once started: cancel() stops every task it holds
        return task

    def check_workers(self) -> None:
        """Raise an error if a worker has ended other than by finishing its segment.

        The error is the one the worker met (an ``OSError`` for a full disk,
        say), or :class:`IndexingFailed` for a worker killed (by the kernel
        for lack of memory, say). A dead worker loses the articles it held,
        and one killed while waiting for a job can leave the others waiting
        for ever on the queue's lock; so the run stops.
        """
        ended = [task.exitcode for task in self.tasks if task.exitcode not in (None, 0)]
        if not ended:
            return
        self._receive_all()
        for report in self._received:
            if report[0] == _workers.FAILED:
                raise _worker_error(report)
        code = ended[0]
        if code < 0:
            how = f"killed by signal {-code}; the system may have run out of memory"
        else:
            # A worker reports what it fails on; one that exits without a report
            # failed while starting, most often by running a script's indexing again.
            how = (
                f"exit status {code} before it started; a Python script that indexes with more than one "
                "process must do so under 'if __name__ == \"__main__\":'"
            )
        raise IndexingFailed(
            f"an indexing worker process ended before writing its articles ({how}); nothing of this commit "
            "was written and the index keeps its last commit: run the command again, with --procs 1 to "
            "index in one process"
        )

    def _receive_all(self) -> None:
        """Take what ended workers have put on the result queue."""
        while True:
            try:
                self._received.append(self.resultqueue.get(timeout=0.2))
            except queue.Empty:
                return

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        # Whoosh's commit of workers that each write a segment, except that it
        # waits on them watchfully and takes every worker's segment or none:
        # Whoosh's own passes over a worker that hands back no segment, which
        # leaves that worker's articles out of a commit that counts them as added.
        try:
            if self.docbuffer:
                self._enqueue()
            for _ in self.tasks:
                self.jobqueue.put(None)  # no more jobs: write the segment
            finalsegments = self._merge_segments(mergetype, optimize, merge)
            for task in self.tasks:
                while task.exitcode is None:
                    task.join(_WATCH_SECONDS)
                    self.check_workers()
            self.check_workers()
            while len(self._received) < len(self.tasks):
                try:
                    self._received.append(self.resultqueue.get(timeout=_RESULT_SECONDS))
                except queue.Empty:
                    raise IndexingFailed(
                        "an indexing worker process ended without handing back its segment; nothing of this "
                        "commit was written and the index keeps its last commit: run the command again"
                    ) from None
            finalsegments += [segment for _, _, segment in self._received]
            if self._added:  # segments merged in this process
                finalsegments.append(self._finalize_segment())
            else:
                self._close_segment()
            self._commit_toc(finalsegments)
        except BaseException:
            self._stop_workers()
            self._cleanup_on_error()
            raise
        self._finish()

    def _stop_workers(self) -> None:
        for task in self.tasks:
            # A worker's unfinished segment is never committed; stopping it loses nothing.
            task.terminate()
            task.join()

    def cancel(self, **kwargs: Any) -> None:
        try:
            self._stop_workers()
        finally:
            if not self.is_closed:  # a failed commit has cleaned up already
                SegmentWriter.cancel(self, **kwargs)


def _worker_error(report: tuple[Any, ...]) -> Exception:
    """The error to raise for a worker's :func:`index._workers.failure_report`."""
    _, number, strerror, filename, description = report
    if number is not None:
        return OSError(number, strerror, filename)  # as a run in one process raises it (a full disk: ENOSPC)
    return IndexingFailed(
        f"an indexing worker process failed ({description}); nothing of this commit was written and the "
        "index keeps its last commit"
    )


#: How long the indexing process waits on a worker, or for room in the job
#: queue, between two looks at whether the workers all still run.
_WATCH_SECONDS = 1.0
#: How long a segment may take to arrive from a worker that ended normally.
_RESULT_SECONDS = 10.0


class _WatchedJobs:
    """The workers' job queue as the indexing process puts into it: while it waits for room, it checks the workers."""

    def __init__(self, jobs: Any, check_workers: Callable[[], None]) -> None:
        self._jobs = jobs
        self._check_workers = check_workers

    def put(self, job: Any) -> None:
        while True:
            try:
                self._jobs.put(job, timeout=_WATCH_SECONDS)
                return
            except queue.Full:
                self._check_workers()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jobs, name)  # close(), join_thread() and the rest, as Whoosh calls them
