#!/usr/bin/env python3
"""Build index/data/nouns.txt.gz, the noun lexicon of the compound splitter.

Source: the ``nouns.csv`` of the ``german-nouns`` package (German nouns and
their inflected forms compiled from the German Wiktionary, CC BY-SA 4.0).
Kept: every single-word form of nouns, places and other proper names
included (Sonne, Europa and Bosnien are parts of compounds too), but not
first and family names, abbreviations, affixes and multi-word entries; folded
as the analyzer folds words (index.analysis.fold), at least three letters long.

Also writes index/data/names.txt.gz: the forms of place names (Toponym), which the splitter
never splits (Österreich is no
Ost-Reich for a reader of the news).

Usage: python scripts/build_lexicon.py PATH/TO/nouns.csv
(``pip download --no-deps german-nouns`` and unzip the wheel to get it.)
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.analysis import fold  # noqa: E402

NOT_COMMON_NOUNS = {
    "Vorname", "Nachname", "Abkürzung", "Buchstabe", "Symbol",
    "Straßenname", "Affix", "Suffix", "Gebundenes Lexem", "Wortverbindung", "Redewendung",
    "Grußformel", "Geflügeltes Wort", "Zahlklassifikator", "Partikel",
}  # fmt: skip
DATA = Path(__file__).resolve().parents[1] / "index" / "data"
NAMES = {"Toponym"}


def _forms(row: dict[str, str]) -> set[str]:
    forms = set()
    for column, value in row.items():
        if column == "pos" or column.startswith("genus") or not value:
            continue
        word = value.strip()
        if word.isalpha() and word[0].isupper():
            forms.add(fold(word.lower()))
    return forms


def _write(path: Path, words: set[str], what: str) -> None:
    header = (
        f"# {what}, folded, one a line. Derived from the German Wiktionary via the\n"
        "# german-nouns package (nouns.csv); licence CC BY-SA 4.0. Built by scripts/build_lexicon.py.\n"
    )
    lines = "\n".join(sorted(w for w in words if len(w) >= 3))
    path.write_bytes(gzip.compress((header + lines + "\n").encode("utf-8"), 9, mtime=0))
    print(f"{len(words):,} forms written to {path}")


def main(source: str) -> None:
    nouns: set[str] = set()
    names: set[str] = set()
    with open(source, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kinds = set(row["pos"].split(","))
            if kinds & NAMES:
                names |= _forms(row)
            if not kinds & NOT_COMMON_NOUNS:
                nouns |= _forms(row)
    _write(DATA / "nouns.txt.gz", nouns, "German noun forms")
    _write(DATA / "names.txt.gz", names, "German forms of place names")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
