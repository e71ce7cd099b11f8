"""The furniture of every esc chart: title, demo mark, source footer, and saving with sidecars.

Layout, top to bottom: the title and its grey subtitle; the red line :data:`DEMO_MARK` when the
table is esc's generated demo world; the chart; a grey footer ``Source: <source> (<vintage>).
Chart: esc <version>.``

Nothing here reads data. What a table is comes from its label (:func:`esc.label.label_of`),
or from the ``source=`` / ``vintage=`` / ``label=`` text the caller gives; a registered source
name is spelled out with :func:`esc.source.get`. Whether a chart is marked demo is decided by
:func:`esc.label.is_demo` (or an explicit ``label=`` equal to :data:`esc.schema.DEMO_LABEL`,
or ``source="demo"``, which notebooks pass so that the mark survives pandas steps that drop
``attrs``).

Altair refuses to embed more than 5,000 rows unless told otherwise. The builders aggregate
first and put their rows in the chart's top-level ``datasets`` (:func:`inline`), which that
check does not cover, so a chart on a full BACI year renders without touching altair's global
settings. :func:`save` writes PNG and SVG through vl-convert, plus a JSON sidecar that the
briefing deck reads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import vl_convert

import esc
from esc import label as esc_label
from esc import source as esc_source
from esc.atomic import write_atomic
from esc.charts.style import DEMO_RED, MUTED, ChartText, esc_theme
from esc.errors import BadValueError, UnknownSourceError
from esc.schema import DEMO_LABEL

log = logging.getLogger(__name__)

DEMO_MARK = "DEMO DATA — not real trade statistics"
"""The line every chart built on the generated demo world shows under its title."""

Store = dict[str, list[dict]]
"""Rows of a chart, by dataset name (attached as the chart's top-level ``datasets``)."""


def is_demo(
    table: pd.DataFrame | None = None, label: str | None = None, source: str | None = None
) -> bool:
    """Whether a chart of ``table`` carries the demo mark.

    Demo when :func:`esc.label.is_demo` says the table is, when ``label`` is
    :data:`esc.schema.DEMO_LABEL`, or when ``source`` is ``"demo"``. Nothing else (no text
    search in labels).

    >>> is_demo(label=DEMO_LABEL), is_demo(source="demo"), is_demo(label="my demo notes")
    (True, True, False)
    """
    return (esc_label.is_demo(table) or label == DEMO_LABEL
            or (source or "").lower() == "demo")


def source_title(key: str) -> str:
    """How a source line names a source: the registry's title for a registered name
    (``"baci"`` -> ``"CEPII BACI"``), else the text itself."""
    try:
        return esc_source.get(key).title or key
    except UnknownSourceError:
        return key


def source_line(
    table: pd.DataFrame | None = None, *, source: str | None = None, vintage: str | None = None
) -> str:
    """The footer text: ``Source: <source> (<vintage>). Chart: esc <version>.``

    ``source`` is a registered source name or the source text; by default the table's label
    names it (:func:`esc.label.label_of`: the source's title, and the release as vintage).
    Nothing is read from the data folder or the cache.

    >>> source_line(source="CEPII BACI", vintage="V202501").startswith("Source: CEPII BACI")
    True
    """
    found = esc_label.label_of(table) if table is not None else None
    if source:
        name = source_title(source)
    elif found is not None:
        name = source_title(found.source) if found.source else found.title
        if name == found.source and found.title:
            name = found.title  # an unregistered source: the label's own text
    else:
        name = "not stated"
    vint = vintage or (found.vintage if found is not None else None)
    return f"Source: {name}" + (f" ({vint})" if vint else "") + f". Chart: esc {esc.__version__}."


def note(text: str, *, orient: str, colour: str, bold: bool) -> alt.Title:
    """A line of text above or below a chart, aligned with its left edge."""
    return alt.Title(text=text, orient=orient, anchor="start", frame="bounds", fontSize=11,
                     color=colour, fontWeight="bold" if bold else "normal", offset=10)


class Figure(alt.VConcatChart):
    """An esc chart: the body inside the vertical frames that carry its title, demo mark and
    footer (:func:`finish`).

    Altair deep-copies every subchart whenever a concatenated chart is built or copied (to
    lift selection parameters to the top), and ``to_dict`` and ``configure`` copy it again,
    so three nested frames around a large layered body cost seconds. A frame whose parts
    hold no parameter has nothing to lift: it keeps its parts as they are. A part with
    parameters (the explorer's selections) goes through altair's own lifting.

    :func:`save` remembers the files it rendered; showing the same, unchanged chart in a
    notebook with altair's ``png`` renderer then uses that rendering instead of converting
    the chart again (:meth:`_repr_mimebundle_`).
    """

    def __init__(self, data: Any = alt.Undefined, vconcat: Sequence[Any] = (),
                 **kwargs: Any) -> None:
        parts = list(vconcat)
        if any(_has_params(p) for p in parts):
            super().__init__(data=data, vconcat=parts, **kwargs)
            return
        shared = getattr(parts[0], "data", alt.Undefined) if parts else alt.Undefined
        if data is alt.Undefined and shared is not alt.Undefined and all(
                getattr(p, "data", alt.Undefined) is shared for p in parts):
            # as altair does: data that every part shares moves up to the frame
            data, parts = shared, [_without_data(p) for p in parts]
        # altair's schema-object constructor, without the copying lift
        super(alt.VConcatChart, self).__init__(data=data, vconcat=parts, **kwargs)

    def _repr_mimebundle_(self, *args: Any, **kwargs: Any) -> Any:
        """Altair's display, reusing :func:`save`'s rendering when the chart is unchanged
        and the active renderer is ``png`` (the same image: the saved SVG rasterised at the
        renderer's scale)."""
        rendered = self.__dict__.get("_esc_rendered")
        if rendered is not None and alt.renderers.active == "png":
            spec, svg = rendered
            bundle = _png_bundle(svg, alt.renderers.options)
            if bundle is not None and _spec(self) == spec:
                return bundle
        return super()._repr_mimebundle_(*args, **kwargs)


def _without_data(chart: Any) -> Any:
    """A shallow copy of ``chart`` without its ``data``."""
    out = chart.copy(deep=False)
    out.data = alt.Undefined
    return out


def _has_params(chart: Any) -> bool:
    """Whether a chart has selection or variable parameters at its top (to lift)."""
    return getattr(chart, "params", alt.Undefined) is not alt.Undefined


def finish(
    body: alt.TopLevelMixin,
    table: pd.DataFrame | None,
    opts: ChartText,
    datasets: Store,
) -> Figure:
    """Wrap the body in title, demo mark and source footer; apply the esc config.

    ``opts`` are the chart's :class:`~esc.charts.style.ChartText` options (title, subtitle,
    label, source, vintage). Each note is a chart title, so it stays aligned with the left
    edge of the whole figure whatever the axis labels' width.
    """
    source, label = opts.get("source"), opts.get("label")
    footer = note(source_line(table, source=source, vintage=opts.get("vintage")),
                  orient="bottom", colour=MUTED, bold=False)
    chart: Any = Figure(vconcat=[body], title=footer)
    if is_demo(table, label, source):
        chart = Figure(vconcat=[chart], title=note(DEMO_MARK, orient="top", colour=DEMO_RED,
                                                   bold=True))
    subtitle = opts.get("subtitle")
    sub = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    title = opts.get("title", "")
    head = alt.Title(text=title, subtitle=sub) if sub else alt.Title(text=title)
    out = Figure(vconcat=[chart], title=head).configure(**esc_theme()["config"])
    out.datasets = datasets  # set directly: validated in the tests, not at every save
    return out


def no_rows(table: pd.DataFrame | None, opts: ChartText, width: int = 400) -> Figure:
    """The chart of an empty table: its title, label and footer around a grey "no rows"
    note, so a notebook section on data without rows still shows what it would draw."""
    store: Store = {}
    note = alt.Chart(inline(pd.DataFrame({"t": ["no rows: the table is empty"]}), store)
                     ).mark_text(fontSize=14, color=MUTED).encode(text="t:N").properties(
        width=width, height=60)
    return finish(note, table, opts, store)


def inline(df: pd.DataFrame, store: Store) -> alt.NamedData:
    """Put rows in ``store`` under a content-hash name and return a reference to them.

    :func:`finish` attaches ``store`` as the chart's top-level ``datasets``. Named data is
    not subject to altair's 5,000-row check, and the rows are validated once (when the
    chart is written) rather than at every step of composing the chart.
    """
    values = alt.to_values(df.reset_index(drop=True))["values"]
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
    name = f"esc-{digest.hexdigest()[:16]}"
    store[name] = values
    return alt.NamedData(name=name)


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

    PNGs are rendered at ``scale`` x the chart's pixel size (2 = sharp on slides). The chart
    is converted once: vl-convert draws the SVG from the Vega-Lite spec and rasterises that
    SVG for the PNG (the same pixels as its own PNG export, without running Vega twice). The
    spec is not validated against the Vega-Lite schema here: esc's builders produce valid
    specs, which the tests check for every builder; a chart built elsewhere is validated.
    Each file is written to a temporary name and moved into place, so a reader never sees
    half a file. The 5,000-row check is switched off only while saving (for charts built
    elsewhere; esc's own charts are not subject to it). ``folder=None`` writes nothing and
    returns ``[]``: a notebook run by hand (``output_dir = None``) only displays its charts.
    """
    if folder is None:
        return []
    if not _STEM.fullmatch(stem):
        raise BadValueError(f"chart file name {stem!r} must be letters, digits, '.', '_', '-'",
                            path=str(folder))
    unknown = [fmt for fmt in formats if fmt not in ("png", "svg")]
    if unknown:
        raise BadValueError(f"chart format {unknown[0]!r} is not png or svg", path=str(folder))
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    spec = _spec(chart)
    svg = vl_convert.vegalite_to_svg(spec, vl_version=_vl_version())
    if isinstance(chart, Figure):  # for the notebook's display of the same chart
        object.__setattr__(chart, "_esc_rendered", (spec, svg))
    paths = []
    for fmt in formats:
        payload = (vl_convert.svg_to_png(svg, scale=scale) if fmt == "png"
                   else svg.encode("utf-8"))
        paths.append(write_atomic(out / f"{stem}.{fmt}", payload))
        log.info("chart written: %s", paths[-1])
    write_atomic(out / f"{stem}.json", json.dumps(sidecar(spec, takeaway, key)).encode())
    return paths


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec; validated against the schema unless esc built it
    (:class:`Figure`, whose builders the tests validate)."""
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict(validate=not isinstance(chart, Figure))


PNG_OPTIONS = frozenset({"scale_factor", "ppi"})
"""Options of altair's ``png`` renderer that a saved SVG can honour when rasterised."""


def _png_bundle(svg: str, options: dict[str, Any]) -> Any:
    """The MIME bundle altair's ``png`` renderer shows, drawn from an SVG already rendered:
    the PNG at the renderer's ``scale_factor`` and ``ppi``, and its size in CSS pixels
    (pixels x 72 / ppi). Other renderer options (a locale) need a new conversion: None then
    goes back to altair."""
    if not set(options) <= PNG_OPTIONS:
        return None
    ppi = options.get("ppi", 72)
    png = vl_convert.svg_to_png(svg, scale=options.get("scale_factor", 1), ppi=ppi)
    width, height = (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
    factor = ppi / 72
    return {"image/png": png}, {"image/png": {"width": width / factor,
                                              "height": height / factor}}


def sidecar(spec: dict, takeaway: str | None, key: bool) -> dict[str, Any]:
    """Title, subtitle, label and source line of a chart spec, for the briefing deck."""
    title = spec.get("title", "")
    text, subtitle = ((title.get("text", ""), title.get("subtitle", ""))
                      if isinstance(title, dict) else (title, ""))

    def flat(x: Any) -> str:
        return " ".join(x) if isinstance(x, list) else str(x or "")

    demo = DEMO_MARK in json.dumps(spec, ensure_ascii=False)
    return {"title": flat(text), "subtitle": flat(subtitle), "takeaway": takeaway,
            "key": key, "label": DEMO_LABEL if demo else None,
            "source": next(_strings_starting(spec, "Source:"), None)}


def _strings_starting(obj: Any, prefix: str) -> Iterator[str]:
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
