"""MEIDB monthly HS8 reader, checked against the real file with the csv module."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import _require
from esc import cache
from esc.errors import BadValueError, MissingColumnError, UnknownCountryError
from esc.sources import meidb


@pytest.fixture(scope="module")
def folder():
    return _require(meidb.FOLDER)


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("meidb-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ESC_CACHE_DIR", str(path))
        yield path


@pytest.fixture(autouse=True)
def _one_cache_for_this_module(_isolated_cache, shared_cache, monkeypatch):
    monkeypatch.setenv("ESC_CACHE_DIR", str(shared_cache))


@pytest.fixture(scope="module")
def raw_rows(folder):
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


@pytest.fixture(scope="module")
def monthly(folder, shared_cache):
    return meidb.read()


def _zero_months(raw_rows) -> set[str]:
    """Months whose rows are all zero, found with csv alone (not yet compiled upstream)."""
    total: dict[str, float] = defaultdict(float)
    for r in raw_rows:
        total[f"{r['year']}-{int(r['month']):02d}"] += float(r["value_usd_mn"])
    return {m for m, v in total.items() if v == 0}


def test_unpublished_months_left_out(raw_rows, monthly):
    zero = _zero_months(raw_rows)
    assert zero == {"2025-11", "2025-12"}
    assert monthly.attrs["unpublished_months"] == sorted(zero)
    assert not set(monthly["period"]) & zero
    kept = [r for r in raw_rows if f"{r['year']}-{int(r['month']):02d}" not in zero]
    assert len(monthly) == len(kept)
    everything = meidb.read(unpublished=True)
    assert len(everything) == len(raw_rows) == 36_765
    assert everything.loc[everything["period"].isin(zero), "value_usd"].eq(0).all()
    dec = meidb.read(years=[2025], codes=["28369100"], freq="year")
    assert set(dec["months"]) == {10}


def test_rows_and_totals_per_line_and_year(raw_rows, monthly):
    totals: dict[tuple[str, int], float] = defaultdict(float)
    for r in raw_rows:
        totals[(r["hs8"], int(r["year"]))] += float(r["value_usd_mn"]) * 1e6
    got = monthly.groupby(["hs8", "year"])["value_usd"].sum()
    assert len(got) == len(totals)
    for key, total in totals.items():
        assert got[key] == pytest.approx(total, rel=1e-12, abs=1e-6)
    assert monthly["hs8"].nunique() == 24 and set(monthly["importer"]) == {"IND"}
    assert monthly.attrs["source"] == "meidb" and "demo" not in monthly.attrs["label"].lower()


def test_calendar_year_view_of_three_lines(raw_rows):
    """China's 2023 lithium carbonate, Mozambique's 2024 natural graphite (HS6 250410) and
    the US's 2019 artificial graphite, each summed over the months with csv."""
    cases = [("28369100", "CHINA P RP", "CHN", 2023), ("250410", "MOZAMBIQUE", "MOZ", 2024),
             ("38011000", "U S A", "USA", 2019)]
    for code, name, iso, year in cases:
        expected = sum(float(r["value_usd_mn"]) * 1e6 for r in raw_rows
                       if r["hs8"].startswith(code) and r["partner"] == name
                       and int(r["year"]) == year)
        level = "hs8" if len(code) == 8 else "hs6"
        got = meidb.read(years=[year], exporters=[iso], codes=[code], level=level, freq="year")
        assert len(got) == 1 and got[level].iloc[0] == code
        assert got["value_usd"].iloc[0] == pytest.approx(expected)
        assert expected > 0


def test_months_published_and_hs_revision(raw_rows):
    published = {(r["year"], r["month"]) for r in raw_rows if r["hs8"] == "74071040"}
    got = meidb.read(years=[2019], codes=["74071040"], freq="year")
    assert set(got["months"]) == {len([m for y, m in published if y == "2019"])}
    assert meidb.read(years=[2018], codes=["74071040"], freq="year").empty  # none in 2018
    rev = meidb.read(years=[2021, 2022], codes=["2836"], freq="year")
    assert dict(zip(rev["year"], rev["hs_rev"], strict=True)) == {2021: "HS17", 2022: "HS22"}


def test_flows_view_is_canonical(monthly):
    flows = meidb.flows(years=[2023])
    assert list(flows.columns) == ["year", "exporter", "importer", "hs6", "hs_rev",
                                   "value_usd", "quantity_t"]
    sel = monthly[(monthly["year"] == 2023) & (monthly["exporter"] != "")]
    assert flows["value_usd"].sum() == pytest.approx(sel["value_usd"].sum())
    assert cache.verify(meidb.cached_entry())["rows"] == 36_765  # every row, as published


GOOD = ("hs8,description,partner,year,month,value_usd_mn\n"
        "28369100,Lithium carbonates,CHILE,2023,1,5.25\n"
        "28369100,Lithium carbonates,U S A,2023,2,0.01\n")


@pytest.mark.parametrize(("text", "error", "line", "column"), [
    (GOOD.replace(",month", ""), MissingColumnError, 1, "month"),
    (GOOD + "2836910,Lithium carbonates,CHILE,2023,3,1\n", BadValueError, 4, "hs8"),
    (GOOD + "28369100,Lithium carbonates,CHILE,2023,13,1\n", BadValueError, 4, "month"),
    (GOOD + "28369100,Lithium carbonates,CHILE,2023,3,x\n", BadValueError, 4, "value_usd_mn"),
    (GOOD + "28369100,Lithium carbonates,NARNIA,2023,3,1\n", UnknownCountryError, 4,
     "partner"),
])
def test_bad_rows_named_with_file_and_line(tmp_path: Path, text, error, line, column):
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    before = cache.entries("meidb")
    with pytest.raises(error) as info:
        meidb.read([path])
    assert (info.value.path, info.value.line, info.value.column) == (str(path), line, column)
    assert cache.entries("meidb") == before


def test_small_file(tmp_path: Path):
    path = tmp_path / "m.csv"
    path.write_text(GOOD, encoding="utf-8")
    got = meidb.read([path], level="hs6")
    assert got["exporter"].tolist() == ["CHL", "USA"]
    assert got["value_usd"].tolist() == pytest.approx([5.25e6, 1e4])
    assert got["period"].tolist() == ["2023-01", "2023-02"]
