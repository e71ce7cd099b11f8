"""The HHI x PCI scatter: the joint study's four categories of imports.

Each point is one (importer, product): x the Herfindahl–Hirschman index of its suppliers, y the
Product Complexity Index, area the import value. Dashed lines mark the cut points; the largest
Category A and B products are named where their label fits (greedy placement, in pixels).
"""

from __future__ import annotations

from typing import Any, Unpack

import altair as alt
import pandas as pd

from esc.charts.common import latest, name, product_label, require, unique_short
from esc.charts.frame import finish, inline
from esc.charts.style import (
    CATEGORY_COLOURS,
    CATEGORY_NAMES,
    HEIGHT,
    INK,
    WIDTH,
    ChartText,
    options,
    size,
)
from esc.vulnerability import quadrant as categories


def quadrant(
    table: pd.DataFrame,
    *,
    hhi_cut: float = 0.25,
    pci_cut: float = 0.0,
    year: int | None = None,
    n_labels: int = 5,
    **text: Unpack[ChartText],
) -> alt.VConcatChart:
    """HHI x PCI scatter: the joint study's four categories, one panel per importer.

    ``table`` has one row per (importer, product): ``hhi`` (Herfindahl–Hirschman index of
    import sources, sum of squared partner shares, 0–1), ``pci`` (Product Complexity Index,
    standardised), ``imports_usd`` (bubble area, shown in USD million), ``category`` (A–D)
    and a product name (``short_name`` or ``hs6``). Dashed lines mark the cut points:
    Category A is ``hhi >= hhi_cut and pci >= pci_cut`` (computed with
    :func:`esc.vulnerability.quadrant` when the table has no ``category``). The
    ``n_labels`` largest Category A and Category B products of each importer are named on
    the chart where a label fits without overlap (a name shared by two products gets its
    code); every point has a tooltip.
    """
    opts = options(text, title="Import vulnerability: concentration of suppliers against "
                   "product complexity")
    require(table, ["hhi", "pci", "imports_usd"], "quadrant")
    data, year = latest(table, year)
    df = pd.DataFrame({
        "hhi": data["hhi"].astype(float),
        "pci": data["pci"].astype(float),
        "imports_musd": data["imports_usd"].astype(float) / 1e6,
        "product": product_label(data, "hs6" if "hs6" in data.columns else "short_name"),
        "short": _short(data),
        "importer": (data["importer"].map(name) if "importer" in data.columns else ""),
        "category": (data["category"].astype(str) if "category" in data.columns
                     else _categories(data["hhi"], data["pci"], hhi_cut, pci_cut)),
        "top1": (data["top1_partner"].map(name) if "top1_partner" in data.columns else ""),
        "top1_share": (data["top1_share"].astype(float) if "top1_share" in data.columns
                       else float("nan")),
    }).dropna(subset=["hhi", "pci"])
    df["category_name"] = df["category"].map(CATEGORY_NAMES).fillna(df["category"])
    df["show_label"] = _label_mask(df, n_labels)
    w, h = size(opts, *((WIDTH, HEIGHT) if df["importer"].nunique() <= 1 else (330, 320)))
    y_dom = _y_domain(df["pci"], pci_cut)
    df = _place_labels(df, w, h, y_dom)
    store: dict[str, list[dict]] = {}
    body = _quadrant_body(df, hhi_cut, pci_cut, w, h, y_dom)
    importers = list(dict.fromkeys(df["importer"]))
    if len(importers) > 1:
        body = body.facet(column=alt.Column("importer:N", title=None, sort=importers),
                          data=inline(df, store))
    else:
        body = body.properties(data=inline(df, store))
    who = ", ".join(x for x in [*importers, str(year) if year is not None else ""] if x)
    opts.setdefault("subtitle", f"{who}. Dashed lines: cut points HHI {hhi_cut:g} and PCI "
                    f"{pci_cut:g}; bubble area: import value.")
    return finish(body, table, opts, store)


