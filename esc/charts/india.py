"""Charts of India's own statistics (DGCI&S principal commodities, MEIDB monthly HS8 lines).

The tables come from :mod:`esc.india` (concentration, sector trends, event studies) and
:mod:`esc.sources.dgcis` / :mod:`esc.sources.meidb`. The footer names DGCI&S and the data's
licence (:func:`source_text`) and what the chart covers (fiscal years, months or calendar
years, :func:`coverage`); these charts are real data and never carry the demo mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Unpack

import altair as alt
import pandas as pd

from esc import tables
from esc.charts.common import name, percent_axis, shorten
from esc.charts.frame import Store, finish, inline
from esc.charts.style import (
    HEIGHT,
    MUTED,
    PALETTE,
    WIDTH,
    ChartText,
    country_scale,
    options,
    size,
)
from esc.charts.suppliers import supplier_bars
from esc.charts.trends import TREND_TITLES
from esc.label import label_of
from esc.schema import EXPORTER, YEAR
from esc.sources.dgcis import COMMODITY, FISCAL_YEAR, fiscal_label
from esc.sources.dgcis import SOURCE_LINE as DGCIS_LINE
from esc.sources.meidb import HS8, PERIOD
from esc.sources.meidb import SOURCE_LINE as MEIDB_LINE

OTHERS = "all other partners"


def source_text(table: pd.DataFrame) -> str:
    """The chart footer's source (publisher and licence) for a DGCI&S or MEIDB table, by the
    table's label (MEIDB when its source is ``"meidb"``, else the principal-commodity files)."""
    found = label_of(table)
    return MEIDB_LINE if found is not None and found.source == "meidb" else DGCIS_LINE


def _span(first: str, last: str, what: str) -> str:
    return f"{what} {first}" if first == last else f"{what}s {first} to {last}"


def coverage(table: pd.DataFrame) -> str:
    """What the chart covers: fiscal years, months or calendar years (the footer's vintage)."""
    if FISCAL_YEAR in table.columns and table[FISCAL_YEAR].notna().any():
        fys = sorted(table[FISCAL_YEAR].dropna().unique())
        return _span(fys[0], fys[-1], "fiscal year")
    if PERIOD in table.columns and table[PERIOD].notna().any():
        periods = sorted(table[PERIOD].dropna().unique())
        return _span(periods[0], periods[-1], "month")
    if YEAR in table.columns and len(table):
        return _span(str(table[YEAR].min()), str(table[YEAR].max()), "calendar year")
    return ""


def _opts(text: Mapping, table: pd.DataFrame, **defaults: object) -> ChartText:
    """Chart options with this module's source line and coverage as defaults."""
    return options(text, source=source_text(table), vintage=coverage(table), **defaults)


