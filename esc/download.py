"""Downloads that survive a dropped connection and never leave a half file in place.

A BACI release is 1–2 GB over a research institute's web server; connections drop. The rule
here is that the destination path only ever holds a complete, checked file:

1. bytes go to ``<dest>.part``; beside it, ``<dest>.part.json`` records what the partial file
   belongs to: the URL, the size the server announced, its ``ETag`` and ``Last-Modified``;
2. if a ``.part`` is already there (an earlier attempt was cut), it is resumed only when its
   record names the same URL and a known size (and the ``size`` asked for, when given): the
   request asks for the rest with an HTTP ``Range: bytes=<n>-`` header (with ``If-Range``, so
   that a file changed on the server comes back whole) and appends, and the server's answer
   must announce the same total size. Any other partial file (another URL or release, no
   record, a different size) is deleted and the download starts from zero, so bytes of two
   files are never joined. A server that ignores the range answers 200 and the download
   restarts from zero too;
3. a connection cut mid-way is retried (``retries`` times) from where it stopped;
4. when the server has sent everything, the size and the sha256 (when given) are checked; a
   mismatch deletes the ``.part`` and raises :class:`~esc.errors.DownloadError`, leaving any
   earlier good file at ``dest`` untouched;
5. the ``.part`` is fsync'ed and renamed onto ``dest`` (``os.replace``, atomic).

Only the standard library's :mod:`urllib` is used. A :mod:`tqdm` bar shows progress when
stderr is a terminal.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.request
from hashlib import sha256 as _sha256
from pathlib import Path
from urllib.parse import unquote, urlparse

from tqdm import tqdm

from esc import __version__
from esc.errors import DownloadError

log = logging.getLogger(__name__)

CHUNK = 1 << 20  # 1 MiB
TIMEOUT = 60.0  # seconds without data before a read gives up
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class _Interrupted(Exception):
    """The connection ended before the server's announced length was received."""


