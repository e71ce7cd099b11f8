"""India–Japan cooperation initiatives: a timeline and the product x type coverage matrix.

The tables come from :mod:`esc.initiatives`, the counts per product and type from
:func:`esc.tables.coverage_counts`; the builders only draw them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

import altair as alt
import pandas as pd

from esc import tables
from esc.charts.common import require, with_period
from esc.charts.frame import Store, finish, inline
from esc.charts.style import INK, PALETTE, WIDTH, ChartText, options, size


def initiative_timeline(
    initiatives: pd.DataFrame,
    *,
    name: str = "name",
    start: str = "start",
    end: str | None = "end",
    group: str = "type",
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """One row per initiative: a dot at its start (year or date), a bar to its end if known.

    ``start``/``end`` hold years ("2023") or dates ("2021-04-27"); colour shows ``group``
    (the initiative type). Initiatives without an end date show the dot only.
    """
    opts = options(text, title="India–Japan cooperation initiatives over time")
    require(initiatives, [name, start, group], "initiative_timeline")
    df = pd.DataFrame({
        "name": initiatives[name].astype(str),
        "group": initiatives[group].astype(str),
        "start": _as_date(initiatives[start]),
        "end": (_as_date(initiatives[end]) if end and end in initiatives.columns
                else pd.NaT),
    }).dropna(subset=["start"]).sort_values("start")
    first, last = df["start"].min(), pd.concat([df["start"], df["end"].dropna()]).max()
    opts.setdefault("subtitle", f"Announced or started {first.year}–{df['start'].max().year}; "
                    "a bar runs to the end date where one is known.")
    domain = [f"{first.year}-01-01", f"{last.year + 1}-01-01"]
    df["start"] = df["start"].dt.strftime("%Y-%m-%d")
    df["end"] = pd.to_datetime(df["end"]).dt.strftime("%Y-%m-%d")
    store: Store = {}
    colour = alt.Color("group:N", title="Type", scale=alt.Scale(range=PALETTE),
                       legend=alt.Legend(symbolOpacity=1))
    y = alt.Y("name:N", title=None, sort=alt.EncodingSortField("start", order="ascending"),
              axis=alt.Axis(labelLimit=320))
    x = alt.X("start:T", title="Year announced or started", axis=alt.Axis(format="%Y"),
              scale=alt.Scale(domain=domain))
    spans = alt.Chart().mark_rule(strokeWidth=4, opacity=0.5).encode(
        x=x, x2="end:T", y=y, color=colour).transform_filter("isValid(datum.end)")
    dots = alt.Chart().mark_point(filled=True, size=80, opacity=1).encode(
        x=x, y=y, color=colour,
        tooltip=[alt.Tooltip("name:N", title="Initiative"), alt.Tooltip("group:N", title="Type"),
                 alt.Tooltip("start:T", title="Start", format="%Y-%m")])
    width, height = size(opts, WIDTH - 180, alt.Step(16))
    body = alt.layer(spans, dots, data=inline(df, store)).properties(width=width,
                                                                     height=height)
    return finish(body, initiatives, opts, store)


def _as_date(col: pd.Series) -> pd.Series:
    text = col.astype("string").str.strip()
    text = text.where(~text.str.fullmatch(r"\d{4}").fillna(False), text + "-01-01")
    return pd.to_datetime(text, errors="coerce", format="mixed")


def coverage_matrix(
    coverage: pd.DataFrame,
    *,
    product: str = "product",
    kind: str = "type",
    count: str = "n_initiatives",
    products: Sequence[str] | None = None,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Priority products x initiative types; each cell is the number of initiatives.

    Products with no initiative of any type get "(no initiative)" after their name.
    ``coverage`` is long (one row per product and type); a missing ``count`` column counts
    rows (e.g. the initiatives table itself). ``products`` lists every product to show, in
    order, so that products with no initiative at all appear as empty rows.
    """
    opts = options(text, title="Which priority products do the initiatives address?",
                   subtitle=with_period(None, coverage))
    require(coverage, [product, kind], "coverage_matrix")
    df = tables.coverage_counts(coverage, product=product, kind=kind, count=count,
                                products=None if products is None else list(products))
    totals = df.groupby("product")["n"].transform("sum")
    rank = {p: i for i, p in enumerate(products or sorted(set(df["product"])))}
    df["product"] = df["product"].where(totals > 0, df["product"] + " (no initiative)")
    order = list(dict.fromkeys(df.assign(_r=df["product"].str.replace(
        " (no initiative)", "", regex=False).map(rank)).sort_values("_r")["product"]))
    df["n_text"] = df["n"].map(lambda n: str(n) if n else "")
    store: Store = {}
    base = alt.Chart().encode(
        x=alt.X("kind:N", title="Initiative type (cells: number of initiatives)",
                axis=alt.Axis(labelAngle=-30, orient="top", labelLimit=160)),
        y=alt.Y("product:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
    )
    cells = base.mark_rect(stroke="white").transform_filter("datum.n > 0").encode(
        color=alt.Color("n:Q", title="Initiatives (count)", scale=alt.Scale(scheme="blues",
                        domainMin=0), legend=alt.Legend(format="d", tickMinStep=1)),
        tooltip=[alt.Tooltip("product:N", title="Product"), alt.Tooltip("kind:N", title="Type"),
                 alt.Tooltip("n:Q", title="Initiatives")])
    high = f"datum.n > {max(int(df['n'].max()), 1) / 2}"
    counts = base.mark_text(fontSize=11).encode(
        text="n_text:N",
        color=alt.when(high).then(alt.value("white")).otherwise(alt.value(INK)))
    width, height = size(opts, alt.Step(70), alt.Step(22))
    body = alt.layer(cells, counts, data=inline(df, store)).properties(
        width=width, height=height)
    return finish(body, coverage, opts, store)
