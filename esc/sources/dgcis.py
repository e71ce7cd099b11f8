"""DGCI&S: India's imports by principal commodity and partner country, by fiscal year.

India's Directorate General of Commercial Intelligence and Statistics (DGCI&S, Department of
Commerce) publishes imports by *principal commodity*: about 168 groups of its own ("ACCUMULATORS
AND BATTERIES", "BULK DRUGS, DRUG INTERMEDIATES", "ELECTRONICS COMPONENTS"), not HS codes. The
data folder ``india-principal-commodity/`` holds them for the fiscal years 2014-15 to 2022-23
(April to March; 2020-21 is not in the files), one row per fiscal year, commodity and partner::

    fiscal_year, principal_commodity, unit, partner, quantity, value_usd_mn

esc reads each row into (one row in, one row out)::

    year        int16    the calendar year the fiscal year starts in (2022 for "2022-23")
    fiscal_year str      "2022-23", as people read it
    exporter    str      partner ISO3 from data/dgcis_partners.csv; "" for a partner that is
                         not a country ("UNSPECIFIED", installations in international waters)
    partner     str      the partner as DGCI&S writes it ("CHINA P RP", "U S A", ...)
    importer    str      "IND"
    commodity   str      principal commodity, spellings unified by data/dgcis_commodities.csv
    commodity_published  str  the label as published that year
    unit        str      unit of ``quantity`` ("KGS", "TON", "NOS", ...; "" when none)
    quantity    float64  quantity in ``unit``, NaN when not published
    value_usd   float64  value in US dollars = value_usd_mn * 1e6 (the files give USD million
                         with up to 6 decimals to 2016-17 and 2 from 2017-18 on, that is
                         rounded to USD 10,000; 2018-19 mostly 3)

Two partner names can map to one ISO3 ("EAST TIMOR" and "TIMOR-LESTE"; "PANAMA C Z" and
"PANAMA REPUBLIC"); the rows are kept apart and the metrics sum them. Every row is checked
before anything is cached: a missing column, an unknown fiscal year, a non-numeric or negative
value or quantity, or a partner name not in the table raises a named error with file, line and
column; the cache entry is written only after the whole file has passed.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from functools import cache as memo
from pathlib import Path

import pandas as pd

from esc import cache
from esc.config import data_dir, package_data_dir
from esc.countries import check_countries, is_known_iso3
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    DownloadError,
    MissingColumnError,
    UnknownCountryError,
    UnknownReleaseError,
)
from esc.label import Label
from esc.schema import EXPORTER, IMPORTER, VALUE, YEAR
from esc.source import BaseSource, Query

log = logging.getLogger(__name__)

PUBLISHER = ("Directorate General of Commercial Intelligence and Statistics (DGCI&S), "
             "Department of Commerce, Government of India")
LICENCE = ("Government Open Data License - India (GODL-India), as published on data.gov.in; "
           "the repository the files were taken from states no licence")
LICENCE_SHORT = "GODL-India"
PAGE = "https://www.data.gov.in/ (catalogue 'Principal Commodity-wise Import')"
FOLDER = "india-principal-commodity"
CACHE_SOURCE = "dgcis"
LABEL = "DGCI&S India imports by principal commodity (Department of Commerce)"
SOURCE_LINE = ("DGCI&S, Department of Commerce, India: imports by principal commodity "
               f"(data.gov.in), licence {LICENCE_SHORT}")
"""The chart footer's source text (names the publisher and the licence)."""

COMMODITY = "commodity"
FISCAL_YEAR = "fiscal_year"
PARTNER = "partner"
REPORTER = "IND"
COLUMNS: tuple[str, ...] = ("fiscal_year", "principal_commodity", "unit", "partner", "quantity",
                            "value_usd_mn")
TABLE_COLUMNS: list[str] = [YEAR, FISCAL_YEAR, EXPORTER, PARTNER, IMPORTER, COMMODITY,
                            "commodity_published", "unit", "quantity", VALUE]
PARTNER_KINDS = ("country", "not-a-country")
_FY = re.compile(r"(\d{4})-(\d{2})")


