"""The data facade: one place to get flows, whatever the source.

Analysts, notebooks and the ``esc data`` command call four functions:

- :func:`load_flows` ``(source, years=, importers=, exporters=, hs6=)`` returns the canonical
  flows table from ``"demo"`` (the generated world, labelled as such), ``"baci"`` or
  ``"comtrade"`` (whatever :func:`fetch` or :func:`import_file` put in the cache), or
  ``"wits-india"`` (the WITS mirror zips in the data folder, chapter level);
- :func:`fetch` downloads a publisher's file (a CEPII BACI release; an Atlas or HS table from a
  URL) and imports it;
- :func:`import_file` recognises a file the user already has (BACI zip or CSV, Comtrade CSV or
  JSON, WITS zip), validates every row, and only then writes the cache: on any error nothing
  is written and the previous cache is untouched;
- :func:`list_available` and :func:`provenance` say what is there and where it came from.

They return data (DataFrames, Paths, dicts) and raise the named errors of :mod:`esc.errors`;
they never print. An unknown source, release or year raises
:class:`~esc.errors.UnknownReleaseError` naming what exists.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from esc import cache
from esc.config import cache_dir, data_dir
from esc.download import download
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    DownloadError,
    UnknownReleaseError,
)
from esc.label import Label
from esc.schema import DEMO_LABEL, HS2, HS6, HS_REV, HS_REVISIONS, YEAR
from esc.sources import atlas, baci, comtrade, dgcis, meidb, wits
from esc.sources import hs as hs_tables

log = logging.getLogger(__name__)

SOURCES: tuple[str, ...] = ("demo", "baci", "comtrade", "wits-india", "dgcis", "meidb")
"""Sources :func:`load_flows` reads."""
FETCHABLE: tuple[str, ...] = ("baci", "atlas", "hs")
"""Sources :func:`fetch` downloads."""

_LEVELS = ("hs6", "hs4", "hs2")
_RAW_FOLDERS: dict[str, str] = {
    "wits-india-mirror-hs2": "wits-india", "atlas-pci-hs92": "atlas",
    "atlas-complexitydata": "atlas", "atlas-classifications": "atlas", "baci-codes": "hs",
    "harmonized-system": "hs", "hs-correlation-hs22-hs17": "hs",
    "baci-example-zaf-afg": "baci", "comtrade-cmm-sample": "comtrade",
    dgcis.FOLDER: "dgcis", meidb.FOLDER: "meidb",
}
_LICENCES = {"baci": baci.LICENCE, "comtrade": comtrade.LICENCE, "wits-india": wits.LICENCE,
             "atlas": atlas.LICENCE, "hs": hs_tables.LICENCE, "dgcis": dgcis.LICENCE,
             "meidb": meidb.LICENCE}
_PUBLISHERS = {"baci": baci.PUBLISHER, "comtrade": comtrade.PUBLISHER,
               "wits-india": wits.PUBLISHER, "atlas": atlas.PUBLISHER, "hs": hs_tables.PUBLISHER,
               "dgcis": dgcis.PUBLISHER, "meidb": meidb.PUBLISHER}


# --------------------------------------------------------------------------- helpers


def _unknown_source(source: str, known: Iterable[str]) -> UnknownReleaseError:
    return UnknownReleaseError(f"unknown data source {source!r}: esc knows "
                               f"{', '.join(known)}")


def _check_years(years: Iterable[int] | None, available: Iterable[int], what: str
                 ) -> list[int] | None:
    if years is None:
        return None
    wanted = sorted({int(y) for y in years})
    have = sorted({int(y) for y in available})
    missing = [y for y in wanted if y not in have]
    if missing:
        raise UnknownReleaseError(f"{what} has no data for {missing}; years available: "
                                  f"{_span(have) or 'none'}")
    return wanted


def _span(years: Iterable[int]) -> str:
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    if ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 2:
        return f"{ys[0]}-{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def _safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_.")
    return name or "file"


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".json", ".zip", ".ZIP"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return _safe_name(name)


# --------------------------------------------------------------------------- load_flows


def load_flows(
    source: str,
    *,
    years: Iterable[int] | None = None,
    importers: Iterable[str] | None = None,
    exporters: Iterable[str] | None = None,
    hs6: Iterable[str | int] | None = None,
    product_level: str | None = None,
    release: str | None = None,
    hs: str | None = None,
) -> pd.DataFrame:
    """The canonical flows table of ``source``, filtered while reading.

    ``source``: ``"demo"`` (generated; every output built on it carries
    :data:`esc.schema.DEMO_LABEL`), ``"baci"`` (latest cached release unless ``release``; the
    newest HS revision covering ``years`` unless ``hs``), ``"comtrade"`` (every imported file
    at ``product_level``, default ``"hs6"``; a flow present in two files is kept once) or
    ``"wits-india"`` (chapter level: the product column is ``hs2``), ``"dgcis"`` (India's
    imports by DGCI&S principal commodity, product column ``commodity``, years = fiscal-year
    start years) or ``"meidb"`` (India's imports by HS6 line and calendar year; ``hs8`` with
    ``product_level="hs8"``).
    """
    if source == "demo":
        if product_level not in (None, HS6):
            raise BadValueError(f"the demo world is HS6 only, not {product_level!r}")
        from esc.sources import demo

        return demo.load(years=years, importers=importers, exporters=exporters, hs6=hs6)
    if source == "baci":
        return _load_baci(years, importers, exporters, hs6, product_level, release, hs)
    if source == "comtrade":
        return _load_comtrade(years, importers, exporters, hs6, product_level, release)
    if source == "wits-india":
        return _load_wits(years, importers, exporters, hs6, product_level)
    if source in ("dgcis", "meidb"):  # India's own statistics: see esc.india.load_flows
        from esc import india

        return india.load_flows(source, years=years, importers=importers, exporters=exporters,
                                hs6=hs6, product_level=product_level)
    raise _unknown_source(source, SOURCES)


def _filters(importers: Iterable[str] | None, exporters: Iterable[str] | None,
             hs6: Iterable[str | int] | None) -> baci._Filters:
    return baci.make_filters(None, importers, exporters, hs6)


def _pick_release(found: list[dict[str, Any]], release: str | None, what: str) -> str:
    releases = sorted({e["release"] for e in found})
    if release is None:
        return releases[-1]
    if release not in releases:
        raise UnknownReleaseError(f"{what} release {release!r} is not in the cache; cached: "
                                  f"{', '.join(releases)}")
    return release


def _load_baci(years, importers, exporters, hs6, product_level, release, hs_rev
               ) -> pd.DataFrame:
    if product_level not in (None, HS6):
        raise BadValueError(f"BACI is HS6 only, not {product_level!r}")
    found = cache.entries("baci")
    if not found:
        raise DataNotFoundError("no BACI release in the cache: run `esc data fetch baci` "
                                "(downloads the CEPII zip, 1-2 GB) or `esc data import "
                                "BACI_HS22_V202501.zip`")
    rel = _pick_release(found, release, "BACI")
    found = [e for e in found if e["release"] == rel]
    by_rev: dict[str, set[int]] = {}
    for entry in found:
        by_rev.setdefault(entry.get(HS_REV, "?"), set()).update(entry.get("years", []))
    if hs_rev is not None:
        rev = hs_rev.upper()
        if rev not in by_rev:
            raise UnknownReleaseError(f"BACI {rel} has no {rev} tables in the cache; cached: "
                                      f"{', '.join(sorted(by_rev))}")
    else:
        order = sorted(by_rev, key=lambda r: HS_REVISIONS.index(r) if r in HS_REVISIONS else -1,
                       reverse=True)
        wanted = set(int(y) for y in years) if years is not None else set()
        rev = next((r for r in order if wanted <= by_rev[r]), order[0])
    wanted_years = _check_years(years, by_rev[rev], f"BACI {rel} {rev}")
    files = [e["path_parquet"] for e in found if e.get(HS_REV) == rev
             and (wanted_years is None or set(e.get("years", [])) & set(wanted_years))]
    f = _filters(importers, exporters, hs6)
    flows = cache.read(files, years=wanted_years, importers=f.importers, exporters=f.exporters,
                       products=f.hs6, product=HS6)
    demo_world = rel.upper() == baci.DEMO_RELEASE
    flows.attrs["label"] = DEMO_LABEL if demo_world else f"CEPII BACI {rel} ({rev})"
    flows.attrs["source"] = "baci"
    return flows


def _load_comtrade(years, importers, exporters, hs6, product_level, release) -> pd.DataFrame:
    level = (product_level or HS6).lower()
    if level not in _LEVELS:
        raise BadValueError(f"product_level {product_level!r} is not one of "
                            f"{', '.join(_LEVELS)}")
    if hs6 is not None and level != HS6:
        raise BadValueError(f"hs6 filter given with product_level={level!r}")
    found = cache.entries("comtrade")
    if release is not None:
        found = [e for e in found if e["release"] == _pick_release(found, release, "Comtrade")]
    found = [e for e in found if e.get("product") == level]
    if not found:
        raise DataNotFoundError(f"no UN Comtrade {level} table in the cache: run `esc data "
                                "import FILE` on a Comtrade CSV or JSON answer")
    wanted_years = _check_years(years, {y for e in found for y in e.get("years", [])},
                                "UN Comtrade cache")
    f = _filters(importers, exporters, hs6)
    # newest import first: a flow in two files is kept as the most recent import has it
    found = sorted(found, key=lambda e: (Path(e["path_parquet"]).stat().st_mtime_ns,
                                         e["path_parquet"]), reverse=True)
    frames = [cache.read(e["path_parquet"], years=wanted_years, importers=f.importers,
                         exporters=f.exporters, products=f.hs6, product=level)
              for e in found]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    key = [YEAR, "exporter", "importer", level, HS_REV]
    dup = frame.duplicated(key, keep="first")
    if dup.any():
        log.info("UN Comtrade: %d flows present in more than one imported file kept once",
                 int(dup.sum()))
        differ = frame.drop_duplicates([*key, "value_usd"]).duplicated(key).sum()
        if differ:
            log.warning("UN Comtrade: %d flows have different values in different imported "
                        "files; the most recently imported file's value is used (see `esc "
                        "data list`)", int(differ))
    out = frame[~dup].reset_index(drop=True)
    out.attrs.update({"label": f"UN Comtrade ({level})", "source": "comtrade"})
    return out


def _load_wits(years, importers, exporters, hs6, product_level) -> pd.DataFrame:
    if product_level not in (None, HS2):
        raise BadValueError(f"wits-india is chapter level (hs2), not {product_level!r}")
    if hs6 is not None:
        raise BadValueError("wits-india is chapter level: filter on hs2 with "
                            "esc.sources.wits.read(hs2=...) instead of hs6")
    files: list[str] = []
    with contextlib.suppress(DataNotFoundError):
        files.append(str(wits.cached_entry()))
    files += [e["path_parquet"] for e in cache.entries(wits.CACHE_SOURCE, "imported")]
    if not files:
        wits.default_paths()  # raises DataNotFoundError saying where to put the zips
    available = {y for f in files for y in cache.read_provenance(f).get("years", [])}
    wanted_years = _check_years(years, available, "WITS India mirror data")
    f = _filters(importers, exporters, None)
    frame = cache.read(files, years=wanted_years, importers=f.importers,
                       exporters=f.exporters, product=HS2)
    out = frame.drop_duplicates().reset_index(drop=True)
    out.attrs.update({"label": "WITS partner-reported (mirror) trade with India, HS2",
                      "source": "wits-india"})
    return out


# --------------------------------------------------------------------------- what a source is


def product_level(source: str) -> str:
    """The product column of ``source``'s flows: ``hs6``, ``hs2`` (wits-india), ...."""
    return _source(source).product_level


