"""The report runner on tiny throwaway notebooks written into tmp_path.

Each notebook has a ``parameters`` cell like esc's own; the good one appends a line to
``runs.log`` next to it (a relative path, so it also checks the working directory) and
writes a "chart" into ``output_dir``; the bad one raises after its first cell.
"""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import nbformat
import pytest

from esc import report
from esc.config import notebooks_dir, package_data_dir
from esc.errors import (
    UnknownCountryError,
    UnknownNotebookError,
    UnknownParameterError,
    UnknownPresetError,
)
from esc.sources import demo

PROVENANCE = {"source": "demo", "sha256": "a" * 64, "release": "test"}


def _notebook(path: Path, cells: list[str], params: str) -> Path:
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell(params)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# test"), first,
                *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


PARAMS = ('reporters = ["IND", "JPN"]\nyear = 2000\nsource = "demo"\npreset = "study"\n'
          'sector = None\noutput_dir = None')


@pytest.fixture
def nbdir(tmp_path: Path) -> Path:
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder / "good.ipynb", [
        "from pathlib import Path\n"
        "with open('runs.log', 'a') as fh:\n    fh.write(f'{year}\\n')\n"
        "Path(output_dir, f'good-{year}.svg').write_text('<svg/>')\n"
        "print('year', year, 'reporters', '+'.join(reporters))",
    ], PARAMS)
    _notebook(folder / "bad.ipynb", [
        "print('before the error')",
        "raise ValueError('boom')",
        "print('after the error')",
    ], PARAMS)
    _notebook(folder / "sector.ipynb", [
        "from pathlib import Path\nfrom esc.report import slugify\n"
        "Path(output_dir, slugify(sector) + '.svg').write_text('<svg/>')\nprint(sector)",
    ], PARAMS)
    return folder


@pytest.fixture(autouse=True)
def _fixed_provenance(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    monkeypatch.setattr(report, "data_provenance", lambda source: dict(PROVENANCE))
    if "real_checks" not in request.keywords:  # the toy notebooks' years are not data years
        monkeypatch.setattr(report, "check_parameters", lambda **kw: None)


def _run(nbdir: Path, out: Path, notebooks: list[str], **kw) -> report.RunResult:
    kw.setdefault("progress", False)
    return report.run_report(notebooks=notebooks, notebook_dir=nbdir, out=out, **kw)


def _outputs(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))


def test_slugify():
    assert report.slugify("Digital and EE") == "digital-and-ee"
    assert report.slugify("  Bio-healthcare ") == "bio-healthcare"