def _categories(hhi: pd.Series, pci: pd.Series, hhi_cut: float, pci_cut: float) -> pd.Series:
    """The study's quadrant, as :func:`esc.vulnerability.quadrant` draws it."""
    return categories(hhi, pci, hhi_cut=hhi_cut, pci_cut=pci_cut).astype(str)


def _short(data: pd.DataFrame) -> pd.Series:
    """Point labels: short names, with the code where two products would read the same."""
    code = data["hs6"] if "hs6" in data.columns else data["short_name"]
    names = data["short_name"] if "short_name" in data.columns else code
    return unique_short(names, code, 30)


def _label_mask(df: pd.DataFrame, n: int) -> pd.Series:
    """The ``n`` largest Category A and the ``n`` largest Category B products of each
    importer (the concentrated ones) are named on the chart."""
    mask = pd.Series(False, index=df.index)
    if n <= 0:
        return mask
    ab = df[df["category"].isin(["A", "B"])]
    top = ab.sort_values("imports_musd", ascending=False).groupby(["importer", "category"]).head(n)
    mask[top.index] = True
    return mask


def _y_domain(pci: pd.Series, pci_cut: float) -> list[float]:
    lo, hi = float(pci.min()), float(pci.max())
    pad = max(0.25, 0.08 * (hi - lo))
    return [min(lo, pci_cut) - pad, max(hi, pci_cut) + pad]


def _place_labels(df: pd.DataFrame, w: int, h: int, y_dom: list[float],
                  vmax: float | None = None) -> pd.DataFrame:
    """Greedy label placement: try spots around each point, skip labels that collide.

    Works in pixels (x: HHI 0–1 over ``w``; y: ``y_dom`` over ``h``) and returns the label
    anchor in data units (``lx``, ``ly``), the side (``"l"``: text right of the point,
    ``"r"``: left of it, ``"c"``: centred above or below, ``""``: not shown) and, for a
    label set away from its bubble, a leader line from the bubble's edge (``ax, ay`` to
    ``bx, by``; NaN when the label touches its bubble). Larger products are placed first.
    ``vmax`` is the import value (USD m) of the largest bubble on the chart's size scale
    (default: the largest in ``df``).
    """
    out = df.assign(lx=df["hhi"], ly=df["pci"], side="", ax=float("nan"), ay=float("nan"),
                    bx=float("nan"), by=float("nan"))
    span = y_dom[1] - y_dom[0]
    px = out["hhi"].astype(float) * w
    py = (y_dom[1] - out["pci"].astype(float)) / span * h
    top = float(out["imports_musd"].max()) if vmax is None else vmax
    radius = ((15 + 885 * out["imports_musd"] / max(top, 1e-12)) / 3.1416) ** 0.5

    def data_x(x: float) -> float:
        return x / w

    def data_y(y: float) -> float:
        return y_dom[1] - y / h * span

    placed: dict[Any, list[Any]] = {}  # index -> [lx, ly, side, ax, ay, bx, by]
    for importer, grp in out[out["show_label"]].groupby("importer"):
        same = out["importer"] == importer
        dots = [(x, y, r) for x, y, r in zip(px[same], py[same], radius[same], strict=True)]
        boxes: list[tuple[float, float, float, float]] = []
        for idx in grp.sort_values("imports_musd", ascending=False).index:
            spot = _first_free(px[idx], py[idx], radius[idx], LABEL_CHAR_PX * len(str(
                out.at[idx, "short"])), w, h, boxes, dots)
            if spot is None:
                continue
            side, lx, ly, box, leader = spot
            boxes.append(box)
            ends = ([data_x(leader[0]), data_y(leader[1]), data_x(leader[2]), data_y(leader[3])]
                    if leader is not None else [float("nan")] * 4)
            placed[idx] = [data_x(lx), data_y(ly), side, *ends]
    if placed:  # one assignment per column (a pandas .loc per label costs milliseconds)
        rows = list(placed)
        for i, col in enumerate(["lx", "ly", "side", "ax", "ay", "bx", "by"]):
            out.loc[rows, col] = [placed[r][i] for r in rows]
    return out


