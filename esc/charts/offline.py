"""Interactive charts with no internet: the vega libraries travel inside each chart.

``esc.charts.interactive()`` switches altair to a renderer that writes each chart as an HTML
output carrying the Vega, Vega-Lite and vega-embed JavaScript itself (the bundle that
vl-convert-python ships, already installed for esc's PNG export), so the chart draws, with
its tooltips, in JupyterLab, in the classic notebook and in an exported HTML page on a
machine with no network. altair's own ``"default"``/``"html"`` renderers load these
libraries from a CDN (offline: "Error loading script"), and its ``"jupyter"`` renderer needs
anywidget.

Cost: each chart output holds the bundle, about 0.9 MB (the script runs once per page; a
later chart reuses ``window.vegaEmbed``). ``interactive(False)`` goes back to the PNG images
esc's notebooks store.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
from typing import Any

import altair as alt

from esc.atomic import write_atomic
from esc.config import cache_dir

log = logging.getLogger(__name__)

RENDERER = "esc-offline"

# The chart's div is found as altair's own template finds it: the element just before this
# script (JupyterLab may run the script before the output is in the document), else by id.
_PAGE = """<div id="{div}" class="esc-chart"></div>
<script type="text/javascript">
(function () {{
var el = document.currentScript && document.currentScript.previousElementSibling;
if (!el || el.id !== "{div}") {{ el = document.getElementById("{div}"); }}
if (typeof window.vegaEmbed === "undefined") {{
(function () {{
{bundle}
}})();
}}
window.vegaEmbed(el, {spec}, {options}).catch(function (err) {{
  el.textContent = "chart error: " + err;
  console.error(err);
}});
}})();
</script>"""

# The export menu stays (PNG/SVG); "open in the Vega editor" and "view source" would go online.
EMBED_OPTIONS: dict[str, Any] = {
    "mode": "vega-lite",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


@functools.cache
def _bundle() -> str:
    """The vega + vega-lite + vega-embed script for altair's Vega-Lite version.

    vl-convert assembles it in 10-15 s, so it is kept in esc's cache folder
    (``vega/vega-embed-<vl-convert version>-<vega-lite version>.js``) and in memory.
    """
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    version = vl_version_for_vl_convert()
    path = None
    with contextlib.suppress(OSError):
        path = cache_dir() / "vega" / f"vega-embed-{vl_convert.__version__}-{version}.js"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    text = str(vl_convert.javascript_bundle(vl_version=version))
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
        except OSError as exc:  # a read-only cache only costs time
            log.warning("could not keep the vega bundle in %s: %s", path, exc)
    return text


def _script_json(value: Any) -> str:
    """``value`` as JSON that cannot end the ``<script>`` element it sits in."""
    return json.dumps(value).replace("</", "<\\/")


def offline_html(spec: dict[str, Any], embed_options: dict[str, Any] | None = None) -> str:
    """A self-contained HTML fragment drawing the Vega-Lite ``spec`` (no network needed).

    >>> html = offline_html({"mark": "point", "data": {"values": [{"x": 1}]},
    ...                      "encoding": {"x": {"field": "x", "type": "quantitative"}}})
    >>> "cdn.jsdelivr" in html, "vegaEmbed" in html
    (False, True)
    """
    spec_json = _script_json(spec)
    options = _script_json({**EMBED_OPTIONS, **(embed_options or {})})
    return _PAGE.format(div=_div_id(spec_json + options), bundle=_bundle(), spec=spec_json,
                        options=options)


_DRAWN: dict[str, int] = {}
"""How many times each chart (by content hash) was drawn in this process."""


def _div_id(content: str) -> str:
    """The chart's element id: a hash of its spec and the count of earlier draws of the same
    spec, so that a rerun of a notebook writes the same page (nbval compares it) and two
    draws of one chart on a page still get two ids."""
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    _DRAWN[digest] = _DRAWN.get(digest, 0) + 1
    return f"esc-chart-{digest}-{_DRAWN[digest]}"


def offline_renderer(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    """altair renderer: the chart as offline HTML, with a text fallback."""
    return {"text/html": offline_html(spec, metadata.get("embed_options")),
            "text/plain": "<interactive chart: needs a notebook front end that runs scripts>"}


alt.renderers.register(RENDERER, offline_renderer)


def interactive(enable: bool = True) -> str:
    """Make altair charts interactive offline (tooltips, no internet); return the renderer.

    ``esc.charts.interactive()`` in a notebook's setup cell, then re-run the chart cells:
    each chart is drawn by vega-embed in the page, hovering shows the chart's tooltips, and
    the libraries come from the installed vl-convert-python, never from a CDN.
    ``interactive(False)`` returns to PNG images (what esc's stored notebooks use).
    """
    name = RENDERER if enable else "png"
    alt.renderers.enable(name)
    log.debug("altair renderer: %s", name)
    return name
