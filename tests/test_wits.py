"""WITS mirror reader, checked against the 11 genuine zips in wits-india-mirror-hs2.

Expected counts and totals are computed here with zipfile + csv, independently of the reader.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict

import pytest

from conftest import _require
from esc import cache
from esc.errors import CorruptFileError, MissingColumnError, UnknownReleaseError
from esc.sources import wits

VALUE = "TradeValue in 1000 USD"
RENAMED = {"ROM": "ROU", "SER": "SRB", "MNT": "MNE", "TMP": "TLS", "ZAR": "COD", "SUD": "SDN",
           "OAS": "S19"}


@pytest.fixture(scope="module")
def folder():
    return _require(wits.FOLDER)


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One cache folder for this module (never the user's), set before any module fixture."""
    path = tmp_path_factory.mktemp("wits-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ESC_CACHE_DIR", str(path))
        yield path


@pytest.fixture(autouse=True)
def _one_cache_for_this_module(_isolated_cache, shared_cache, monkeypatch):
    """These tests only read: parse the 11 zips once for the module, not once per test."""
    monkeypatch.setenv("ESC_CACHE_DIR", str(shared_cache))


@pytest.fixture(scope="module")
def raw_rows(folder):
    rows = []
    for path in sorted(folder.glob("*.ZIP")):
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".csv"))
            text = zf.read(name).decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text))
        header = next(reader)
        rows.extend(tuple(r) for r in reader)
    return header, rows


@pytest.fixture(scope="module")
def unique_rows(raw_rows):
    header, rows = raw_rows
    return header, list(dict.fromkeys(rows))


@pytest.fixture(scope="module")
def exports(folder, shared_cache):
    return wits.read(flow="export")


def test_raw_files_are_what_source_md_says(raw_rows, unique_rows):
    assert len(raw_rows[1]) == 755_284
    assert len(raw_rows[1]) - len(unique_rows[1]) == 94_708


def test_mirror_rows_match_independent_count_and_totals(unique_rows, exports):
    header, rows = unique_rows
    col = {c: i for i, c in enumerate(header)}
    kept = [r for r in rows if r[col["TradeFlowName"]] == "Export"
            and r[col["ReporterISO3"]] != "EUN"]
    assert len(exports) == len(kept)
    per_year: dict[int, float] = defaultdict(float)
    for r in kept:
        per_year[int(r[col["Year"]])] += float(r[col[VALUE]]) * 1000
    got = exports.groupby("year")["value_usd"].sum()
    assert sorted(got.index) == sorted(per_year) == list(range(2007, 2025))
    for year, total in per_year.items():
        assert got[year] == pytest.approx(total, rel=1e-9)


def test_orientation_and_known_value(unique_rows, exports):
    header, rows = unique_rows
    col = {c: i for i, c in enumerate(header)}
    chn = [float(r[col[VALUE]]) for r in rows if r[col["TradeFlowName"]] == "Export"
           and r[col["ReporterISO3"]] == "CHN" and r[col["Year"]] == "2022"
           and r[col["ProductCode"]] == "85"]
    assert len(chn) == 1
    row = exports[(exports["year"] == 2022) & (exports["exporter"] == "CHN")
                  & (exports["hs2"] == "85")]
    assert row["importer"].tolist() == ["IND"]
    assert row["value_usd"].iloc[0] == pytest.approx(chn[0] * 1000)
    assert row["value_usd"].iloc[0] == pytest.approx(33.9e9, rel=0.01)  # SOURCE.md
    assert set(exports["importer"]) == {"IND"}
    assert set(exports["hs_rev"]) == {"HS07"} and exports["quantity_t"].isna().all()
    assert exports["hs2"].str.fullmatch(r"\d{2}").all()


def test_eu_aggregate_dropped_and_codes_renamed(exports):
    exporters = set(exports["exporter"])
    assert "EUN" not in exporters
    assert not exporters & set(RENAMED)
    assert {"ROU", "SRB", "S19", "COD"} <= exporters
    assert not exports.duplicated(["year", "exporter", "importer", "hs2"]).any()


def test_import_flow_is_indias_exports(unique_rows, folder):
    header, rows = unique_rows
    col = {c: i for i, c in enumerate(header)}
    expected = sum(float(r[col[VALUE]]) * 1000 for r in rows
                   if r[col["TradeFlowName"]] == "Import" and r[col["ReporterISO3"]] == "USA"
                   and r[col["Year"]] == "2022")
    got = wits.read(flow="import", years=[2022], reporters=["USA"])
    assert set(got["exporter"]) == {"IND"}
    assert got["value_usd"].sum() == pytest.approx(expected)
    with pytest.raises(UnknownReleaseError, match="export"):
        wits.read(flow="re-export")


def test_filters_equal_a_pandas_filter(exports):
    got = wits.read(years=[2021, 2022], exporters=["CHN", "JPN"], hs2=[85, "28"])
    mask = (exports["year"].isin([2021, 2022]) & exports["exporter"].isin(["CHN", "JPN"])
            & exports["hs2"].isin(["85", "28"]))
    expected = exports[mask].sort_values(["year", "exporter", "hs2"]).reset_index(drop=True)
    assert len(expected) == 8
    got = got.sort_values(["year", "exporter", "hs2"]).reset_index(drop=True)
    assert got.equals(expected)


def test_parsed_table_is_cached(folder, exports, monkeypatch):
    entry = wits.cached_entry()
    prov = cache.verify(entry)
    assert prov["rows"] == len(exports) and prov["source"] == "wits"
    assert len(prov["sha256"]) == 64 and len(prov["inputs"]) == 11

    def no_parsing(*args, **kwargs):
        raise AssertionError("the zips were parsed again")

    monkeypatch.setattr(wits, "parse", no_parsing)
    assert len(wits.read(years=[2022])) == int((exports["year"] == 2022).sum())


def test_truncated_zip(folder, tmp_path):
    source = sorted(folder.glob("*.ZIP"))[0]
    data = source.read_bytes()
    cut = tmp_path / source.name
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="truncated") as err:
        wits.parse([cut])
    assert str(cut) in str(err.value)


def test_missing_column(tmp_path):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("DataJobID-1_IndiaDerisking.csv",
                    "Nomenclature,ReporterISO3,ProductCode\nH3,CHN,85\n")
    with pytest.raises(MissingColumnError) as err:
        wits.parse([path])
    assert err.value.line == 1 and err.value.column == "ReporterName"
    assert "DataJobID-1_IndiaDerisking.csv" in str(err.value)
