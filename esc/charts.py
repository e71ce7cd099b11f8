"""Briefing charts: one look, one honest footer, and a demo mark that cannot be missed.

Every chart esc draws answers a question a reader of a two-page briefing asks ("which
imports are both concentrated and complex?", "who supplies them?", "what if China stops?"),
so every chart carries the same furniture:

- a title that states the finding's subject, and units in every axis and legend title;
- a grey footer with the source and its vintage ("Source: CEPII BACI HS22 V202501 ...");
- when the table is built on esc's generated demo world, a red line
  ``DEMO DATA — not real trade statistics`` under the title. The builders read
  ``table.attrs["label"]`` / ``table.attrs["source"]`` (set by the loaders and analysis
  functions) or take ``label=`` / ``source=`` arguments.

The esc look lives in :func:`esc_theme`. It is registered with altair as the ``"esc"`` theme
but *not* enabled at import, so importing esc never changes a user's own charts; each
builder applies the config to its own chart, and :func:`use_theme` enables it for the
user's charts when wanted (it also works as a context manager).

Altair refuses to embed more than 5,000 rows unless told otherwise. The builders aggregate
first (shares, top suppliers plus "Other", sums per year) and then embed the rows as inline
values, which are not subject to that limit, so a chart on a full BACI year still renders
without touching altair's global settings. :func:`save` writes PNG and SVG through vl-convert.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert

import esc
from esc.atomic import write_atomic
from esc.countries import country_name
from esc.errors import BadValueError, EscError, MissingColumnError
from esc.schema import DEMO_LABEL

log = logging.getLogger(__name__)

DEMO_MARK = "DEMO DATA — not real trade statistics"
"""The line every chart built on the generated demo world shows under its title."""

WIDTH = 560
HEIGHT = 340
FONT = "Helvetica, Arial, sans-serif"
INK = "#222222"
MUTED = "#666666"
DEMO_RED = "#b2182b"
OTHER_GREY = "#bdbdbd"
CATEGORY_COLOURS = {"A": "#d7301f", "B": "#fc8d59", "C": "#4575b4", "D": "#a6a6a6"}
CATEGORY_NAMES = {
    "A": "A: concentrated and complex",
    "B": "B: concentrated, less complex",
    "C": "C: diversified, complex",
    "D": "D: diversified, less complex",
}
PALETTE = ["#1b6ca8", "#d7301f", "#f28e2b", "#59a14f", "#8c6bb1", "#76b7b2", "#edc948",
           "#ff9da7", "#9c755f", "#4e79a7", "#b07aa1", "#86bcb6"]
SERIES_TITLES = {"short_name": "Product", "hs6": "Product (HS6)", "importer": "Importer",
                 "exporter": "Supplier", "sector": "Sector", "product": "Product"}
VALUE_COLUMNS = frozenset({"value_usd", "imports_usd", "exports_usd", "at_risk_usd"})


# --------------------------------------------------------------------------------- theme


def esc_theme() -> dict[str, Any]:
    """The esc look as an altair theme dictionary (fonts, sizes, quiet grid, no frame)."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": {"left": 12, "right": 16, "top": 12, "bottom": 8},
            "title": {"fontSize": 17, "anchor": "start", "color": INK, "subtitleFontSize": 12,
                      "subtitleColor": MUTED, "offset": 10},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleColor": INK,
                     "labelColor": INK, "gridColor": "#e6e6e6", "domainColor": "#999999",
                     "tickColor": "#999999", "titleFontWeight": "normal", "labelLimit": 260},
            "axisQuantitative": {"labelOverlap": True, "labelFlush": False},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal",
                       "labelLimit": 260},
            "header": {"labelFontSize": 13, "titleFontSize": 13, "labelFontWeight": "bold"},
            "view": {"stroke": None},
            "concat": {"spacing": 6},
        }
    }


alt.theme.register("esc", enable=False)(esc_theme)


def use_theme() -> Any:
    """Enable the esc theme for every altair chart in this session.

    Returns altair's enabler, so ``with esc.charts.use_theme(): ...`` restores the
    previous theme on exit. esc's own chart builders do not need it.
    """
    return alt.theme.enable("esc")


# ------------------------------------------------------------------------ labels, footer


SOURCE_NAMES = {
    "demo": "esc demo world, generated",
    "baci": "CEPII BACI",
    "comtrade": "UN Comtrade",
    "wits-india": "WITS, partners' reported exports to India (mirror data)",
}
"""How the footer names esc's data sources."""


def is_demo(
    table: pd.DataFrame | None = None, label: str | None = None, source: str | None = None
) -> bool:
    """Whether a table, an explicit ``label`` or ``source`` says it is the demo world.

    Demo if ``source == "demo"``, or if the label (``label``, else ``table.attrs["label"]``)
    or ``table.attrs["source"]`` mentions "demo". Notebooks pass ``source=`` so that the
    mark survives pandas operations that drop ``attrs``.

    >>> is_demo(label="demo data, not real trade statistics")
    True
    >>> is_demo(pd.DataFrame(), label="CEPII BACI HS22 V202501")
    False
    >>> is_demo(source="demo")
    True
    """
    if source is not None and source.lower() == "demo":
        return True
    attrs = getattr(table, "attrs", {}) or {}
    if label is not None:
        return "demo" in label.lower()
    text = f"{attrs.get('label', '')} {attrs.get('source', '')}".lower()
    return "demo" in text


def source_line(
    table: pd.DataFrame | None = None, *, source: str | None = None, vintage: str | None = None
) -> str:
    """The footer text: ``Source: <source> (<vintage>). Chart: esc <version>.``

    ``source`` defaults to ``table.attrs["source"]``; esc's source keys ("demo", "baci",
    ...) are spelled out. ``vintage`` defaults to ``table.attrs["vintage"]`` or
    ``["release"]``, else to the release(s) in the source's provenance.

    >>> source_line(source="CEPII BACI", vintage="V202501").startswith("Source: CEPII BACI")
    True
    """
    attrs = getattr(table, "attrs", {}) or {}
    key = str(source or attrs.get("source") or "")
    vint = vintage or attrs.get("vintage") or attrs.get("release") or _vintage(key)
    text = f"Source: {SOURCE_NAMES.get(key, key or 'not stated')}" + (
        f" ({vint})" if vint else "")
    return f"{text}. Chart: esc {esc.__version__}."


def _vintage(source: str) -> str | None:
    """The release(s) of an esc data source, from its provenance; None when unknown."""
    if source == "demo":
        from esc.sources import demo

        return f"release {demo.RELEASE}"
    if source not in SOURCE_NAMES:
        return None
    try:
        from esc import data

        prov = data.provenance(source)
    except (EscError, OSError, ImportError) as exc:
        log.debug("no vintage for %s: %s", source, exc)
        return None
    releases = sorted({str(e.get("release")) for e in prov.get("entries", [])
                       if isinstance(e, dict) and e.get("release")})
    return ("release " + ", ".join(releases)) if releases else None


def _note(text: str, *, orient: str, colour: str, bold: bool) -> alt.Title:
    return alt.Title(text=text, orient=orient, anchor="start", frame="bounds", fontSize=11,
                     color=colour, fontWeight="bold" if bold else "normal", offset=10)