def label(source: str, release: str | None = None) -> Label:
    """What a table read from ``source`` now is (its :class:`~esc.label.Label`).

    For BACI, ``release`` defaults to the newest cached release, so the demo world read back
    as release ``VDEMO`` is labelled demo.
    """
    return _source(source).label(release)


def _source(name: str):
    from esc import source as registry

    return registry.get(name)


# --------------------------------------------------------------------------- import_file


def detect_kind(path: str | Path) -> str:
    """What a file is: ``"baci"``, ``"comtrade-csv"``, ``"comtrade-json"`` or ``"wits"``.

    Decided from the zip member names or the CSV header (JSON: Comtrade). Raises
    :class:`~esc.errors.CorruptFileError` for a damaged archive and
    :class:`~esc.errors.BadValueError` for a file esc does not recognise.
    """
    file = Path(path)
    if not file.is_file():
        raise DataNotFoundError(f"{file}: no such file")
    if file.suffix.lower() == ".json":
        return "comtrade-json"
    if file.suffix.lower() == ".zip" or zipfile.is_zipfile(file):
        return _zip_kind(file)
    header = _first_line(file)
    cols = {c.strip().strip('"') for c in header.split(",")}
    if set(baci.RAW_COLUMNS) <= cols or baci.is_baci_name(file.name):
        return "baci"
    if {"refYear", "reporterCode", "flowCode"} <= cols or {"Year", "Reporter Code"} <= cols:
        return "comtrade-csv"
    raise BadValueError(f"not a file esc can import (header: {header.strip()[:120]!r}); "
                        "expected a BACI, UN Comtrade or WITS file", path=file, line=1)


