"""Where an index lives on disk: its directory, its metadata, its lock.

An index directory holds::

    diplosearch.json   which data folder is current, the schema version, times
    diplosearch.lock   held (flock) by the one process writing the index
    data-N/            the Whoosh index itself

A rebuild writes ``data-N+1/`` beside the current data and then switches
``diplosearch.json`` to it with an atomic rename, so a killed rebuild leaves
the previous index in place. The lock is an ``flock``: the kernel releases it
when its process dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
import struct
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import IndexDamaged, IndexIncompatible, IndexLocked, IndexNotFound
from .schema import SCHEMA_VERSION, build_schema

__all__ = ["IndexMeta", "IndexLock", "read_meta", "write_meta", "open_index", "now_iso"]

META_NAME = "diplosearch.json"
LOCK_NAME = "diplosearch.lock"
DATA_PREFIX = "data-"

# Errors that reading a damaged Whoosh index raises.
_READ_ERRORS = (OSError, EOFError, ValueError, KeyError, struct.error, pickle.UnpicklingError, zlib.error)


def now_iso() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class IndexMeta:
    """What ``diplosearch.json`` records about an index."""

    schema_version: int
    data: str
    created: str
    updated: str

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "diplosearch",
            "schema_version": self.schema_version,
            "data": self.data,
            "created": self.created,
            "updated": self.updated,
        }


def read_meta(index_dir: Path) -> IndexMeta:
    """Read an index's metadata.

    :raises IndexNotFound: when there is no index at ``index_dir``.
    :raises IndexDamaged: when the metadata file is unreadable.
    """
    path = Path(index_dir) / META_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexNotFound(
            f"no index at {index_dir}; create one with 'diplosearch index PATH --index {index_dir}'"
        ) from None
    except (OSError, ValueError) as exc:
        raise IndexDamaged(
            f"cannot read {path} ({exc}); rebuild with 'diplosearch index --rebuild PATH --index {index_dir}'"
        ) from None
    if not isinstance(raw, dict) or raw.get("format") != "diplosearch":
        raise IndexDamaged(f"{path} is not a diplosearch index file")
    try:
        return IndexMeta(
            schema_version=int(raw["schema_version"]),
            data=str(raw["data"]),
            created=str(raw.get("created", "")),
            updated=str(raw.get("updated", "")),
        )
    except (KeyError, TypeError, ValueError):
        raise IndexDamaged(
            f"{path} is incomplete; rebuild with 'diplosearch index --rebuild PATH --index {index_dir}'"
        ) from None


def write_meta(index_dir: Path, meta: IndexMeta) -> None:
    """Write the metadata atomically (a reader sees the old or the new file, never half)."""
    path = Path(index_dir) / META_NAME
    tmp = path.with_name(f".{META_NAME}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(meta.to_json(), handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def check_version(index_dir: Path, meta: IndexMeta) -> None:
    """Refuse an index written with another schema version."""
    if meta.schema_version != SCHEMA_VERSION:
        raise IndexIncompatible(
            f"the index at {index_dir} has schema version {meta.schema_version}, this diplosearch "
            f"reads version {SCHEMA_VERSION}; rebuild it with 'diplosearch index --rebuild PATH --index {index_dir}'"
        )


def open_index(index_dir: Path) -> Any:
    """Open the current Whoosh index of a diplosearch index directory for reading.

    :raises IndexNotFound: no index there.
    :raises IndexIncompatible: written with another schema version.
    :raises IndexDamaged: files missing or unreadable.
    """
    from whoosh.index import EmptyIndexError, open_dir

    index_dir = Path(index_dir)
    meta = read_meta(index_dir)
    check_version(index_dir, meta)
    data_dir = index_dir / meta.data
    try:
        return open_dir(str(data_dir), schema=build_schema())
    except EmptyIndexError:
        raise IndexDamaged(
            f"the index data in {data_dir} is missing; rebuild with "
            f"'diplosearch index --rebuild PATH --index {index_dir}'"
        ) from None
    except _READ_ERRORS as exc:
        raise IndexDamaged(
            f"the index in {data_dir} cannot be read ({exc}); rebuild with "
            f"'diplosearch index --rebuild PATH --index {index_dir}'"
        ) from None


def remove_stale_data(index_dir: Path, keep: str) -> None:
    """Delete data folders other than ``keep`` (left by a rebuild, finished or killed)."""
    for entry in Path(index_dir).iterdir():
        if entry.is_dir() and entry.name.startswith(DATA_PREFIX) and entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)


def next_data_name(index_dir: Path) -> str:
    """A data folder name not used yet in ``index_dir``."""
    numbers = [0]
    for entry in Path(index_dir).iterdir():
        suffix = entry.name[len(DATA_PREFIX) :]
        if entry.name.startswith(DATA_PREFIX) and suffix.isdigit():
            numbers.append(int(suffix))
    return f"{DATA_PREFIX}{max(numbers) + 1}"


class IndexLock:
    """The writer lock of an index directory.

    :param index_dir: the index directory (created if missing).
    :param timeout: seconds to wait for another writer before giving up.
    :raises IndexLocked: from :meth:`acquire` when the wait runs out.
    """

    def __init__(self, index_dir: Path, timeout: float) -> None:
        self.index_dir = Path(index_dir)
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        self.index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.index_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise IndexLocked(
                        f"another process is writing the index at {self.index_dir} "
                        f"(waited {self.timeout:g} s); try again when it has finished"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __enter__(self) -> "IndexLock":
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
