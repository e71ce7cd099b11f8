"""Small helpers the chart builders share: readable names, the year shown, top N plus "Other".

These only reshape the table a builder was given for drawing (pick a year, name a country,
shorten a product name); no figure is computed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd

from esc import tables
from esc.charts.frame import Store, inline
from esc.charts.style import INK, OTHER, country_scale
from esc.countries import country_name
from esc.errors import BadValueError, MissingColumnError
from esc.registry import product_labels

SERIES_TITLES = {"short_name": "Product", "hs6": "Product (HS6)", "importer": "Importer",
                 "exporter": "Supplier", "sector": "Sector", "product": "Product"}
VALUE_COLUMNS = frozenset({"value_usd", "imports_usd", "exports_usd", "at_risk_usd"})
COUNTRY_COLUMNS = frozenset({"importer", "exporter", "reporter", "supplier", "partner"})
"""Columns that hold ISO3 codes: a series by one of them is coloured per country."""

SHORT_COUNTRY_NAMES = {"COD": "DR Congo", "COG": "Congo", "RUS": "Russia", "IRN": "Iran",
                       "LAO": "Laos", "BOL": "Bolivia", "TZA": "Tanzania", "VEN": "Venezuela",
                       "SYR": "Syria", "PRK": "North Korea", "KOR": "South Korea",
                       "MDA": "Moldova", "S19": "Taiwan (Other Asia nes)"}
"""Chart labels for countries whose official short names are long."""


def require(table: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise :class:`~esc.errors.MissingColumnError` naming the first missing column."""
    for col in columns:
        if col not in table.columns:
            raise MissingColumnError(f"{what} needs this column", path="<table>", column=col)


def name(code: Any) -> str:
    """Country name for a chart label (ISO3 in, short English name out)."""
    if isinstance(code, str) and len(code) == 3:
        return SHORT_COUNTRY_NAMES.get(code) or country_name(code)
    return str(code)


def names_scale(codes: Iterable[str]) -> Any:
    """The country colour scale for these ISO3 codes, keyed by their chart names."""
    return country_scale({(OTHER if c == OTHER else name(c)): c for c in dict.fromkeys(codes)})


