"""The data facade: one place to get flows, whatever the source.

Analysts, notebooks and the ``esc data`` command call these functions; each looks the source
up in the one registry (:mod:`esc.source`) and asks it:

- :func:`load_flows` ``(source, years=, reporters=, exporters=, hs6=)`` returns the canonical
  flows table, filtered while reading, labelled (:mod:`esc.label`) by the source;
- :func:`fetch` downloads a publisher's file and imports it (or raises with the steps to get
  it by hand);
- :func:`import_file` finds the source that recognises a file the user already has, which
  validates every row and only then writes the cache: on any error nothing is written;
- :func:`list_available`, :func:`provenance`, :func:`label` and :func:`product_level` say what
  is there, where it came from and what a table read from it is.

They return data (DataFrames, Paths, dicts) and raise the named errors of :mod:`esc.errors`;
they never print. An unknown source raises :class:`~esc.errors.UnknownSourceError`, an
unknown release or year :class:`~esc.errors.UnknownReleaseError`, naming what exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from esc import cache, source
from esc.config import data_dir
from esc.errors import BadValueError, DataNotFoundError
from esc.label import Label
from esc.schema import DEMO_LABEL
from esc.source import Query, span

__all__ = ["detect_kind", "fetch", "fetchable", "import_file", "label",
           "list_available", "load_flows", "product_level", "provenance", "scan", "sources"]


def sources() -> tuple[str, ...]:
    """Names of the registered sources of trade flows (what :func:`load_flows` reads)."""
    return source.names()


def fetchable() -> tuple[str, ...]:
    """Names of every registered source, flows and reference tables (what :func:`fetch`
    takes; some answer with the steps to get their files by hand)."""
    return source.names(flows=None)


def __getattr__(name: str) -> Any:  # SOURCES / FETCHABLE, as they were: now from the registry
    if name == "SOURCES":
        return sources()
    if name == "FETCHABLE":
        return fetchable()
    raise AttributeError(name)


def load_flows(
    source_name: str,
    *,
    years: Iterable[int] | None = None,
    reporters: Iterable[str] | None = None,
    exporters: Iterable[str] | None = None,
    hs6: Iterable[str | int] | None = None,
    products: Iterable[str | int] | None = None,
    product_level: str | None = None,
    release: str | None = None,
    hs: str | None = None,
) -> pd.DataFrame:
    """The canonical flows table of a registered source, filtered while reading.

    ``reporters`` are the importing countries (ISO3), ``exporters`` the exporting ones,
    ``products`` codes at ``product_level`` (default: the source's own level; ``hs6`` is the
    same filter for HS6 codes). ``release`` and ``hs`` pick a cached release and HS revision
    where a source has several. The table's ``attrs`` carry its :class:`~esc.label.Label`:
    demo-world tables always say :data:`esc.schema.DEMO_LABEL`.
    """
    if hs6 is not None and products is not None:
        raise BadValueError("give products= or hs6=, not both")
    if hs6 is not None:
        if product_level not in (None, "hs6"):
            raise BadValueError(f"hs6 filter given with product_level={product_level!r}")
        products, product_level = hs6, product_level or "hs6"
    src = source.get(source_name)
    if product_level is not None:
        source.check_level(src, product_level)
    query = Query.make(years=years, reporters=reporters, exporters=exporters, products=products,
                       product_level=product_level or src.product_level, release=release,
                       hs=hs)
    return src.load(replace(query, product_level=product_level))


def scan(source_name: str, *, years: Iterable[int] | None = None, release: str | None = None,
         hs: str | None = None) -> source.Scan | None:
    """The Parquet files of a source's flows for reading out of core (:class:`esc.source.Scan`:
    paths, label, HS revision, years), or None when the source is read with
    :func:`load_flows` only."""
    return source.get(source_name).scan(Query.make(years=years, release=release, hs=hs))


def product_level(source_name: str) -> str:
    """The product column of a source's flows: ``hs6``, ``hs2`` (wits-india), ...."""
    return source.get(source_name).product_level


def label(source_name: str, release: str | None = None) -> Label:
    """What a table read from a source now is (its :class:`~esc.label.Label`).

    For BACI, ``release`` defaults to the newest cached release, so the demo world read back
    as release ``VDEMO`` is labelled demo.
    """
    return source.get(source_name).label(release)


def source_title(source_name: str) -> str:
    """How a source line names a source (``"CEPII BACI"``)."""
    return source.get(source_name).title


# --------------------------------------------------------------------------- import, fetch


