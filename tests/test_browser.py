"""The report and the interactive charts in a real browser (headless Chromium, no network).

Every http(s) request is blocked (``tests/_browser.py``), so these tests check what an
offline reader sees: ``index.html`` and a notebook page written by ``esc report`` show their
charts (every image decoded, the interactive chart drawn) with no console error, and
``esc.charts.interactive()`` charts draw and show their tooltips without the internet.

Without Chromium the tests skip, unless ``ESC_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which
installs Debian's ``chromium``) makes that a failure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from _browser import Browser, open_page, require_chromium

from esc import report
from esc.charts import offline

PROVENANCE = {"source": "demo", "sha256": "b" * 64, "release": "test"}
# every image on the page decoded to a real size, and how many there are
IMAGES = ("Array.from(document.images).map(i => [i.getAttribute('src').slice(0, 40), "
          "i.complete, i.naturalWidth, i.naturalHeight])")
# vega views: an esc chart div holding the drawn svg or canvas
VIEWS = ("Array.from(document.querySelectorAll('.esc-chart')).map(d => "
         "d.querySelectorAll('svg.marks, canvas.marks').length)")
SCRIPT_URL = re.compile(r"<script[^>]*\bsrc=[\"']?(https?:)?//", re.I)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module (skips, or fails in CI, without it)."""
    with Browser(require_chromium()) as running:
        yield running


def _notebook(path: Path) -> Path:
    """A report notebook: parameters, a chart saved for the index, shown as PNG and live."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'reporters = ["IND", "JPN"]\nyear = 2023\nsource = "demo"\npreset = "study"\n'
        "sector = None\noutput_dir = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Imports by supplier"),
        params,
        nbformat.v4.new_code_cell(
            "import altair as alt\nimport pandas as pd\nfrom esc import charts\n"
            "table = pd.DataFrame({'supplier': ['China', 'Korea', 'Germany'],\n"
            "                      'usd_m': [412.5, 120.25, 33.0]})\n"
            "chart = alt.Chart(table, title=f'Imports {year}').mark_bar().encode(\n"
            "    x=alt.X('usd_m:Q', title='USD m'), y=alt.Y('supplier:N', sort='-x'),\n"
            "    tooltip=['supplier', 'usd_m'])\n"
            "charts.save(chart, output_dir, 'toy-suppliers')\n"
            "alt.renderers.enable('png')\nchart"),
        nbformat.v4.new_code_cell("charts.interactive()\nchart"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished ``esc report`` run of the toy notebook (provenance and checks stubbed)."""
    tmp = tmp_path_factory.mktemp("browser-report")
    (tmp / "nbs").mkdir()
    _notebook(tmp / "nbs" / "suppliers.ipynb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report, "data_provenance", lambda source: dict(PROVENANCE))
        mp.setattr(report, "check_parameters", lambda **kw: None)
        res = report.run_report(notebooks=["suppliers"], notebook_dir=tmp / "nbs",
                                out=tmp / "out", progress=False)
    assert res.ok, res.failed
    return res.folder


def test_index_page_shows_every_chart_with_no_console_error(browser, run_folder):
    index = run_folder / report.INDEX
    assert not SCRIPT_URL.search(index.read_text())
    manifest = json.loads((run_folder / report.MANIFEST).read_text())
    pngs = [c for c in manifest["charts"] if c.endswith(".png")]
    assert pngs == ["charts/toy-suppliers.png"]
    page = open_page(browser, index, ready="true", probe=IMAGES)
    assert page.errors == []
    assert [src for src, *_ in page.value] == pngs
    for src, complete, width, height in page.value:
        assert complete and width > 0 and height > 0, src


def test_notebook_page_shows_image_and_live_chart_offline(browser, run_folder):
    html = run_folder / "suppliers.html"
    text = html.read_text()
    assert not SCRIPT_URL.search(text), "the notebook page loads a script from the internet"
    page = open_page(browser, html, ready=f"{VIEWS}.every(n => n > 0)",
                     probe=f"[{IMAGES}, {VIEWS}]")
    images, views = page.value
    assert page.errors == []
    assert len(images) == 1 and images[0][0].startswith("data:image/png")
    assert images[0][2] > 0 and images[0][3] > 0
    assert views == [1]


def _chart_page(tmp_path: Path, n: int) -> Path:
    """A page with ``n`` interactive charts as ``esc.charts.interactive()`` writes them."""
    import altair as alt
    import pandas as pd

    table = pd.DataFrame({"supplier": ["China", "Korea"], "usd_m": [412.5, 120.25]})
    chart = alt.Chart(table).mark_bar().encode(
        x="usd_m:Q", y="supplier:N", tooltip=["supplier", "usd_m"]).properties(width=400)
    previous = alt.renderers.active
    try:
        offline.interactive()
        bundles = [chart._repr_mimebundle_() for _ in range(n)]
    finally:
        alt.renderers.enable(previous)
    bundles = [b[0] if isinstance(b, tuple) else b for b in bundles]
    body = "".join(b["text/html"] for b in bundles)
    page = tmp_path / "charts.html"
    page.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head>"
                    f"<body>{body}</body></html>")
    return page


