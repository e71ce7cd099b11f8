"""esc.india against independent computations on the raw DGCI&S files (plain csv module)."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date

import pytest

from conftest import _require
from esc import charts, india, study
from esc.charts import DEMO_MARK
from esc.config import package_data_dir
from esc.errors import BadValueError, UnknownReleaseError
from esc.schema import DEMO_LABEL
from esc.sources import dgcis, meidb

HUBS = {"HKG", "MAC"}


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("india-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ESC_CACHE_DIR", str(path))
        yield path


@pytest.fixture(autouse=True)
def _one_cache_for_this_module(_isolated_cache, shared_cache, monkeypatch):
    monkeypatch.setenv("ESC_CACHE_DIR", str(shared_cache))


@pytest.fixture(scope="module")
def iso():
    with (package_data_dir() / "dgcis_partners.csv").open(newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {r["dgcis_name"]: r["iso3"] for r in rows}


def _rows(folder: str) -> list[dict[str, str]]:
    rows = []
    for path in sorted(_require(folder).glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


@pytest.fixture(scope="module")
def pc_rows():
    return _rows(dgcis.FOLDER)


@pytest.fixture(scope="module")
def m_rows():
    return _rows(meidb.FOLDER)


@pytest.fixture(scope="module")
def pc_conc(pc_rows, shared_cache):
    return india.concentration(dgcis.read())


@pytest.fixture(scope="module")
def pc_conc_hk(pc_rows, shared_cache):
    return india.concentration(dgcis.read(), merge_hk=True)


def _screen(values: dict[str, float], merge_hk: bool = False) -> dict[str, object]:
    """HHI, China's share, top supplier of {iso3 or "": USD} by hand ("" = not a country)."""
    by: dict[str, float] = defaultdict(float)
    for code, v in values.items():
        if code and v > 0:
            by["CHN" if merge_hk and code in HUBS else code] += v
    total = sum(by.values())
    top = min(by, key=lambda c: (-by[c], c))
    return {"imports_usd": total, "hhi": sum((v / total) ** 2 for v in by.values()),
            "share_chn": by.get("CHN", 0.0) / total, "top1_partner": top,
            "n_partners": len(by), "unallocated_usd": values.get("", 0.0)}


def _check(got_row, expected: dict[str, object]) -> None:
    for key, value in expected.items():
        if isinstance(value, float):
            assert float(got_row[key]) == pytest.approx(value, rel=1e-9, abs=1e-9), key
        else:
            assert got_row[key] == value, key


@pytest.mark.parametrize(("published", "fy", "merge_hk"), [
    ("ACCUMULATORS AND BATTERIES", "2022-23", False),
    ("BULK DRUGS, DRUG INTERMEDIATES", "2014-15", False),
    ("ELECTRONICS COMPONENTS", "2019-20", False),
    ("ELECTRONICS COMPONENTS", "2021-22", True),
    ("BOOKS, PUBLICATIONS AND PRNTNG", "2016-17", False),  # unified to ...PRINTING
])
def test_commodity_year_matches_hand_computation(pc_rows, iso, pc_conc, pc_conc_hk, published,
                                                 fy, merge_hk):
    values: dict[str, float] = defaultdict(float)
    for r in pc_rows:
        if r["principal_commodity"] == published and r["fiscal_year"] == fy:
            values[iso[r["partner"]]] += float(r["value_usd_mn"]) * 1e6
    assert len(values) > 10
    label = dgcis.commodity_table().get(published, published)
    conc = pc_conc_hk if merge_hk else pc_conc
    got = conc[(conc["commodity"] == label) & (conc["fiscal_year"] == fy)]
    assert len(got) == 1 and int(got["year"].iloc[0]) == int(fy[:4])
    _check(got.iloc[0], _screen(values, merge_hk))


