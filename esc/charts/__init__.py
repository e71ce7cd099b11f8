"""Briefing charts: prepared tables in, one honest chart out.

Every chart esc draws answers a question a reader of a two-page briefing asks ("which imports
are both concentrated and complex?", "who supplies them?", "what if China stops?") and
carries the same furniture (:mod:`esc.charts.frame`): a title that states the subject, units in
every axis and legend title, a grey source footer taken from the table's label
(:func:`esc.label.label_of`), and a red ``DEMO DATA`` line when :func:`esc.label.is_demo` says
the table is esc's generated demo world.

Charts only draw. They read no data (no data folder, cache or source reader) and compute no
figure: supplier shares come from :mod:`esc.metrics` with the rules of the HHI, scenario
values from :mod:`esc.scenarios`. Each country has one colour in every chart
(:mod:`esc.charts.style`; China always the same red), and the keyword options every builder
takes — title, subtitle, label, source, vintage, width, height — are defined once, in
:class:`~esc.charts.style.ChartText`.

Modules: :mod:`~esc.charts.style` (theme, colours, options), :mod:`~esc.charts.frame` (title,
demo mark, footer, :func:`save`), :mod:`~esc.charts.matrix` (the HHI × PCI quadrant),
:mod:`~esc.charts.suppliers`,
:mod:`~esc.charts.trends`, :mod:`~esc.charts.scenarios`, :mod:`~esc.charts.rankings`,
:mod:`~esc.charts.explore` (the overview's interactive explorer),
:mod:`~esc.charts.initiatives` and :mod:`~esc.charts.india` (India's official statistics).
Each is imported when one of its names is first used (``esc.charts.quadrant`` loads
``matrix``), so importing the package, and ``esc --help``, does not wait for altair.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, for type checkers and editors
    from esc.charts.common import (
        SERIES_TITLES,
        SHORT_COUNTRY_NAMES,
        VALUE_COLUMNS,
    )
    from esc.charts.explore import explorer, live
    from esc.charts.frame import DEMO_MARK, is_demo, save, source_line
    from esc.charts.india import (
        concentration_chart,
        event_chart,
        share_trend_chart,
        supplier_chart,
    )
    from esc.charts.initiatives import coverage_matrix, initiative_timeline
    from esc.charts.matrix import quadrant
    from esc.charts.offline import interactive as interactive
    from esc.charts.rankings import complementarity_lists, ranked_bars
    from esc.charts.scenarios import (
        alternative_suppliers,
        controls_at_risk,
        redirect_sensitivity,
        scenario_waterfall,
    )
    from esc.charts.style import (
        CATEGORY_COLOURS,
        CATEGORY_NAMES,
        COUNTRY_COLOURS,
        DEMO_RED,
        FONT,
        HEIGHT,
        INK,
        MUTED,
        OTHER_GREY,
        PALETTE,
        WIDTH,
        ChartText,
        country_colour,
        esc_theme,
        use_theme,
    )
    from esc.charts.suppliers import heatmap, supplier_bars, supplier_shares
    from esc.charts.trends import TREND_TITLES, trend

_LAZY: dict[str, str] = {
    "SERIES_TITLES": "common",
    "SHORT_COUNTRY_NAMES": "common",
    "VALUE_COLUMNS": "common",
    "explorer": "explore",
    "live": "explore",
    "DEMO_MARK": "frame",
    "is_demo": "frame",
    "save": "frame",
    "source_line": "frame",
    "concentration_chart": "india",
    "event_chart": "india",
    "share_trend_chart": "india",
    "supplier_chart": "india",
    "coverage_matrix": "initiatives",
    "initiative_timeline": "initiatives",
    "interactive": "offline",
    "quadrant": "matrix",
    "complementarity_lists": "rankings",
    "ranked_bars": "rankings",
    "alternative_suppliers": "scenarios",
    "controls_at_risk": "scenarios",
    "redirect_sensitivity": "scenarios",
    "scenario_waterfall": "scenarios",
    "CATEGORY_COLOURS": "style",
    "CATEGORY_NAMES": "style",
    "COUNTRY_COLOURS": "style",
    "ChartText": "style",
    "DEMO_RED": "style",
    "FONT": "style",
    "HEIGHT": "style",
    "INK": "style",
    "MUTED": "style",
    "OTHER_GREY": "style",
    "PALETTE": "style",
    "WIDTH": "style",
    "country_colour": "style",
    "esc_theme": "style",
    "use_theme": "style",
    "heatmap": "suppliers",
    "supplier_bars": "suppliers",
    "supplier_shares": "suppliers",
    "TREND_TITLES": "trends",
    "trend": "trends",
}
"""Public name -> the submodule that defines it, imported on first use (altair, which the
submodules need, takes seconds to import: ``esc --help`` should not wait for it)."""


def __getattr__(name: str) -> Any:
    """Import the submodule that holds ``name`` on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'esc.charts' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"esc.charts.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "CATEGORY_COLOURS", "CATEGORY_NAMES", "COUNTRY_COLOURS", "DEMO_MARK", "DEMO_RED", "FONT",
    "HEIGHT", "INK", "MUTED", "OTHER_GREY", "PALETTE", "SERIES_TITLES", "SHORT_COUNTRY_NAMES",
    "TREND_TITLES", "VALUE_COLUMNS", "WIDTH", "ChartText", "alternative_suppliers",
    "complementarity_lists", "concentration_chart", "controls_at_risk", "country_colour",
    "coverage_matrix", "esc_theme", "event_chart", "explorer", "heatmap",
    "initiative_timeline", "interactive", "is_demo", "live", "quadrant", "ranked_bars",
    "redirect_sensitivity",
    "save", "scenario_waterfall",
    "share_trend_chart", "source_line", "supplier_bars", "supplier_chart", "supplier_shares",
    "trend", "use_theme",
]
