"""Ranked lists: the largest products by a value, and the complementarity lists.

The values are the caller's (:mod:`esc.complementarity`, :mod:`esc.initiatives`, ...); the
builders only pick the top rows, name the products and draw the bars.
"""

from __future__ import annotations

from typing import Any, Unpack

import altair as alt
import pandas as pd

from esc.charts.common import (
    BROKEN_NOTE,
    COUNTRY_COLUMNS,
    SERIES_TITLES,
    cut_labels,
    cut_scale,
    far_apart,
    lines,
    name,
    names_scale,
    product_column,
    product_label,
    require,
    shorten,
    with_period,
)
from esc.charts.frame import Store, finish, inline, no_rows
from esc.charts.scenarios import assumption_lines
from esc.charts.style import MUTED, PALETTE, WIDTH, ChartText, options, size


def ranked_bars(
    table: pd.DataFrame,
    *,
    value: str,
    x_title: str,
    bar_label: str | None = None,
    colour: str | None = None,
    colour_title: str | None = None,
    top: int = 15,
    data_label: str | None = None,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Horizontal bars of ``value`` for the ``top`` rows, largest first.

    Values in ``*_usd`` columns are shown in USD million; ``x_title`` must name the units.
    Bars are labelled ``short_name (hs6)`` (names from the registry when missing) unless
    ``bar_label`` names another column; ``colour`` colours them by a column (e.g. importer,
    then in the countries' own colours). ``label`` is the data label, as in every builder
    (``data_label``, its older name, still works).
    """
    opts = options(text, title="Largest products", subtitle=with_period(None, table))
    if data_label is not None and opts.get("label") is None:
        opts["label"] = data_label
    require(table, [value], "ranked_bars")
    if table.empty:
        return no_rows(table, opts)
    level = product_column(table)
    if bar_label is None and level is None:
        require(table, ["hs6"], "ranked_bars")  # names the missing product column
    df = table.nlargest(top, value).copy() if len(table) > top else table.copy()
    df["_label"] = (df[bar_label].astype(str) if bar_label else product_label(df, level))
    countries = colour in COUNTRY_COLUMNS
    if colour:
        names = df[colour].map(name) if countries else df[colour]
        df["_label"] = names.astype(str) + " · " + df["_label"]
        df["_colour"] = names.astype(str)
    scale = 1e-6 if value.endswith("_usd") else 1.0
    df["_v"] = df[value].astype(float) * scale
    store: Store = {}
    cut = far_apart(df["_v"])
    order = list(dict.fromkeys(df.sort_values("_v", ascending=False)["_label"]))
    enc: dict[str, Any] = {
        "y": alt.Y("_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=340)),
        "x": alt.X("_v:Q", title=x_title, axis=alt.Axis(format=",.0f" if scale != 1 else ""),
                   scale=cut_scale(cut)),
        "tooltip": [alt.Tooltip("_label:N", title="Product"),
                    alt.Tooltip("_v:Q", title=x_title, format=",.1f")],
    }
    if colour:
        scale = (names_scale(df[colour].astype(str)) if countries
                 else alt.Scale(range=PALETTE))
        enc["color"] = alt.Color("_colour:N", title=colour_title or SERIES_TITLES.get(
            colour, colour), scale=scale)
    width, height = size(opts, WIDTH - 240, alt.Step(18))
    bars = alt.Chart(inline(df[["_label", "_v", *(["_colour"] if colour else [])]], store)
                     ).mark_bar(color=PALETTE[0]).encode(**enc)
    if cut:
        bars = alt.layer(bars, cut_labels(df["_v"], df["_label"], cut, order, store, "_label"))
        opts["subtitle"] = [*lines(opts.get("subtitle")), BROKEN_NOTE]
    return finish(bars.properties(width=width, height=height), table, opts, store)


def complementarity_lists(
    makes_now: pd.DataFrame,
    could_relocate: pd.DataFrame,
    *,
    top: int = 10,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Two ranked lists, one above the other, each titled with what it is.

    Top: :func:`esc.complementarity.complementarity` ("makes it now", RCA >= 1): shiftable
    value capped by the exporter's world exports (USD million), the uncapped value as a grey
    tick. Bottom: :func:`esc.complementarity.could_relocate` ("could relocate", RCA < 1, high
    density): value x density (USD million).
    """
    opts = options(text, title="What the partner could supply: now, and next")
    width = size(opts, WIDTH - 260, None)[0]
    require(makes_now, ["shiftable_usd", "shiftable_uncapped_usd"], "complementarity_lists")
    require(could_relocate, ["score"], "complementarity_lists")
    table = makes_now if len(makes_now.attrs) else could_relocate
    if makes_now.empty and could_relocate.empty:
        return no_rows(table, opts, width)
    level_a = _level(makes_now)
    level_b = _level(could_relocate)
    store: Store = {}
    a = makes_now.nlargest(top, "shiftable_usd")
    a = pd.DataFrame({"name": product_label(a, level_a).map(shorten),
                      "capped": a["shiftable_usd"] / 1e6,
                      "uncapped": a["shiftable_uncapped_usd"] / 1e6})
    order_a = list(dict.fromkeys(a.sort_values("capped", ascending=False)["name"]))
    cut_a = far_apart(a["capped"])
    x_a = cut_scale(cut_a)
    y = alt.Y("name:N", title=None, sort=order_a, axis=alt.Axis(labelLimit=300))
    layers = [
        alt.Chart(inline(a, store)).mark_bar(color=PALETTE[0]).encode(
            y=y, x=alt.X("capped:Q", title="Shiftable, capped by world exports (USD million)",
                         scale=x_a),
            tooltip=[alt.Tooltip("name:N", title="Product"),
                     alt.Tooltip("capped:Q", title="Capped (USD million)", format=",.1f"),
                     alt.Tooltip("uncapped:Q", title="Uncapped (USD million)", format=",.1f")]),
        alt.Chart(inline(a, store)).mark_tick(color=MUTED, thickness=2).encode(
            y=alt.Y("name:N", sort=order_a), x=alt.X("uncapped:Q", scale=x_a)),
    ]
    if cut_a:
        layers.append(cut_labels(a["capped"], a["name"], cut_a, order_a, store, "name"))
    now = alt.layer(*layers).properties(
        width=width, height=alt.Step(18),
        title="Makes it now (RCA >= 1): shiftable value; grey tick = uncapped")
    b = could_relocate.nlargest(top, "score")
    b = pd.DataFrame({"name": product_label(b, level_b).map(shorten),
                      "score": b["score"] / 1e6, "density": b["density"].astype(float)})
    order_b = list(dict.fromkeys(b.sort_values("score", ascending=False)["name"]))
    cut_b = far_apart(b["score"])
    nxt: Any = alt.Chart(inline(b, store)).mark_bar(color=PALETTE[2]).encode(
        y=alt.Y("name:N", title=None, sort=order_b, axis=alt.Axis(labelLimit=300)),
        x=alt.X("score:Q", title="Value x density (USD million)", scale=cut_scale(cut_b)),
        tooltip=[alt.Tooltip("name:N", title="Product"),
                 alt.Tooltip("score:Q", title="Value x density (USD million)", format=",.1f"),
                 alt.Tooltip("density:Q", title="Density", format=".2f")])
    if cut_b:
        nxt = alt.layer(nxt, cut_labels(b["score"], b["name"], cut_b, order_b, store, "name"))
    nxt = nxt.properties(width=width, height=alt.Step(18),
                         title="Could relocate (no RCA yet, high density): value x density")
    dated = makes_now if "year" in makes_now.columns else could_relocate
    opts.setdefault("subtitle", with_period(assumption_lines(table), dated))
    if cut_a or cut_b:
        opts["subtitle"] = [*lines(opts.get("subtitle")), BROKEN_NOTE]
    return finish(alt.vconcat(now, nxt), table, opts, store)



def _level(table: pd.DataFrame) -> str:
    """The product column of one complementarity list (``hs6`` named when it has none)."""
    level = product_column(table)
    if level is None:
        require(table, ["hs6"], "complementarity_lists")
    return level or "hs6"