def test_interactive_charts_draw_and_show_tooltips_with_no_network(browser, tmp_path):
    page_file = _chart_page(tmp_path, 2)
    assert not re.search(r"<script[^>]*src=", page_file.read_text())
    # the middle of China's bar (the longer one) in the first chart
    bar = ("(() => { const r = Array.from(document.querySelectorAll('.esc-chart')[0]"
           ".querySelectorAll('.mark-rect path')).map(p => p.getBoundingClientRect())"
           ".sort((a, b) => b.width - a.width)[0]; return [r.x + r.width / 2, "
           "r.y + r.height / 2]; })()")
    tooltip = ("(() => { const t = document.getElementById('vg-tooltip-element'); "
               "return t && t.classList.contains('visible') ? t.innerText : null; })()")
    page = open_page(browser, page_file, ready=f"{VIEWS}.every(n => n > 0)",
                     probe=f"[{VIEWS}, {tooltip}]", hover=bar)
    views, shown = page.value
    assert page.errors == []
    assert views == [1, 1]  # the second chart reuses the first one's libraries
    assert shown is not None and "China" in shown and "412.5" in shown


def test_the_harness_sees_a_page_that_needs_the_internet(browser, tmp_path):
    """The check can fail: a chart page loading vega from a CDN shows errors here."""
    page_file = tmp_path / "cdn.html"
    page_file.write_text(
        "<!doctype html><html><body><div id='vis'></div>"
        "<script src='https://cdn.jsdelivr.net/npm/vega@6'></script>"
        "<script>vegaEmbed('#vis', {})</script></body></html>")
    page = open_page(browser, page_file, ready="true", probe="typeof vegaEmbed")
    assert page.value == "undefined"
    assert any("cdn.jsdelivr.net" in e for e in page.errors)
    assert any("vegaEmbed is not defined" in e for e in page.errors)


# ------------------------------------------------------------------ JupyterLab itself

LOOPBACK_ONLY = ("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",)


@pytest.fixture
def lab_folder(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server on a free loopback port serving ``tmp_path`` (own Jupyter dirs)."""
    pytest.importorskip("jupyterlab", reason="JupyterLab is the lab extra: pip install '.[lab]'")
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, **{f"JUPYTER_{d.upper()}_DIR": str(tmp_path / f".jupyter-{d}")
                            for d in ("data", "config", "runtime")}}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
         f"--ServerApp.root_dir={tmp_path}", "--allow-root", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/api", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 120 s")
        yield url, tmp_path
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_interactive_charts_draw_in_jupyterlab_with_only_loopback(lab_folder):
    """A trusted notebook with two ``interactive()`` outputs, opened in JupyterLab in a
    browser that can reach nothing but the local server: both charts draw, and no request
    leaves the machine."""
    import altair as alt
    import pandas as pd
    from nbformat.sign import NotebookNotary

    url, folder = lab_folder
    table = pd.DataFrame({"supplier": ["China", "Korea"], "usd_m": [412.5, 120.25]})
    nb = nbformat.v4.new_notebook()
    for mark in ("bar", "point"):
        chart = alt.Chart(table, mark=mark).encode(x="usd_m:Q", y="supplier:N",
                                                   tooltip=["supplier", "usd_m"])
        cell = nbformat.v4.new_code_cell("chart")
        cell.outputs = [nbformat.v4.new_output(
            "display_data", data=offline.offline_renderer(chart.to_dict()))]
        nb.cells.append(cell)
    NotebookNotary(data_dir=str(folder / ".jupyter-data")).sign(nb)  # outputs trusted
    nbformat.write(nb, folder / "charts.ipynb")

    with Browser(require_chromium(), timeout=120, extra_flags=LOOPBACK_ONLY) as lab:
        page = open_page(lab, f"{url}/lab/tree/charts.ipynb", blocked=[], timeout=120,
                         ready=f"{VIEWS}.length === 2 && {VIEWS}.every(n => n > 0)",
                         probe=VIEWS)
    assert page.value == [1, 1]
    outside = [e["params"]["request"]["url"] for e in page.events
               if e.get("method") == "Network.requestWillBeSent"
               and e["params"]["request"]["url"].startswith(("http:", "https:"))
               and not e["params"]["request"]["url"].startswith(url)]
    assert outside == []
    assert not [e for e in page.errors if "vega" in e.lower()]
