"""What a German reader means: compound parts, and the other names of people, places and organisations.

Two small corpora are written to a temporary folder and indexed once for the
module: one about compounds, one about names. Each article is short enough to
check an expected result by reading it. Queries go through the Python API
(``from searcher import Searcher``) and the command line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Mapping

import pytest
from conftest import run_cli, write

from index import IndexConfig, index_paths
from index.aliases import AliasTable
from index.compounds import parts_of
from searcher import Hit, Searcher, SearchError, SearchResult

# -- the corpora ---------------------------------------------------------------------------------

COMPOUND_ARTICLES = {
    # "Garantien" only inside a compound, three times; dated later than the
    # whole-word article, so a tie of scores would put it first.
    "schutzzusagen.txt": """---
date: 2025-09-02
---
Ukraine pocht auf Schutz nach dem Krieg

Die Ukraine fordert Sicherheitsgarantien für die Zeit nach dem Krieg. Ohne feste Sicherheitsgarantien
werde es keinen dauerhaften Frieden geben, hieß es aus der Delegation. Über die Sicherheitsgarantien
soll im Herbst weiter gesprochen werden.
""",
    # "Garantien" as a whole word, once, in a body of about the same length.
    "garantien.txt": """---
date: 2025-09-01
---
Berlin prüft Zusagen für die Zeit nach dem Krieg

Die Regierung will Garantien für die Ukraine erst nach einem Ende der Kämpfe geben. Ein Sprecher
nannte am Montag keine Einzelheiten zu dem Vorhaben der Koalition. Weitere Gespräche mit den
Partnern sollen im Herbst folgen.
""",
    "gaza-abkommen.txt": """---
date: 2025-10-10
---
Neues Waffenstillstandsabkommen für Gaza

Israel und die Hamas haben in Kairo das Waffenstillstandsabkommen unterzeichnet. Vermittler aus
Katar und Ägypten sprachen von einem Durchbruch.
""",
    "handel.txt": """---
date: 2025-10-11
---
Abkommen mit Kanada tritt in Kraft

Der Vertrag über den Handel zwischen der Europäischen Union und Kanada gilt ab Montag.
""",
    # Words that look like compounds but are not.
    "wien.txt": """---
date: 2025-10-12
---
Verhandlungen in Wien

Der Botschafter aus Österreich und ein Diplomat aus Frankreich berichteten über die Verhandlungen.
Natürlich litten auch die Konsumenten unter den Sanktionen, sagte die Ministerin.
""",
    # Real compounds with "Reich" and the whole word "Lungen".
    "lazarett.txt": """---
date: 2025-10-13
---
Ärzte aus dem Königreich helfen

Ärzte aus dem Vereinigten Königreich behandelten Verletzte mit kranken Lungen.
""",
}

NAME_ARTICLES = {
    "kiew.txt": """Kanzler zu Besuch in Kiew

Der Bundeskanzler ist am Morgen mit dem Zug in Kiew eingetroffen.
""",
    "kyiv.txt": """Stromausfall in der Hauptstadt

Nach russischen Angriffen fiel in Kyiv am Morgen der Strom aus, meldete eine Zeitung.
""",
    "selenskyj.txt": """Präsident bittet um Luftabwehr

Präsident Selenskyj bat die Verbündeten erneut um mehr Flugabwehrsysteme.
""",
    "lawrow.txt": """Moskau weist Vorschlag zurück

Der russische Außenminister Sergej Lawrow lehnte den Vorschlag ab. Lawrow sprach von einer Provokation.
""",
    "vereinte.txt": """Warnung vor einer Hungersnot

Die Vereinten Nationen warnen vor einer Hungersnot im Sudan.
""",
    "uno.txt": """Hilfskonvoi erreicht die Stadt

Ein Konvoi der UNO brachte Lebensmittel und Medikamente in die Stadt.
""",
    "erdogan.txt": """Ankara bietet Vermittlung an

Der türkische Präsident Recep Tayyip Erdoğan bot an, Gespräche in Istanbul auszurichten.
""",
    "putin.txt": """Kreml kündigt Rede an

Putin will sich am Freitag an das Volk wenden.
""",
    "vladimir.txt": """Interview mit einem Sender

