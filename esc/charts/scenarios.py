"""What if a supplier stops: the value at risk, how much others could replace, and who.

Every figure drawn here comes from :mod:`esc.scenarios` (and :mod:`esc.controls`): the builders
add the year and the scenario's stated assumption to the subtitle, so a reader sees both on the
chart itself.
"""

from __future__ import annotations

from typing import Any, Unpack

import altair as alt
import pandas as pd

from esc import tables
from esc.charts.common import (
    BROKEN_NOTE,
    cut_labels,
    cut_scale,
    far_apart,
    lines,
    name,
    names_scale,
    period,
    product_label,
    require,
    with_period,
)
from esc.charts.frame import Store, finish, inline
from esc.charts.style import (
    DEMO_RED,
    HEIGHT,
    INK,
    OTHER_GREY,
    PALETTE,
    WIDTH,
    ChartText,
    options,
    size,
)

REPLACEABLE = "Could be replaced by other exporters"
NOT_REPLACEABLE = "Not replaceable from other exporters"
REPLACEABLE_BLUE = "#74a9cf"


def scenario_waterfall(
    table: pd.DataFrame,
    *,
    step: str = "short_name",
    value: str = "at_risk_usd",
    covered: str | None = "coverable_usd",
    top: int = 8,
    x_title: str = "Imports at risk (USD million, cumulative)",
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Waterfall of value at risk (USD million), product by product, ending in the total.

    Each step is one ``step`` value (summed over rows), largest first; steps beyond
    ``top`` are pooled as "Other products". When ``covered`` is a column, each step is
    split into the part other exporters could replace (``covered``, capped at the step's
    value) and the part they could not (value - covered). Steps run down the chart, so
    long product names stay readable. Defaults fit :func:`esc.scenarios.supplier_stop`:
    product names come from the sector registry when the table has ``hs6``, and
    ``table.attrs["supplier"]`` names the supplier in the default subtitle.
    """
    opts = options(text, title="Imports at risk if the supplier stops")
    if step == "short_name" and "hs6" in table.columns:
        table = table.assign(short_name=product_label(table, "hs6"))
    require(table, [step, value], "scenario_waterfall")
    df = tables.waterfall_steps(table, step=step, value=value, covered=covered, top=top) / 1e6
    segments = _waterfall_segments(df, value, covered if df.shape[1] > 1 else None)
    store: Store = {}
    order = [*df.index, "Total"]
    kinds = list(dict.fromkeys(segments["kind"]))
    colours = {REPLACEABLE: REPLACEABLE_BLUE, NOT_REPLACEABLE: DEMO_RED,
               "Value at risk": "#d7301f", "Total": "#555555"}
    width, height = size(opts, WIDTH - 180, alt.Step(22))
    bars = alt.Chart(inline(segments, store)).mark_bar(size=16).encode(
        y=alt.Y("step:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
        x=alt.X("start:Q", title=x_title),
        x2="end:Q",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=kinds, range=[colours[k] for k in kinds]),
            legend=alt.Legend(orient="right")),
        tooltip=[alt.Tooltip("step:N", title="Product"), alt.Tooltip("kind:N", title="Part"),
                 alt.Tooltip("amount:Q", title="USD million", format=",.1f")],
    ).properties(width=width, height=height)
    opts.setdefault("subtitle", _stop_subtitle(table) or with_period(None, table))
    if far_apart(df[value]):  # one step dwarfs the rest: print every step's value
        bars = alt.layer(bars, _step_values(segments, order, store)).properties(
            width=width, height=height)
        opts["subtitle"] = [*lines(opts.get("subtitle")), VALUES_NOTE]
    return finish(bars, table, opts, store)


VALUES_NOTE = "One step is more than five times the next: each step's value is printed."
"""The subtitle note of a waterfall whose steps are annotated (see :func:`far_apart`)."""


def _step_values(segments: pd.DataFrame, order: list[str], store: Store) -> alt.Chart:
    """Each step's value (USD million) printed right of where the step ends."""
    ends = segments.groupby("step", sort=False).agg(end=("end", "max"), start=("start", "min"))
    ends = ends.assign(text=(ends["end"] - ends["start"]).map(lambda v: f"{v:,.0f}")
                       ).reset_index()
    return alt.Chart(inline(ends, store)).mark_text(align="left", dx=4, fontSize=11,
                                                    color=INK).encode(
        y=alt.Y("step:N", sort=order), x=alt.X("end:Q"), text="text:N")


def _stop_subtitle(table: pd.DataFrame) -> list[str] | None:
    supplier = table.attrs.get("supplier")
    if not supplier:
        return None
    who = " and ".join(name(c) for c in dict.fromkeys(table.get("importer", [])))
    year = ", ".join(str(y) for y in dict.fromkeys(table.get("year", [])))
    others = ("trusted partners'" if table.attrs.get("replacement") == "trusted"
              else "other countries'")
    redirect = table.attrs.get("redirect")
    if redirect is not None:  # esc.scenarios with stated capacity
        return [f"Imports of {who or 'the reporter'} from {name(supplier)}, {year}.",
                f"Replaceable: {redirect:.0%} of {others} exports to other markets "
                "(an assumption; see the sensitivity chart)."]
    return [f"Imports of {who or 'the reporter'} from {name(supplier)}, {year}.",
            f"Replaceable: up to {others} current world exports (an upper bound)."]


def _waterfall_segments(df: pd.DataFrame, value: str, covered: str | None) -> pd.DataFrame:
    """Floating bars: each step starts where the previous one ended."""
    rows, level = [], 0.0
    for step, row in df.iterrows():
        v = float(row[value])
        c = min(max(float(row[covered]), 0.0), v) if covered else None
        if c is None:
            rows.append((step, "Value at risk", level, level + v, v))
        else:
            rows.append((step, REPLACEABLE, level, level + c, c))
            rows.append((step, NOT_REPLACEABLE, level + c, level + v, v - c))
        level += v
    rows.append(("Total", "Total", 0.0, level, level))
    return pd.DataFrame(rows, columns=["step", "kind", "start", "end", "amount"])


def assumption_lines(table: pd.DataFrame, first: str | None = None) -> list[str]:
    """Subtitle lines: an optional first line, the year (``attrs["year"]``, else the ``year``
    column's span) and ``attrs["assumption"]``."""
    attrs = getattr(table, "attrs", {}) or {}
    lines = [first] if first else []
    year = attrs.get("year", period(table))
    note = attrs.get("assumption")
    if year is not None or note:
        lines.append("; ".join(x for x in (f"Year {year}" if year is not None else "",
                                           f"assumes: {note}" if note else "") if x) + ".")
    return lines


def redirect_sensitivity(
    sens: pd.DataFrame,
    *,
    series: str | None = None,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Uncovered value (USD million) against the redirect share (0-100 %), default marked.

    ``sens`` is :func:`esc.scenarios.sensitivity` output (columns ``redirect,
    uncovered_usd, is_default``); ``series`` draws one line per value of that column (e.g.
    ``importer`` after stacking two reporters' tables). The default share is a dashed rule.
    A series of countries (``importer``) is drawn in the countries' own colours.
    """
    opts = options(text, title="How much stays uncovered, by the share alternatives can "
                   "redirect")
    require(sens, ["redirect", "uncovered_usd"], "redirect_sensitivity")
    countries = series in ("importer", "exporter")
    df = pd.DataFrame({"share": sens["redirect"].astype(float) * 100,
                       "uncovered": sens["uncovered_usd"].astype(float) / 1e6,
                       "series": (sens[series].map(name) if countries
                                  else sens[series]).astype(str) if series else "Uncovered"})
    scale = (names_scale(sens[series].astype(str)) if countries and series
             else alt.Scale(range=PALETTE))
    store: Store = {}
    lines = alt.Chart(inline(df, store)).mark_line(point=True).encode(
        x=alt.X("share:Q", title="Share of alternatives' exports redirected (%)",
                scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("uncovered:Q", title="Uncovered imports (USD million)"),
        color=alt.Color("series:N", title=None, scale=scale,
                        legend=alt.Legend(orient="top") if series else None),
        tooltip=[alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("share:Q", title="Redirect (%)", format=".0f"),
                 alt.Tooltip("uncovered:Q", title="USD million", format=",.1f")],
    )
    default = sens.attrs.get("redirect")
    layers = [lines]
    if default is not None:
        mark = pd.DataFrame({"share": [float(default) * 100],
                             "text": [f"default {float(default):.0%} (assumption)"]})
        layers.append(alt.Chart(inline(mark, store)).mark_rule(
            color=DEMO_RED, strokeDash=[4, 3]).encode(x="share:Q"))
        layers.append(alt.Chart(inline(mark, store)).mark_text(
            align="left", dx=4, dy=-6, color=DEMO_RED, fontSize=11).encode(
            x="share:Q", y=alt.value(8), text="text:N"))
    width, height = size(opts, WIDTH - 60, HEIGHT - 80)
    body = alt.layer(*layers).properties(width=width, height=height)
    opts.setdefault("subtitle", assumption_lines(
        sens, "At 0% nothing is replaced; the line reaches zero where the alternatives' "
        "exports close the gap."))
    return finish(body, sens, opts, store)


def alternative_suppliers(
    table: pd.DataFrame,
    *,
    top: int = 10,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Other exporters of one product by world market share (%), trusted partners coloured.

    ``table`` is :func:`esc.scenarios.alternatives` output for one product; the tooltip gives
    RCA, the reporter's current imports and the headroom under the redirect assumption.
    The default title names the product.
    """
    require(table, ["exporter", "world_share", "trusted", "headroom_usd"],
             "alternative_suppliers")
    df = table.nsmallest(top, "rank") if "rank" in table.columns else table.head(top)
    df = pd.DataFrame({
        "name": df["exporter"].map(name).astype(str),
        "share": df["world_share"].astype(float) * 100,
        "kind": df["trusted"].map({True: "Trusted partner", False: "Other exporter"}),
        "rca": df.get("rca", pd.Series(float("nan"), index=df.index)).astype(float),
        "imports": df.get("reporter_imports_usd", 0.0) / 1e6,
        "headroom": df["headroom_usd"].astype(float) / 1e6,
        "groups": df.get("groups", "").astype(str) if "groups" in df else "",
    })
    store: Store = {}
    width, height = size(text, WIDTH - 200, alt.Step(20))
    cut = far_apart(df["share"])
    order = list(dict.fromkeys(df.sort_values("share", ascending=False)["name"]))
    bars: Any = alt.Chart(inline(df, store)).mark_bar().encode(
        y=alt.Y("name:N", title=None, sort=order, axis=alt.Axis(labelLimit=200)),
        x=alt.X("share:Q", title="Share of world exports (%)", scale=cut_scale(cut)),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["Trusted partner", "Other exporter"], range=[PALETTE[0], OTHER_GREY]),
            legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("name:N", title="Exporter"),
                 alt.Tooltip("share:Q", title="World share (%)", format=".1f"),
                 alt.Tooltip("rca:Q", title="RCA", format=".2f"),
                 alt.Tooltip("imports:Q", title="Reporter buys now (USD million)", format=",.1f"),
                 alt.Tooltip("headroom:Q", title="Headroom (USD million)", format=",.1f"),
                 alt.Tooltip("groups:N", title="Groups")],
    )
    if cut:
        bars = alt.layer(bars, cut_labels(df["share"], df["name"], cut, order, store, "name"))
    bars = bars.properties(width=width, height=height)
    code = str(table["hs6"].iloc[0]) if "hs6" in table.columns and len(table) else ""
    product = product_label(table.head(1), "hs6").iloc[0] if code else "the product"
    opts = options(text, title=f"Who else exports {product}?", subtitle=assumption_lines(
        table, "Exporters other than the stopped supplier and the reporter, by share of "
        "world exports."))
    if cut:
        opts["subtitle"] = [*lines(opts.get("subtitle")), BROKEN_NOTE]
    return finish(bars, table, opts, store)


def controls_at_risk(
    table: pd.DataFrame,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Stacked bars per control and importer (USD million): coverable and uncovered.

    ``table`` is :func:`esc.scenarios.controls_at_risk` output.
    """
    opts = options(text, title="What the announced export controls put at risk")
    require(table, ["control", "importer", "coverable_usd", "uncovered_usd"],
             "controls_at_risk")
    rows = []
    for r in table.itertuples(index=False):
        step = f"{r.control} · {name(r.importer)}"
        rows.append((step, REPLACEABLE, r.coverable_usd / 1e6))
        rows.append((step, NOT_REPLACEABLE, r.uncovered_usd / 1e6))
    df = pd.DataFrame(rows, columns=["step", "kind", "usd_m"])
    totals = ((table["at_risk_usd"] if "at_risk_usd" in table.columns
               else table["coverable_usd"] + table["uncovered_usd"]) / 1e6).reset_index(drop=True)
    steps = pd.Series([f"{c} · {name(i)}" for c, i in zip(table["control"], table["importer"],
                                                          strict=True)])
    order = list(steps.iloc[totals.sort_values(ascending=False).index])
    cut = far_apart(totals)
    # a bar cut at the edge keeps its split: both parts shrink in proportion to fit the edge
    ratio = (cut / totals).clip(upper=1.0) if cut else pd.Series(1.0, index=totals.index)
    shrink = dict(zip(steps, ratio, strict=True))
    df["drawn"] = df["usd_m"] * df["step"].map(shrink)
    store: Store = {}
    width, height = size(opts, WIDTH - 220, alt.Step(20))
    bars: Any = alt.Chart(inline(df, store)).mark_bar().encode(
        y=alt.Y("step:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
        x=alt.X("sum(drawn):Q", title="Imports from the controlling country (USD million)",
                scale=cut_scale(cut)),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=[REPLACEABLE, NOT_REPLACEABLE], range=[REPLACEABLE_BLUE, DEMO_RED]),
            legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("step:N", title="Control"), alt.Tooltip("kind:N", title="Part"),
                 alt.Tooltip("usd_m:Q", title="USD million", format=",.1f")],
    )
    if cut:
        bars = alt.layer(bars, cut_labels(totals.reset_index(drop=True), steps, cut, order,
                                          store, "step"))
    bars = bars.properties(width=width, height=height)
    opts.setdefault("subtitle", assumption_lines(
        table, "Each control's HS6 codes (an upper bound of the controlled trade; see "
        "docs/scenarios.md)."))
    if cut:
        opts["subtitle"] = [*lines(opts.get("subtitle")), BROKEN_NOTE[:-1]
                            + "; its two parts keep their proportions."]
    return finish(bars, table, opts, store)
