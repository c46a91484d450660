"""diplosearch's segment writer writes what Whoosh's own writer writes, faster.

A search reads postings, term statistics, field lengths and stored fields; for
the same articles both writers must give every one of them the same value.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import whoosh.index
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.writing import SegmentWriter

from conftest import REPO_ROOT, run_cli, stats_json
from index.documents import Article, read_articles
from index.indexer import _document_fields
from index.schema import build_schema
from index.segment_writer import ArticleSegmentWriter

FIXTURES = [REPO_ROOT / "seeds", REPO_ROOT / "tests" / "fixtures" / "news"]


def _articles(paths: list[Path], limit: int | None = None) -> list[Article]:
    found: list[Article] = []
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                found.extend(a for a in read_articles(file, root=path) if isinstance(a, Article))
    return found[:limit]


def _write(writer_class: type, articles: list[Article], limitmb: int = 64, parts: bool = True) -> Any:
    ix = whoosh.index.create_in(tempfile.mkdtemp(), build_schema())
    writer = writer_class(ix, limitmb=limitmb, compound=False)
    for article in articles:
        writer.add_document(**_document_fields(article, article.content_hash, parts))
    writer.commit()
    return ix


def _contents(ix: Any) -> Iterator[tuple[Any, ...]]:
    """Everything a search can read from an index, in a fixed order."""
    with ix.reader() as reader:
        for fieldname, term in reader.all_terms():
            info = reader.term_info(fieldname, term)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                     info.max_weight(), info.min_id(), info.max_id())
            matcher = reader.postings(fieldname, term)
            # Position lists are compared as Whoosh decodes them: diplosearch
            # writes their pickles shorter than Whoosh's writer does.
            field_format = reader.schema[fieldname].format
            decode = field_format.decode_positions if field_format.supports("positions") else None
            postings = []
            while matcher.is_active():
                value = matcher.value()
                if decode is not None and value is not None:
                    value = decode(value)
                postings.append((matcher.id(), matcher.weight(), value))
                matcher.next()
            yield fieldname, term, stats, postings
        for docnum in reader.all_doc_ids():
            lengths = tuple(reader.doc_field_length(docnum, name) for name in ("title", "body", "body_words", "title_pairs", "body_pairs", "parts"))
            yield docnum, dict(reader.stored_fields(docnum)), lengths


def _assert_same(articles: list[Article], **options: Any) -> int:
    expected = list(_contents(_write(SegmentWriter, articles, **options)))
    actual = list(_contents(_write(ArticleSegmentWriter, articles, **options)))
    assert len(actual) == len(expected)
    for got, wanted in zip(actual, expected):
        assert got == wanted
    return len(expected)


def test_the_fixture_articles_give_the_same_index() -> None:
    articles = _articles(FIXTURES)
    assert len(articles) >= 10
    assert _assert_same(articles) > 1000


def test_rare_terms_keep_their_postings_in_the_term_entry() -> None:
    from index.segment_writer import INLINE_POSTINGS

    ix = _write(ArticleSegmentWriter, _articles(FIXTURES))
    with ix.reader() as reader:
        infos = [reader.term_info(f, t) for f, t in reader.all_terms() if f == "body"]
        # An article's id and hash, one posting each and without values, need no block either.
        identities = [reader.term_info(f, t) for f, t in reader.all_terms() if f in ("id", "hash")]
    inlined = [info for info in infos if info.is_inlined()]
    assert inlined and all(info.doc_frequency() <= INLINE_POSTINGS for info in inlined)
    assert any(info.doc_frequency() > INLINE_POSTINGS for info in infos)
    assert len(identities) > 20 and all(info.is_inlined() for info in identities)


def test_without_compound_parts_the_same_index() -> None:
    _assert_same(_articles(FIXTURES), parts=False)


def test_odd_texts_give_the_same_index() -> None:
    odd = [
        Article(id="empty", title="", body=""),
        Article(id="stops", title="Der die das", body="und oder aber, und DAS."),
        Article(id="marks", title="Erdoğan & Łukaszenka", body="Straße, STRASSE, Strasse; Fußball-WM 2026!"),
        Article(id="long", title="Wiederholung", body=" ".join(["Verhandlung"] * 3000 + ["Ende"])),
    ]
    _assert_same(odd + _articles(FIXTURES, limit=3))


def test_a_pool_past_its_memory_limit_gives_the_same_index(monkeypatch: pytest.MonkeyPatch) -> None:
    # A tiny limit makes the pool write sorted runs to disk and merge them.
    from index import segment_writer

    monkeypatch.setattr(segment_writer, "_POSTING_BYTES", 3000)
    monkeypatch.setattr(segment_writer, "_RUN_CHUNK", 3)  # each run written in several chunks (of 3 postings or more)
    spills: list[int] = []
    spill = segment_writer.GroupedPostingPool._spill

    def counted_spill(pool: segment_writer.GroupedPostingPool) -> None:
        spills.append(sum(map(len, pool.columns.values())))
        spill(pool)

    monkeypatch.setattr(segment_writer.GroupedPostingPool, "_spill", counted_spill)
    articles = _articles(FIXTURES)
    _assert_same(articles, limitmb=1)
    assert len(spills) >= 3


def test_postings_grouped_a_few_at_a_time_give_the_same_index(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 5 postings: many terms end mid-way, and frequent terms fill several chunks alone.
    from index import segment_writer

    monkeypatch.setattr(segment_writer, "_GROUP_CHUNK", 5)
    _assert_same(_articles(FIXTURES))


@given(
    st.lists(st.tuples(st.sampled_from([b"a", b"ab", b"b", b"\xc3\xa4", b"z" * 40]), st.integers(1, 5)), max_size=60),
    st.integers(1, 8),
)
@settings(max_examples=200, deadline=None)
def test_pool_groups_each_terms_postings_in_arrival_order(postings: list[tuple[bytes, int]], chunk: int) -> None:
    from index import segment_writer

    columns = segment_writer._FieldColumns()
    expected: dict[bytes, list[tuple[int, float, bytes]]] = {}
    for docnum, (term, weight) in enumerate(postings):
        value = b"v%d" % docnum
        columns.terms.append(term)
        columns.docnums.append(docnum // 2)  # two postings an article
        columns.weights.append(weight)
        columns.values.append(value)
        expected.setdefault(term, []).append((docnum // 2, float(weight), value))
    original = segment_writer._GROUP_CHUNK
    segment_writer._GROUP_CHUNK = chunk
    try:
        grouped = [(term, list(zip(d, w, v))) for term, (d, w, v) in segment_writer._grouped(columns)]
    finally:
        segment_writer._GROUP_CHUNK = original
    assert grouped == sorted(expected.items())


def test_real_articles_give_the_same_index(shared_dir: Path) -> None:
    articles = _articles([shared_dir / "corpus" / "10kgnad_test.jsonl"], limit=150)
    assert len(articles) == 150
    _assert_same(articles)


def test_two_worker_run_indexes_every_article_once(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    articles = list(itertools.islice(itertools.cycle(_articles(FIXTURES)), 60))
    with corpus.open("w", encoding="utf-8") as out:
        for number, article in enumerate(articles):
            out.write(json.dumps({"id": f"a{number}", "title": article.title, "text": article.body}) + "\n")
    index_dir = tmp_path / "ix"
    result = run_cli("index", corpus, "--index", index_dir, "--procs", "2", "--field", "body=text", "-q")
    assert result.exit_code == 0, result.stderr
    assert stats_json(index_dir)["articles"] == 60
    found = run_cli("search", "Lawrow", "--index", index_dir, "--format", "json", "--limit", "100")
    assert found.exit_code == 0, found.stderr
    ids = [hit["id"] for hit in json.loads(found.stdout)["hits"]]
    assert len(ids) == len(set(ids)) > 0
    # The workers' stem store entries reached the store, and no file of theirs stayed behind.
    assert not list(index_dir.glob("stems-*"))
    one_process = tmp_path / "ix1"
    assert run_cli("index", corpus, "--index", one_process, "--procs", "1", "--field", "body=text", "-q").exit_code == 0
    assert _store_rows(index_dir) == _store_rows(one_process)


def _store_rows(index_dir: Path) -> set[tuple[str, str, str | None]]:
    import sqlite3

    from index.stems import STORE_NAME

    with sqlite3.connect(index_dir / STORE_NAME) as db:
        return set(db.execute("SELECT word, stem, parts FROM stems"))


def test_an_analysis_that_forgot_its_words_analyses_them_the_same() -> None:
    # A worker empties its word caches before writing its segment, to free their memory.
    from index.analysis import fold, stem_folded
    from index.compounds import split_compound
    from index.segment_writer import ArticleAnalysis

    analysis = ArticleAnalysis()
    articles = _articles(FIXTURES, limit=5)
    before = [analysis.postings(a.title, a.body, parts=True) for a in articles]
    analysis.forget()
    assert analysis.folded_words() == set()
    assert fold.cache_info().currsize == stem_folded.cache_info().currsize == split_compound.cache_info().currsize == 0
    after = [analysis.postings(a.title, a.body, parts=True) for a in articles]
    assert after == before
    assert split_compound.cache_info().currsize > 0  # still a cache: words are split once, not every time


@pytest.mark.parametrize(
    "weights, kept",
    [
        ([2.0, 3.0, 1.0], (2, 3, 1)),  # frequencies: written as ints
        ([1.5, 2.0], (1.5, 2.0)),  # a boosted weight stays a float
        ([1.0, float("inf")], (1.0, float("inf"))),
    ],
)
def test_block_weights_are_written_as_ints_only_when_they_are_whole(weights: list[float], kept: tuple[float, ...]) -> None:
    from index.segment_writer import BlockWriter

    writer = BlockWriter(None, blocklimit=8)
    writer._weights = weights
    written = writer._mini_weights()
    assert written == kept
    assert [type(w) for w in written] == [type(w) for w in kept]  # type: ignore[union-attr]