In dem Gespräch nannte der Moderator den russischen Präsidenten stets Vladimir Putin.
""",
    "vollname.txt": """Glückwünsche aus dem Ausland

Zum Geburtstag gratulierten Gäste Wladimir Wladimirowitsch Putin in Sankt Petersburg.
""",
}


def build_index(base: Path, articles: Mapping[str, str], config: IndexConfig | None = None) -> Path:
    """Write ``articles`` as files under ``base`` and index them; every one must be added."""
    for name, text in articles.items():
        write(base / "news" / name, text)
    index_dir = base / "ix"
    summary = index_paths(index_dir, [base / "news"], config)
    assert (summary.added, summary.failed) == (len(articles), 0)
    return index_dir


@pytest.fixture(scope="module")
def compound_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("compounds"), COMPOUND_ARTICLES)


@pytest.fixture(scope="module")
def compounds(compound_index: Path) -> Iterator[Searcher]:
    with Searcher(compound_index) as opened:
        yield opened


@pytest.fixture(scope="module")
def names_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("names"), NAME_ARTICLES)


@pytest.fixture(scope="module")
def names(names_index: Path) -> Iterator[Searcher]:
    with Searcher(names_index) as opened:
        yield opened


def ids(searcher: Searcher, query: str) -> list[str]:
    """The ids of every hit, best first."""
    result = searcher.search(query, limit=100)
    assert result.total == len(result.hits)
    return [hit.id for hit in result.hits]


def marked(hit: Hit) -> list[str]:
    """The marked words of a hit's snippets (title first, then body), as the text shows them."""
    return [snippet.text[start:end] for snippet in hit.snippets for start, end in snippet.spans]


def hit_by_id(result: SearchResult, article_id: str) -> Hit:
    return next(hit for hit in result.hits if hit.id == article_id)


# -- the splitter ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Sicherheitsgarantien", ("sicherheit", "garantien")),
        ("Bundesregierung", ("bundes", "regierung")),
        ("Menschenrechte", ("menschen", "rechte")),
        ("Grenzzaun", ("grenze", "zaun")),  # the dropped e of Grenze restored
        ("Außenministerin", ("aussen", "ministerin")),  # folded: ß is ss
        ("Waffenstillstandsabkommen", ("waffen", "stillstands", "waffenstillstands", "abkommen")),
    ],
)
def test_compounds_split_into_their_parts(word: str, parts: tuple[str, ...]) -> None:
    assert parts_of(word) == parts


@pytest.mark.parametrize(
    "word",
    ["Verhandlungen", "Sanktionen", "Botschafter", "Diplomat", "Ministerin", "Konsumenten", "Österreich",
     "Frankreich", "Österreichs", "natürlich", "Garantien"],
)
def test_words_that_are_no_compounds_stay_whole(word: str) -> None:
    assert parts_of(word) == ()


def test_only_capitalised_words_are_split() -> None:
    # German nouns are capitalised; the same letters in lower case are left whole.
    assert parts_of("sicherheitsgarantien") == ()
    assert parts_of("Sicherheitsgarantien") != ()


# -- compounds in search ---------------------------------------------------------------------------


def test_a_part_finds_the_compound_and_ranks_below_the_whole_word(compounds: Searcher) -> None:
    result = compounds.search("Garantien")
    # The compound article says it three times and is newer; the whole word still wins.
    assert [hit.id for hit in result.hits] == ["garantien.txt", "schutzzusagen.txt"]
    assert result.hits[0].score is not None and result.hits[1].score is not None
    assert result.hits[0].score > result.hits[1].score


def test_a_part_match_marks_the_whole_compound(compounds: Searcher) -> None:
    result = compounds.search("Garantien")
    assert marked(hit_by_id(result, "schutzzusagen.txt")) == ["Sicherheitsgarantien"] * 3
    assert marked(hit_by_id(result, "garantien.txt")) == ["Garantien"]


