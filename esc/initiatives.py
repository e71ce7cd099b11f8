"""Initiatives: the India–Japan cooperation projects in the seed documents, as data.

The vulnerability matrix says which imports are exposed; this module says what the two
governments and their companies are doing about it. ``data/initiatives.csv`` holds one row per
initiative named in the seeds — the government fact sheet on Japan-India economic security
cooperation and a few news articles — each with the short verbatim quote it rests on, so every
row can be checked against its source (see ``docs/initiatives.md`` for how rows were derived).

What an analyst does with it:

- :func:`esc.initiative_table.load_initiatives` reads and validates the table (controlled
  vocabularies, dates, HS codes, and — when the seeds folder is at hand — that each quote
  occurs in its source); this module reads no file: its functions take that table;
- :func:`by_sector`, :func:`by_product` and :func:`timeline` summarise it for charts;
- :func:`to_usd` puts the few stated amounts (JPY 60 bn, INR 10,500 crore) on one scale with
  the annual-average rates in :data:`RATES` (approximate; each rate names its source);
- :func:`coverage` and :func:`gaps` set the initiatives against a classified vulnerability
  table: which Category A and B products does no initiative address?

Two reading notes. Links from an initiative to products are deliberately sparse: an ``hs6``
list only where the source names a product (rare-earth refining, chip assembly and test,
ammonia), a ``priority_product`` where it clearly concerns one registry product, nothing for
general instruments (a minerals MoC, a fund). And the seeds are one fact sheet and three
articles: "no initiative" means none in these documents, not none at all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from esc.errors import MissingColumnError, UnknownReleaseError
from esc.initiative_table import EXTRA_SECTORS, STUDY_SECTOR, UNIT_MULTIPLIERS, split_codes
from esc.registry import load_registry

log = logging.getLogger(__name__)

_FED_G5A = ("US Federal Reserve, G.5A Foreign Exchange Rates (Annual), release of "
            "1 Feb 2024: average of daily noon buying rates in New York")
_RECALLED = ("approximate annual average recalled by the esc authors from published monthly "
             "averages; not checked against a published table (no network when written): "
             "replace with the Federal Reserve G.5A figure")

RATES: pd.DataFrame = pd.DataFrame(
    [
        ("JPY", 2022, 131.4589, _FED_G5A, True),
        ("JPY", 2023, 140.5001, _FED_G5A, True),
        ("JPY", 2024, 151.4, _RECALLED, False),
        ("JPY", 2025, 149.6, _RECALLED, False),
        ("INR", 2022, 78.5792, _FED_G5A, True),
        ("INR", 2023, 82.5708, _FED_G5A, True),
        ("INR", 2024, 83.7, _RECALLED, False),
        ("INR", 2025, 87.1, _RECALLED, False),
    ],
    columns=["currency", "year", "units_per_usd", "source", "verified"],
)
"""Annual-average exchange rates, currency units per US dollar. All are approximate for this
purpose (an annual average, not the rate of the day an amount was agreed); ``verified`` is
False where the figure has not been checked against its publisher."""

DEFAULT_RATE_YEAR = 2025
"""Year whose rate converts undated amounts: the fact sheet's latest dated event is in 2025."""


# --------------------------------------------------------------------------- summaries


def _with_study_sector(df: pd.DataFrame) -> pd.DataFrame:
    if "study_sector" in df.columns:
        return df
    return df.assign(study_sector=df["sector"].map(STUDY_SECTOR).fillna(""))


def by_sector(df: pd.DataFrame, *, column: str = "sector") -> pd.DataFrame:
    """Number of initiatives per sector: columns ``<column>, n_initiatives``.

    ``column="study_sector"`` counts by the joint study's four sectors (rows with no study
    sector are counted under ``""``). Sorted by count, then name.
    """
    table = _with_study_sector(df)
    out = table.groupby(column).size().rename("n_initiatives").reset_index()
    return out.sort_values(["n_initiatives", column], ascending=[False, True],
                           ignore_index=True)