class _Mismatch(Exception):
    """The server's file is not the one the partial download belongs to."""


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _read_meta(part: Path) -> dict | None:
    try:
        meta = json.loads(_meta_path(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _write_meta(part: Path, meta: dict) -> None:
    tmp = _meta_path(part).with_name(_meta_path(part).name + ".tmp")
    tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, _meta_path(part))


def _forget(part: Path) -> None:
    part.unlink(missing_ok=True)
    _meta_path(part).unlink(missing_ok=True)


def _resumable(part: Path, url: str, size: int | None) -> dict | None:
    """The record of ``part`` when it may be continued; else delete the partial file."""
    if not part.exists():
        _meta_path(part).unlink(missing_ok=True)
        return None
    meta = _read_meta(part)
    why = None
    if meta is None:
        why = "no record of what it belongs to"
    elif meta.get("url") != url:
        why = f"it belongs to {meta.get('url')}"
    elif not isinstance(meta.get("size"), int):
        why = "its total size is unknown"
    elif size is not None and meta["size"] != size:
        why = f"it belongs to a file of {meta['size']} bytes, not {size}"
    elif part.stat().st_size > meta["size"]:
        why = "it is longer than the file it belongs to"
    if why is not None:
        log.info("%s: not resuming %s (%s); starting again", url, part, why)
        _forget(part)
        return None
    return meta


def filename_from_url(url: str) -> str:
    """The last path segment of a URL, unquoted (``.../BACI_HS22_V202501.zip`` -> name).

    >>> filename_from_url("https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS22_V202501.zip")
    'BACI_HS22_V202501.zip'
    """
    name = unquote(Path(urlparse(url).path).name)
    return name or "download"


def download(
    url: str,
    dest: str | Path,
    *,
    sha256: str | None = None,
    size: int | None = None,
    progress: bool = True,
    resume: bool = True,
    retries: int = 3,
    timeout: float = TIMEOUT,
) -> Path:
    """Download ``url`` to ``dest`` (a file path, or a folder to put the URL's file name in).

    ``sha256`` (hex) and ``size`` (bytes) are checked before the file is put in place;
    ``resume`` continues an interrupted ``.part`` with an HTTP Range request; ``retries`` is
    how many times a dropped connection is resumed within this call. Returns the final path.
    Raises :class:`~esc.errors.DownloadError` on an HTTP error, a network error that outlasts
    the retries (the ``.part`` is kept so that the next call resumes), or a size/checksum
    mismatch (the ``.part`` is deleted).
    """
    target = Path(dest)
    if target.is_dir():
        target = target / filename_from_url(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    if not resume:
        _forget(part)
    attempt = 0
    while True:
        try:
            _fetch_into(url, part, _resumable(part, url, size), progress=progress,
                        timeout=timeout)
            break
        except _Mismatch as exc:
            log.info("%s: %s; starting again", url, exc)
            _forget(part)
            attempt += 1
            if attempt > retries:
                raise DownloadError(f"{url}: the server's file changed during the download "
                                    f"({exc}); run the command again") from None
        except _Interrupted as exc:
            attempt += 1
            if attempt > retries:
                raise DownloadError(
                    f"{url}: connection dropped ({exc}); {part.stat().st_size} bytes kept in "
                    f"{part}; run the same command again to resume") from None
            log.warning("%s: connection dropped (%s); resuming (attempt %d of %d)",
                        url, exc, attempt, retries)
            time.sleep(min(2.0 ** (attempt - 1), 10.0) * 0.1)
    _check(part, url, sha256=sha256, size=size)
    with open(part, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, target)
    _meta_path(part).unlink(missing_ok=True)
    log.info("downloaded %s -> %s", url, target)
    return target


def _request(url: str, start: int, meta: dict | None = None) -> urllib.request.Request:
    headers = {"User-Agent": f"esc/{__version__} (+python urllib)"}
    if start:
        headers["Range"] = f"bytes={start}-"
        validator = (meta or {}).get("etag") or (meta or {}).get("last_modified")
        if validator:  # a changed file is answered whole (200), never as a range of it
            headers["If-Range"] = validator
    return urllib.request.Request(url, headers=headers)


def _open(url: str, start: int, timeout: float, meta: dict | None = None
          ) -> http.client.HTTPResponse | None:
    """Open the URL asking for bytes from ``start``; ``None`` means the .part is complete."""
    try:
        return urllib.request.urlopen(_request(url, start, meta), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and start:  # range beyond the end: nothing left to fetch
            return None
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise DownloadError(f"{url}: cannot connect ({exc.reason})") from None
    except (TimeoutError, OSError) as exc:
        raise DownloadError(f"{url}: cannot connect ({exc})") from None


def _fetch_into(url: str, part: Path, meta: dict | None, *, progress: bool,
                timeout: float) -> None:
    start = part.stat().st_size if meta is not None and part.exists() else 0
    resp = _open(url, start, timeout, meta)
    if resp is None:
        if meta is not None and part.stat().st_size != meta["size"]:
            raise _Mismatch(f"the server has no bytes past {start}, the partial file "
                            f"expected {meta['size']}")
        return
    with resp:
        mode, offset, total = _plan(resp, start)
        if mode == "ab" and meta is not None and total is not None and total != meta["size"]:
            raise _Mismatch(f"the server's file is {total} bytes, the partial download "
                            f"belongs to one of {meta['size']}")
        if mode == "wb" and start:
            log.info("%s: server ignored the range request; starting again", url)
        if mode == "wb":
            _write_meta(part, {"url": url, "size": total,
                               "etag": resp.headers.get("ETag"),
                               "last_modified": resp.headers.get("Last-Modified")})
        bar = tqdm(total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,
                   desc=part.name[: -len(".part")], leave=False,
                   disable=not progress or not sys.stderr.isatty())
        received = offset
        with open(part, mode) as out, bar:
            while True:
                try:
                    block = resp.read(CHUNK)
                except (http.client.IncompleteRead, ConnectionError, TimeoutError) as exc:
                    raise _Interrupted(f"after {received} bytes: {exc!r}") from None
                if not block:
                    break
                out.write(block)
                received += len(block)
                bar.update(len(block))
        if total is not None and received < total:
            raise _Interrupted(f"received {received} of {total} bytes")


def _plan(resp: http.client.HTTPResponse, start: int) -> tuple[str, int, int | None]:
    """(file mode, bytes already on disk, expected total size) for this response."""
    length = resp.headers.get("Content-Length")
    if resp.status == 206:
        match = _CONTENT_RANGE.fullmatch((resp.headers.get("Content-Range") or "").strip())
        if match and int(match.group(1)) == start:
            total = int(match.group(3)) if match.group(3) != "*" else None
            return "ab", start, total
        return "wb", 0, None  # a range we did not ask for: distrust it, start again
    return "wb", 0, int(length) if length is not None else None


def _check(part: Path, url: str, *, sha256: str | None, size: int | None) -> None:
    got_size = part.stat().st_size
    if size is not None and got_size != size:
        _forget(part)
        raise DownloadError(f"{url}: size mismatch: expected {size} bytes, got {got_size}; "
                            "the partial file was removed")
    if sha256:
        digest = _sha256()
        with open(part, "rb") as fh:
            while block := fh.read(CHUNK):
                digest.update(block)
        if digest.hexdigest().lower() != sha256.lower():
            _forget(part)
            raise DownloadError(f"{url}: sha256 mismatch: expected {sha256.lower()}, got "
                                f"{digest.hexdigest()}; the file was removed")