def test_a_part_match_marks_the_whole_compound_in_the_shown_article(compounds: Searcher) -> None:
    article = compounds.article("gaza-abkommen.txt", "Abkommen")
    assert [article.title[s:e] for s, e in article.title_spans] == ["Waffenstillstandsabkommen"]
    assert [article.body[s:e] for s, e in article.body_spans] == ["Waffenstillstandsabkommen"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Sicherheit", {"schutzzusagen.txt"}),  # the modifier
        ("Waffenstillstand", {"gaza-abkommen.txt"}),  # a modifier that is itself a compound
        ("Waffen", {"gaza-abkommen.txt"}),
        ("Abkommen", {"gaza-abkommen.txt", "handel.txt"}),
        ("Sicherheitsgarantien", {"schutzzusagen.txt"}),  # the whole compound, as before
        ("Reich", {"lazarett.txt"}),  # Königreich, not Österreich or Frankreich
        ("Lungen", {"lazarett.txt"}),  # the word, not Verhandlungen
        ("Handlungen", set()),  # Verhandlungen is no compound
        ("Enten", set()),  # nor Konsumenten
        ("Ionen", set()),  # nor Sanktionen
        ("Reich Lungen", {"lazarett.txt"}),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_compound_parts_find_exactly_these_articles(compounds: Searcher, query: str, expected: set[str]) -> None:
    assert set(ids(compounds, query)) == expected


def test_a_whole_word_in_the_title_outranks_a_part(compounds: Searcher) -> None:
    assert ids(compounds, "Abkommen") == ["handel.txt", "gaza-abkommen.txt"]


def test_a_phrase_does_not_match_inside_a_compound(compounds: Searcher) -> None:
    assert ids(compounds, '"Garantien für"') == ["garantien.txt"]
    assert ids(compounds, '"Sicherheitsgarantien für"') == ["schutzzusagen.txt"]
    assert marked(compounds.search('"Garantien für"').hits[0]) == ["Garantien für"]


def test_a_title_query_does_not_match_parts(compounds: Searcher) -> None:
    # The Gaza headline holds "Abkommen" only inside "Waffenstillstandsabkommen".
    assert ids(compounds, "title:Abkommen") == ["handel.txt"]
    assert ids(compounds, "title:Waffenstillstand") == []
    assert ids(compounds, "title:Waffenstillstandsabkommen") == ["gaza-abkommen.txt"]
    assert ids(compounds, "title:Reich") == []
    assert ids(compounds, "title:Königreich") == ["lazarett.txt"]


def test_compound_parts_can_be_turned_off(tmp_path: Path) -> None:
    index_dir = build_index(tmp_path, COMPOUND_ARTICLES, IndexConfig(compound_parts=False))
    with Searcher(index_dir) as searcher:
        assert ids(searcher, "Garantien") == ["garantien.txt"]
        assert ids(searcher, "Waffenstillstand") == []
        assert ids(searcher, "Sicherheitsgarantien") == ["schutzzusagen.txt"]
        assert marked(searcher.search("Garantien").hits[0]) == ["Garantien"]


def test_the_command_line_finds_and_marks_the_compound(compound_index: Path) -> None:
    result = run_cli("search", "Garantien", "--index", compound_index, "--json")
    assert result.exit_code == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    assert [hit["id"] for hit in hits] == ["garantien.txt", "schutzzusagen.txt"]
    words = [s["text"][a:b] for s in hits[1]["snippets"] for a, b in s["spans"]]
    assert words == ["Sicherheitsgarantien"] * 3


# -- names: the shipped alias table ----------------------------------------------------------------


def test_the_shipped_table_lists_the_names_tested_here() -> None:
    by_canonical = {entity.canonical: set(entity.names) for entity in AliasTable.shipped().entities}
    assert {"Kiew", "Kyiv", "Kiev", "Kyjiw"} <= by_canonical["Kiew"]
    assert {"Selenskyj", "Zelensky"} <= by_canonical["Wolodymyr Selenskyj"]
    assert {"Lawrow", "Lavrov"} <= by_canonical["Sergej Lawrow"]
    assert {"UN", "UNO"} <= by_canonical["Vereinte Nationen"]
    assert {"Putin", "Vladimir Putin", "Wladimir Wladimirowitsch Putin"} <= by_canonical["Wladimir Putin"]


KIEW = {"kiew.txt", "kyiv.txt"}
PUTIN_FULL = {"vladimir.txt", "vollname.txt"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kyiv", KIEW),
        ("Kiev", KIEW),
        ("Kyjiw", KIEW),
        ("Kiew", KIEW),  # and back: the German name finds the English one
        ("kyiv", KIEW),
        ('"Kyiv"', KIEW),
        ("title:Kyiv", {"kiew.txt"}),
        ("title:Kiew", {"kiew.txt"}),
        ("body:Kiev", KIEW),
        ("Zelensky", {"selenskyj.txt"}),
        ("Zelenskyy", {"selenskyj.txt"}),
        ("Lavrov", {"lawrow.txt"}),
        ("Lawrow", {"lawrow.txt"}),
        ('"Sergey Lavrov"', {"lawrow.txt"}),
        ("UN", {"vereinte.txt", "uno.txt"}),
        ("UNO", {"vereinte.txt", "uno.txt"}),
        ('"Vereinte Nationen"', {"vereinte.txt", "uno.txt"}),
        ("Erdogan", {"erdogan.txt"}),
        ("Putin", {"putin.txt"} | PUTIN_FULL),
        # A quoted full name stays a full name: the surname alone is broader.
        ('"Wladimir Putin"', PUTIN_FULL),
        ('"Vladimir Putin"', PUTIN_FULL),
        ("Kyiv -Kiew", set()),  # a negated name excludes all its spellings
        ("Lavrov Provokation", {"lawrow.txt"}),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_names_find_exactly_these_articles(names: Searcher, query: str, expected: set[str]) -> None:
    found = ids(names, query)
    assert len(found) == len(set(found))
    assert set(found) == expected


@pytest.mark.parametrize(
    ("query", "article_id", "words"),
    [
        ("Kyiv", "kiew.txt", ["Kiew", "Kiew"]),
        ("Kiew", "kyiv.txt", ["Kyiv"]),
        ("Zelensky", "selenskyj.txt", ["Selenskyj"]),
        # Only the surname: "Sergej Lawrow" is a name of the same person, but the first name was not asked for.
        ("Lawrow", "lawrow.txt", ["Lawrow", "Lawrow"]),
        ("Lavrov", "lawrow.txt", ["Lawrow", "Lawrow"]),
        ('"Sergej Lawrow"', "lawrow.txt", ["Sergej Lawrow"]),
        ("UN", "vereinte.txt", ["Vereinten Nationen"]),
        ("UN", "uno.txt", ["UNO"]),
        ("Erdogan", "erdogan.txt", ["Erdoğan"]),
        ('"Wladimir Putin"', "vladimir.txt", ["Vladimir Putin"]),
        ('"Wladimir Putin"', "vollname.txt", ["Wladimir Wladimirowitsch Putin"]),
    ],
)
def test_names_mark_the_name_as_the_article_wrote_it(
    names: Searcher, query: str, article_id: str, words: list[str]
) -> None:
    assert marked(hit_by_id(names.search(query), article_id)) == words


def test_aliases_can_be_turned_off(names_index: Path) -> None:
    with Searcher(names_index, aliases=AliasTable([])) as searcher:
        assert ids(searcher, "Kyiv") == ["kyiv.txt"]
        assert ids(searcher, "Zelensky") == []
        assert ids(searcher, "UN") == []
        assert ids(searcher, '"Wladimir Putin"') == []
        # Folding diacritics is no alias: it stays on.
        assert ids(searcher, "Erdogan") == ["erdogan.txt"]


# -- names: the user's own alias tables ------------------------------------------------------------

OWN_TABLE = "# spellings of our news agency\nkind\tcanonical\tvariants\nperson\tLawrow\tLawrov | Lavrow\n"


@pytest.fixture
def no_config(tmp_path: Path) -> dict[str, str]:
    """An environment whose configuration folder has no alias table, whatever the developer's has."""
    folder = tmp_path / "empty-config"
    folder.mkdir()
    return {"XDG_CONFIG_HOME": str(folder)}


def cli_ids(result_stdout: str) -> list[str]:
    return [hit["id"] for hit in json.loads(result_stdout)["hits"]]


def test_own_table_on_the_command_line(names_index: Path, tmp_path: Path, no_config: dict[str, str]) -> None:
    table = write(tmp_path / "own.tsv", OWN_TABLE)
    without = run_cli("search", "Lawrov", "--index", names_index, "--json", env=no_config)
    assert without.exit_code == 0, without.stderr
    assert cli_ids(without.stdout) == []
    for variant in ("Lawrov", "Lavrow"):
        result = run_cli("search", variant, "--index", names_index, "--aliases", table, "--json", env=no_config)
        assert result.exit_code == 0, result.stderr
        assert cli_ids(result.stdout) == ["lawrow.txt"]
    # The shipped table still applies beside the user's own.
    result = run_cli("search", "Kyiv", "--index", names_index, "--aliases", table, "--json", env=no_config)
    assert set(cli_ids(result.stdout)) == KIEW


def test_own_table_marks_in_show(names_index: Path, tmp_path: Path, no_config: dict[str, str]) -> None:
    table = write(tmp_path / "own.tsv", OWN_TABLE)
    result = run_cli(
        "show", "lawrow.txt", "--query", "Lawrov", "--index", names_index, "--aliases", table, "--json", env=no_config
    )
    assert result.exit_code == 0, result.stderr
    article = json.loads(result.stdout)
    assert [article["body"][a:b] for a, b in article["body_spans"]] == ["Lawrow", "Lawrow"]


def test_own_table_through_the_api(names_index: Path, tmp_path: Path) -> None:
    table = write(tmp_path / "own.tsv", OWN_TABLE)
    with Searcher(names_index, aliases=AliasTable.from_files([table])) as searcher:
        assert ids(searcher, "Lawrov") == ["lawrow.txt"]
        assert set(ids(searcher, "Kyiv")) == KIEW
    with Searcher(names_index, aliases=AliasTable.from_files([table], shipped=False)) as searcher:
        assert ids(searcher, "Lawrov") == ["lawrow.txt"]
        assert ids(searcher, "Kyiv") == ["kyiv.txt"]


def test_own_table_saved_by_a_windows_editor(names_index: Path, tmp_path: Path) -> None:
    # A byte order mark and CRLF line ends, as spreadsheet programs write them.
    table = write(tmp_path / "own.tsv", ("\ufeff" + OWN_TABLE.replace("\n", "\r\n")).encode("utf-8"))
    with Searcher(names_index, aliases=AliasTable.from_files([table])) as searcher:
        assert ids(searcher, "Lavrow") == ["lawrow.txt"]


def test_a_missing_own_table_through_the_api_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.tsv"
    with pytest.raises(SearchError) as raised:
        AliasTable.from_files([missing])
    assert str(missing) in str(raised.value)


def test_own_table_in_the_config_folder(names_index: Path, tmp_path: Path) -> None:
    config = tmp_path / "config"
    write(config / "diplosearch" / "aliases.tsv", OWN_TABLE)
    result = run_cli("search", "Lawrov", "--index", names_index, "--json", env={"XDG_CONFIG_HOME": str(config)})
    assert result.exit_code == 0, result.stderr
    assert cli_ids(result.stdout) == ["lawrow.txt"]
    shown = run_cli(
        "show", "lawrow.txt", "--query", "Lawrov", "--index", names_index, "--json",
        env={"XDG_CONFIG_HOME": str(config)},
    )
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout)["body_spans"] != []


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        (OWN_TABLE + "persn\tPutin\tPutyn\n", 4, "kind must be one of person, place, org, not 'persn'"),
        (OWN_TABLE + "person\tPutin\tPutyn\textra\n", 4, "expected 'kind<TAB>canonical<TAB>variants', got 4 columns"),
        ("# one name, no tab at all\nPutin\n", 2, "expected 'kind<TAB>canonical<TAB>variants'"),
    ],
    ids=["wrong kind", "four columns", "one column"],
)
@pytest.mark.parametrize("command", ["search", "show"])
def test_a_malformed_own_table_is_one_error_line(
    names_index: Path, tmp_path: Path, no_config: dict[str, str], content: str, line: int, says: str, command: str
) -> None:
    table = write(tmp_path / "bad.tsv", content)
    args = ("search", "Putin") if command == "search" else ("show", "putin.txt", "--query", "Putin")
    result = run_cli(*args, "--index", names_index, "--aliases", table, env=no_config)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {table}:{line}: ")
    assert says in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_malformed_table_in_the_config_folder_is_named(names_index: Path, tmp_path: Path) -> None:
    config = tmp_path / "config"
    table = write(config / "diplosearch" / "aliases.tsv", "place\tKiew\tKyiv\torg\n")
    result = run_cli("search", "Kyiv", "--index", names_index, env={"XDG_CONFIG_HOME": str(config)})
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {table}:1: ")
    assert result.stderr.count("\n") == 1


