"""The ``esc`` command line: outputs carry their label, numbers match independent hand
computations, and bad input exits 2 with a message naming what is wrong."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from esc.cli import main
from esc.schema import DEMO_LABEL


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dependence_on_demo_data_says_demo(capsys):
    code, out, _ = run(capsys, "dependence", "--reporter", "IND", "--year", "2023",
                       "--sector", "Batteries", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out), dtype={"hs6": str})
    assert (table["data_label"] == DEMO_LABEL).all()
    assert {"hs6", "imports_usd", "top1_partner", "top1_share", "hhi", "n_partners",
            "share_chn", "pci", "category"} <= set(table.columns)
    assert "850760" in set(table["hs6"])
    code, out, _ = run(capsys, "dependence", "--reporter", "JPN", "--sector", "Batteries")
    assert out.startswith(f"# {DEMO_LABEL}") and out.rstrip().endswith(DEMO_LABEL)


def _wits_hand_check(folder, year: int, chapter: str) -> dict[str, float]:
    """India's imports of one chapter by partner, from the raw zips with the csv module:
    Export rows (reporter's exports to India), no EU aggregate, exact duplicates once."""
    seen = set()
    by_partner: dict[str, float] = defaultdict(float)
    for path in sorted(folder.glob("*.ZIP")):
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".csv"))
            with zf.open(name) as fh:
                for row in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig")):
                    key = tuple(row.values())
                    if key in seen:
                        continue
                    seen.add(key)
                    if (row["TradeFlowName"] == "Export" and row["Year"] == str(year)
                            and row["ProductCode"].zfill(2) == chapter
                            and row["ReporterISO3"] != "EUN"):
                        by_partner[row["ReporterISO3"]] += float(row["TradeValue in 1000 USD"])
    return {k: v * 1000 for k, v in by_partner.items() if v > 0}


def test_dependence_on_wits_reproduces_hand_check(capsys, raw):
    folder = raw("wits-india-mirror-hs2")
    code, out, err = run(capsys, "dependence", "--reporter", "IND", "--year", "2022",
                         "--source", "wits-india", "--level", "hs2", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    rows = {r["hs2"]: r for r in payload["rows"]}
    assert "85" in rows and "28" in rows
    for chapter in ("85", "28"):
        hand = _wits_hand_check(folder, 2022, chapter)
        total = sum(hand.values())
        shares = np.array(sorted(hand.values(), reverse=True)) / total
        row = rows[chapter]
        assert row["imports_usd"] == pytest.approx(total, rel=1e-6)
        assert row["hhi"] == pytest.approx(float((shares**2).sum()), rel=1e-6)
        assert row["n_partners"] == len(hand)
        assert row["top1_partner"] == max(hand, key=hand.get)
        assert row["top1_share"] == pytest.approx(shares[0], rel=1e-6)
        assert row["share_chn"] == pytest.approx(hand.get("CHN", 0.0) / total, rel=1e-6)
    # the SOURCE.md figure: China supplied about 33.9 bn USD of chapter 85 in 2022
    assert rows["85"]["top1_partner"] == "CHN"


def test_wits_source_refuses_hs6(capsys):
    code, _, err = run(capsys, "dependence", "--source", "wits-india", "--level", "hs6")
    assert code == 2 and "hs2" in err


def test_unknown_reporter_and_year_exit_2(capsys):
    code, _, err = run(capsys, "dependence", "--reporter", "XXY")
    assert code == 2 and "XXY" in err
    code, _, err = run(capsys, "dependence", "--reporter", "IND", "--year", "1990")
    assert code == 2 and "1990" in err


def test_pci_command_agrees_with_library(capsys, tmp_path):
    from esc.complexity import complexity
    from esc.sources import demo

    flows = demo.load(years=2022)
    exports = flows.groupby(["year", "exporter", "hs6"], as_index=False)["value_usd"].sum()
    exports.columns = ["year", "country", "product", "export_value"]
    path = tmp_path / "exports.csv"
    exports.to_csv(path, index=False)
    code, out, _ = run(capsys, "pci", "--exports", str(path), "--format", "csv")
    assert code == 0
    got = pd.read_csv(io.StringIO(out), dtype={"code": str})
    expect = complexity(exports).pci.set_index("product")["pci"]
    pci = got[got["kind"] == "product"].set_index("code")["value"]
    assert pci.reindex(expect.index).to_numpy() == pytest.approx(expect.to_numpy(), abs=1e-5)


def test_pci_command_names_missing_column(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"year": [2022], "country": ["IND"], "value": [1.0]}).to_csv(path, index=False)
    code, _, err = run(capsys, "pci", "--exports", str(path))
    assert code == 2 and "bad.csv" in err and "product" in err


