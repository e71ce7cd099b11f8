"""Results memo: tables computed from cached data, kept on disk and served again unchanged.

The screen of every product (:func:`esc.study.screen`) costs seconds of DuckDB work each time;
a report asks for the same screen from several notebooks, and a rerun of a notebook asks for
it again. :func:`memoised` stores such a table once as Parquet under
``<cache_dir()>/memo/<kind>/<key>.parquet`` (pandas keeps the column types and ``df.attrs``,
the data label included, in the file's metadata) and returns it on the next call whose key is
the same.

The key (:func:`memo_key`) is a SHA-256 over everything that can change the table:

- ``kind`` and the call's parameters (canonical JSON; a parameter that is not plain data, such
  as a DataFrame or a function, makes the call unmemoised);
- the data: the source's provenance (:func:`esc.data.provenance`: every cached entry's
  sidecar, with its release, sha256 and creation time) and the size and modification time of
  each data file the source reads (:func:`esc.data.scan`); a source whose provenance names no
  ``sha256`` is never memoised;
- :func:`environment`: one SHA-256 over esc's Python source files, esc's own data files
  (``data/*.csv``), the partner groups file named by ``$ESC_GROUPS_FILE`` and the name, size and
  modification time of every file in the data folder (the Atlas PCI table is read from there).

So an edit of esc's code, a re-import or regeneration of the data, a replaced file in the data
folder or any other parameter gives another key, and the stored table is not used: a stale
result is never served. Entries are written to a temporary file and moved into place under a
per-key lock, and a second process asking for a key being computed waits for it instead of
computing it twice (two notebooks of a report running at once). ``ESC_MEMO=0`` turns the memo
off. The memo keeps within ``$ESC_MEMO_MB`` megabytes (default 2048): after a write, the
entries used longest ago are removed until it fits (:func:`prune`; a hit marks its entry
used). :func:`clear` removes every entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

import esc
from esc import cache, data
from esc.cache import sha256_file
from esc.config import cache_dir, data_dir, package_data_dir
from esc.errors import EscError

log = logging.getLogger(__name__)

__all__ = ["MEMO_VERSION", "clear", "enabled", "environment", "limit_bytes", "memo_key",
           "memo_path", "memoised", "plain", "prune"]

MEMO_VERSION = 1
"""Part of every key: raised when the stored layout changes."""
ENV_SWITCH = "ESC_MEMO"
"""``ESC_MEMO=0`` (or ``off``, ``false``, ``no``) turns the memo off."""
ENV_LIMIT = "ESC_MEMO_MB"
"""Size budget of the memo in MB (default :data:`DEFAULT_LIMIT_MB`)."""
DEFAULT_LIMIT_MB = 2048


class NotPlain(TypeError):
    """A parameter that cannot be part of a key (a DataFrame, a function, an object)."""


def enabled() -> bool:
    """False when ``$ESC_MEMO`` says ``0``, ``off``, ``false`` or ``no``."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "off", "false", "no")


def plain(value: Any) -> Any:
    """``value`` as canonical JSON data (sets sorted, tuples as lists); raises
    :class:`NotPlain` for anything else.

    >>> plain({"g": frozenset({"JPN", "IND"}), "r": ("IND",), "x": None})
    {'g': ['IND', 'JPN'], 'r': ['IND'], 'x': None}
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    raise NotPlain(f"{type(value).__name__} cannot be part of a memo key")


def environment() -> str:
    """SHA-256 over esc's source files, its data files, ``$ESC_GROUPS_FILE`` and the data
    folder's listing (name, size, modification time of each file)."""
    digest = hashlib.sha256()
    for path in sorted(Path(esc.__file__).parent.rglob("*.py")):
        digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for path in sorted(package_data_dir().glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + sha256_file(path).encode())
    groups = os.environ.get("ESC_GROUPS_FILE")
    if groups:
        found = Path(groups)
        digest.update(b"groups\0" + (sha256_file(found).encode() if found.is_file()
                                     else groups.encode()))
    root = data_dir()
    if root is not None and root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(root).as_posix()}\0{stat.st_size}\0"
                              f"{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _file_stats(paths: list[str]) -> list[list[Any]]:
    out = []
    for name in paths:
        stat = Path(name).stat()
        out.append([str(name), stat.st_size, stat.st_mtime_ns])
    return out


