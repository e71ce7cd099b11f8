"""The benchmark package in quick mode: it runs, measures every case, and esc agrees with
each baseline. Timings themselves are not asserted (they depend on the machine); the agreement
checks are, and so is the file layout of the generated BACI-shaped data.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from benchmarks.cases import CASES, NOT_QUICK

REPO = Path(__file__).resolve().parent.parent

EXPECTED = [
    "ingest one year CSV",
    "concentration, one year, from the Parquet cache, BACI rows",
    "concentration, one year, from the Parquet cache, rows summed first",
    "concentration, one year, DataFrame in memory, BACI rows",
    "concentration, one year, DataFrame in memory, rows summed first",
    "PCI/ECI",
    "filtered read",
    "out of core",
    "screen of every importer and product, one year",
    "screen of every importer and product, three years, geodep preset",
]


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out),
         "--data-dir", str(tmp / "data")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(out.read_text()), proc.stdout, tmp / "data"


def test_every_case_measured_and_agreeing(quick):
    report, _, _ = quick
    names = [c["name"] for c in report["comparisons"]]
    for prefix in EXPECTED:
        matches = [c for c in report["comparisons"] if c["name"].startswith(prefix)]
        assert len(matches) == 1, (prefix, names)
        c = matches[0]
        assert c["esc_seconds"] > 0 and c["baseline_seconds"] > 0, c
        assert c["esc_peak_rss_mb"] > 0 and c["baseline_peak_rss_mb"] > 0, c
        assert c["ratio"] == pytest.approx(c["baseline_seconds"] / c["esc_seconds"])
        assert c["agree"] is True, c
    ran = {case["case"] for case in report["cases"].values()}
    assert ran == set(CASES) - {"import_release"} - NOT_QUICK  # the report: minutes, full only


def test_scaling_targets_and_machine_recorded(quick):
    report, stdout, _ = quick
    rows = [p["rows"] for p in report["scaling"]]
    assert len(rows) >= 2 and rows == sorted(rows)
    assert all(p["esc_seconds"] > 0 and p["pandas_seconds"] > 0 and p["agree"]
               for p in report["scaling"])
    assert {t["status"] for t in report["targets"]} <= {"PASS", "MISS"}
    assert len(report["targets"]) == 12  # 8 of concentration, PCI, read; 4 of the screen
    for t in report["targets"]:
        assert f"{t['status']:<5} {t['target']}" in stdout
    assert report["machine"]["cores"] >= 1 and report["machine"]["duckdb"]


def test_generated_files_have_the_baci_layout(quick):
    report, _, data = quick
    (world,) = [p for p in data.iterdir() if p.name.endswith(f"y{report['size']['years']}_2022"
                                                             f"_s{report['size']['seed']}")]
    with zipfile.ZipFile(world / "BACI_HS17_V202501.zip") as zf:
        names = set(zf.namelist())
        assert {"country_codes_V202501.csv", "product_codes_HS17_V202501.csv"} <= names
        assert {f"BACI_HS17_Y{y}_V202501.csv" for y in range(2018, 2023)} <= names
        text = zf.read("BACI_HS17_Y2022_V202501.csv").decode()
    lines = text.splitlines()
    assert [c.strip('"') for c in lines[0].split(",")] == ["t", "i", "j", "k", "v", "q"]
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:]))))
    assert len(rows) == report["generation"]["rows"]["2022"]
    ks = {r[3] for r in rows}
    assert all(not k.startswith("0") for k in ks)
    assert any(len(k) == 5 for k in ks)  # chapters 01-09 lose their leading zero, as in BACI
    assert all(r[4].count(".") == 1 and len(r[4].split(".")[1]) == 3 for r in rows)
    assert all(len(r[5]) == 15 and r[5] == r[5].rjust(15) for r in rows)
    assert any(r[5].strip() == "NA" for r in rows)
    assert '"' in lines[1]  # q is quoted, as in CEPII's files
    assert {r[0] for r in rows} == {"2022"}
    assert all(r[1] != r[2] for r in rows)  # no self-trade


def test_markdown_tables_carry_the_measured_numbers(quick):
    from benchmarks.markdown import render

    report, _, _ = quick
    text = render(report)
    for c in report["comparisons"]:
        assert f"| {c['name']} |" in text
        assert f"**{c['ratio']:.1f}x**" in text
    assert text.count("**PASS**") + text.count("**MISS**") == len(report["targets"])