def _first_line(file: Path) -> str:
    import gzip

    try:
        opener = gzip.open if file.suffix.lower() == ".gz" else open
        with opener(file, "rt", encoding="utf-8-sig", errors="replace") as fh:
            return fh.readline()
    except (EOFError, OSError, zlib.error) as exc:  # zlib: a gzip header, then garbage
        raise CorruptFileError(f"cannot read ({exc})", path=file) from exc


def _zip_kind(file: Path) -> str:
    try:
        with zipfile.ZipFile(file) as zf:
            names = zf.namelist()
            csvs = [n for n in names if n.lower().endswith(".csv")]
            if any(Path(n).name.startswith("BACI_") for n in csvs):
                return "baci"
            if len(csvs) == 1:
                with zf.open(csvs[0]) as fh:
                    header = fh.readline().decode("utf-8-sig", errors="replace")
                if "TradeFlowName" in header and "ReporterISO3" in header:
                    return "wits"
                if all(f'"{c}"' in header or c in header.split(",") for c in baci.RAW_COLUMNS):
                    return "baci"
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorruptFileError(f"truncated or not a zip archive ({exc})", path=file) from exc
    raise BadValueError(f"zip holds no BACI or WITS CSV (members: {names[:5]})", path=file)


def import_file(
    path: str | Path,
    *,
    release: str | None = None,
    hs: str | None = None,
    url: str | None = None,
) -> Path:
    """Validate a publisher's file and cache it as canonical Parquet; return the cache folder.

    Recognises a BACI release zip or yearly CSV (``release``/``hs`` override what the file
    name says), a UN Comtrade CSV or JSON answer (one cache entry per product level present),
    or a WITS bulk zip. Every row is read and checked before anything is written; on any error
    the cache is left exactly as it was.
    """
    file = Path(path)
    kind = detect_kind(file)
    cache.clean_stale()  # what killed imports left behind
    if kind == "baci":
        return _import_baci(file, release, hs, url)
    if kind in ("comtrade-csv", "comtrade-json"):
        return _import_comtrade(file, kind, release, url)
    return _import_wits(file, url)


