"""The esc look: theme, sizes, one colour per country, and the keyword options every chart takes.

Everything that makes two esc charts look like they belong to the same briefing is defined here
once:

- :func:`esc_theme` (fonts, grid, padding). It is registered with altair as ``"esc"`` but not
  enabled at import, so importing esc never restyles a user's own charts; :func:`use_theme`
  enables it (also as a context manager).
- :data:`COUNTRY_COLOURS` and :func:`country_colour`: one colour per country for every chart of
  a report. China is always :data:`COUNTRY_COLOURS` ``["CHN"]``, Hong Kong and Macao a lighter
  shade of it; countries outside the map get a colour picked from :data:`FALLBACK_COLOURS` by a
  hash of their ISO3 code, so the same code gets the same colour in every run and every chart.
- :class:`ChartText`: the keyword options shared by every chart builder (title, subtitle, data
  label, source line, vintage, size), read with :func:`options`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

import altair as alt

WIDTH = 560
"""Default width of a chart's plot area (px)."""
HEIGHT = 340
"""Default height of a chart's plot area (px)."""
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
"""Colours for series that are not countries (products, sectors, initiative types)."""

COUNTRY_COLOURS: dict[str, str] = {
    "CHN": "#c62828",  # China: red, in every chart
    "HKG": "#ef8a80",  # Hong Kong and Macao: lighter shades of China's red (re-export hubs)
    "MAC": "#f4b6ae",
    "JPN": "#1f5fa8",
    "IND": "#f28e2b",
    "KOR": "#7b4fa6",
    "TWN": "#17a2b8",
    "USA": "#253494",
    "DEU": "#8c564b",
    "VNM": "#2ca02c",
    "AUS": "#b8b318",
    "SGP": "#e377c2",
    "THA": "#c49c94",
    "MYS": "#7fc97f",
    "IDN": "#9ecae1",
    "PHL": "#d6616b",
    "FRA": "#5254a3",
    "GBR": "#6b6ecf",
    "ITA": "#637939",
    "NLD": "#e7ba52",
    "BEL": "#bd9e39",
    "CHE": "#ad494a",
    "CAN": "#843c39",
    "MEX": "#8ca252",
    "BRA": "#31a354",
    "CHL": "#a55194",
    "RUS": "#636363",
    "ZAF": "#e6550d",
    "COD": "#756bb1",
    "SAU": "#3182bd",
    "ARE": "#6baed6",
}
"""One colour per country (ISO3), the same in every esc chart."""

FALLBACK_COLOURS = ["#4e79a7", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948",
                    "#86bcb6", "#8cd17d", "#b6992d", "#499894", "#d37295", "#a0cbe8",
                    "#79706e", "#d4a6c8", "#fabfd2", "#b9ac9f"]
"""Colours for countries outside :data:`COUNTRY_COLOURS`, picked by a hash of the ISO3 code."""

OTHER = "Other"
"""The series that pools everything beyond a chart's top N; always :data:`OTHER_GREY`."""


def country_colour(code: str) -> str:
    """The colour of a country (ISO3) in every esc chart; :data:`OTHER_GREY` for "Other".

    Countries outside :data:`COUNTRY_COLOURS` get ``FALLBACK_COLOURS[sha256(code) mod n]``:
    deterministic, so the same code has the same colour in every run.

    >>> country_colour("CHN") == COUNTRY_COLOURS["CHN"]
    True
    >>> country_colour("ZZZ") == country_colour("ZZZ")
    True
    """
    if code == OTHER:
        return OTHER_GREY
    if code in COUNTRY_COLOURS:
        return COUNTRY_COLOURS[code]
    digest = int(hashlib.sha256(str(code).encode()).hexdigest()[:8], 16)
    return FALLBACK_COLOURS[digest % len(FALLBACK_COLOURS)]


def country_scale(named: Mapping[str, str] | Iterable[tuple[str, str]]) -> alt.Scale:
    """A colour scale over country names: ``named`` maps each shown name to its ISO3 code.

    >>> country_scale({"China": "CHN", "Other": "Other"}).to_dict()["range"][0] == \\
    ...     COUNTRY_COLOURS["CHN"]
    True
    """
    pairs = list(named.items()) if isinstance(named, Mapping) else list(named)
    return alt.Scale(domain=[name for name, _ in pairs],
                     range=[country_colour(code) for _, code in pairs])


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


if "esc" not in alt.theme.names():
    alt.theme.register("esc", enable=False)(esc_theme)


def use_theme() -> Any:
    """Enable the esc theme for every altair chart in this session.

    Returns altair's enabler, so ``with esc.charts.use_theme(): ...`` restores the
    previous theme on exit. esc's own chart builders do not need it.
    """
    return alt.theme.enable("esc")


# ------------------------------------------------------------------ shared keyword options


class ChartText(TypedDict, total=False):
    """The keyword options every chart builder takes (all optional).

    - ``title``: the headline (each builder has its own default);
    - ``subtitle``: one line or several, in grey under the title (builders write a default
      that names the year and the assumptions);
    - ``label``: the data label text; :data:`esc.schema.DEMO_LABEL` forces the demo mark (a
      table that :func:`esc.label.is_demo` calls demo is marked whatever ``label`` says);
    - ``source``: a registered source name (``"baci"``, ``"demo"``, spelled out through
      :func:`esc.source.get`) or the source text itself; default: the table's label;
    - ``vintage``: what follows the source in brackets (``"release V202501"``); default: the
      table label's release;
    - ``width``, ``height``: the plot area in pixels (each builder has its own default).
    """

    title: str
    subtitle: str | Sequence[str] | None
    label: str | None
    source: str | None
    vintage: str | None
    width: int
    height: int


def options(given: Mapping[str, Any], **defaults: Any) -> ChartText:
    """The chart options ``given`` by the caller over the builder's ``defaults``.

    A name that is not a :class:`ChartText` key raises ``TypeError``, as an unknown keyword
    argument of a function would. ``None`` for ``title`` or ``subtitle`` keeps the default.

    >>> options({"source": "baci"}, title="Trend")["title"]
    'Trend'
    """
    unknown = sorted(set(given) - set(ChartText.__annotations__))
    if unknown:
        raise TypeError(f"unexpected chart option(s): {', '.join(unknown)}; esc charts take "
                        f"{', '.join(ChartText.__annotations__)}")
    out: dict[str, Any] = dict(defaults)
    for key, value in given.items():
        if value is not None or key not in ("title", "subtitle"):
            out[key] = value
    return ChartText(**out)  # type: ignore[typeddict-item]


def size(opts: ChartText, width: int, height: Any) -> tuple[int, Any]:
    """The plot size: the caller's ``width``/``height`` options, else the builder's own."""
    return opts.get("width") or width, opts.get("height") or height