def latest(table: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    """The rows of ``year`` (default: the table's latest year) and that year."""
    if "year" not in table.columns:
        return table, year
    year = int(table["year"].max()) if year is None else int(year)
    out = table[table["year"] == year]
    if out.empty:
        raise BadValueError(f"no rows for year {year}", path="<table>", column="year")
    return out, year


PRODUCT_LEVELS = ("hs6", "hs4", "hs2", "hs8")
"""Product code columns, most detailed first (``hs8``: India's national lines)."""


def product_column(table: pd.DataFrame) -> str | None:
    """The table's product code column: ``attrs["product"]`` when the table has that
    column, else the first of :data:`PRODUCT_LEVELS` it has; None when it has none.

    >>> product_column(pd.DataFrame({"hs4": ["8507"], "hs2": ["85"]}))
    'hs4'
    """
    given = (getattr(table, "attrs", {}) or {}).get("product")
    if given and given in table.columns:
        return str(given)
    return next((c for c in PRODUCT_LEVELS if c in table.columns), None)


def product_label(table: pd.DataFrame, product: str) -> pd.Series:
    """A readable product label: ``short_name (code)``; with HS6 codes and no ``short_name``
    the names come from the sector registry (esc's packaged product list)."""
    if product == "hs6" and "short_name" not in table.columns and "hs6" in table.columns:
        table = with_names(table)
    if product in table.columns and product != "short_name" and "short_name" in table.columns:
        text = table["short_name"].fillna("").astype(str).map(shorten)
        code = table[product].astype(str)
        return (text + " (" + code + ")").where(text != "", code)
    return table[product].astype(str)


def with_names(table: pd.DataFrame) -> pd.DataFrame:
    """Add the registry's ``short_name`` to a table with ``hs6`` codes (left join)."""
    names = product_labels("HS22").set_index("hs6")["short_name"]
    return table.assign(short_name=table["hs6"].astype(str).map(names))


def shorten(text: str, limit: int = 38) -> str:
    """Trim a long product name for an axis label (the tooltip keeps the code)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;") + "…"


def top_with_other(values: pd.Series, top: int, other: str = OTHER) -> dict[str, str]:
    """Map each key to itself when it is among the ``top`` largest, else to ``other``
    (:func:`esc.tables.top_with_other`)."""
    return tables.top_with_other(values, top, other)


def series_names(table: pd.DataFrame, column: str) -> pd.Series:
    """The values of ``column`` as shown in a legend (country names for ISO3 columns)."""
    values = table[column]
    return (values.map(name) if column in COUNTRY_COLUMNS else values).astype(str)


def period(table: pd.DataFrame | None) -> str | None:
    """The year or years a table covers, for a subtitle: ``"2023"``, ``"2019–2023"``, or None.

    From the ``year`` column, else ``attrs["year"]``.

    >>> period(pd.DataFrame({"year": [2021, 2023, 2022]}))
    '2021–2023'
    """
    if table is None:
        return None
    if "year" in table.columns:
        years = pd.to_numeric(table["year"], errors="coerce").dropna()
        if len(years):
            first, last = int(years.min()), int(years.max())
            return str(first) if first == last else f"{first}–{last}"
    year = (getattr(table, "attrs", {}) or {}).get("year")
    return None if year is None else str(year)


def with_period(lines: str | list[str] | None, table: pd.DataFrame | None) -> list[str] | None:
    """Subtitle lines with the table's :func:`period` added when no line names it yet."""
    out = [lines] if isinstance(lines, str) else list(lines or [])
    when = period(table)
    if when and not any(when.split("–")[0] in line for line in out):
        out.append(f"Year {when}." if "–" not in when else f"Years {when}.")
    return out or None


def unique_short(names: pd.Series, codes: pd.Series, limit: int = 30) -> pd.Series:
    """Short names for labels that stay unique: a name shortened to ``limit`` characters, with
    its code added where two different products would otherwise read the same.

    >>> unique_short(pd.Series(["Steroidal hormones, their derivatives A",
    ...                         "Steroidal hormones, their derivatives B", "Salt"]),
    ...              pd.Series(["293721", "293722", "250100"]), 20).tolist()
    ['Steroidal… (293721)', 'Steroidal… (293722)', 'Salt']
    """
    text = names.fillna("").astype(str)
    short = text.map(lambda t: shorten(t, limit))
    code = codes.astype(str)
    pairs = pd.DataFrame({"short": short, "code": code})
    clash = pairs.groupby("short")["code"].transform("nunique") > 1
    with_code = text.map(lambda t: shorten(t, max(limit - 10, 8))) + " (" + code + ")"
    return short.where(~clash & (text != ""), with_code.where(text != "", code))


def far_apart(values: pd.Series, ratio: float = 5.0) -> float | None:
    """When the largest value is more than ``ratio`` times the next one, the axis maximum that
    keeps the other bars readable (1.6 x the second largest); else None.

    >>> far_apart(pd.Series([30.0, 2.0, 1.0]))
    3.2
    >>> far_apart(pd.Series([3.0, 2.0])) is None
    True
    """
    top = values.dropna().astype(float).nlargest(2)
    if len(top) < 2 or top.iloc[1] <= 0 or top.iloc[0] <= ratio * top.iloc[1]:
        return None
    return float(top.iloc[1]) * 1.6


def percent_axis(**kwargs: Any) -> alt.Axis:
    """An axis (or legend labels) for shares on the 0–1 scale, labelled 0–100 without a %
    sign: the unit is written once, in the title ("... (%)").

    >>> percent_axis().to_dict()["labelExpr"]
    "format(datum.value * 100, '.0f')"
    """
    return alt.Axis(labelExpr=PERCENT_LABELS, **kwargs)


PERCENT_LABELS = "format(datum.value * 100, '.0f')"
"""Vega expression of a 0–1 share as a percent number, for axis and legend labels."""


BROKEN_NOTE = "The longest bar is cut at the chart's edge (»); its value is printed."
"""The subtitle note of a bar chart whose largest bar is drawn cut (see :func:`far_apart`)."""


def lines(subtitle: str | Iterable[str] | None) -> list[str]:
    """A subtitle as a list of lines."""
    return [subtitle] if isinstance(subtitle, str) else list(subtitle or [])


def cut_scale(cut: float | None) -> Any:
    """An x scale that stops at ``cut`` (bars beyond it drawn to the edge), or altair's own."""
    return alt.Scale(domain=[0, cut], clamp=True, nice=False) if cut else alt.Undefined


def cut_labels(
    values: pd.Series, labels: pd.Series, cut: float, order: list[str], store: Store, y: str
) -> alt.LayerChart:
    """Values printed at the end of each bar of a chart whose axis stops at ``cut`` (bars on
    the band field ``y``, in ``order``); a bar longer than that is drawn to the edge, its
    value printed inside it and marked »."""
    text = pd.DataFrame({y: labels.to_numpy(), "_v": values.to_numpy()})
    text["_x"] = text["_v"].clip(upper=cut)
    text["_t"] = text["_v"].map(lambda v: f"{v:,.0f}") + text["_v"].gt(cut).map(
        {True: " »", False: ""})
    data = inline(text, store)
    enc = {"y": alt.Y(f"{y}:N", sort=order), "x": alt.X("_x:Q"), "text": "_t:N"}
    inside = alt.Chart(data).mark_text(align="right", dx=-4, color="white", fontWeight="bold",
                                       fontSize=11).encode(**enc).transform_filter(
        f"datum._v > {cut}")
    outside = alt.Chart(data).mark_text(align="left", dx=3, color=INK, fontSize=11).encode(
        **enc).transform_filter(f"datum._v <= {cut}")
    return alt.layer(inside, outside)