def data_state(source: str) -> dict[str, Any] | None:
    """What identifies ``source``'s data now: its provenance and the size and modification
    time of the files it is read from; None when the provenance has no ``sha256`` (such data
    is never memoised)."""
    try:
        provenance = dict(data.provenance(source))
    except (OSError, ValueError, EscError) as exc:  # e.g. a source with no data imported yet
        log.info("memo off for %s: no provenance (%s)", source, exc)
        return None
    if not cache.provenance_hashes(provenance):
        return None
    found = data.scan(source)
    files = _file_stats(list(found.paths)) if found is not None else []
    return {"provenance": provenance, "files": files}


def memo_key(kind: str, params: Mapping[str, Any], state: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over ``kind``, the parameters, the data ``state`` and
    :func:`environment` (raises :class:`NotPlain` for a parameter that is not plain data)."""
    payload = {"memo": MEMO_VERSION, "kind": kind, "esc": esc.__version__,
               "params": plain(dict(params)), "data": plain(dict(state)),
               "environment": environment()}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def memo_path(kind: str, key: str) -> Path:
    """``<cache_dir()>/memo/<kind>/<key>.parquet``."""
    return cache_dir() / "memo" / kind / f"{key}.parquet"


@contextlib.contextmanager
def _key_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``<key>.lock`` beside the entry (released if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_suffix(".lock")
    with open(lock, "a+b") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no cross-process wait
            yield
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _read(path: Path) -> pd.DataFrame | None:
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged entry is recomputed, never served
        log.warning("memo entry %s is unreadable (%s); recomputing", path, exc)
        return None


def _write(path: Path, table: pd.DataFrame) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        table.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError) as exc:  # the result stands; only the memo is lost
        log.warning("memo entry %s not written: %s", path, exc)
    finally:
        tmp.unlink(missing_ok=True)


def memoised(kind: str, params: Mapping[str, Any], source: str,
             compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()``, or the table stored by an earlier call with the same key.

    Computes without the memo when it is off (:func:`enabled`), when a parameter is not
    plain data or when the source's data have no ``sha256``. A stored table is read back with
    its column types and ``attrs``; one that does not match what pandas can store (its
    ``attrs`` do not survive JSON) is computed each time.
    """
    if not enabled():
        return compute()
    state = data_state(source)
    if state is None:
        return compute()
    try:
        key = memo_key(kind, params, state)
    except NotPlain as exc:
        log.debug("%s not memoised: %s", kind, exc)
        return compute()
    path = memo_path(kind, key)
    with _key_lock(path):
        found = _read(path)
        if found is not None:
            log.info("%s: reusing %s", kind, path.name)
            with contextlib.suppress(OSError):
                os.utime(path)  # used now: the last to go when the memo is pruned
            return found
        table = compute()
        if _storable(table):
            _write(path, table)
    prune()
    return table


def limit_bytes() -> int:
    """The memo's size budget in bytes (``$ESC_MEMO_MB``, default :data:`DEFAULT_LIMIT_MB`)."""
    raw = os.environ.get(ENV_LIMIT, "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_LIMIT_MB
    except ValueError:
        log.warning("$%s=%r is not a number of MB; using %d", ENV_LIMIT, raw, DEFAULT_LIMIT_MB)
        mb = DEFAULT_LIMIT_MB
    return int(mb * 1024 * 1024)


def prune(limit: int | None = None) -> list[Path]:
    """Remove the entries used longest ago (oldest modification time; a hit renews it) until
    the memo's Parquet files total at most ``limit`` bytes (default :func:`limit_bytes`).
    Returns the files removed."""
    limit = limit_bytes() if limit is None else limit
    root = cache_dir() / "memo"
    entries = []
    for path in root.rglob("*.parquet") if root.is_dir() else []:
        with contextlib.suppress(OSError):
            stat = path.stat()
            entries.append((stat.st_mtime_ns, stat.st_size, path))
    total = sum(size for _, size, _ in entries)
    removed = []
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            path.with_suffix(".lock").unlink(missing_ok=True)
            removed.append(path)
            total -= size
    if removed:
        log.info("memo pruned: %d entries removed to stay within %d MB", len(removed),
                 limit // (1024 * 1024))
    return removed


def _storable(table: pd.DataFrame) -> bool:
    """True when ``table.attrs`` survive a JSON round trip unchanged (what Parquet keeps)."""
    try:
        return json.loads(json.dumps(table.attrs)) == table.attrs
    except (TypeError, ValueError):
        return False


def clear(kind: str | None = None) -> int:
    """Remove the memo's entries (of ``kind``, or all); returns how many files went."""
    root = cache_dir() / "memo"
    folder = root / kind if kind else root
    removed = 0
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
