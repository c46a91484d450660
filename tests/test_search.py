"""The Python API, ``from searcher import Searcher``, on the fixture corpus in tests/fixtures/news.

Each article there is short enough to check an expected result by reading it.
The index is built once for the module; tests that write build their own.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import index_paths
from searcher import (
    ArticleNotFound,
    Hit,
    IndexNotFound,
    QuerySyntaxError,
    Searcher,
    SearchError,
    SearchResult,
)

NEWS = Path(__file__).parent / "fixtures" / "news"


@pytest.fixture(scope="module")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("news") / "ix"
    summary = index_paths(index_dir, [NEWS])
    assert (summary.added, summary.failed) == (len(list(NEWS.glob("*.txt"))), 0)
    return index_dir


@pytest.fixture(scope="module")
def searcher(news_index: Path) -> Iterator[Searcher]:
    with Searcher(news_index) as opened:
        yield opened


def ids(searcher: Searcher, query: str, **options: object) -> list[str]:
    """The ids of every hit, in order."""
    result = searcher.search(query, limit=100, **options)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return [hit.id for hit in result.hits]


def marked(hit: Hit, field: str | None = None) -> list[str]:
    """The marked words of a hit's snippets, as the text shows them."""
    return [
        snippet.text[start:end]
        for snippet in hit.snippets
        if field is None or snippet.field == field
        for start, end in snippet.spans
    ]


def hit_by_id(result: SearchResult, article_id: str) -> Hit:
    return next(hit for hit in result.hits if hit.id == article_id)


# -- every query form, by the exact ids it finds ------------------------------------------------

