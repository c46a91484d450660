"""Reading articles from files: formats, titles, dates, encodings, bad records."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Mapping

import pytest
from conftest import write

from index import Article, DocumentError, RecordFailure, parse_date, read_articles
from index.documents import derive_title

SEED_NAME = "000_230d9d416a8d1689.txt"
SEED_TITLE = "NATO-Chef: Putin darf die Ukraine nie wieder angreifen"


def read(
    path: Path, field_map: Mapping[str, str] | None = None
) -> tuple[list[Article | RecordFailure], list[tuple[str, str]]]:
    """The items read from ``path`` (relative to its folder) and the warnings given."""
    warnings: list[tuple[str, str]] = []
    items = list(
        read_articles(path, root=path.parent, field_map=field_map, warn=lambda where, msg: warnings.append((where, msg)))
    )
    return items, warnings


def read_one(path: Path, field_map: Mapping[str, str] | None = None) -> Article:
    items, _ = read(path, field_map)
    assert len(items) == 1 and isinstance(items[0], Article), items
    return items[0]


def failure(path: Path) -> str:
    """The message of the DocumentError that reading a whole file raises."""
    with pytest.raises(DocumentError) as caught:
        read(path)
    return caught.value.message


# -- the seed article ------------------------------------------------------------


def test_seed_article_title_is_its_first_line(seed_dir: Path) -> None:
    article = read_one(seed_dir / SEED_NAME)
    assert article.id == SEED_NAME
    assert article.title == SEED_TITLE
    assert article.body.startswith("Die Unterstützung der NATO für die Ukraine")


def test_seed_subheading_and_trailing_today_stay_in_the_body(seed_dir: Path) -> None:
    text = (seed_dir / SEED_NAME).read_text(encoding="utf-8")
    article = read_one(seed_dir / SEED_NAME)
    lines = article.body.split("\n")
    assert "Selenskyj-Putin-Treffen" in lines
    assert lines[-1] == "Today"
    # Nothing but the headline and the blank line after it left the body.
    assert article.body == text.split("\n", 2)[2].strip("\n")


# -- text and Markdown -------------------------------------------------------------


def test_txt_headline_is_the_first_non_empty_line(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\n\n  Gipfel in Brüssel  \n\nDie Außenminister tagen.\nZweite Zeile.\n")
    article = read_one(path)
    assert (article.id, article.title, article.body) == (
        "a.txt",
        "Gipfel in Brüssel",
        "Die Außenminister tagen.\nZweite Zeile.",
    )
    assert article.date is None and article.source == "" and article.path == str(path)


def test_txt_with_windows_line_ends(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"Gipfel\r\nErste Zeile.\r\nZweite Zeile.\r\n")
    article = read_one(path)
    assert (article.title, article.body) == ("Gipfel", "Erste Zeile.\nZweite Zeile.")


def test_md_headline_loses_its_hashes(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "a.md", "# Gipfel in Brüssel\n\nText des Artikels.\n"))
    assert (article.title, article.body) == ("Gipfel in Brüssel", "Text des Artikels.")


def test_front_matter_sets_the_metadata(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.md",
        "---\n"
        "date: 2025-08-22T10:00:00+02:00\n"
        "source: Euronews\n"
        "url: https://de.euronews.com/a\n"
        "category: Politik\n"
        "title: \"Rutte in Kyjiw\"\n"
        "id: euronews-1\n"
        "---\n"
        "Die NATO steht zur Ukraine.\n"
        "Zweiter Absatz.\n",
    )
    article = read_one(path)
    assert article == Article(
        id="euronews-1",
        title="Rutte in Kyjiw",
        # The front matter names the headline, so the first line is text.
        body="Die NATO steht zur Ukraine.\nZweiter Absatz.",
        date=datetime(2025, 8, 22, 8, 0),
        source="Euronews",
        url="https://de.euronews.com/a",
        category="Politik",
        path=str(path),
    )


def test_front_matter_without_title_keeps_the_first_line_as_headline(tmp_path: Path) -> None:
    article = read_one(write(tmp_path / "a.txt", "---\nsource: ORF\n---\nGipfel\nText.\n"))
    assert (article.id, article.title, article.body, article.source) == ("a.txt", "Gipfel", "Text.", "ORF")


def test_front_matter_without_its_closing_line_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "---\nsource: ORF\ndate: 2025-01-01\n")
    assert "no closing '---'" in failure(path)


def test_front_matter_running_into_the_text_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "---\nsource: ORF\n\nGipfel in Brüssel\nText.\n")
    assert failure(path) == "front matter line 4 is not 'key: value'"


@pytest.mark.parametrize("content", ["", "  \n\n \n"])
def test_empty_text_file_fails(tmp_path: Path, content: str) -> None:
    assert failure(write(tmp_path / "a.txt", content)) == "empty file"


# -- JSON lines, JSON, CSV -------------------------------------------------------------


def test_jsonl_one_article_per_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        '{"id": "r1", "title": "Gipfel", "body": "Text eins.", "date": "2025-08-22", "source": "APA",'
        ' "url": "https://apa.at/1", "category": "Politik"}\n'
        "\n"
        '{"id": 2, "title": "Sanktionen", "body": "Text zwei."}\n',
    )
    items, warnings = read(path)
    assert items == [
        Article("r1", "Gipfel", "Text eins.", datetime(2025, 8, 22), "APA", "https://apa.at/1", "Politik", str(path)),
        Article("2", "Sanktionen", "Text zwei.", path=str(path)),
    ]
    assert warnings == []


def test_json_array(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '[{"id": "a", "title": "A", "body": "x"}, {"id": "b", "title": "B", "body": "y"}]')
    items, _ = read(path)
    assert [(a.id, a.title, a.body) for a in items if isinstance(a, Article)] == [("a", "A", "x"), ("b", "B", "y")]


def test_json_object_is_one_article(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '{\n  "id": "a",\n  "title": "Gipfel",\n  "body": "Text."\n}\n')
    assert (read_one(path).id, read_one(path).title) == ("a", "Gipfel")


def test_json_array_entry_that_is_no_object_fails_alone(tmp_path: Path) -> None:
    items, _ = read(write(tmp_path / "a.json", '[{"id": "a", "title": "A"}, 42, {"id": "b", "title": "B"}]'))
    assert [i.id if isinstance(i, Article) else i.path for i in items] == ["a", "a.json[1]", "b"]


def test_invalid_json_file_is_one_failure(tmp_path: Path) -> None:
    items, _ = read(write(tmp_path / "a.json", '[{"id": "a", "title": "A"},'))
    assert len(items) == 1 and isinstance(items[0], RecordFailure)
    assert items[0].path == "a.json" and "invalid JSON" in items[0].error


def test_csv_with_header(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv",
        'id,title,body,date,source\nc1,Gipfel,"Text, mit Komma\nund zweiter Zeile",24.11.2026,APA\nc2,Wahl,Text.,,\n',
    )
    items, _ = read(path)
    assert items == [
        Article("c1", "Gipfel", "Text, mit Komma\nund zweiter Zeile", datetime(2026, 11, 24), "APA", path=str(path)),
        Article("c2", "Wahl", "Text.", path=str(path)),
    ]


def test_csv_whose_header_names_no_field_fails(tmp_path: Path) -> None:
    items, _ = read(write(tmp_path / "a.csv", "headline,text\nGipfel,Text\n"))
    assert len(items) == 1 and isinstance(items[0], RecordFailure)
    assert "header names none of the fields" in items[0].error


def test_field_map_reads_other_key_names(tmp_path: Path) -> None:
    jsonl = write(tmp_path / "a.jsonl", '{"key": "k1", "headline": "Gipfel", "text": "Der Text.", "published": "2025-01-02"}\n')
    csv = write(tmp_path / "a.csv", "key,headline,text\nk2,Wahl,Ein Text.\n")
    field_map = {"id": "key", "title": "headline", "body": "text", "date": "published"}
    assert read_one(jsonl, field_map=field_map) == Article(
        "k1", "Gipfel", "Der Text.", datetime(2025, 1, 2), path=str(jsonl)
    )
    assert read_one(csv, field_map=field_map) == Article("k2", "Wahl", "Ein Text.", path=str(csv))
    # Without the map the record has no known text field.
    items, _ = read(jsonl)
    assert items == [RecordFailure("a.jsonl:1", "record has neither title nor body")]


def test_record_without_id_gets_one_from_file_and_line(tmp_path: Path) -> None:
    items, _ = read(write(tmp_path / "a.jsonl", '{"title": "A"}\n{"title": "B"}\n'))
    assert [a.id for a in items if isinstance(a, Article)] == ["a.jsonl#1", "a.jsonl#2"]


def test_record_with_neither_title_nor_body_fails(tmp_path: Path) -> None:
    items, _ = read(write(tmp_path / "a.jsonl", '{"id": "a", "source": "APA"}\n'))
    assert items == [RecordFailure("a.jsonl:1", "record has neither title nor body")]


# -- derived titles ------------------------------------------------------------------


def test_record_without_title_gets_its_first_sentence(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        '{"id": "a", "title": null, "body": "Die NATO tagt in Brüssel. Danach reisen alle ab."}\n'
        '{"id": "b", "body": "Wien – Kein Satzende in der ersten Zeile\\nZweite Zeile."}\n',
    )
    items, _ = read(path)
    assert [a.title for a in items if isinstance(a, Article)] == [
        "Die NATO tagt in Brüssel.",
        "Wien – Kein Satzende in der ersten Zeile",
    ]


def test_derived_title_of_a_long_sentence_is_cut_at_a_word() -> None:
    body = "Die Außenminister der Europäischen Union haben sich am Montag in Brüssel auf ein weiteres Paket von Sanktionen geeinigt. Mehr."
    title = derive_title(body)
    assert title.endswith("…") and len(title) <= 91
    assert body.startswith(title[:-1]) and body[len(title) - 1] == " "


def test_derived_title_keeps_abbreviations_dots_inside_words() -> None:
    # A dot not followed by white space ends no sentence.
    assert derive_title("Die U.S.-Regierung und die EU verhandeln. Mehr.") == "Die U.S.-Regierung und die EU verhandeln."


# -- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-08-22", datetime(2025, 8, 22)),
        ("2025-08-22 10:15", datetime(2025, 8, 22, 10, 15)),
        ("2025-08-22T10:15:00+02:00", datetime(2025, 8, 22, 8, 15)),
        ("2025-08-22T10:15:00Z", datetime(2025, 8, 22, 10, 15)),
        ("24.11.2026", datetime(2026, 11, 24)),
        ("24.11.2026 18:30", datetime(2026, 11, 24, 18, 30)),
        ("2025/08/22", datetime(2025, 8, 22)),
        ("22. August 2025", datetime(2025, 8, 22)),
        ("Fri, 22 Aug 2025 10:15:00 +0200", datetime(2025, 8, 22, 8, 15)),
    ],
)
def test_dates_in_common_forms(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["gestern", "31.02.2025", "2025-13-01", "24.11."])
def test_invalid_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_invalid_date_warns_and_the_record_is_indexed_without_one(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        '{"id": "a", "title": "A", "date": "2025-08-22"}\n'
        '{"id": "b", "title": "B", "date": "31.02.2025"}\n'
        '{"id": "c", "title": "C", "date": "gestern"}\n',
    )
    items, warnings = read(path)
    assert [(a.id, a.date) for a in items if isinstance(a, Article)] == [
        ("a", datetime(2025, 8, 22)),
        ("b", None),
        ("c", None),
    ]
    assert [where for where, _ in warnings] == ["a.jsonl:2", "a.jsonl:3"]
    assert all(message.endswith("indexed without a date") for _, message in warnings)
    assert "gestern" in warnings[1][1]


def test_invalid_front_matter_date_warns(tmp_path: Path) -> None:
    article_path = write(tmp_path / "a.txt", "---\ndate: bald\n---\nGipfel\nText\n")
    items, warnings = read(article_path)
    assert isinstance(items[0], Article) and items[0].date is None
    assert len(warnings) == 1 and warnings[0][0] == "a.txt" and "bald" in warnings[0][1]


# -- encodings -----------------------------------------------------------------------


def test_utf8_with_bom(tmp_path: Path) -> None:
    text = write(tmp_path / "a.txt", "\ufeffÄußerung\nText".encode("utf-8"))
    jsonl = write(tmp_path / "a.jsonl", '\ufeff{"id": "a", "title": "Äußerung"}\n'.encode("utf-8"))
    csv = write(tmp_path / "a.csv", "\ufeffid,title\nc,Äußerung\n".encode("utf-8"))
    for path in (text, jsonl, csv):
        items, warnings = read(path)
        assert [a.title for a in items if isinstance(a, Article)] == ["Äußerung"], path
        assert warnings == []


def test_cp1252_is_read_with_a_warning(tmp_path: Path) -> None:
    text = write(tmp_path / "a.txt", "Präsident trifft Außenminister\nGespräche über „Sanktionen“".encode("cp1252"))
    article = read_one(text)
    assert (article.title, article.body) == ("Präsident trifft Außenminister", "Gespräche über „Sanktionen“")
    _, warnings = read(text)
    assert warnings == [("a.txt", "not valid UTF-8; read as cp1252 (Windows-1252)")]


def test_cp1252_lines_in_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = write(tmp_path / "a.jsonl", b'{"id": "a", "title": "Gipfel"}\n' + '{"id": "b", "title": "Ärger"}\n'.encode("cp1252"))
    items, warnings = read(jsonl)
    assert [a.title for a in items if isinstance(a, Article)] == ["Gipfel", "Ärger"]
    assert len(warnings) == 1 and "line 2" in warnings[0][1] and "cp1252" in warnings[0][1]
    csv = write(tmp_path / "a.csv", "id,title\nc,Öl\n".encode("cp1252"))
    items, warnings = read(csv)
    assert [a.title for a in items if isinstance(a, Article)] == ["Öl"] and len(warnings) == 1


def test_binary_file_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in failure(path)


def test_undecodable_file_is_skipped(tmp_path: Path) -> None:
    # 0x81 and 0x9d are neither UTF-8 here nor defined in cp1252.
    path = write(tmp_path / "a.txt", b"Gipfel\n\x81\x9d")
    assert "neither UTF-8 nor cp1252" in failure(path)


def test_unsupported_file_type_fails(tmp_path: Path) -> None:
    assert "unsupported file type .pdf" in failure(write(tmp_path / "a.pdf", "%PDF"))


# -- bad records in the middle of a file ---------------------------------------------------


def test_malformed_json_line_fails_alone(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.jsonl",
        '{"id": "1", "title": "Eins"}\n{"id": "2", "title": \n{"id": "3", "title": "Drei"}\n["no object"]\n{"id": "5", "title": "Fünf"}\n',
    )
    items, _ = read(path)
    assert [i.id if isinstance(i, Article) else i.path for i in items] == ["1", "a.jsonl:2", "3", "a.jsonl:4", "5"]
    assert isinstance(items[1], RecordFailure) and "invalid JSON" in items[1].error


def test_binary_line_in_jsonl_fails_alone(tmp_path: Path) -> None:
    items, _ = read(write(tmp_path / "a.jsonl", b'{"id": "1", "title": "A"}\n\x00\x01\n{"id": "3", "title": "C"}\n'))
    assert [i.id if isinstance(i, Article) else i.path for i in items] == ["1", "a.jsonl:2", "3"]


def test_ragged_csv_rows_fail_alone(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "id,title,body\n1,Eins,x\n2,Zwei\n3,Drei,x,zu viel\n\n4,Vier,x\n")
    items, _ = read(path)
    assert [i.id if isinstance(i, Article) else i.path for i in items] == ["1", "a.csv:3", "a.csv:4", "4"]
    assert items[1] == RecordFailure("a.csv:3", "row has 2 cells, the header has 3")


@pytest.mark.parametrize("bad", [b"2,Zw\x00ei,x", b"2,Zw\x81\x9dei,x"])
def test_unreadable_csv_line_fails_alone(tmp_path: Path, bad: bytes) -> None:
    path = write(tmp_path / "a.csv", b"id,title,body\n1,Eins,x\n" + bad + b"\n3,Drei,x\n4,Vier,x\n")
    items, _ = read(path)
    assert [i.id if isinstance(i, Article) else i.path for i in items] == ["1", "a.csv:3", "3", "4"]