def test_hong_kong_merge_changes_the_answer(pc_conc, pc_conc_hk):
    key = (pc_conc["commodity"] == "ELECTRONICS COMPONENTS") & (pc_conc["year"] == 2021)
    apart, merged = pc_conc[key].iloc[0], pc_conc_hk[
        (pc_conc_hk["commodity"] == "ELECTRONICS COMPONENTS") & (pc_conc_hk["year"] == 2021)
    ].iloc[0]
    assert merged["share_chn"] > apart["share_chn"] + 0.05  # Hong Kong supplies a lot
    assert merged["imports_usd"] == pytest.approx(apart["imports_usd"])


@pytest.mark.parametrize(("code", "year", "merge_hk"), [
    ("28369100", 2023, False), ("38011000", 2024, False), ("25041090", 2022, True),
])
def test_hs8_year_matches_hand_computation(m_rows, iso, code, year, merge_hk):
    values: dict[str, float] = defaultdict(float)
    for r in m_rows:
        if r["hs8"] == code and int(r["year"]) == year:
            values[iso[r["partner"]]] += float(r["value_usd_mn"]) * 1e6
    yearly = meidb.read(years=[year], codes=[code], freq="year")
    got = india.concentration(yearly, merge_hk=merge_hk)
    assert len(got) == 1 and got["hs8"].iloc[0] == code
    _check(got.iloc[0], _screen(values, merge_hk))


def test_hs8_month_matches_hand_computation(m_rows, iso):
    values: dict[str, float] = defaultdict(float)
    for r in m_rows:
        if r["hs8"] == "38011000" and r["year"] == "2023" and r["month"] == "12":
            values[iso[r["partner"]]] += float(r["value_usd_mn"]) * 1e6
    got = india.concentration(meidb.read(years=[2023], codes=["38011000"]))
    row = got[got["period"] == "2023-12"]
    assert len(got) == 12 and len(row) == 1 and int(row["month"].iloc[0]) == 12
    _check(row.iloc[0], _screen(values))


def test_gap_is_a_gap(pc_conc):
    trend = india.sector_trend(dgcis.read())
    batteries = trend[trend["commodity"] == "ACCUMULATORS AND BATTERIES"].drop_duplicates(
        "year")
    assert batteries["fiscal_year"].tolist() == [dgcis.fiscal_label(y) for y in range(2014, 2023)]
    gap = batteries[batteries["fiscal_year"] == "2020-21"].iloc[0]
    assert not gap["published"] and gap[["share_chn", "hhi", "imports_usd"]].isna().all()
    before = batteries[batteries["year"] == 2019]["share_chn"].iloc[0]
    expected = pc_conc[(pc_conc["commodity"] == "ACCUMULATORS AND BATTERIES")
                       & (pc_conc["year"] == 2019)]["share_chn"].iloc[0]
    assert before == pytest.approx(expected)
    assert set(trend["sector"]) >= {"Energy and critical minerals", "Bio-healthcare"}


def test_graphite_event_study_matches_hand_computation(m_rows):
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    everything: dict[str, float] = defaultdict(float)
    for r in m_rows:
        period = f"{r['year']}-{int(r['month']):02d}"
        value = float(r["value_usd_mn"]) * 1e6
        everything[period] += value
        if r["hs8"][:4] in ("2504", "3801"):
            totals[period][0 if r["partner"] == "CHINA P RP" else 1] += value
    months = [f"{y}-{m:02d}" for y in range(2021, 2026) for m in range(1, 13)]
    before = months[months.index("2021-12"):months.index("2023-12")]
    after = [m for m in months[months.index("2023-12"):months.index("2025-12")]
             if everything[m] > 0]  # 2025-11 is all zero in the file: not yet compiled
    study = india.event_study(meidb.read(), start=date(2023, 12, 1), codes=["2504", "3801"],
                              controller="CHN")
    summary = india.event_summary(study).set_index("phase")
    for phase, span in (("before", before), ("after", after)):
        china = [totals[m][0] for m in span]
        other = [totals[m][1] for m in span]
        assert summary.loc[phase, "months"] == len(span)
        assert summary.loc[phase, "controller_usd"] == pytest.approx(sum(china) / len(span))
        assert summary.loc[phase, "others_usd"] == pytest.approx(sum(other) / len(span))
        assert summary.loc[phase, "controller_share"] == pytest.approx(
            sum(china) / (sum(china) + sum(other)))
    assert summary.loc["change", "controller_share"] == pytest.approx(
        summary.loc["after", "controller_share"] - summary.loc["before", "controller_share"])
    row = study[study["period"] == "2024-01"].iloc[0]
    assert row["controller_usd"] == pytest.approx(totals["2024-01"][0])
    assert study[study["period"] == "2025-11"][["controller_usd", "total_usd"]].isna().all(
        axis=None)


