"""Terminal tables written for people (120 columns, USD million, percent) and table files
that keep their data label."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from esc import display
from esc.cli import main
from esc.schema import DEMO_LABEL

COMMANDS = [
    ["dependence", "--reporter", "IND", "--year", "2023"],
    ["screen", "--reporter", "IND", "--year", "2023"],
    ["scenario", "--reporter", "IND", "--supplier", "CHN", "--year", "2023"],
    ["alternatives", "--reporter", "IND", "--hs6", "850760", "--year", "2023"],
    ["complementarity", "--exporter", "IND", "--importer", "JPN", "--year", "2023"],
    ["controls"],
    ["initiatives"],
    ["data", "list"],
    ["sectors"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_table_command_fits_120_columns(command, capsys):
    assert main(command) == 0
    out = capsys.readouterr().out
    widths = [len(line) for line in out.splitlines()]
    assert widths and max(widths) <= display.WIDTH, max(widths)


def test_wide_shows_every_column_and_units_are_for_people(capsys):
    assert main(COMMANDS[0]) == 0
    narrow = capsys.readouterr().out
    assert main([*COMMANDS[0], "--wide"]) == 0
    wide = capsys.readouterr().out
    assert max(map(len, wide.splitlines())) > display.WIDTH
    assert "not shown (use --wide" in narrow and "not shown" not in wide
    assert "imports (USD m)" in narrow and "China (%)" in narrow and "category:" in narrow
    assert main([*COMMANDS[0], "--format", "csv"]) == 0
    full = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out), dtype={"hs6": str})
    first = full.iloc[0]
    row = next(line for line in narrow.splitlines() if f" {first['hs6']} " in line)
    assert f"{first['imports_usd'] / 1e6:,.1f}" in row       # USD million, one decimal
    assert f"{100 * first['share_chn']:.1f}" in row          # percent, one decimal


def test_taiwan_names_and_long_names():
    t = pd.DataFrame({"hs6": ["854231", "293722"], "top1_partner": ["S19", "CHN"],
                      "short_name": ["ICs", "Steroidal hormones, their derivatives and "
                                            "structural analogues"],
                      "imports_usd": [2.04e10, 4.8e8], "top1_share": [0.41, 0.3]})
    shown = display.for_people(t)
    assert shown["top1_partner"].tolist() == ["TWN", "CHN"]
    assert len(shown["short_name"][1]) == display.NAME_CHARS
    assert shown["imports (USD m)"].tolist() == ["20,400.0", "480.0"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_output_file_keeps_the_label(tmp_path, suffix, capsys):
    target = tmp_path / f"dep{suffix}"
    assert main([*COMMANDS[0], "--output", str(target)]) == 0
    assert str(target) in capsys.readouterr().err
    if suffix == ".csv":
        t = pd.read_csv(target, dtype={"hs6": str})
        assert set(t["data_label"]) == {DEMO_LABEL} and "imports_usd" in t.columns
    elif suffix == ".xlsx":
        about = pd.read_excel(target, sheet_name="About")
        assert about.set_index("field").loc["data label", "value"] == DEMO_LABEL
        assert "imports_usd" in pd.read_excel(target, sheet_name="table").columns
    else:
        meta = pq.read_schema(target).metadata
        assert json.loads(meta[b"esc.label"]) == DEMO_LABEL
        assert json.loads(meta[b"esc.source"]) == "demo"


def test_output_with_another_suffix_is_refused(tmp_path, capsys):
    assert main(["controls", "--output", str(tmp_path / "x.txt")]) == 2
    assert "--output must end in .csv, .xlsx or .parquet" in capsys.readouterr().err
    assert not (tmp_path / "x.txt").exists()


def test_sectors_lists_the_registry_codes(capsys):
    import csv
    import io

    from esc.config import package_data_dir

    assert main(["sectors", "--sector", "Batteries", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    with open(package_data_dir() / "sectors.csv", newline="", encoding="utf-8") as fh:
        want = {r["hs6"] for r in csv.DictReader(
            line for line in fh if not line.startswith("#"))
            if r["product"] == "Batteries" and r.get("hs_rev", "HS22") == "HS22"}
    assert len(rows) == 1 and set(rows[0]["hs6_codes"].split()) == want
