"""Lines over years: import values, HHI, China's share, per product, importer or sector.

The sums and value-weighted means per (year, series) come from :func:`esc.tables.by_year`,
the ratios themselves from :mod:`esc.metrics`; the builder draws them. A series of
countries (``importer``, ``exporter``) is drawn in the countries' own colours.
"""

from __future__ import annotations

from typing import Unpack

import altair as alt
import pandas as pd

from esc import tables
from esc.charts.common import (
    COUNTRY_COLUMNS,
    SERIES_TITLES,
    VALUE_COLUMNS,
    name,
    names_scale,
    percent_axis,
    require,
    series_names,
    with_period,
)
from esc.charts.frame import Store, finish, inline
from esc.charts.style import HEIGHT, OTHER, PALETTE, WIDTH, ChartText, options, size

TREND_TITLES = {
    "hhi": ("HHI of import sources", "0–1"),
    "share_chn": ("China's share of imports", "%"),
    "share_trusted": ("Trusted partners' share of imports", "%"),
    "top1_share": ("Largest supplier's share", "%"),
    "top3_share": ("Three largest suppliers' share", "%"),
    "eff_suppliers": ("Effective number of suppliers (1/HHI)", "count"),
}
"""Axis titles (text, unit) of the columns esc draws over time."""


def trend(
    table: pd.DataFrame,
    *,
    y: str = "value_usd",
    series: str | None = "short_name",
    y_title: str | None = None,
    agg: str | None = None,
    weight: str | None = "imports_usd",
    max_series: int = 8,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Lines over years, one per ``series`` value (at most ``max_series``, the rest "Other").

    Rows are aggregated per (year, series). Values in USD (``*_usd``) are summed and shown
    in USD million. Other columns (HHI, shares) are averaged, weighted by ``weight`` when
    the table has it: the value-weighted mean sum(w*y)/sum(w), so a USD 3 bn product counts
    more than a USD 3 m one. Shares (``share_*``, ``*_share``) are shown in %. ``agg``
    ("sum" or "mean") overrides; ``y_title`` overrides the axis title, which names the unit.
    """
    opts = options(text, title="Trend", subtitle=with_period(None, table))
    require(table, ["year", y], "trend")
    is_value = y in VALUE_COLUMNS or y.endswith("_usd")
    agg = agg or ("sum" if is_value else "mean")
    countries = series in COUNTRY_COLUMNS and series in table.columns
    keys = (table[series].astype(str) if countries else _series(table, series, y))
    weighted = agg == "mean" and weight is not None and weight in table.columns
    out = tables.by_year(table, y=y, series=keys, agg=agg, weight=weight if weighted else None,
                         max_series=max_series).rename(columns={"series": "_s", y: "_y"})
    out["_y"] = out["_y"] * (1e-6 if is_value else 1.0)  # USD shown in USD million
    if countries:
        scale = names_scale(out["_s"])
        out["_s"] = out["_s"].map(lambda c: c if c == OTHER else name(c))
    else:
        scale = alt.Scale(range=PALETTE)
    store: Store = {}
    share = y.endswith("share") or y.startswith("share_")
    axis_title = y_title or _trend_title(y, is_value, weighted)
    axis = percent_axis() if share else alt.Axis(format=",.0f" if is_value else "")
    width, height = size(opts, WIDTH - 160, HEIGHT - 40)
    lines = alt.Chart(inline(out, store)).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("_y:Q", title=axis_title, axis=axis),
        color=alt.Color("_s:N", title=SERIES_TITLES.get(series or "", series or ""),
                        scale=scale),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("_s:N", title="Series"),
                 alt.Tooltip("_y:Q", title=axis_title, format=",.3~f")],
    ).properties(width=width, height=height)
    return finish(lines, table, opts, store)


def _trend_title(y: str, is_value: bool, weighted: bool) -> str:
    if is_value:
        return ("Imports (USD million)" if y in ("imports_usd", "value_usd")
                else f"{y} (USD million)")
    base, unit = TREND_TITLES.get(y, (y, ""))
    title = base + (", value-weighted" if weighted else "")
    return f"{title} ({unit})" if unit else title


def _series(table: pd.DataFrame, series: str | None, y: str) -> pd.Series:
    if not series or series not in table.columns:
        return pd.Series(y, index=table.index)
    return series_names(table, series)
