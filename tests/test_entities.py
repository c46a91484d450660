"""People, places and organisations: recognised at indexing, searched as fields, counted as facets (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from analyst_corpus import build_index
from conftest import indexed_articles, run_cli
from index.aliases import AliasTable
from index.entities import find_entities
from searcher import Searcher

TABLE = AliasTable.from_lines(
    [
        "person\tSergej Lawrow\tLawrow | Sergey Lavrov | Lavrov",
        "person\tSebastian Kurz\tKurz",
        "person\tLuc Frieden\tFrieden",
        "person\tMartin Schulz\tSchulz",
        "place\tKiew\tKyiv | Kyjiw | Kiev",
        "org\tVereinte Nationen\tUN | UNO | United Nations",
        "org\tUN-Sicherheitsrat\tSicherheitsrat",
        "org\tEuropäische Union\tEU",
    ],
    source="test",
)


def people(text: str) -> tuple[str, ...]:
    return find_entities(text, TABLE)["person"]


# -- recognition ------------------------------------------------------------------------------


def test_every_spelling_gives_the_canonical_name_once() -> None:
    found = find_entities(
        "Sergej Lawrow reiste nach Kyjiw.\nDort sagte Außenminister Lawrow, Lavrov bleibe. "
        "In Kiew und Kyiv traf er Vertreter der UN und der Vereinten Nationen.",
        TABLE,
    )
    assert found == {"person": ("Sergej Lawrow",), "place": ("Kiew",), "org": ("Vereinte Nationen",)}


def test_the_longest_name_wins() -> None:
    # "UN-Sicherheitsrat" is one organisation, not the UN and a council.
    assert find_entities("Der UN-Sicherheitsrat tagte.", TABLE)["org"] == ("UN-Sicherheitsrat",)
    assert find_entities("Sitzung des Sicherheitsrats der UN", TABLE)["org"] == ("UN-Sicherheitsrat", "Vereinte Nationen")


def test_case_umlauts_and_declension() -> None:
    assert find_entities("Die EUROPÄISCHE UNION und die Europaeische Union", TABLE)["org"] == ("Europäische Union",)
    assert find_entities("Ein Gipfel der Europäischen Union", TABLE)["org"] == ("Europäische Union",)
    assert people("Sergej Lawrows Rede") == ("Sergej Lawrow",)


def test_ordinary_words_are_not_people() -> None:
    assert people("Das dauerte nur kurz.") == ()  # lower case
    assert people("Es ging um Frieden.") == ()  # a noun
    assert people("Titel\nKurz darauf endete die Sitzung.") == ()  # the start of a sentence
    assert people("Bei Kurz- und Langstrecken gilt das.") == ()  # cut short
    assert people("Auch Olli Kurz trat auf.") == ()  # beside another first name
    assert people("Es siegte Olli Kurz-Berger.") == ()  # in a double name too
    assert people("Auch Olli Schulz trat auf.") == ()
    # A surname the article gives to someone else stays theirs in later mentions.
    assert people("Ökonom Helmut Kurz warnt. Die Lage sei ernst, sagt Kurz.") == ()
    assert people("Kanzleramtschef Kurz warnt. Die Lage sei ernst, sagt Kurz.") == ("Sebastian Kurz",)


def test_a_person_named_otherwise_still_counts() -> None:
    assert people("Kanzler Kurz sprach.") == ("Sebastian Kurz",)
    assert people("Premier Luc Frieden sprach vom Frieden.") == ("Luc Frieden",)
    assert people("Lawrow warnt\nDer Außenminister äußerte sich.") == ("Sergej Lawrow",)  # a headline is no sentence


def test_the_shipped_table_on_real_spellings() -> None:
    found = find_entities(
        "Selenskyj-Putin-Treffen ungewiss\nUS-Präsident Donald Trump sprach mit Wolodymyr Selenskyj in Kyjiw. "
        "Die Nato und die Vereinten Nationen schwiegen.",
        AliasTable.shipped(),
    )
    assert set(found["person"]) == {"Wolodymyr Selenskyj", "Wladimir Putin", "Donald Trump"}
    assert "Kiew" in found["place"]
    assert set(found["org"]) == {"NATO", "Vereinte Nationen"}


# -- in the index ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("entities"))


@pytest.fixture(scope="module")
def searcher(corpus_index: Path) -> Iterator[Searcher]:
    with Searcher(corpus_index) as opened:
        yield opened


def ids(searcher: Searcher, query: str) -> set[str]:
    result = searcher.search(query, limit=100)
    return {hit.id for hit in result.hits}


def test_the_index_stores_the_names_of_each_article(corpus_index: Path) -> None:
    stored = indexed_articles(corpus_index)
    assert stored["n1"]["people"].split("\n") == ["Sergej Lawrow", "Marco Rubio"]
    assert stored["n3"]["orgs"].split("\n") == ["NATO", "Vereinte Nationen"]
    assert stored["g1"]["places"].split("\n")[:2] == ["Odessa", "Schwarzes Meer"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("person:Lawrow", {"n1", "n3"}),  # n3 writes "Lavrov"
        ("person:lavrov", {"n1", "n3"}),
        ('person:"Sergey Lavrov"', {"n1", "n3"}),
        ("person:Law*", {"n1", "n3"}),
        ("person:Rutte", {"n2"}),
        ("place:Kiew", {"n2"}),  # written "Kyiv"
        ("place:Kyjiw", {"n2"}),
        ('place:"Den Haag"', {"n2", "n3"}),
        ("org:NATO", {"n2", "n3"}),  # n2 writes "Nato-Staaten"
        ("org:UNO", {"c1", "n3"}),  # both write "Vereinten Nationen"
        ("org:NATO -person:Lawrow", {"n2"}),
        ("person:Lawrow source:tagesschau", {"n3"}),
        ("place:Odessa Weizen", {"g1", "g2", "g3"}),
        ("person:Niemand", set()),
    ],
)
def test_entity_fields_are_searchable(searcher: Searcher, query: str, expected: set[str]) -> None:
    assert ids(searcher, query) == expected


def test_an_entity_query_marks_the_names_as_written(searcher: Searcher) -> None:
    hit = next(h for h in searcher.search("person:Lawrow").hits if h.id == "n3")
    marked = [s.text[a:b] for s in hit.snippets for a, b in s.spans]
    assert marked == ["Lavrov"]


def test_entity_facets(corpus_index: Path) -> None:
    result = run_cli("search", "Den Haag", "--index", corpus_index, "--facets", "people,places,orgs", "--json")
    assert result.exit_code == 0, result.stderr
    facets = json.loads(result.stdout)["facets"]
    assert facets["people"] == {"Mark Rutte": 1, "Sergej Lawrow": 1, "Wolodymyr Selenskyj": 1}
    assert facets["places"]["Den Haag"] == 2 and facets["places"]["Kiew"] == 1
    assert facets["orgs"] == {"NATO": 2, "Vereinte Nationen": 1}


def test_indexing_without_entities(tmp_path: Path) -> None:
    from analyst_corpus import write_corpus
    from index import IndexConfig, index_paths

    index_paths(tmp_path / "ix", [write_corpus(tmp_path / "c.jsonl")], IndexConfig(entities=False))
    assert "people" not in indexed_articles(tmp_path / "ix")["n1"]
    with Searcher(tmp_path / "ix") as searcher:
        result = searcher.search("Lawrow", facets=("people",))
        assert result.total == 2 and result.facets == {"people": {}}
        assert searcher.search("person:Lawrow").total == 0


def test_two_processes_find_the_same_names(corpus_index: Path, tmp_path: Path) -> None:
    """In a two-process run the workers find the names, with the run's own alias table."""
    from analyst_corpus import write_corpus
    from index import IndexConfig, index_paths

    corpus = write_corpus(tmp_path / "c.jsonl")
    index_paths(tmp_path / "two", [corpus], IndexConfig(procs=2))
    names = ("people", "places", "orgs")
    one = {id_: [fields.get(name) for name in names] for id_, fields in indexed_articles(corpus_index).items()}
    two = {id_: [fields.get(name) for name in names] for id_, fields in indexed_articles(tmp_path / "two").items()}
    assert two == one and two["n1"][0] == "Sergej Lawrow\nMarco Rubio"

    own_table = AliasTable.from_lines(["person\tAußenminister Lawrow\tSergej Lawrow | Lawrow"], source="test")
    index_paths(tmp_path / "own", [corpus], IndexConfig(procs=2, aliases=own_table))
    assert indexed_articles(tmp_path / "own")["n1"]["people"] == "Außenminister Lawrow"
