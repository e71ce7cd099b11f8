"""Who supplies each import: stacked supplier bars and the product x supplier heatmap.

The shares drawn here are :func:`esc.metrics.partner_shares` — the same shares whose squares
sum to the HHI of :func:`esc.metrics.concentration` (self-trade, zero and missing values left
out; with ``merge_hk`` Hong Kong and Macao counted as China). A builder given a flows table
asks ``metrics`` for them; a builder given a ``partner_shares`` table (it has a ``share``
column) draws it as it is. Suppliers beyond the top N are pooled as "Other": their shares
are added, nothing is recomputed. Each supplier has its country colour
(:func:`esc.charts.style.country_colour`), the same in every chart.
"""

from __future__ import annotations

from typing import Any, Unpack

import altair as alt
import pandas as pd

from esc import metrics, tables
from esc.charts.common import (
    PERCENT_LABELS,
    latest,
    name,
    names_scale,
    percent_axis,
    product_label,
    require,
)
from esc.charts.frame import Store, finish, inline
from esc.charts.style import INK, OTHER, WIDTH, ChartText, options, size
from esc.schema import EXPORTER, HS6, IMPORTER, VALUE, YEAR

_KEY = HS6  # esc.metrics takes hs2/hs4/hs6 as the product column: other codes travel in it


def supplier_shares(
    table: pd.DataFrame,
    *,
    product: str = HS6,
    partner: str = EXPORTER,
    value: str = VALUE,
    merge_hk: bool = False,
) -> pd.DataFrame:
    """Each supplier's share of an importer's imports of a product, from :mod:`esc.metrics`.

    ``share = v_ij / sum_k v_kj`` (0–1) as :func:`esc.metrics.partner_shares` computes it for
    ``metrics.concentration``'s HHI. ``table`` is a flows-like table (``partner``, ``product``,
    ``value`` in USD; ``importer`` and ``year`` when present) or already a ``partner_shares``
    table (a ``share`` column), returned with its columns renamed.

    Returns ``year, importer, <product>, exporter, value_usd, share``.
    """
    require(table, [product, partner], "a share chart")
    if "share" in table.columns:
        require(table, [value], "a share chart")
        out = table.rename(columns={partner: EXPORTER, value: VALUE})
        for col, default in ((IMPORTER, ""), (YEAR, 0)):
            if col not in out.columns:
                out[col] = default
        return out[[YEAR, IMPORTER, product, EXPORTER, VALUE, "share"]]
    require(table, [value], "a share chart")
    flows = pd.DataFrame({
        YEAR: table[YEAR] if YEAR in table.columns else 0,
        IMPORTER: table[IMPORTER] if IMPORTER in table.columns else "",
        EXPORTER: table[partner].astype(str),
        _KEY: table[product].astype(str),
        VALUE: table[value].astype(float),
    })
    shares = metrics.partner_shares(flows, product=_KEY, merge_hk=merge_hk)
    return shares.rename(columns={_KEY: product})


def _names_of(table: pd.DataFrame, product: str) -> pd.Series:
    """Product code -> chart label, from the table given to the chart."""
    cols = [c for c in (product, "short_name", "description") if c in table.columns]
    first = table[cols].drop_duplicates(product)
    if "short_name" not in first.columns and "description" in first.columns:
        first = first.rename(columns={"description": "short_name"})
    first = first.assign(**{product: first[product].astype(str)})
    return pd.Series(product_label(first, product).to_numpy(), index=first[product])


def _grouped(
    data: pd.DataFrame, *, product: str, partner: str, value: str, top: int,
    max_products: int | None, merge_hk: bool,
) -> tuple[pd.DataFrame, list[str]]:
    """Shares per (importer, product label, supplier) with suppliers beyond ``top`` pooled as
    "Other" (their shares added), and the suppliers' codes in legend order."""
    shares = supplier_shares(data, product=product, partner=partner, value=value,
                             merge_hk=merge_hk)
    mix = tables.supplier_mix(shares, product=product, top=top, max_products=max_products)
    names = _names_of(data, product)
    grouped = mix.assign(product=mix[product].map(names)).drop(columns=[product])
    grouped["supplier_name"] = grouped["supplier"].map(lambda s: OTHER if s == OTHER
                                                       else name(s))
    grouped["importer_name"] = grouped[IMPORTER].map(lambda c: name(c) if c else "")
    codes = list(mix.attrs["suppliers"])
    grouped = grouped.rename(columns={VALUE: "value"})
    grouped["value_m"] = grouped["value"] / 1e6  # shown in USD million, as in every chart
    return grouped, codes


def _panels(chart: Any, df: pd.DataFrame, store: Store) -> Any:
    """One panel per importer, stacked, each titled with the importer's name.

    (Panels rather than a facet: each panel lists only its own products, and Vega-Lite's
    facets with independent band scales break inside the titled wrapper.)
    """
    data = inline(df, store)
    names = list(dict.fromkeys(df["importer_name"]))
    if len(names) <= 1:
        return chart.properties(data=data)
    panels = [chart.transform_filter(alt.datum.importer_name == n).properties(
        title=alt.Title(n, anchor="start", fontSize=13)) for n in names]
    return alt.vconcat(*panels, data=data, spacing=14)