def test_a_missing_own_table_is_a_usage_error(names_index: Path, tmp_path: Path, no_config: dict[str, str]) -> None:
    missing = tmp_path / "nowhere.tsv"
    result = run_cli("search", "Kyiv", "--index", names_index, "--aliases", missing, env=no_config)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage:" in result.stderr
    assert f"'{missing}' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_edited_own_table_is_read_anew(names_index: Path, tmp_path: Path, no_config: dict[str, str]) -> None:
    # Each set of tables keeps its lookup in the cache; an edit must not find the old one.
    cache = tmp_path / "cache"
    env = {**no_config, "XDG_CACHE_HOME": str(cache)}
    table = write(tmp_path / "own.tsv", OWN_TABLE)
    for _ in range(2):  # builds the lookup, then reads it from the cache
        result = run_cli("search", "Lawrov", "--index", names_index, "--aliases", table, "--json", env=env)
        assert cli_ids(result.stdout) == ["lawrow.txt"]
    assert list((cache / "diplosearch").iterdir()) != []
    write(table, OWN_TABLE.replace("Lawrov | Lavrow", "Lavrow"))
    result = run_cli("search", "Lawrov", "--index", names_index, "--aliases", table, "--json", env=env)
    assert cli_ids(result.stdout) == []
    result = run_cli("search", "Lavrow", "--index", names_index, "--aliases", table, "--json", env=env)
    assert cli_ids(result.stdout) == ["lawrow.txt"]