def _finish(
    body: alt.TopLevelMixin,
    table: pd.DataFrame | None,
    *,
    title: str,
    subtitle: str | Sequence[str] | None,
    label: str | None,
    source: str | None,
    vintage: str | None,
    datasets: dict[str, list[dict]],
) -> alt.VConcatChart:
    """Wrap the body in title, demo mark and source footer; apply the esc config.

    Layout, top to bottom: title and grey subtitle; the red demo mark (demo data only);
    the chart; the grey source line. Each note is a chart title, so it stays aligned with
    the left edge of the whole figure whatever the axis labels' width.
    """
    footer = _note(source_line(table, source=source, vintage=vintage), orient="bottom",
                   colour=MUTED, bold=False)
    chart: Any = alt.vconcat(body, title=footer)
    if is_demo(table, label, source):
        chart = alt.vconcat(chart, title=_note(DEMO_MARK, orient="top", colour=DEMO_RED,
                                               bold=True))
    sub = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    head = alt.Title(text=title, subtitle=sub) if sub else alt.Title(text=title)
    out = alt.vconcat(chart, title=head).configure(**esc_theme()["config"])
    out.datasets = datasets  # set directly: validated once, when the chart is written
    return out


def _inline(df: pd.DataFrame, store: dict[str, list[dict]]) -> alt.NamedData:
    """Put rows in ``store`` under a content-hash name and return a reference to them.

    :func:`_finish` attaches ``store`` as the chart's top-level ``datasets``. Named data is
    not subject to altair's 5,000-row check, and the rows are validated once (when the
    chart is written) rather than at every step of composing the chart.
    """
    values = alt.to_values(df.reset_index(drop=True))["values"]
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
    name = f"esc-{digest.hexdigest()[:16]}"
    store[name] = values
    return alt.NamedData(name=name)