QUERY_FORMS = [
    # words: all must match
    ("Lawrow", {"gipfel-lawrow.txt", "rubio-telefonat.txt"}),
    ("Lawrow Treffen", {"gipfel-lawrow.txt"}),
    ("Selenskyj Rutte Kyjiw", {"rutte-kyjiw.txt"}),
    # boolean operators, English and German
    ("Lawrow AND Treffen", {"gipfel-lawrow.txt"}),
    ("Lawrow UND Treffen", {"gipfel-lawrow.txt"}),
    ("Lawrow && Treffen", {"gipfel-lawrow.txt"}),
    ("Rubio OR Kallas", {"rubio-telefonat.txt", "baltikum-ostgrenze.txt"}),
    ("Rubio ODER Kallas", {"rubio-telefonat.txt", "baltikum-ostgrenze.txt"}),
    ("Rubio || Kallas", {"rubio-telefonat.txt", "baltikum-ostgrenze.txt"}),
    ("Selenskyj NOT Trump", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt"}),
    ("Selenskyj NICHT Trump", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt"}),
    ("Selenskyj -Trump", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt"}),
    ("Selenskyj !Trump", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt"}),
    ("Selenskyj", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt", "selenskyj-putin-treffen.txt"}),
    ("(Rubio OR Kallas) AND Lawrow", {"rubio-telefonat.txt"}),
    ("Selenskyj AND (Trump OR Rutte)", {"selenskyj-putin-treffen.txt", "rutte-kyjiw.txt", "rutte-bruessel.txt"}),
    ("Lawrow -(Rubio OR Kallas)", {"gipfel-lawrow.txt"}),
    # a negation alone: everything else (the corpus has 12 articles, 3 mention Trump)
    ("-Trump", {
        "rutte-kyjiw.txt", "gaza-waffenstillstand.txt", "baltikum-ostgrenze.txt", "rubio-telefonat.txt",
        "getreide-verhandlung.txt", "diplomatie-geduld.txt", "aussenministerin-kyjiw.txt",
        "sicherheitsrat-resolution.txt", "rutte-bruessel.txt",
    }),
    # phrases: stop words inside count, order counts
    ('"Treffen mit Putin"', {"rutte-kyjiw.txt"}),
    ('"Treffen ohne Putin"', {"gipfel-lawrow.txt"}),
    ("Treffen Putin", {"rutte-kyjiw.txt", "gipfel-lawrow.txt", "selenskyj-putin-treffen.txt"}),
    ('"Treffen Putin"', set()),
    ('Putin -"Treffen ohne Putin"', {"rutte-kyjiw.txt", "diplomatie-geduld.txt", "selenskyj-putin-treffen.txt"}),
    # proximity: "Rutte und Selenskyj" in one article, 18 words apart in another
    ('"Rutte Selenskyj"~5', {"rutte-kyjiw.txt"}),
    ('"Selenskyj Rutte"~5', {"rutte-kyjiw.txt"}),
    ('"Rutte Selenskyj"~20', {"rutte-kyjiw.txt", "rutte-bruessel.txt"}),
    ("Rutte Selenskyj", {"rutte-kyjiw.txt", "rutte-bruessel.txt"}),
    # hyphenated compounds are the phrase of their parts
    ("US-Präsident", {"gipfel-lawrow.txt", "selenskyj-putin-treffen.txt"}),
    ("Selenskyj-Putin-Treffen", {"selenskyj-putin-treffen.txt"}),
    # fields
    ("title:NATO", {"rutte-kyjiw.txt"}),
    ("body:NATO", {"baltikum-ostgrenze.txt"}),
    ("NATO", {"rutte-kyjiw.txt", "baltikum-ostgrenze.txt"}),
    ("title:Lawrow", {"gipfel-lawrow.txt"}),
    ("body:Lawrow", {"gipfel-lawrow.txt", "rubio-telefonat.txt"}),
    ("title:(Lawrow OR NATO)", {"gipfel-lawrow.txt", "rutte-kyjiw.txt"}),
    ('body:"Treffen mit Putin"', {"rutte-kyjiw.txt"}),
    ('title:"Treffen mit Putin"', set()),
    ("Trump -title:Trump", {"gipfel-lawrow.txt", "selenskyj-putin-treffen.txt"}),
    ("source:euronews", {"rutte-kyjiw.txt", "rubio-telefonat.txt", "zoelle-trump.txt"}),
    ("source:zeit", {"baltikum-ostgrenze.txt", "diplomatie-geduld.txt", "selenskyj-putin-treffen.txt"}),
    ("source:tagesschau Verhandlung", {"getreide-verhandlung.txt"}),
    ("category:wirtschaft", {"getreide-verhandlung.txt", "zoelle-trump.txt"}),
    ("category:international", {"gaza-waffenstillstand.txt", "sicherheitsrat-resolution.txt"}),
    ("category:kommentar", {"diplomatie-geduld.txt"}),
    ("id:rutte-kyjiw.txt", {"rutte-kyjiw.txt"}),
    ("id:rutte", set()),
    ('url:"https://de.euronews.com/2025/08/22/rutte-kyjiw"', {"rutte-kyjiw.txt"}),
    # dates: August 2025 holds the 5th, 21st, 22nd and 31st; July 31st and September 1st are its neighbours
    ("date:2025-08-22", {"rutte-kyjiw.txt"}),
    ("date:22.08.2025", {"rutte-kyjiw.txt"}),
    ("date:2025-08", {"gaza-waffenstillstand.txt", "gipfel-lawrow.txt", "rutte-kyjiw.txt", "baltikum-ostgrenze.txt"}),
    ("date:[2025-08-01 TO 2025-08-31]", {"gaza-waffenstillstand.txt", "gipfel-lawrow.txt", "rutte-kyjiw.txt", "baltikum-ostgrenze.txt"}),
    ("date:{2025-08-21 TO 2025-08-31}", {"rutte-kyjiw.txt"}),
    ("date:2025", {
        "rubio-telefonat.txt", "zoelle-trump.txt", "gaza-waffenstillstand.txt", "gipfel-lawrow.txt",
        "rutte-kyjiw.txt", "baltikum-ostgrenze.txt", "rutte-bruessel.txt",
    }),
    ("date:>=2025-08-01", {
        "gaza-waffenstillstand.txt", "gipfel-lawrow.txt", "rutte-kyjiw.txt", "baltikum-ostgrenze.txt",
        "rutte-bruessel.txt", "aussenministerin-kyjiw.txt", "selenskyj-putin-treffen.txt",
    }),
    ("date:>2025-08-31", {"rutte-bruessel.txt", "aussenministerin-kyjiw.txt", "selenskyj-putin-treffen.txt"}),
    ("date:<2026", {
        "sicherheitsrat-resolution.txt", "getreide-verhandlung.txt", "rubio-telefonat.txt", "zoelle-trump.txt",
        "gaza-waffenstillstand.txt", "gipfel-lawrow.txt", "rutte-kyjiw.txt", "baltikum-ostgrenze.txt",
        "rutte-bruessel.txt",
    }),
    ("date:<=2024", {"sicherheitsrat-resolution.txt", "getreide-verhandlung.txt"}),
    ("Selenskyj date:2026", {"aussenministerin-kyjiw.txt", "selenskyj-putin-treffen.txt"}),
    # prefixes match written words, not stems: sicherheit* must not become sich* (Sichtweise, sichere)
    ("Sicherheits*", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "sicherheitsrat-resolution.txt"}),
    ("sicherheit*", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "sicherheitsrat-resolution.txt", "baltikum-ostgrenze.txt"}),
    ("Sichtweise", {"diplomatie-geduld.txt"}),
    ("Außenminister*", {"gipfel-lawrow.txt", "gaza-waffenstillstand.txt", "rubio-telefonat.txt", "aussenministerin-kyjiw.txt"}),
    ("Aussenminister*", {"gipfel-lawrow.txt", "gaza-waffenstillstand.txt", "rubio-telefonat.txt", "aussenministerin-kyjiw.txt"}),
    # fuzzy words
    ("Selenskij~", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt", "selenskyj-putin-treffen.txt"}),
    ("Selenskij~1", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt", "selenskyj-putin-treffen.txt"}),
    ("Selenskij~2", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt", "selenskyj-putin-treffen.txt"}),
    ("Selenskuj", set()),  # a misspelling no alias lists: only a fuzzy term finds it
    ("Lawrov~", {"gipfel-lawrow.txt", "rubio-telefonat.txt"}),
    # inflections and compounds, through the indexer's analysis
    ("Verhandlung", {"getreide-verhandlung.txt", "gaza-waffenstillstand.txt", "selenskyj-putin-treffen.txt"}),
    ("Verhandlungen", {"getreide-verhandlung.txt", "gaza-waffenstillstand.txt", "selenskyj-putin-treffen.txt"}),
    ("Sicherheitsgarantien", {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt"}),
    ("Waffenstillstandsabkommen", {"gaza-waffenstillstand.txt", "selenskyj-putin-treffen.txt"}),
    ("die Verhandlung", {"getreide-verhandlung.txt", "gaza-waffenstillstand.txt", "selenskyj-putin-treffen.txt"}),
    # umlaut and ß spellings, each way
    ("Außenminister", {"gipfel-lawrow.txt", "gaza-waffenstillstand.txt", "rubio-telefonat.txt"}),
    ("Aussenminister", {"gipfel-lawrow.txt", "gaza-waffenstillstand.txt", "rubio-telefonat.txt"}),
    ("Außenministerin", {"aussenministerin-kyjiw.txt"}),
    ("Aussenministerin", {"aussenministerin-kyjiw.txt"}),
    ("Gespräche", {"gipfel-lawrow.txt", "gaza-waffenstillstand.txt", "diplomatie-geduld.txt", "zoelle-trump.txt", "selenskyj-putin-treffen.txt"}),
    ("Gespraeche", {"gipfel-lawrow.txt", "gaza-waffenstillstand.txt", "diplomatie-geduld.txt", "zoelle-trump.txt", "selenskyj-putin-treffen.txt"}),
    ("US-Praesident", {"gipfel-lawrow.txt", "selenskyj-putin-treffen.txt"}),
]


@pytest.mark.parametrize(("query", "expected"), QUERY_FORMS, ids=[q for q, _ in QUERY_FORMS])
def test_query_forms_find_exactly_these_articles(searcher: Searcher, query: str, expected: set[str]) -> None:
    found = ids(searcher, query)
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_a_stop_word_outside_a_phrase_is_ignored_with_a_note(searcher: Searcher) -> None:
    result = searcher.search("die Verhandlung")
    assert result.notes == ("'die' is a stop word and was ignored; quote it to search for it",)


def test_any_ranks_by_how_many_words_match(searcher: Searcher) -> None:
    assert ids(searcher, "Kallas Tallinn Rubio") == []
    # Kallas and Tallinn share an article; Rubio stands alone in another.
    assert ids(searcher, "Kallas Tallinn Rubio", any_terms=True) == ["baltikum-ostgrenze.txt", "rubio-telefonat.txt"]
    # Only the Kyjiw visit has all three; the others have two each.
    found = ids(searcher, "Selenskyj Rutte Kyjiw", any_terms=True)
    assert found[0] == "rutte-kyjiw.txt"
    assert set(found[1:]) == {"selenskyj-putin-treffen.txt", "aussenministerin-kyjiw.txt", "rutte-bruessel.txt"}


def test_any_keeps_negations_required(searcher: Searcher) -> None:
    assert ids(searcher, "Kallas Rubio -Lawrow", any_terms=True) == ["baltikum-ostgrenze.txt"]


# -- ranking -----------------------------------------------------------------------------------


def test_a_headline_match_ranks_above_a_body_only_match(searcher: Searcher) -> None:
    assert ids(searcher, "NATO") == ["rutte-kyjiw.txt", "baltikum-ostgrenze.txt"]
    assert ids(searcher, "Trump")[0] == "zoelle-trump.txt"
    assert ids(searcher, "Lawrow") == ["gipfel-lawrow.txt", "rubio-telefonat.txt"]


def test_boosts_change_the_order(searcher: Searcher) -> None:
    assert ids(searcher, "Rubio^10 OR Kallas") == ["rubio-telefonat.txt", "baltikum-ostgrenze.txt"]
    assert ids(searcher, "Rubio OR Kallas^10") == ["baltikum-ostgrenze.txt", "rubio-telefonat.txt"]
    assert ids(searcher, '"Treffen mit Putin"^10 OR Lawrow')[0] == "rutte-kyjiw.txt"
    assert ids(searcher, '"Treffen mit Putin" OR Lawrow^10')[0] == "gipfel-lawrow.txt"


def test_equal_scores_put_the_newer_article_first(searcher: Searcher) -> None:
    # The three tagesschau articles score alike on source:; indexed in file-name
    # order (getreide, gipfel, sicherheitsrat), they come out newest first.
    result = searcher.search("source:tagesschau")
    assert len({hit.score for hit in result.hits}) == 1
    assert [hit.id for hit in result.hits] == [
        "gipfel-lawrow.txt",  # 2025-08-21
        "getreide-verhandlung.txt",  # 2024-11-15
        "sicherheitsrat-resolution.txt",  # 2024-05-06
    ]
    # Both articles with "Verhandlungen" in the body score alike: 2026 before 2025.
    result = searcher.search("Verhandlung")
    assert [hit.id for hit in result.hits] == [
        "getreide-verhandlung.txt",
        "selenskyj-putin-treffen.txt",
        "gaza-waffenstillstand.txt",
    ]
    assert result.hits[1].score == result.hits[2].score


def test_an_undated_article_comes_last_among_equal_scores(searcher: Searcher) -> None:
    assert ids(searcher, "source:zeit") == [
        "selenskyj-putin-treffen.txt",
        "baltikum-ostgrenze.txt",
        "diplomatie-geduld.txt",
    ]


def test_sort_by_date_newest_first_undated_last(searcher: Searcher) -> None:
    result = searcher.search("Gespräche", sort="date")
    assert [hit.id for hit in result.hits] == [
        "selenskyj-putin-treffen.txt",  # 2026-02-03
        "gipfel-lawrow.txt",  # 2025-08-21
        "gaza-waffenstillstand.txt",  # 2025-08-05
        "zoelle-trump.txt",  # 2025-07-31
        "diplomatie-geduld.txt",  # no date
    ]
    assert [hit.score for hit in result.hits] == [None] * 5
    assert ids(searcher, "Putin", sort="date") == [
        "selenskyj-putin-treffen.txt",
        "rutte-kyjiw.txt",
        "gipfel-lawrow.txt",
        "diplomatie-geduld.txt",
    ]


def test_sort_and_page_are_checked(searcher: Searcher) -> None:
    with pytest.raises(ValueError):
        searcher.search("Putin", sort="newest")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        searcher.search("Putin", page=0)
    with pytest.raises(ValueError):
        searcher.search("Putin", limit=0)


# -- pagination ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pages_split_the_same_ranking(searcher: Searcher, sort: str) -> None:
    everything = searcher.search("date:>=2025-01-01", limit=10, sort=sort)  # type: ignore[arg-type]
    assert everything.total == 9
    pages = [searcher.search("date:>=2025-01-01", limit=4, page=n, sort=sort) for n in (1, 2, 3, 4)]  # type: ignore[arg-type]
    assert [page.total for page in pages] == [9, 9, 9, 9]
    assert [len(page.hits) for page in pages] == [4, 4, 1, 0]
    assert [hit.id for page in pages for hit in page.hits] == [hit.id for hit in everything.hits]
    assert [hit.rank for page in pages for hit in page.hits] == list(range(1, 10))
    assert (pages[1].page, pages[1].limit) == (2, 4)


# -- highlighting --------------------------------------------------------------------------------


def test_spans_cover_the_word_as_the_article_wrote_it(searcher: Searcher) -> None:
    result = searcher.search("Sicherheitsgarantien")
    for hit in result.hits:
        assert marked(hit, "body") and set(marked(hit)) == {"Sicherheitsgarantien"}
    assert marked(hit_by_id(result, "rutte-kyjiw.txt"), "title") == ["Sicherheitsgarantien"]


@pytest.mark.parametrize(
    ("query", "article_id", "words"),
    [
        ("Aussenminister", "gipfel-lawrow.txt", ["Außenminister"]),
        ("Aussenminister", "rubio-telefonat.txt", ["Außenminister"]),  # in "US-Außenminister"
        ("Außenminister", "gaza-waffenstillstand.txt", ["Aussenminister"]),
        ("Gespraeche", "gipfel-lawrow.txt", ["Gespräche"]),
        ("Gespräche", "gaza-waffenstillstand.txt", ["Gespraeche"]),
        ("Gespräche", "selenskyj-putin-treffen.txt", ["Gesprächen"]),
        ("Verhandlung", "gaza-waffenstillstand.txt", ["Verhandlungen"]),
        ("Sicherheits*", "sicherheitsrat-resolution.txt", ["Sicherheitsrat", "Sicherheitsrat"]),
        ("sicherheit*", "baltikum-ostgrenze.txt", ["Sicherheit"]),
        ("Selenskij~", "rutte-bruessel.txt", ["Selenskyj"]),
        ("US-Präsident", "gipfel-lawrow.txt", ["US-Präsident"]),
        ("Selenskyj-Putin-Treffen", "selenskyj-putin-treffen.txt", ["Selenskyj-Putin-Treffen", "Selenskyj-Putin-Treffen"]),
        ('"Rutte Selenskyj"~5', "rutte-kyjiw.txt", ["Rutte", "Selenskyj"]),
        ("source:euronews Lawrow", "rubio-telefonat.txt", ["Lawrow"]),
    ],
)
def test_marked_words(searcher: Searcher, query: str, article_id: str, words: list[str]) -> None:
    assert marked(hit_by_id(searcher.search(query), article_id)) == words


def test_a_word_is_marked_only_where_it_stands_as_a_whole_word() -> None:
    from searcher.compiler import MarkPlan
    from searcher.highlight import match_spans

    plan = MarkPlan()
    plan.words["body"].add("nato")
    text = "NATO, NATO2 und NATO_Gipfel; ÄNATO NATOs 2NATO NATO"
    assert [(text[a:b], a) for a, b in match_spans(text, "body", plan)] == [("NATO", 0), ("NATO", 16), ("NATO", 47)]


_LETTERS = "abcdeiosuyzAEIOSUZäöüÄÖÜßæøéÉłİ2"


@settings(max_examples=300, deadline=None, database=None)
@given(
    asked=st.text(alphabet=_LETTERS, min_size=1, max_size=9),
    other=st.text(alphabet=_LETTERS, min_size=1, max_size=9),
)
def test_a_word_is_marked_when_its_term_is_asked_for_whatever_its_spelling(asked: str, other: str) -> None:
    """Umlauts, ae/oe/ue, ß and foreign letters anywhere, first letters included."""
    from index.analysis import STOP_PREFIX, fold, is_stopword, stem
    from searcher.compiler import MarkPlan
    from searcher.highlight import match_spans

    def term(word: str) -> str:
        lower = word.lower()
        return STOP_PREFIX + fold(lower) if is_stopword(lower) else stem(lower)

    plan = MarkPlan()
    plan.stems["body"].add(term(asked))
    text = f"{asked} ; {other}"
    marked = {text[a:b] for a, b in match_spans(text, "body", plan)}
    assert marked == {word for word in (asked, other) if term(word) == term(asked)}


def test_snippets_are_the_articles_own_text(searcher: Searcher) -> None:
    for query in ("Außenminister", "Verhandlung", '"Treffen mit Putin"', "Sicherheits*", "Putin"):
        for hit in searcher.search(query).hits:
            body = searcher.article(hit.id).body.replace("\n", " ")
            for snippet in hit.snippets:
                if snippet.field == "title":
                    assert snippet.text == hit.title
                else:
                    # A fragment of the body, line breaks as spaces, "…" where it was cut.
                    assert snippet.text.strip("…") in body


def test_a_phrase_is_marked_as_a_whole_and_its_lone_words_are_not(searcher: Searcher) -> None:
    article = searcher.article("rutte-kyjiw.txt", '"Treffen mit Putin"')
    assert article.body.count("Treffen") == 2 and article.body.count("Putin") == 2
    assert [article.body[s:e] for s, e in article.body_spans] == ["Treffen mit Putin"]
    hit = hit_by_id(searcher.search('"Treffen mit Putin"'), "rutte-kyjiw.txt")
    assert marked(hit) == ["Treffen mit Putin"]


def test_negated_words_are_not_marked(searcher: Searcher) -> None:
    article = searcher.article("gipfel-lawrow.txt", "Lawrow NOT Trump")
    assert "Trump" in article.body
    assert [article.body[s:e] for s, e in article.body_spans] == ["Lawrow", "Lawrow"]
    assert [article.title[s:e] for s, e in article.title_spans] == ["Lawrow"]
    # The article matches "Lawrow OR -Trump" through Lawrow; its Trump stays unmarked.
    hit = hit_by_id(searcher.search("Lawrow OR -Trump"), "gipfel-lawrow.txt")
    assert "Trump" not in marked(hit)
    assert "Lawrow" in marked(hit)


def test_the_title_snippet_comes_only_with_a_title_match(searcher: Searcher) -> None:
    result = searcher.search("Lawrow")
    in_title = hit_by_id(result, "gipfel-lawrow.txt")
    assert in_title.snippets[0].field == "title"
    assert in_title.snippets[0].text == "Lawrow dämpft Erwartungen an einen Gipfel"
    assert marked(in_title, "title") == ["Lawrow"]
    body_only = hit_by_id(result, "rubio-telefonat.txt")
    assert [s.field for s in body_only.snippets] == ["body"]


def test_a_title_field_query_marks_the_title_only(searcher: Searcher) -> None:
    hit = searcher.search("title:Lawrow").hits[0]
    assert marked(hit, "title") == ["Lawrow"]
    assert marked(hit, "body") == []  # the body says Lawrow twice


def test_every_body_fragment_shows_a_match(searcher: Searcher) -> None:
    # The Kyjiw article names Selenskyj twice, the second time near the end
    # of the first fragment: no second fragment without a mark may follow.
    for query in ("Selenskyj", "Selenskij~", "Rutte Selenskyj", "Putin", "Treffen", "Gespräche"):
        for hit in searcher.search(query).hits:
            body = [s for s in hit.snippets if s.field == "body"]
            assert 1 <= len(body) <= 3
            assert all(s.spans for s in body), (query, hit.id, body)


def test_a_hit_without_a_body_match_shows_the_opening_unmarked(searcher: Searcher) -> None:
    hit = searcher.search("category:kommentar").hits[0]
    assert [(s.field, s.spans) for s in hit.snippets] == [("body", ())]
    assert hit.snippets[0].text.startswith("Aus europäischer Sichtweise")


# -- the result objects ----------------------------------------------------------------------------


def test_a_hit_carries_the_article_metadata(searcher: Searcher) -> None:
    hit = searcher.search("id:rutte-kyjiw.txt").hits[0]
    data = hit.to_json()
    assert isinstance(data.pop("score"), float)
    assert data == {
        "id": "rutte-kyjiw.txt",
        "title": "NATO-Chef Rutte verspricht Kyjiw Sicherheitsgarantien",
        "date": "2025-08-22",
        "source": "euronews",
        "category": "politik",
        "url": "https://de.euronews.com/2025/08/22/rutte-kyjiw",
        "path": os.path.abspath(NEWS / "rutte-kyjiw.txt"),
        "snippets": [s.to_json() for s in hit.snippets],
    }
    undated = searcher.search("id:diplomatie-geduld.txt").hits[0]
    assert (undated.date, undated.url, undated.to_json()["date"]) == (None, "", None)


def test_results_are_frozen(searcher: Searcher) -> None:
    result = searcher.search("Lawrow")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.hits[0].title = ""  # type: ignore[misc]


def test_no_hits_suggests_the_name_the_index_knows(searcher: Searcher) -> None:
    result = searcher.search("Kalas")
    assert (result.total, result.hits, result.suggestion) == (0, (), "Kallas")
    assert searcher.search("Kalas Tallinn").suggestion == "Kallas Tallinn"
    assert searcher.search("Lawrov Treffen").suggestion == "Lawrow Treffen"
    assert searcher.search("Selenskuj").suggestion == "Selenskyj"
    # Nothing to suggest when every word is known, or nothing is close.
    assert searcher.search("Kallas Rubio").suggestion is None
    assert searcher.search("Xylophon").suggestion is None
    # Hits: no suggestion.
    assert searcher.search("Kallas").suggestion is None


def test_prefix_expansion_is_capped_and_says_so(news_index: Path) -> None:
    with Searcher(news_index, max_expansions=1) as capped:
        result = capped.search("Sicherheits*")
    # Sicherheitsgarantien (in two articles) is more frequent than Sicherheitsrat (in one).
    assert {hit.id for hit in result.hits} == {"rutte-kyjiw.txt", "aussenministerin-kyjiw.txt"}
    assert result.notes == ("Sicherheits* matches 2 words; searching the 1 most frequent",)


# -- errors ----------------------------------------------------------------------------------------


def test_a_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound) as info:
        Searcher(tmp_path / "nowhere")
    assert isinstance(info.value, SearchError)
    assert "diplosearch index" in str(info.value)


@pytest.mark.parametrize("query", ["titel:NATO", "date:2025-13-45", "", '"Treffen', "Lawrow AND", "der die"])
def test_a_bad_query(searcher: Searcher, query: str) -> None:
    with pytest.raises(QuerySyntaxError):
        searcher.search(query)


def test_an_unknown_article(searcher: Searcher) -> None:
    with pytest.raises(ArticleNotFound) as info:
        searcher.article("nope.txt")
    assert isinstance(info.value, SearchError)
    assert "'nope.txt'" in str(info.value)


# -- threads, refresh, close -------------------------------------------------------------------------

THREAD_QUERIES = [
    "Lawrow",
    "Sicherheits*",
    '"Treffen mit Putin"',
    "Selenskij~",
    "date:2025-08",
    "Gespräche",
    "Selenskyj NOT Trump",
    "Kalas",
]


def test_one_searcher_from_several_threads(searcher: Searcher) -> None:
    expected = {q: (r.total, r.hits, r.suggestion) for q in THREAD_QUERIES for r in [searcher.search(q)]}

    def run(query: str) -> tuple[str, tuple[object, ...]]:
        result = searcher.search(query)
        return query, (result.total, result.hits, result.suggestion)

    work = [THREAD_QUERIES[i % len(THREAD_QUERIES)] for i in range(4 * 20)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(run, work))
    assert len(answers) == 80
    for query, answer in answers:
        assert answer == expected[query], query


def _copy_news(target: Path, names: list[str]) -> Path:
    target.mkdir(parents=True)
    for name in names:
        shutil.copy(NEWS / name, target / name)
    return target


def test_refresh_sees_a_later_commit(tmp_path: Path) -> None:
    corpus = _copy_news(tmp_path / "news", ["gipfel-lawrow.txt"])
    index_dir = tmp_path / "ix"
    index_paths(index_dir, [corpus])
    with Searcher(index_dir) as opened:
        assert opened.refresh() is False
        assert ids(opened, "Lawrow") == ["gipfel-lawrow.txt"]
        shutil.copy(NEWS / "rubio-telefonat.txt", corpus / "rubio-telefonat.txt")
        assert index_paths(index_dir, [corpus]).added == 1
        # The searcher sees the index as it was opened until it refreshes.
        assert ids(opened, "Lawrow") == ["gipfel-lawrow.txt"]
        assert opened.refresh() is True
        assert ids(opened, "Lawrow") == ["gipfel-lawrow.txt", "rubio-telefonat.txt"]
        assert opened.doc_count == 2
        assert opened.refresh() is False


def test_refresh_sees_a_rebuild(tmp_path: Path) -> None:
    corpus = _copy_news(tmp_path / "news", ["gipfel-lawrow.txt", "rubio-telefonat.txt"])
    index_dir = tmp_path / "ix"
    index_paths(index_dir, [corpus])
    with Searcher(index_dir) as opened:
        (corpus / "rubio-telefonat.txt").unlink()
        index_paths(index_dir, [corpus], rebuild=True)
        assert opened.refresh() is True
        assert ids(opened, "Lawrow") == ["gipfel-lawrow.txt"]
        assert opened.refresh() is False


def test_results_stay_usable_after_the_searcher_is_closed(news_index: Path) -> None:
    with Searcher(news_index) as opened:
        result = opened.search("Lawrow")
        article = opened.article("gipfel-lawrow.txt", "Lawrow")
    hit = result.hits[0]
    assert hit.title == "Lawrow dämpft Erwartungen an einen Gipfel"
    assert hit.snippets[0].render() == "[Lawrow] dämpft Erwartungen an einen Gipfel"
    assert result.to_json()["hits"][0]["id"] == "gipfel-lawrow.txt"
    assert article.body.startswith("Der russische Außenminister")
    assert [article.body[s:e] for s, e in article.body_spans] == ["Lawrow", "Lawrow"]
    # The closed searcher itself says what to do.
    with pytest.raises(SearchError, match="open a new Searcher"):
        opened.search("Lawrow")
