"""The source interface and the one registry of sources.

A source is an object that knows, for one publisher's data: its name, publisher, licence and
title; the product level of its flows and the HS revisions it comes in; which folders of the
data folder hold its raw files; how to fetch them (or the steps to get them by hand); whether
a file is one of its files and how to import it into the cache; how to read the cached flows
with filters pushed into the Parquet scan; what a table read from it is (:class:`esc.label.Label`)
and where its cached data came from.

Every source is registered once (:func:`register`); :mod:`esc.data`, the CLI's choices,
``esc data list``, chart source lines and the product level of the analysis all look sources
up here. Adding a source is one module (a subclass of :class:`BaseSource`) plus one
:func:`register` call; see ``docs/architecture.md``.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import pandas as pd

from esc import cache
from esc.config import data_dir
from esc.countries import check_countries
from esc.download import download
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    DownloadError,
    UnknownReleaseError,
    UnknownSourceError,
)
from esc.label import Label, stamp

__all__ = ["BaseSource", "Query", "Scan", "Source", "all_sources", "check_level", "check_years",
           "fetch_file", "first_line", "get", "names", "pick_release", "raw_files", "register",
           "safe_name", "span", "stem", "unregister", "zip_csv_members"]


@dataclass(frozen=True)
class Query:
    """What to read: filters a source pushes into its scan (None = no filter).

    ``reporters`` are importing countries (ISO3), ``exporters`` exporting ones; ``products``
    are codes at ``product_level`` (the source's own level when None).
    """

    years: tuple[int, ...] | None = None
    reporters: tuple[str, ...] | None = None
    exporters: tuple[str, ...] | None = None
    products: tuple[str, ...] | None = None
    product_level: str | None = None
    release: str | None = None
    hs: str | None = None

    @classmethod
    def make(cls, *, years: Iterable[int] | None = None, reporters: Iterable[str] | None = None,
             exporters: Iterable[str] | None = None,
             products: Iterable[str | int] | None = None, product_level: str | None = None,
             release: str | None = None, hs: str | None = None) -> Query:
        """A checked query: countries upper-case ISO3 known to esc
        (:class:`~esc.errors.UnknownCountryError` otherwise), product codes zero-padded to
        the width of ``product_level`` (default hs6) and made of digits only."""
        def countries(xs, what):
            if xs is None:
                return None
            xs = [xs] if isinstance(xs, str) else list(xs)
            return tuple(check_countries(xs, what=what))

        return cls(None if years is None else tuple(sorted({int(y) for y in years})),
                   countries(reporters, "reporter"), countries(exporters, "exporter"),
                   _codes(products, product_level), product_level, release, hs)


_WIDTH = {"hs2": 2, "hs4": 4, "hs6": 6, "hs8": 8}


def _codes(products: Iterable[str | int] | None, level: str | None) -> tuple[str, ...] | None:
    """Product codes as text; HS codes zero-padded to the level's width and checked."""
    if products is None:
        return None
    items = [products] if isinstance(products, str | int) else list(products)
    width = _WIDTH.get((level or "hs6").lower())
    if width is None:  # a source's own grouping (e.g. DGCI&S principal commodities)
        return tuple(str(p) for p in items)
    out = []
    for item in items:
        code = str(item).strip()
        code = code.zfill(width) if code.isdigit() and len(code) in (width - 1, width) else code
        if not (code.isdigit() and len(code) == width):
            raise BadValueError(f"{level or 'hs6'} filter takes {width}-digit codes, "
                                f"got {item!r}")
        out.append(code)
    return tuple(out)


@dataclass(frozen=True)
class Scan:
    """The Parquet files a source's flows live in, for reading out of core with DuckDB
    (:mod:`esc.metrics` takes the paths): what they are (``label``, ``hs_rev``) and the
    ``years`` they hold. Only sources whose cache holds the canonical flows have one."""

    paths: tuple[str, ...]
    label: Label
    hs_rev: str
    years: tuple[int, ...]


@runtime_checkable
class Source(Protocol):
    """What every source provides (see :class:`BaseSource` for the defaults)."""

    name: str
    title: str
    publisher: str
    licence: str
    page: str
    product_level: str
    levels: tuple[str, ...]
    hs_revisions: tuple[str, ...]
    raw_folders: tuple[str, ...]
    reads_flows: bool

    def label(self, release: str | None = None) -> Label: ...
    def load(self, query: Query) -> pd.DataFrame: ...
    def scan(self, query: Query) -> Scan | None: ...
    def entries(self) -> list[dict[str, Any]]: ...
    def provenance(self) -> dict[str, Any]: ...
    def fetch(self, *, release: str | None = None, hs: str | None = None,
              url: str | None = None, sha256: str | None = None,
              progress: bool = True) -> Path: ...
    def recognises(self, path: Path) -> bool: ...
    def import_file(self, path: Path, *, release: str | None = None, hs: str | None = None,
                    url: str | None = None) -> Path: ...


class BaseSource:
    """Defaults for a source: no download, no import, entries from the cache under ``name``.

    A subclass sets the class attributes and overrides :meth:`load` (and, where the source
    has them, :meth:`fetch`, :meth:`recognises` and :meth:`import_file`).
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    publisher: ClassVar[str] = ""
    licence: ClassVar[str] = ""
    page: ClassVar[str] = ""
    product_level: ClassVar[str] = "hs6"
    levels: ClassVar[tuple[str, ...]] = ("hs6",)
    hs_revisions: ClassVar[tuple[str, ...]] = ()
    raw_folders: ClassVar[tuple[str, ...]] = ()
    reads_flows: ClassVar[bool] = True
    fetch_hint: ClassVar[str] = ""

    def label(self, release: str | None = None) -> Label:
        """What a table read from this source is (real data unless overridden)."""
        return Label(source=self.name, title=self.title, release=release,
                     product_level=self.product_level)

    def load(self, query: Query) -> pd.DataFrame:
        """The canonical flows table, filtered while reading."""
        raise BadValueError(f"{self.name} holds reference tables, not trade flows")

    def scan(self, query: Query) -> Scan | None:
        """The Parquet files to read out of core, or None (the default): read with
        :meth:`load` instead."""
        return None

    def entries(self) -> list[dict[str, Any]]:
        """Provenance sidecars of this source's cache entries."""
        return cache.entries(self.name)

    def provenance(self) -> dict[str, Any]:
        """Publisher, licence and each cached entry's sidecar (or the raw files)."""
        out: dict[str, Any] = {"source": self.name, "publisher": self.publisher,
                               "licence": self.licence, "entries": self.entries()}
        if not self.reads_flows:
            out["files"] = raw_files(self)
        elif not out["entries"]:
            raise DataNotFoundError(f"no {self.name} data yet: see `esc data fetch "
                                    f"{self.name}` or `esc data import PATH`")
        return out

    def fetch(self, *, release: str | None = None, hs: str | None = None,
              url: str | None = None, sha256: str | None = None,
              progress: bool = True) -> Path:
        """Download the publisher's file; by default, the steps to get it by hand."""
        raise DownloadError(self.fetch_hint or f"esc cannot download {self.name}: get the "
                            f"files from {self.page or self.publisher} and run `esc data "
                            "import FILE`")

    def recognises(self, path: Path) -> bool:
        """Whether ``path`` is a file of this source that :meth:`import_file` takes."""
        return False

    def import_file(self, path: Path, *, release: str | None = None, hs: str | None = None,
                    url: str | None = None) -> Path:
        """Validate a file and cache it; the default source imports nothing."""
        raise BadValueError(f"{self.name} files are not imported", path=path)

    # helpers for subclasses -------------------------------------------------------------

    def finish(self, table: pd.DataFrame, release: str | None = None, **changes: Any
               ) -> pd.DataFrame:
        """Stamp a table read from this source with its label."""
        label = self.label(release)
        if changes:
            label = replace(label, **changes)
        return stamp(table, label)

    def check_level(self, query: Query) -> str:
        """The query's product level, checked against :attr:`levels`."""
        return check_level(self, query.product_level)


# --------------------------------------------------------------------------- the registry

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "esc.sources"
"""Where installed packages register sources: ``[project.entry-points."esc.sources"]``."""
BUILTIN_ORDER: tuple[str, ...] = ("demo", "baci", "comtrade", "wits-india", "dgcis", "meidb",
                                  "atlas", "hs")
"""esc's own sources, in the order the CLI and ``esc data list`` show them."""

_REGISTRY: dict[str, Source] = {}
_BUILTINS_LOADED = False


def register(source: Source, *, replace: bool = False) -> Source:
    """Add a source to the registry; ``replace=True`` to swap one of the same name."""
    if not isinstance(source, Source):
        raise TypeError(f"{source!r} does not provide the esc.source.Source interface")
    if source.name in _REGISTRY and not replace:
        raise ValueError(f"a source named {source.name!r} is already registered")
    _REGISTRY[source.name] = source
    return source


def unregister(name: str) -> None:
    """Remove a source (tests use it to take a toy source out again)."""
    _REGISTRY.pop(name, None)


def _builtins() -> None:
    """Register the sources installed packages declare (entry point group ``esc.sources``),
    esc's own first, in :data:`BUILTIN_ORDER`, then the others by name. Done once, on first
    use, so importing :mod:`esc.data` reads no source module."""
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if not set(BUILTIN_ORDER) <= set(found):
        missing = sorted(set(BUILTIN_ORDER) - set(found))
        log.warning("esc's own sources %s are not registered: install esc (pip install -e .) "
                    "so that its entry points are written", missing)
    ranked = sorted(found, key=lambda n: (BUILTIN_ORDER.index(n) if n in BUILTIN_ORDER
                                          else len(BUILTIN_ORDER), n))
    for name in ranked:
        if name not in _REGISTRY:
            register(found[name].load())


def get(name: str) -> Source:
    """The registered source ``name``; :class:`~esc.errors.UnknownSourceError` names the
    known ones."""
    _builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownSourceError(f"unknown data source {name!r}: esc knows "
                                 f"{', '.join(names(flows=None))}") from None


def all_sources() -> list[Source]:
    """Every registered source, in registration order."""
    _builtins()
    return list(_REGISTRY.values())


def names(*, flows: bool | None = True) -> tuple[str, ...]:
    """Names of the registered sources: those that read trade flows (default), those that
    hold reference tables (``flows=False``) or all (``flows=None``)."""
    return tuple(s.name for s in all_sources() if flows is None or s.reads_flows == flows)


# --------------------------------------------------------------------------- file helpers


def raw_files(source: Source) -> list[dict[str, Any]]:
    """The source's files in the data folder and its fetched-files folder, with sha256."""
    candidates: list[Path] = []
    root = data_dir()
    for folder in source.raw_folders:
        if root is not None and (root / folder).is_dir():
            candidates += sorted(p for p in (root / folder).iterdir() if p.is_file()
                                 and p.name != "SOURCE.md")
    fetched = cache.files_dir(source.name)
    if fetched.is_dir():
        candidates += sorted(p for p in fetched.iterdir() if p.is_file()
                             and not p.name.startswith("."))
    return [{"path": str(p), "sha256": cache.sha256_file(p), "bytes": p.stat().st_size}
            for p in candidates]


def first_line(file: Path) -> str:
    """The first line of a (possibly gzipped) text file; CorruptFileError if unreadable."""
    try:
        opener: Any = gzip.open if file.suffix.lower() == ".gz" else open
        with opener(file, "rt", encoding="utf-8-sig", errors="replace") as fh:
            return fh.readline()
    except (EOFError, OSError, zlib.error) as exc:  # zlib: a gzip header, then garbage
        raise CorruptFileError(f"cannot read ({exc})", path=file) from exc


def is_zip(file: Path) -> bool:
    """Whether ``file`` is (or claims by its name to be) a zip archive."""
    with contextlib.suppress(OSError):
        return file.suffix.lower() == ".zip" or zipfile.is_zipfile(file)
    return False


def zip_csv_members(file: Path) -> tuple[list[str], str]:
    """The CSV members of a zip and the header line of the first one (``""`` if none).

    A truncated or damaged archive raises :class:`~esc.errors.CorruptFileError`.
    """
    try:
        with zipfile.ZipFile(file) as zf:
            csvs = [n for n in zf.namelist() if n.lower().endswith(".csv")]
            header = ""
            if csvs:
                with zf.open(csvs[0]) as fh:
                    header = fh.readline().decode("utf-8-sig", errors="replace")
            return csvs, header
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorruptFileError(f"truncated or not a zip archive ({exc})", path=file) from exc


# --------------------------------------------------------------------------- shared checks


def check_level(src: Source, product_level: str | None) -> str:
    """``product_level`` (default: the source's own), if the source has it; else
    :class:`~esc.errors.BadValueError` naming the levels it has."""
    level = (product_level or src.product_level).lower()
    if level not in src.levels:
        names = " or ".join(x.upper() if x.startswith("hs") else x for x in src.levels)
        raise BadValueError(f"{src.name} is at {names} level only "
                            f"(product_level={src.levels[0]!r}), not {product_level!r}")
    return level


def span(years: Iterable[int]) -> str:
    """Years as text: ``2015-2023`` for a run of three or more, else listed.

    >>> span([2019, 2017, 2018]), span([2015, 2022])
    ('2017-2019', '2015, 2022')
    """
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    if ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 2:
        return f"{ys[0]}-{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def check_years(years: Iterable[int] | None, available: Iterable[int], what: str
                ) -> list[int] | None:
    """The wanted years, sorted; :class:`~esc.errors.UnknownReleaseError` naming the
    available ones when one is missing."""
    if years is None:
        return None
    wanted = sorted({int(y) for y in years})
    have = sorted({int(y) for y in available})
    missing = [y for y in wanted if y not in have]
    if missing:
        raise UnknownReleaseError(f"{what} has no data for {missing}; years available: "
                                  f"{span(have) or 'none'}")
    return wanted


