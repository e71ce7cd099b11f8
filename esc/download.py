"""Downloads that survive a dropped connection and never leave a half file in place.

A BACI release is 1–2 GB over a research institute's web server; connections drop. The rule
here is that the destination path only ever holds a complete, checked file:

1. bytes go to ``<dest>.part``;
2. if a ``.part`` is already there (an earlier attempt was cut), the request asks for the rest
   with an HTTP ``Range: bytes=<n>-`` header and appends; a server that ignores the range
   answers 200 and the download restarts from zero;
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
        part.unlink(missing_ok=True)
    attempt = 0
    while True:
        try:
            _fetch_into(url, part, progress=progress, timeout=timeout)
            break
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
    log.info("downloaded %s -> %s", url, target)
    return target


def _request(url: str, start: int) -> urllib.request.Request:
    headers = {"User-Agent": f"esc/{__version__} (+python urllib)"}
    if start:
        headers["Range"] = f"bytes={start}-"
    return urllib.request.Request(url, headers=headers)


def _open(url: str, start: int, timeout: float) -> http.client.HTTPResponse | None:
    """Open the URL asking for bytes from ``start``; ``None`` means the .part is complete."""
    try:
        return urllib.request.urlopen(_request(url, start), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and start:  # range beyond the end: nothing left to fetch
            return None
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise DownloadError(f"{url}: cannot connect ({exc.reason})") from None
    except (TimeoutError, OSError) as exc:
        raise DownloadError(f"{url}: cannot connect ({exc})") from None


def _fetch_into(url: str, part: Path, *, progress: bool, timeout: float) -> None:
    start = part.stat().st_size if part.exists() else 0
    resp = _open(url, start, timeout)
    if resp is None:
        return
    with resp:
        mode, offset, total = _plan(resp, start)
        if mode == "wb" and start:
            log.info("%s: server ignored the range request; starting again", url)
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
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url}: size mismatch: expected {size} bytes, got {got_size}; "
                            "the partial file was removed")
    if sha256:
        digest = _sha256()
        with open(part, "rb") as fh:
            while block := fh.read(CHUNK):
                digest.update(block)
        if digest.hexdigest().lower() != sha256.lower():
            part.unlink(missing_ok=True)
            raise DownloadError(f"{url}: sha256 mismatch: expected {sha256.lower()}, got "
                                f"{digest.hexdigest()}; the file was removed")