def _import_baci(file: Path, release: str | None, hs_rev: str | None, url: str | None
                 ) -> Path:
    info = baci.inspect(file, hs_rev=hs_rev)
    if (release or info.release) is None:
        raise BadValueError("cannot tell the BACI release from the file name; pass "
                            "release='V202301' (esc data import --release)", path=file)
    rel = baci.check_release(release or info.release or "")
    if info.hs_rev is None:
        raise BadValueError("cannot tell the HS revision from the file name; pass hs='HS92'",
                            path=file)
    rev = info.hs_rev
    staged = cache.stage_by_year(baci.iter_tables(file, hs_rev=rev), "baci", rel,
                                 lambda y: f"{rev}_Y{y}", schema=baci.SCHEMA)
    try:
        if not staged:
            raise BadValueError("the file holds no rows", path=file)
        base = cache.make_provenance(source="baci", release=rel, name="", input_path=file,
                                     url=url, licence=baci.LICENCE)
        for year, entry in sorted(staged.items()):
            prov = dict(base, name=f"{rev}_Y{year}", hs_rev=rev, year=year,
                        publisher=baci.PUBLISHER)
            entry.commit(prov, product=HS6)
    finally:
        for entry in staged.values():
            entry.discard()
    return cache_dir() / "baci" / rel