def pick_release(found: list[dict[str, Any]], release: str | None, what: str) -> str:
    """The newest cached release, or ``release`` if it is cached."""
    releases = sorted({e["release"] for e in found})
    if release is None:
        return releases[-1]
    if release not in releases:
        raise UnknownReleaseError(f"{what} release {release!r} is not in the cache; cached: "
                                  f"{', '.join(releases)}")
    return release


def safe_name(text: str) -> str:
    """``text`` reduced to letters, digits, ``_`` and ``-`` (a safe file or folder name)."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_.")
    return name or "file"


def stem(path: Path) -> str:
    """A file's name without ``.gz``, ``.csv``, ``.json`` or ``.zip``, made safe."""
    name = path.name
    for suffix in (".gz", ".csv", ".json", ".zip", ".ZIP"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return safe_name(name)


def fetch_file(source: Source, url: str, keep_as: Callable[[Path], str], *,
               sha256: str | None = None, progress: bool = True) -> Path:
    """Download a reference table into ``<cache>/files/<source>/`` and keep it under the name
    ``keep_as(file)`` returns, which also checks it by reading it (and raises if it is not a
    table of that source). A file that fails the check is not kept."""
    if url is None:
        raise DownloadError(f"the {source.name} tables are published at {source.page}, whose "
                            "file links change with each release: pass the file's address "
                            "with --url (url=...)")
    folder = cache.files_dir(source.name)
    folder.mkdir(parents=True, exist_ok=True)
    incoming = download(url, folder / f".incoming-{os.getpid()}-{safe_name(url)[-60:]}",
                        sha256=sha256, progress=progress)
    try:
        final = folder / keep_as(incoming)
        os.replace(incoming, final)
    finally:
        incoming.unlink(missing_ok=True)
    log.info("fetched %s -> %s", url, final)
    return final