def test_event_study_by_control_id_uses_its_subheadings():
    pytest.importorskip("esc.controls")
    study = india.event_study(meidb.read(), event="cn-graphite-2023-12")
    ev = study.attrs["event"]
    assert ev["start"] == "2023-12-01" and ev["controller"] == "CHN"
    assert ev["hs8_lines"] == ["25041010", "25041020", "25041090", "38011000"]
    broad = india.event_study(meidb.read(), event=india.GRAPHITE_2023)
    assert broad["total_usd"].sum() > study["total_usd"].sum()
    with pytest.raises(BadValueError):
        india.event_study(meidb.read(), start=date(2023, 12, 1))


def test_dependence_tables(pc_conc):
    dep = study.india_dependence("dgcis", year=2022)
    assert set(dep["fiscal_year"]) == {"2022-23"} and dep["pci"].isna().all()
    assert dep["pci_note"].str.contains("not an HS heading").all()
    assert dep.attrs["label"] == dgcis.LABEL != DEMO_LABEL
    expected = pc_conc[pc_conc["year"] == 2022].set_index("commodity")["hhi"]
    assert dep.set_index("commodity")["hhi"].sort_index().tolist() == pytest.approx(
        expected.sort_index().tolist())
    batteries = study.india_dependence("dgcis", year=2022, sector="Batteries")
    assert batteries["commodity"].tolist() == ["ACCUMULATORS AND BATTERIES"]
    with pytest.raises(UnknownReleaseError, match="2020-21"):
        study.india_dependence("dgcis", year=2020)
    with pytest.raises(UnknownReleaseError, match="IND"):
        study.india_dependence("dgcis", year=2022, reporters=["JPN"])
    with pytest.raises(UnknownReleaseError, match="graphite"):
        study.india_dependence("meidb", year=2023, sector="Digital and EE")
    lines = study.india_dependence("meidb", year=2023)
    assert lines["hs6"].str.fullmatch(r"\d{6}").all() and lines["hs6"].is_unique


def test_charts_name_dgcis_and_licence_and_are_not_demo(pc_conc):
    top = india.most_concentrated(pc_conc, 2022, n=5)
    assert top["hhi"].is_monotonic_decreasing and (top["imports_usd"] >= 1e8).all()
    study = india.event_study(meidb.read(), event=india.GRAPHITE_2023)
    yearly = meidb.read(years=[2024], codes=["2825", "2836"], freq="year")
    trend = india.sector_trend(dgcis.read())
    for chart, licence in ((charts.concentration_chart(top), "GODL-India"),
                           (charts.share_trend_chart(trend), "GODL-India"),
                           (charts.event_chart(study), "no licence stated"),
                           (charts.supplier_chart(yearly), "no licence stated")):
        text = json.dumps(chart.to_dict())
        assert "DGCI&S" in text and licence in text
        assert DEMO_MARK not in text