def _require(table: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    for col in columns:
        if col not in table.columns:
            raise MissingColumnError(f"{what} needs this column", path="<table>", column=col)


SHORT_COUNTRY_NAMES = {"COD": "DR Congo", "COG": "Congo", "RUS": "Russia", "IRN": "Iran",
                       "LAO": "Laos", "BOL": "Bolivia", "TZA": "Tanzania", "VEN": "Venezuela",
                       "SYR": "Syria", "PRK": "North Korea", "KOR": "South Korea",
                       "MDA": "Moldova", "S19": "Taiwan (Other Asia nes)"}
"""Chart labels for countries whose official short names are long."""


def _name(code: Any) -> str:
    """Country name for a chart label (ISO3 in, short English name out)."""
    if isinstance(code, str) and len(code) == 3:
        return SHORT_COUNTRY_NAMES.get(code) or country_name(code)
    return str(code)


def _latest(table: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    if "year" not in table.columns:
        return table, year
    year = int(table["year"].max()) if year is None else int(year)
    out = table[table["year"] == year]
    if out.empty:
        raise BadValueError(f"no rows for year {year}", path="<table>", column="year")
    return out, year


def _product_label(table: pd.DataFrame, product: str) -> pd.Series:
    """A readable product label: ``short_name (hs6)``; names come from the sector registry
    when the table has HS6 codes but no ``short_name``."""
    if product == "hs6" and "short_name" not in table.columns and "hs6" in table.columns:
        table = _with_names(table)
    if product in table.columns and product != "short_name" and "short_name" in table.columns:
        name = table["short_name"].fillna("").astype(str).map(_shorten)
        code = table[product].astype(str)
        return (name + " (" + code + ")").where(name != "", code)
    return table[product].astype(str)


def _with_names(table: pd.DataFrame) -> pd.DataFrame:
    """Add the registry's ``short_name`` to a table with ``hs6`` codes (left join)."""
    from esc.registry import product_labels

    names = product_labels("HS22").set_index("hs6")["short_name"]
    return table.assign(short_name=table["hs6"].astype(str).map(names))


def _shorten(text: str, limit: int = 38) -> str:
    """Trim a long product name for an axis label (the tooltip keeps the code)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;") + "…"


def _top_with_other(values: pd.Series, top: int, other: str = "Other") -> dict[str, str]:
    """Map each key to itself when it is among the ``top`` largest, else to ``other``."""
    ranked = values.sort_values(ascending=False)
    keep = set(ranked.index[:top])
    return {k: (k if k in keep else other) for k in ranked.index}


# ------------------------------------------------------------------------------ quadrant


def quadrant(
    table: pd.DataFrame,
    *,
    hhi_cut: float = 0.25,
    pci_cut: float = 0.0,
    year: int | None = None,
    n_labels: int = 5,
    title: str = "Import vulnerability: concentration of suppliers against product complexity",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """HHI x PCI scatter: the joint study's four categories, one panel per importer.

    ``table`` has one row per (importer, product): ``hhi`` (Herfindahl–Hirschman index of
    import sources, sum of squared partner shares, 0–1), ``pci`` (Product Complexity Index,
    standardised), ``imports_usd`` (bubble area, shown in USD million), ``category`` (A–D)
    and a product name (``short_name`` or ``hs6``). Dashed lines mark the cut points:
    Category A is ``hhi >= hhi_cut and pci >= pci_cut`` (computed with
    :func:`esc.vulnerability.quadrant` when the table has no ``category``). The
    ``n_labels`` largest Category A products of each importer are named on the chart;
    every point has a tooltip.
    """
    _require(table, ["hhi", "pci", "imports_usd"], "quadrant")
    data, year = _latest(table, year)
    df = pd.DataFrame({
        "hhi": data["hhi"].astype(float),
        "pci": data["pci"].astype(float),
        "imports_musd": data["imports_usd"].astype(float) / 1e6,
        "product": _product_label(data, "hs6" if "hs6" in data.columns else "short_name"),
        "short": (data["short_name"] if "short_name" in data.columns else data["hs6"]).astype(
            str).map(lambda t: _shorten(t, 30)),
        "importer": (data["importer"].map(_name) if "importer" in data.columns else ""),
        "category": (data["category"].astype(str) if "category" in data.columns
                     else _categories(data["hhi"], data["pci"], hhi_cut, pci_cut)),
        "top1": (data["top1_partner"].map(_name) if "top1_partner" in data.columns else ""),
        "top1_share": (data["top1_share"].astype(float) if "top1_share" in data.columns
                       else float("nan")),
    }).dropna(subset=["hhi", "pci"])
    df["category_name"] = df["category"].map(CATEGORY_NAMES).fillna(df["category"])
    df["show_label"] = _label_mask(df, n_labels)
    w, h = (WIDTH, HEIGHT) if df["importer"].nunique() <= 1 else (330, 320)
    y_dom = _y_domain(df["pci"], pci_cut)
    df = _place_labels(df, w, h, y_dom)
    store: dict[str, list[dict]] = {}
    body = _quadrant_body(df, hhi_cut, pci_cut, w, h, y_dom)
    importers = list(dict.fromkeys(df["importer"]))
    if len(importers) > 1:
        body = body.facet(column=alt.Column("importer:N", title=None, sort=importers),
                          data=_inline(df, store))
    else:
        body = body.properties(data=_inline(df, store))
    sub = subtitle or (f"{', '.join(importers)}, {year}. Dashed lines: cut points HHI "
                       f"{hhi_cut:g} and PCI {pci_cut:g}; bubble area: import value.")
    return _finish(body, table, title=title, subtitle=sub, label=label, source=source,
                   vintage=vintage, datasets=store)


def _categories(hhi: pd.Series, pci: pd.Series, hhi_cut: float, pci_cut: float) -> pd.Series:
    """The study's quadrant, as :func:`esc.vulnerability.quadrant` draws it."""
    from esc.vulnerability import quadrant as categories

    return categories(hhi, pci, hhi_cut=hhi_cut, pci_cut=pci_cut).astype(str)


def _label_mask(df: pd.DataFrame, n: int) -> pd.Series:
    mask = pd.Series(False, index=df.index)
    if n <= 0:
        return mask
    a = df[df["category"] == "A"]
    top = a.sort_values("imports_musd", ascending=False).groupby("importer").head(n)
    mask[top.index] = True
    return mask


def _y_domain(pci: pd.Series, pci_cut: float) -> list[float]:
    lo, hi = float(pci.min()), float(pci.max())
    pad = max(0.25, 0.08 * (hi - lo))
    return [min(lo, pci_cut) - pad, max(hi, pci_cut) + pad]


def _place_labels(df: pd.DataFrame, w: int, h: int, y_dom: list[float]) -> pd.DataFrame:
    """Greedy label placement: try spots around each point, skip labels that collide.

    Works in pixels (x: HHI 0–1 over ``w``; y: ``y_dom`` over ``h``) and returns the label
    anchor in data units (``lx``, ``ly``) and the side (``"l"``: text right of the point,
    ``"r"``: left of it, ``"c"``: centred above or below, ``""``: not shown). Larger
    products are placed first.
    """
    out = df.assign(lx=df["hhi"], ly=df["pci"], side="")
    span = y_dom[1] - y_dom[0]
    px = out["hhi"].astype(float) * w
    py = (y_dom[1] - out["pci"].astype(float)) / span * h
    radius = ((15 + 885 * out["imports_musd"] / max(float(out["imports_musd"].max()), 1e-12))
              / 3.1416) ** 0.5
    for importer, grp in out[out["show_label"]].groupby("importer"):
        same = out["importer"] == importer
        dots = [(x - r, y - r, x + r, y + r)
                for x, y, r in zip(px[same], py[same], radius[same], strict=True)]
        boxes: list[tuple[float, float, float, float]] = []
        for idx in grp.sort_values("imports_musd", ascending=False).index:
            spot = _first_free(px[idx], py[idx], radius[idx], 5.8 * len(str(out.at[idx, "short"])),
                               w, h, boxes, dots)
            if spot is None:
                continue
            side, lx, ly, box = spot
            boxes.append(box)
            out.loc[idx, ["lx", "ly", "side"]] = [lx / w, y_dom[1] - ly / h * span, side]
    return out


def _first_free(
    px: float, py: float, r: float, tw: float, w: int, h: int,
    labels: list[tuple[float, float, float, float]],
    dots: list[tuple[float, float, float, float]],
) -> tuple[str, float, float, tuple[float, float, float, float]] | None:
    """The spot around a point whose label box hits no other label and the fewest dots.

    Candidates: right of the point, left of it, or centred above/below it, at a few
    distances; ties go to the nearer spot. None when every spot leaves the plot or hits a
    label.
    """
    spots = [("l", r + 3, 0.0), ("r", -r - 3, 0.0), ("c", 0.0, -r - 8), ("c", 0.0, r + 9),
             ("l", r + 3, -r - 4), ("l", r + 3, r + 5), ("r", -r - 3, -r - 4),
             ("r", -r - 3, r + 5), ("c", 0.0, -r - 20), ("c", 0.0, r + 21)]
    own = (px - r, py - r, px + r, py + r)
    best: tuple[int, int] | None = None
    chosen = None
    for i, (side, dx, dy) in enumerate(spots):
        x0 = {"l": px + dx, "r": px + dx - tw, "c": px - tw / 2}[side]
        box = (x0, py + dy - 6, x0 + tw, py + dy + 6)
        inside = box[0] >= 0 and box[2] <= w and box[1] >= 18 and box[3] <= h - 18
        if not inside or any(_overlap(box, b) for b in labels):
            continue
        hits = sum(_overlap(box, b) for b in dots if b != own)
        if best is None or (hits, i) < best:
            best, chosen = (hits, i), (side, px + dx, py + dy, box)
    return chosen


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _quadrant_body(
    df: pd.DataFrame, hhi_cut: float, pci_cut: float, w: int, h: int, y_dom: list[float]
) -> alt.LayerChart:
    x_scale = alt.Scale(domain=[0, 1], nice=False)
    y_scale = alt.Scale(domain=y_dom, nice=False)
    x = alt.X("hhi:Q", title="HHI of import sources (0–1)", scale=x_scale)
    y = alt.Y("pci:Q", title="Product Complexity Index (PCI, std. units)", scale=y_scale)
    cats = list(CATEGORY_NAMES)
    points = alt.Chart().mark_circle(opacity=0.75, stroke="white", strokeWidth=0.5).encode(
        x=x, y=y,
        size=alt.Size("imports_musd:Q", title="Imports (USD million)",
                      scale=alt.Scale(range=[15, 900])),
        color=alt.Color("category_name:N", title="Category",
                        scale=alt.Scale(domain=[CATEGORY_NAMES[c] for c in cats],
                                        range=[CATEGORY_COLOURS[c] for c in cats])),
        tooltip=[alt.Tooltip("product:N", title="Product"),
                 alt.Tooltip("importer:N", title="Importer"),
                 alt.Tooltip("category:N", title="Category"),
                 alt.Tooltip("hhi:Q", title="HHI (0–1)", format=".2f"),
                 alt.Tooltip("pci:Q", title="PCI", format=".2f"),
                 alt.Tooltip("imports_musd:Q", title="Imports (USD million)", format=",.1f"),
                 alt.Tooltip("top1:N", title="Top supplier"),
                 alt.Tooltip("top1_share:Q", title="Top supplier share", format=".0%")],
    )
    # each label twice: a white halo underneath keeps it legible over the bubbles
    labels = [
        alt.Chart().mark_text(align=align, baseline="middle", fontSize=10, color=INK,
                              **halo)
        .encode(x=alt.X("lx:Q", scale=x_scale), y=alt.Y("ly:Q", scale=y_scale), text="short:N")
        .transform_filter(f"datum.side == '{side}'")
        for side, align in (("l", "left"), ("r", "right"), ("c", "center"))
        for halo in ({"stroke": "white", "strokeWidth": 3, "strokeOpacity": 0.85}, {})
    ]
    # rules and letters: one row per panel (an aggregate), not one per product
    one = alt.Chart().transform_aggregate(n="count()", groupby=["importer"])
    rule_x = one.mark_rule(strokeDash=[5, 4], color="#555555").encode(
        x=alt.datum(hhi_cut))
    rule_y = one.mark_rule(strokeDash=[5, 4], color="#555555").encode(
        y=alt.datum(pci_cut))
    corner = {"A": (w - 4, 4, "right"), "B": (w - 4, h - 16, "right"),
              "C": (4, 4, "left"), "D": (4, h - 16, "left")}
    letters = [
        one.mark_text(align=a, baseline="top", fontSize=16, fontWeight="bold",
                              color=CATEGORY_COLOURS[c], opacity=0.8)
        .encode(x=alt.value(px), y=alt.value(py), text=alt.datum(c))
        for c, (px, py, a) in corner.items()
    ]
    return alt.layer(rule_x, rule_y, points, *labels, *letters).properties(width=w, height=h)


# ------------------------------------------------------------------------ supplier bars


def _shares(
    table: pd.DataFrame, *, product: str, partner: str, value: str, top: int,
    max_products: int | None = None,
) -> pd.DataFrame:
    """Share of each supplier in each (importer, product); suppliers beyond ``top`` -> Other.

    share = value(supplier) / sum of values over suppliers, per importer and product.
    ``max_products`` keeps each importer's largest products by total value.
    """
    _require(table, [product, partner, value], "a share chart")
    keys = ["importer"] if "importer" in table.columns else []
    if max_products:
        totals = table.groupby([*keys, product], as_index=False)[value].sum()
        biggest = totals.sort_values(value, ascending=False).groupby(keys).head(
            max_products) if keys else totals.nlargest(max_products, value)
        table = table.merge(biggest[[*keys, product]], on=[*keys, product])
    df = table.assign(_label=_product_label(table, product))
    totals = df.groupby(partner)[value].sum()
    mapping = _top_with_other(totals.rename(index=str), top)
    df["supplier"] = df[partner].astype(str).map(mapping)
    grouped = df.groupby([*keys, "_label", "supplier"], as_index=False)[value].sum()
    grouped["share"] = grouped[value] / grouped.groupby([*keys, "_label"])[value].transform("sum")
    grouped["supplier_name"] = grouped["supplier"].map(lambda s: "Other" if s == "Other"
                                                       else _name(s))
    grouped["importer_name"] = grouped["importer"].map(_name) if keys else ""
    order = [_name(s) for s in totals.sort_values(ascending=False).index[:top]]
    grouped.attrs["supplier_order"] = [*order, "Other"] if len(totals) > top else order
    return grouped.rename(columns={"_label": "product", value: "value"})


def _panels(chart: Any, df: pd.DataFrame, store: dict[str, list[dict]]) -> Any:
    """One panel per importer, stacked, each titled with the importer's name.

    (Panels rather than a facet: each panel lists only its own products, and Vega-Lite's
    facets with independent band scales break inside the titled wrapper.)
    """
    data = _inline(df, store)
    names = list(dict.fromkeys(df["importer_name"]))
    if len(names) <= 1:
        return chart.properties(data=data)
    panels = [chart.transform_filter(alt.datum.importer_name == name).properties(
        title=alt.Title(name, anchor="start", fontSize=13)) for name in names]
    return alt.vconcat(*panels, data=data, spacing=14)


def _share_subtitle(
    data: pd.DataFrame, df: pd.DataFrame, year: int | None, product: str,
    max_products: int | None,
) -> str:
    names = list(dict.fromkeys(df["importer_name"]))
    text = f"Imports of {' and '.join(names)}, {year}" if names != [""] else f"Imports, {year}"
    keys = ["importer"] if "importer" in data.columns else []
    most = data.groupby(keys)[product].nunique().max() if keys else data[product].nunique()
    if max_products and most > max_products:
        text += f"; the {max_products} largest products" + (" of each" if len(names) > 1 else "")
    return text


def _supplier_scale(order: list[str]) -> alt.Scale:
    colours = [OTHER_GREY if s == "Other" else PALETTE[i % len(PALETTE)]
               for i, s in enumerate(order)]
    return alt.Scale(domain=order, range=colours)


def supplier_bars(
    shares: pd.DataFrame,
    *,
    top: int = 6,
    max_products: int | None = 12,
    year: int | None = None,
    product: str = "hs6",
    partner: str = "exporter",
    value: str = "value_usd",
    title: str = "Who supplies these imports?",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """Stacked bars of supplier shares (%) per product, the ``top`` suppliers plus "Other".

    ``shares`` is a flows-like table (``importer``, ``product``, ``partner``, ``value``);
    shares are recomputed as value / total per importer and product, so a flows table and a
    ``metrics.partner_shares`` table both work. The top suppliers are chosen over the whole
    table so that a colour means the same country in every bar. One panel per importer,
    showing its ``max_products`` largest products (``None``: all).
    """
    data, year = _latest(shares, year)
    df = _shares(data, product=product, partner=partner, value=value, top=top,
                 max_products=max_products)
    order = df.attrs["supplier_order"]
    df["rank"] = df["supplier_name"].map({s: i for i, s in enumerate(order)})
    store: dict[str, list[dict]] = {}
    n_products = df["product"].nunique()
    bars = alt.Chart().mark_bar().encode(
        x=alt.X("share:Q", title="Share of import value (%)", stack="normalize",
                axis=alt.Axis(format=".0%")),
        y=alt.Y("product:N", title=None, sort=alt.EncodingSortField("value", op="sum",
                                                                    order="descending")),
        color=alt.Color("supplier_name:N", title="Supplier", scale=_supplier_scale(order),
                        sort=order),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("product:N", title="Product"),
                 alt.Tooltip("supplier_name:N", title="Supplier"),
                 alt.Tooltip("share:Q", title="Share", format=".1%"),
                 alt.Tooltip("value:Q", title="Imports (USD)", format=",.0f")],
    ).properties(width=WIDTH - 260, height=alt.Step(18 if n_products > 8 else 24))
    body = _panels(bars, df, store)
    sub = subtitle or _share_subtitle(data, df, year, product, max_products)
    return _finish(body, shares, title=title, subtitle=sub, label=label, source=source,
                   vintage=vintage, datasets=store)


# -------------------------------------------------------------------------------- trend


def trend(
    table: pd.DataFrame,
    *,
    y: str = "value_usd",
    series: str | None = "short_name",
    y_title: str | None = None,
    agg: str | None = None,
    weight: str | None = "imports_usd",
    max_series: int = 8,
    title: str = "Trend",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """Lines over years, one per ``series`` value (at most ``max_series``, the rest "Other").

    Rows are aggregated per (year, series). Values in USD (``*_usd``) are summed and shown
    in USD million. Other columns (HHI, shares) are averaged, weighted by ``weight`` when
    the table has it: the value-weighted mean sum(w*y)/sum(w), so a USD 3 bn product counts
    more than a USD 3 m one. Shares (``share_*``, ``*_share``) are shown in %. ``agg``
    ("sum" or "mean") overrides; ``y_title`` overrides the axis title, which names the unit.
    """
    _require(table, ["year", y], "trend")
    is_value = y in VALUE_COLUMNS or y.endswith("_usd")
    agg = agg or ("sum" if is_value else "mean")
    df = table.assign(_y=table[y].astype(float) * (1e-6 if is_value else 1.0),
                      year=table["year"].astype(int), _s=_series(table, series, y))
    weighted = agg == "mean" and weight is not None and weight in table.columns
    df["_w"] = df[weight].astype(float) if weighted else 1.0
    if df["_s"].nunique() > max_series:
        last = df[df["year"] == df["year"].max()]
        size = last.groupby("_s")["_w" if agg == "mean" else "_y"].sum()
        df["_s"] = df["_s"].map(_top_with_other(size, max_series)).fillna("Other")
    out = _aggregate(df, agg)
    store: dict[str, list[dict]] = {}
    share = y.endswith("share") or y.startswith("share_")
    axis_title = y_title or _trend_title(y, is_value, weighted)
    axis = alt.Axis(format=".0%") if share else alt.Axis(format=",.0f" if is_value else "")
    lines = alt.Chart(_inline(out, store)).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("_y:Q", title=axis_title, axis=axis),
        color=alt.Color("_s:N", title=SERIES_TITLES.get(series or "", series or ""),
                        scale=alt.Scale(range=PALETTE)),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("_s:N", title="Series"),
                 alt.Tooltip("_y:Q", title=axis_title, format=",.3~f")],
    ).properties(width=WIDTH - 160, height=HEIGHT - 40)
    return _finish(lines, table, title=title, subtitle=subtitle, label=label, source=source,
                   vintage=vintage, datasets=store)


TREND_TITLES = {
    "hhi": ("HHI of import sources", "0–1"),
    "share_chn": ("China's share of imports", "%"),
    "share_trusted": ("Trusted partners' share of imports", "%"),
    "top1_share": ("Largest supplier's share", "%"),
    "top3_share": ("Three largest suppliers' share", "%"),
    "eff_suppliers": ("Effective number of suppliers (1/HHI)", "count"),
}


def _trend_title(y: str, is_value: bool, weighted: bool) -> str:
    if is_value:
        return ("Imports (USD million)" if y in ("imports_usd", "value_usd")
                else f"{y} (USD million)")
    base, unit = TREND_TITLES.get(y, (y, ""))
    text = base + (", value-weighted" if weighted else "")
    return f"{text} ({unit})" if unit else text


def _series(table: pd.DataFrame, series: str | None, y: str) -> pd.Series:
    if not series or series not in table.columns:
        return pd.Series(y, index=table.index)
    names = table[series].map(_name) if series in ("importer", "exporter") else table[series]
    return names.astype(str)


def _aggregate(df: pd.DataFrame, agg: str) -> pd.DataFrame:
    """Sum, or weighted mean sum(w*y)/sum(w), of ``_y`` per (year, series)."""
    if agg == "sum":
        return df.groupby(["year", "_s"], as_index=False)["_y"].sum()
    if agg != "mean":
        raise BadValueError(f"agg must be 'sum' or 'mean', not {agg!r}", path="<table>")
    df = df.assign(_wy=df["_w"] * df["_y"]).dropna(subset=["_y"])
    out = df.groupby(["year", "_s"], as_index=False)[["_wy", "_w"]].sum()
    out["_y"] = out["_wy"] / out["_w"]
    return out[["year", "_s", "_y"]]


# ------------------------------------------------------------------------------ heatmap


def heatmap(
    shares: pd.DataFrame,
    *,
    top: int = 10,
    max_products: int | None = 15,
    year: int | None = None,
    product: str = "hs6",
    partner: str = "exporter",
    value: str = "value_usd",
    title: str = "Supplier shares by product",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """Product x supplier grid; colour and the printed number are the supplier's share (%).

    Shares as in :func:`supplier_bars` (value / total per importer and product), for the
    ``top`` suppliers over the table plus "Other". With several importers, one panel each,
    with its ``max_products`` largest products (``None``: all).
    """
    data, year = _latest(shares, year)
    df = _shares(data, product=product, partner=partner, value=value, top=top,
                 max_products=max_products)
    order = df.attrs["supplier_order"]
    df["pct"] = (df["share"] * 100).round(0)
    df["pct_text"] = df["pct"].map(lambda p: f"{p:.0f}" if p >= 1 else "")
    store: dict[str, list[dict]] = {}
    base = alt.Chart().encode(
        x=alt.X("supplier_name:N", title="Supplier (cells: share of import value, %)",
                sort=order, axis=alt.Axis(labelAngle=-35, orient="top", labelLimit=130)),
        y=alt.Y("product:N", title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", title="Share (%)", scale=alt.Scale(scheme="orangered",
                                                                      domain=[0, 1]),
                        legend=alt.Legend(format=".0%")),
        tooltip=[alt.Tooltip("product:N", title="Product"),
                 alt.Tooltip("supplier_name:N", title="Supplier"),
                 alt.Tooltip("share:Q", title="Share", format=".1%")],
    )
    text = base.mark_text(fontSize=10).encode(
        text="pct_text:N",
        color=alt.when("datum.share > 0.5").then(alt.value("white")).otherwise(alt.value(INK)),
    )
    grid = alt.layer(cells, text).properties(width=alt.Step(40), height=alt.Step(20))
    body = _panels(grid, df, store)
    sub = subtitle or _share_subtitle(data, df, year, product, max_products)
    return _finish(body, shares, title=title, subtitle=sub, label=label, source=source,
                   vintage=vintage, datasets=store)


# --------------------------------------------------------------------- scenario waterfall


def scenario_waterfall(
    table: pd.DataFrame,
    *,
    step: str = "short_name",
    value: str = "at_risk_usd",
    covered: str | None = "coverable_usd",
    top: int = 8,
    x_title: str = "Imports at risk (USD million, cumulative)",
    title: str = "Imports at risk if the supplier stops",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
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
    if step == "short_name" and "hs6" in table.columns:
        table = table.assign(short_name=_product_label(table, "hs6"))
    _require(table, [step, value], "scenario_waterfall")
    cols = [value] + ([covered] if covered and covered in table.columns else [])
    df = table.groupby(table[step].astype(str))[cols].sum().sort_values(value, ascending=False)
    if len(df) > top:
        rest = df.iloc[top:].sum().rename("Other products")
        df = pd.concat([df.iloc[:top], rest.to_frame().T])
    df = df / 1e6
    segments = _waterfall_segments(df, value, covered if len(cols) > 1 else None)
    store: dict[str, list[dict]] = {}
    order = [*df.index, "Total"]
    kinds = list(dict.fromkeys(segments["kind"]))
    colours = {"Could be replaced by other exporters": "#74a9cf",
               "Not replaceable from other exporters": DEMO_RED,
               "Value at risk": "#d7301f", "Total": "#555555"}
    bars = alt.Chart(_inline(segments, store)).mark_bar(size=16).encode(
        y=alt.Y("step:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
        x=alt.X("start:Q", title=x_title),
        x2="end:Q",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=kinds, range=[colours[k] for k in kinds]),
            legend=alt.Legend(orient="right")),
        tooltip=[alt.Tooltip("step:N", title="Product"), alt.Tooltip("kind:N", title="Part"),
                 alt.Tooltip("amount:Q", title="USD million", format=",.1f")],
    ).properties(width=WIDTH - 180, height=alt.Step(22))
    return _finish(bars, table, title=title, subtitle=subtitle or _stop_subtitle(table),
                   label=label, source=source, vintage=vintage, datasets=store)


def _stop_subtitle(table: pd.DataFrame) -> list[str] | None:
    supplier = table.attrs.get("supplier")
    if not supplier:
        return None
    who = " and ".join(_name(c) for c in dict.fromkeys(table.get("importer", [])))
    year = ", ".join(str(y) for y in dict.fromkeys(table.get("year", [])))
    others = ("trusted partners'" if table.attrs.get("replacement") == "trusted"
              else "other countries'")
    redirect = table.attrs.get("redirect")
    if redirect is not None:  # esc.scenarios with stated capacity
        return [f"Imports of {who or 'the reporter'} from {_name(supplier)}, {year}.",
                f"Replaceable: {redirect:.0%} of {others} exports to other markets "
                "(an assumption; see the sensitivity chart)."]
    return [f"Imports of {who or 'the reporter'} from {_name(supplier)}, {year}.",
            f"Replaceable: up to {others} current world exports (an upper bound)."]


def _waterfall_segments(df: pd.DataFrame, value: str, covered: str | None) -> pd.DataFrame:
    """Floating bars: each step starts where the previous one ended."""
    rows, level = [], 0.0
    for name, row in df.iterrows():
        v = float(row[value])
        c = min(max(float(row[covered]), 0.0), v) if covered else None
        if c is None:
            rows.append((name, "Value at risk", level, level + v, v))
        else:
            rows.append((name, "Could be replaced by other exporters", level, level + c, c))
            rows.append((name, "Not replaceable from other exporters", level + c, level + v,
                         v - c))
        level += v
    rows.append(("Total", "Total", 0.0, level, level))
    return pd.DataFrame(rows, columns=["step", "kind", "start", "end", "amount"])


# ---------------------------------------------------------------------------- ranked bars


def ranked_bars(
    table: pd.DataFrame,
    *,
    value: str,
    x_title: str,
    label: str | None = None,
    colour: str | None = None,
    colour_title: str | None = None,
    top: int = 15,
    title: str = "Largest products",
    subtitle: str | Sequence[str] | None = None,
    source: str | None = None,
    vintage: str | None = None,
    data_label: str | None = None,
) -> alt.VConcatChart:
    """Horizontal bars of ``value`` for the ``top`` rows, largest first.

    Values in ``*_usd`` columns are shown in USD million; ``x_title`` must name the units.
    Bars are labelled ``short_name (hs6)`` (names from the registry when missing) unless
    ``label`` names another column; ``colour`` colours them by a column (e.g. importer).
    ``data_label`` plays the role ``label`` has in the other builders (demo detection).
    """
    _require(table, [value], "ranked_bars")
    df = table.nlargest(top, value).copy() if len(table) > top else table.copy()
    df["_label"] = (df[label].astype(str) if label else _product_label(df, "hs6"))
    if colour:
        names = df[colour].map(_name) if colour in ("importer", "exporter") else df[colour]
        df["_label"] = names.astype(str) + " · " + df["_label"]
        df["_colour"] = names.astype(str)
    scale = 1e-6 if value.endswith("_usd") else 1.0
    df["_v"] = df[value].astype(float) * scale
    store: dict[str, list[dict]] = {}
    enc: dict[str, Any] = {
        "y": alt.Y("_label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=340)),
        "x": alt.X("_v:Q", title=x_title, axis=alt.Axis(format=",.0f" if scale != 1 else "")),
        "tooltip": [alt.Tooltip("_label:N", title="Product"),
                    alt.Tooltip("_v:Q", title=x_title, format=",.1f")],
    }
    if colour:
        enc["color"] = alt.Color("_colour:N", title=colour_title or SERIES_TITLES.get(
            colour, colour), scale=alt.Scale(range=PALETTE))
    bars = alt.Chart(_inline(df[["_label", "_v", *(["_colour"] if colour else [])]], store)
                     ).mark_bar(color=PALETTE[0]).encode(**enc).properties(
        width=WIDTH - 240, height=alt.Step(18))
    return _finish(bars, table, title=title, subtitle=subtitle, label=data_label,
                   source=source, vintage=vintage, datasets=store)


# ---------------------------------------------------------------------------- initiatives


def initiative_timeline(
    initiatives: pd.DataFrame,
    *,
    name: str = "name",
    start: str = "start",
    end: str | None = "end",
    group: str = "type",
    title: str = "India–Japan cooperation initiatives over time",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """One row per initiative: a dot at its start (year or date), a bar to its end if known.

    ``start``/``end`` hold years ("2023") or dates ("2021-04-27"); colour shows ``group``
    (the initiative type). Initiatives without an end date show the dot only.
    """
    _require(initiatives, [name, start, group], "initiative_timeline")
    df = pd.DataFrame({
        "name": initiatives[name].astype(str),
        "group": initiatives[group].astype(str),
        "start": _as_date(initiatives[start]),
        "end": (_as_date(initiatives[end]) if end and end in initiatives.columns
                else pd.NaT),
    }).dropna(subset=["start"]).sort_values("start")
    first, last = df["start"].min(), pd.concat([df["start"], df["end"].dropna()]).max()
    domain = [f"{first.year}-01-01", f"{last.year + 1}-01-01"]
    df["start"] = df["start"].dt.strftime("%Y-%m-%d")
    df["end"] = pd.to_datetime(df["end"]).dt.strftime("%Y-%m-%d")
    store: dict[str, list[dict]] = {}
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
    body = alt.layer(spans, dots, data=_inline(df, store)).properties(width=WIDTH - 180,
                                                               height=alt.Step(16))
    return _finish(body, initiatives, title=title, subtitle=subtitle, label=label,
                   source=source, vintage=vintage, datasets=store)


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
    title: str = "Which priority products do the initiatives address?",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """Priority products x initiative types; each cell is the number of initiatives.

    Products with no initiative of any type get "(no initiative)" after their name.
    ``coverage`` is long (one row per product and type); a missing ``count`` column counts
    rows (e.g. the initiatives table itself). ``products`` lists every product to show, in
    order, so that products with no initiative at all appear as empty rows.
    """
    _require(coverage, [product, kind], "coverage_matrix")
    df = coverage.copy()
    if count not in df.columns:
        df[count] = 1
    df = df.groupby([df[product].astype(str), df[kind].astype(str)], as_index=False)[
        count].sum().rename(columns={product: "product", kind: "kind", count: "n"})
    if products is not None:
        df = df[df["product"].isin(list(products))]
        missing = [p for p in products if p not in set(df["product"])]
        first_kind = df["kind"].iloc[0] if len(df) else "none"
        df = pd.concat([df, pd.DataFrame({"product": missing, "kind": first_kind, "n": 0})],
                       ignore_index=True)
    df["n"] = df["n"].astype(int)
    totals = df.groupby("product")["n"].transform("sum")
    rank = {p: i for i, p in enumerate(products or sorted(set(df["product"])))}
    df["product"] = df["product"].where(totals > 0, df["product"] + " (no initiative)")
    order = list(dict.fromkeys(df.assign(_r=df["product"].str.replace(
        " (no initiative)", "", regex=False).map(rank)).sort_values("_r")["product"]))
    df["n_text"] = df["n"].map(lambda n: str(n) if n else "")
    store: dict[str, list[dict]] = {}
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
    text = base.mark_text(fontSize=11).encode(
        text="n_text:N",
        color=alt.when(high).then(alt.value("white")).otherwise(alt.value(INK)))
    body = alt.layer(cells, text, data=_inline(df, store)).properties(
        width=alt.Step(70), height=alt.Step(22))
    return _finish(body, coverage, title=title, subtitle=subtitle, label=label,
                   source=source, vintage=vintage, datasets=store)


# --------------------------------------------------------------------------------- save


_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def save(
    chart: alt.TopLevelMixin,
    folder: str | Path | None,
    stem: str,
    *,
    formats: Sequence[str] = ("png", "svg"),
    scale: float = 2.0,
    takeaway: str | None = None,
    key: bool = False,
) -> list[Path]:
    """Write ``<folder>/<stem>.png`` and ``.svg`` through vl-convert; return the paths.

    Beside them ``<stem>.json`` records the chart's title and subtitle, whether it carries
    the demo label, and for the briefing deck (:mod:`esc.briefing`) a one-line ``takeaway``
    and whether it is a ``key`` chart (one slide each).

    PNGs are rendered at ``scale`` x the chart's pixel size (2 = sharp on slides). Each file
    is written to a temporary name and moved into place, so a reader never sees half a
    file. The 5,000-row check is switched off only while saving (for charts built
    elsewhere; esc's own charts are not subject to it). ``folder=None`` writes nothing and
    returns ``[]``: a notebook run by hand (``output_dir = None``) only displays its charts.
    """
    if folder is None:
        return []
    if not _STEM.fullmatch(stem):
        raise BadValueError(f"chart file name {stem!r} must be letters, digits, '.', '_', '-'",
                            path=str(folder))
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_dict()  # validated once for all formats
    vega = vl_convert.vegalite_to_vega(spec, vl_version=_vl_version())
    paths = []
    for fmt in formats:
        if fmt == "png":
            payload = vl_convert.vega_to_png(vega, scale=scale)
        elif fmt == "svg":
            payload = vl_convert.vega_to_svg(vega).encode("utf-8")
        else:
            raise BadValueError(f"chart format {fmt!r} is not png or svg", path=str(folder))
        paths.append(write_atomic(out / f"{stem}.{fmt}", payload))
        log.info("chart written: %s", paths[-1])
    write_atomic(out / f"{stem}.json", json.dumps(_sidecar(spec, takeaway, key)).encode())
    return paths


def _sidecar(spec: dict, takeaway: str | None, key: bool) -> dict:
    """Title, subtitle and label of a chart spec, for the briefing deck."""
    title = spec.get("title", "")
    text, subtitle = ((title.get("text", ""), title.get("subtitle", ""))
                      if isinstance(title, dict) else (title, ""))

    def flat(x) -> str:
        return " ".join(x) if isinstance(x, list) else str(x or "")

    demo = DEMO_MARK in json.dumps(spec, ensure_ascii=False)
    return {"title": flat(text), "subtitle": flat(subtitle), "takeaway": takeaway,
            "key": key, "label": DEMO_LABEL if demo else None,
            "source": next(_strings_starting(spec, "Source:"), None)}


def _strings_starting(obj, prefix: str):
    """Every string in a nested spec that starts with ``prefix`` (the footer's source line)."""
    if isinstance(obj, str):
        if obj.startswith(prefix):
            yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings_starting(value, prefix)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings_starting(value, prefix)


def _vl_version() -> str:
    """vl-convert's name of the Vega-Lite version altair writes ("v6.1.0" -> "v6_1").

    Falls back to the newest version vl-convert knows when it lacks altair's.
    """
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    known = vl_convert.get_vegalite_versions()
    version = f"{major}.{minor}" if f"{major}.{minor}" in known else known[-1]
    return "v" + version.replace(".", "_")


# ---------------------------------------------------------------------------- issue 12:
# stated capacity, export controls, alternative suppliers, could-relocate


def _assumption_lines(table: pd.DataFrame, first: str | None = None) -> list[str]:
    """Subtitle lines: an optional first line, the year, and ``attrs["assumption"]``."""
    attrs = getattr(table, "attrs", {}) or {}
    lines = [first] if first else []
    year = attrs.get("year")
    note = attrs.get("assumption")
    if year is not None or note:
        lines.append("; ".join(x for x in (f"Year {year}" if year is not None else "",
                                           f"assumes: {note}" if note else "") if x) + ".")
    return lines


def redirect_sensitivity(
    sens: pd.DataFrame,
    *,
    series: str | None = None,
    title: str = "How much stays uncovered, by the share alternatives can redirect",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """Uncovered value (USD million) against the redirect share (0-100 %), default marked.

    ``sens`` is :func:`esc.scenarios.sensitivity` output (columns ``redirect,
    uncovered_usd, is_default``); ``series`` draws one line per value of that column (e.g.
    ``importer`` after stacking two reporters' tables). The default share is a dashed rule.
    """
    _require(sens, ["redirect", "uncovered_usd"], "redirect_sensitivity")
    df = pd.DataFrame({"share": sens["redirect"].astype(float) * 100,
                       "uncovered": sens["uncovered_usd"].astype(float) / 1e6,
                       "series": (sens[series].map(_name) if series in ("importer", "exporter")
                                  else sens[series]).astype(str) if series else "Uncovered"})
    store: dict[str, list[dict]] = {}
    lines = alt.Chart(_inline(df, store)).mark_line(point=True).encode(
        x=alt.X("share:Q", title="Share of alternatives' exports redirected (%)",
                scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("uncovered:Q", title="Uncovered imports (USD million)"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=PALETTE),
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
        layers.append(alt.Chart(_inline(mark, store)).mark_rule(
            color=DEMO_RED, strokeDash=[4, 3]).encode(x="share:Q"))
        layers.append(alt.Chart(_inline(mark, store)).mark_text(
            align="left", dx=4, dy=-6, color=DEMO_RED, fontSize=11).encode(
            x="share:Q", y=alt.value(8), text="text:N"))
    body = alt.layer(*layers).properties(width=WIDTH - 60, height=HEIGHT - 80)
    sub = subtitle or _assumption_lines(sens, "At 0% nothing is replaced; the line reaches "
                                        "zero where the alternatives' exports close the gap.")
    return _finish(body, sens, title=title, subtitle=sub, label=label, source=source,
                   vintage=vintage, datasets=store)


def alternative_suppliers(
    table: pd.DataFrame,
    *,
    top: int = 10,
    title: str | None = None,
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """Other exporters of one product by world market share (%), trusted partners coloured.

    ``table`` is :func:`esc.scenarios.alternatives` output for one product; the tooltip gives
    RCA, the reporter's current imports and the headroom under the redirect assumption.
    """
    _require(table, ["exporter", "world_share", "trusted", "headroom_usd"],
             "alternative_suppliers")
    df = table.nsmallest(top, "rank") if "rank" in table.columns else table.head(top)
    df = pd.DataFrame({
        "name": df["exporter"].map(_name).astype(str),
        "share": df["world_share"].astype(float) * 100,
        "kind": df["trusted"].map({True: "Trusted partner", False: "Other exporter"}),
        "rca": df.get("rca", pd.Series(float("nan"), index=df.index)).astype(float),
        "imports": df.get("reporter_imports_usd", 0.0) / 1e6,
        "headroom": df["headroom_usd"].astype(float) / 1e6,
        "groups": df.get("groups", "").astype(str) if "groups" in df else "",
    })
    store: dict[str, list[dict]] = {}
    bars = alt.Chart(_inline(df, store)).mark_bar().encode(
        y=alt.Y("name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=200)),
        x=alt.X("share:Q", title="Share of world exports (%)"),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["Trusted partner", "Other exporter"], range=[PALETTE[0], OTHER_GREY]),
            legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("name:N", title="Exporter"),
                 alt.Tooltip("share:Q", title="World share (%)", format=".1f"),
                 alt.Tooltip("rca:Q", title="RCA", format=".2f"),
                 alt.Tooltip("imports:Q", title="Reporter buys now (USD m)", format=",.1f"),
                 alt.Tooltip("headroom:Q", title="Headroom (USD m)", format=",.1f"),
                 alt.Tooltip("groups:N", title="Groups")],
    ).properties(width=WIDTH - 200, height=alt.Step(20))
    code = str(table["hs6"].iloc[0]) if "hs6" in table.columns and len(table) else ""
    name = _product_label(table.head(1), "hs6").iloc[0] if code else "the product"
    head = title or f"Who else exports {name}?"
    sub = subtitle or _assumption_lines(table, "Exporters other than the stopped supplier and "
                                        "the reporter, by share of world exports.")
    return _finish(bars, table, title=head, subtitle=sub, label=label, source=source,
                   vintage=vintage, datasets=store)


def controls_at_risk(
    table: pd.DataFrame,
    *,
    title: str = "What the announced export controls put at risk",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """Stacked bars per control and importer (USD million): coverable and uncovered.

    ``table`` is :func:`esc.scenarios.controls_at_risk` output.
    """
    _require(table, ["control", "importer", "coverable_usd", "uncovered_usd"],
             "controls_at_risk")
    rows = []
    for r in table.itertuples(index=False):
        step = f"{r.control} · {_name(r.importer)}"
        rows.append((step, "Could be replaced by other exporters", r.coverable_usd / 1e6))
        rows.append((step, "Not replaceable from other exporters", r.uncovered_usd / 1e6))
    df = pd.DataFrame(rows, columns=["step", "kind", "usd_m"])
    store: dict[str, list[dict]] = {}
    bars = alt.Chart(_inline(df, store)).mark_bar().encode(
        y=alt.Y("step:N", title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("sum(usd_m):Q", title="Imports from the controlling country (USD million)"),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["Could be replaced by other exporters",
                    "Not replaceable from other exporters"], range=["#74a9cf", DEMO_RED]),
            legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("step:N", title="Control"), alt.Tooltip("kind:N", title="Part"),
                 alt.Tooltip("usd_m:Q", title="USD million", format=",.1f")],
    ).properties(width=WIDTH - 220, height=alt.Step(20))
    sub = subtitle or _assumption_lines(table, "Each control's HS6 codes (an upper bound of "
                                        "the controlled trade; see docs/scenarios.md).")
    return _finish(bars, table, title=title, subtitle=sub, label=label, source=source,
                   vintage=vintage, datasets=store)


def complementarity_lists(
    makes_now: pd.DataFrame,
    could_relocate: pd.DataFrame,
    *,
    top: int = 10,
    title: str = "What the partner could supply: now, and next",
    subtitle: str | Sequence[str] | None = None,
    label: str | None = None,
    source: str | None = None,
    vintage: str | None = None,
) -> alt.VConcatChart:
    """Two ranked lists, one above the other, each titled with what it is.

    Top: :func:`esc.complementarity.complementarity` ("makes it now", RCA >= 1): shiftable
    value capped by the exporter's world exports (USD million), the uncapped value as a grey
    tick. Bottom: :func:`esc.complementarity.could_relocate` ("could relocate", RCA < 1, high
    density): value x density (USD million).
    """
    _require(makes_now, ["hs6", "shiftable_usd", "shiftable_uncapped_usd"],
             "complementarity_lists")
    _require(could_relocate, ["hs6", "score"], "complementarity_lists")
    store: dict[str, list[dict]] = {}
    a = makes_now.nlargest(top, "shiftable_usd")
    a = pd.DataFrame({"name": _product_label(a, "hs6").map(_shorten),
                      "capped": a["shiftable_usd"] / 1e6,
                      "uncapped": a["shiftable_uncapped_usd"] / 1e6})
    y = alt.Y("name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=300))
    now = alt.layer(
        alt.Chart(_inline(a, store)).mark_bar(color=PALETTE[0]).encode(
            y=y, x=alt.X("capped:Q", title="Shiftable, capped by world exports (USD million)"),
            tooltip=[alt.Tooltip("name:N", title="Product"),
                     alt.Tooltip("capped:Q", title="Capped (USD m)", format=",.1f"),
                     alt.Tooltip("uncapped:Q", title="Uncapped (USD m)", format=",.1f")]),
        alt.Chart(_inline(a, store)).mark_tick(color=MUTED, thickness=2).encode(
            y=alt.Y("name:N", sort=alt.EncodingSortField("capped", order="descending")),
            x="uncapped:Q"),
    ).properties(width=WIDTH - 260, height=alt.Step(18),
                 title="Makes it now (RCA >= 1): shiftable value; grey tick = uncapped")
    b = could_relocate.nlargest(top, "score")
    b = pd.DataFrame({"name": _product_label(b, "hs6").map(_shorten),
                      "score": b["score"] / 1e6, "density": b["density"].astype(float)})
    nxt = alt.Chart(_inline(b, store)).mark_bar(color=PALETTE[2]).encode(
        y=alt.Y("name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=300)),
        x=alt.X("score:Q", title="Value x density (USD million)"),
        tooltip=[alt.Tooltip("name:N", title="Product"),
                 alt.Tooltip("score:Q", title="Value x density (USD m)", format=",.1f"),
                 alt.Tooltip("density:Q", title="Density", format=".2f")],
    ).properties(width=WIDTH - 260, height=alt.Step(18),
                 title="Could relocate (no RCA yet, high density): value x density")
    table = makes_now if len(makes_now.attrs) else could_relocate
    sub = subtitle or _assumption_lines(table)
    return _finish(alt.vconcat(now, nxt), table, title=title, subtitle=sub, label=label,
                   source=source, vintage=vintage, datasets=store)
