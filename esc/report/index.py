"""The front page of a report run: ``index.html``.

It shows the run's status, its parameters as a person reads them, "what changed since" the
previous run, the briefing files, each notebook with its status, time and error, the
notebooks left out and why, and the chart gallery in drawing order.

Whether the page carries the demo banner is read from the manifest's data label with
:func:`esc.label.is_demo` and nothing else: the label was decided once when the run started
(:func:`esc.data.label`), so a run of ``--source baci`` on the demo world read back as release
``VDEMO`` is marked demo like a run of ``--source demo``, and a real run never is.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from esc import briefing
from esc.atomic import write_atomic
from esc.label import is_demo
from esc.report.manifest import MANIFEST
from esc.schema import DEMO_LABEL

INDEX = "index.html"

_STYLE = """body{font-family:sans-serif;margin:2em;max-width:1200px}
.demo{color:#b2182b;font-weight:bold} td,th{padding:2px 10px;text-align:left}
.ok{color:#1a9850} .failed,.interrupted{color:#b2182b} figure{display:inline-block;width:360px;
margin:6px} img{width:100%;border:1px solid #ddd}"""


def demo_banner(manifest: dict[str, Any]) -> str:
    """The red demo banner when the manifest's data label says demo, else ``""``.

    >>> label = {"source": "baci", "title": "CEPII BACI", "release": "VDEMO"}
    >>> "DEMO DATA" in demo_banner({"label": {**label, "demo": True}, "notebooks": []})
    True
    >>> demo_banner({"label": {**label, "demo": False}, "notebooks": []})
    ''
    """
    if not is_demo(manifest):
        return ""
    india = any(n["name"] == "india_official" for n in manifest.get("notebooks", []))
    return (f"<p class=\"demo\">{escape(DEMO_LABEL.upper())}: every figure in this report "
            "is computed on esc's generated demo world"
            + (", except india_official, which reads India's official statistics (DGCI&S)"
               if india else "") + ".</p>")


def _parameters(manifest: dict[str, Any]) -> str:
    return "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
                   for k, v in briefing.describe_parameters(manifest["parameters"],
                                                             manifest.get("label")).items())


def _notebooks(manifest: dict[str, Any]) -> str:
    return "".join(
        f"<tr><td><a href=\"{escape(n['html'] or n['output'] or '')}\">{escape(n['name'])}</a>"
        f"</td><td class=\"{escape(n['status'])}\">{escape(n['status'])}</td>"
        f"<td>{n['seconds'] if n['seconds'] is not None else ''}</td>"
        f"<td>{escape(n['error'] or '')}</td></tr>" for n in manifest["notebooks"])


def _gallery(manifest: dict[str, Any]) -> str:
    return "".join(
        f"<figure><a href=\"{escape(c)}\"><img src=\"{escape(c)}\" alt=\"{escape(c)}\"></a>"
        f"<figcaption>{escape(c.split('/')[-1][:-4])}</figcaption></figure>"
        for c in manifest.get("charts_in_order", manifest["charts"]) if c.endswith(".png"))


def _changes(manifest: dict[str, Any]) -> str:
    changed = manifest.get("changes") or {}
    if not changed:
        return ""
    return (f"<h2>What changed since {escape(str(changed.get('since'))[:10])}</h2><ul>"
            + "".join(f"<li>{escape(line)}</li>" for line in changed.get("lines", []))
            + f"</ul><p>Compared with run {escape(str(changed.get('previous')))}.</p>")


def _briefing(manifest: dict[str, Any]) -> str:
    files = " · ".join(f"<a href=\"{escape(name)}\">{escape(what)}</a>"
                       for name, what in ((briefing.DECK, "briefing slides (pptx)"),
                                          (briefing.WORKBOOK, "key tables (xlsx)"))
                       if name in manifest.get("briefing", []))
    return f"<p class=\"briefing\">For the briefing: {files}</p>" if files else ""


def _absent(manifest: dict[str, Any]) -> str:
    items = "".join(f"<li>{escape(k)}: {escape(v)}</li>"
                    for k, v in manifest.get("absent", {}).items())
    return f"<p>Not in this report:</p><ul>{items}</ul>" if items else ""


def index_html(manifest: dict[str, Any]) -> str:
    """A front page for the run folder: banner, parameters, notebooks, chart gallery."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>esc report {escape(manifest['run'])}</title>
<style>{_STYLE}</style></head><body>
<h1>esc report</h1>{demo_banner(manifest)}{_briefing(manifest)}
<p>Run {escape(manifest['run'])}: {escape(manifest['status'])}, started
{escape(str(manifest['started_utc']))}, {manifest['seconds']} s.
Details in <a href="{MANIFEST}">{MANIFEST}</a>.</p>
{_changes(manifest)}<h2>Parameters</h2><table>{_parameters(manifest)}</table>
<h2>Notebooks</h2><table><tr><th>notebook</th><th>status</th><th>seconds</th><th>error</th>
</tr>{_notebooks(manifest)}</table>{_absent(manifest)}
<h2>Charts</h2>{_gallery(manifest)}
</body></html>
"""


def write_index(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``folder/index.html`` for ``manifest`` atomically; return the path."""
    return write_atomic(folder / INDEX, index_html(manifest))
