"""The initiatives table, ``data/initiatives.csv``: its columns and vocabularies, and reading
it with every check.

One row per India–Japan cooperation initiative named in the seed documents (the government
fact sheet and a few news articles), each with the short verbatim quote it rests on
(``docs/initiatives.md`` says how rows were derived). :func:`load_initiatives` reads and
validates it (controlled vocabularies, dates, amounts, HS codes and, when the seeds folder is
at hand, that each quote occurs in its source); :mod:`esc.initiatives` summarises the table it
returns and sets it against a classified vulnerability table, reading nothing itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from esc.config import data_dir, package_data_dir
from esc.errors import (
    BadValueError,
    CorruptFileError,
    DataNotFoundError,
    MissingColumnError,
    UnknownProductError,
)
from esc.registry import load_registry
from esc.sources.hs import nomenclature

log = logging.getLogger(__name__)

COLUMNS: list[str] = [
    "id", "title", "date", "date_precision", "type", "scope", "status", "parties", "sector",
    "priority_product", "hs6", "location", "amount", "currency", "amount_unit", "capacity",
    "capacity_unit", "source_file", "source_quote", "notes",
]
"""Columns of ``data/initiatives.csv``, in file order. Multi-valued cells are ``;``-separated."""

REQUIRED_VALUES = ("id", "title", "type", "scope", "status", "parties", "sector",
                   "source_file", "source_quote")

TYPES: dict[str, str] = {
    "MoC": "Memorandum of Cooperation (government to government)",
    "MoU": "Memorandum of Understanding (companies, institutions)",
    "declaration": "joint declaration or statement of intent or interest",
    "dialogue": "recurring government or business dialogue",
    "working_group": "joint working group or joint committee",
    "framework": "standing cooperation framework, alliance or network (often multilateral)",
    "partnership": "strategic partnership or collaboration without a stated joint company",
    "joint_venture": "jointly owned company or co-investment vehicle",
    "investment": "investment project defined by its capital",
    "loan": "loan or other financing by a public lender (JBIC, yen loan)",
    "fund": "investment fund or financing channel",
    "programme": "government programme: exchanges, research calls, designated years, transfers",
    "pilot": "pilot project or demonstration",
    "plant": "production or processing plant (factory, refinery, assembly and test)",
    "facility": "laboratory or centre of excellence",
    "infrastructure": "transport or other public infrastructure project",
}
"""Controlled vocabulary of ``type`` (key: meaning)."""

STATUSES: dict[str, str] = {
    "planned": "future tense in the source: will sign, will convene, plans to, scheduled",
    "announced": "decided or announced, with no signature or start reported",
    "signed": "an agreement, MoC, MoU, contract, loan or declaration signed or issued",
    "launched": "started, established or under way (being developed, implemented)",
    "held": "a meeting, round, event or demonstration that took place",
    "operating": "stated as running or in place (opened, providing, continuing)",
}
"""Controlled vocabulary of ``status`` (the most advanced stage any listed source states)."""

SCOPES: dict[str, str] = {
    "bilateral": "India and Japan (governments, companies, institutions)",
    "multilateral": "a plurilateral framework both take part in (Quad, MSP, IPEF, alliances)",
}

DATE_PRECISIONS = ("day", "month", "year")
_DATE_PATTERN = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}

STUDY_SECTOR: dict[str, str] = {
    "Digital and EE": "Digital and EE",
    "Energy and critical minerals": "Energy and critical minerals",
    "Bio-healthcare": "Bio-healthcare",
    "Industrial base": "Industrial base",
    "Critical minerals": "Energy and critical minerals",
    "Clean energy": "Energy and critical minerals",
    "ICT": "Digital and EE",
    "Defence": "Industrial base",
    "Science and technology": "",
    "Cross-sector": "",
    "Transport": "",
}
"""``sector`` -> the joint study's sector (``study_sector``; empty where none fits).

The first seven names are the registry's (``data/sectors.csv``); the fact sheet's sections map
to them (Semiconductors -> Digital and EE, Pharmaceuticals -> Bio-healthcare, the rest by
name). ``Defence`` goes to Industrial base because the study files defence manufacturing under
"Industrial Base Technologies"."""

EXTRA_SECTORS: dict[str, str] = {
    "Science and technology": "the fact sheet's 'Scientific Cooperation' section, space, AI",
    "Cross-sector": "economy-wide mechanisms (the economic security dialogues)",
    "Defence": "defence technology cooperation (news)",
    "Transport": "transport infrastructure (news)",
}
"""Sector names used besides the registry's, with what they hold."""

UNIT_MULTIPLIERS: dict[str, float] = {
    "unit": 1.0, "thousand": 1e3, "lakh": 1e5, "million": 1e6, "crore": 1e7,
    "billion": 1e9, "trillion": 1e12,
}
"""``amount_unit`` -> multiplier (Indian numbering: 1 lakh = 1e5, 1 crore = 1e7)."""

