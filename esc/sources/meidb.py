"""DGCI&S MEIDB: India's monthly imports by partner for ITC-HS eight-digit lines.

The Department of Commerce's Export Import Data Bank (MEIDB, on TradeStat) gives India's imports
of each ITC-HS eight-digit line from every partner, month by month. The data folder
``india-meidb-minerals-hs8/`` holds 24 lines (natural and artificial graphite, lithium oxide,
hydroxide and carbonate, copper ores and products), January 2018 to December 2025::

    hs8, description, partner, year, month, value_usd_mn

esc reads each row into (one row in, one row out)::

    year, month  int16, int8  calendar year and month (1-12)
    period       str      "2023-12"
    exporter     str      partner ISO3 from data/dgcis_partners.csv ("" = not a country)
    partner      str      the partner as DGCI&S writes it ("CHINA P RP", "U S A", ...)
    importer     str      "IND"
    hs8          str      ITC-HS eight-digit code ("25041010")
    hs6          str      its first six digits (the international HS subheading)
    hs_rev       str      "HS17" before 2022, "HS22" from January 2022, when India's tariff
                          moved to HS2022 (the 24 lines' six-digit codes are the same in both)
    description  str      the line's description as published
    value_usd    float64  value in US dollars = value_usd_mn * 1e6 (USD million rounded by
                          the publisher to 0.01, i.e. USD 10,000; small flows show as 0)

The files end with two months (November and December 2025) in which every partner of every
line shows 0.00: months the publisher had not yet compiled. :func:`read` leaves such months
out (:func:`unpublished_months`) rather than count them as zero imports.

Views: :func:`read` gives the monthly rows at ``hs8`` or ``hs6`` and, with ``freq="year"``, the
calendar-year sums (``months``: how many months of the line were published that year; a month
with no row for a line was not published or had no trade, and is never filled in).
:func:`flows` is the canonical esc flows table (HS6, calendar year) used by ``esc dependence``.
Bad rows raise named errors with file, line and column: a missing column, an HS8 code that is
not eight digits, a month outside 1-12, a non-numeric or negative value, an unknown partner.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from esc import cache
from esc.config import data_dir, package_data_dir
from esc.countries import check_countries
from esc.errors import (
    BadValueError,
    UnknownReleaseError,
)
from esc.schema import EXPORTER, HS6, HS_REV, IMPORTER, QUANTITY, VALUE, YEAR, validate_flows
from esc.source import Query, check_years
from esc.sources.dgcis import (
    PARTNER,
    REPORTER,
    IndiaSource,
    fail_first,
    folder_csvs,
    partner_iso3,
    read_checked_csv,
)

log = logging.getLogger(__name__)

PUBLISHER = ("Directorate General of Commercial Intelligence and Statistics (DGCI&S), "
             "Department of Commerce, Government of India: TradeStat Export Import Data Bank "
             "(MEIDB)")
LICENCE = ("no licence stated (Government of India public statistics; the repository the "
           "files were taken from has no licence file)")
LICENCE_SHORT = "no licence stated (Government of India public statistics)"
PAGE = "https://tradestat.commerce.gov.in/ (Export Import Data Bank, Import, Commodity-wise)"
FOLDER = "india-meidb-minerals-hs8"
CACHE_SOURCE = "meidb"
LABEL = "DGCI&S MEIDB India monthly imports by HS8 line (Department of Commerce)"
SOURCE_LINE = ("DGCI&S, Department of Commerce, India: TradeStat MEIDB monthly imports by "
               f"ITC-HS line; {LICENCE_SHORT}")
"""The chart footer's source text (names the publisher and the licence situation)."""

HS8 = "hs8"
MONTH = "month"
PERIOD = "period"
HS22_FROM = 2022
"""India's Customs Tariff follows HS2022 from 1 January 2022 (HS2017 before)."""
COLUMNS: tuple[str, ...] = ("hs8", "description", "partner", "year", "month", "value_usd_mn")
TABLE_COLUMNS: list[str] = [YEAR, MONTH, PERIOD, EXPORTER, PARTNER, IMPORTER, HS8, HS6, HS_REV,
                            "description", VALUE]
