"""UN Comtrade reader, checked against the genuine API answers in comtrade-cmm-sample.

Expected values are read here with the csv module, independently of the reader.
"""

from __future__ import annotations

import csv
import json
import sys
import types

import pandas as pd
import pytest

from conftest import _require
from esc.errors import (
    BadValueError,
    DataNotFoundError,
    DownloadError,
    MissingColumnError,
    UnknownCountryError,
    UnknownProductError,
)
from esc.sources import comtrade

ISO = {"0": "WLD", "36": "AUS", "156": "CHN", "180": "COD", "360": "IDN", "842": "USA"}


@pytest.fixture(scope="module")
def sample():
    return _require("comtrade-cmm-sample")


def _raw(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _is_total(r):
    return r["motCode"] == "0" and r["customsCode"] == "C00" and r["partner2Code"] == "0"


def test_import_rows_orient_importer_as_reporter(sample):
    path = sample / "lithium_trade_data.csv"
    got = comtrade.read_csv(path).set_index(["year", "exporter", "importer", "hs6"])
    # Australia's imports of lithium ores from China, 2020: the total row (all transport
    # modes) and, independently, the sum of its mode breakdown rows.
    rows = [r for r in _raw(path) if (r["refYear"], r["reporterCode"], r["flowCode"],
                                      r["partnerCode"], r["cmdCode"]) ==
            ("2020", "36", "M", "156", "253090")]
    total = [float(r["primaryValue"]) for r in rows if _is_total(r)]
    modes = [float(r["primaryValue"]) for r in rows if not _is_total(r)]
    assert len(total) == 1 and len(modes) >= 2
    value = got.loc[(2020, "CHN", "AUS", "253090"), "value_usd"]
    assert value == pytest.approx(total[0]) == pytest.approx(sum(modes))


def test_export_rows_orient_exporter_as_reporter(sample):
    path = sample / "lithium_trade_data.csv"
    got = comtrade.read_csv(path).set_index(["year", "exporter", "importer", "hs6"])
    row = next(r for r in _raw(path) if _is_total(r) and (
        r["refYear"], r["reporterCode"], r["flowCode"], r["partnerCode"], r["cmdCode"]) ==
        ("2020", "36", "X", "156", "253090"))
    assert got.loc[(2020, "AUS", "CHN", "253090"), "value_usd"] == pytest.approx(
        float(row["primaryValue"]))
    assert got.loc[(2020, "AUS", "CHN", "253090"), "quantity_t"] == pytest.approx(
        float(row["netWgt"]) / 1000)


def test_mirror_pairs_keep_the_importers_report(sample):
    path = sample / "graphite_trade_data.csv"
    raw = [r for r in _raw(path) if _is_total(r) and r["partnerCode"] != "0"]
    imports = {(r["refYear"], ISO[r["partnerCode"]], ISO[r["reporterCode"]], r["cmdCode"],
                r["classificationCode"]): float(r["primaryValue"])
               for r in raw if r["flowCode"] == "M"}
    exports = {(r["refYear"], ISO[r["reporterCode"]], ISO[r["partnerCode"]], r["cmdCode"],
                r["classificationCode"]): float(r["primaryValue"])
               for r in raw if r["flowCode"] == "X"}
    both = imports.keys() & exports.keys()
    assert both, "the sample has flows reported from both sides"
    assert any(imports[k] != exports[k] for k in both)
    got = comtrade.read_csv(path)
    assert len(got) == len(imports.keys() | exports.keys())
    table = got.assign(c=got["hs_rev"].map({"HS17": "H5", "HS22": "H6"})).set_index(
        [got["year"].astype(str), "exporter", "importer", "hs6", "c"])["value_usd"]
    for key in both:
        assert table.loc[key] == pytest.approx(imports[key])
    only_m = comtrade.read_csv(path, flow="M")
    assert len(only_m) == len(imports)
    assert len(comtrade.read_csv(path, flow="X")) == len(exports)


def test_world_rows_are_left_out_unless_asked(sample):
    path = sample / "lithium_trade_data.csv"
    n_world = sum(1 for r in _raw(path) if _is_total(r) and r["partnerCode"] == "0")
    assert n_world > 0
    assert not comtrade.read_csv(path)[["exporter", "importer"]].isin(["WLD"]).any().any()
    kept = comtrade.read_csv(path, keep_world=True)
    assert int((kept["exporter"].eq("WLD") | kept["importer"].eq("WLD")).sum()) == n_world


def test_revision_and_units(sample):
    got = comtrade.read_csv(sample / "gallium_trade_data.csv", flow="M")
    raw = [r for r in _raw(sample / "gallium_trade_data.csv")
           if r["flowCode"] == "M" and r["partnerCode"] != "0"]
    expected_revs = {"H5": "HS17", "H6": "HS22"}
    assert sorted(got["hs_rev"]) == sorted(expected_revs[r["classificationCode"]] for r in raw)
    assert got["quantity_t"].sum() == pytest.approx(
        sum(float(r["netWgt"]) for r in raw if r["netWgt"]) / 1000)


def test_four_digit_codes_need_an_explicit_level(sample):
    path = sample / "cobalt_trade_data.csv"
    raw = _raw(path)
    first_hs4 = next(i for i, r in enumerate(raw) if len(r["cmdCode"]) == 4) + 2
    with pytest.raises(BadValueError, match="product_level") as err:
        comtrade.read_csv(path)
    assert (err.value.line, err.value.column) == (first_hs4, "cmdCode")
    assert str(path) in str(err.value)
    hs4 = comtrade.read_csv(path, product_level="hs4")
    assert "hs4" in hs4.columns and hs4["hs4"].str.fullmatch(r"\d{4}").all()
    hs6 = comtrade.read_csv(path, product_level="hs6")
    assert set(hs6["hs6"]) == {r["cmdCode"] for r in raw if len(r["cmdCode"]) == 6}
    expected = [float(r["primaryValue"]) for r in raw if len(r["cmdCode"]) == 4
                and r["partnerCode"] != "0" and r["flowCode"] == "M" and _is_total(r)]
    only_m = comtrade.read_csv(path, product_level="hs4", flow="M")
    assert len(only_m) == len(expected)
    assert only_m["value_usd"].sum() == pytest.approx(sum(expected))


def test_json_records_equal_the_csv(sample, tmp_path):
    path = sample / "lithium_trade_data.csv"
    records = []
    for r in _raw(path):
        rec = {k: (None if v == "" else v) for k, v in r.items()}
        for k in ("refYear", "reporterCode", "partnerCode", "motCode", "partner2Code"):
            rec[k] = int(rec[k])
        for k in ("primaryValue", "netWgt"):
            rec[k] = float(rec[k]) if rec[k] is not None else None
        records.append(rec)
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps({"data": records}))
    expected = comtrade.read_csv(path)
    pd.testing.assert_frame_equal(comtrade.read_json(saved), expected)
    pd.testing.assert_frame_equal(comtrade.read_json(records), expected)


