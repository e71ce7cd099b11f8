"""Export controls already announced, as data.

``data/export_controls.csv`` holds one row per announced export-control measure: when it was
announced and took effect, who announced it, the products in the announcement's own words, the
HS2022 subheadings they map to (space-separated, with a note per row on how and how uncertain
the mapping is), and a source with a short verbatim quote. See ``docs/scenarios.md``.

What an analyst does with it:

- :func:`load_controls` reads and validates the table (named errors with file, line, column);
- :func:`list_controls` is the short listing ``esc controls`` prints;
- :func:`get_control` returns one measure by ``id`` and :func:`control_hs6` its HS6 codes,
  which :func:`esc.scenarios.control_stop` runs a supplier stop on.

An HS6 subheading is usually broader than the controlled item (811292 holds indium, niobium and
vanadium besides gallium and germanium), so values computed on these codes are upper bounds of
the controlled trade; the ``hs6_mapping_note`` of each row says by how much that may matter.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import pandas as pd

from esc.config import package_data_dir
from esc.countries import is_known_iso3
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    EscError,
    MissingColumnError,
    UnknownCountryError,
    UnknownProductError,
    UnknownReleaseError,
)
from esc.sources.hs import nomenclature

log = logging.getLogger(__name__)

COLUMNS: list[str] = [
    "id", "country", "name", "announced", "effective", "announcing_body", "instrument",
    "products_as_announced", "hs6", "hs_rev", "hs6_mapping_note", "source_title", "source_url",
    "quote", "other_sources",
]
"""Columns of ``data/export_controls.csv`` in file order (``other_sources`` may be empty)."""

REQUIRED_VALUES = tuple(c for c in COLUMNS if c != "other_sources")

HS_REVISIONS = ("HS22", "HS17")

MAX_QUOTE = 300
"""Longest quote accepted, in characters: a quote is a sentence, not a copy of the source."""


def default_path() -> Path:
    """``data/export_controls.csv`` of the package."""
    return package_data_dir() / "export_controls.csv"


def load_controls(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the export-controls table.

    Checks, each raising an :mod:`esc.errors` error naming the file, line (header = 1) and
    column: required columns (:class:`~esc.errors.MissingColumnError`); required values, ``id``
    a unique slug, ``announced``/``effective`` calendar dates (YYYY-MM-DD) with effective not
    before announced, ``hs_rev`` one of :data:`HS_REVISIONS`, ``source_url`` an http(s)
    address, a quote of at most :data:`MAX_QUOTE` characters
    (:class:`~esc.errors.BadValueError`); ``hs6`` one or more 6-digit codes, each in the HS
    nomenclature of ``hs_rev`` when that table is available
    (:class:`~esc.errors.UnknownProductError`). All columns come back as ``str``.

    >>> df = load_controls()
    >>> df.set_index("id").loc["cn-graphite-2023-12", "effective"]
    '2023-12-01'
    """
    file = Path(path) if path else default_path()
    if not file.is_file():
        raise DataNotFoundError(f"export controls table not found: {file}")
    try:
        df = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"cannot read as UTF-8 CSV ({exc})", path=file) from exc
    for col in COLUMNS:
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path=file, column=col)
    for i, row in enumerate(df.to_dict("records")):
        _check_row(row, str(file), i + 2)
    _check_unique_ids(df, str(file))
    _check_codes(df, str(file))
    log.debug("%d export controls from %s", len(df), file)
    return df[COLUMNS].copy()