def test_manifest_parameters_provenance_versions_and_outputs(nbdir, tmp_path):
    res = _run(nbdir, tmp_path / "out", ["good", "sector"], year=2021,
               sectors=["Digital and EE", "Bio-healthcare"])
    assert res.ok and res.failed == []
    folder = res.folder
    assert folder.parent == (tmp_path / "out").resolve()
    assert [nb.name for nb in res.notebooks] == ["good", "sector-digital-and-ee",
                                                 "sector-bio-healthcare"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest == res.manifest
    assert manifest["status"] == "ok"
    assert manifest["parameters"] == {"reporters": ["IND", "JPN"], "year": 2021,
                                      "source": "demo", "preset": "study",
                                      "sectors": ["Digital and EE", "Bio-healthcare"],
                                      "notebooks": ["good", "sector"]}
    assert manifest["data_provenance"] == PROVENANCE
    assert {"esc", "pandas", "duckdb", "altair", "papermill", "python"} <= set(
        manifest["versions"])
    assert manifest["started_utc"] <= manifest["finished_utc"]
    assert folder.name.startswith(manifest["started_utc"][:10].replace("-", ""))
    for nb in manifest["notebooks"]:
        assert nb["status"] == "ok" and nb["seconds"] > 0 and nb["error"] is None
        assert (folder / nb["output"]).is_file() and (folder / nb["html"]).is_file()
    # the parameter reached the kernel, and the relative path resolved beside the template
    assert "year 2021 reporters IND+JPN" in _outputs(folder / "good.ipynb")
    assert (nbdir / "runs.log").read_text() == "2021\n"
    # one sector notebook per sector, each given its own sector
    assert "Bio-healthcare" in _outputs(folder / "sector-bio-healthcare.ipynb")
    sector_params = manifest["notebooks"][2]["parameters"]
    assert sector_params["sector"] == "Bio-healthcare"
    assert sector_params["output_dir"] == str(folder / "charts")
    assert manifest["charts"] == ["charts/bio-healthcare.svg", "charts/digital-and-ee.svg",
                                  "charts/good-2021.svg"]
    assert "year 2021" in (folder / "good.html").read_text()
    index = (folder / "index.html").read_text()
    assert "DEMO DATA, NOT REAL TRADE STATISTICS" in index
    for nb in manifest["notebooks"]:
        assert f'href="{nb["html"]}"' in index


def test_failing_notebook_keeps_partial_output_and_others_run(nbdir, tmp_path, capsys):
    res = _run(nbdir, tmp_path / "out", ["bad", "good"], progress=True)
    assert not res.ok
    assert res.failed == ["bad"]
    status = {nb.name: nb.status for nb in res.notebooks}
    assert status == {"bad": "failed", "good": "ok"}
    partial = res.folder / "bad.ipynb"
    assert partial.is_file()
    text = _outputs(partial)
    assert "before the error" in text and "after the error" not in text
    manifest = json.loads((res.folder / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    bad = next(nb for nb in manifest["notebooks"] if nb["name"] == "bad")
    assert bad["error"].startswith("ValueError") and "boom" in bad["error"]
    assert (res.folder / "good.ipynb").is_file()
    assert "2/2" in capsys.readouterr().err  # the progress bar counted both notebooks
    assert 'class="failed">failed' in (res.folder / "index.html").read_text()
    # a failed run is never reused
    again = _run(nbdir, tmp_path / "out", ["bad", "good"])
    assert again.reused_from is None and again.failed == ["bad"]


def test_second_identical_run_reuses_and_changed_inputs_do_not(nbdir, tmp_path):
    out = tmp_path / "out"
    first = _run(nbdir, out, ["good"])
    second = _run(nbdir, out, ["good"])
    assert second.folder != first.folder
    assert second.reused_from == first.folder
    assert second.manifest["status"] == "reused"
    assert second.manifest["reused_from"] == first.folder.name
    assert [nb.status for nb in second.notebooks] == ["reused"]
    assert (nbdir / "runs.log").read_text() == "2000\n"  # executed once only
    for item in ("good.ipynb", "good.html", "charts/good-2000.svg"):
        assert (second.folder / item).read_bytes() == (first.folder / item).read_bytes()
    # another year, another data hash, an edited notebook: each runs again
    assert _run(nbdir, out, ["good"], year=2001).reused_from is None
    PROVENANCE["sha256"] = "b" * 64
    try:
        assert _run(nbdir, out, ["good"]).reused_from is None
    finally:
        PROVENANCE["sha256"] = "a" * 64
    nb = nbformat.read(nbdir / "good.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nbformat.write(nb, nbdir / "good.ipynb")
    assert _run(nbdir, out, ["good"]).reused_from is None
    assert (nbdir / "runs.log").read_text().split() == ["2000", "2001", "2000", "2000"]
    assert _run(nbdir, out, ["good"], reuse=False).reused_from is None


def test_no_reuse_without_data_hashes(nbdir, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "data_provenance", lambda source: {"source": source})
    first = _run(nbdir, tmp_path / "out", ["good"])
    second = _run(nbdir, tmp_path / "out", ["good"])
    assert first.ok and second.reused_from is None


def test_two_concurrent_runs_leave_two_intact_folders(nbdir, tmp_path):
    out = tmp_path / "out"
    barrier = threading.Barrier(2)
    results: list[report.RunResult] = []
    errors: list[BaseException] = []

    def go():
        try:
            barrier.wait()
            results.append(_run(nbdir, out, ["good"]))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert len(results) == 2
    a, b = results
    assert a.folder != b.folder
    for res in results:
        manifest = json.loads((res.folder / "manifest.json").read_text())
        assert manifest["status"] in {"ok", "reused"}
        nb = nbformat.read(res.folder / "good.ipynb", as_version=4)
        assert "year 2000" in "".join(o.get("text", "") for c in nb.cells
                                      if c.cell_type == "code" for o in c.get("outputs", []))
        assert (res.folder / "charts" / "good-2000.svg").is_file()
    index = json.loads((out / report.INDEX_NAME).read_text())
    assert len(index) == 1
    assert next(v["run"] for v in index.values()) in {a.folder.name, b.folder.name}
    assert not [p for p in out.rglob(".*.tmp")]


def test_unknown_notebook_is_named(nbdir, tmp_path):
    with pytest.raises(UnknownNotebookError, match=r"nosuch.*known in .*: bad, good, sector"):
        _run(nbdir, tmp_path / "out", ["nosuch"])


def test_bad_sector_or_reporter_fails_before_any_run(nbdir, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(UnknownParameterError, match="Atlantis"):
        _run(nbdir, out, ["sector"], sectors=["Atlantis"])
    with pytest.raises(UnknownCountryError, match="XXY"):
        _run(nbdir, out, ["good"], reporters=("IND", "XXY"))
    assert not out.exists() or not [p for p in out.iterdir() if p.is_dir()]


def test_report_gives_the_same_key_tables_as_the_notebook_run_by_hand(tmp_path):
    """The checked cells (``# NBVAL_CHECK_OUTPUT``) of the stored notebook hold what a run by
    hand with the default parameters prints (nbval verifies that); ``esc report`` with its
    default parameters must print the same."""
    from esc.config import notebooks_dir
    from esc.report import run_report

    res = run_report(notebooks=["overview"], out=tmp_path, progress=False, year=2023)
    assert res.ok, res.failed

    def checked(path):
        nb = json.loads(path.read_text())
        return [
            [o.get("data", {}).get("text/plain") or o.get("text") for o in c.get("outputs", [])
             if o.get("output_type") in ("execute_result", "stream")]
            for c in nb["cells"]
            if c["cell_type"] == "code" and "NBVAL_CHECK_OUTPUT" in "".join(c["source"])
        ]

    stored = checked(notebooks_dir() / "overview.ipynb")
    ran = checked(res.folder / "overview.ipynb")
    assert stored and all(stored), "the overview notebook has checked cells with outputs"
    assert ran == stored


@pytest.mark.real_checks
@pytest.mark.parametrize("year", [2019, 2021])
def test_report_runs_for_earlier_years_with_the_trends_they_have(tmp_path, year):
    """The notebooks that look four years back run for any demo year from 2019 (the demo
    world starts in 2015) and say how many years their trend has."""
    from esc.report import run_report

    res = run_report(notebooks=["critical_minerals", "sector"], sectors=["Batteries"],
                     out=tmp_path, progress=False, year=year)
    assert res.ok, res.failed
    assert [nb.status for nb in res.notebooks] == ["ok", "ok"]
    page = (res.folder / "critical_minerals.ipynb").read_text()
    assert f"{year - 4}-{year}" in page  # the trend's span, as the notebook prints it
    assert (res.folder / "briefing.pptx").is_file() and (res.folder / "tables.xlsx").is_file()


# ------------------------------------------------------------------ reuse never stale


def test_editing_package_data_or_groups_file_recomputes(nbdir, tmp_path, monkeypatch):
    data = tmp_path / "pkgdata"
    data.mkdir()
    for name in ("sectors.csv", "partner_groups.csv", "initiatives.csv"):
        (data / name).write_text(f"{name}\n1\n", encoding="utf-8")
    monkeypatch.setattr(report.manifest, "package_data_dir", lambda: data)
    out = tmp_path / "out"
    first = _run(nbdir, out, ["good"], year=2001)
    assert first.reused_from is None
    assert _run(nbdir, out, ["good"], year=2001).reused_from == first.folder
    # An edited initiatives table (the symptom: the old chart was reused) ...
    (data / "initiatives.csv").write_text("initiatives.csv\n2\n", encoding="utf-8")
    second = _run(nbdir, out, ["good"], year=2001)
    assert second.reused_from is None
    assert _run(nbdir, out, ["good"], year=2001).reused_from == second.folder
    # ... and a user's own partner groups file each change the key.
    groups = tmp_path / "groups.csv"
    groups.write_text("group,iso3,source\ntrusted,JPN,me\n", encoding="utf-8")
    monkeypatch.setenv("ESC_GROUPS_FILE", str(groups))
    third = _run(nbdir, out, ["good"], year=2001)
    assert third.reused_from is None
    groups.write_text("group,iso3,source\ntrusted,AUS,me\n", encoding="utf-8")
    assert _run(nbdir, out, ["good"], year=2001).reused_from is None


def test_fingerprint_covers_code_and_data_folder(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    (raw / "atlas").mkdir(parents=True)
    table = raw / "atlas" / "pci.csv"
    table.write_text("a\n1\n", encoding="utf-8")
    monkeypatch.setenv("ESC_DATA_DIR", str(raw))
    template = tmp_path / "t.ipynb"
    template.write_text("{}", encoding="utf-8")
    before = report.inputs_fingerprint([template])
    table.write_text("a\n22\n", encoding="utf-8")
    after = report.inputs_fingerprint([template])
    assert before["data_folder"] != after["data_folder"]
    assert before["code"] == after["code"] and len(before["code"]) == 64
    template.write_text('{"changed": 1}', encoding="utf-8")
    assert report.inputs_fingerprint([template])["notebooks"] != after["notebooks"]


# ----------------------------------------------------------- interrupted, quiet, checks


_KILLABLE = """
import sys
from esc import report
report.data_provenance = lambda source: {"sha256": "b" * 64}
report.check_parameters = lambda **kw: None
report.run_report(notebooks=["slow"], notebook_dir=sys.argv[1], out=sys.argv[2],
                  progress=False)
"""


def test_killed_report_is_marked_interrupted_next_time(nbdir, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    _notebook(nbdir / "slow.ipynb", ["import time\ntime.sleep(120)"], PARAMS)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", _KILLABLE, str(nbdir), str(out)],
                            start_new_session=True)
    manifest = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and manifest is None:
        found = list(out.glob(f"*/{report.MANIFEST}"))
        manifest = found[0] if found else None
        time.sleep(0.2)
    assert manifest is not None, "the report never started"
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGKILL)  # the runner and its kernel, as a reboot would
    proc.wait(timeout=30)
    assert json.loads(manifest.read_text())["status"] == "running"
    # The next run in the same folder notices it.
    _run(nbdir, out, ["good"])
    killed = json.loads(manifest.read_text())
    assert killed["status"] == "interrupted"
    assert [nb["status"] for nb in killed["notebooks"]] == ["interrupted"]
    assert "interrupted" in (manifest.parent / report.INDEX).read_text()


def test_successful_report_prints_no_kernel_noise(nbdir, tmp_path):
    import subprocess
    import sys

    script = _KILLABLE.replace('["slow"]', '["good"]')
    done = subprocess.run([sys.executable, "-c", script, str(nbdir), str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "IPKernelApp" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    assert done.stderr.strip() == ""


def _study_sectors() -> list[str]:
    """The study's sectors, read from esc's sectors.csv with the csv module."""
    with (package_data_dir() / "sectors.csv").open(encoding="utf-8", newline="") as fh:
        return sorted({row["sector"] for row in csv.DictReader(fh) if row["origin"] == "study"})


BAD_PARAMETERS = [  # (CLI args, run_report keywords, error class, what the message must name)
    (["--preset", "nope"], {"preset": "nope"}, UnknownPresetError,
     lambda: ["'nope'", "study", "ec2021", "geodep", "crma"]),
    (["--notebook", "nosuch"], {"notebooks": ["nosuch"]}, UnknownNotebookError,
     lambda: ["nosuch", *sorted(p.stem for p in notebooks_dir().glob("*.ipynb"))]),
    (["--sector", "Nowhere"], {"sectors": ["Nowhere"]}, UnknownParameterError,
     lambda: ["'Nowhere'", *_study_sectors()]),
    (["--year", "1990"], {"year": 1990}, UnknownParameterError,
     lambda: ["1990", f"{min(demo.YEARS)}-{max(demo.YEARS)}"]),
]


@pytest.mark.real_checks
@pytest.mark.parametrize("args, kwargs, error, named", BAD_PARAMETERS,
                         ids=["preset", "notebook", "sector", "year"])
def test_report_refuses_bad_parameters_before_any_kernel(tmp_path, capsys, args, kwargs,
                                                         error, named):
    """Each bad name stops ``esc report`` with exit code 2 and a message naming what esc
    knows, before any kernel starts; ``run_report`` raises the error class named for it
    (still an ``UnknownReleaseError`` for old ``except`` clauses)."""
    from esc.cli import main

    out = tmp_path / "reports"
    assert main(["report", "--out", str(out), "--no-progress", *args]) == 2
    message = capsys.readouterr().err
    for name in named():
        assert name in message
    assert not out.exists() or not any(out.iterdir())  # no run folder, no kernel
    with pytest.raises(error) as caught:
        report.run_report(out=out, progress=False, **kwargs)
    assert isinstance(caught.value, report.UnknownReleaseError)
    assert str(caught.value) in message
    assert not out.exists() or not any(out.iterdir())


def test_html_pages_are_code_free_and_hold_no_local_paths(nbdir, tmp_path):
    _notebook(nbdir / "paths.ipynb", [
        "secret_code_marker = 41 + 1\nprint('chart saved to', output_dir)\n"
        "import os\nprint('home', os.path.expanduser('~'))",
    ], PARAMS)
    res = _run(nbdir, tmp_path / "out", ["paths"], year=2001)
    page = (res.folder / "paths.html").read_text()
    assert "chart saved to ./charts" in page        # the output is kept, the path made relative
    assert "secret_code_marker" not in page         # no code
    assert str(tmp_path) not in page and str(Path.home()) + "<" not in page
    assert "home ~" in page
    assert "secret_code_marker" in (res.folder / "paths.ipynb").read_text()  # kept for analysts
    index = (res.folder / "index.html").read_text()
    assert "India (IND), Japan (JPN)" in index and "['IND'" not in index


def test_index_shows_charts_in_the_order_they_were_drawn(nbdir, tmp_path):
    _notebook(nbdir / "draw.ipynb", [
        "import time\nfrom pathlib import Path\n"
        "for name in ('zeta-overview', 'alpha-initiatives'):\n"
        "    Path(output_dir, name + '.png').write_bytes(b'png')\n    time.sleep(0.05)",
    ], PARAMS)
    res = _run(nbdir, tmp_path / "out", ["draw"])
    index = (res.folder / "index.html").read_text()
    assert index.index("zeta-overview.png") < index.index("alpha-initiatives.png")


def test_every_run_has_a_deck_and_a_workbook_also_when_reused(nbdir, tmp_path):
    from pptx import Presentation

    out = tmp_path / "out"
    first = _run(nbdir, out, ["good"], year=2001)
    assert first.manifest["briefing"] == ["briefing.pptx", "tables.xlsx"]
    index = (first.folder / "index.html").read_text()
    assert 'href="briefing.pptx"' in index and 'href="tables.xlsx"' in index
    deck = Presentation(str(first.folder / "briefing.pptx"))
    assert len(deck.slides) >= 2
    again = _run(nbdir, out, ["good"], year=2001)
    assert again.reused_from == first.folder
    assert (again.folder / "briefing.pptx").read_bytes() == (
        first.folder / "briefing.pptx").read_bytes()


def test_rerun_says_what_changed_since_the_last_run(nbdir, tmp_path):
    _notebook(nbdir / "cats.ipynb", [
        "import pandas as pd\nfrom esc.briefing import save_table\n"
        "t = pd.read_csv('cats.csv', dtype={'hs6': str})\n"
        "save_table(t, output_dir, 'overview-categories', title='c', findings=True)",
    ], PARAMS)
    cats = nbdir / "cats.csv"
    cats.write_text("year,importer,hs6,short_name,imports_usd,category,flag\n"
                    "2023,IND,850760,Li-ion,3e9,A,True\n2023,IND,854143,PV,1e9,C,False\n"
                    "2023,JPN,850511,Magnets,4e8,A,True\n", encoding="utf-8")
    out = tmp_path / "out"
    first = _run(nbdir, out, ["cats"])
    assert first.manifest["changes"] is None  # nothing to compare with
    cats.write_text("year,importer,hs6,short_name,imports_usd,category,flag\n"
                    "2023,IND,850760,Li-ion,3e9,A,True\n2023,IND,854143,PV,1e9,A,True\n"
                    "2023,JPN,850511,Magnets,4e8,B,True\n", encoding="utf-8")
    second = _run(nbdir, out, ["cats"], reuse=False)
    changes = second.manifest["changes"]
    assert changes["previous"] == first.folder.name
    assert changes["lines"] == [
        "1 product(s) entered Category A: IND 854143 PV.",
        "1 product(s) left Category A: JPN 850511 Magnets.",
        "1 preset flag(s) flipped: IND 854143.",
    ]
    index = (second.folder / "index.html").read_text()
    assert "What changed since" in index and "IND 854143 PV" in index


# ------------------------------------------------------------- one label, one banner


@pytest.mark.real_checks
def test_baci_run_on_the_demo_release_has_the_demo_banner(tmp_path, monkeypatch, capsys):
    """``esc report --source baci`` on the demo world read back as BACI release ``VDEMO``:
    its tables print the demo label, so its index must carry the banner (it had none when the
    banner was decided by ``source == "demo"``)."""
    from esc import data
    from esc.cli import main
    from esc.schema import DEMO_LABEL

    monkeypatch.setattr(report, "data_provenance", report.manifest.data_provenance)
    data.import_file(demo.write_baci_zip(tmp_path / "BACI_HS22_VDEMO.zip", years=(2023,)))
    out = tmp_path / "reports"
    assert main(["report", "--source", "baci", "--notebook", "overview", "--year", "2023",
                 "--out", str(out), "--no-progress"]) == 0
    folder = Path(capsys.readouterr().out.split("report: ")[1].strip())
    manifest = json.loads((folder / report.MANIFEST).read_text())
    assert manifest["status"] == "ok" and manifest["parameters"]["source"] == "baci"
    assert manifest["label"]["demo"] is True
    assert (manifest["label"]["source"], manifest["label"]["release"]) == ("baci", "VDEMO")
    assert [e["release"] for e in manifest["data_provenance"]["entries"]] == ["VDEMO"]
    assert DEMO_LABEL in (folder / "overview.html").read_text()  # the tables say demo ...
    index = (folder / report.INDEX).read_text()
    assert f"{DEMO_LABEL.upper()}: every figure in this report" in index  # ... so does the page


def test_index_banner_follows_the_manifest_label_only(tmp_path):
    """The banner is read from ``manifest["label"]`` and nothing else: a real label gives no
    banner whatever the source parameter, a demo label gives it."""
    from datetime import UTC, datetime

    from esc.label import Label

    folder = tmp_path / "20261202T000000Z-00000000"
    (folder / "charts").mkdir(parents=True)
    real = Label("baci", "CEPII BACI", release="V202501", hs_rev="HS22")
    fake = Label("baci", "CEPII BACI", demo=True, release="VDEMO")
    now = datetime(2026, 12, 2, tzinfo=UTC)

    def page(label: Label, source: str) -> str:
        manifest = report.build_manifest(
            folder, status="ok", key="k", label=label.as_dict(), provenance={},
            parameters={"reporters": ["IND"], "year": 2023, "source": source},
            notebooks=[], kernel="python3", started=now, finished=now, reused_from=None)
        assert manifest["label"]["text"] == label.text
        return report.index_html(manifest)

    for source in ("baci", "demo"):
        assert "DEMO DATA" not in page(real, source) and 'class="demo"' not in page(real, source)
        assert 'class="demo">DEMO DATA, NOT REAL TRADE STATISTICS' in page(fake, source)


RENDEZVOUS = (
    "import time\nfrom pathlib import Path\nfrom esc.report import slugify\n"
    "slug = slugify(sector)\n"
    "Path(output_dir, slug + '-first.svg').write_text('<svg/>')\n"
    "Path(output_dir, '.here-' + slug).write_text('')\n"
    "deadline = time.time() + 120\n"
    "while len(list(Path(output_dir).glob('.here-*'))) < 2 and time.time() < deadline:\n"
    "    time.sleep(0.05)\n"
    "together = len(list(Path(output_dir).glob('.here-*'))) >= 2\n"
    "time.sleep(1.0 if slug == 'batteries' else 0.0)\n"
    "Path(output_dir, slug + '-second.svg').write_text('<svg/>')\n"
    "print('together', together)"
)


def test_notebooks_run_two_at_once_and_the_manifest_records_every_one(nbdir, tmp_path):
    """Each sector notebook waits until the other has started: only a run that executes
    them at the same time lets both say ``together True``."""
    _notebook(nbdir / "sector.ipynb", [RENDEZVOUS], PARAMS)
    res = _run(nbdir, tmp_path / "out", ["good", "sector"], year=2003, parallel=2,
               sectors=["Batteries", "Lithium"])
    assert res.ok
    manifest = json.loads((res.folder / "manifest.json").read_text())
    assert manifest["parallel"] == 2
    assert [nb["name"] for nb in manifest["notebooks"]] == ["good", "sector-batteries",
                                                            "sector-lithium"]
    for nb in manifest["notebooks"]:
        assert nb["status"] == "ok" and nb["seconds"] > 0
        assert (res.folder / nb["output"]).is_file() and (res.folder / nb["html"]).is_file()
    for slug in ("batteries", "lithium"):
        assert "together True" in _outputs(res.folder / f"sector-{slug}.ipynb")
    # batteries drew its second chart after lithium's: the order still reads notebook by notebook
    charts = (res.folder / "charts")
    assert (charts / "batteries-second.svg").stat().st_mtime_ns > (
        charts / "lithium-second.svg").stat().st_mtime_ns
    assert manifest["charts_in_order"] == [
        "charts/good-2003.svg", "charts/batteries-first.svg", "charts/batteries-second.svg",
        "charts/lithium-first.svg", "charts/lithium-second.svg"]
    assert manifest["charts"] == sorted(manifest["charts_in_order"])


def test_one_at_a_time_keeps_the_drawing_order(nbdir, tmp_path, monkeypatch):
    monkeypatch.setenv("ESC_REPORT_JOBS", "1")
    assert report.workers() == 1
    res = _run(nbdir, tmp_path / "out", ["good", "sector"], year=2004, sectors=["Nickel"])
    assert res.ok and res.manifest["parallel"] == 1
    assert res.manifest["charts_in_order"] == ["charts/good-2004.svg", "charts/nickel.svg"]
    monkeypatch.setenv("ESC_REPORT_JOBS", "two")
    with pytest.raises(UnknownParameterError, match="ESC_REPORT_JOBS"):
        report.workers()


def test_charts_are_grouped_by_the_notebook_that_names_them(tmp_path):
    """Prefix first (sector slug or notebook name), then the notebook whose code names the
    chart, then the time the file was written."""
    (tmp_path / "charts").mkdir()
    jobs = []
    for name, code in (("overview", 'save(c, d, "overview-a")'),
                       ("sector-digital-and-ee", 'save(c, d, f"{slug}-heatmap")'),
                       ("india_official", 'save(c, d, "india-lithium-suppliers")')):
        out = tmp_path / f"{name}.ipynb"
        out.write_text(json.dumps({"cells": [{"source": code}]}))
        jobs.append(report.NotebookRun(name=name, template=out, parameters={}, output=out))
    drawn = ["charts/india-lithium-suppliers.png", "charts/digital-and-ee-heatmap.png",
             "charts/overview-a.png", "charts/unnamed.png"]
    for chart in drawn:
        (tmp_path / chart).write_bytes(b"png")
    jobs[1].window = (0.0, 1e12)  # the only run that covered the unnamed chart's time
    assert report.order_charts(tmp_path, drawn, jobs) == [
        "charts/overview-a.png", "charts/digital-and-ee-heatmap.png", "charts/unnamed.png",
        "charts/india-lithium-suppliers.png"]


def test_an_interrupt_starts_no_further_notebook(tmp_path, monkeypatch):
    """Ctrl-C while two notebooks run: the queued ones are never started."""
    import time

    from esc.report import runner

    started: list[str] = []

    def fake(job, folder, timeout):
        started.append(job.name)
        if job.name == "nb0":
            raise KeyboardInterrupt
        time.sleep(0.5)
        job.status = "ok"

    monkeypatch.setattr(runner, "_execute", fake)
    jobs = [report.NotebookRun(name=f"nb{i}", template=tmp_path, parameters={})
            for i in range(6)]
    with pytest.raises(KeyboardInterrupt):
        runner._run_all(jobs, tmp_path, timeout=10, progress=False, parallel=2)
    time.sleep(1.0)  # let the notebook that was running finish
    assert "nb0" in started and len(started) <= 3, started


# ------------------------------------------------------------- one notebook reused on its own

STEADY = ("from pathlib import Path\n"
          "with open('steady.log', 'a') as fh:\n    fh.write('ran\\n')\n"
          "Path(output_dir, 'steady-chart.svg').write_text('<svg>steady</svg>')\n"
          "print('steady ran')")


def test_a_notebook_without_year_is_reused_in_a_run_of_another_year(nbdir, tmp_path):
    """Like india_official: a notebook that takes no year is not run again when only the
    year changes; any change to its inputs runs it again."""
    _notebook(nbdir / "steady.ipynb", [STEADY], "output_dir = None")
    out = tmp_path / "out"
    first = _run(nbdir, out, ["good", "steady"], year=2000)
    assert first.ok and first.manifest["files_exact"] is True
    recs = {nb["name"]: nb for nb in first.manifest["notebooks"]}
    assert recs["steady"]["files"] == ["charts/steady-chart.svg"]
    assert recs["good"]["files"] == ["charts/good-2000.svg"]

    second = _run(nbdir, out, ["good", "steady"], year=2001)
    assert second.ok and second.reused_from is None  # the run as a whole is new
    assert second.manifest["status"] == "ok"
    status = {nb.name: nb.status for nb in second.notebooks}
    assert status == {"good": "ok", "steady": "reused"}
    rec = next(nb for nb in second.manifest["notebooks"] if nb["name"] == "steady")
    assert rec["reused_from"] == first.folder.name and rec["seconds"] == 0
    assert (nbdir / "steady.log").read_text() == "ran\n"  # executed once
    assert (nbdir / "runs.log").read_text().split() == ["2000", "2001"]
    for item in ("steady.ipynb", "steady.html", "charts/steady-chart.svg"):
        assert (second.folder / item).read_bytes() == (first.folder / item).read_bytes()
    assert second.manifest["charts"] == ["charts/good-2001.svg", "charts/steady-chart.svg"]
    assert second.manifest["charts_in_order"] == ["charts/good-2001.svg",
                                                  "charts/steady-chart.svg"]
    assert 'href="steady.html"' in (second.folder / "index.html").read_text()

    # a third year lends from the second run (which reused it): still the first execution
    third = _run(nbdir, out, ["good", "steady"], year=2002)
    assert {nb.name: nb.status for nb in third.notebooks}["steady"] == "reused"
    assert (nbdir / "steady.log").read_text() == "ran\n"


@pytest.mark.parametrize("change", ["data", "notebook", "package_data", "reuse_off"])
def test_a_changed_input_runs_the_notebook_again(nbdir, tmp_path, monkeypatch, change):
    _notebook(nbdir / "steady.ipynb", [STEADY], "output_dir = None")
    data = tmp_path / "pkgdata"
    data.mkdir()
    (data / "sectors.csv").write_text("sectors\n1\n", encoding="utf-8")
    monkeypatch.setattr(report.manifest, "package_data_dir", lambda: data)
    out = tmp_path / "out"
    assert _run(nbdir, out, ["steady"], year=2000).ok
    kw = {}
    if change == "data":  # another data provenance hash
        monkeypatch.setitem(PROVENANCE, "sha256", "c" * 64)
    elif change == "notebook":
        _notebook(nbdir / "steady.ipynb", [STEADY, "1 + 1"], "output_dir = None")
    elif change == "package_data":
        (data / "sectors.csv").write_text("sectors\n2\n", encoding="utf-8")
    else:
        kw["reuse"] = False
    again = _run(nbdir, out, ["steady"], year=2001, **kw)
    assert [nb.status for nb in again.notebooks] == ["ok"]
    assert (nbdir / "steady.log").read_text() == "ran\nran\n"


def test_a_run_with_a_file_of_unknown_owner_lends_nothing(nbdir, tmp_path):
    # 'loose.svg' is named by no notebook and carries no notebook's prefix: the run cannot
    # tell whose it is, so none of its notebooks is lent to a later run
    _notebook(nbdir / "steady.ipynb", [
        STEADY, "name = 'lo' + 'ose.svg'\nPath(output_dir, name).write_text('<svg/>')"],
        "output_dir = None")
    out = tmp_path / "out"
    first = _run(nbdir, out, ["steady"], year=2000, parallel=1)
    assert first.manifest["files_exact"] is False
    again = _run(nbdir, out, ["steady"], year=2001)
    assert [nb.status for nb in again.notebooks] == ["ok"]