def test_scenario_and_complementarity_commands(capsys):
    code, out, _ = run(capsys, "scenario", "--reporter", "JPN", "--supplier", "CHN",
                       "--sector", "Permanent magnets", "--format", "csv")
    assert code == 0
    t = pd.read_csv(io.StringIO(out), dtype={"hs6": str})
    assert (t["data_label"] == DEMO_LABEL).all()
    assert (t["at_risk_usd"] <= t["imports_usd"] + 1e-6).all()
    code, out, _ = run(capsys, "complementarity", "--format", "json")
    assert code == 0 and json.loads(out)["label"] == DEMO_LABEL


def test_initiatives_command(capsys):
    code, out, _ = run(capsys, "initiatives", "--format", "json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert any("Renesas" in r["title"] for r in rows)
    code, _, err = run(capsys, "initiatives", "--sector", "no such sector")
    assert code == 2 and "no such sector" in err


def test_report_command_runs_one_notebook_and_exit_codes(capsys, tmp_path):
    import json as _json

    code, _, err = run(capsys, "report", "--notebook", "complementarity", "--out",
                         str(tmp_path), "--no-progress")
    assert code == 0, err
    folder = next(tmp_path.glob("*/manifest.json")).parent
    manifest = _json.loads((folder / "manifest.json").read_text())
    assert [n["name"] for n in manifest["notebooks"]] == ["complementarity"]
    assert manifest["notebooks"][0]["status"] == "ok"
    assert any(c.endswith(".png") for c in manifest["charts"])
    code, _, err = run(capsys, "report", "--notebook", "nope", "--out", str(tmp_path))
    assert code == 2 and "nope" in err


def test_user_edited_partner_groups(capsys, tmp_path):
    from esc.sources import demo

    groups = tmp_path / "groups.csv"
    groups.write_text("group,iso3,source\ntrusted,KOR,mine\ntrusted,USA,mine\n"
                      "friends,VNM,mine\nfriends,KOR,mine\n")
    code, out, err = run(capsys, "dependence", "--reporter", "IND", "--sector", "Batteries",
                         "--groups", str(groups), "--format", "csv")
    assert code == 0, err
    t = pd.read_csv(io.StringIO(out), dtype={"hs6": str}).set_index("hs6")
    raw = demo.load(years=2023, reporters="IND", hs6="850760")
    by = raw.groupby("exporter")["value_usd"].sum() / raw["value_usd"].sum()
    assert t.loc["850760", "share_friends"] == pytest.approx(by.get("VNM", 0) + by.get("KOR", 0))
    assert t.loc["850760", "share_trusted"] == pytest.approx(by.get("KOR", 0) + by.get("USA", 0))
    assert "share_quad" not in t.columns
    bad = tmp_path / "bad.csv"
    bad.write_text("group,iso3\ntrusted,KOR\ntrusted,XYZ\n")
    code, _, err = run(capsys, "dependence", "--groups", str(bad))
    assert code == 2 and "bad.csv" in err and "line 3" in err and "XYZ" in err


def test_empty_groups_file_refused_for_the_india_sources_too(tmp_path, capsys, raw):
    raw("india-principal-commodity")
    empty = tmp_path / "groups.csv"
    empty.write_text("", encoding="utf-8")
    assert main(["dependence", "--source", "dgcis", "--reporter", "IND", "--year", "2022",
                 "--groups", str(empty)]) == 2
    assert f"{empty}, line 1: the file is empty" in capsys.readouterr().err


def test_cli_starts_without_altair_and_charts_resolve_every_name():
    """``esc --help`` does not wait for altair: importing the CLI leaves it unimported (the
    charts package loads a submodule on first use), and each public chart name still
    resolves to the function its submodule defines."""
    import subprocess
    import sys

    code = ("import sys, esc.cli; print('altair' in sys.modules); import esc.charts as c; "
            "c.quadrant; print('altair' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
    import importlib

    from esc import charts

    for name in charts.__all__:
        module = importlib.import_module(f"esc.charts.{charts._LAZY[name]}")
        assert getattr(charts, name) is getattr(module, name), name
    with pytest.raises(AttributeError):
        charts.no_such_chart  # noqa: B018