def _check_row(row: dict[str, str], path: str, line: int) -> None:
    for col in REQUIRED_VALUES:
        if not row[col].strip():
            raise BadValueError("value is required", path=path, line=line, column=col)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row["id"]):
        raise BadValueError(f"id {row['id']!r} is not a slug (lower-case words joined by '-')",
                            path=path, line=line, column="id")
    if not is_known_iso3(row["country"]):
        raise UnknownCountryError(f"country {row['country']!r} is not an ISO3 code (the country "
                                  "whose exports are controlled)", path=path, line=line,
                                  column="country")
    days = {col: _parse_date(row[col], path, line, col) for col in ("announced", "effective")}
    if days["effective"] < days["announced"]:
        raise BadValueError(f"effective {row['effective']} is before announced "
                            f"{row['announced']}", path=path, line=line, column="effective")
    if row["hs_rev"] not in HS_REVISIONS:
        raise BadValueError(f"hs_rev {row['hs_rev']!r} is not one of {', '.join(HS_REVISIONS)}",
                            path=path, line=line, column="hs_rev")
    if not re.match(r"https?://\S+$", row["source_url"]):
        raise BadValueError(f"source_url {row['source_url']!r} is not an http(s) address",
                            path=path, line=line, column="source_url")
    if len(row["quote"]) > MAX_QUOTE:
        raise BadValueError(f"quote is {len(row['quote'])} characters (at most {MAX_QUOTE})",
                            path=path, line=line, column="quote")
    for code in split_hs6(row["hs6"]):
        if not re.fullmatch(r"\d{6}", code):
            raise UnknownProductError(f"HS code {code!r} is not 6 digits", path=path, line=line,
                                      column="hs6")


def _parse_date(text: str, path: str, line: int, column: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise BadValueError(f"{column} {text!r} is not a date YYYY-MM-DD", path=path, line=line,
                            column=column)
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadValueError(f"{column} {text!r} is not a calendar date ({exc})", path=path,
                            line=line, column=column) from exc


def _check_unique_ids(df: pd.DataFrame, path: str) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(df["id"]):
        if value in seen:
            raise BadValueError(f"duplicate id {value!r} (first on line {seen[value]})",
                                path=path, line=i + 2, column="id")
        seen[value] = i + 2


def _check_codes(df: pd.DataFrame, path: str) -> None:
    known: dict[str, set[str] | None] = {}
    for i, row in enumerate(df.itertuples(index=False)):
        if row.hs_rev not in known:
            try:
                known[row.hs_rev] = set(nomenclature(row.hs_rev)["hs6"])
            except (EscError, OSError) as exc:
                log.info("%s nomenclature not available (%s): hs6 of %s checked for form only",
                         row.hs_rev, exc, path)
                known[row.hs_rev] = None
        codes = known[row.hs_rev]
        for code in split_hs6(row.hs6):
            if codes is not None and code not in codes:
                raise UnknownProductError(f"HS code {code!r} is not in the {row.hs_rev} "
                                          "nomenclature", path=path, line=i + 2, column="hs6")


def split_hs6(cell: str) -> list[str]:
    """The codes of a space-separated ``hs6`` cell.

    >>> split_hs6("250410  380110 ")
    ['250410', '380110']
    """
    return cell.split()


def list_controls(path: str | Path | None = None) -> pd.DataFrame:
    """Short listing: ``id, country, announced, effective, instrument, hs6, name`` by effective
    date."""
    df = load_controls(path)
    cols = ["id", "country", "announced", "effective", "instrument", "hs6", "name"]
    return df[cols].sort_values(["effective", "id"]).reset_index(drop=True)


def get_control(control_id: str, path: str | Path | None = None) -> pd.Series:
    """One measure by ``id``; :class:`~esc.errors.UnknownReleaseError` lists the ids when absent.

    >>> get_control("cn-antimony-2024-09")["instrument"]
    'MOFCOM/GAC Announcement No. 33 of 2024'
    """
    df = load_controls(path)
    hit = df[df["id"] == control_id.strip()]
    if hit.empty:
        raise UnknownReleaseError(f"no export control {control_id!r}; known: "
                                  f"{', '.join(df['id'])}")
    return hit.iloc[0]


def control_hs6(control_id: str, path: str | Path | None = None) -> list[str]:
    """The HS6 codes a measure maps to.

    >>> control_hs6("cn-rare-earths-2025-04")
    ['280530', '284690']
    """
    return split_hs6(get_control(control_id, path)["hs6"])