LEVELS = (HS8, HS6)
FREQS = ("month", "year")


def fetch_steps() -> str:
    """How to get the files by hand, and where to put them (``esc data fetch meidb``)."""
    root = data_dir()
    where = root / FOLDER if root else f"<data folder>/{FOLDER} (set ESC_DATA_DIR)"
    return (
        "MEIDB monthly imports are not downloaded by esc. By hand:\n"
        "  1. Open https://tradestat.commerce.gov.in/ -> Export Import Data Bank (monthly) -> "
        "Import -> Commodity-wise all countries; choose the month, the year, 'Values in US $ "
        "Million' and the eight-digit ITC-HS code; download the table.\n"
        "  2. Keep only the column of the named month itself (e.g. 'Jan-2023'), not the "
        "cumulative 'Apr-...' column, and drop the Total row; write one CSV with the columns "
        "hs8, description, partner, year, month, value_usd_mn.\n"
        f"  3. Put the CSV in {where}; esc reads every *.csv there (`esc data list` shows it).")


def default_paths() -> list[Path]:
    """The CSV files in ``<data folder>/india-meidb-minerals-hs8/``."""
    return folder_csvs(FOLDER, "MEIDB", CACHE_SOURCE)


def _integer(rows: pd.DataFrame, column: str, low: int, high: int) -> pd.Series:
    text = rows[column].str.strip()
    value = pd.to_numeric(text, errors="coerce")
    fail_first(rows, value.isna() | (value % 1 != 0), BadValueError,
          "value {value!r} is not a whole number", column)
    fail_first(rows, (value < low) | (value > high), BadValueError,
          f"value {{value!r}} is outside {low}-{high}", column)
    return value.astype("int64")


def _convert(raw: pd.DataFrame) -> pd.DataFrame:
    code = raw["hs8"].str.strip()
    fail_first(raw, ~code.str.fullmatch(r"\d{8}"), BadValueError,
          "HS8 code {value!r} is not eight digits", "hs8")
    year = _integer(raw, "year", 1900, 2100)
    month = _integer(raw, "month", 1, 12)
    text = raw["value_usd_mn"].str.strip()
    value = pd.to_numeric(text, errors="coerce")
    fail_first(raw, value.isna(), BadValueError, "value {value!r} is not numeric", "value_usd_mn")
    fail_first(raw, value < 0, BadValueError, "negative value {value!r}", "value_usd_mn")
    out = pd.DataFrame({
        YEAR: year.astype("int16"),
        MONTH: month.astype("int8"),
        PERIOD: year.astype(str) + "-" + month.astype(str).str.zfill(2),
        EXPORTER: partner_iso3(raw["partner"], files=raw["_file"], lines=raw["_line"]),
        PARTNER: raw["partner"].str.strip(),
        IMPORTER: REPORTER,
        HS8: code,
        HS6: code.str[:6],
        HS_REV: ["HS22" if y >= HS22_FROM else "HS17" for y in year],
        "description": raw["description"].str.strip(),
        VALUE: value.astype("float64") * 1e6,
    })
    return out[TABLE_COLUMNS].reset_index(drop=True)


