"""The German analyzer: the tokens that end up in the index and in queries."""

from __future__ import annotations

import pytest
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser
from whoosh.query import Phrase

from index import build_schema, german_analyzer
from index.analysis import unstemmed_analyzer


def texts(text: str, **kwargs: object) -> list[str]:
    return [t.text for t in german_analyzer()(text, **kwargs)]


def tokens(text: str, **kwargs: object) -> list[tuple[str, int, str]]:
    """(token, position, the original text it covers) for each token."""
    # Whoosh reuses one Token object, so each is read while it is current.
    return [
        (t.text, t.pos, text[t.startchar : t.endchar])
        for t in german_analyzer()(text, positions=True, chars=True, **kwargs)
    ]


def matches(indexed: str, query: str) -> bool:
    """Whether a body ``indexed`` is found by ``query``, through a real Whoosh index."""
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:
        writer.add_document(id="1", body=indexed)
    with ix.searcher() as searcher:
        return len(searcher.search(QueryParser("body", ix.schema).parse(query))) == 1


def test_token_offsets_point_at_the_original_words() -> None:
    # Highlighting cuts the stored text at these offsets, so they must survive
    # lowercasing, folding (ß -> ss changes the length) and stemming.
    text = "Der Außenminister traf US-Präsident Erdoğan: „Gespräche“ über Sanktionen."
    words = ["Der", "Außenminister", "traf", "US", "Präsident", "Erdoğan", "Gespräche", "über", "Sanktionen"]
    for mode in ("index", "query"):
        assert [word for _, _, word in tokens(text, mode=mode, removestops=False)] == words


def test_offsets_of_query_tokens_skip_dropped_stop_words() -> None:
    assert tokens("die Verhandlungen über Sanktionen", mode="query") == [
        ("verhandl", 1, "Verhandlungen"),
        ("sanktion", 3, "Sanktionen"),
    ]


def test_lowercasing() -> None:
    assert texts("NATO Nato nato") == ["nato"] * 3
    assert texts("ÖSTERREICH Österreich") == ["osterreich"] * 2


@pytest.mark.parametrize(
    ("written", "transliterated", "token"),
    [
        ("Außenminister", "Aussenminister", "aussenminist"),
        ("Präsident", "Praesident", "prasident"),
        ("Gespräche", "Gespraeche", "gesprach"),
        ("Österreich", "Oesterreich", "osterreich"),
        ("Müller", "Mueller", "mull"),
    ],
)
def test_umlauts_and_sharp_s_fold_both_ways(written: str, transliterated: str, token: str) -> None:
    assert texts(written) == texts(transliterated) == [token]
    assert matches(written, transliterated)
    assert matches(transliterated, written)


def test_ue_after_a_vowel_or_q_is_not_an_umlaut() -> None:
    # Read as "ü", these would become "steur" and "qull".
    assert texts("Steuer Quelle Abenteuer") == ["steu", "quell", "abenteu"]
    assert [t.text for t in unstemmed_analyzer()("Steuer Quelle")] == ["steuer", "quelle"]


def test_foreign_diacritics_are_dropped() -> None:
    assert texts("Erdoğan Łukaszenka") == ["erdogan", "lukaszenka"]
    assert texts("Erdoğan") == texts("Erdogan")
    assert texts("Łukaszenka") == texts("Lukaszenka")
    assert matches("Präsident Erdoğan", "Erdogan")


@pytest.mark.parametrize(
    "forms",
    [
        ("Verhandlung", "Verhandlungen"),
        ("Präsident", "Präsidenten", "Praesidenten"),
        ("Sanktion", "Sanktionen"),
        ("Gespräch", "Gespräche", "Gespraechen"),
    ],
)
def test_inflections_conflate(forms: tuple[str, ...]) -> None:
    assert len({tuple(texts(form)) for form in forms}) == 1


def test_stop_words_are_kept_with_a_prefix_when_indexing() -> None:
    # They keep their positions, so phrases line up with the indexed text.
    assert tokens("Die Außenminister trafen sich") == [
        ("_die", 0, "Die"),
        ("aussenminist", 1, "Außenminister"),
        ("traf", 2, "trafen"),
        ("_sich", 3, "sich"),
    ]


def test_stop_words_reach_the_index_so_phrases_keep_them() -> None:
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:
        writer.add_document(id="mit", body="Treffen mit Putin")
        writer.add_document(id="ohne", body="Treffen ohne Putin")
    phrase = Phrase("body", texts("Treffen mit Putin", mode="query", removestops=False))
    with ix.searcher() as searcher:
        assert [hit["id"] for hit in searcher.search(phrase)] == ["mit"]


def test_folded_spellings_of_stop_words_are_stop_words() -> None:
    assert texts("für fuer daß dass über Ueber") == ["_fur", "_fur", "_dass", "_dass", "_uber", "_uber"]


def test_stop_words_are_dropped_in_query_mode() -> None:
    assert texts("Die Außenminister trafen sich", mode="query") == ["aussenminist", "traf"]


def test_stop_words_are_kept_in_query_mode_without_removestops() -> None:
    text = "Die Außenminister trafen sich"
    assert tokens(text, mode="query", removestops=False) == tokens(text)
    assert [token for token, _, _ in tokens(text)] == ["_die", "aussenminist", "traf", "_sich"]


def test_stem_of_sicherheit_is_not_the_pronoun_sich() -> None:
    # Snowball stems "Sicherheit" to "sich"; the stop-word prefix keeps them apart.
    assert texts("Sicherheit") == ["sich"]
    assert texts("sich") == ["_sich"]
    assert not matches("Die Minister trafen sich", "Sicherheit")
    assert matches("Die Sicherheit Europas", "Sicherheit")


def test_hyphenated_compounds_give_consecutive_parts() -> None:
    parts = [t for t in tokens("Das Selenskyj-Putin-Treffen mit dem US-Präsident") if not t[0].startswith("_")]
    assert parts == [
        ("selenskyj", 1, "Selenskyj"),
        ("putin", 2, "Putin"),
        ("treff", 3, "Treffen"),
        ("us", 6, "US"),
        ("prasident", 7, "Präsident"),
    ]


@pytest.mark.parametrize("query", ["Putin", "Treffen", "Selenskyj-Putin-Treffen", '"Selenskyj Putin Treffen"'])
def test_hyphenated_compound_is_found_by_each_part_and_as_a_whole(query: str) -> None:
    assert matches("Ein Selenskyj-Putin-Treffen ist nicht geplant.", query)


def test_schema_text_fields_use_the_german_analyzer() -> None:
    # One definition: what is indexed is analysed exactly as queries are.
    schema = build_schema()
    text = "Die Außenminister trafen sich zu Gesprächen"
    for field in ("title", "body"):
        analyzer = schema[field].analyzer
        assert analyzer is not None
        assert [t.text for t in analyzer(text)] == texts(text)
