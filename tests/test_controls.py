"""Tests of the export-controls table and its loader: the shipped CSV read with the standard
library, every row sourced and mapped to real HS2022 codes, and bad input raising named errors
that say file, line and column."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from esc import controls
from esc.errors import (
    BadValueError,
    MissingColumnError,
    UnknownCountryError,
    UnknownProductError,
    UnknownReleaseError,
)
from esc.sources.hs import nomenclature

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "export_controls.csv"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    """The shipped CSV read with the standard library, independently of the loader."""
    with open(CSV_PATH, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_four_announced_measures_are_there(rows):
    ids = {r["id"] for r in rows}
    assert {"cn-gallium-germanium-2023-08", "cn-graphite-2023-12", "cn-antimony-2024-09",
            "cn-rare-earths-2025-04"} <= ids


def test_every_row_is_sourced_and_explained(rows):
    for r in rows:
        assert r["source_url"].startswith(("http://", "https://")), r["id"]
        assert r["quote"].strip() and r["source_title"].strip(), r["id"]
        assert len(r["hs6_mapping_note"]) > 80, r["id"]
        # each code is explained in the note
        for code in r["hs6"].split():
            assert code in r["hs6_mapping_note"], (r["id"], code)


def test_effective_month_matches_the_id(rows):
    for r in rows:
        year, month = re.search(r"(\d{4})-(\d{2})$", r["id"]).groups()
        assert r["effective"].startswith(f"{year}-{month}"), r["id"]
        assert date.fromisoformat(r["announced"]) <= date.fromisoformat(r["effective"])


def test_codes_are_hs2022_subheadings(rows):
    try:
        known = set(nomenclature("HS22")["hs6"])
    except Exception as exc:  # the nomenclature lives in the data folder
        pytest.skip(f"HS2022 nomenclature not available: {exc}")
    for r in rows:
        for code in r["hs6"].split():
            assert code in known, (r["id"], code)


def test_loader_returns_the_file(rows):
    df = controls.load_controls()
    assert list(df["id"]) == [r["id"] for r in rows]
    assert list(df["hs6"]) == [r["hs6"] for r in rows]
    assert controls.control_hs6("cn-graphite-2023-12") == next(
        r["hs6"].split() for r in rows if r["id"] == "cn-graphite-2023-12")


def test_list_is_sorted_by_effective_date(rows):
    listed = controls.list_controls()
    assert list(listed["effective"]) == sorted(r["effective"] for r in rows)


def test_unknown_id_names_the_known_ones():
    with pytest.raises(UnknownReleaseError, match="cn-graphite-2023-12"):
        controls.get_control("cn-nothing-2020-01")


def _write(tmp_path: Path, rows: list[dict[str, str]], columns=None) -> Path:
    path = tmp_path / "controls.csv"
    columns = columns or controls.COLUMNS
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.mark.parametrize(("column", "value", "error", "pattern"), [
    ("effective", "2023-02-30", BadValueError, "calendar date"),
    ("effective", "2023-06-01", BadValueError, "before announced"),
    ("announced", "July 2023", BadValueError, "YYYY-MM-DD"),
    ("hs6", "81129", UnknownProductError, "6 digits"),
    ("hs6", "123456", UnknownProductError, "nomenclature"),
    ("id", "Bad Id", BadValueError, "slug"),
    ("source_url", "", BadValueError, "required"),
    ("quote", "x" * 400, BadValueError, "at most"),
    ("hs_rev", "HS99", BadValueError, "hs_rev"),
    ("country", "China", UnknownCountryError, "ISO3"),
])
def test_bad_values_name_file_line_and_column(tmp_path, rows, column, value, error, pattern):
    bad = [dict(r) for r in rows]
    bad[1][column] = value
    path = _write(tmp_path, bad)
    if pattern == "nomenclature":
        try:
            nomenclature("HS22")
        except Exception:
            pytest.skip("HS2022 nomenclature not available")
    with pytest.raises(error, match=pattern) as info:
        controls.load_controls(path)
    assert info.value.line == 3 and info.value.column == column
    assert str(path) in str(info.value)


def test_duplicate_id_and_missing_column(tmp_path, rows):
    path = _write(tmp_path, [rows[0], rows[0]])
    with pytest.raises(BadValueError, match="duplicate id") as info:
        controls.load_controls(path)
    assert info.value.line == 3
    path = _write(tmp_path, rows, columns=[c for c in controls.COLUMNS if c != "quote"])
    with pytest.raises(MissingColumnError) as info:
        controls.load_controls(path)
    assert info.value.column == "quote"


def test_cli_lists_the_controls(capsys, rows):
    import io

    import pandas as pd

    from esc.cli import main

    assert main(["controls", "--format", "csv"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    assert sorted(out["id"]) == sorted(r["id"] for r in rows)
    assert main(["controls"]) == 0
    assert "cn-antimony-2024-09" in capsys.readouterr().out