def _coerce(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[TABLE_COLUMNS].copy()
    out[YEAR] = out[YEAR].astype("int16")
    out[MONTH] = out[MONTH].astype("int8")
    out[VALUE] = out[VALUE].astype("float64")
    for col in (PERIOD, EXPORTER, PARTNER, IMPORTER, HS8, HS6, HS_REV, "description"):
        out[col] = out[col].astype(str)
    return out.reset_index(drop=True)


def parse(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Read MEIDB CSVs into esc's monthly table (no cache, no filters)."""
    files = [Path(p) for p in paths]
    if not files:
        return _coerce(pd.DataFrame({c: [] for c in TABLE_COLUMNS}))
    raw = pd.concat([read_checked_csv(p, COLUMNS, "MEIDB") for p in files], ignore_index=True)
    log.info("MEIDB: %d rows read from %d files", len(raw), len(files))
    return _coerce(_convert(raw))


def _digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(cache.sha256_file(path).encode())
    digest.update(cache.sha256_file(package_data_dir() / "dgcis_partners.csv").encode())
    return digest.hexdigest()


def cached_entry(paths: Iterable[str | Path] | None = None) -> Path:
    """The cache entry of the parsed files (parsed, checked and written on first use)."""
    files = [Path(p) for p in paths] if paths is not None else default_paths()
    return cache.parsed_files(
        CACHE_SOURCE, "hs8-monthly", files, _digest(files), parse, product=HS8, url=PAGE,
        licence=LICENCE, extra={"publisher": PUBLISHER, "note": "India's monthly imports by "
                                "ITC-HS eight-digit line and partner"})


def available_years(paths: Iterable[str | Path] | None = None) -> list[int]:
    """Calendar years in the files."""
    return [int(y) for y in cache.read_provenance(cached_entry(paths)).get("years", [])]


def _check_years(years: Iterable[int] | None, have: Iterable[int]) -> list[int] | None:
    return check_years(years, have, "MEIDB files (calendar years)")


def unpublished_months(table: pd.DataFrame) -> list[str]:
    """Months (``"2025-11"``) in which every row of every line is zero.

    The files end with such months: the publisher lists the partners of a month it has not
    yet compiled with 0.00 everywhere (November and December 2025 in the files of 31 December
    2025). A real month of India's imports of 24 lines is never zero in total, so these are
    not data and :func:`read` leaves them out unless asked.
    """
    totals = table.groupby(PERIOD)[VALUE].sum()
    return sorted(totals.index[totals <= 0])


def _monthly(files: list[Path] | None, years: list[int] | None, exporters: list[str] | None,
             use_cache: bool, unpublished: bool) -> pd.DataFrame:
    if use_cache:
        entry = cached_entry(files)
        wanted = _check_years(years, available_years(files))
        whole = _coerce(cache.read(entry, product=HS8, validate=False))
    else:
        whole = parse(files if files is not None else default_paths())
        wanted = _check_years(years, whole[YEAR].unique())
    mask = pd.Series(True, index=whole.index)
    if wanted is not None:
        mask &= whole[YEAR].isin(wanted)
    if exporters is not None:
        mask &= whole[EXPORTER].isin(exporters)
    empty = unpublished_months(whole)
    if empty and not unpublished:
        log.info("MEIDB: months with zero imports on every line left out as not yet "
                 "published: %s", ", ".join(empty))
        mask &= ~whole[PERIOD].isin(empty)
    out = whole[mask].reset_index(drop=True)
    out.attrs["unpublished_months"] = empty
    return out


def _yearly(monthly: pd.DataFrame, level: str) -> pd.DataFrame:
    """Calendar-year sums per (year, partner, line); ``months`` = months of the line published."""
    months = monthly.groupby([YEAR, level])[MONTH].nunique().rename("months").reset_index()
    keys = [YEAR, EXPORTER, PARTNER, IMPORTER, level, HS_REV]
    out = monthly.groupby(keys, as_index=False, sort=True)[VALUE].sum()
    out = out.merge(months, on=[YEAR, level], how="left")
    out["months"] = out["months"].astype("int8")
    return out


def read(
    paths: Iterable[str | Path] | None = None,
    *,
    years: Iterable[int] | None = None,
    exporters: Iterable[str] | None = None,
    codes: Iterable[str | int] | None = None,
    level: str = HS8,
    freq: str = "month",
    unpublished: bool = False,
    use_cache: bool = True,
) -> pd.DataFrame:
    """India's imports by partner and ITC-HS line, monthly or by calendar year.

    ``level``: ``"hs8"`` (as published) or ``"hs6"`` (eight-digit lines summed to their
    six-digit subheading). ``freq``: ``"month"`` (one row per published month) or ``"year"``
    (calendar-year sums with ``months`` published). ``years`` are calendar years
    (``2023`` is January-December 2023); ``codes`` are HS8 codes or prefixes of them
    (``"2504"`` selects every natural-graphite line). ``df.attrs`` carries ``label``,
    ``source`` (``"meidb"``), ``product`` and ``unpublished_months``: months in which every
    line is zero, left out unless ``unpublished=True`` (see :func:`unpublished_months`).
    """
    if level not in LEVELS:
        raise BadValueError(f"MEIDB level {level!r} is not one of {', '.join(LEVELS)}")
    if freq not in FREQS:
        raise BadValueError(f"MEIDB freq {freq!r} is not one of {', '.join(FREQS)}")
    files = [Path(p) for p in paths] if paths is not None else None
    exporters = check_countries(list(exporters), what="exporter") if exporters else exporters
    frame = _monthly(files, list(years) if years is not None else None, exporters, use_cache,
                     unpublished)
    empty = frame.attrs["unpublished_months"]
    if codes is not None:
        prefixes = tuple(str(c).strip() for c in codes)
        frame = frame[frame[HS8].str.startswith(prefixes)]
    if level == HS6:
        keys = [YEAR, MONTH, PERIOD, EXPORTER, PARTNER, IMPORTER, HS6, HS_REV]
        frame = frame.groupby(keys, as_index=False, sort=False)[VALUE].sum()
    if freq == "year":
        frame = _yearly(frame, level)
    sort = [YEAR, MONTH, level, PARTNER] if freq == "month" else [YEAR, level, PARTNER]
    out = frame.sort_values(sort, kind="stable").reset_index(drop=True)
    label = LABEL if (level, freq) == (HS8, "month") else (
        f"DGCI&S MEIDB India imports by {level.upper()} line, "
        f"{'monthly' if freq == 'month' else 'calendar year'} (Department of Commerce)")
    out.attrs.update({"label": label, "source": CACHE_SOURCE, "product": level,
                      "freq": freq, "licence": LICENCE_SHORT, "unpublished_months": empty})
    return out


def flows(
    paths: Iterable[str | Path] | None = None,
    *,
    years: Iterable[int] | None = None,
    reporters: Iterable[str] | None = None,
    exporters: Iterable[str] | None = None,
    hs6: Iterable[str | int] | None = None,
) -> pd.DataFrame:
    """The canonical flows table (HS6, calendar year) of the MEIDB files.

    ``year, exporter, importer, hs6, hs_rev, value_usd, quantity_t`` (quantity NaN: the files
    have none). Rows of partners that are not countries ("UNSPECIFIED") are left out, since
    a flows table names its exporter by ISO3; their value is logged.
    """
    if reporters is not None and set(check_countries(list(reporters), what="importer")) - {
            REPORTER}:
        raise UnknownReleaseError("MEIDB holds India's imports only (importer IND)")
    table = read(paths, years=years, exporters=exporters, level=HS6, freq="year",
                 codes=None if hs6 is None else [str(c).zfill(6) for c in hs6])
    nameless = table[EXPORTER] == ""
    if nameless.any():
        log.info("MEIDB: USD %.0f of imports from partners that are not countries left out",
                 table.loc[nameless, VALUE].sum())
    table = table[~nameless].assign(**{QUANTITY: float("nan")})
    out = validate_flows(table, source="MEIDB files", product=HS6)
    out.attrs.update({"label": "DGCI&S MEIDB India imports by HS6, calendar year "
                               "(Department of Commerce)", "source": CACHE_SOURCE,
                      "licence": LICENCE_SHORT})
    return out


class MeidbSource(IndiaSource):
    """India's monthly imports by HS8 line from TradeStat MEIDB, read by calendar year: the
    canonical HS6 flows table (default) or the HS8 view (``product_level="hs8"``)."""

    name = CACHE_SOURCE
    title = LABEL
    licence = LICENCE
    page = PAGE
    product_level = HS6
    levels = (HS6, HS8)
    raw_folders = (FOLDER,)

    def load(self, query: Query) -> pd.DataFrame:
        """:func:`flows` (hs6) or :func:`read` by calendar year (hs8)."""
        self.check_reporters(query)
        level = self.check_level(query)
        if level == HS6:
            table = flows(years=query.years, exporters=query.exporters, hs6=query.products)
        else:
            table = read(years=query.years, exporters=query.exporters, freq="year",
                         codes=query.products)
        return self.finish(table, product_level=level)

    def entry(self) -> Path:
        """:func:`cached_entry` of the data folder's files."""
        return cached_entry()

    def steps(self) -> str:
        """:func:`fetch_steps`."""
        return fetch_steps()


SOURCE = MeidbSource()
