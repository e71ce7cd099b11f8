"""``esc trend`` and :func:`esc.trend.trend_table`: every figure equals a hand computation
with a plain pandas groupby over the flows (shares v_j / sum v, HHI = sum of squared
shares), on the demo world and on WITS mirror data; bad input exits 2 naming the problem."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

from esc import config, data, trend
from esc.cli import main
from esc.errors import BadValueError, UnknownProductError
from esc.schema import DEMO_LABEL


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def hand(flows: pd.DataFrame, reporter: str, col: str, code: str,
         merge_hk: bool = False) -> pd.DataFrame:
    """Per year: imports, China's share, top supplier and its share, HHI, partners."""
    f = flows[(flows["importer"] == reporter) & (flows[col].astype(str) == code)].copy()
    if merge_hk:
        f["exporter"] = f["exporter"].replace({"HKG": "CHN", "MAC": "CHN"})
    f = f[(f["exporter"] != f["importer"]) & (f["value_usd"] > 0)]
    rows = []
    for year, g in f.groupby("year"):
        by = g.groupby("exporter")["value_usd"].sum()
        total = by.sum()
        shares = by / total
        rows.append({"year": int(year), "imports_usd": total,
                     "share_chn": shares.get("CHN", 0.0),
                     "top1_partner": shares.idxmax(), "top1_share": shares.max(),
                     "hhi": float((shares ** 2).sum()), "n_partners": len(by)})
    return pd.DataFrame(rows).set_index("year")


def assert_matches(table: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = table.set_index("year")
    assert list(got.index) == list(expected.index)
    for col in ("imports_usd", "share_chn", "top1_share", "hhi"):
        np.testing.assert_allclose(got[col].astype(float), expected[col].astype(float),
                                   rtol=1e-9, err_msg=col)
    assert list(got["top1_partner"]) == list(expected["top1_partner"])
    assert list(got["n_partners"]) == list(expected["n_partners"])


@pytest.mark.parametrize("merge_hk", [False, True])
def test_trend_table_equals_groupby_on_demo(merge_hk):
    years = list(range(2019, 2024))
    flows = data.load_flows("demo", years=years, reporters=["IND"], hs6=["850760"])
    table = trend.trend_table(flows, reporter="IND", code="850760", years=years,
                              merge_hk=merge_hk)
    assert_matches(table, hand(flows, "IND", "hs6", "850760", merge_hk))
    assert table.attrs["label"] == DEMO_LABEL


def test_merge_hk_changes_chinas_share():
    flows = data.load_flows("demo", years=[2023], reporters=["IND"], hs6=["850760"])
    apart = trend.trend_table(flows, reporter="IND", code="850760")
    merged = trend.trend_table(flows, reporter="IND", code="850760", merge_hk=True)
    hk = hand(flows, "IND", "hs6", "850760", merge_hk=True)
    assert merged["share_chn"].iloc[0] == pytest.approx(hk["share_chn"].iloc[0])
    assert merged["share_chn"].iloc[0] > apart["share_chn"].iloc[0]


def test_a_year_without_imports_is_a_zero_row():
    flows = pd.DataFrame({"year": [2021, 2021, 2023], "exporter": ["CHN", "KOR", "JPN"],
                          "importer": "IND", "hs6": "850760", "value_usd": [3.0, 1.0, 2.0]})
    table = trend.trend_table(flows, reporter="IND", code="850760", years=[2021, 2022, 2023])
    assert list(table["year"]) == [2021, 2022, 2023]
    assert list(table["imports_usd"]) == [4.0, 0.0, 2.0]
    assert table["share_chn"].iloc[0] == pytest.approx(0.75)
    assert table["hhi"].iloc[0] == pytest.approx(0.75 ** 2 + 0.25 ** 2)
    assert pd.isna(table["share_chn"].iloc[1]) and table["n_partners"].iloc[1] == 0
    assert table["share_chn"].iloc[2] == 0.0 and table["top1_partner"].iloc[2] == "JPN"


def test_cli_trend_csv_equals_groupby(capsys, tmp_path):
    code, out, err = run(capsys, "trend", "--reporter", "IND", "--hs6", "850760",
                         "--years", "2019-2023", "--format", "csv",
                         "--output", str(tmp_path / "t.xlsx"))
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), dtype={"hs6": str})
    assert (table["data_label"] == DEMO_LABEL).all()
    flows = data.load_flows("demo", years=range(2019, 2024), reporters=["IND"],
                            hs6=["850760"])
    assert_matches(table, hand(flows, "IND", "hs6", "850760"))
    about = pd.read_excel(tmp_path / "t.xlsx", sheet_name="About")
    assert DEMO_LABEL in set(about["value"])


def test_cli_trend_table_fits_and_says_demo(capsys):
    code, out, _ = run(capsys, "trend", "--hs6", "850760", "--years", "2021")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"# {DEMO_LABEL}" and max(map(len, lines)) <= 120
    assert "China (%)" in out and "imports (USD m)" in out
    with open(config.package_data_dir() / "sectors.csv", encoding="utf-8") as fh:
        name = next(r["short_name"] for r in csv.DictReader(fh) if r["hs6"] == "850760")
    assert f"HS6 850760 ({name})" in out and "Macao apart" in out
    _, merged, _ = run(capsys, "trend", "--hs6", "850760", "--years", "2021", "--merge-hk")
    assert "Macao counted as China" in merged


def test_cli_trend_on_wits_india_hs2(capsys, raw):
    raw("wits-india-mirror-hs2")
    code, out, err = run(capsys, "trend", "--source", "wits-india", "--hs2", "85",
                         "--years", "2019-2023", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["label"] and "demo" not in payload["label"].lower()
    flows = data.load_flows("wits-india", years=range(2019, 2024), reporters=["IND"],
                            products=["85"])
    assert_matches(pd.DataFrame(payload["rows"]), hand(flows, "IND", "hs2", "85"))


def test_cli_trend_chart_file(capsys, tmp_path):
    target = tmp_path / "li-ion.png"
    code, out, err = run(capsys, "trend", "--hs6", "850760", "--chart", str(target))
    assert code == 0, err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    side = json.loads((tmp_path / "li-ion.json").read_text())
    assert side["label"] == DEMO_LABEL and "850760" in side["title"]
    assert out == "" and str(target) in err


@pytest.mark.parametrize(("argv", "needle"), [
    (["--years", "2023-2019"], "2023-2019"),
    (["--years", "20x9"], "20x9"),
    (["--years", "2010-2012"], "2010"),
    (["--hs6", "85076"], "85076"),
])
def test_bad_years_and_codes_exit_2(capsys, argv, needle):
    args = ["trend", "--hs6", "850760", *argv]
    code, _, err = run(capsys, *args)
    assert code == 2 and needle in err and err.startswith("esc: error:")


def test_unknown_code_exit_2(capsys):
    code, _, err = run(capsys, "trend", "--hs6", "123456")
    assert code == 2 and "123456" in err and "IND" in err


def test_library_errors_are_named():
    with pytest.raises(BadValueError):
        trend.parse_years("2019-")
    with pytest.raises(UnknownProductError):
        trend.check_code("8507", "hs6")
    assert trend.parse_years("2019 - 2021") == [2019, 2020, 2021]