def by_product(df: pd.DataFrame, *, all_products: bool = False) -> pd.DataFrame:
    """Number of initiatives per registry product: ``priority_product, sector, n_initiatives,
    n_with_hs6`` (``n_with_hs6``: those that also name HS codes).

    Initiatives without a priority product are left out; ``all_products=True`` lists every
    registry product, with 0 where none applies. ``sector`` is the product's registry sector.
    """
    linked = df[df["priority_product"] != ""]
    counts = linked.groupby("priority_product").agg(
        n_initiatives=("id", "size"),
        n_with_hs6=("hs6", lambda s: int((s != "").sum())),
    )
    registry = load_registry().drop_duplicates("product").set_index("product")["sector"]
    names = list(registry.index) if all_products else list(counts.index)
    out = pd.DataFrame({"priority_product": names})
    out["sector"] = out["priority_product"].map(registry).fillna("")
    out = out.join(counts, on="priority_product")
    out[["n_initiatives", "n_with_hs6"]] = out[["n_initiatives", "n_with_hs6"]].fillna(0).astype(
        "int64")
    return out.sort_values(["n_initiatives", "priority_product"], ascending=[False, True],
                           ignore_index=True)


def timeline(df: pd.DataFrame, *, include_undated: bool = False) -> pd.DataFrame:
    """A tidy table for charting when initiatives happened.

    Columns: ``id, title, sector, study_sector, type, status, date, date_precision, start,
    end, year``. ``start`` and ``end`` (Timestamps) bound the period the date stands for: a
    day, a month (first to last day) or a year (1 Jan to 31 Dec); chart ``start`` and show the
    precision, e.g. as an interval or a marker shape. Undated rows are left out unless
    ``include_undated`` (then ``start``/``end`` are NaT). Sorted by ``start``, then ``id``.
    """
    table = _with_study_sector(df)
    if not include_undated:
        dropped = int((table["date"] == "").sum())
        if dropped:
            log.info("timeline: %d initiatives without a date left out", dropped)
        table = table[table["date"] != ""]
    start = pd.to_datetime(table["date"].where(table["date"] != ""), format="mixed",
                           errors="raise")
    offsets = {"day": pd.offsets.Day(0), "month": pd.offsets.MonthEnd(0),
               "year": pd.offsets.YearEnd(0)}
    end = [s + offsets[p] if p in offsets else pd.NaT
           for s, p in zip(start, table["date_precision"], strict=True)]
    cols = ["id", "title", "sector", "study_sector", "type", "status", "date", "date_precision"]
    out = table[cols].assign(start=start, end=pd.to_datetime(pd.Series(end, index=table.index)))
    out["year"] = out["start"].dt.year.astype("Int64")
    return out.sort_values(["start", "id"], na_position="last", ignore_index=True)


def filter_initiatives(df: pd.DataFrame, sector: str | Sequence[str] | None = None
                       ) -> pd.DataFrame:
    """Rows whose ``sector``, ``study_sector`` or ``priority_product`` matches ``sector``.

    Matching is case-insensitive and exact on the name, so ``"clean energy"``, ``"Energy and
    critical minerals"`` (the study sector, which takes in Critical minerals and Clean energy)
    and ``"Batteries"`` all work; a list keeps rows matching any name. ``None`` returns ``df``.
    A known name with no initiative (``"Compressors"``) gives an empty table; a name that is
    neither in the table nor a registry sector or product raises
    :class:`~esc.errors.UnknownReleaseError` listing the known names.
    """
    if sector is None:
        return df
    table = _with_study_sector(df)
    names = [sector] if isinstance(sector, str) else list(sector)
    columns = ("sector", "study_sector", "priority_product")
    registry = load_registry()
    known = sorted({v for c in columns for v in table[c] if v} | set(EXTRA_SECTORS)
                   | set(registry["sector"]) | set(registry["product"]))
    keep = pd.Series(False, index=table.index)
    for name in names:
        key = name.strip().lower()
        if key not in {k.lower() for k in known}:
            raise UnknownReleaseError(f"unknown sector or product {name!r}; known: "
                                      + ", ".join(known))
        hit = pd.concat([table[c].str.lower() == key for c in columns], axis=1).any(axis=1)
        if not hit.any():
            log.info("no initiative in sector or product %r", name)
        keep |= hit
    return df[keep.to_numpy()].reset_index(drop=True)


