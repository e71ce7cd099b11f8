"""HS nomenclature: which 6-digit codes exist in a revision, and how HS2022 maps to HS2017.

An HS6 code means nothing without its revision: 854142 (photovoltaic cells assembled in
modules) exists in HS2022 but not in HS2017, where it was part of 854140. This module answers
three questions from published reference tables:

- :func:`nomenclature` — the HS6 codes and descriptions of one revision (HS22 from the UN
  Comtrade classification as packaged by ``datasets/harmonized-system`` or from the product
  list inside a CEPII BACI zip; HS17 from the BACI product list, whose codes lost their leading
  zero and are padded back; HS92 from the Atlas classification or the UN Comtrade H0 list);
- :func:`correlation_hs22_hs17` — the UNSD correlation table (1:1, n:1, 1:n, n:n links);
- :func:`check_codes` — raises :class:`~esc.errors.UnknownProductError` on a code that is not
  in a revision, naming the code.

:func:`baci_country_codes` reads CEPII's country list (numeric code -> ISO3), used by the BACI
loader when a zip carries its own list.

Files are looked for in the data folder (``esc.config.data_dir()``), then among files fetched
with ``esc data fetch hs --url ...``.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from esc.cache import files_dir, locate
from esc.config import data_dir
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    MissingColumnError,
    UnknownProductError,
    UnknownReleaseError,
)
from esc.schema import HS6, HS_REVISIONS
from esc.source import BaseSource, fetch_file, first_line, safe_name

log = logging.getLogger(__name__)

PUBLISHER = "World Customs Organization HS, as published by UN Statistics Division / UN Comtrade"
LICENCE = ("HS2022 list: ODC-PDDL-1.0 (datasets/harmonized-system, from UN Comtrade); "
           "UNSD correlation tables: UN terms; BACI product/country lists: CEPII, Etalab 2.0 "
           "(verify)")
PUBLISHER_PAGE = "https://unstats.un.org/unsd/trade/classifications/correspondence-tables.asp"

_CODE = re.compile(r"\d{2}|\d{4}|\d{6}")

HS_CHAPTERS: frozenset[str] = frozenset(f"{c:02d}" for c in range(1, 98) if c != 77)
"""The chapters of every HS revision since 1988: 01 to 97, 77 reserved for future use (WCO,
HS nomenclature). What esc can still check in a code whose revision it has no list for."""

# Candidate files per revision, in order of preference: (path in the data folder, format).
_NOMENCLATURE_FILES: dict[str, list[tuple[str, str]]] = {
    "HS22": [("harmonized-system/harmonized-system.csv", "datasets"),
             ("baci-codes/product_codes_HS22_V202501.csv", "baci"),
             ("comtrade/H6.json", "comtrade")],
    "HS17": [("baci-codes/product_codes_HS17_V202301 copy.csv", "baci"),
             ("baci-codes/product_codes_HS17_V202501.csv", "baci"),
             ("comtrade/H5.json", "comtrade")],
    "HS92": [("atlas-classifications/hs92_atlas.csv", "atlas"),
             ("atlas-pci-hs92/HS92 codes.json", "comtrade"),
             ("comtrade/H0.json", "comtrade")],
}
_HINT = ("HS nomenclature file not found: run `esc data fetch hs --url URL` with a file from "
         f"the UN ({PUBLISHER_PAGE}) or put it in the data folder")


def normalise_code(code: str | int, *, source: str | None = None) -> str:
    """An HS code as a 2-, 4- or 6-digit string; integers are zero-padded to 6 (BACI's ``k``).

    >>> normalise_code(10121), normalise_code(" 8507 ")
    ('010121', '8507')
    """
    if isinstance(code, int) and not isinstance(code, bool):
        text = f"{code:06d}"
    else:
        text = str(code).strip()
    if not _CODE.fullmatch(text):
        raise UnknownProductError(f"HS code {code!r} is not 2, 4 or 6 digits", path=source)
    return text


def _candidates(rev: str) -> list[tuple[Path, str]]:
    root = data_dir()
    out: list[tuple[Path, str]] = []
    for rel, fmt in _NOMENCLATURE_FILES[rev]:
        for path in ([root / rel] if root else []) + [files_dir("hs") / Path(rel).name]:
            out.append((path, fmt))
    for folder in [root / "baci-codes"] if root else []:
        out += [(p, "baci") for p in sorted(folder.glob(f"product_codes_{rev}_V*.csv"))]
    out += [(p, "baci") for p in sorted(files_dir("hs").glob(f"product_codes_{rev}_V*.csv"))]
    return out


def _read_nomenclature(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "comtrade":
        return _from_comtrade_json(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if fmt == "datasets":
        _need(df, ["hscode", "description", "level"], path)
        df = df[df["level"] == "6"].rename(columns={"hscode": HS6})
    elif fmt == "atlas":
        _need(df, ["code", "level", "name_en"], path)
        df = df[(df["level"] == "6digit") & df["code"].str.fullmatch(r"\d{6}")]
        df = df.rename(columns={"code": HS6, "name_en": "description"})
    else:  # BACI product_codes: code lost its leading zero in some releases
        _need(df, ["code", "description"], path)
        df = df.assign(**{HS6: df["code"].str.strip().str.zfill(6)})
    return _finish(df, path)


def nomenclature_from_zip(path: str | Path, member: str) -> pd.DataFrame:
    """The HS6 codes of a BACI ``product_codes_*.csv`` inside a release zip (as
    :func:`nomenclature`: columns ``hs6``, ``description``)."""
    label = f"{path}:{member}"
    try:
        with zipfile.ZipFile(path) as zf:
            raw = zf.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise CorruptFileError(f"cannot read the product list ({exc})", path=label) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # older CEPII lists are Latin-1; only the codes matter here
        text = raw.decode("latin-1")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorruptFileError(f"cannot parse the product list ({exc})", path=label) from exc
    _need(df, ["code"], label)
    df = df.assign(**{HS6: df["code"].str.strip().str.zfill(6)})
    if "description" not in df.columns:
        df["description"] = ""
    return _finish(df, Path(label))


def _from_comtrade_json(path: Path) -> pd.DataFrame:
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        rows = payload["results"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CorruptFileError(f"not a UN Comtrade classification JSON ({exc})",
                               path=path) from exc
    df = pd.DataFrame(rows)
    _need(df, ["id", "text", "aggrlevel"], path)
    df = df[pd.to_numeric(df["aggrlevel"], errors="coerce") == 6]
    numeric = df["id"].astype(str).str.fullmatch(r"\d{6}")
    if (~numeric).any():  # e.g. 9999AA "commodities not specified", not an HS subheading
        log.debug("%s: %d non-numeric codes left out", path, int((~numeric).sum()))
        df = df[numeric]
    text = df["text"].astype(str).str.replace(r"^\d{6}\s*-\s*", "", regex=True)
    return _finish(pd.DataFrame({HS6: df["id"].astype(str), "description": text}), path)


def _finish(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    out = df[[HS6, "description"]].drop_duplicates(HS6).sort_values(HS6)
    bad = ~out[HS6].str.fullmatch(r"\d{6}")
    if bad.any():
        raise BadValueError(f"HS code {out[HS6][bad].iloc[0]!r} is not 6 digits", path=path,
                            column=HS6)
    return out.reset_index(drop=True)


def _need(df: pd.DataFrame, columns: Iterable[str], path: str | Path) -> None:
    for col in columns:
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path=path, column=col)


def _detect_format(file: Path) -> str:
    if file.suffix.lower() == ".json":
        return "comtrade"
    with open(file, encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    if header.lstrip().startswith("{"):
        return "comtrade"
    if "hscode" in header:
        return "datasets"
    return "atlas" if "name_en" in header else "baci"


@cache
def _nomenclature_cached(rev: str, path: str | None) -> pd.DataFrame:
    if path is not None:
        return _read_nomenclature(Path(path), _detect_format(Path(path)))
    for file, fmt in _candidates(rev):
        if file.is_file():
            log.debug("HS %s nomenclature from %s", rev, file)
            return _read_nomenclature(file, fmt)
    raise DataNotFoundError(f"{_HINT} (HS revision {rev})")


def reset() -> None:
    """Forget the tables read so far (after ``esc data fetch hs`` put a new file in place)."""
    _nomenclature_cached.cache_clear()
    known_codes.cache_clear()
    _correlation_cached.cache_clear()


def nomenclature(rev: str = "HS22", path: str | Path | None = None) -> pd.DataFrame:
    """The 6-digit codes of an HS revision: columns ``hs6`` (zero-padded str), ``description``.

    ``rev`` is one of ``HS22``, ``HS17``, ``HS92`` (the revisions whose tables esc knows where
    to find); ``path`` reads a specific file instead (BACI ``product_codes_*.csv``, the
    ``harmonized-system.csv`` layout, the Atlas ``hs92_atlas.csv`` or a Comtrade JSON list).
    Returns a copy sorted by code.
    """
    rev = rev.upper()
    if rev not in _NOMENCLATURE_FILES:
        raise UnknownReleaseError(f"no nomenclature table for HS revision {rev!r}; esc knows "
                                  f"{', '.join(_NOMENCLATURE_FILES)}")
    return _nomenclature_cached(rev, str(path) if path else None).copy()


@cache
def known_codes(rev: str) -> frozenset[str]:
    """Every code of revision ``rev`` at every level: subheadings (6 digits), the headings
    (4) and chapters (2) they belong to. Raises as :func:`nomenclature` when esc has no list.
    """
    six = frozenset(nomenclature(rev)[HS6])
    return six | {c[:4] for c in six} | {c[:2] for c in six}


def check_codes(codes: Iterable[str | int], rev: str = "HS22") -> list[str]:
    """Normalise HS codes and check that each exists in revision ``rev``.

    6-digit codes must be subheadings of the revision; 2- and 4-digit codes must be the chapter
    or heading of at least one of them. Integers are zero-padded to 6 digits. Raises
    :class:`~esc.errors.UnknownProductError` naming the first code that is not there.

    >>> check_codes(["850760", 280530], rev="HS22")  # doctest: +SKIP
    ['850760', '280530']
    """
    known = set(nomenclature(rev)[HS6])
    prefixes = {c[:4] for c in known} | {c[:2] for c in known}
    out = []
    for code in codes:
        text = normalise_code(code)
        if text not in (known if len(text) == 6 else prefixes):
            raise UnknownProductError(f"HS code {text!r} is not in the {rev} nomenclature",
                                      column=HS6)
        out.append(text)
    return out


@cache
def _correlation_cached(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    _need(df, ["HS2022", "HS2017", "Relationship"], path)
    out = pd.DataFrame({"hs22": df["HS2022"].str.strip().str.zfill(6),
                        "hs17": df["HS2017"].str.strip().str.zfill(6),
                        "relationship": df["Relationship"].str.strip()})
    for col in ("hs22", "hs17"):
        bad = ~out[col].str.fullmatch(r"\d{6}")
        if bad.any():
            pos = int(bad.to_numpy().nonzero()[0][0])
            raise BadValueError(f"HS code {out[col].iloc[pos]!r} is not 6 digits", path=path,
                                line=pos + 2, column="HS2022" if col == "hs22" else "HS2017")
    return out


def correlation_hs22_hs17(path: str | Path | None = None) -> pd.DataFrame:
    """UNSD HS2022 -> HS2017 correlation: columns ``hs22``, ``hs17``, ``relationship``.

    One row per link; ``relationship`` is ``1:1``, ``n:1`` (several HS2022 codes came from one
    HS2017 code), ``1:n`` or ``n:n``. Read from ``hs2022_hs2017_correlation.csv`` (the sheet
    "Correlation Tables" of the UNSD workbook saved as CSV).
    """
    file = Path(path) if path else locate(
        ["hs-correlation-hs22-hs17/hs2022_hs2017_correlation.csv"], source="hs", hint=_HINT)
    return _correlation_cached(str(file)).copy()


def _country_frame(text: str, path: str | Path) -> dict[int, str]:
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    iso_col = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in df.columns), None)
    if "country_code" not in df.columns or iso_col is None:
        missing = "country_code" if "country_code" not in df.columns else "country_iso3"
        raise MissingColumnError("required column is missing", path=path, column=missing)
    codes = pd.to_numeric(df["country_code"], errors="coerce")
    bad = codes.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise BadValueError(f"country code {df['country_code'].iloc[pos]!r} is not numeric",
                            path=path, line=pos + 2, column="country_code")
    iso = df[iso_col].str.strip()
    return {int(c): i for c, i in zip(codes, iso, strict=True) if i}


def baci_country_codes(path: str | Path | None = None) -> dict[int, str]:
    """CEPII's country list as ``{numeric code: ISO3}`` (India 699 -> ``IND``, 490 -> ``S19``).

    ``path`` is a ``country_codes_V*.csv`` or a BACI zip containing one; by default the
    V202501 list in the data folder. Both the V2025 column names (``country_iso3``) and the
    older ones (``iso_3digit_alpha``) are read.
    """
    file = Path(path) if path else locate(
        ["baci-codes/country_codes_V202501.csv"], source="baci",
        hint="BACI country list not found: it ships inside every BACI zip "
             "(`esc data fetch baci`)")
    if zipfile.is_zipfile(file):
        with zipfile.ZipFile(file) as zf:
            names = [n for n in zf.namelist() if Path(n).name.startswith("country_codes")]
            if not names:
                raise MissingColumnError("zip has no country_codes_*.csv", path=file)
            text = zf.read(names[0]).decode("utf-8-sig", errors="replace")
            return _country_frame(text, f"{file}:{names[0]}")
    return _country_frame(Path(file).read_text(encoding="utf-8-sig", errors="replace"), file)


class HsSource(BaseSource):
    """HS nomenclatures and correlation tables: reference tables, not flows; fetched from a
    UN URL or put in the data folder."""

    name = "hs"
    title = "Harmonized System nomenclature (WCO, via UN Statistics Division)"
    publisher = PUBLISHER
    licence = LICENCE
    page = PUBLISHER_PAGE
    hs_revisions = tuple(HS_REVISIONS)
    raw_folders = ("baci-codes", "harmonized-system", "hs-correlation-hs22-hs17")
    reads_flows = False

    def fetch(self, *, release: str | None = None, hs: str | None = None,
              url: str | None = None, sha256: str | None = None,
              progress: bool = True) -> Path:
        """An HS nomenclature or the HS2022-HS2017 correlation from ``url`` (UN)."""
        path = fetch_file(self, url, lambda f: _keep_as(f, url or ""), sha256=sha256,
                          progress=progress)
        reset()
        return path


def _keep_as(file: Path, url: str) -> str:
    """The name a fetched HS table is kept under, after reading it as that table."""
    head = first_line(file)
    if "HS2022" in head and "HS2017" in head:
        correlation_hs22_hs17(file)
        return "hs2022_hs2017_correlation.csv"
    try:
        payload = json.loads(file.read_text(encoding="utf-8"))
        code = str(payload.get("classCode", "")).upper()
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        code = None
    if code is not None:
        nomenclature(path=file)
        return f"{safe_name(code)}.json"
    if "hscode" in head:
        nomenclature(path=file)
        return "harmonized-system.csv"
    name = Path(url.split("?")[0]).name
    if re.fullmatch(r"product_codes_HS\d{2}_V\d{6}[a-z]?\.csv", name):
        nomenclature(path=file)
        return name
    raise BadValueError("not an HS table esc knows (UNSD correlation CSV, UN Comtrade "
                        "classification JSON, harmonized-system.csv or BACI product_codes)",
                        path=file, line=1)


SOURCE = HsSource()
