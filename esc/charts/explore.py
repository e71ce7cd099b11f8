"""The overview explorer: pick a reporter, year, sector and preset; the quadrant and the table
of flagged products redraw in place.

:func:`explorer` draws a table prepared by :func:`esc.study.explorer_table` (the registry rows
of a screen, once per preset, with that preset's flag). Every row travels inside the chart;
four drop-down menus (Vega-Lite parameters bound to ``<select>`` elements) filter them in
the browser, so the explorer needs no Python kernel and no network once drawn offline
(:func:`esc.charts.offline.offline_html`, or :func:`live` in a notebook whose charts are
PNG images). Labels of the largest Category A and B products are placed in Python, once per
(reporter, year, sector) choice, without overlap (:mod:`esc.charts.matrix`).

Nothing is computed here: the flags and categories come with the table; the chart filters,
ranks the flagged rows by imports and draws.
"""

from __future__ import annotations

from typing import Any, Unpack

import altair as alt
import pandas as pd

from esc.charts.common import name, period, product_label, unique_short
from esc.charts.frame import Store, _spec, finish, inline
from esc.charts.matrix import _label_mask, _place_labels, _y_domain
from esc.charts.offline import offline_html
from esc.charts.style import (
    CATEGORY_COLOURS,
    CATEGORY_NAMES,
    INK,
    MUTED,
    ChartText,
    options,
    size,
)

ALL_SECTORS = "all"
"""The sector menu's first option: every sector of the table."""

PARAMS = {"reporter": "esc_reporter", "year": "esc_year", "sector": "esc_sector",
          "preset": "esc_preset"}
"""The explorer's menus and the names of their Vega-Lite parameters."""

FILTER = (f"datum.importer == {PARAMS['reporter']} && datum.year == {PARAMS['year']} && "
          f"({PARAMS['sector']} == '{ALL_SECTORS}' || datum.sector == {PARAMS['sector']})")
"""The products shown: those of the chosen reporter, year and sector (or all sectors)."""

FLAGGED = f"indexof(datum.flags, '|' + {PARAMS['preset']} + '|') >= 0"
"""A product is flagged when the chosen preset is among its ``flags`` (``"|study|crma|"``)."""

LABEL_FILTER = (f"datum.importer == {PARAMS['reporter']} && datum.year == {PARAMS['year']} "
                f"&& datum.sector_key == {PARAMS['sector']}")
"""Labels are placed once per (reporter, year, sector choice)."""

COLUMNS = [("product", "Product", 250), ("imports", "Imports (USD million)", 130),
           ("hhi_text", "HHI (0–1)", 65), ("top1", "Largest supplier (%)", 150)]
"""The table's columns: field, header, width in pixels."""


def menus(table: pd.DataFrame) -> dict[str, tuple[list[Any], list[str], Any]]:
    """Each menu's options, their labels and the first choice, from the table's own values.

    Reporters are named (ISO3 kept as the value), years run latest first, sectors start
    with "All sectors", presets keep the table's order (``attrs["presets"]``) with the
    screen's own preset first chosen.
    """
    reporters = list(dict.fromkeys(table["importer"].astype(str)))
    years = sorted({int(y) for y in table["year"]}, reverse=True)
    sectors = sorted({str(s) for s in table["sector"].dropna() if str(s)})
    presets = [p for p in table.attrs.get("presets", []) if p in set(table["preset"])] or list(
        dict.fromkeys(table["preset"].astype(str)))
    first = table.attrs.get("preset") if table.attrs.get("preset") in presets else presets[0]
    return {
        "reporter": (reporters, [name(r) for r in reporters], reporters[0]),
        "year": (years, [str(y) for y in years], years[0]),
        "sector": ([ALL_SECTORS, *sectors], ["All sectors", *sectors], ALL_SECTORS),
        "preset": (presets, presets, first),
    }


def _params(table: pd.DataFrame) -> list[alt.Parameter]:
    out = []
    for key, (values, labels, first) in menus(table).items():
        bind = alt.binding_select(options=values, labels=labels, name=f"{key.capitalize()} ")
        out.append(alt.param(name=PARAMS[key], value=first, bind=bind))
    return out


