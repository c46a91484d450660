#!/usr/bin/env python3
"""Where an index's bytes go: per kind of file, and per field the postings and term entries.

Reads an index that diplosearch wrote (``diplosearch index``) and prints two
tables: the bytes of each kind of file (postings ``.pst``, term entries
``.trm``, stored text and per-article columns ``.col``, the stem store), and
for each indexed field how many term entries its segments hold and the bytes
of its postings (in blocks of the ``.pst`` file, or inline in the term entry
for rare terms). A term that is in several segments counts once per segment,
as it is stored.

Usage: python scripts/index_sizes.py INDEX_DIR [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.store import open_index, read_meta  # noqa: E402


def file_kinds(index_dir: Path) -> dict[str, int]:
    """Bytes per kind of file: the data folder's files by extension, and the stem store."""
    data = index_dir / read_meta(index_dir).data
    sizes: Counter[str] = Counter()
    for path in data.iterdir():
        if path.is_file():
            kind = "stored fields (_stored.col)" if path.name.endswith("._stored.col") else path.suffix or path.name
            sizes[kind] += path.stat().st_size
    for path in index_dir.iterdir():
        if path.is_file():
            sizes[path.name] += path.stat().st_size
    return dict(sizes)


def field_postings(index_dir: Path) -> dict[str, dict[str, int]]:
    """Per indexed field: term entries, the bytes of their keys, and of their postings (blocks and inline)."""
    ix = open_index(index_dir)
    fields: dict[str, Counter[str]] = {}
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for name in leaf.indexed_field_names():
                counts = fields.setdefault(name, Counter())
                for term in leaf.lexicon(name):
                    info = leaf.term_info(name, term)
                    counts["terms"] += 1
                    counts["key_bytes"] += len(term)
                    if info.is_inlined():
                        counts["inline_bytes"] += len(pickle.dumps(info.inlined_postings(), 2))
                    else:
                        length = info.extent()[1]
                        counts["block_bytes"] += length[0] if isinstance(length, tuple) else length
    ix.close()
    return {name: dict(counts) for name, counts in fields.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    from tabulate import tabulate

    try:
        kinds = file_kinds(args.index_dir)
        fields = field_postings(args.index_dir)
    except Exception as exc:  # a script: one line, whatever went wrong
        print(f"error: cannot read the index at {args.index_dir}: {exc}", file=sys.stderr)
        return 1
    total = sum(kinds.values())
    rows: list[list[Any]] = [
        [kind, f"{size / 1e6:,.1f}", f"{size / total:.0%}"] for kind, size in sorted(kinds.items(), key=lambda kv: -kv[1])
    ]
    rows.append(["all", f"{total / 1e6:,.1f}", "100%"])
    print(tabulate(rows, headers=["files", "MB", "share"], tablefmt="github", disable_numparse=True))
    print()
    ordered = sorted(fields.items(), key=lambda kv: -(kv[1].get("block_bytes", 0) + kv[1].get("inline_bytes", 0)))
    field_rows = [
        [
            name,
            f"{counts.get('terms', 0):,}",
            f"{counts.get('block_bytes', 0) / 1e6:,.1f}",
            f"{counts.get('inline_bytes', 0) / 1e6:,.1f}",
            f"{counts.get('key_bytes', 0) / 1e6:,.1f}",
        ]
        for name, counts in ordered
    ]
    print(
        tabulate(
            field_rows,
            headers=["field", "term entries", "postings blocks, MB", "inline postings, MB", "term keys, MB"],
            tablefmt="github",
            disable_numparse=True,
        )
    )
    if args.json:
        args.json.write_text(json.dumps({"files": kinds, "fields": fields}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
