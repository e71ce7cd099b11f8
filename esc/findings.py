"""Key findings written from the numbers: the "What this shows" paragraph.

Every figure in the text is computed here from the table it describes, so a rerun on other
data writes other sentences. When the table is demo data the first sentence says so.

The input is a classified table as :func:`esc.study.overview` (and the screen) return
it: one row per (year, reporter, product) with ``imports_usd``, ``category`` (A-D),
``top1_partner``, ``top1_share`` and a product name (``short_name`` or ``name``). The
reporter column may be called ``reporter`` or ``importer``.
"""

from __future__ import annotations

import math

import pandas as pd

from esc.countries import country_name
from esc.errors import MissingColumnError
from esc.schema import DEMO_LABEL

__all__ = ["category_a_sentence", "usd", "what_this_shows"]


def usd(value: float) -> str:
    """A dollar amount as a briefing writes it: USD bn above one billion, else USD m.

    >>> usd(12_345_000_000), usd(48_200_000), usd(0)
    ('USD 12.3 bn', 'USD 48.2 m', 'USD 0.0 m')
    """
    if not math.isfinite(value):
        return "USD n/a"
    if abs(value) >= 1e9:
        return f"USD {value / 1e9:,.1f} bn"
    return f"USD {value / 1e6:,.1f} m"


def _reporter_column(table: pd.DataFrame) -> str:
    for col in ("reporter", "importer"):
        if col in table.columns:
            return col
    raise MissingColumnError("a classified table needs a reporter (or importer) column",
                             column="reporter")


def _name(row: pd.Series) -> str:
    for col in ("short_name", "name", "product_name"):
        if col in row.index and isinstance(row[col], str) and row[col]:
            return row[col]
    return "an unnamed product"


def _code(row: pd.Series) -> str:
    for col in ("hs6", "hs4", "hs2", "hs8", "commodity"):
        if col in row.index and isinstance(row[col], str):
            return row[col]
    return ""


def category_a_sentence(table: pd.DataFrame, reporter: str) -> str:
    """One reporter's Category A products in one sentence (the latest year in the table).

    "India, 2023: 27 products in Category A, USD 12.3 bn, 8.1 % of the screened imports; the
    largest is Lithium-ion batteries (850760, USD 3.1 bn, 63 % from China)."
    """
    for col in ("imports_usd", "category"):
        if col not in table.columns:
            raise MissingColumnError("required column is missing", column=col)
    who = _reporter_column(table)
    rows = table[table[who] == reporter]
    if "year" in rows.columns and len(rows):
        year = int(rows["year"].max())
        rows = rows[rows["year"] == year]
        head = f"{country_name(reporter)}, {year}"
    else:
        head = country_name(reporter)
    if rows.empty:
        return f"{head}: no screened imports."
    total = float(rows["imports_usd"].sum())
    a = rows[rows["category"] == "A"].sort_values("imports_usd", ascending=False)
    if a.empty:
        return (f"{head}: no product in Category A among {len(rows):,} screened products "
                f"({usd(total)}).")
    value = float(a["imports_usd"].sum())
    share = 100 * value / total if total else float("nan")
    top = a.iloc[0]
    supplier = ""
    if "top1_partner" in top.index and isinstance(top["top1_partner"], str):
        supplier = (f", {100 * float(top['top1_share']):.0f} % from "
                    f"{country_name(top['top1_partner'])}")
    noun = "product" if len(a) == 1 else "products"
    code = _code(top)
    return (f"{head}: {len(a):,} {noun} in Category A, {usd(value)}, {share:.1f} % of the "
            f"screened imports; the largest is {_name(top)} "
            f"({code + ', ' if code else ''}{usd(float(top['imports_usd']))}{supplier}).")


def what_this_shows(table: pd.DataFrame, *, label: str | None = None) -> str:
    """The "What this shows" paragraph: one Category A sentence per reporter.

    ``label`` defaults to ``table.attrs["label"]``; on demo data the paragraph opens with it.

    >>> t = pd.DataFrame({"year": 2023, "importer": ["IND", "IND", "IND"],
    ...     "hs6": ["850760", "854143", "270900"], "short_name": ["Li-ion", "PV", "Crude"],
    ...     "imports_usd": [3e9, 1e9, 6e9], "category": ["A", "A", "D"],
    ...     "top1_partner": ["CHN", "CHN", "IRQ"], "top1_share": [0.63, 0.8, 0.2]})
    >>> print(what_this_shows(t, label="real"))
    India, 2023: 2 products in Category A, USD 4.0 bn, 40.0 % of the screened imports; the largest is Li-ion (850760, USD 3.0 bn, 63 % from China).
    """  # noqa: E501
    label = label if label is not None else table.attrs.get("label")
    who = _reporter_column(table)
    sentences = [category_a_sentence(table, r) for r in dict.fromkeys(table[who].tolist())]
    if label == DEMO_LABEL:
        sentences.insert(0, f"{DEMO_LABEL[0].upper()}{DEMO_LABEL[1:]}: every figure below "
                         "comes from esc's generated demo world.")
    return " ".join(sentences)