def _import_comtrade(file: Path, kind: str, release: str | None, url: str | None) -> Path:
    reader = comtrade.read_csv if kind == "comtrade-csv" else comtrade.read_json
    tables = {level: reader(file, product_level=level) for level in _LEVELS}
    tables = {level: t for level, t in tables.items() if len(t)}
    if not tables:
        raise BadValueError("no HS2, HS4 or HS6 rows to import", path=file)
    rel = _safe_name(release or "files")
    base = cache.make_provenance(source="comtrade", release=rel, name="", input_path=file,
                                 url=url, licence=comtrade.LICENCE)
    staged = []
    try:
        for level, table in tables.items():
            name = comtrade_entry_name(file, level, base["sha256"])
            entry = cache.stage("comtrade", rel, name)
            arrow = _arrow(table)
            entry.write(arrow, arrow.schema)
            staged.append((entry, dict(base, name=name, publisher=comtrade.PUBLISHER), level))
        for entry, prov, level in staged:
            entry.commit(prov, product=level)
    finally:
        for entry, _, _ in staged:
            entry.discard()
    return cache_dir() / "comtrade" / rel


def comtrade_entry_name(file: str | Path, level: str, sha256: str) -> str:
    """Cache name of one product level of an imported Comtrade file: what it holds, so that
    two files with the same name never share an entry and re-importing a file replaces only
    its own: ``<file stem>__<level>__<first 16 hex digits of the file's sha256>``.

    >>> comtrade_entry_name("x/cobalt_trade_data.csv", "hs4", "ab" * 32)
    'cobalt_trade_data__hs4__abababababababab'
    """
    return f"{_stem(Path(file))}__{level}__{sha256[:16]}"


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _import_wits(file: Path, url: str | None) -> Path:
    table = wits.parse([file], flow="export")
    if table.empty:
        raise BadValueError("the WITS file holds no Export rows", path=file)
    name = _stem(file)
    prov = cache.make_provenance(source=wits.CACHE_SOURCE, release="imported", name=name,
                                 input_path=file, url=url, licence=wits.LICENCE,
                                 extra={"flow": "export", "publisher": wits.PUBLISHER})
    cache.write_table(table, wits.CACHE_SOURCE, "imported", name, provenance=prov, product=HS2)
    return cache_dir() / wits.CACHE_SOURCE / "imported"


# --------------------------------------------------------------------------- fetch