# --------------------------------------------------------------------------- money


def to_usd(
    df: pd.DataFrame,
    rates: pd.DataFrame | None = None,
    *,
    default_year: int = DEFAULT_RATE_YEAR,
) -> pd.DataFrame:
    """Add ``amount_local, rate_year, units_per_usd, amount_usd`` to a copy of ``df``.

    ``amount_local = amount x multiplier(amount_unit)`` (crore = 1e7, billion = 1e9, see
    :data:`UNIT_MULTIPLIERS`) and ``amount_usd = amount_local / units_per_usd``, the annual
    average rate of the row's year from ``rates`` (default :data:`RATES`; columns ``currency,
    year, units_per_usd``). Undated rows, and rows whose year has no rate, use
    ``default_year``. USD amounts pass unchanged. Rows without an amount get NaN. Raises
    :class:`~esc.errors.UnknownReleaseError` when a currency has no rate for the year needed.

    >>> t = pd.DataFrame({"date": ["2023-05"], "amount": [60.0], "currency": ["JPY"],
    ...                   "amount_unit": ["billion"]})
    >>> round(float(to_usd(t)["amount_usd"].iloc[0]) / 1e6, 1)  # 60e9 / 140.5001
    427.0
    """
    table = RATES if rates is None else rates
    lookup = {(str(c), int(y)): float(r) for c, y, r in
              zip(table["currency"], table["year"], table["units_per_usd"], strict=True)}
    out = df.copy()
    amount = pd.to_numeric(out["amount"].replace("", np.nan), errors="coerce")
    multiplier = out["amount_unit"].map(UNIT_MULTIPLIERS).astype("float64")
    out["amount_local"] = amount * multiplier
    years, rate_values = [], []
    for has_amount, text, currency in zip(amount.notna(), out["date"].astype(str),
                                          out["currency"].astype(str), strict=True):
        if not has_amount:
            years.append(pd.NA)
            rate_values.append(np.nan)
            continue
        year, rate = _rate_for(lookup, currency, text, default_year)
        years.append(year)
        rate_values.append(rate)
    out["rate_year"] = pd.array(years, dtype="Int64")
    out["units_per_usd"] = np.array(rate_values, dtype="float64")
    out["amount_usd"] = out["amount_local"] / out["units_per_usd"]
    return out


def _rate_for(lookup: Mapping[tuple[str, int], float], currency: str, date_text: str,
              default_year: int) -> tuple[int, float]:
    year = int(date_text[:4]) if re.match(r"\d{4}", date_text) else default_year
    if currency == "USD":
        return year, 1.0
    if (currency, year) not in lookup:
        if year != default_year:
            log.info("no %s rate for %d: using %d", currency, year, default_year)
        year = default_year
    if (currency, year) not in lookup:
        have = sorted(f"{c} {y}" for c, y in lookup)
        raise UnknownReleaseError(f"no exchange rate for {currency} in {year}; the rate table "
                                  f"has: {', '.join(have)}")
    return year, lookup[(currency, year)]


# --------------------------------------------------------------------------- coverage


def _registry_products() -> dict[str, set[str]]:
    """hs6 -> every registry product that lists it (all HS revisions)."""
    reg = load_registry()
    return reg.groupby("hs6")["product"].agg(set).to_dict()


