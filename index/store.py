"""Where an index lives on disk: its directory, its metadata, its lock.

An index directory holds::

    diplosearch.json   which data folder is current, the schema version, times
    diplosearch.lock   held (flock) by the one process writing the index
    data-N/            the Whoosh index itself

A rebuild writes ``data-N+1/`` beside the current data and then switches
``diplosearch.json`` to it with an atomic rename, so a killed rebuild leaves
the previous index in place. The lock is an ``flock``: the kernel releases it
when its process dies, so a killed run never leaves a stale lock behind.

A reader sees the index as it was when it was opened, while writers go on:
the files of its segments are held open (see :class:`_HoldingStorage`), so a
commit that merges them away cannot pull them from under it.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
import struct
import threading
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import FileFormatError
from whoosh.filedb.structfile import StructFile
from whoosh.index import FileIndex
from whoosh.index import IndexError as WhooshIndexError
from whoosh.reading import CorruptIndexError, TermNotFound

from .errors import IndexDamaged, IndexIncompatible, IndexLocked, IndexNotFound
from .schema import SCHEMA_VERSION, build_schema

__all__ = ["IndexMeta", "IndexLock", "read_meta", "write_meta", "open_index", "index_damage", "now_iso"]

META_NAME = "diplosearch.json"
LOCK_NAME = "diplosearch.lock"
DATA_PREFIX = "data-"

# Errors that Whoosh's code raises when the bytes of an index file are not what
# it wrote: cut short, overwritten, or gone. Raised elsewhere they mean something else.
_READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    OverflowError,
    struct.error,
    pickle.UnpicklingError,
    zlib.error,
)
# Of the OSErrors, those that say a file is missing, cut short or unreadable.
_DAMAGE_ERRNOS = (errno.ENOENT, errno.EINVAL, errno.EOVERFLOW, errno.EIO)
# Whoosh's own errors for files it cannot make sense of (TermNotFound: a column
# file is gone).
_WHOOSH_DAMAGE = (CorruptIndexError, FileFormatError, WhooshIndexError, TermNotFound)


def now_iso() -> str:
    """The current UTC time as ISO 8601, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class IndexMeta(NamedTuple):  # a NamedTuple: defining a dataclass costs about 1 ms of every search's start
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
    """Write the metadata atomically (a reader sees the old or the new file, never half).

    When writing fails (a full disk), the old file stays as it was and the
    temporary file is removed.
    """
    path = Path(index_dir) / META_NAME
    tmp = path.with_name(f".{META_NAME}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(meta.to_json(), handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_version(index_dir: Path, meta: IndexMeta) -> None:
    """Refuse an index written with another schema version."""
    if meta.schema_version != SCHEMA_VERSION:
        raise IndexIncompatible(
            f"the index at {index_dir} has schema version {meta.schema_version}, this diplosearch "
            f"reads version {SCHEMA_VERSION}; rebuild it with 'diplosearch index --rebuild PATH --index {index_dir}'"
        )


def index_damage(index_dir: Path | str, exc: BaseException) -> IndexDamaged | None:
    """The :class:`IndexDamaged` that ``exc`` stands for, or None when it is no sign of damage.

    An error is a sign of damage when Whoosh raised it while reading the index
    files: its own errors for unreadable files, a missing file, or a decoding
    error in its code (bytes cut short or overwritten).

    :param index_dir: the index directory, named in the message.
    :param exc: an exception raised while reading the index.
    """
    if not isinstance(exc, _WHOOSH_DAMAGE):
        if not isinstance(exc, _READ_ERRORS) or not _raised_in_whoosh(exc):
            return None
        if isinstance(exc, OSError) and exc.errno not in _DAMAGE_ERRNOS:
            return None
    if isinstance(exc, OSError) and exc.strerror:
        detail = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    else:
        lines = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {lines[0][:120]}" if lines else type(exc).__name__
    return IndexDamaged(
        f"the index at {index_dir} is damaged ({detail}); rebuild it with "
        f"'diplosearch index --rebuild PATH --index {index_dir}'"
    )


def _raised_in_whoosh(exc: BaseException) -> bool:
    """Whether Whoosh's code, rather than diplosearch's, made the call that raised ``exc``.

    Frames of the standard library (a decoder, ``os.path``) are passed over.
    """
    last = ""
    tb = exc.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.partition(".")[0] in ("whoosh", "index", "searcher"):
            last = module
        tb = tb.tb_next
    return last.startswith("whoosh.")


def open_index(index_dir: Path) -> Any:
    """Open the current Whoosh index of a diplosearch index directory.

    Readers of the returned index each see the index as it was when they were
    opened, however many commits follow (until they are refreshed).

    :raises IndexNotFound: no index there.
    :raises IndexIncompatible: written with another schema version.
    :raises IndexDamaged: files missing or unreadable.
    """
    from whoosh.index import EmptyIndexError

    index_dir = Path(index_dir)
    meta = read_meta(index_dir)
    check_version(index_dir, meta)
    data_dir = index_dir / meta.data
    try:
        storage = _HoldingStorage(str(data_dir))
        return storage.open_index(schema=build_schema(), indexclass=_HoldingIndex)
    except EmptyIndexError:
        raise IndexDamaged(
            f"the index data in {data_dir} is missing; rebuild with "
            f"'diplosearch index --rebuild PATH --index {index_dir}'"
        ) from None
    except (*_READ_ERRORS, *_WHOOSH_DAMAGE) as exc:
        damage = index_damage(index_dir, exc)
        if damage is None:
            raise
        raise damage from None


_OPEN_ATTEMPTS = 10


class _HoldingStorage(FileStorage):
    """A Whoosh file storage that holds on to the files of the segments a reader was opened on.

    Whoosh opens most files of a segment (its columns: lengths, stored fields,
    dates) only when a search first needs them, and a commit deletes the files
    of the segments it merged away. A reader opened before that commit would
    find them gone. So when a reader is opened, every file of its segments is
    opened at once and held until the reader opens it itself; a deleted file
    that is still open stays readable.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._held: dict[str, BinaryIO] = {}
        self._known: set[str] = set()  # files of the segments of the newest reader
        self._guard = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        # Sent to the worker processes of a multi-process writer: without the
        # held files, which belong to this process.
        state = dict(self.__dict__)
        state.update(_held={}, _known=set(), _guard=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._guard = threading.Lock()

    def hold(self, segment_ids: set[str]) -> None:
        """Hold the files of these segments; let go of those of any other segment."""
        with self._guard:
            for name in self.list():
                if name.partition(".")[0] in segment_ids and name not in self._known:
                    self._held[name] = open(self._fpath(name), "rb", buffering=0)
                    self._known.add(name)
            for name in [n for n in self._known if n.partition(".")[0] not in segment_ids]:
                self._known.discard(name)
                handle = self._held.pop(name, None)
                if handle is not None:
                    handle.close()

    def release(self) -> None:
        """Let go of every held file."""
        with self._guard:
            for handle in self._held.values():
                handle.close()
            self._held.clear()
            self._known.clear()

    def file_exists(self, name: str) -> bool:
        return name in self._known or bool(super().file_exists(name))

    def file_length(self, name: str) -> int:
        try:
            return int(super().file_length(name))
        except FileNotFoundError:
            with self._guard:
                handle = self._held.get(name)
                if handle is None:
                    raise
                return os.fstat(handle.fileno()).st_size

    def open_file(self, name: str, **kwargs: Any) -> Any:
        with self._guard:
            handle = self._held.pop(name, None)
        if handle is None:
            return super().open_file(name, **kwargs)
        try:
            return super().open_file(name, **kwargs)
        except FileNotFoundError:
            return StructFile(_reopen(handle), name=name, **kwargs)
        finally:
            handle.close()


def _reopen(handle: BinaryIO) -> BinaryIO:
    """A new reading handle on the file of ``handle``, even when that file was deleted."""
    try:
        # Its own position, unlike a duplicated descriptor (Linux).
        return open(f"/proc/self/fd/{handle.fileno()}", "rb")
    except OSError:
        return os.fdopen(os.dup(handle.fileno()), "rb")


class _HoldingIndex(FileIndex):
    """A Whoosh index whose readers each see one commit, complete.

    Two changes to Whoosh's readers: the files of a reader's segments are held
    (see :class:`_HoldingStorage`), and a refreshed reader is built afresh from
    the newest table of contents. Whoosh would reuse the old reader's segment
    readers, with the deletions they had then, and keep segments a commit
    merged away, so that an updated article was counted twice.
    """

    def reader(self, reuse: Any = None) -> Any:
        """A reader of the newest commit; :class:`IndexDamaged` when its files cannot be read."""
        try:
            fresh = self._fresh_reader()
        except (*_READ_ERRORS, *_WHOOSH_DAMAGE) as exc:
            damage = index_damage(Path(self.storage.folder).parent, exc)
            if damage is None:
                raise
            raise damage from None
        if reuse is not None:
            reuse.close()
        return fresh

    def _fresh_reader(self) -> Any:
        storage = self.storage
        for attempt in range(1, _OPEN_ATTEMPTS + 1):
            generation = self.latest_generation()
            try:
                toc = self._read_toc()
                if isinstance(storage, _HoldingStorage):
                    storage.hold({segment.segment_id() for segment in toc.segments})
                if attempt < _OPEN_ATTEMPTS and self.latest_generation() != toc.generation:
                    continue  # a commit came in between and may have deleted some of these files
                return self._reader(storage, toc.schema, toc.segments, toc.generation)
            except OSError:
                # A file deleted by a commit just as it was opened: read the new
                # table of contents. Without a commit in between it is simply missing.
                if attempt == _OPEN_ATTEMPTS or self.latest_generation() == generation:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def close(self) -> None:
        if isinstance(self.storage, _HoldingStorage):
            self.storage.release()


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
