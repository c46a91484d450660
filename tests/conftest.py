"""Fixtures and helpers shared by the test modules.

Paths: ``seed_dir``, ``index_dir``, ``shared_dir``. The CLI: :func:`run_cli`.
What an index holds: :func:`stats_json`, :func:`indexed_articles`.
Test modules import the helpers with ``from conftest import run_cli``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest
from click.testing import CliRunner, Result

REPO_ROOT = Path(__file__).resolve().parents[1]


# -- paths -------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The run's own ``$XDG_CACHE_HOME``: tests neither read nor fill the developer's cache."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture
def seed_dir() -> Path:
    """The project's ``seeds/`` folder (the sample corpus)."""
    return REPO_ROOT / "seeds"


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    """A not yet existing index directory in the test's own temporary folder."""
    return tmp_path / "ix"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository (corpora that are not shipped); skips when absent."""
    path = (Path(__file__).parents[1] / ".." / "shared").resolve()
    if not path.is_dir():
        pytest.skip(f"../shared is absent: {path} does not exist (a fresh clone has no corpora)")
    return path


# -- the command line ----------------------------------------------------------


def run_cli(*args: object, env: Mapping[str, str | None] | None = None) -> Result:
    """Run ``diplosearch ARGS...`` in this process and return click's result.

    ``result.stdout`` and ``result.stderr`` are separate (click >= 8.2).
    ``DIPLOSEARCH_INDEX`` is unset unless ``env`` sets it, so that the
    developer's own environment cannot change what a test sees.
    """
    from searcher.cli import cli

    environment: dict[str, str | None] = {"DIPLOSEARCH_INDEX": None}
    environment.update(env or {})
    return CliRunner().invoke(cli, [str(arg) for arg in args], env=environment)


def stats_json(index_dir: Path) -> dict[str, Any]:
    """``diplosearch stats --index DIR --json``, parsed; fails the test unless it exits 0."""
    result = run_cli("stats", "--index", index_dir, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def indexed_articles(index_dir: Path) -> dict[str, dict[str, Any]]:
    """The stored fields of every article in the index, by id."""
    from index import open_index

    ix = open_index(index_dir)
    try:
        with ix.reader() as reader:
            stored = (reader.stored_fields(docnum) for docnum in reader.all_doc_ids())
            return {fields["id"]: dict(fields) for fields in stored}
    finally:
        ix.close()


def write(path: Path, content: str | bytes) -> Path:
    """Write a file (creating its folders): text as UTF-8, bytes as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