def product_links(initiatives: pd.DataFrame, *, origin: str = "study") -> pd.DataFrame:
    """Each initiative against the registry products of one list (``origin``: the study's 8
    priority products by default), linked through its ``priority_product`` or through an
    ``hs6`` code that the registry lists under the product.

    Columns: ``id, type, title, product, via`` (``"product"`` or ``"hs6"``); one row per
    (initiative, product). Toyota Tsusho's rare-earth refining (280530, 2846xx) thus counts for
    Permanent magnets, whose supply chain those codes are part of.
    """
    reg = load_registry()
    reg = reg[reg["origin"] == origin]
    wanted = set(reg["product"])
    by_code = reg.groupby("hs6")["product"].agg(set).to_dict()
    rows = []
    for rec in initiatives[["id", "type", "title", "priority_product", "hs6"]].itertuples():
        links: dict[str, str] = {}
        for code in split_codes(rec.hs6):
            for product in by_code.get(code, ()):
                links.setdefault(product, "hs6")
        if rec.priority_product in wanted:
            links[rec.priority_product] = "product"
        rows += [(rec.id, rec.type, rec.title, prod, via) for prod, via in links.items()]
    return pd.DataFrame(rows, columns=["id", "type", "title", "product", "via"])


def _code_column(table: pd.DataFrame) -> str:
    """The product code column of a classified table: ``hs6``, ``hs4`` or ``hs2``."""
    for col in ("hs6", "hs4", "hs2"):
        if col in table.columns:
            return col
    raise MissingColumnError("required column is missing (coverage needs importer, a product "
                             "code hs6, hs4 or hs2, and category)", path="<classified table>",
                             column="hs6")


def _under(by_code: dict[str, set[str]], code: str) -> set[str]:
    """The values of every HS6 key that starts with ``code`` (``code`` itself for HS6)."""
    if len(code) >= 6:
        return set(by_code.get(code, set()))
    return set().union(*(v for k, v in by_code.items() if k.startswith(code)))


def _links(initiatives: pd.DataFrame, table: pd.DataFrame, col: str = "hs6"
           ) -> tuple[list[list[str]], list[int]]:
    """Per classified row: ids of linked initiatives, and how many link through an HS code.

    A row at ``hs4`` or ``hs2`` (a heading or chapter) links every initiative whose HS6 codes
    lie in it, and every registry product with a code in it."""
    registry = _registry_products()
    by_code: dict[str, set[str]] = {}
    by_product: dict[str, set[str]] = {}
    for iid, codes, product in zip(initiatives["id"], initiatives["hs6"],
                                   initiatives["priority_product"], strict=True):
        for code in split_codes(codes):
            by_code.setdefault(code, set()).add(iid)
        if product:
            by_product.setdefault(product.lower(), set()).add(iid)
    has_product = "product" in table.columns
    ids, direct = [], []
    for i, code in enumerate(table[col].astype(str)):
        products = _under(registry, code)
        if has_product and isinstance(table["product"].iloc[i], str):
            products.update(p for p in table["product"].iloc[i].split("; ") if p)
        via_code = _under(by_code, code)
        via_product = set().union(*(by_product.get(p.lower(), set()) for p in products))
        ids.append(sorted(via_code | via_product))
        direct.append(len(via_code))
    return ids, direct


def _latest_year(classified: pd.DataFrame, year: int | None) -> pd.DataFrame:
    if "year" not in classified.columns:
        return classified
    year = int(classified["year"].max()) if year is None else year
    out = classified[classified["year"] == year]
    if out.empty:
        raise UnknownReleaseError(f"the classified table has no year {year}")
    return out


