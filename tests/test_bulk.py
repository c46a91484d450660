"""The array query runner finds what Whoosh's matchers find, with the scores Whoosh gives.

The corpus is made here from the words of the fixture articles: a segment of
more than 5,000 articles (where Whoosh runs an Or as a tree of unions), a
second run that updates and adds articles (deletions, a second segment), and
a small third segment (where Whoosh runs an Or of three or more parts as an
array union).
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.collectors import UnlimitedCollector

from conftest import REPO_ROOT
from index import IndexConfig, index_paths, open_index
from index.aliases import AliasTable
from index.columns import column_lookup, integer_column
from index.schema import UNDATED
from searcher import Searcher
from searcher.bulk import QueryRunner
from searcher.compiler import compile_query
from searcher.facets import column_values
from searcher.query import parse_query

SOURCES = ["zeit", "tagesschau", "standard", "euronews"]


def _vocabulary() -> list[str]:
    words: set[str] = set()
    for path in sorted((REPO_ROOT / "tests" / "fixtures" / "news").glob("*.txt")) + sorted((REPO_ROOT / "seeds").glob("*.txt")):
        words.update(re.findall(r"[^\W\d_]{3,}", path.read_text(encoding="utf-8")))
    return sorted(words)


def _articles(rng: random.Random, words: list[str], count: int, first: int) -> list[dict[str, Any]]:
    # A Zipf-like choice, so that some words are in thousands of articles and most in few.
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    records = []
    for number in range(first, first + count):
        body = " ".join(rng.choices(words, weights, k=rng.randint(5, 40)))
        records.append(
            {
                "id": f"a{number}",
                "title": " ".join(rng.choices(words, weights, k=rng.randint(2, 6))),
                "body": body,
                "date": f"20{rng.randint(15, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if number % 7 else None,
                "source": rng.choice(SOURCES),
            }
        )
    return records


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    rng = random.Random(7)
    words = _vocabulary()
    base = tmp_path_factory.mktemp("bulk")
    index_dir = base / "ix"
    articles = _articles(rng, words, 5600, 0)
    config = IndexConfig(procs=1, entities=False)
    index_paths(index_dir, [_write(base / "first.jsonl", articles)], config)
    # Change 300 articles and add 200 (deleted documents, a second segment) ...
    changed = _articles(rng, words, 300, 0) + _articles(rng, words, 200, 5600)
    index_paths(index_dir, [_write(base / "first.jsonl", changed[:300] + articles[300:]), _write(base / "second.jsonl", changed[300:])], config)
    # ... and a small third segment.
    index_paths(index_dir, [base / "first.jsonl", base / "second.jsonl", _write(base / "third.jsonl", _articles(rng, words, 40, 9000))], config)
    return index_dir, words


def _queries(words: list[str]) -> list[str]:
    rng = random.Random(11)
    frequent, middle, rare = words[:12], words[12:200], words[-200:]
    queries = [
        *frequent[:6],
        *rng.sample(rare, 6),
        *(f"{a} {b}" for a, b in zip(rng.sample(middle, 6), rng.sample(frequent, 6))),
        *(f"{a} OR {b} OR {c}" for a, b, c in zip(rng.sample(middle, 5), rng.sample(middle, 5), rng.sample(frequent, 5))),
        *(f"{a} -{b}" for a, b in zip(rng.sample(frequent, 4), rng.sample(middle, 4))),
        *(f'"{a} {b}"' for a, b in zip(rng.sample(frequent, 6), rng.sample(frequent, 6))),
        *(f'"{a} {b}"~3' for a, b in zip(rng.sample(frequent, 3), rng.sample(middle, 3))),
        *(f"{w[:4]}*" for w in rng.sample(middle, 4)),
        *(f"{w}~" for w in rng.sample(middle, 3)),
        *(f"title:{w}" for w in rng.sample(frequent, 3)),
        *(f"{w} source:zeit" for w in rng.sample(frequent, 3)),
        *(f"{w} date:[2018-01-01 TO 2020-06-30]" for w in rng.sample(frequent, 3)),
        *(f"{a}^3 {b}" for a, b in zip(rng.sample(frequent, 3), rng.sample(middle, 3))),
        f"({frequent[0]} OR {frequent[1]}) AND NOT ({frequent[2]} OR {middle[0]})",
        f"-{frequent[0]}",
        " OR ".join(rng.sample(middle, 9)),  # an Or of many parts that are not single terms
        "date:[2019-01-01 TO 2019-12-31]",
        "keinsolcheswortirgendwo",
    ]
    return queries


def _whoosh(searcher: Any, q: Any) -> dict[int, float]:
    collector = UnlimitedCollector()
    searcher.search_with_collector(q, collector)
    results = collector.results()
    return {results.docnum(i): results.score(i) for i in range(results.scored_length())}


def _compare_with_whoosh(searcher: Any, words: list[str], cache: Any = None) -> int:
    """Run every query with the runner and with Whoosh, assert the same articles and scores; how many were compared."""
    compared = 0
    for text in _queries(words):
        q = compile_query(parse_query(text), searcher.reader(), aliases=AliasTable([])).query
        expected = _whoosh(searcher, q)
        ids, scores = QueryRunner(searcher, cache=cache).run(q)
        found = dict(zip(ids.tolist(), scores.tolist()))
        assert found.keys() == expected.keys(), text
        for docnum, score in expected.items():
            assert math.isclose(found[docnum], score, rel_tol=1e-12), (text, docnum)
        compared += len(expected)
    return compared


def test_every_query_matches_the_articles_whoosh_matches_with_its_scores(corpus: tuple[Path, list[str]]) -> None:
    index_dir, words = corpus
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3
        assert any(sub.reader().has_deletions() for sub, _ in searcher.leaf_searchers())
        assert max(sub.doc_count_all() for sub, _ in searcher.leaf_searchers()) > 5000
        compared = _compare_with_whoosh(searcher, words)
    ix.close()
    assert compared > 20_000  # the queries did match: the comparison is not of empty lists


def _expected_order(searcher: Any, text: str, sort: str) -> list[str]:
    """The ids of all matches of ``text`` in the documented order, sorted in plain Python.

    Relevance: higher score, then newer (undated last), then article id; date: newer, then id.
    """
    q = compile_query(parse_query(text), searcher.reader(), aliases=AliasTable([])).query
    docnums, scores = QueryRunner(searcher).run(q)
    dates = column_values(searcher.reader(), "date_sort")
    lookup = column_lookup(searcher.reader(), "id", "")
    keyed = [
        ((-score if sort == "relevance" else 0.0), -dates[docnum], lookup(docnum))
        for docnum, score in zip(docnums.tolist(), scores.tolist())
    ]
    return [article_id for _, _, article_id in sorted(keyed)]


def test_hits_come_by_score_then_newest_then_article_id_on_every_page(corpus: tuple[Path, list[str]]) -> None:
    index_dir, words = corpus
    ix = open_index(index_dir)
    queries = [words[0], "source:zeit", f"{words[1]} OR {words[2]}", f"-{words[3]}", f"title:{words[4]}"]
    with ix.searcher() as whoosh_searcher, Searcher(index_dir, aliases=AliasTable([])) as searcher:
        ties = 0
        for text in queries:
            for sort in ("relevance", "date"):
                expected = _expected_order(whoosh_searcher, text, sort)
                assert len(expected) > 40, text
                top = searcher.search(text, limit=25, sort=sort, snippets=False).hits
                assert [hit.id for hit in top] == expected[:25], (text, sort)
                pages = [searcher.search(text, limit=10, page=n, sort=sort, snippets=False).hits for n in (1, 2, 3, 4)]
                assert [hit.id for page in pages for hit in page] == expected[:40], (text, sort)
                scores = [hit.score for hit in top]
                ties += len(scores) - len(set(scores))
    ix.close()
    assert ties > 50  # equal scores were there to be ordered


def test_columns_read_whole_give_what_whoosh_reads_value_by_value(corpus: tuple[Path, list[str]]) -> None:
    index_dir, _ = corpus
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        dates = integer_column(reader, "date_sort", UNDATED)
        expected_dates = [date for leaf in leaves for date in leaf.column_reader("date_sort", translate=False)]
        sources = column_values(reader, "source_key")
        expected_sources = [raw.decode() for leaf in leaves for raw in leaf.column_reader("source_key", translate=False)]
    ix.close()
    assert dates.dtype == np.int64 and dates.tolist() == expected_dates
    assert len(leaves) == 3 and UNDATED in expected_dates  # segments and undated articles were there
    assert len(set(expected_dates)) > 1000
    assert sources == expected_sources and set(sources) == set(SOURCES)


def test_an_alias_query_scores_each_article_by_its_best_name(tmp_path: Path) -> None:
    """``Kyiv`` matches as ``Kyiv`` or ``Kiew``: each article scores as the better of the two, in that article."""
    corpus = tmp_path / "kyiv.jsonl"
    records = [
        {"id": "a", "title": "Kiew", "body": "Kiew Kiew Kiew und die Ukraine"},
        {"id": "b", "title": "Bericht", "body": "In Kyiv tagte die Regierung lange " * 5},
        {"id": "c", "title": "Kyiv", "body": "Kiew"},
        {"id": "d", "title": "Wetter", "body": "Regen in Kiew"},
    ]
    _write(corpus, records)
    index_paths(tmp_path / "ix", [corpus], IndexConfig(procs=1))
    with Searcher(tmp_path / "ix") as searcher:
        combined = {hit.id: hit.score for hit in searcher.search("Kyiv", limit=10, snippets=False).hits}
        kyiv = {hit.id: hit.score for hit in Searcher(tmp_path / "ix", aliases=AliasTable([])).search("Kyiv", snippets=False).hits}
        kiew = {hit.id: hit.score for hit in Searcher(tmp_path / "ix", aliases=AliasTable([])).search("Kiew", snippets=False).hits}
    assert combined.keys() == {"a", "b", "c", "d"}
    for article, score in combined.items():
        assert score == pytest.approx(max(kyiv.get(article, 0.0), kiew.get(article, 0.0)), rel=1e-12), article


def test_a_search_of_a_big_and_a_small_word_gives_hits_totals_and_facets_that_agree(corpus: tuple[Path, list[str]]) -> None:
    index_dir, words = corpus
    with Searcher(index_dir, aliases=AliasTable([])) as searcher:
        result = searcher.search(f"{words[0]} OR {words[-1]}", limit=5, facets=("source",))
        ix = open_index(index_dir)
        with ix.searcher() as plain:
            q = compile_query(parse_query(f"{words[0]} OR {words[-1]}"), plain.reader(), aliases=AliasTable([])).query
            expected = _whoosh(plain, q)
        ix.close()
    assert result.total == len(expected) > 1000
    assert sum(result.facets["source"].values()) == result.total  # type: ignore[index]
    best = max(expected.values())
    assert result.hits[0].score == pytest.approx(best, rel=1e-12)


def test_phrase_positions_are_read_as_whoosh_and_diplosearch_write_them() -> None:
    # Whoosh's writer pickles a position list with its header and stop, diplosearch's
    # without them: an index written by either (or merged from both) reads the same.
    from whoosh.formats import Positions

    from index.segment_writer import _positions_value
    from searcher.bulk import _position_keys

    positions = [3, 7, 8, 300, 70_000]
    values = [Positions().encode(positions), _positions_value(positions), Positions().encode([5]), _positions_value([5])]
    assert values[0] != values[1]
    keys = _position_keys(values, 0).tolist()
    assert keys == [row << 32 | p for row, found in enumerate([positions, positions, [5], [5]]) for p in found]
    assert all(Positions().decode_positions(value) == found for value, found in zip(values, [positions, positions, [5], [5]]))


def test_positions_kept_decoded_give_the_keys_read_from_the_postings() -> None:
    from whoosh.formats import Positions

    from index.segment_writer import _positions_value
    from searcher.bulk import _position_keys, _positions_table, _table_keys

    rng = random.Random(5)
    lists = [sorted(rng.sample(range(2000), rng.randint(1, 30))) for _ in range(300)]
    # Whoosh's own values and diplosearch's, mixed, as in an index that merged both.
    values = [(Positions().encode if i % 3 else _positions_value)(found) for i, found in enumerate(lists)]
    starts, positions = _positions_table(values)
    for offset in (0, 1, 2):
        for rows in ([0], [299], sorted(rng.sample(range(300), 40)), list(range(300))):
            expected = _position_keys([values[row] for row in rows], offset).tolist()
            assert _table_keys(starts, positions, np.array(rows, dtype=np.int64), offset).tolist() == expected
    assert _table_keys(starts, positions, np.array([7]), 0).tolist() == [p for p in lists[7]]


def test_phrases_find_what_whoosh_finds_when_a_frequent_words_positions_are_kept(corpus: tuple[Path, list[str]]) -> None:
    """From the second phrase that reads a frequent word, its positions come decoded from the cache."""
    from searcher.bulk import POSITIONS_MIN_POSTINGS, PostingCache

    index_dir, words = corpus
    rng = random.Random(3)
    frequent = words[:8]
    phrases = [f'"{a} {b}"' for a, b in zip(rng.sample(frequent, 6), rng.sample(frequent, 6))]
    phrases += [f'"{words[0]} {words[1]} {words[2]}"', f'title:"{words[1]} {words[0]}"', f'"{words[300]} {words[0]}"']
    cache = PostingCache(64 * 1024 * 1024)
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        matched = 0
        for _ in range(3):
            for text in phrases:
                q = compile_query(parse_query(text), searcher.reader(), aliases=AliasTable([])).query
                expected = _whoosh(searcher, q)
                runner = QueryRunner(searcher, cache=cache)
                ids, scores = runner.run(q)
                assert ids.tolist() == sorted(expected), text
                assert all(math.isclose(s, expected[d], rel_tol=1e-12) for d, s in zip(ids.tolist(), scores.tolist())), text
                matched += len(ids)
        big = max(runner.segments, key=lambda segment: segment.doc_count_all)
        body = searcher.schema["body"]
        terms = [body.to_bytes(next(iter(body.process_text(word, mode="query")))) for word in frequent]
        kept = [term for term in terms if cache.positions((big.segid, "body", term)) is not None]
    ix.close()
    assert matched > 1000
    assert kept, f"no word of {POSITIONS_MIN_POSTINGS} postings or more had its positions kept"


def test_scores_kept_between_searches_are_whooshs_even_after_a_commit_changes_the_statistics(
    corpus: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """Every query's scores, first computed, then from the cache, then once more after a commit."""
    from searcher.bulk import PostingCache

    index_dir, words = corpus
    copied = tmp_path / "ix"
    shutil.copytree(index_dir, copied)
    cache = PostingCache(64 * 1024 * 1024)

    def compare_all() -> int:
        compared = 0
        ix = open_index(copied)
        with ix.searcher() as searcher:
            for _ in range(2):
                compared += _compare_with_whoosh(searcher, words, cache)
        ix.close()
        return compared

    assert compare_all() > 40_000
    # New articles full of the frequent words, and new versions of a hundred old ones (more
    # deletions in the segments the cache has lists of): every idf and average length changes.
    rng = random.Random(5)
    added = _articles(rng, words[:30], 600, 20_000) + _articles(rng, words[:30], 100, 1000)
    deleted_before = _deleted_count(copied)
    index_paths(copied, [_write(tmp_path / "more.jsonl", added)], IndexConfig(procs=1, entities=False, keep_missing=True))
    assert _deleted_count(copied) == deleted_before + 100
    assert compare_all() > 40_000