def concentration_chart(top: pd.DataFrame, **text: Unpack[ChartText]) -> alt.VConcatChart:
    """Horizontal bars of HHI for a :func:`esc.india.most_concentrated` table, labelled with
    the product and its largest supplier (and that supplier's share)."""
    product = top.attrs.get("product", COMMODITY)
    names = top[product].astype(str).map(lambda s: shorten(s, 40))
    df = top.assign(_label=names + " (" + top["top1_partner"].map(name) + " "
                    + (top["top1_share"] * 100).round(0).astype(int).astype(str) + " %)")
    year = int(top[YEAR].iloc[0]) if len(top) else None
    when = fiscal_label(year) if product == COMMODITY and year else str(year)
    opts = _opts(text, top, title=f"India's most concentrated imports, {when}",
                 subtitle="Principal commodities with imports of at least USD 100 million; "
                 "label: largest supplier and its share")
    store: Store = {}
    width, height = size(opts, WIDTH - 300, alt.Step(18))
    df["imports_musd"] = df["imports_usd"] / 1e6  # shown in USD million, as in every chart
    bars = alt.Chart(inline(df[["_label", "hhi", "imports_musd"]], store)).mark_bar(
        color=PALETTE[0]).encode(
        y=alt.Y("_label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=380)),
        x=alt.X("hhi:Q", title="HHI of import sources (0–1)", scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("_label:N", title="Product (largest supplier)"),
                 alt.Tooltip("hhi:Q", title="HHI", format=".2f"),
                 alt.Tooltip("imports_musd:Q", title="Imports (USD million)",
                             format=",.1f")],
    ).properties(width=width, height=height)
    return finish(bars, top, opts, store)


def share_trend_chart(trend: pd.DataFrame, *, y: str = "share_chn", series: str = COMMODITY,
                      **text: Unpack[ChartText]) -> alt.VConcatChart:
    """Lines of ``y`` per fiscal year for each ``series`` value of a
    :func:`esc.india.sector_trend` table; the unpublished 2020-21 stays a visible gap on the
    axis (the line breaks there).

    A principal commodity that stands for several study products is drawn once. Several
    commodities under one ``series`` value (e.g. ``series="sector"``) are combined as the
    import-weighted share: sum(share x imports) / sum(imports).
    """
    df = trend.drop_duplicates([series, COMMODITY, YEAR])
    agg = tables.weighted_mean(df, keys=[series, YEAR, FISCAL_YEAR], y=y,
                               weight="imports_usd").rename(columns={y: "_y"})
    gaps = sorted(int(v) for v in agg.loc[agg["_y"].isna(), YEAR].unique())
    agg["_segment"] = agg[YEAR].map(lambda v: sum(v > g for g in gaps))
    order = [fiscal_label(v) for v in range(int(agg[YEAR].min()), int(agg[YEAR].max()) + 1)]
    gap = ", ".join(fiscal_label(g) for g in gaps)
    lines = [f"Fiscal years {order[0]} to {order[-1]}."]
    if gaps:
        lines.append(f"{gap}: not published, left as a gap.")
    opts = _opts(text, trend, title="China's share of India's imports, study sectors",
                 subtitle=lines)
    store: Store = {}
    data = agg.dropna(subset=["_y"])[[series, FISCAL_YEAR, "_segment", "_y"]]
    width, height = size(opts, WIDTH - 140, HEIGHT - 40)
    lines = alt.Chart(inline(data, store)).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X(f"{FISCAL_YEAR}:O", title="Fiscal year (April–March)",
                scale=alt.Scale(domain=order), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("_y:Q", title=TREND_TITLES.get(y, (y, ""))[0] + " (%)",
                axis=percent_axis()),
        color=alt.Color(f"{series}:N", title=series.replace("_", " ").capitalize(),
                        scale=alt.Scale(range=PALETTE)),
        detail="_segment:N",
        tooltip=[alt.Tooltip(f"{series}:N"), alt.Tooltip(f"{FISCAL_YEAR}:O"),
                 alt.Tooltip("_y:Q", title=y, format=".1%")],
    ).properties(width=width, height=height)
    return finish(lines, trend, opts, store)


def event_chart(study: pd.DataFrame, **text: Unpack[ChartText]) -> alt.VConcatChart:
    """Monthly imports (USD million) from the controlling country (in its country colour) and
    from everyone else, with a rule at the month the control took effect (and a dashed one at
    its announcement). ``study`` is :func:`esc.india.event_study` output."""
    ev = study.attrs.get("event", {})
    code = ev.get("controller", "CHN")
    ctrl = name(code)
    long = study.melt(id_vars=[PERIOD, "month_start"],
                      value_vars=["controller_usd", "others_usd"], var_name="_s",
                      value_name="_v").dropna(subset=["_v"])
    long["_s"] = long["_s"].map({"controller_usd": ctrl, "others_usd": OTHERS})
    long["_v"] = long["_v"] / 1e6
    long["month_start"] = pd.to_datetime(long["month_start"]).dt.strftime("%Y-%m-%d")
    opts = _opts(text, study, title="India's imports of the controlled lines: "
                 f"{ev.get('name') or ev.get('id')}",
                 subtitle=[f"ITC-HS lines {', '.join(ev.get('hs8_lines', []))}.",
                           f"{coverage(study).capitalize()}; in force from {ev.get('start')}."])
    store: Store = {}
    lines = alt.Chart(inline(long, store)).mark_line(point=True).encode(
        x=alt.X("month_start:T", title="Month", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("_v:Q", title="Imports (USD million per month)"),
        color=alt.Color("_s:N", title="Imports from", scale=country_scale(
            [(ctrl, code), (OTHERS, "Other")])),
        tooltip=[alt.Tooltip(f"{PERIOD}:N", title="Month"), alt.Tooltip("_s:N"),
                 alt.Tooltip("_v:Q", title="USD million", format=",.2f")])
    marks = [{"date": ev.get("start"), "what": "in force"}]
    if ev.get("announced"):
        marks.append({"date": ev["announced"], "what": "announced"})
    rules = alt.Chart(inline(pd.DataFrame(marks), store)).mark_rule(color=MUTED).encode(
        x="date:T", strokeDash=alt.StrokeDash("what:N", title="Control",
                                              scale=alt.Scale(domain=["announced", "in force"],
                                                              range=[[4, 3], [1, 0]])))
    width, height = size(opts, WIDTH - 120, HEIGHT - 40)
    body = alt.layer(lines, rules).properties(width=width, height=height)
    return finish(body, study, opts, store)


def supplier_chart(yearly: pd.DataFrame, *, year: int | None = None, top: int = 6,
                   names: Mapping[str, str] | None = None, merge_hk: bool = False,
                   **text: Unpack[ChartText]) -> alt.VConcatChart:
    """Supplier shares (%) per line of a yearly MEIDB table (``meidb.read(freq="year")``),
    drawn by :func:`esc.charts.supplier_bars` (shares from :mod:`esc.metrics`).

    Lines are named by the table's ``description`` or ``short_name`` column, else by
    ``names`` (code -> description, e.g. :func:`esc.india.line_descriptions`), else by
    their code. Partners that are not countries are left out.
    """
    product = yearly.attrs.get("product", HS8)
    df = yearly[yearly[EXPORTER] != ""].copy()
    df.attrs.update(yearly.attrs)
    if "short_name" not in df.columns:
        if "description" in df.columns:
            df["short_name"] = df["description"]
        elif names is not None:
            df["short_name"] = df[product].astype(str).map(dict(names))
    shown = int(df[YEAR].max()) if year is None else int(year)
    opts = _opts(text, df[df[YEAR] == shown],
                 title="Who supplies India's imports of these lines?")
    return supplier_bars(df, top=top, max_products=None, year=year, product=product,
                         merge_hk=merge_hk, **opts)