def _share_subtitle(
    data: pd.DataFrame, df: pd.DataFrame, year: int | None, product: str,
    max_products: int | None,
) -> str:
    names = list(dict.fromkeys(df["importer_name"]))
    text = f"Imports of {' and '.join(names)}, {year}" if names != [""] else f"Imports, {year}"
    keys = [IMPORTER] if IMPORTER in data.columns else []
    most = data.groupby(keys)[product].nunique().max() if keys else data[product].nunique()
    if max_products and most > max_products:
        text += f"; the {max_products} largest products" + (" of each" if len(names) > 1 else "")
    return text


def supplier_bars(
    shares: pd.DataFrame,
    *,
    top: int = 6,
    max_products: int | None = 12,
    year: int | None = None,
    product: str = HS6,
    partner: str = EXPORTER,
    value: str = VALUE,
    merge_hk: bool = False,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Stacked bars of supplier shares (%) per product, the ``top`` suppliers plus "Other".

    ``shares`` is a flows-like table (``importer``, ``product``, ``partner``, ``value``) or a
    :func:`esc.metrics.partner_shares` table; shares are :func:`supplier_shares` (the rules
    of the HHI, ``merge_hk`` included). The top suppliers are chosen over the whole table and
    coloured with their country colour. One panel per importer, showing its ``max_products``
    largest products (``None``: all). Chart options: :class:`~esc.charts.style.ChartText`.
    """
    opts = options(text, title="Who supplies these imports?")
    data, year = latest(shares, year)
    df, codes = _grouped(data, product=product, partner=partner, value=value, top=top,
                         max_products=max_products, merge_hk=merge_hk)
    scale = names_scale(codes)
    order = list(scale.domain)
    df["rank"] = df["supplier_name"].map({s: i for i, s in enumerate(order)})
    store: Store = {}
    n_products = df["product"].nunique()
    width, height = size(opts, WIDTH - 260, alt.Step(18 if n_products > 8 else 24))
    bars = alt.Chart().mark_bar().encode(
        x=alt.X("share:Q", title="Share of import value (%)", stack="normalize",
                axis=percent_axis()),
        y=alt.Y("product:N", title=None, sort=alt.EncodingSortField("value", op="sum",
                                                                    order="descending")),
        color=alt.Color("supplier_name:N", title="Supplier", scale=scale, sort=order),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("product:N", title="Product"),
                 alt.Tooltip("supplier_name:N", title="Supplier"),
                 alt.Tooltip("share:Q", title="Share", format=".1%"),
                 alt.Tooltip("value_m:Q", title="Imports (USD million)", format=",.1f")],
    ).properties(width=width, height=height)
    body = _panels(bars, df, store)
    opts.setdefault("subtitle", _share_subtitle(data, df, year, product, max_products))
    return finish(body, shares, opts, store)


def heatmap(
    shares: pd.DataFrame,
    *,
    top: int = 10,
    max_products: int | None = 15,
    year: int | None = None,
    product: str = HS6,
    partner: str = EXPORTER,
    value: str = VALUE,
    merge_hk: bool = False,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """Product x supplier grid; colour and the printed number are the supplier's share (%).

    Shares as in :func:`supplier_bars` (:func:`supplier_shares`), for the ``top`` suppliers
    over the table plus "Other". With several importers, one panel each, with its
    ``max_products`` largest products (``None``: all).
    """
    opts = options(text, title="Supplier shares by product")
    data, year = latest(shares, year)
    df, codes = _grouped(data, product=product, partner=partner, value=value, top=top,
                         max_products=max_products, merge_hk=merge_hk)
    order = [OTHER if c == OTHER else name(c) for c in codes]
    df["pct"] = (df["share"] * 100).round(0)
    df["pct_text"] = df["pct"].map(lambda p: f"{p:.0f}" if p >= 1 else "")
    store: Store = {}
    width, height = size(opts, alt.Step(40), alt.Step(20))
    base = alt.Chart().encode(
        x=alt.X("supplier_name:N", title="Supplier (cells: share of import value, %)",
                sort=order, axis=alt.Axis(labelAngle=-35, orient="top", labelLimit=130)),
        y=alt.Y("product:N", title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", title="Share (%)", scale=alt.Scale(scheme="orangered",
                                                                      domain=[0, 1]),
                        legend=alt.Legend(labelExpr=PERCENT_LABELS)),
        tooltip=[alt.Tooltip("product:N", title="Product"),
                 alt.Tooltip("supplier_name:N", title="Supplier"),
                 alt.Tooltip("share:Q", title="Share", format=".1%")],
    )
    labels = base.mark_text(fontSize=10).encode(
        text="pct_text:N",
        color=alt.when("datum.share > 0.5").then(alt.value("white")).otherwise(alt.value(INK)),
    )
    grid = alt.layer(cells, labels).properties(width=width, height=height)
    body = _panels(grid, df, store)
    opts.setdefault("subtitle", _share_subtitle(data, df, year, product, max_products))
    return finish(body, shares, opts, store)
