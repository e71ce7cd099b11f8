"""UN Comtrade: what each country reports it imported and exported, by partner and product.

Comtrade rows are seen from the *reporter*. An import row (``flowCode`` M) of reporter USA
with partner China is the flow China -> USA; an export row (X) of reporter China with partner
USA is the same flow seen from the other side. So::

    M rows:  importer = reporter, exporter = partner
    X rows:  exporter = reporter, importer = partner

When a file holds both sides of the same flow (same year, exporter, importer, product,
revision), the importer's report is kept and the exporter's dropped (imports are recorded at
the border with more care, and are what concentration measures are about); the count is
logged. ``flow="M"`` or ``"X"`` keeps one side only.

What is left out, and why:

- partner 0 (World) and 97 (EU) are aggregates of the other rows; they are dropped unless
  ``keep_world=True`` (they then appear as ``WLD`` / ``EUN``);
- partner areas that are not countries (``Areas, nes`` 899, bunkers, free zones, special
  categories and the regional "nes" residuals, :data:`RESIDUAL_AREAS`) cannot be written as
  ISO3 and are dropped with a log line; any other code esc does not know raises
  :class:`~esc.errors.UnknownCountryError`;
- breakdown rows (a transport mode, customs procedure or second partner other than the total,
  as in the API's "plus" breakdown mode) are dropped when the total row is present and summed
  when it is not, so that no flow is counted twice;
- product level: Comtrade serves 2-, 4- and 6-digit codes in the same answer. The default
  refuses a file with codes other than 6 digits and says which; ``product_level="hs4"`` (or
  ``"hs6"``, ``"hs2"``) keeps the rows of that level only, in a table whose product column is
  named after it.

Units: ``primaryValue`` is US dollars (CIF for imports, FOB for exports); ``netWgt`` is
kilograms, divided by 1000 for ``quantity_t``; a net weight of 0 on a row with a positive
value means "not reported" and becomes NaN. ``classificationCode`` H0..H6 gives ``hs_rev``
(HS92..HS22).

The API itself is reached through UN Comtrade's own client, ``comtradeapicall`` (optional:
``pip install 'esc[comtrade]'``), with the user's subscription key.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pycountry

from esc import cache
from esc.countries import TRADE_CODE_EXCEPTIONS, iso3_from_numeric
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    DownloadError,
    MissingColumnError,
    UnknownCountryError,
    UnknownProductError,
    UnknownReleaseError,
    not_utf8,
)
from esc.label import Label
from esc.schema import (
    EXPORTER,
    HS_REV,
    HS_REVISIONS,
    IMPORTER,
    QUANTITY,
    VALUE,
    YEAR,
    validate_flows,
    value_problem,
    year_problem,
)
from esc.source import (
    BaseSource,
    Query,
    check_years,
    first_line,
    pick_release,
    safe_name,
    stem,
)
from esc.sources import hs as hs_tables

log = logging.getLogger(__name__)

PUBLISHER = "United Nations Statistics Division, UN Comtrade"
LICENCE = "UN Comtrade terms of use (redistribution of bulk data restricted); cite UN Comtrade"
PAGE = "https://comtradeplus.un.org/"
API_KEY_ENV = "COMTRADE_API_KEY"

CLASSIFICATIONS: dict[str, str] = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07",
                                   "H4": "HS12", "H5": "HS17", "H6": "HS22"}
"""Comtrade classification codes -> HS revision."""

AGGREGATE_PARTNERS: dict[int, str] = {0: "WLD", 97: "EUN"}
RESIDUAL_AREAS: dict[int, str] = {
    129: "Caribbean, nes", 221: "Eastern Europe, nes", 290: "Northern Africa, nes",
    471: "CACM, nes", 472: "Africa CAMEU region, nes", 473: "LAIA, nes",
    492: "Europe EU, nes", 527: "Oceania, nes", 536: "Neutral Zone", 568: "Other Europe, nes",
    577: "Other Africa, nes", 636: "Rest of America, nes",
    637: "North America and Central America, nes", 837: "Bunkers", 838: "Free Zones",
    839: "Special Categories", 879: "Western Asia, nes", 899: "Areas, nes",
}
"""Comtrade partner areas that are not countries (from Comtrade's partner list)."""

_LEGACY = {"Year": "refYear", "Reporter Code": "reporterCode", "Partner Code": "partnerCode",
           "Trade Flow Code": "flowCode", "Commodity Code": "cmdCode",
           "Trade Value (US$)": "primaryValue", "Netweight (kg)": "netWgt",
           "Classification": "classificationCode"}
_LEGACY_FLOWS = {"1": "M", "2": "X", "3": "RX", "4": "RM"}
_REQUIRED = ("refYear", "reporterCode", "flowCode", "partnerCode", "cmdCode", "primaryValue")
_TOTALS = {"partner2Code": "0", "customsCode": "C00", "motCode": "0", "mosCode": "0"}
_LEVELS = {"hs2": 2, "hs4": 4, "hs6": 6}
_REPORTER_CODES = {"IND": 699, "USA": 842, "FRA": 251, "CHE": 757, "NOR": 579, "S19": 490,
                   "TWN": 490}


class _Where:
    """Turns a row's position into a location for error messages (CSV line or JSON record),
    with the column named as the file writes it (``Trade Value (US$)`` in a legacy file)."""

    def __init__(self, source: str, lines: pd.Series, *, json_records: bool,
                 names: dict[str, str] | None = None) -> None:
        self.source, self.lines, self.json = source, lines, json_records
        self.names = names or {}

    def written(self, column: str) -> str:
        return self.names.get(column, column)

    def error(self, cls: type[Exception], message: str, index: Any, column: str) -> Exception:
        n = int(self.lines.loc[index])
        if self.json:
            return cls(f"{message} (record {n})", path=self.source, column=self.written(column))
        return cls(message, path=self.source, line=n, column=self.written(column))

    def places(self, index: pd.Index) -> str:
        """``lines 3, 7, 9`` (or ``records``) for a few rows, with ``...`` past ten."""
        ns = [str(int(n)) for n in self.lines.loc[index[:10]]]
        more = ", ..." if len(index) > 10 else ""
        return f"{'records' if self.json else 'lines'} {', '.join(ns)}{more}"


def _numbers(df: pd.DataFrame, column: str, where: _Where, *, allow_missing: bool) -> pd.Series:
    raw = df[column]
    num = pd.to_numeric(raw, errors="coerce")
    text = raw.astype(str).str.strip().str.lower()
    bad = num.isna() & (raw.notna() & (text != "") if allow_missing else True)
    if bad.any():
        idx = bad[bad].index[0]
        value = raw.loc[idx]
        what = ("is empty" if pd.isna(value) or not str(value).strip() else
                "is not a number" if text.loc[idx] in ("nan", "-nan", "+nan") else
                "is not numeric")
        shown = "value" if what == "is empty" else f"value {value!r}"
        raise where.error(BadValueError, f"{shown} {what}", idx, column)
    return num.astype("float64")


def _check_plausible(df: pd.DataFrame, where: _Where) -> None:
    """Years in range, values finite and below the bound, country codes whole numbers."""
    checks = (("refYear", lambda s: year_problem(s)),
              ("primaryValue", lambda s: value_problem(s)),
              ("netWgt", lambda s: value_problem(s, what="net weight", missing_ok=True,
                                                 bound=None)))
    for column, check in checks:
        problem = check(df[column].to_numpy())
        if problem is not None:
            raise where.error(BadValueError, problem[1], df.index[problem[0]], column)
    for column in ("reporterCode", "partnerCode"):
        codes = df[column]
        bad = (codes < 0) | (codes > 999) | (codes != np.floor(codes))
        if bad.any():
            idx = bad[bad].index[0]
            raise where.error(UnknownCountryError, f"country code {codes.loc[idx]:g} is not a "
                              "UN Comtrade code (a whole number from 0 to 999)", idx, column)


def _iso3(codes: pd.Series, where: _Where, column: str) -> pd.Series:
    mapping = {}
    for code in pd.unique(codes):
        try:
            mapping[code] = iso3_from_numeric(pd.Series([code])).iloc[0]
        except UnknownCountryError:
            idx = codes[codes == code].index[0]
            raise where.error(UnknownCountryError, f"unknown country code {int(code)}", idx,
                              column) from None
    return codes.map(mapping).astype(str)


def _totals_only(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Keep total rows; sum breakdown rows only for keys that have no total row."""
    present = [c for c in _TOTALS if c in df.columns]
    if not present:
        return df
    is_total = np.ones(len(df), dtype=bool)
    for col in present:
        values = df[col].fillna(_TOTALS[col]).astype(str).str.strip()
        values = values.str.replace(r"\.0$", "", regex=True)
        is_total &= (values == _TOTALS[col]).to_numpy()
    totals, parts = df[is_total], df[~is_total]
    if parts.empty:
        return df
    covered = parts.set_index(key).index.isin(totals.set_index(key).index)
    orphan = parts[~covered]
    log.info("%d breakdown rows (mode of transport, customs, second partner) dropped: their "
             "totals are present", int(covered.sum()))
    if orphan.empty:
        return totals
    log.warning("%d breakdown rows without a total row were summed", len(orphan))
    summed = orphan.groupby(key, as_index=False, sort=False).agg(
        primaryValue=("primaryValue", "sum"), netWgt=("netWgt", lambda s: s.sum(min_count=1)),
        _line=("_line", "min"))
    return pd.concat([totals, summed], ignore_index=False)


def _prepare(df: pd.DataFrame, source: str, *, json_records: bool, line_offset: int
             ) -> tuple[pd.DataFrame, _Where]:
    legacy = {k: v for k, v in _LEGACY.items() if k in df.columns}
    df = df.rename(columns=legacy)
    names = {v: k for k, v in legacy.items()}
    for col in _REQUIRED:
        if col not in df.columns:
            raise MissingColumnError("required Comtrade column is missing", path=source,
                                     line=None if json_records else 1, column=col)
    df = df.reset_index(drop=True)
    df["_line"] = np.arange(len(df)) + line_offset
    blank = df.drop(columns="_line").isna().all(axis=1)
    if blank.any():  # empty lines were kept so that row n is line n + 2; now drop them
        df = df[~blank]
    where = _Where(source, df["_line"], json_records=json_records, names=names)
    flows = df["flowCode"].astype(str).str.strip()
    df["flowCode"] = flows.map(lambda f: _LEGACY_FLOWS.get(f, f))
    for col in ("primaryValue", "netWgt", "reporterCode", "partnerCode", "refYear"):
        if col in df.columns:
            df[col] = _numbers(df, col, where, allow_missing=col == "netWgt")
    if "netWgt" not in df.columns:
        df["netWgt"] = np.nan
    _check_plausible(df, where)
    df["cmdCode"] = df["cmdCode"].astype(str).str.strip()
    return df, where


def _hs_revs(df: pd.DataFrame, where: _Where, hs_rev: str | None) -> pd.Series:
    if hs_rev is not None:
        return pd.Series(hs_rev.upper(), index=df.index)
    if "classificationCode" not in df.columns:
        raise MissingColumnError("no classificationCode column: pass hs_rev='HS17' (etc.)",
                                 path=where.source, column="classificationCode")
    codes = df["classificationCode"].astype(str).str.strip().str.upper()
    revs = codes.map(CLASSIFICATIONS)
    bad = revs.isna()
    if bad.any():
        idx = bad[bad].index[0]
        raise where.error(BadValueError, f"classification {codes.loc[idx]!r} is not an HS "
                          "revision (H0..H6); request a fixed revision or pass hs_rev=",
                          idx, "classificationCode")
    return revs


_HS_CODE = r"\d{2}|\d{4}|\d{6}"
_TOTAL = "TOTAL"  # Comtrade's all-products aggregate


def _check_codes(df: pd.DataFrame, where: _Where) -> None:
    """Refuse product codes that are no HS level (5 or 7 digits, letters); name the lines."""
    codes = df["cmdCode"]
    bad = ~codes.str.fullmatch(_HS_CODE) & (codes.str.upper() != _TOTAL)
    if bad.any():
        idx = bad[bad].index
        raise where.error(BadValueError, f"product code {codes.loc[idx[0]]!r} is not an HS "
                          f"code (2, 4 or 6 digits); {len(idx)} rows like it "
                          f"({where.places(idx)})", idx[0], "cmdCode")


def _check_nomenclature(df: pd.DataFrame, where: _Where) -> None:
    """Every code must exist in its row's HS revision, where esc has that revision's list;
    where it has none, codes whose chapter exists in no revision are counted in a warning."""
    for rev, rows in df.groupby(HS_REV, sort=True):
        codes = rows["cmdCode"]
        codes = codes[codes.str.fullmatch(_HS_CODE)]
        try:
            known = hs_tables.known_codes(str(rev))
        except (DataNotFoundError, UnknownReleaseError):
            bad = _outside(codes.str[:2], hs_tables.HS_CHAPTERS)
            if bad.any():
                idx = bad[bad].index
                log.warning("%s: %d rows have HS codes whose chapter exists in no HS revision "
                            "(e.g. %r; %s); esc has no %s code list to check codes one by one",
                            where.source, len(idx), codes.loc[idx[0]], where.places(idx), rev)
            continue
        bad = _outside(codes, known)
        if bad.any():
            idx = bad[bad].index
            raise where.error(UnknownProductError, f"HS code {codes.loc[idx[0]]!r} is not in "
                              f"the {rev} nomenclature ({len(idx)} rows like it: "
                              f"{where.places(idx)})", idx[0], "cmdCode")


def _outside(codes: pd.Series, known: frozenset[str]) -> pd.Series:
    """Mask of the codes not in ``known`` (the distinct codes are looked up once each)."""
    missing = [c for c in pd.unique(codes) if c not in known]
    return codes.isin(missing) if missing else pd.Series(False, index=codes.index)


def _select_level(df: pd.DataFrame, where: _Where, product_level: str | None) -> tuple[
        pd.DataFrame, str]:
    codes = df["cmdCode"]
    total = codes.str.upper() == _TOTAL
    if total.any() and product_level is not None:
        log.info("%s: %d rows of all products (cmdCode TOTAL) left out", where.source,
                 int(total.sum()))
    if product_level is None:
        bad = ~codes.str.fullmatch(r"\d{6}")
        if bad.any():
            idx = bad[bad].index[0]
            levels = sorted({f"hs{len(c)}" for c in codes if c.isdigit() and len(c) < 6})
            raise where.error(
                BadValueError,
                f"product code {codes.loc[idx]!r} is not an HS6 code; this file also holds "
                f"{', '.join(levels) or 'non-HS'} rows: pass product_level='hs6' to keep only "
                "the 6-digit rows, or product_level='hs4' (etc.) for that level", idx, "cmdCode")
        return df, "hs6"
    level = product_level.lower()
    if level not in _LEVELS:
        raise BadValueError(f"product_level {product_level!r} is not one of "
                            f"{', '.join(_LEVELS)}", path=where.source)
    keep = codes.str.fullmatch(rf"\d{{{_LEVELS[level]}}}")
    if (~keep).any():
        log.info("%s: %d rows at other product levels left out (product_level=%s)",
                 where.source, int((~keep).sum()), level)
    return df[keep], level


def _drop_partners(df: pd.DataFrame, source: str, keep_world: bool) -> pd.DataFrame:
    partner = df["partnerCode"].astype("int64")
    aggregate = partner.isin(list(AGGREGATE_PARTNERS))
    residual = partner.isin(list(RESIDUAL_AREAS))
    if residual.any():
        log.warning("%s: %d rows with partner areas that are not countries (e.g. %s) dropped",
                    source, int(residual.sum()), RESIDUAL_AREAS[int(partner[residual].iloc[0])])
    drop = residual | (aggregate & (not keep_world))
    return df[~drop]


def _to_flows(
    df: pd.DataFrame,
    source: str,
    *,
    keep_world: bool,
    product_level: str | None,
    flow: str,
    hs_rev: str | None,
    json_records: bool = False,
    line_offset: int = 2,
) -> pd.DataFrame:
    df, where = _prepare(df, source, json_records=json_records, line_offset=line_offset)
    wanted = {"M": ["M"], "X": ["X"], "BOTH": ["M", "X"]}.get(flow.upper())
    if wanted is None:
        raise BadValueError(f"flow {flow!r} is not 'M', 'X' or 'both'", path=source)
    other = ~df["flowCode"].isin(["M", "X"])
    if other.any():
        log.info("%s: %d rows of other flows (re-exports, re-imports...) left out", source,
                 int(other.sum()))
    df = df[df["flowCode"].isin(wanted)].copy()
    df[HS_REV] = _hs_revs(df, where, hs_rev)
    _check_codes(df, where)
    _check_nomenclature(df, where)
    df, level = _select_level(df, where, product_level)
    key = ["refYear", "reporterCode", "flowCode", "partnerCode", "cmdCode", HS_REV]
    df = _drop_partners(_totals_only(df, key), source, keep_world)
    partner = _iso3(df["partnerCode"].astype("int64"), where, "partnerCode")
    reporter = _iso3(df["reporterCode"].astype("int64"), where, "reporterCode")
    is_m = df["flowCode"] == "M"
    kg = df["netWgt"]
    out = pd.DataFrame({
        YEAR: df["refYear"].astype("int64"),
        EXPORTER: partner.where(is_m, reporter),
        IMPORTER: reporter.where(is_m, partner),
        level: df["cmdCode"],
        HS_REV: df[HS_REV],
        VALUE: df["primaryValue"],
        QUANTITY: (kg / 1000.0).where(~((kg == 0) & (df["primaryValue"] > 0))),
        "_m": is_m,
        "_line": df["_line"],
    })
    out = _prefer_imports(out, level, source)
    return validate_flows(out.drop(columns=["_m", "_line"]), source=source, product=level)


def _prefer_imports(out: pd.DataFrame, level: str, source: str) -> pd.DataFrame:
    key = [YEAR, EXPORTER, IMPORTER, level, HS_REV]
    out = out.sort_values(["_m", "_line"], ascending=[False, True], kind="stable")
    dup = out.duplicated(key, keep="first")
    mirrored = dup & ~out["_m"]
    if mirrored.any():
        log.info("%s: %d export rows dropped: the importer reported the same flow", source,
                 int(mirrored.sum()))
    return out[~mirrored].sort_values("_line", kind="stable")


def read_csv(
    path: str | Path,
    *,
    keep_world: bool = False,
    product_level: str | None = None,
    flow: str = "both",
    hs_rev: str | None = None,
) -> pd.DataFrame:
    """Read a Comtrade CSV (an API answer saved as CSV, or a bulk download) as flows.

    Columns used: ``refYear, reporterCode, flowCode, partnerCode, cmdCode, primaryValue,
    netWgt, classificationCode`` (the legacy bulk names ``Year``, ``Reporter Code``,
    ``Trade Flow Code``... are accepted too). See the module notes for the M/X orientation,
    World rows, breakdown rows and product levels. Errors name the file, line and column.
    """
    try:
        raw = pd.read_csv(path, dtype=str, skip_blank_lines=False, keep_default_na=False,
                          na_values=["", "NA", "N/A", "NULL", "null"])
    except UnicodeDecodeError as exc:
        raise not_utf8(path, Path(path).read_bytes(), exc) from None
    except pd.errors.EmptyDataError:
        raise CorruptFileError("the file is empty (expected a header line and rows)",
                               path=path, line=1) from None
    except (pd.errors.ParserError, EOFError, OSError) as exc:
        raise CorruptFileError(f"cannot read CSV ({exc})", path=path) from exc
    return _to_flows(raw, str(path), keep_world=keep_world, product_level=product_level,
                     flow=flow, hs_rev=hs_rev)


def _records(path_or_records: str | Path | Sequence[dict[str, Any]] | dict[str, Any]
             ) -> tuple[list[dict[str, Any]], str]:
    if isinstance(path_or_records, str | Path):
        source = str(path_or_records)
        try:
            payload = json.loads(Path(path_or_records).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorruptFileError(f"not valid JSON ({exc})", path=source) from exc
    else:
        source, payload = "<records>", path_or_records
    if isinstance(payload, dict):
        if "data" not in payload:
            raise MissingColumnError("JSON has no 'data' list (expected the Comtrade API "
                                     "answer {\"data\": [...]})", path=source, column="data")
        payload = payload["data"]
    if not isinstance(payload, list):
        raise BadValueError("expected a list of Comtrade records", path=source)
    for n, record in enumerate(payload, start=1):
        if not isinstance(record, dict):
            raise BadValueError(f"record {n} is {type(record).__name__} {record!r:.40}, not a "
                                "Comtrade record (an object of fields)", path=source)
        for key, value in record.items():
            if isinstance(value, dict | list):
                raise BadValueError(f"record {n}: field {key!r} holds a {type(value).__name__}, "
                                    "not a single value", path=source, column=str(key))
    return payload, source


def read_json(
    path_or_records: str | Path | Sequence[dict[str, Any]] | dict[str, Any],
    *,
    keep_world: bool = False,
    product_level: str | None = None,
    flow: str = "both",
    hs_rev: str | None = None,
) -> pd.DataFrame:
    """Read Comtrade API records — a saved answer ``{"data": [...]}``, or the list itself.

    Same rules as :func:`read_csv`; errors name the record number (from 1).
    """
    records, source = _records(path_or_records)
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame(
        columns=list(_REQUIRED))
    return _to_flows(frame, source, keep_world=keep_world, product_level=product_level,
                     flow=flow, hs_rev=hs_rev, json_records=True, line_offset=1)


def reporter_code(country: str | int) -> int:
    """Comtrade's numeric code of a country (ISO3 or a code), e.g. ``IND`` -> 699.

    >>> reporter_code("IND"), reporter_code("JPN")
    (699, 392)
    """
    if isinstance(country, int):
        return country
    text = str(country).strip().upper()
    if text.isdigit():
        return int(text)
    if text in _REPORTER_CODES:
        return _REPORTER_CODES[text]
    record = pycountry.countries.get(alpha_3=text)
    if record is None:
        known = {iso for iso, _ in TRADE_CODE_EXCEPTIONS.values()}
        raise UnknownCountryError(f"unknown country {country!r}"
                                  + (" (a historical code)" if text in known else ""))
    return int(record.numeric)


def download(
    reporter: str | int | Iterable[str | int],
    years: int | Iterable[int],
    hs6: str | Iterable[str],
    *,
    api_key: str | None = None,
    flow: str = "M",
    partner: str | int | Iterable[str | int] | None = None,
    keep_world: bool = False,
    product_level: str | None = None,
    max_records: int = 250_000,
) -> pd.DataFrame:
    """Query the UN Comtrade API (final annual HS data) and return flows.

    Uses UN Comtrade's client ``comtradeapicall`` (``pip install 'esc[comtrade]'``) and a
    subscription key (``api_key`` or the ``COMTRADE_API_KEY`` environment variable; free keys
    at comtradedeveloper.un.org). Only total rows are requested (all modes of transport,
    customs procedures and second partners). Raises :class:`~esc.errors.DataNotFoundError`
    when the client is missing and :class:`~esc.errors.DownloadError` without a key or when
    the API returns nothing.
    """
    try:
        import comtradeapicall
    except ImportError:
        raise DataNotFoundError("the UN Comtrade API client is not installed: "
                                "pip install 'esc[comtrade]' (package comtradeapicall)") from None
    key = api_key or os.environ.get(API_KEY_ENV)
    if not key:
        raise DownloadError(f"no UN Comtrade API key: pass api_key= or set {API_KEY_ENV} "
                            "(free key from https://comtradedeveloper.un.org)")
    reporters = [reporter] if isinstance(reporter, str | int) else list(reporter)
    partners = None if partner is None else (
        [partner] if isinstance(partner, str | int) else list(partner))
    periods = [years] if isinstance(years, int) else list(years)
    codes = [hs6] if isinstance(hs6, str) else list(hs6)
    frame = comtradeapicall.getFinalData(
        key, typeCode="C", freqCode="A", clCode="HS",
        period=",".join(str(int(y)) for y in periods),
        reporterCode=",".join(str(reporter_code(r)) for r in reporters),
        cmdCode=",".join(str(c) for c in codes), flowCode=flow,
        partnerCode=None if partners is None else ",".join(
            str(reporter_code(p)) for p in partners),
        partner2Code="0", customsCode="C00", motCode="0", maxRecords=max_records,
        format_output="JSON", aggregateBy=None, breakdownMode="classic", countOnly=None,
        includeDesc=False)
    if frame is None:
        raise DownloadError("UN Comtrade API returned no answer (check the key, the quota and "
                            "the query parameters)")
    if len(frame) >= max_records:
        log.warning("UN Comtrade answer has %d records, the maximum: it is probably cut; split "
                    "the query by year or product", len(frame))
    records = frame.to_dict(orient="records")
    return read_json({"data": records}, keep_world=keep_world, product_level=product_level,
                     flow="both")


class ComtradeSource(BaseSource):
    """UN Comtrade as a source: CSV or JSON answers imported into the cache (one entry per
    product level present), read back at hs6, hs4 or hs2."""

    name = "comtrade"
    title = "UN Comtrade"
    publisher = PUBLISHER
    licence = LICENCE
    page = PAGE
    levels = ("hs6", "hs4", "hs2")
    hs_revisions = tuple(HS_REVISIONS)
    raw_folders = ("comtrade-cmm-sample",)
    fetch_hint = ("UN Comtrade answers are imported, not fetched: save an API or web answer "
                  f"from {PAGE} as CSV or JSON and run `esc data import FILE` (or call "
                  "esc.sources.comtrade.download with an API key)")

    def label(self, release: str | None = None) -> Label:
        """UN Comtrade, at the product level of the table (``UN Comtrade (hs6)``)."""
        return Label(source=self.name, title=self.title, detail=self.product_level,
                     product_level=self.product_level)

    def load(self, query: Query) -> pd.DataFrame:
        """Every imported file at the query's level; a flow in two files is kept once, as
        the most recently imported file has it."""
        level = self.check_level(query)
        found = cache.entries(self.name)
        if query.release is not None:
            rel = pick_release(found, query.release, "Comtrade")
            found = [e for e in found if e["release"] == rel]
        found = [e for e in found if e.get("product") == level]
        if not found:
            raise DataNotFoundError(f"no UN Comtrade {level} table in the cache: run `esc "
                                    "data import FILE` on a Comtrade CSV or JSON answer")
        years = check_years(query.years, {y for e in found for y in e.get("years", [])},
                            "UN Comtrade cache")
        found = sorted(found, key=lambda e: (Path(e["path_parquet"]).stat().st_mtime_ns,
                                             e["path_parquet"]), reverse=True)
        frames = [cache.read(e["path_parquet"], years=years, reporters=query.reporters,
                             exporters=query.exporters, products=query.products,
                             product=level) for e in found]
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        out = _first_of_each(frame, level)
        return self.finish(out, detail=level, product_level=level)

    def recognises(self, path: Path) -> bool:
        """A ``.json`` answer, or a CSV with Comtrade's (current or legacy) header."""
        if path.suffix.lower() == ".json":
            return True
        if path.suffix.lower() == ".zip":
            return False
        cols = {c.strip().strip('"') for c in first_line(path).split(",")}
        return {"refYear", "reporterCode", "flowCode"} <= cols or {"Year",
                                                                    "Reporter Code"} <= cols

    def import_file(self, path: Path, *, release: str | None = None, hs: str | None = None,
                    url: str | None = None) -> Path:
        """Validate every row; write one entry per product level present, all or nothing."""
        reader = read_json if path.suffix.lower() == ".json" else read_csv
        tables = {level: reader(path, product_level=level) for level in self.levels}
        tables = {level: t for level, t in tables.items() if len(t)}
        if not tables:
            raise BadValueError("no HS2, HS4 or HS6 rows to import", path=path)
        rel = safe_name(release or "files")
        base = cache.make_provenance(source=self.name, release=rel, name="", input_path=path,
                                     url=url, licence=LICENCE)
        staged = []
        try:
            for level, table in tables.items():
                name = entry_name(path, level, base["sha256"])
                entry = cache.stage(self.name, rel, name)
                arrow = pa.Table.from_pandas(table, preserve_index=False)
                entry.write(arrow, arrow.schema)
                staged.append((entry, dict(base, name=name, publisher=PUBLISHER), level))
            for entry, prov, level in staged:
                entry.commit(prov, product=level)
        finally:
            for entry, _, _ in staged:
                entry.discard()
        return cache.release_dir(self.name, rel)


def _first_of_each(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Keep each (year, exporter, importer, product, revision) once: the first row, which
    comes from the most recently imported file (tables are read newest first)."""
    key = [YEAR, EXPORTER, IMPORTER, level, HS_REV]
    dup = frame.duplicated(key, keep="first")
    if dup.any():
        log.info("UN Comtrade: %d flows present in more than one imported file kept once",
                 int(dup.sum()))
        differ = frame.drop_duplicates([*key, VALUE]).duplicated(key).sum()
        if differ:
            log.warning("UN Comtrade: %d flows have different values in different imported "
                        "files; the most recently imported file's value is used (see `esc "
                        "data list`)", int(differ))
    return frame[~dup].reset_index(drop=True)


def entry_name(file: str | Path, level: str, sha256: str) -> str:
    """Cache name of one product level of an imported Comtrade file: what it holds, so that
    two files with the same name never share an entry and re-importing a file replaces only
    its own: ``<file stem>__<level>__<first 16 hex digits of the file's sha256>``.

    >>> entry_name("x/cobalt_trade_data.csv", "hs4", "ab" * 32)
    'cobalt_trade_data__hs4__abababababababab'
    """
    return f"{stem(Path(file))}__{level}__{sha256[:16]}"


SOURCE = ComtradeSource()