def _deleted_count(index_dir: Path) -> int:
    ix = open_index(index_dir)
    with ix.reader() as reader:
        count = int(reader.doc_count_all() - reader.doc_count())
    ix.close()
    return count


def test_membership_by_binary_search_is_numpys_isin() -> None:
    from searcher.bulk import _in_ascending

    rng = np.random.default_rng(4)
    for size in (0, 1, 50, 2000):
        ascending = np.unique(rng.integers(0, 5000, size))
        values = np.sort(rng.integers(-10, 5010, 300))
        assert _in_ascending(values, ascending).tolist() == np.isin(values, ascending).tolist()


def test_a_words_positions_are_kept_from_the_second_phrase_that_asks_and_only_if_they_fit() -> None:
    from searcher.bulk import PostingCache

    cache = PostingCache(4 * 1024 * 1024)  # 2 MiB for positions, at most a quarter of it for one word
    key = ("segment", "body", b"_die")
    assert not cache.keep_positions_now(key, 100_000)  # a one-off search decodes only what it needs
    assert cache.keep_positions_now(key, 100_000)
    big = ("segment", "body", b"_der")
    assert not any(cache.keep_positions_now(big, 600_000) for _ in range(3))
    cache.put_positions(key, np.array([0, 2]), np.array([4, 9], dtype=np.int32))
    kept = cache.positions(key)
    assert kept is not None and kept[1].tolist() == [4, 9]
    assert cache.positions(big) is None
    # Once the positions kept fill their half, no other word's are decoded whole: none would stay.
    for number in range(4):
        cache.put_positions(("segment", "body", b"w%d" % number), np.zeros(1, dtype=np.int64), np.zeros(125_000, dtype=np.int32))
    late = ("segment", "body", b"_und")
    assert not any(cache.keep_positions_now(late, 600_000 - 500_000) for _ in range(3))
    assert cache.positions(key) is not None
