"""esc.study: one orchestration home, at the source's product level, for the CLI and notebooks."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from esc import label, study
from esc.cli import main
from esc.config import notebooks_dir
from esc.errors import BadValueError
from esc.schema import DEMO_LABEL


def _wits_rows(folder: Path) -> list[dict[str, str]]:
    """The rows of the WITS mirror zips, read with the csv module (exact duplicates once)."""
    seen: set[tuple[str, ...]] = set()
    rows = []
    for path in sorted(folder.glob("*.ZIP")):
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".csv"))
            with zf.open(name) as fh:
                for row in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig")):
                    key = tuple(row.values())
                    if key not in seen:
                        seen.add(key)
                        rows.append(row)
    return rows


def _india_imports(rows: list[dict[str, str]], year: int, chapter: str) -> float:
    """India's imports of a chapter (USD): partners' Export rows, no EU aggregate."""
    return 1000 * sum(float(r["TradeValue in 1000 USD"]) for r in rows
                      if r["TradeFlowName"] == "Export" and r["Year"] == str(year)
                      and r["ProductCode"].zfill(2) == chapter and r["ReporterISO3"] != "EUN")


def test_product_level_comes_from_the_source_registry():
    assert study.product_level("demo") == "hs6"
    assert study.product_level("wits-india") == "hs2"


def test_registry_codes_are_cut_to_the_level():
    hs6 = study.registry_codes("Batteries", "hs6")
    hs2 = study.registry_codes("Batteries", "hs2")
    assert set(hs2) == {c[:2] for c in hs6}


def test_screen_on_chapter_data_says_it_is_skipped_in_one_sentence():
    scr = study.screen(source="wits-india", reporters=["IND"], year=2022)
    assert scr.empty and "hs6" in scr.columns
    text = study.screen_text(scr, 2022)
    assert "skipped" in text and "\n" not in text
    assert not label.is_demo(scr)


def _stored_counts(notebook: Path) -> tuple[str, dict[str, dict[str, int]]]:
    """The scope line and the category counts the stored overview notebook printed (its
    checked cell that counts products per reporter and category)."""
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and "study.overview(" in src and "unstack" in src:
            texts = ["".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for o in cell["outputs"]]
            break
    else:  # pragma: no cover - the notebook lost its matrix cell
        raise AssertionError("no overview matrix cell")
    printed, table = texts[0], texts[-1]
    scope = next(line for line in printed.splitlines() if line.startswith("scope:"))
    lines = table.splitlines()
    cats = lines[0].split()[1:]
    counts = {}
    for line in lines[2:]:
        name, *values = line.split()
        counts[name] = dict(zip(cats, map(int, values), strict=True))
    return scope, counts


def test_cli_dependence_and_overview_notebook_give_the_same_counts(capsys):
    """Same parameters (the notebook's defaults: IND and JPN, 2023, preset study, no sector),
    same scope line and the same products per category."""
    scope, stored = _stored_counts(notebooks_dir() / "overview.ipynb")
    code = main(["dependence", "--reporter", "IND", "--reporter", "JPN", "--year", "2023",
                 "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), dtype={"hs6": str})
    got = table.groupby(["importer", "category"]).size()
    for reporter, row in stored.items():
        for cat, n in row.items():
            assert int(got.get((reporter, cat), 0)) == n, (reporter, cat)
    assert f"# {scope}" in err


def test_overview_from_a_screen_it_was_given_equals_its_own_screen():
    """The overview notebook screens once and passes the screen on: the registry view of that
    screen is the table study.overview builds by screening itself (rows and label); a screen
    run with another preset is refused."""
    scr = study.screen(source="demo", reporters=["IND", "JPN"], year=2023, preset="study")
    given = study.overview(reporters=["IND", "JPN"], year=2023, screened=scr)
    own = study.overview(reporters=["IND", "JPN"], year=2023)
    pd.testing.assert_frame_equal(given, own)
    assert given.attrs["label"] == own.attrs["label"] == DEMO_LABEL
    assert given.attrs["scope"] == own.attrs["scope"]
    assert set(given["hs6"]) < set(scr["hs6"])  # the registry is a part of the screen
    geodep = study.screen(source="demo", reporters=["IND"], year=2023, preset="geodep")
    with pytest.raises(BadValueError, match="preset"):
        study.overview(reporters=["IND"], year=2023, screened=geodep)


@pytest.mark.slow
def test_report_on_wits_runs_every_notebook_at_chapter_level(tmp_path, raw):
    """``esc report --source wits-india`` on one sector: every notebook ok, nothing labelled
    demo, the tables carry the WITS label and chapter codes."""
    rows = _wits_rows(raw("wits-india-mirror-hs2"))
    year = max(int(r["Year"]) for r in rows)
    code = main(["report", "--source", "wits-india", "--year", str(year), "--sector",
                 "Energy and critical minerals", "--out", str(tmp_path), "--no-progress"])
    assert code == 0
    manifest_path = next(tmp_path.glob("*/manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    run = manifest_path.parent
    status = {nb["name"]: nb["status"] for nb in manifest["notebooks"]}
    assert status and set(status.values()) == {"ok"}, status
    assert {"overview", "critical_minerals", "complementarity", "initiatives",
            "sector-energy-and-critical-minerals"} <= set(status)
    assert DEMO_LABEL not in (run / "index.html").read_text()
    tables = sorted((run / "tables").glob("*.json"))
    assert tables
    for path in tables:
        assert DEMO_LABEL not in path.read_text(), path.name
    products = pd.read_parquet(run / "tables" / "energy-and-critical-minerals-products.parquet")
    assert "hs2" in products.columns and "hs6" not in products.columns
    assert products["hs2"].str.fullmatch(r"\d{2}").all()
    for _, row in products[products["importer"] == "IND"].iterrows():
        assert row["imports_usd"] == pytest.approx(_india_imports(rows, year, row["hs2"]),
                                                   rel=1e-6)
    executed = (run / "overview.ipynb").read_text()
    assert re.search(r"wits-india is at hs2 level: the screen of every product needs HS6",
                     executed)