CAPACITY_UNITS = ("kW", "MW", "GW", "MWh", "GWh", "t/year")

# --------------------------------------------------------------------------- locations


def default_path() -> Path:
    """``data/initiatives.csv`` of the package."""
    return package_data_dir() / "initiatives.csv"


def seeds_dir() -> Path | None:
    """The seed documents' folder (``<data folder>/../seeds``), or ``None`` when absent."""
    root = data_dir()
    folder = root.parent / "seeds" if root else None
    return folder if folder is not None and folder.is_dir() else None


# --------------------------------------------------------------------------- loading


def load_initiatives(
    path: str | Path | None = None,
    *,
    seeds: str | Path | None = None,
) -> pd.DataFrame:
    """Read and validate the initiatives table; add ``study_sector``.

    Checks, each raising an :mod:`esc.errors` error that names the file, line (header = 1)
    and column: required columns (:class:`~esc.errors.MissingColumnError`); required values,
    unique ``id`` (a slug) and ``title``, the vocabularies :data:`TYPES`, :data:`STATUSES`,
    :data:`SCOPES`, sector names (registry or :data:`EXTRA_SECTORS`), registry products,
    ``date`` against ``date_precision``, numeric ``amount``/``capacity`` with their units,
    quotes of at most 200 characters (:class:`~esc.errors.BadValueError`); ``hs6`` codes of 6
    digits found in ``data/sectors.csv`` or the HS2022 nomenclature
    (:class:`~esc.errors.UnknownProductError`). When the seeds folder is available
    (``seeds`` or :func:`seeds_dir`), every ``source_file`` must exist there and
    ``source_quote`` must occur in the first one (whitespace runs compared as one space).

    ``amount`` and ``capacity`` come back as float (NaN when empty); other columns as str.

    >>> df = load_initiatives()
    >>> row = df.set_index("id").loc["clean-max-osaka-gas"]
    >>> float(row["capacity"]), row["capacity_unit"]
    (400.0, 'MW')
    """
    file = Path(path) if path else default_path()
    raw = _read_csv(file)
    _check_table(raw, str(file))
    _check_hs6(raw, str(file))
    folder = Path(seeds) if seeds else seeds_dir()
    if folder is None or not folder.is_dir():
        log.info("seeds folder not found: source_file and source_quote of %s not checked", file)
    else:
        _check_sources(raw, str(file), folder)
    out = raw.copy()
    for col in ("amount", "capacity"):
        out[col] = pd.to_numeric(out[col].replace("", np.nan)).astype("float64")
    out["study_sector"] = out["sector"].map(STUDY_SECTOR).fillna("")
    log.debug("%d initiatives from %s", len(out), file)
    return out


def _read_csv(file: Path) -> pd.DataFrame:
    if not file.is_file():
        raise DataNotFoundError(f"initiatives table not found: {file}")
    try:
        df = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"cannot read as UTF-8 CSV ({exc})", path=file) from exc
    for col in COLUMNS:
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path=file, column=col)
    return df


def _fail(message: str, path: str, row: int, column: str) -> BadValueError:
    return BadValueError(message, path=path, line=row + 2, column=column)


def _check_table(df: pd.DataFrame, path: str) -> None:
    for col in COLUMNS:
        for i, value in enumerate(df[col]):
            if "\n" in value or "\r" in value:
                raise _fail("line break inside a field", path, i, col)
    for col in REQUIRED_VALUES:
        for i, value in enumerate(df[col]):
            if not value.strip():
                raise _fail("value is required", path, i, col)
    _check_unique(df, path, "id")
    _check_unique(df, path, "title")
    sectors = set(load_registry()["sector"]) | set(EXTRA_SECTORS)
    products = set(load_registry()["product"])
    for col, allowed in (("type", TYPES), ("status", STATUSES), ("scope", SCOPES),
                         ("sector", sectors)):
        _check_vocabulary(df, path, col, allowed)
    _check_vocabulary(df, path, "priority_product", products, optional=True)
    for i, row in enumerate(df.itertuples(index=False)):
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row.id):
            raise _fail(f"id {row.id!r} is not a slug (lower-case words joined by '-')",
                        path, i, "id")
        if len(row.source_quote) > 200:
            raise _fail(f"quote is {len(row.source_quote)} characters (at most 200)", path, i,
                        "source_quote")
        _check_date(row.date, row.date_precision, path, i)
        _check_quantity(row.amount, row.currency, row.amount_unit, path, i, money=True)
        _check_quantity(row.capacity, "", row.capacity_unit, path, i, money=False)


def _check_unique(df: pd.DataFrame, path: str, col: str) -> None:
    seen: dict[str, int] = {}
    for i, value in enumerate(df[col]):
        key = value.strip().lower()
        if key in seen:
            raise _fail(f"duplicate {col} {value!r} (first on line {seen[key] + 2})", path, i, col)
        seen[key] = i