def test_json_errors_name_the_record(tmp_path):
    rec = {"refYear": 2022, "reporterCode": 699, "flowCode": "M", "partnerCode": 156,
           "cmdCode": "850760", "primaryValue": "lots", "classificationCode": "H6"}
    with pytest.raises(BadValueError, match=r"record 2"):
        comtrade.read_json({"data": [dict(rec, primaryValue=1.0), rec]})
    with pytest.raises(MissingColumnError, match="data"):
        comtrade.read_json({"error": "quota"})


def test_unknown_country_names_line(sample, tmp_path):
    lines = (sample / "gallium_trade_data.csv").read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[5].split(",")
    cells[header.index("partnerCode")] = "998"
    lines[5] = ",".join(cells)
    bad = tmp_path / "gallium.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(UnknownCountryError) as err:
        comtrade.read_csv(bad)
    assert (err.value.line, err.value.column) == (6, "partnerCode")
    assert "998" in str(err.value) and str(bad) in str(err.value)


def test_non_numeric_value_names_line(sample, tmp_path):
    lines = (sample / "gallium_trade_data.csv").read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("primaryValue")] = "n/a"
    lines[3] = ",".join(cells)
    bad = tmp_path / "gallium.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(BadValueError) as err:
        comtrade.read_csv(bad)
    assert (err.value.line, err.value.column) == (4, "primaryValue")