def fetch_steps() -> str:
    """How to get the files by hand, and where to put them (``esc data fetch dgcis``)."""
    root = data_dir()
    where = root / FOLDER if root else f"<data folder>/{FOLDER} (set ESC_DATA_DIR)"
    return (
        "DGCI&S principal-commodity imports are not downloaded by esc. By hand:\n"
        "  1. Open https://www.data.gov.in/ and search the catalogue 'Principal Commodity-wise "
        "Import' (Ministry of Commerce and Industry, DGCI&S); download the resource of each "
        "fiscal year as CSV (or use the data.gov.in API with your own key).\n"
        "  2. Make one CSV with the columns fiscal_year (e.g. 2022-23), principal_commodity, "
        "unit, partner, quantity, value_usd_mn (US$ million): rename the downloaded columns, "
        "add fiscal_year, and drop the TOTAL rows (they double the sums).\n"
        f"  3. Put the CSV in {where}; esc reads every *.csv there (`esc data list` shows it).")


# --------------------------------------------------------------------------- fiscal years


def fiscal_label(start: int) -> str:
    """The fiscal year starting in April of ``start``, as written: ``2022`` -> ``"2022-23"``.

    >>> fiscal_label(2022), fiscal_label(1999)
    ('2022-23', '1999-00')
    """
    return f"{int(start)}-{(int(start) + 1) % 100:02d}"