def coverage(
    initiatives: pd.DataFrame,
    classified: pd.DataFrame,
    *,
    level: str = "hs6",
    year: int | None = None,
    statuses: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Which initiatives address each product of a vulnerability table.

    ``classified`` needs ``importer, hs6, category`` (A–D) and may carry ``product``,
    ``sector``, ``short_name``, ``imports_usd`` and ``year`` (only ``year``, default the
    latest, is used). An initiative addresses a row when the row's ``hs6`` is in the
    initiative's ``hs6`` list (a direct link), or when its ``priority_product`` is a registry
    product that lists the row's ``hs6``, or equals the row's ``product``. ``statuses``
    restricts the initiatives counted (e.g. leave out ``planned``).

    A table at another product level (``hs4`` headings, ``hs2`` chapters: its code column) is
    linked through the initiatives' HS6 codes inside each heading or chapter and through the
    registry products with a code in it; the rows keep that code column.

    ``level="hs6"``: one row per classified row, columns ``importer, hs6, category`` (plus
    the optional ones present), ``n_initiatives, initiative_ids`` (``;``-separated, sorted)
    and ``n_direct`` (initiatives linked through an HS code). ``level="product"``: one row
    per ``(importer, product, category)`` with ``n_hs6`` and the distinct initiatives of its
    codes (``product`` from ``classified``, else the registry's first product for the code).
    """
    col = _code_column(classified)
    _require(classified, ["importer", col, "category"])
    if level not in ("hs6", "product"):
        raise UnknownReleaseError(f"level must be 'hs6' or 'product', not {level!r}")
    chosen = initiatives
    if statuses is not None:
        chosen = initiatives[initiatives["status"].isin(list(statuses))]
    table = _latest_year(classified, year).reset_index(drop=True)
    ids, direct = _links(chosen, table, col)
    extra = [c for c in ("product", "sector", "short_name", "imports_usd") if c in table]
    out = table[["importer", col, "category", *extra]].copy()
    out[col] = out[col].astype(str)
    out["n_initiatives"] = [len(x) for x in ids]
    out["initiative_ids"] = [";".join(x) for x in ids]
    out["n_direct"] = direct
    if level == "product":
        return _to_product_level(out, ids)
    return out.sort_values(["importer", "category", col], ignore_index=True)


def _to_product_level(out: pd.DataFrame, ids: list[list[str]]) -> pd.DataFrame:
    if "product" not in out.columns:
        first = load_registry().drop_duplicates("hs6").set_index("hs6")["product"]
        out = out.assign(product=out["hs6"].map(first).fillna(""))
    out = out.assign(_ids=ids)
    rows = []
    for (importer, product, category), grp in out.groupby(["importer", "product", "category"],
                                                          sort=True):
        union = sorted(set().union(*grp["_ids"]))
        row = {"importer": importer, "product": product, "category": category,
               "n_hs6": len(grp), "n_initiatives": len(union),
               "initiative_ids": ";".join(union), "n_direct": int(grp["n_direct"].sum())}
        if "imports_usd" in grp:
            row["imports_usd"] = float(grp["imports_usd"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def gaps(
    initiatives: pd.DataFrame,
    classified: pd.DataFrame,
    categories: Sequence[str] = ("A", "B"),
    *,
    level: str = "hs6",
    year: int | None = None,
    statuses: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Products in ``categories`` that no initiative addresses: :func:`coverage` rows with
    ``n_initiatives == 0`` (same columns), largest ``imports_usd`` first when present."""
    cov = coverage(initiatives, classified, level=level, year=year, statuses=statuses)
    out = cov[cov["category"].isin(list(categories)) & (cov["n_initiatives"] == 0)]
    keys = ["importer", "category"]
    if "imports_usd" in out.columns:
        return out.sort_values([*keys, "imports_usd"], ascending=[True, True, False],
                               ignore_index=True)
    code = level if level in out.columns else _code_column(out)
    return out.sort_values([*keys, code], ignore_index=True)


def _require(table: pd.DataFrame, columns: list[str]) -> None:
    for col in columns:
        if col not in table.columns:
            raise MissingColumnError("required column is missing (coverage needs importer, "
                                     "hs6, category)", path="<classified table>", column=col)