def fetch(
    source: str,
    *,
    release: str | None = None,
    hs: str | None = None,
    url: str | None = None,
    sha256: str | None = None,
    progress: bool = True,
) -> Path:
    """Download a publisher's file and make it usable; return where it now is.

    - ``"baci"``: the CEPII release zip (``release``, default ``V202501``; ``hs``, default
      ``HS22``) -> ``<cache>/downloads/baci/`` -> imported (one Parquet per year); returns the
      release's cache folder.
    - ``"atlas"``: an Atlas PCI (``hs92_product_year_4``) or ECI table from ``url`` (the
      Growth Lab Dataverse; its file URLs change with releases, so ``url`` is required).
    - ``"hs"``: an HS nomenclature or the HS2022-HS2017 correlation from ``url`` (UN).

    Atlas and HS files are checked by reading them before they are kept.
    """
    cache.clean_stale()
    if source in ("dgcis", "meidb"):  # no download: the steps to get the files by hand
        module = dgcis if source == "dgcis" else meidb
        raise DownloadError(module.fetch_steps())
    if source == "baci":
        rel = baci.check_release(release or baci.DEFAULT_RELEASE)
        rev = baci.check_hs(hs or "HS22")  # before any path is built from it
        link = url or baci.release_url(rel, rev)
        dest = cache_dir() / "downloads" / "baci" / f"BACI_{rev}_{rel}.zip"
        zipped = download(link, dest, sha256=sha256, progress=progress)
        return import_file(zipped, release=rel, hs=rev, url=link)
    if source in ("atlas", "hs"):
        if url is None:
            page = atlas.PAGE if source == "atlas" else hs_tables.PUBLISHER_PAGE
            raise DownloadError(f"the {source} tables are published at {page}, whose file "
                                "links change with each release: pass the file's address with "
                                "--url (url=...)")
        return _fetch_table(source, url, sha256=sha256, progress=progress)
    raise _unknown_source(source, FETCHABLE)


def _fetch_table(source: str, url: str, *, sha256: str | None, progress: bool) -> Path:
    folder = cache.files_dir(source)
    folder.mkdir(parents=True, exist_ok=True)
    incoming = download(url, folder / f".incoming-{os.getpid()}-{_safe_name(url)[-60:]}",
                        sha256=sha256, progress=progress)
    try:
        name = (_atlas_name(incoming) if source == "atlas" else _hs_name(incoming, url))
        final = folder / name
        os.replace(incoming, final)
    finally:
        incoming.unlink(missing_ok=True)
    hs_tables.reset()
    log.info("fetched %s -> %s", url, final)
    return final


def _atlas_name(file: Path) -> str:
    kind = atlas.detect_table(file)
    if kind == "pci":
        atlas.read_pci(file)
        return atlas.PCI_FILE
    if kind == "eci":
        atlas.read_eci(file)
        return atlas.ECI_FILE
    raise BadValueError("not an Atlas PCI (product_hs92_code, year, pci) or ECI (location_code, "
                        "eci_hs92) table", path=file, line=1)


def _hs_name(file: Path, url: str) -> str:
    head = _first_line(file)
    if "HS2022" in head and "HS2017" in head:
        hs_tables.correlation_hs22_hs17(file)
        return "hs2022_hs2017_correlation.csv"
    try:
        payload = json.loads(file.read_text(encoding="utf-8"))
        code = str(payload.get("classCode", "")).upper()
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        code = None
    if code is not None:
        hs_tables.nomenclature(path=file)
        return f"{_safe_name(code)}.json"
    if "hscode" in head:
        hs_tables.nomenclature(path=file)
        return "harmonized-system.csv"
    name = Path(url.split("?")[0]).name
    if re.fullmatch(r"product_codes_HS\d{2}_V\d{6}[a-z]?\.csv", name):
        hs_tables.nomenclature(path=file)
        return name
    raise BadValueError("not an HS table esc knows (UNSD correlation CSV, UN Comtrade "
                        "classification JSON, harmonized-system.csv or BACI product_codes)",
                        path=file, line=1)


