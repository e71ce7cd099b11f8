"""Helpers shared by the data-layer tests: small BACI-layout files and a local HTTP server.

Everything here is built at test time inside ``tmp_path`` from the genuine rows in the data
folder (``baci-example-zaf-afg``: CEPII BACI HS92 2021, all exports of South Africa and
Afghanistan). Nothing derived from the data is stored in the repository. Where a test needs a
second year, the rows of 2021 are re-labelled 2020 and the fixture says so.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import http.server
import io
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXAMPLE = "baci-example-zaf-afg/ExampleTradeData.csv.gz"
COUNTRY_CODES = "baci-codes/country_codes_V202501.csv"
RAW_HEADER = ["t", "i", "j", "k", "v", "q"]


def example_rows(raw_dir: Path, limit: int | None = None) -> list[list[str]]:
    """The genuine BACI rows as lists of strings, exactly as in the file (``q`` padded)."""
    with gzip.open(raw_dir / EXAMPLE, "rt", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        assert header == RAW_HEADER
        rows = []
        for row in reader:
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    return rows


def baci_csv_text(rows: list[list[str]], header: list[str] | None = None) -> str:
    """CSV text in CEPII's style: quoted header, quoted ``q``, CRLF line ends."""
    out = io.StringIO()
    out.write(",".join(f'"{h}"' for h in (header or RAW_HEADER)) + "\r\n")
    for row in rows:
        cells = list(row)
        if len(cells) == 6:
            cells[5] = f'"{cells[5]}"'
        out.write(",".join(cells) + "\r\n")
    return out.getvalue()


def write_baci_zip(
    path: Path,
    raw_dir: Path,
    years: dict[int, list[list[str]]],
    *,
    hs: str = "HS92",
    release: str = "V202301",
    with_country_codes: bool = True,
) -> Path:
    """A zip laid out like a CEPII release: one ``BACI_<hs>_Y<year>_<release>.csv`` per year,
    plus the release's ``country_codes`` (the real V202501 list) and a ``product_codes`` file.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for year, rows in sorted(years.items()):
            zf.writestr(f"BACI_{hs}_Y{year}_{release}.csv", baci_csv_text(rows))
        if with_country_codes:
            zf.writestr(f"country_codes_{release}.csv",
                        (raw_dir / COUNTRY_CODES).read_text(encoding="utf-8"))
        codes = sorted({r[3].zfill(6) for rows in years.values() for r in rows})
        zf.writestr(f"product_codes_{hs}_{release}.csv",
                    "code,description\n" + "".join(f"{c},product {c}\n" for c in codes))
        zf.writestr(f"Readme_{release}.txt", "test fixture built from genuine BACI rows\n")
    return path


def relabel(rows: list[list[str]], year: int) -> list[list[str]]:
    """The same rows with ``t`` set to ``year`` (a synthetic second year, for layout tests)."""
    return [[str(year), *r[1:]] for r in rows]


def country_table(raw_dir: Path) -> dict[int, str]:
    """CEPII's numeric -> ISO3 list, read with the csv module (independent of esc)."""
    with open(raw_dir / COUNTRY_CODES, newline="", encoding="utf-8") as fh:
        return {int(r["country_code"]): r["country_iso3"] for r in csv.DictReader(fh)}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 (to show that nothing changed)."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): sha256_bytes(p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- HTTP server


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        state = self.server.state
        path = self.path.split("?")[0]
        state["requests"].append((path, self.headers.get("Range")))
        data = state["files"].get(path)
        if data is None:
            self.send_error(404, "Not Found")
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if match and not state["ignore_range"]:
            start = int(match.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if state["cut"].get(path, 0) > 0:
            state["cut"][path] -= 1
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    state: dict


@contextmanager
def http_server(files: dict[str, bytes]) -> Iterator[tuple[str, dict]]:
    """Serve ``files`` (``{"/name": bytes}``) on 127.0.0.1 with Range support.

    Yields ``(base_url, state)``; ``state["cut"][path] = n`` makes the next ``n`` answers for
    ``path`` stop half-way (connection closed), ``state["ignore_range"] = True`` answers 200
    with the whole file, ``state["requests"]`` lists ``(path, Range header)``.
    """
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = {"files": dict(files), "cut": {}, "ignore_range": False, "requests": []}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.state
    finally:
        server.shutdown()
        server.server_close()