def _check_vocabulary(df: pd.DataFrame, path: str, col: str, allowed: Iterable[str], *,
                      optional: bool = False) -> None:
    allowed = set(allowed)
    for i, value in enumerate(df[col]):
        if optional and value == "":
            continue
        if value not in allowed:
            raise _fail(f"{value!r} is not one of: {', '.join(sorted(allowed))}", path, i, col)


def _check_date(text: str, precision: str, path: str, i: int) -> None:
    if text == "":
        if precision:
            raise _fail(f"date_precision {precision!r} given without a date", path, i,
                        "date_precision")
        return
    if precision not in _DATE_PATTERN:
        raise _fail(f"date_precision {precision!r} is not one of {', '.join(DATE_PRECISIONS)} "
                    "(empty only when date is empty)", path, i, "date_precision")
    if not re.fullmatch(_DATE_PATTERN[precision], text):
        raise _fail(f"date {text!r} does not match precision {precision!r} "
                    "(YYYY-MM-DD, YYYY-MM or YYYY)", path, i, "date")
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise _fail(f"date {text!r} is not a calendar date ({exc})", path, i, "date") from exc


def _check_quantity(value: str, currency: str, unit: str, path: str, i: int, *,
                    money: bool) -> None:
    name, unit_col = ("amount", "amount_unit") if money else ("capacity", "capacity_unit")
    if value == "":
        stray = [c for c, v in ((unit_col, unit), ("currency", currency if money else "")) if v]
        if stray:
            raise _fail(f"{stray[0]} given without {name}", path, i, stray[0])
        return
    number = pd.to_numeric(value, errors="coerce")
    if pd.isna(number) or number < 0:
        raise _fail(f"{name} {value!r} is not a non-negative number", path, i, name)
    if money and not re.fullmatch(r"[A-Z]{3}", currency):
        raise _fail(f"currency {currency!r} is not an ISO 4217 code", path, i, "currency")
    allowed = UNIT_MULTIPLIERS if money else CAPACITY_UNITS
    if unit not in allowed:
        raise _fail(f"{unit_col} {unit!r} is not one of: {', '.join(allowed)}", path, i,
                    unit_col)


def split_codes(cell: str) -> list[str]:
    """The items of a ``;``-separated cell, stripped, empties dropped.

    >>> split_codes("280530; 284610;;284690")
    ['280530', '284610', '284690']
    """
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _hs22_codes() -> set[str] | None:
    """HS2022 subheadings from the nomenclature in the data folder, or None if unavailable."""
    try:
        return set(nomenclature("HS22")["hs6"])
    except DataNotFoundError as exc:
        log.info("HS2022 nomenclature not available (%s): hs6 checked against the registry",
                 exc)
        return None


def _check_hs6(df: pd.DataFrame, path: str) -> None:
    registry = load_registry()
    known = set(registry["hs6"])
    nomenclature: set[str] | None = None
    by_product = registry.groupby("product")["hs6"].agg(set).to_dict()
    for i, row in enumerate(df.itertuples(index=False)):
        codes = split_codes(row.hs6)
        for code in codes:
            if not re.fullmatch(r"\d{6}", code):
                raise UnknownProductError(f"HS code {code!r} is not 6 digits", path=path,
                                          line=i + 2, column="hs6")
            if code in known:
                continue
            nomenclature = nomenclature if nomenclature is not None else _hs22_codes() or set()
            if code not in nomenclature:
                where = ("data/sectors.csv or the HS2022 nomenclature" if nomenclature else
                         "data/sectors.csv (HS2022 nomenclature not available to check it)")
                raise UnknownProductError(f"HS code {code!r} is not in {where}", path=path,
                                          line=i + 2, column="hs6")
        extra = set(codes) - by_product.get(row.priority_product, set())
        if row.priority_product and extra:
            log.warning("%s line %d: hs6 %s not registry codes of %r", path, i + 2,
                        ", ".join(sorted(extra)), row.priority_product)


def _normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _check_sources(df: pd.DataFrame, path: str, folder: Path) -> None:
    texts: dict[str, str] = {}
    for i, row in enumerate(df.itertuples(index=False)):
        files = split_codes(row.source_file)
        if len(set(files)) != len(files):
            raise _fail("a file is listed twice", path, i, "source_file")
        for name in files:
            if name not in texts:
                file = folder / name
                if not file.is_file():
                    raise _fail(f"seed file {name!r} not found in {folder}", path, i,
                                "source_file")
                texts[name] = _normalise_space(file.read_text(encoding="utf-8"))
        if _normalise_space(row.source_quote) not in texts[files[0]]:
            raise _fail(f"quote does not occur in {files[0]}", path, i, "source_quote")