LABEL_CHAR_PX = 6.0
"""Width of one character of a 10 px label (Helvetica averages about 5.5 px)."""


def _spots(r: float) -> list[tuple[str, float, float]]:
    """Candidate label spots (side, dx, dy) around a bubble of radius ``r``, nearest first:
    right, left, above and below it, the diagonals, and text starting or ending above or
    below it, at growing distances."""
    out = []
    for gap in (3.0, 10.0, 20.0, 34.0, 50.0, 70.0):
        d = r + gap
        out += [("l", d, 0.0), ("r", -d, 0.0), ("c", 0.0, -d - 5), ("c", 0.0, d + 6),
                ("l", d * 0.75, -d * 0.75), ("l", d * 0.75, d * 0.75),
                ("r", -d * 0.75, -d * 0.75), ("r", -d * 0.75, d * 0.75),
                ("l", 3.0, -d - 5), ("l", 3.0, d + 6), ("r", -3.0, -d - 5), ("r", -3.0, d + 6)]
    return out


def _first_free(
    px: float, py: float, r: float, tw: float, w: int, h: int,
    labels: list[tuple[float, float, float, float]],
    dots: list[tuple[float, float, float]],
) -> tuple[str, float, float, tuple[float, float, float, float],
           tuple[float, float, float, float] | None] | None:
    """The spot for a label of width ``tw`` px by a bubble at (``px``, ``py``), radius ``r``.

    A spot must stay inside the plot and clear every label placed so far. Among those, the
    one with the lowest cost wins: the area (px²) the label covers of other bubbles, plus 3
    per pixel of distance from its own bubble, so a label moves into white space rather than
    over a neighbour, and never sits on another bubble when a free spot is near. A label
    more than 6 px from its bubble gets a leader line (from the bubble's edge to the label
    box). None when no spot fits.
    """
    best: tuple[float, int] | None = None
    chosen = None
    # only bubbles that reach the area every candidate spot lies in can be covered
    reach_x, reach_y = r + 70 + tw + 1, r + 70 + 12 + 1
    near = [(x, y, q) for x, y, q in dots if abs(x - px) < reach_x + q
            and abs(y - py) < reach_y + q and (x, y, q) != (px, py, r)]
    for i, (side, dx, dy) in enumerate(_spots(r)):
        x0 = {"l": px + dx, "r": px + dx - tw, "c": px - tw / 2}[side]
        box = (x0, py + dy - 6, x0 + tw, py + dy + 6)
        inside = box[0] >= 0 and box[2] <= w and box[1] >= 18 and box[3] <= h - 18
        if not inside or any(_overlap(box, b) for b in labels):
            continue
        covered = sum(_cover(box, (x - q, y - q, x + q, y + q)) for x, y, q in near)
        near_x, near_y = min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3])
        gap = max(((near_x - px) ** 2 + (near_y - py) ** 2) ** 0.5 - r, 0.0)
        cost = covered + 3 * gap
        if best is None or (cost, i) < best:
            leader = None
            if gap > 6:
                dist = ((near_x - px) ** 2 + (near_y - py) ** 2) ** 0.5
                leader = (px + (near_x - px) * r / dist, py + (near_y - py) * r / dist,
                          near_x, near_y)
            best, chosen = (cost, i), (side, px + dx, py + dy, box, leader)
    return chosen


def _cover(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The area (px²) two boxes share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1],
                                                                                    b[1]))


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
    leaders = alt.Chart().mark_rule(color="#777777", strokeWidth=0.8).encode(
        x=alt.X("ax:Q", scale=x_scale), y=alt.Y("ay:Q", scale=y_scale), x2="bx:Q", y2="by:Q",
    ).transform_filter("isValid(datum.ax)")
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
    return alt.layer(rule_x, rule_y, points, leaders, *labels, *letters).properties(
        width=w, height=h)
