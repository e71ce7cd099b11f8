"""DGCI&S principal-commodity reader, checked against the real file with the csv module."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from conftest import _require
from esc import cache
from esc.config import package_data_dir
from esc.countries import is_known_iso3
from esc.errors import BadValueError, MissingColumnError, UnknownCountryError, UnknownReleaseError
from esc.sources import dgcis

MEIDB_FOLDER = "india-meidb-minerals-hs8"
# India's total merchandise imports per fiscal year, USD bn, as SOURCE.md states them
PUBLISHED_TOTALS = {"2014-15": 448.0, "2015-16": 381.0, "2016-17": 382.7, "2017-18": 465.6,
                    "2018-19": 514.1, "2019-20": 474.7, "2021-22": 613.1, "2022-23": 716.0}


@pytest.fixture(scope="module")
def folder():
    return _require(dgcis.FOLDER)


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("dgcis-cache")
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
def table(folder, shared_cache):
    return dgcis.read()


def _esc_table(name: str) -> list[dict[str, str]]:
    with (package_data_dir() / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def test_every_partner_name_maps_or_is_not_a_country(raw_rows):
    names = {r["partner"].strip() for r in raw_rows}
    meidb = _require(MEIDB_FOLDER)
    for path in meidb.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as fh:
            names |= {r["partner"].strip() for r in csv.DictReader(fh)}
    listed = {r["dgcis_name"]: r for r in _esc_table("dgcis_partners.csv")}
    assert names - set(listed) == set()
    for name in names:
        row = listed[name]
        if row["kind"] == "country":
            assert is_known_iso3(row["iso3"]), name
        else:
            assert row["kind"] == "not-a-country" and row["iso3"] == "", name
    assert listed["CHINA P RP"]["iso3"] == "CHN" and listed["KOREA RP"]["iso3"] == "KOR"
    assert listed["U S A"]["iso3"] == listed["USA"]["iso3"] == "USA"
    assert listed["HONG KONG"]["iso3"] == "HKG"
    assert listed["UNSPECIFIED"]["kind"] == "not-a-country"


def test_rows_values_and_fiscal_years(raw_rows, table):
    assert len(table) == len(raw_rows) == 83_994
    totals: dict[str, float] = defaultdict(float)
    for r in raw_rows:
        totals[r["fiscal_year"]] += float(r["value_usd_mn"]) * 1e6
    got = table.groupby("fiscal_year")["value_usd"].sum()
    assert sorted(got.index) == sorted(totals) == sorted(PUBLISHED_TOTALS)
    for fy, total in totals.items():
        assert got[fy] == pytest.approx(total, rel=1e-12)
        assert got[fy] / 1e9 == pytest.approx(PUBLISHED_TOTALS[fy], abs=0.06)
    starts = table.drop_duplicates("fiscal_year").set_index("fiscal_year")["year"]
    assert {fy: int(y) for fy, y in starts.items()} == {fy: int(fy[:4]) for fy in totals}
    assert 2020 not in set(table["year"])
    assert set(table["importer"]) == {"IND"}
    assert table.attrs["label"] == dgcis.LABEL and "demo" not in table.attrs["label"].lower()


def test_one_known_value(raw_rows, table):
    expected = [float(r["value_usd_mn"]) * 1e6 for r in raw_rows
                if r["fiscal_year"] == "2022-23" and r["partner"] == "CHINA P RP"
                and r["principal_commodity"] == "ELECTRONICS COMPONENTS"]
    assert len(expected) == 1
    row = table[(table["fiscal_year"] == "2022-23") & (table["exporter"] == "CHN")
                & (table["commodity"] == "ELECTRONICS COMPONENTS")]
    assert row["value_usd"].tolist() == pytest.approx(expected)


def test_spelling_variants_unified(raw_rows, table):
    variants = {r["published"]: r["label"] for r in _esc_table("dgcis_commodities.csv")}
    years: dict[str, set[str]] = defaultdict(set)
    for r in raw_rows:
        years[variants.get(r["principal_commodity"], r["principal_commodity"])].add(
            r["fiscal_year"])
    books = "BOOKS, PUBLICATIONS AND PRINTING"
    assert years[books] == set(PUBLISHED_TOTALS)  # one label across all eight years
    got = table[table["commodity"] == books]
    assert set(got["fiscal_year"]) == set(PUBLISHED_TOTALS)
    assert set(got["commodity_published"]) == {books, "BOOKS, PUBLICATIONS AND PRNTNG"}
    old = dgcis.read(commodities=["BOOKS, PUBLICATIONS AND PRNTNG"])
    assert old["value_usd"].sum() == pytest.approx(got["value_usd"].sum())
    assert table["commodity"].nunique() == len(years) == 172 - len(variants)


def test_year_selection_by_start_year_and_gap(table):
    got = dgcis.read(years=[2022], commodities=["ACCUMULATORS AND BATTERIES"])
    assert set(got["fiscal_year"]) == {"2022-23"}
    expected = table[(table["year"] == 2022) & (table["commodity"] == "ACCUMULATORS AND "
                                                                       "BATTERIES")]
    assert got["value_usd"].sum() == pytest.approx(expected["value_usd"].sum())
    with pytest.raises(UnknownReleaseError, match="2020-21"):
        dgcis.read(years=[2020])


def test_cached_once_and_filters_read_the_cache(table, monkeypatch):
    entry = dgcis.cached_entry()
    prov = cache.verify(entry)
    assert prov["rows"] == len(table) and prov["source"] == "dgcis"
    assert prov["years"] == [2014, 2015, 2016, 2017, 2018, 2019, 2021, 2022]
    monkeypatch.setattr(dgcis, "parse", lambda *a, **k: pytest.fail("parsed again"))
    got = dgcis.read(years=[2019], exporters=["JPN"])
    mask = (table["year"] == 2019) & (table["exporter"] == "JPN")
    assert len(got) == int(mask.sum()) > 100


def test_fiscal_labels():
    assert dgcis.fiscal_label(2022) == "2022-23" and dgcis.fiscal_start("2022-23") == 2022
    for bad in ("2022-24", "2022", "22-23", "2022/23"):
        with pytest.raises(BadValueError):
            dgcis.fiscal_start(bad)


GOOD = ("fiscal_year,principal_commodity,unit,partner,quantity,value_usd_mn\n"
        "2022-23,TEA,KGS,KENYA,100,1.5\n"
        "2022-23,TEA,KGS,CHINA P RP,,2.25\n")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pc.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_small_file_parsed(tmp_path):
    got = dgcis.read([_write(tmp_path, GOOD)])
    assert got["exporter"].tolist() == ["CHN", "KEN"]
    assert got["value_usd"].tolist() == [2.25e6, 1.5e6]
    assert got["quantity"].isna().tolist() == [True, False]


@pytest.mark.parametrize(("text", "error", "line", "column"), [
    (GOOD.replace("unit,", ""), MissingColumnError, 1, "unit"),
    (GOOD + "2022-23,TEA,KGS,KENYA,1,n/a\n", BadValueError, 4, "value_usd_mn"),
    (GOOD + "2022-23,TEA,KGS,KENYA,1,-3\n", BadValueError, 4, "value_usd_mn"),
    (GOOD + "2022-23,TEA,KGS,KENYA,lots,3\n", BadValueError, 4, "quantity"),
    (GOOD + "2022-23,TEA,KGS,ATLANTIS,1,3\n", UnknownCountryError, 4, "partner"),
    (GOOD + "2022-24,TEA,KGS,KENYA,1,3\n", BadValueError, 4, "fiscal_year"),
])
def test_bad_rows_named_with_file_and_line(tmp_path, text, error, line, column):
    path = _write(tmp_path, text.replace("unit,", "") if error is MissingColumnError
                  else text)
    before = cache.entries("dgcis")
    with pytest.raises(error) as info:
        dgcis.read([path])
    assert info.value.path == str(path) and info.value.line == line
    assert info.value.column == column
    assert cache.entries("dgcis") == before  # nothing cached from a bad file


def test_table_is_a_dataframe_with_columns(table):
    assert list(table.columns) == dgcis.TABLE_COLUMNS
    assert isinstance(table, pd.DataFrame) and table["value_usd"].ge(0).all()