def detect_kind(path: str | Path) -> str:
    """The name of the registered source that recognises a file (``"baci"``,
    ``"comtrade"``, ``"wits-india"``, ...).

    Raises :class:`~esc.errors.CorruptFileError` for a damaged archive and
    :class:`~esc.errors.BadValueError` for a file no source recognises.
    """
    file = Path(path)
    if not file.is_file():
        raise DataNotFoundError(f"{file}: no such file")
    for src in source.all_sources():
        if src.recognises(file):
            return src.name
    head = "" if file.suffix.lower() in (".zip", ".gz") else source.first_line(file)
    known = ", ".join(s.name for s in source.all_sources() if type(s).recognises
                      is not source.BaseSource.recognises)
    raise BadValueError(f"not a file esc can import (header: {head.strip()[:120]!r}); expected "
                        f"a file of: {known}", path=file, line=1)


def import_file(
    path: str | Path,
    *,
    release: str | None = None,
    hs: str | None = None,
    url: str | None = None,
) -> Path:
    """Validate a publisher's file and cache it as canonical Parquet; return the cache folder.

    The source that recognises the file (:func:`detect_kind`) reads and checks every row
    before anything is written; on any error the cache is left exactly as it was.
    ``release``/``hs`` override what the file name says (BACI).
    """
    file = Path(path)
    name = detect_kind(file)
    cache.clean_stale()  # what killed imports left behind
    return source.get(name).import_file(file, release=release, hs=hs, url=url)


def fetch(
    source_name: str,
    *,
    release: str | None = None,
    hs: str | None = None,
    url: str | None = None,
    sha256: str | None = None,
    progress: bool = True,
) -> Path:
    """Download a publisher's file and make it usable; return where it now is.

    ``"baci"`` downloads a CEPII release (``release``, default ``V202501``; ``hs``, default
    ``HS22``) and imports it; ``"atlas"`` and ``"hs"`` take a table from ``url`` (their
    publishers' links change with releases) and check it by reading it. Sources without a
    download (Comtrade, WITS, DGCI&S) raise :class:`~esc.errors.DownloadError` with the steps.
    """
    src = source.get(source_name)
    cache.clean_stale()
    return src.fetch(release=release, hs=hs, url=url, sha256=sha256, progress=progress)


# --------------------------------------------------------------------------- listing


def list_available() -> pd.DataFrame:
    """What esc can read now: cache entries, fetched files, the data folder, the demo world,
    and a row for each registered source that has nothing yet.

    Columns: ``source, release, name, rows, years, created, path, provenance`` (a dict).
    """
    by_cache_name = {"wits": "wits-india"}
    rows: list[dict[str, Any]] = []
    for prov in cache.entries():
        name = by_cache_name.get(prov["source"], prov["source"])
        if name == "demo":  # the generated world: one row below
            continue
        rows.append({"source": name, "release": prov["release"], "name": prov["name"],
                     "rows": prov.get("rows"), "years": span(prov.get("years", [])),
                     "created": prov.get("created"), "path": prov["path_parquet"],
                     "provenance": prov})
    for src in source.all_sources():
        rows += _files_of(src)
    rows.append({"source": "demo", "release": "generated", "name": "demo world", "rows": None,
                 "years": "", "created": None, "path": "", "provenance": {"label": DEMO_LABEL}})
    listed = {row["source"] for row in rows}
    rows += [{"source": src.name, "release": "nothing yet", "name": src.title, "rows": None,
              "years": "", "created": None, "path": "",
              "provenance": {"publisher": src.publisher, "licence": src.licence,
                             "page": src.page}}
             for src in source.all_sources() if src.name not in listed]
    columns = ["source", "release", "name", "rows", "years", "created", "path", "provenance"]
    return pd.DataFrame(rows, columns=columns)


def _files_of(src: source.Source) -> list[dict[str, Any]]:
    """A source's fetched reference files and its folders in the data folder."""
    rows = []
    folder = cache.files_dir(src.name)
    if not src.reads_flows and folder.is_dir():
        rows += [{"source": src.name, "release": "fetched", "name": f.name, "rows": None,
                  "years": "", "created": None, "path": str(f),
                  "provenance": {"licence": src.licence}}
                 for f in sorted(folder.glob("*")) if f.is_file() and not f.name.startswith(".")]
    root = data_dir()
    for name in src.raw_folders:
        path = root / name if root else None
        if path is not None and path.is_dir():
            rows.append({"source": src.name, "release": "data folder", "name": name,
                         "rows": None, "years": "", "created": None, "path": str(path),
                         "provenance": {"licence": src.licence,
                                        "source_md": str(path / "SOURCE.md")}})
    return rows


def provenance(source_name: str) -> dict[str, Any]:
    """Where a source's data came from: publisher, licence and each cached entry's sidecar
    (reference sources: their files with sha256). A flows source with nothing cached raises
    :class:`~esc.errors.DataNotFoundError` saying how to get it."""
    return source.get(source_name).provenance()
