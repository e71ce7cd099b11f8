"""WITS bulk downloads: partner-reported trade with one country, by HS chapter (mirror data).

No HS6 table of India's imports by partner could be obtained, but the World Bank's WITS serves
what every *other* country reports about its trade with India. A reporter's exports to India
are India's imports from that reporter, seen from the other side ("mirror" statistics). So,
for a row with ``TradeFlowName == "Export"``::

    exporter = ReporterISO3,  importer = PartnerISO3 (IND),  hs2 = ProductCode (2 digits)
    value_usd = "TradeValue in 1000 USD" * 1000

and ``flow="import"`` reads the ``Import`` rows the other way round (the reporter's imports
from India = India's exports to it). ``hs_rev`` comes from ``Nomenclature`` (H3 = HS2007).
Mirror values are FOB at the exporter's border, slightly below what India records CIF, and
they miss what non-reporting countries sell to India; the table is at chapter level only.

Cleaning, each checked against the files in ``../shared/data-raw/wits-india-mirror-hs2``:

- the 11 zips overlap in years: 94,708 of 755,284 rows are exact duplicates and are dropped;
- ``EUN`` (the European Union as one reporter) coexists with its member states and is dropped
  so that EU trade is not counted twice;
- WITS still uses some retired codes: ``ROM`` Romania, ``SER`` Serbia, ``MNT`` Montenegro,
  ``TMP`` Timor-Leste, ``ZAR`` DR Congo, ``SUD`` Sudan, and ``OAS`` "Other Asia, nes" (Taiwan,
  written ``S19`` as in BACI); they are mapped to current ISO3 (:data:`LEGACY_CODES`);
- ``Gross Exp.``/``Gross Imp.``/``Re-Export``/``Re-Import`` rows are other flow definitions
  and are not used.

Reading the 11 zips takes a few seconds, so the parsed table is cached (one entry per set of
input files, keyed by their sha256) and later calls filter it in DuckDB.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from esc import cache
from esc.config import data_dir
from esc.countries import check_countries, is_known_iso3
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    MissingColumnError,
    UnknownCountryError,
    UnknownReleaseError,
    not_utf8,
)
from esc.label import Label
from esc.schema import (
    EXPORTER,
    HS2,
    HS_REV,
    IMPORTER,
    QUANTITY,
    VALUE,
    YEAR,
    empty_flows,
    validate_flows,
    value_problem,
    year_problem,
)
from esc.source import BaseSource, Query, check_years, is_zip, stem, zip_csv_members

log = logging.getLogger(__name__)

PUBLISHER = "World Bank, World Integrated Trade Solution (WITS), from UN Comtrade"
LICENCE = "World Bank WITS / UN Comtrade terms of use apply (no licence stated by the carrier)"
PAGE = "https://wits.worldbank.org/"
FOLDER = "wits-india-mirror-hs2"
CACHE_SOURCE = "wits"

LEGACY_CODES: dict[str, str] = {"ROM": "ROU", "SER": "SRB", "MNT": "MNE", "TMP": "TLS",
                                "ZAR": "COD", "SUD": "SDN", "OAS": "S19"}
"""WITS reporter codes that are not (or no longer) ISO 3166 alpha-3."""
AGGREGATES: frozenset[str] = frozenset({"EUN", "WLD"})
NOMENCLATURES: dict[str, str] = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07",
                                 "H4": "HS12", "H5": "HS17", "H6": "HS22"}
COLUMNS: tuple[str, ...] = ("Nomenclature", "ReporterISO3", "ProductCode", "ReporterName",
                            "PartnerISO3", "PartnerName", "Year", "TradeFlowName",
                            "TradeFlowCode", "TradeValue in 1000 USD")
FLOWS: dict[str, str] = {"export": "Export", "import": "Import"}


def default_paths() -> list[Path]:
    """The WITS zips in the data folder (``<data_dir>/wits-india-mirror-hs2/*.zip``)."""
    root = data_dir()
    folder = root / FOLDER if root else None
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".zip") \
        if folder and folder.is_dir() else []
    if not paths:
        raise DataNotFoundError(
            f"no WITS zips found (looked in {folder or 'the data folder: ESC_DATA_DIR is unset'})"
            f"; download partner-trade-with-India bulk files from {PAGE} and put them in "
            f"<data folder>/{FOLDER}, or run `esc data import PATH` on each zip")
    return paths


def _read_zip(path: Path) -> pd.DataFrame:
    """All rows of the CSV inside one WITS zip, as text, with file and line for messages."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise MissingColumnError(f"expected one CSV in the WITS zip, found {len(names)}",
                                         path=path)
            raw = zf.read(names[0])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise CorruptFileError(f"truncated or not a zip archive ({exc})", path=path) from exc
    label = f"{path}:{names[0]}"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(label, raw, exc) from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorruptFileError(f"cannot parse the CSV ({exc})", path=label) from exc
    for col in COLUMNS:
        if col not in frame.columns:
            raise MissingColumnError("required WITS column is missing", path=label, line=1,
                                     column=col)
    frame = frame[list(COLUMNS)]
    frame["_file"] = label
    frame["_line"] = range(2, len(frame) + 2)
    return frame


def _fail(rows: pd.DataFrame, mask: pd.Series, cls: type[Exception], message: str,
          column: str) -> None:
    if mask.any():
        row = rows[mask].iloc[0]
        raise cls(message.format(value=row[column]), path=row["_file"], line=int(row["_line"]),
                  column=column)


def _convert(raw: pd.DataFrame, flow: str) -> pd.DataFrame:
    rows = raw[raw["TradeFlowName"] == FLOWS[flow]]
    rows = rows.drop_duplicates(list(COLUMNS))
    dropped = rows["ReporterISO3"].isin(AGGREGATES)
    if dropped.any():
        log.info("WITS: %d rows of aggregate reporters (EUN) dropped", int(dropped.sum()))
    rows = rows[~dropped]
    reporter = rows["ReporterISO3"].str.strip().replace(LEGACY_CODES)
    partner = rows["PartnerISO3"].str.strip().replace(LEGACY_CODES)
    for col, codes in (("ReporterISO3", reporter), ("PartnerISO3", partner)):
        _fail(rows, ~codes.map(is_known_iso3), UnknownCountryError,
              "unknown country code {value!r}", col)
    code = rows["ProductCode"].str.strip()
    _fail(rows, ~code.str.fullmatch(r"\d{1,2}"), BadValueError,
          "product code {value!r} is not an HS chapter (2 digits)", "ProductCode")
    value = pd.to_numeric(rows["TradeValue in 1000 USD"], errors="coerce")
    _fail(rows, value.isna(), BadValueError, "value {value!r} is not numeric",
          "TradeValue in 1000 USD")
    year = pd.to_numeric(rows["Year"], errors="coerce")
    _fail(rows, year.isna(), BadValueError, "year {value!r} is not numeric", "Year")
    for column, numbers, check in (
            ("Year", year, year_problem),
            ("TradeValue in 1000 USD", value, lambda v: value_problem(v, scale=1000.0))):
        problem = check(numbers.to_numpy())
        if problem is not None:
            mask = pd.Series(False, index=rows.index)
            mask.iloc[problem[0]] = True
            _fail(rows, mask, BadValueError, problem[1].replace("{", "{{").replace("}", "}}"),
                  column)
    rev = rows["Nomenclature"].str.strip().map(NOMENCLATURES)
    _fail(rows, rev.isna(), BadValueError, "nomenclature {value!r} is not an HS revision",
          "Nomenclature")
    exporter, importer = (reporter, partner) if flow == "export" else (partner, reporter)
    out = pd.DataFrame({YEAR: year, EXPORTER: exporter, IMPORTER: importer,
                        HS2: code.str.zfill(2), HS_REV: rev, VALUE: value * 1000.0,
                        QUANTITY: float("nan")})
    return validate_flows(out, source="WITS zips", product=HS2)


def _digest(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(cache.sha256_file(path).encode())
    return digest.hexdigest()


def parse(paths: Iterable[str | Path], *, flow: str = "export") -> pd.DataFrame:
    """Read WITS zips into a flows table with ``hs2`` (no cache, no filters)."""
    flow = _check_flow(flow)
    files = [Path(p) for p in paths]
    if not files:
        return empty_flows(HS2)
    raw = pd.concat([_read_zip(p) for p in files], ignore_index=True)
    log.info("WITS: %d rows read from %d zips", len(raw), len(files))
    return _convert(raw, flow)


def _check_flow(flow: str) -> str:
    key = flow.lower()
    if key not in FLOWS:
        raise UnknownReleaseError(f"WITS flow {flow!r} is not one of {', '.join(FLOWS)}")
    return key


def cached_entry(paths: Iterable[str | Path] | None = None, *, flow: str = "export") -> Path:
    """The cache entry holding the parsed zips (parsed and written on first use)."""
    flow = _check_flow(flow)
    files = [Path(p) for p in paths] if paths is not None else default_paths()
    return cache.parsed_files(
        CACHE_SOURCE, "mirror", files, _digest(files), lambda fs: parse(fs, flow=flow),
        product=HS2, prefix=flow, url=PAGE, licence=LICENCE,
        extra={"flow": flow, "publisher": PUBLISHER,
               "note": "mirror data: partner-reported trade with India, HS chapters"})


def read(
    paths: Iterable[str | Path] | None = None,
    *,
    flow: str = "export",
    years: Iterable[int] | None = None,
    reporters: Iterable[str] | None = None,
    exporters: Iterable[str] | None = None,
    hs2: Iterable[str | int] | None = None,
    use_cache: bool = True,
) -> pd.DataFrame:
    """Read WITS bulk zips (default: the data folder's) as a flows table with ``hs2``.

    ``flow="export"`` gives India's imports by partner (reporters' exports to India);
    ``flow="import"`` gives India's exports (reporters' imports from India). Exact duplicate
    rows across zips and the ``EUN`` aggregate are dropped; retired WITS codes are mapped to
    ISO3. The parsed table is cached; filters are applied when reading the cache.
    """
    files = [Path(p) for p in paths] if paths is not None else None
    chapters = None if hs2 is None else [str(c).strip().zfill(2) for c in hs2]
    reporters = check_countries(list(reporters), what="importer") if reporters else reporters
    exporters = check_countries(list(exporters), what="exporter") if exporters else exporters
    if not use_cache:
        table = parse(files if files is not None else default_paths(), flow=flow)
        mask = pd.Series(True, index=table.index)
        for col, values in ((YEAR, years), (IMPORTER, reporters), (EXPORTER, exporters),
                            (HS2, chapters)):
            if values is not None:
                mask &= table[col].isin([int(v) for v in values] if col == YEAR else values)
        return table[mask].reset_index(drop=True)
    entry = cached_entry(files, flow=flow)
    return cache.read(entry, years=list(years) if years is not None else None,
                      reporters=reporters, exporters=exporters, products=chapters, product=HS2)


class WitsIndiaSource(BaseSource):
    """WITS partner-reported (mirror) trade with India as a source: the bulk zips of the data
    folder (parsed once into the cache) and any zip imported with ``esc data import``; HS
    chapters (``hs2``)."""

    name = "wits-india"
    title = "WITS partner-reported (mirror) trade with India"
    publisher = PUBLISHER
    licence = LICENCE
    page = PAGE
    product_level = HS2
    levels = (HS2,)
    raw_folders = (FOLDER,)
    fetch_hint = (f"WITS builds each bulk download on request, so esc cannot fetch it: download "
                  f"the partner-trade-with-India files from {PAGE} and put the zips in "
                  f"<data folder>/{FOLDER}, or run `esc data import FILE.zip`")

    def label(self, release: str | None = None) -> Label:
        """Mirror data at chapter level: ``... trade with India (HS2)``."""
        return Label(source=self.name, title=self.title, detail="HS2", product_level=HS2)

    def entries(self) -> list[dict]:
        """The parsed data-folder zips (when there are any) and every imported zip."""
        found = []
        with contextlib.suppress(DataNotFoundError):
            found.append(cache.read_provenance(cached_entry()))
        return found + cache.entries(CACHE_SOURCE, "imported")

    def load(self, query: Query) -> pd.DataFrame:
        """India's imports by partner and chapter, with the query's filters (hs2 codes)."""
        self.check_level(query)
        found = self.entries()
        if not found:
            default_paths()  # raises DataNotFoundError saying where to put the zips
        years = check_years(query.years, {y for e in found for y in e.get("years", [])},
                            "WITS India mirror data")
        frame = cache.read([e["path_parquet"] for e in found], years=years,
                           reporters=query.reporters, exporters=query.exporters,
                           products=query.products, product=HS2)
        return self.finish(frame.drop_duplicates().reset_index(drop=True))

    def recognises(self, path: Path) -> bool:
        """A zip whose one CSV has WITS's header (``TradeFlowName``, ``ReporterISO3``)."""
        if not is_zip(path):
            return False
        csvs, header = zip_csv_members(path)
        return len(csvs) == 1 and "TradeFlowName" in header and "ReporterISO3" in header

    def import_file(self, path: Path, *, release: str | None = None, hs: str | None = None,
                    url: str | None = None) -> Path:
        """Parse the zip's Export rows and cache them under ``wits/imported``."""
        table = parse([path], flow="export")
        if table.empty:
            raise BadValueError("the WITS file holds no Export rows", path=path)
        name = stem(path)
        prov = cache.make_provenance(source=CACHE_SOURCE, release="imported", name=name,
                                     input_path=path, url=url, licence=LICENCE,
                                     extra={"flow": "export", "publisher": PUBLISHER})
        cache.write_table(table, CACHE_SOURCE, "imported", name, provenance=prov, product=HS2)
        return cache.release_dir(CACHE_SOURCE, "imported")


SOURCE = WitsIndiaSource()