def fiscal_start(label: str, *, path: str | Path | None = None, line: int | None = None,
                 column: str | None = FISCAL_YEAR) -> int:
    """The start year of a fiscal-year label: ``"2022-23"`` -> ``2022``.

    Raises :class:`~esc.errors.BadValueError` (with ``path``/``line``) when the label is not
    ``YYYY-YY`` with consecutive years.

    >>> fiscal_start("2014-15")
    2014
    """
    match = _FY.fullmatch(str(label).strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise BadValueError(f"unknown fiscal year {label!r} (expected e.g. '2022-23')",
                            path=path, line=line, column=column)
    return int(match.group(1))


# --------------------------------------------------------------------------- lookup tables


def _read_table(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """Rows of one of esc's small CSV tables (``#`` lines are comments), with line numbers."""
    if not path.is_file():
        raise DataNotFoundError(f"{path}: table not found")
    with path.open(newline="", encoding="utf-8") as fh:
        lines = [(n, text) for n, text in enumerate(fh, start=1) if not text.startswith("#")]
    reader = csv.DictReader([text for _, text in lines])
    for col in required:
        if col not in (reader.fieldnames or []):
            raise MissingColumnError("required column is missing", path=path,
                                     line=lines[0][0] if lines else 1, column=col)
    rows = []
    for (number, _), row in zip(lines[1:], reader, strict=False):
        row["_line"] = str(number)
        rows.append(row)
    return rows


@memo
def _partners(path: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for row in _read_table(Path(path), ("dgcis_name", "iso3", "kind")):
        line = int(row["_line"])
        name, iso3, kind = row["dgcis_name"].strip(), row["iso3"].strip(), row["kind"].strip()
        if kind not in PARTNER_KINDS:
            raise BadValueError(f"kind {kind!r} is not one of {', '.join(PARTNER_KINDS)}",
                                path=path, line=line, column="kind")
        if (kind == "country") != bool(iso3) or (iso3 and not is_known_iso3(iso3)):
            raise UnknownCountryError(f"iso3 {iso3!r} does not fit kind {kind!r}", path=path,
                                      line=line, column="iso3")
        if name in table:
            raise BadValueError(f"partner name {name!r} is listed twice", path=path, line=line,
                                column="dgcis_name")
        table[name] = iso3
    return table


def partner_table(path: str | Path | None = None) -> dict[str, str]:
    """``{DGCI&S partner name: ISO3}`` from ``data/dgcis_partners.csv`` ("" = not a country).

    >>> partner_table()["CHINA P RP"], partner_table()["UNSPECIFIED"]
    ('CHN', '')
    """
    return dict(_partners(str(Path(path) if path else package_data_dir() / "dgcis_partners.csv")))


def partner_iso3(names: pd.Series, *, files: pd.Series, lines: pd.Series,
                 column: str = PARTNER) -> pd.Series:
    """Map DGCI&S partner names to ISO3 ("" for not-a-country); unknown names raise
    :class:`~esc.errors.UnknownCountryError` at the first row that has one."""
    table = partner_table()
    clean = names.astype(str).str.strip()
    iso = clean.map(table)
    bad = iso.isna().to_numpy().nonzero()[0]
    if bad.size:
        pos = int(bad[0])
        raise UnknownCountryError(
            f"partner {clean.iloc[pos]!r} is not in data/dgcis_partners.csv (add it with its "
            "ISO3, or as not-a-country)", path=files.iloc[pos], line=int(lines.iloc[pos]),
            column=column)
    return iso.astype(str)


@memo
def _commodities(path: str) -> dict[str, str]:
    rows = _read_table(Path(path), ("published", "label"))
    return {r["published"].strip(): r["label"].strip() for r in rows}


def commodity_table(path: str | Path | None = None) -> dict[str, str]:
    """``{label as published: unified label}`` from ``data/dgcis_commodities.csv``.

    >>> commodity_table()["BOOKS, PUBLICATIONS AND PRNTNG"]
    'BOOKS, PUBLICATIONS AND PRINTING'
    """
    file = Path(path) if path else package_data_dir() / "dgcis_commodities.csv"
    return dict(_commodities(str(file)))


def unify_commodity(labels: pd.Series) -> pd.Series:
    """Published principal-commodity labels -> unified labels (others unchanged)."""
    clean = labels.astype(str).str.strip()
    return clean.replace(commodity_table())


# --------------------------------------------------------------------------- reading


def folder_csvs(folder: str, what: str, source: str) -> list[Path]:
    """The CSV files in ``<data folder>/<folder>/``, or a :class:`DataNotFoundError` saying
    where esc looked and how to get them (``esc data fetch <source>``)."""
    root = data_dir()
    where = root / folder if root else None
    paths = sorted(where.glob("*.csv")) if where and where.is_dir() else []
    if not paths:
        raise DataNotFoundError(
            f"no {what} files found (looked in "
            f"{where or 'the data folder: ESC_DATA_DIR is unset'}); run `esc data fetch {source}` "
            "for the steps to download them")
    return paths


def default_paths() -> list[Path]:
    """The CSV files in ``<data folder>/india-principal-commodity/``."""
    return folder_csvs(FOLDER, "DGCI&S principal-commodity", CACHE_SOURCE)


def read_checked_csv(path: Path, columns: Sequence[str], what: str) -> pd.DataFrame:
    """A CSV as text with the ``columns`` required, plus ``_file`` and ``_line`` (as an
    editor numbers it, header = 1) for error messages."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise CorruptFileError(f"cannot parse the CSV ({exc})", path=path) from exc
    for col in columns:
        if col not in frame.columns:
            raise MissingColumnError(f"required {what} column is missing", path=path, line=1,
                                     column=col)
    frame = frame[list(columns)].copy()
    frame["_file"] = str(path)
    frame["_line"] = range(2, len(frame) + 2)
    return frame


def fail_first(rows: pd.DataFrame, mask: pd.Series, cls: type[Exception], message: str,
               column: str) -> None:
    """Raise ``cls`` naming the file, line and column of the first row where ``mask``."""
    if mask.any():
        row = rows[mask.to_numpy()].iloc[0]
        raise cls(message.format(value=row[column]), path=row["_file"], line=int(row["_line"]),
                  column=column)


def _numbers(rows: pd.DataFrame, column: str, *, required: bool) -> pd.Series:
    text = rows[column].str.strip()
    value = pd.to_numeric(text, errors="coerce")
    bad = value.isna() & ((text != "") | required)
    fail_first(rows, bad, BadValueError, "value {value!r} is not numeric", column)
    fail_first(rows, value < 0, BadValueError, "negative value {value!r}", column)
    return value.astype("float64")


def _convert(raw: pd.DataFrame) -> pd.DataFrame:
    labels = raw["fiscal_year"].str.strip()
    starts = {}
    for label in labels.unique():
        first = raw[labels == label].iloc[0]
        starts[label] = fiscal_start(label, path=first["_file"], line=int(first["_line"]))
    commodity = raw["principal_commodity"].str.strip()
    fail_first(raw, commodity == "", BadValueError, "principal commodity is empty {value!r}",
          "principal_commodity")
    out = pd.DataFrame({
        YEAR: labels.map(starts).astype("int16"),
        FISCAL_YEAR: labels,
        EXPORTER: partner_iso3(raw["partner"], files=raw["_file"], lines=raw["_line"]),
        PARTNER: raw["partner"].str.strip(),
        IMPORTER: REPORTER,
        COMMODITY: unify_commodity(commodity),
        "commodity_published": commodity,
        "unit": raw["unit"].str.strip(),
        "quantity": _numbers(raw, "quantity", required=False),
        VALUE: _numbers(raw, "value_usd_mn", required=True) * 1e6,
    })
    return out[TABLE_COLUMNS].reset_index(drop=True)


def parse(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Read DGCI&S principal-commodity CSVs into esc's table (no cache, no filters)."""
    files = [Path(p) for p in paths]
    if not files:
        return _coerce(pd.DataFrame({c: [] for c in TABLE_COLUMNS}))
    raw = pd.concat([read_checked_csv(p, COLUMNS, "DGCI&S") for p in files], ignore_index=True)
    log.info("DGCI&S: %d rows read from %d files", len(raw), len(files))
    return _coerce(_convert(raw))


def _coerce(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[TABLE_COLUMNS].copy()
    out[YEAR] = out[YEAR].astype("int16")
    for col in (VALUE, "quantity"):
        out[col] = out[col].astype("float64")
    for col in (FISCAL_YEAR, EXPORTER, PARTNER, IMPORTER, COMMODITY, "commodity_published",
                "unit"):
        out[col] = out[col].astype(str)
    return out.reset_index(drop=True)


def _digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(cache.sha256_file(path).encode())
    for table in ("dgcis_partners.csv", "dgcis_commodities.csv"):
        digest.update(cache.sha256_file(package_data_dir() / table).encode())
    return digest.hexdigest()


def cached_entry(paths: Iterable[str | Path] | None = None) -> Path:
    """The cache entry of the parsed files (parsed, checked and written on first use).

    The key covers the input files and esc's partner and commodity tables, so an edited
    table gives a new entry.
    """
    files = [Path(p) for p in paths] if paths is not None else default_paths()
    return cache.parsed_files(
        CACHE_SOURCE, "principal-commodity", files, _digest(files), parse, product=COMMODITY,
        url=PAGE, licence=LICENCE,
        extra={"publisher": PUBLISHER, "note": "India's imports by DGCI&S principal commodity "
               "and partner; year = start of the April-March fiscal year"})


def available_years(paths: Iterable[str | Path] | None = None) -> list[int]:
    """Fiscal-year start years in the files (2020 is absent: 2020-21 is not published)."""
    return [int(y) for y in cache.read_provenance(cached_entry(paths)).get("years", [])]


def check_years(years: Iterable[int] | None, have: Iterable[int]) -> list[int] | None:
    """The wanted fiscal years (start years), or :class:`UnknownReleaseError` naming those
    the files hold, written ``2022-23``."""
    if years is None:
        return None
    wanted = sorted({int(y) for y in years})
    have = sorted({int(y) for y in have})
    missing = [y for y in wanted if y not in have]
    if missing:
        raise UnknownReleaseError(
            f"DGCI&S principal-commodity files have no fiscal year "
            f"{', '.join(fiscal_label(y) for y in missing)} (selected by start year: "
            f"--year 2022 is 2022-23); available: {', '.join(fiscal_label(y) for y in have)}")
    return wanted


def read(
    paths: Iterable[str | Path] | None = None,
    *,
    years: Iterable[int] | None = None,
    exporters: Iterable[str] | None = None,
    commodities: Iterable[str] | None = None,
    use_cache: bool = True,
) -> pd.DataFrame:
    """India's imports by principal commodity and partner (default: the data folder's files).

    ``years`` are fiscal-year *start* years (``2022`` selects 2022-23); an absent year, such as
    2020 (2020-21 is not in the files), raises :class:`~esc.errors.UnknownReleaseError`.
    ``exporters`` are ISO3 codes, ``commodities`` labels (an older spelling selects the
    unified label). ``df.attrs`` carries
    ``label`` and ``source`` (``"dgcis"``).
    """
    files = [Path(p) for p in paths] if paths is not None else None
    exporters = check_countries(list(exporters), what="exporter") if exporters else exporters
    wanted_commodities = None if commodities is None else unify_commodity(
        pd.Series([str(c) for c in commodities], dtype=str)).tolist()
    if use_cache:
        entry = cached_entry(files)
        wanted = check_years(years, available_years(files))
        frame = cache.read(entry, years=wanted, exporters=exporters,
                           products=wanted_commodities, product=COMMODITY, validate=False)
        frame = _coerce(frame).sort_values([YEAR, COMMODITY, PARTNER], kind="stable")
    else:
        frame = parse(files if files is not None else default_paths())
        wanted = check_years(years, frame[YEAR].unique())
        mask = pd.Series(True, index=frame.index)
        for col, values in ((YEAR, wanted), (EXPORTER, exporters),
                            (COMMODITY, wanted_commodities)):
            if values is not None:
                mask &= frame[col].isin(values)
        frame = frame[mask]
    out = frame.reset_index(drop=True)
    out.attrs.update({"label": LABEL, "source": CACHE_SOURCE, "product": COMMODITY,
                      "licence": LICENCE_SHORT})
    return out


class IndiaSource(BaseSource):
    """What DGCI&S's two sources share: India's imports only, files put in the data folder by
    hand (:meth:`fetch` raises with the steps), parsed once into the cache."""

    publisher = PUBLISHER

    def label(self, release: str | None = None) -> Label:
        """Real official statistics: the source's title, no release."""
        return Label(source=self.name, title=self.title, product_level=self.product_level)

    def check_reporters(self, query: Query) -> None:
        """These files hold India's imports: any other reporter is an error."""
        if query.reporters is not None and set(query.reporters) - {REPORTER}:
            raise UnknownReleaseError(f"{self.name} holds India's imports only (importer IND)")

    def entries(self) -> list[dict]:
        """The parsed files' cache entry, when the data folder has the files."""
        try:
            return [cache.read_provenance(self.entry())]
        except DataNotFoundError:
            return []

    def entry(self) -> Path:
        """The cache entry of the parsed data-folder files."""
        raise NotImplementedError

    def fetch(self, *, release: str | None = None, hs: str | None = None,
              url: str | None = None, sha256: str | None = None,
              progress: bool = True) -> Path:
        """No download: the publisher's portals need a browser. The error gives the steps."""
        raise DownloadError(self.steps())

    def steps(self) -> str:
        """How to get the files by hand."""
        raise NotImplementedError


class DgcisSource(IndiaSource):
    """India's imports by DGCI&S principal commodity and partner, fiscal years (``year`` is
    the start year of the April-March year)."""

    name = CACHE_SOURCE
    title = LABEL
    licence = LICENCE
    page = PAGE
    product_level = COMMODITY
    levels = (COMMODITY,)
    raw_folders = (FOLDER,)

    def load(self, query: Query) -> pd.DataFrame:
        """:func:`read` with the query's years, exporters and commodities."""
        self.check_reporters(query)
        if query.product_level not in (None, COMMODITY):
            raise BadValueError("dgcis is by principal commodity, not HS: filter on "
                                "commodities with esc.sources.dgcis.read(commodities=...)")
        return self.finish(read(years=query.years, exporters=query.exporters,
                                commodities=query.products))

    def entry(self) -> Path:
        """:func:`cached_entry` of the data folder's files."""
        return cached_entry()

    def steps(self) -> str:
        """:func:`fetch_steps`."""
        return fetch_steps()


SOURCE = DgcisSource()