# --------------------------------------------------------------------------- listing


def list_available() -> pd.DataFrame:
    """What esc can read now: cache entries, fetched files, the data folder, the demo world.

    Columns: ``source, release, name, rows, years, created, path, provenance`` (a dict).
    """
    rows: list[dict[str, Any]] = []
    for prov in cache.entries():
        src = "wits-india" if prov["source"] == wits.CACHE_SOURCE else prov["source"]
        rows.append({"source": src, "release": prov["release"], "name": prov["name"],
                     "rows": prov.get("rows"), "years": _span(prov.get("years", [])),
                     "created": prov.get("created"), "path": prov["path_parquet"],
                     "provenance": prov})
    for src in ("atlas", "hs"):
        folder = cache.files_dir(src)
        for file in sorted(folder.glob("*")) if folder.is_dir() else []:
            if file.is_file() and not file.name.startswith("."):
                rows.append({"source": src, "release": "fetched", "name": file.name,
                             "rows": None, "years": "", "created": None, "path": str(file),
                             "provenance": {"licence": _LICENCES[src]}})
    root = data_dir()
    for folder, src in _RAW_FOLDERS.items():
        path = root / folder if root else None
        if path is not None and path.is_dir():
            rows.append({"source": src, "release": "data folder", "name": folder,
                         "rows": None, "years": "", "created": None, "path": str(path),
                         "provenance": {"licence": _LICENCES[src],
                                        "source_md": str(path / "SOURCE.md")}})
    rows.append({"source": "demo", "release": "generated", "name": "demo world", "rows": None,
                 "years": "", "created": None, "path": "", "provenance": {"label": DEMO_LABEL}})
    columns = ["source", "release", "name", "rows", "years", "created", "path", "provenance"]
    return pd.DataFrame(rows, columns=columns)


def provenance(source: str) -> dict[str, Any]:
    """Where a source's data came from: publisher, licence and each cached entry's sidecar."""
    if source == "demo":
        from esc.sources import demo

        return demo.provenance()
    if source not in _LICENCES:
        raise _unknown_source(source, (*SOURCES, "atlas", "hs"))
    out: dict[str, Any] = {"source": source, "publisher": _PUBLISHERS[source],
                           "licence": _LICENCES[source], "entries": []}
    if source in ("baci", "comtrade"):
        out["entries"] = cache.entries(source)
    elif source == "wits-india":
        with contextlib.suppress(DataNotFoundError):
            out["entries"].append(cache.read_provenance(wits.cached_entry()))
        out["entries"] += cache.entries(wits.CACHE_SOURCE, "imported")
    elif source in ("dgcis", "meidb"):
        module = dgcis if source == "dgcis" else meidb
        with contextlib.suppress(DataNotFoundError):
            out["entries"].append(cache.read_provenance(module.cached_entry()))
    else:
        out["files"] = _raw_files(source)
    if source in SOURCES and not out["entries"]:
        raise DataNotFoundError(f"no {source} data yet: see `esc data fetch {source}` or "
                                "`esc data import PATH`")
    return out


def _raw_files(source: str) -> list[dict[str, Any]]:
    found = []
    candidates: list[Path] = []
    root = data_dir()
    for folder, src in _RAW_FOLDERS.items():
        if src == source and root is not None and (root / folder).is_dir():
            candidates += sorted(p for p in (root / folder).iterdir() if p.is_file()
                                 and p.name != "SOURCE.md")
    folder = cache.files_dir(source)
    if folder.is_dir():
        candidates += sorted(p for p in folder.iterdir() if p.is_file()
                             and not p.name.startswith("."))
    for path in candidates:
        found.append({"path": str(path), "sha256": cache.sha256_file(path),
                      "bytes": path.stat().st_size})
    return found


__all__ = ["FETCHABLE", "SOURCES", "detect_kind", "fetch", "import_file", "list_available",
           "load_flows", "provenance"]