def test_legacy_bulk_columns(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_text(
        "Classification,Year,Trade Flow Code,Reporter Code,Partner Code,Commodity Code,"
        "Netweight (kg),Trade Value (US$)\n"
        "H5,2019,1,699,156,850760,2500,1200000\n"
        "H5,2019,2,699,392,850760,,300\n")
    got = comtrade.read_csv(path)
    assert got[["exporter", "importer"]].values.tolist() == [["CHN", "IND"], ["IND", "JPN"]]
    assert got["quantity_t"].iloc[0] == 2.5 and pd.isna(got["quantity_t"].iloc[1])
    assert got["hs_rev"].tolist() == ["HS17", "HS17"]


def test_reporter_code():
    assert comtrade.reporter_code("IND") == 699
    assert comtrade.reporter_code("usa") == 842
    assert comtrade.reporter_code("JPN") == 392
    with pytest.raises(UnknownCountryError):
        comtrade.reporter_code("XXY")


# --------------------------------------------------------------------------- live API


def test_download_calls_the_official_client(sample, monkeypatch):
    answer = pd.read_csv(sample / "gallium_trade_data.csv", dtype={"cmdCode": str})
    calls = []

    def get_final_data(key, **kwargs):
        calls.append((key, kwargs))
        return answer

    fake = types.SimpleNamespace(getFinalData=get_final_data)
    monkeypatch.setitem(sys.modules, "comtradeapicall", fake)
    monkeypatch.setenv(comtrade.API_KEY_ENV, "test-key")
    got = comtrade.download(["USA", "CHN"], [2022, 2023], ["811292"])
    key, kwargs = calls[0]
    assert key == "test-key"
    assert kwargs["reporterCode"] == "842,156" and kwargs["period"] == "2022,2023"
    assert kwargs["cmdCode"] == "811292" and kwargs["flowCode"] == "M"
    assert kwargs["motCode"] == "0" and kwargs["partner2Code"] == "0"
    pd.testing.assert_frame_equal(got, comtrade.read_csv(sample / "gallium_trade_data.csv"))


def test_download_without_client_or_key(monkeypatch):
    monkeypatch.setitem(sys.modules, "comtradeapicall", None)
    with pytest.raises(DataNotFoundError, match="esc\\[comtrade\\]"):
        comtrade.download("IND", 2022, "850760", api_key="k")
    monkeypatch.setitem(sys.modules, "comtradeapicall",
                        types.SimpleNamespace(getFinalData=lambda *a, **k: None))
    monkeypatch.delenv(comtrade.API_KEY_ENV, raising=False)
    with pytest.raises(DownloadError, match=comtrade.API_KEY_ENV):
        comtrade.download("IND", 2022, "850760")
    with pytest.raises(DownloadError, match="no answer"):
        comtrade.download("IND", 2022, "850760", api_key="k")


def test_codes_without_a_list_are_counted_in_a_warning(tmp_path, caplog):
    """HS12 (H4): esc has no list, so a heading of chapter 77 is counted in a warning that
    names the file and the line; the row is not dropped silently."""
    path = tmp_path / "h4.csv"
    path.write_text(
        "classificationCode,refYear,flowCode,reporterCode,partnerCode,cmdCode,netWgt,"
        "primaryValue\n"
        "H4,2019,M,699,156,8105,2500,1200000\n"
        "H4,2019,M,699,392,7701,,300\n")
    with caplog.at_level("WARNING", logger="esc.sources.comtrade"):
        got = comtrade.read_csv(path, product_level="hs4")
    assert got["hs4"].tolist() == ["8105", "7701"]
    warning = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warning) == 1 and str(path) in warning[0] and "lines 3" in warning[0]


def test_code_outside_its_revisions_list_is_refused(tmp_path):
    path = tmp_path / "h5.csv"
    path.write_text(
        "classificationCode,refYear,flowCode,reporterCode,partnerCode,cmdCode,netWgt,"
        "primaryValue\n"
        "H5,2019,M,699,156,850760,2500,1200000\n"
        "H5,2019,M,699,392,850799,,300\n")
    with pytest.raises(UnknownProductError, match="not in the HS17 nomenclature") as err:
        comtrade.read_csv(path)
    assert (err.value.line, err.value.column) == (3, "cmdCode")


@pytest.mark.parametrize("code", ["85076", "8507600", "8507A0", "85 07"])
def test_malformed_codes_are_never_dropped_silently(tmp_path, code):
    path = tmp_path / "bad.csv"
    path.write_text(
        "classificationCode,refYear,flowCode,reporterCode,partnerCode,cmdCode,netWgt,"
        "primaryValue\n"
        "H5,2019,M,699,156,850760,2500,1200000\n"
        f"H5,2019,M,699,392,{code},,300\n")
    for level in ("hs2", "hs4", "hs6"):
        with pytest.raises(BadValueError, match="is not an HS code") as err:
            comtrade.read_csv(path, product_level=level)
        assert (err.value.line, err.value.column) == (3, "cmdCode")