def _points(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """One row per (year, reporter, product), with the presets that flag it in ``flags``
    (``"|study|crma|"``; the table's rows of one product differ only in preset and flag)."""
    keys = ["year", "importer", level]
    flagged = table[table["flag"].astype(bool)]
    flags = flagged.groupby(keys)["preset"].agg(lambda p: "|" + "|".join(p) + "|")
    one = table.drop_duplicates(keys).set_index(keys)
    one = one.assign(flags=flags.reindex(one.index).fillna("|")).reset_index()
    names = one["short_name"] if "short_name" in one else one[level]
    share = one["top1_share"].astype(float)
    top1 = one["top1_partner"].map(name).astype(str)
    return pd.DataFrame({
        "year": one["year"].astype(int),
        "importer": one["importer"].astype(str),
        "sector": one["sector"].fillna("").astype(str),
        "product": product_label(one, level).to_numpy(),
        "short": unique_short(names, one[level], 30).to_numpy(),
        "hhi": one["hhi"].astype(float).round(4),
        "pci": one["pci"].astype(float).round(4),
        "imports_musd": (one["imports_usd"].astype(float) / 1e6).round(3),
        "category": one["category"].astype(str),
        "flags": one["flags"],
        "top1": (top1 + " (" + (share * 100).round(0).astype("Int64").astype(str) + " %)"
                 ).where(share.notna(), top1),
    }).dropna(subset=["hhi", "pci"])


def _labels(df: pd.DataFrame, n: int, w: int, h: int, y_dom: list[float]) -> pd.DataFrame:
    """Label anchors for each (reporter, year, sector choice): the ``n`` largest Category A
    and B products, placed without overlap (bubble sizes on the explorer's common scale)."""
    one = df
    vmax = float(one["imports_musd"].max()) if len(one) else 1.0
    out = []
    for key in [ALL_SECTORS, *sorted(set(one["sector"]) - {""})]:
        part = one if key == ALL_SECTORS else one[one["sector"] == key]
        for _, grp in part.groupby(["importer", "year"]):
            grp = grp.assign(show_label=_label_mask(grp, n))
            placed = _place_labels(grp, w, h, y_dom, vmax=vmax)
            out.append(placed[placed["side"] != ""].assign(sector_key=key))
    cols = ["importer", "year", "sector_key", "short", "lx", "ly", "side", "ax", "ay", "bx", "by"]
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.concat(out)[cols].round({c: 4 for c in cols[4:] if c != "side"})


def explorer(
    table: pd.DataFrame,
    *,
    top: int = 12,
    n_labels: int = 5,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """The overview explorer: a quadrant (HHI x PCI, colour by category, flagged products
    ringed) and the ``top`` flagged products by imports, both filtered by four menus.

    ``table`` is :func:`esc.study.explorer_table` output: ``preset, year, importer,
    <product>, short_name, sector, imports_usd, hhi, pci, top1_partner, top1_share,
    category, flag``. The menus offer the table's reporters, years, sectors (and "All
    sectors") and presets (:func:`menus`); a row is shown when :data:`FILTER` holds. Show it
    with :func:`live` in a notebook whose charts are PNG images, or anywhere after
    :func:`esc.charts.interactive`. An empty table draws the frame and a "no rows" note.
    """
    opts = options(text, title="Explore the overview: reporter, year, sector, preset")
    level = table.attrs.get("product") or "hs6"
    w, h = size(opts, 480, 330)
    store: Store = {}
    if table.empty:
        opts.setdefault("subtitle", "No rows: the screen is empty at this source's product "
                        "level, so there is nothing to explore.")
        note = alt.Chart(inline(pd.DataFrame({"t": ["no rows"]}), store)).mark_text(
            fontSize=14, color=MUTED).encode(text="t:N").properties(width=w, height=60)
        return finish(note, table, opts, store)
    df = _points(table, level)
    y_dom = _y_domain(df["pci"], float(table.attrs.get("pci_cut", 0.0)))
    labels = _labels(df, n_labels, w, h, y_dom)
    quad = _quadrant(df, labels, table, w, h, y_dom, store)
    body = alt.vconcat(quad, _table(df, top, store), spacing=18)
    when = period(table)
    opts.setdefault("subtitle", [
        f"{'Years ' + when if '–' in when else 'Year ' + when}: choose a reporter, year, "
        "sector and preset below the chart; both parts redraw.",
        f"Circles ringed in black: flagged by the chosen preset. {table.attrs.get('scope', '')}"
        .strip()])
    chart = finish(body, table, opts, store)
    return chart.add_params(*_params(table))


def _quadrant(df: pd.DataFrame, labels: pd.DataFrame, table: pd.DataFrame, w: int, h: int,
              y_dom: list[float], store: Store) -> alt.LayerChart:
    hhi_cut = float(table.attrs.get("hhi_cut", 0.25))
    pci_cut = float(table.attrs.get("pci_cut", 0.0))
    x_scale = alt.Scale(domain=[0, 1], nice=False)
    y_scale = alt.Scale(domain=y_dom, nice=False)
    cats = list(CATEGORY_NAMES)
    names = " : ".join(f"datum.label == '{c}' ? '{CATEGORY_NAMES[c]}'" for c in cats)
    vmax = float(df["imports_musd"].max())
    points = alt.Chart(inline(df, store)).mark_circle(opacity=0.75).transform_filter(
        FILTER).transform_calculate(flagged=FLAGGED).encode(
        x=alt.X("hhi:Q", title="HHI of import sources (0–1)", scale=x_scale),
        y=alt.Y("pci:Q", title="Product Complexity Index (PCI, std. units)", scale=y_scale),
        size=alt.Size("imports_musd:Q", title="Imports (USD million)",
                      scale=alt.Scale(domain=[0, vmax], range=[15, 900])),
        color=alt.Color("category:N", title="Category", scale=alt.Scale(
            domain=cats, range=[CATEGORY_COLOURS[c] for c in cats]),
            legend=alt.Legend(labelExpr=f"{names} : datum.label")),
        stroke=alt.condition("datum.flagged", alt.value(INK), alt.value("white")),
        strokeWidth=alt.condition("datum.flagged", alt.value(1.5), alt.value(0.5)),
        tooltip=[alt.Tooltip("product:N", title="Product"),
                 alt.Tooltip("sector:N", title="Sector"),
                 alt.Tooltip("category:N", title="Category"),
                 alt.Tooltip("flagged:N", title="Flagged by the preset"),
                 alt.Tooltip("hhi:Q", title="HHI (0–1)", format=".2f"),
                 alt.Tooltip("pci:Q", title="PCI", format=".2f"),
                 alt.Tooltip("imports_musd:Q", title="Imports (USD million)", format=",.1f"),
                 alt.Tooltip("top1:N", title="Largest supplier")],
    )
    text = [
        alt.Chart(inline(labels, store)).mark_text(
            align=align, baseline="middle", fontSize=10, color=INK, **halo)
        .encode(x=alt.X("lx:Q", scale=x_scale), y=alt.Y("ly:Q", scale=y_scale), text="short:N")
        .transform_filter(LABEL_FILTER).transform_filter(f"datum.side == '{side}'")
        for side, align in (("l", "left"), ("r", "right"), ("c", "center"))
        for halo in ({"stroke": "white", "strokeWidth": 3, "strokeOpacity": 0.85}, {})
    ]
    rules = [alt.Chart().mark_rule(strokeDash=[5, 4], color="#555555").encode(x=alt.datum(
        hhi_cut)), alt.Chart().mark_rule(strokeDash=[5, 4], color="#555555").encode(
        y=alt.datum(pci_cut))]
    leaders = alt.Chart(inline(labels, store)).mark_rule(color="#777777", strokeWidth=0.8
                                                        ).encode(
        x=alt.X("ax:Q", scale=x_scale), y=alt.Y("ay:Q", scale=y_scale), x2="bx:Q", y2="by:Q",
    ).transform_filter(LABEL_FILTER).transform_filter("isValid(datum.ax)")
    return alt.layer(*rules, points, leaders, *text).properties(width=w, height=h)


def _table(df: pd.DataFrame, top: int, store: Store) -> alt.HConcatChart:
    """The ``top`` flagged rows of the choice, largest imports first, as text columns."""
    base = alt.Chart(inline(df, store)).transform_filter(FILTER).transform_filter(
        FLAGGED).transform_window(
        row="row_number()", sort=[alt.SortField("imports_musd", order="descending")]
    ).transform_filter(f"datum.row <= {int(top)}").transform_calculate(
        imports="format(datum.imports_musd, ',.1f')", hhi_text="format(datum.hhi, '.2f')")
    y = alt.Y("row:O", axis=None)
    right = ("imports", "hhi_text")
    cols = [
        base.mark_text(align="right" if field in right else "left", fontSize=11, color=INK,
                       limit=width - 6).encode(
            y=y, text=f"{field}:N", x=alt.value(width - 6 if field in right else 0))
        .properties(width=width, height=alt.Step(17), title=alt.Title(
            header, fontSize=11, color=MUTED, anchor="end" if field in right else "start"))
        for field, header, width in COLUMNS
    ]
    return alt.hconcat(*cols, spacing=4, title=alt.Title(
        f"Flagged by the chosen preset: the {int(top)} largest imports", fontSize=13,
        anchor="start"))


class Live:
    """A chart shown interactively (offline) in a notebook whatever altair's renderer is.

    ``_repr_mimebundle_`` returns :func:`esc.charts.offline.offline_html` of the chart (the
    vega libraries travel with it), so the explorer's menus work in JupyterLab and in the
    notebook's HTML page with no network, while the notebook's other charts stay PNG.
    """

    def __init__(self, chart: alt.TopLevelMixin) -> None:
        self.chart = chart

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        spec = _spec(self.chart)  # validated unless esc built it (charts.frame.Figure)
        return {"text/html": offline_html(spec),
                "text/plain": "<interactive chart: needs a notebook front end that runs "
                              "scripts>"}


def live(chart: alt.TopLevelMixin) -> Live:
    """``chart`` drawn interactively and offline in a notebook (see :class:`Live`)."""
    return Live(chart)