def test_data_facade_registers_both_sources(pc_conc):
    from esc import data
    from esc.errors import DownloadError

    flows = data.load_flows("dgcis", years=[2022])
    assert set(flows["fiscal_year"]) == {"2022-23"} and flows.attrs["source"] == "dgcis"
    hhi = india.concentration(flows).set_index("commodity")["hhi"].sort_index()
    expected = pc_conc[pc_conc["year"] == 2022].set_index("commodity")["hhi"].sort_index()
    assert hhi.tolist() == pytest.approx(expected.tolist())
    lines = data.load_flows("meidb", years=[2023], hs6=["283691"])
    assert set(lines["hs6"]) == {"283691"} and set(lines["hs_rev"]) == {"HS22"}
    assert data.load_flows("meidb", years=[2023], product_level="hs8")["hs8"].nunique() == 24
    with pytest.raises(UnknownReleaseError, match="IND"):
        data.load_flows("dgcis", reporters=["JPN"])
    for source, page in (("dgcis", "data.gov.in"), ("meidb", "tradestat.commerce.gov.in")):
        with pytest.raises(DownloadError, match=page) as info:
            data.fetch(source)
        assert (dgcis if source == "dgcis" else meidb).FOLDER in str(info.value)
        prov = data.provenance(source)
        assert prov["licence"] and len(prov["entries"]) == 1
        assert prov["entries"][0]["sha256"]
    listed = data.list_available()
    assert {"dgcis", "meidb"} <= set(listed["source"])


def test_cli_dependence_and_fetch(pc_rows, iso, capsys):
    import io

    import pandas as pd

    from esc.cli import main

    assert main(["dependence", "--source", "dgcis", "--reporter", "IND", "--year", "2022",
                 "--format", "csv"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert set(out["data_label"]) == {dgcis.LABEL} and set(out["fiscal_year"]) == {"2022-23"}
    values: dict[str, float] = defaultdict(float)
    for r in pc_rows:
        if r["principal_commodity"] == "ACCUMULATORS AND BATTERIES" and r["fiscal_year"] == \
                "2022-23":
            values[iso[r["partner"]]] += float(r["value_usd_mn"]) * 1e6
    row = out[out["commodity"] == "ACCUMULATORS AND BATTERIES"].iloc[0]
    assert row["hhi"] == pytest.approx(_screen(values)["hhi"])
    assert row["pci_note"].startswith("no PCI")
    assert main(["dependence", "--source", "meidb", "--reporter", "IND", "--year", "2023"]) == 0
    text = capsys.readouterr().out
    assert "283691" in text and DEMO_LABEL not in text and "HS6 line, calendar year" in text
    assert main(["dependence", "--source", "dgcis", "--year", "2020"]) == 2
    assert "2020-21" in capsys.readouterr().err
    assert main(["data", "fetch", "dgcis"]) == 2
    assert "Principal Commodity-wise Import" in capsys.readouterr().err


def _toy_notebook(path, source: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("output_dir = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def test_report_leaves_india_notebook_out_without_its_data(tmp_path, monkeypatch):
    from esc import report

    _require(dgcis.FOLDER), _require(meidb.FOLDER)
    folder = tmp_path / "nbs"
    folder.mkdir()
    _toy_notebook(folder / "overview.ipynb", "print('overview ran')")
    _toy_notebook(folder / "india_official.ipynb", "print('india ran')")
    templates = sorted(folder.glob("*.ipynb"))
    assert [t.stem for t in report.without_data(templates)[0]] == ["india_official", "overview"]
    empty = tmp_path / "no-data"
    empty.mkdir()
    monkeypatch.setenv("ESC_DATA_DIR", str(empty))
    kept, absent = report.without_data(templates)
    assert [t.stem for t in kept] == ["overview"]
    assert "india-principal-commodity" in absent["india_official"]
    monkeypatch.setattr(report, "data_provenance", lambda source: {"source": source})
    monkeypatch.setattr(report, "check_parameters", lambda **kw: None)
    res = report.run_report(notebook_dir=folder, out=tmp_path / "out", progress=False)
    assert res.ok and [nb.name for nb in res.notebooks] == ["overview"]
    assert res.manifest["absent"] == absent
    index = (res.folder / "index.html").read_text()
    assert "Not in this report" in index and "india-meidb-minerals-hs8" in index
