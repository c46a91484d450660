"""A small corpus for the analyst's tools (facets, timeline, related articles, shell, export).

Every article's date, source and category is chosen here, and the tests derive
what they expect from these records, not from the program's output:

* seven articles say ``Waffenstillstand`` (``CEASEFIRE``): five dated in
  January, March and May 2025 (none in February and April), one undated and
  without a source, one more in May;
* three articles are about the grain deal (``GRAIN``): freighters, Odessa,
  wheat, the Bosporus; the two others are each one's most related articles;
* three name diplomats, places and alliances in different spellings
  (``Lavrov``, ``Kyiv``, ``Nato``), for the entity fields.

``write_corpus(path)`` writes them as JSON lines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Record:
    id: str
    title: str
    body: str
    date: str = ""
    source: str = ""
    category: str = ""


CEASEFIRE = [
    Record(
        "c1",
        "Waffenstillstand in Gaza tritt in Kraft",
        "Nach Verhandlungen in Kairo gilt seit Sonntag ein Waffenstillstand. "
        "Die Vereinten Nationen wollen Hilfsgüter liefern.",
        "2025-01-10",
        "tagesschau",
        "politik",
    ),
    Record(
        "c2",
        "Geiseln kommen frei",
        "Der Waffenstillstand hält: drei Geiseln kamen frei. Katar und Ägypten vermitteln weiter.",
        "2025-01-24",
        "zeit",
        "international",
    ),
    Record(
        "c3",
        "Waffenstillstand wackelt",
        "Beide Seiten werfen einander vor, den Waffenstillstand gebrochen zu haben.",
        "2025-03-05",
        "zeit",
        "international",
    ),
    Record(
        "c4",
        "Vermittler reisen nach Doha",
        "Die zweite Phase des Waffenstillstand-Abkommens soll in Doha verhandelt werden. Waffenstillstand bleibt das Ziel.",
        "2025-03-18",
        "euronews",
        "politik",
    ),
    Record(
        "c5",
        "Hilfsgüter erreichen den Norden",
        "Dank dem Waffenstillstand erreichten erstmals Lastwagen den Norden des Gazastreifens.",
        "2025-03-29",
        "tagesschau",
        "politik",
    ),
    Record(
        "c6",
        "Kommentar: Was ein Waffenstillstand wert ist",
        "Ein Waffenstillstand ist kein Frieden, aber ohne ihn gibt es keinen.",
    ),
    Record(
        "c7",
        "Waffenstillstand endet",
        "Nach neuen Angriffen erklärten beide Seiten den Waffenstillstand für beendet.",
        "2025-05-02",
        "derstandard",
        "kommentar",
    ),
]

GRAIN = [
    Record(
        "g1",
        "Getreideabkommen: Frachter verlassen Odessa",
        "Drei Frachter mit Weizen haben den Hafen von Odessa verlassen. Das Getreideabkommen sichert einen "
        "Korridor durch das Schwarze Meer. Die Türkei kontrolliert die Frachter am Bosporus.",
        "2024-07-15",
        "tagesschau",
        "wirtschaft",
    ),
    Record(
        "g2",
        "Korridor im Schwarzen Meer bleibt offen",
        "Weitere Frachter mit Weizen und Mais liefen aus Odessa aus. Das Getreideabkommen gilt zunächst bis "
        "Herbst; die Kontrollen der Frachter am Bosporus dauern an.",
        "2024-08-02",
        "euronews",
        "wirtschaft",
    ),
    Record(
        "g3",
        "Weizenpreise fallen",
        "Seit Frachter wieder aus Odessa auslaufen, fallen die Preise für Weizen. Händler hoffen, dass das "
        "Getreideabkommen verlängert wird und der Bosporus offen bleibt.",
        "2024-12-30",
        "zeit",
        "wirtschaft",
    ),
]

DIPLOMACY = [
    Record(
        "n1",
        "Lawrow trifft Rubio in Riad",
        "Der russische Außenminister Sergej Lawrow und US-Außenminister Marco Rubio sprachen in Riad über "
        "die Ukraine. Lawrow nannte das Treffen nützlich.",
        "2025-02-11",
        "derstandard",
        "politik",
    ),
    Record(
        "n2",
        "Gipfel in Den Haag",
        "Die Nato-Staaten einigten sich in Den Haag auf höhere Ausgaben. Generalsekretär Mark Rutte sprach "
        "von einem historischen Tag.\nAus Kyiv reiste Präsident Selenskyj an.",
        "2025-06-24",
        "euronews",
        "politik",
    ),
    Record(
        "n3",
        "Moskau kritisiert NATO",
        "Moskau reagierte scharf auf die Beschlüsse von Den Haag. Außenminister Lavrov warf dem Bündnis "
        "Aufrüstung vor. Auch die Vereinten Nationen mahnten zur Zurückhaltung.",
        "2025-06-30",
        "tagesschau",
        "politik",
    ),
]

RECORDS = CEASEFIRE + GRAIN + DIPLOMACY


def write_corpus(path: Path) -> Path:
    """Write the records as JSON lines (empty fields left out) and return the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for record in RECORDS:
            handle.write(json.dumps({k: v for k, v in asdict(record).items() if v}, ensure_ascii=False) + "\n")
    return path


def build_index(tmp_path: Path) -> Path:
    """An index of the corpus in ``tmp_path``; fails unless every record was added."""
    from index import index_paths

    index_dir = tmp_path / "ix"
    summary = index_paths(index_dir, [write_corpus(tmp_path / "corpus.jsonl")])
    assert (summary.added, summary.failed) == (len(RECORDS), 0), summary.errors
    return index_dir