def test_a_damaged_or_unwritable_alias_cache_changes_nothing(names_index: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache)}
    first = run_cli("search", "Kyiv", "--index", names_index, "--json", env=env)
    assert set(cli_ids(first.stdout)) == KIEW
    kept = list((cache / "diplosearch").iterdir())
    assert kept != []
    for path in kept:
        path.write_bytes(path.read_bytes()[:40])  # cut short, as a full disk leaves it
    damaged = run_cli("search", "Kyiv", "--index", names_index, "--json", env=env)
    assert damaged.exit_code == 0, damaged.stderr
    assert set(cli_ids(damaged.stdout)) == KIEW
    a_file = write(tmp_path / "not-a-folder", "")
    unwritable = run_cli("search", "Kyiv", "--index", names_index, "--json", env={"XDG_CACHE_HOME": str(a_file)})
    assert unwritable.exit_code == 0, unwritable.stderr
    assert unwritable.stderr == ""
    assert set(cli_ids(unwritable.stdout)) == KIEW


def test_the_alias_cache_keeps_only_the_recent_lookups(names_index: Path, tmp_path: Path, no_config: dict[str, str]) -> None:
    cache = tmp_path / "cache"
    env = {**no_config, "XDG_CACHE_HOME": str(cache)}
    for n in range(12):  # a table edited twelve times
        table = write(tmp_path / "own.tsv", OWN_TABLE + f"place\tOrt{n}\tStadt{n}\n")
        result = run_cli("search", "Lawrov", "--index", names_index, "--aliases", table, "--json", env=env)
        assert cli_ids(result.stdout) == ["lawrow.txt"]
    assert len(list((cache / "diplosearch").iterdir())) == 8


def test_an_own_spelling_joins_the_shipped_entity(names_index: Path, tmp_path: Path) -> None:
    # The line shares the name Kiew with the shipped entry: Kyjiv then finds Kyiv and Kiev too.
    table = tmp_path / "own.tsv"
    table.write_text("kind\tcanonical\tvariants\nplace\tKiew\tKyjiv\n", encoding="utf-8")
    with Searcher(names_index, aliases=AliasTable.from_files([table])) as searcher:
        assert set(ids(searcher, "Kyjiv")) == KIEW


def test_an_unquoted_full_name_stays_a_full_name(names: Searcher) -> None:
    assert set(ids(names, "Wladimir Putin")) == set(ids(names, '"Wladimir Putin"')) == PUTIN_FULL
