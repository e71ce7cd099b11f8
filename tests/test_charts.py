"""Briefing charts: titles, units, the demo mark, cut lines, shares, and PNG/SVG output.

All tables are small and hand-made here; expected numbers are worked out by hand in the
comments, not read back from the code.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from typing import Any

import altair as alt
import pandas as pd
import pytest

import esc
from esc import charts
from esc import source as esc_source
from esc.errors import BadValueError, MissingColumnError, UnknownSourceError
from esc.label import Label, stamp
from esc.schema import DEMO_LABEL

BACI = Label(source="baci", title="CEPII BACI", release="V202501", hs_rev="HS22")
DEMO = Label(source="demo", title="esc demo world, generated", demo=True, release="demo-v3")


def _walk(obj: Any):
    """Every dict inside a chart spec."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def _datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def _axis_titles(spec: dict) -> set[str]:
    out = set()
    for d in _walk(spec):
        for ch in ("x", "y", "size", "color"):
            enc = d.get(ch)
            if isinstance(enc, dict) and isinstance(enc.get("title"), str):
                out.add(enc["title"])
    return out


def _quadrant_table(label: str | None = DEMO_LABEL) -> pd.DataFrame:
    t = pd.DataFrame({
        "year": [2023] * 4,
        "importer": ["IND"] * 4,
        "hs6": ["850760", "854142", "284690", "841430"],
        "short_name": ["Li-ion batteries", "Solar cells", "Rare-earth compounds", "Compressors"],
        # hhi/pci chosen so that with cuts 0.4/0.5 the categories are A, C, B, D
        "hhi": [0.70, 0.20, 0.90, 0.10],
        "pci": [1.20, 0.90, -1.00, 0.10],
        "imports_usd": [2.0e9, 5.0e8, 1.0e8, 3.0e8],
    })
    if label is not None:
        t.attrs["label"] = label
    return t


def _flows() -> pd.DataFrame:
    # India imports of one product: CHN 60, KOR 30, DEU 6, USA 4 (USD million)
    # and of a second product: CHN 10, KOR 10, DEU 80.
    rows = [("CHN", "850760", 60), ("KOR", "850760", 30), ("DEU", "850760", 6),
            ("USA", "850760", 4), ("CHN", "854142", 10), ("KOR", "854142", 10),
            ("DEU", "854142", 80)]
    df = pd.DataFrame(rows, columns=["exporter", "hs6", "musd"])
    df["value_usd"] = df.pop("musd") * 1e6
    df["year"], df["importer"] = 2023, "IND"
    df["short_name"] = df["hs6"].map({"850760": "Li-ion batteries", "854142": "Solar cells"})
    return stamp(df, BACI)


def test_theme_is_registered_but_not_enabled_at_import():
    assert "esc" in alt.theme.names()
    assert alt.theme.active != "esc"
    before = alt.theme.active
    with charts.use_theme():
        assert alt.theme.active == "esc"
    assert alt.theme.active == before


def test_quadrant_title_units_and_demo_mark():
    spec = charts.quadrant(_quadrant_table(), hhi_cut=0.4, pci_cut=0.5).to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert "Import vulnerability" in text
    assert charts.DEMO_MARK in text
    titles = _axis_titles(spec)
    assert "HHI of import sources (0–1)" in titles
    assert "Product Complexity Index (PCI, std. units)" in titles
    assert "Imports (USD million)" in titles
    assert "Source: esc" not in text or "demo" in text.lower()


def test_quadrant_without_demo_label_has_no_demo_mark_and_names_source():
    t = _quadrant_table(label="CEPII BACI")
    spec = charts.quadrant(t, source="CEPII BACI HS22", vintage="V202501").to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert charts.DEMO_MARK not in text
    assert "Source: CEPII BACI HS22 (V202501)" in text


def test_explicit_label_overrides_attrs():
    spec = charts.quadrant(_quadrant_table(label=None), label=DEMO_LABEL).to_dict()
    assert charts.DEMO_MARK in json.dumps(spec, ensure_ascii=False)


def test_quadrant_cut_lines_at_the_given_cuts():
    spec = charts.quadrant(_quadrant_table(), hhi_cut=0.4, pci_cut=0.5).to_dict()
    rules = [d for d in _walk(spec) if d.get("mark", {}) == {"type": "rule", "color": "#555555",
                                                            "strokeDash": [5, 4]}]
    datums = {(k, d["encoding"][k]["datum"]) for d in rules for k in d["encoding"]}
    assert datums == {("x", 0.4), ("y", 0.5)}


def test_quadrant_categories_follow_the_cuts_when_absent():
    spec = charts.quadrant(_quadrant_table(), hhi_cut=0.4, pci_cut=0.5).to_dict()
    (rows,) = [d for d in _datasets(spec) if d and "category" in d[0]]
    got = {r["short"]: r["category"] for r in rows}
    # 0.70/1.2 -> A; 0.20/0.9 -> C; 0.90/-1.0 -> B; 0.10/0.1 -> D
    assert got == {"Li-ion batteries": "A", "Solar cells": "C", "Rare-earth compounds": "B",
                   "Compressors": "D"}
    musd = {r["short"]: r["imports_musd"] for r in rows}
    assert musd["Li-ion batteries"] == pytest.approx(2000.0)


def test_quadrant_labels_the_concentrated_categories_a_and_b():
    spec = charts.quadrant(_quadrant_table(), hhi_cut=0.4, pci_cut=0.5).to_dict()
    (rows,) = [d for d in _datasets(spec) if d and "side" in d[0]]
    labelled = {r["short"] for r in rows if r["side"]}
    assert labelled == {"Li-ion batteries", "Rare-earth compounds"}  # A and B, not C or D


def test_supplier_bars_shares_top_n_and_other():
    spec = charts.supplier_bars(_flows(), top=2).to_dict()
    (rows,) = [d for d in _datasets(spec) if d and "share" in d[0]]
    got = {(r["product"], r["supplier_name"]): r["share"] for r in rows}
    # top 2 suppliers over the table: DEU 86, CHN 70 (KOR 40, USA 4 -> Other)
    # Li-ion: CHN 60/100, DEU 6/100, Other (KOR 30 + USA 4) 34/100
    assert got[("Li-ion batteries (850760)", "China")] == pytest.approx(0.60)
    assert got[("Li-ion batteries (850760)", "Germany")] == pytest.approx(0.06)
    assert got[("Li-ion batteries (850760)", "Other")] == pytest.approx(0.34)
    assert got[("Solar cells (854142)", "Germany")] == pytest.approx(0.80)
    text = json.dumps(spec, ensure_ascii=False)
    assert "Share of import value (%)" in text
    assert "Source: CEPII BACI (release V202501)" in text  # from the table's label
    assert charts.DEMO_MARK not in text


def test_heatmap_cells_are_shares_in_percent():
    df = stamp(_flows(), DEMO)
    spec = charts.heatmap(df, top=3).to_dict()
    (rows,) = [d for d in _datasets(spec) if d and "pct" in d[0]]
    got = {(r["product"], r["supplier_name"]): r["pct"] for r in rows}
    # top 3 overall: DEU 86, CHN 70, KOR 40; Li-ion Other = USA 4 %
    assert got[("Li-ion batteries (850760)", "South Korea")] == 30
    assert got[("Li-ion batteries (850760)", "Other")] == 4
    assert ("Solar cells (854142)", "Other") not in got
    text = json.dumps(spec, ensure_ascii=False)
    assert charts.DEMO_MARK in text
    assert "share of import value, %" in text


def test_trend_sums_values_per_year_in_usd_million():
    df = pd.concat([_flows().assign(year=y, value_usd=_flows()["value_usd"] * k)
                    for y, k in ((2021, 1.0), (2022, 2.0))], ignore_index=True)
    spec = charts.trend(df, series="short_name", title="Imports by product").to_dict()
    (rows,) = _datasets(spec)[:1] or [[]]
    rows = [r for d in _datasets(spec) for r in d if "_y" in r]
    got = {(r["year"], r["_s"]): r["_y"] for r in rows}
    # Li-ion: 60+30+6+4 = 100 million in 2021, twice that in 2022
    assert got[(2021, "Li-ion batteries")] == pytest.approx(100.0)
    assert got[(2022, "Li-ion batteries")] == pytest.approx(200.0)
    assert "Imports (USD million)" in _axis_titles(spec)


def test_trend_keeps_at_most_max_series():
    df = pd.DataFrame({"year": 2023, "short_name": [f"p{i}" for i in range(12)],
                       "value_usd": [float(i + 1) * 1e6 for i in range(12)]})
    spec = charts.trend(df, max_series=3).to_dict()
    rows = [r for d in _datasets(spec) for r in d if "_y" in r]
    got = {r["_s"]: r["_y"] for r in rows}
    # largest three are p11 (12), p10 (11), p9 (10); Other = 1+...+9 = 45
    assert got == pytest.approx({"p11": 12.0, "p10": 11.0, "p9": 10.0, "Other": 45.0})


def test_waterfall_segments_are_cumulative_and_split_by_coverage():
    t = pd.DataFrame({"short_name": ["a", "b", "c"],
                      "at_risk_usd": [5e6, 3e6, 2e6],
                      "coverable_usd": [1e6, 9e6, 0.0]})
    spec = charts.scenario_waterfall(t).to_dict()
    rows = [r for d in _datasets(spec) for r in d if "kind" in r]
    seg = {(r["step"], r["kind"][:3]): (r["start"], r["end"]) for r in rows}
    # a: 0-1 covered, 1-5 not; b: covered capped at 3 -> 5-8 covered; c: 8-10 not; total 0-10
    assert seg[("a", "Cou")] == pytest.approx((0.0, 1.0))
    assert seg[("a", "Not")] == pytest.approx((1.0, 5.0))
    assert seg[("b", "Cou")] == pytest.approx((5.0, 8.0))
    assert seg[("b", "Not")] == pytest.approx((8.0, 8.0))
    assert seg[("c", "Not")] == pytest.approx((8.0, 10.0))
    assert seg[("Total", "Tot")] == pytest.approx((0.0, 10.0))
    assert "Imports at risk (USD million, cumulative)" in _axis_titles(spec)


def test_timeline_and_coverage_matrix():
    ini = pd.DataFrame({"name": ["SCRI", "Chips dialogue"], "start": ["2021-04-27", "2023"],
                        "end": ["2025", None], "type": ["initiative", "dialogue"]})
    spec = charts.initiative_timeline(ini, source="esc initiatives").to_dict()
    rows = [r for d in _datasets(spec) for r in d if "name" in r]
    assert {r["name"]: r["start"] for r in rows} == {"SCRI": "2021-04-27",
                                                      "Chips dialogue": "2023-01-01"}
    assert "Year announced or started" in _axis_titles(spec)
    cov = pd.DataFrame({"product": ["Batteries", "Batteries", "Compressors"],
                        "type": ["MoU", "MoU", "dialogue"], "n_initiatives": [1, 2, 0]})
    spec = charts.coverage_matrix(cov).to_dict()
    rows = [r for d in _datasets(spec) for r in d if "n" in r]
    assert {(r["product"], r["kind"]): r["n"] for r in rows} == {
        ("Batteries", "MoU"): 3, ("Compressors (no initiative)", "dialogue"): 0}


def test_missing_column_is_named():
    with pytest.raises(MissingColumnError, match="pci"):
        charts.quadrant(_quadrant_table().drop(columns="pci"))


def test_six_thousand_product_quadrant_keeps_every_point():
    n = 6000
    big = pd.DataFrame({
        "year": 2023, "importer": ["IND", "JPN"] * (n // 2),
        "hs6": [f"{i:06d}" for i in range(n)], "short_name": [f"p{i}" for i in range(n)],
        "hhi": [(i % 100) / 100 for i in range(n)], "pci": [(i % 7) - 3.0 for i in range(n)],
        "imports_usd": [1e6 + i for i in range(n)],
    })
    options = dict(alt.data_transformers.options)
    spec = charts.quadrant(big).to_dict()  # altair's 5,000-row check would raise here
    rows = [r for d in _datasets(spec) for r in d if "hhi" in r]
    assert len(rows) == n
    assert alt.data_transformers.options == options


def test_six_thousand_flow_rows_render_to_png(tmp_path):
    # 6,000 flows: 2 importers x 20 products x 150 suppliers x 1 year, every value 1 USD
    # million except China's, 150 million: China's share = 150 / (149 + 150) in every product.
    exporters = ["CHN"] + [f"Z{i:02d}" for i in range(149)]
    rows = [("CHN" if e == "CHN" else e, imp, f"85{p:04d}", 150e6 if e == "CHN" else 1e6)
            for imp in ("IND", "JPN") for p in range(20) for e in exporters]
    flows = pd.DataFrame(rows, columns=["exporter", "importer", "hs6", "value_usd"])
    flows["year"] = 2023
    flows.attrs["label"] = DEMO_LABEL
    assert len(flows) == 6000
    options = dict(alt.data_transformers.options)
    chart = charts.heatmap(flows, top=5, max_products=None)
    shares = [r["share"] for d in _datasets(chart.to_dict()) for r in d
              if r.get("supplier_name") == "China"]
    assert len(shares) == 40 and shares == pytest.approx([150 / 299] * 40)
    paths = charts.save(chart, tmp_path, "big")
    assert alt.data_transformers.options == options
    png = tmp_path / "big.png"
    assert png in paths
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000


def test_save_writes_valid_png_and_svg(tmp_path):
    paths = charts.save(charts.supplier_bars(_flows()), tmp_path / "charts", "bars")
    assert [p.name for p in paths] == ["bars.png", "bars.svg"]
    png, svg = paths
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width = int.from_bytes(data[16:20], "big")
    assert width > 800  # 2x scale of a ~560 px wide chart
    assert png.stat().st_size > 10_000
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<svg") and "Who supplies these imports?" in text
    assert not list((tmp_path / "charts").glob(".*"))  # no temp files left behind


def test_save_rejects_an_unsafe_file_name(tmp_path):
    with pytest.raises(BadValueError):
        charts.save(charts.supplier_bars(_flows()), tmp_path, "../escape")


def test_trend_value_weighted_mean_for_shares():
    # China's share: product a 0.5 of USD 300, product b 0.1 of USD 100 ->
    # weighted (0.5*300 + 0.1*100) / 400 = 0.4 (the plain mean would be 0.3)
    t = pd.DataFrame({"year": [2023, 2023], "importer": ["IND", "IND"],
                      "share_chn": [0.5, 0.1], "imports_usd": [300.0, 100.0]})
    spec = charts.trend(t, y="share_chn", series="importer").to_dict()
    rows = [r for d in _datasets(spec) for r in d if "_y" in r]
    assert [(r["_s"], r["_y"]) for r in rows] == [("India", pytest.approx(0.4))]
    assert "China's share of imports, value-weighted (%)" in _axis_titles(spec)


def test_ranked_bars_top_n_in_usd_million_with_registry_names():
    t = pd.DataFrame({"hs6": ["850760", "854143", "841430"],
                      "shiftable_usd": [3e6, 9e6, 1e6], "importer": ["IND", "JPN", "JPN"]})
    spec = charts.ranked_bars(t, value="shiftable_usd", top=2, colour="importer",
                              x_title="Imports (USD million)", source="demo").to_dict()
    rows = [r for d in _datasets(spec) for r in d if "_v" in r]
    got = {r["_label"]: r["_v"] for r in rows}
    assert got == {"Japan · PV cells in modules or panels (854143)": pytest.approx(9.0),
                   "India · Lithium-ion batteries (850760)": pytest.approx(3.0)}
    assert charts.DEMO_MARK in json.dumps(spec, ensure_ascii=False)


def test_waterfall_names_the_supplier_from_supplier_stop_attrs():
    t = pd.DataFrame({"year": 2023, "importer": "IND", "hs6": ["850760"],
                      "at_risk_usd": [2e9], "coverable_usd": [5e8]})
    stamp(t, DEMO)
    t.attrs.update({"supplier": "CHN", "replacement": "trusted"})
    text = json.dumps(charts.scenario_waterfall(t).to_dict(), ensure_ascii=False)
    assert "Imports of India from China, 2023." in text
    assert "trusted partners'" in text
    assert "Lithium-ion batteries (850760)" in text
    assert charts.DEMO_MARK in text


def test_source_argument_demo_forces_the_mark_even_without_attrs():
    t = _quadrant_table(label=None)
    assert charts.DEMO_MARK in json.dumps(charts.quadrant(t, source="demo").to_dict(),
                                          ensure_ascii=False)
    try:  # the registry spells the name out; before it knows "demo", the key itself
        name = esc_source.get("demo").title
    except UnknownSourceError:
        name = "demo"
    assert charts.source_line(source="demo") == f"Source: {name}. Chart: esc {esc.__version__}."


def test_save_without_folder_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert charts.save(charts.supplier_bars(_flows()), None, "bars") == []
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Issue 10 item 4: charts that only draw
# ---------------------------------------------------------------------------------------------


def _india_tables() -> dict[str, pd.DataFrame]:
    """Hand-made tables shaped like esc.india's outputs (no data folder needed)."""
    top = pd.DataFrame({"year": [2022, 2022], "fiscal_year": ["2022-23", "2022-23"],
                        "commodity": ["Lithium-ion cells", "Graphite"],
                        "hhi": [0.81, 0.52], "imports_usd": [3e9, 2e8],
                        "top1_partner": ["CHN", "CHN"], "top1_share": [0.9, 0.7]})
    top.attrs.update({"label": "DGCI&S India imports by principal commodity", "source": "dgcis",
                      "product": "commodity"})
    trend = pd.DataFrame({"sector": "Batteries", "commodity": "Lithium-ion cells",
                          "year": [2019, 2020, 2021], "fiscal_year": ["2019-20", "2020-21",
                                                                      "2021-22"],
                          "share_chn": [0.7, None, 0.8], "imports_usd": [1e9, None, 2e9]})
    trend.attrs.update(top.attrs)
    months = pd.period_range("2023-10", periods=4, freq="M")
    study = pd.DataFrame({"period": months.strftime("%Y-%m"),
                          "month_start": months.to_timestamp().date,
                          "controller_usd": [4e6, 5e6, 3e6, 2e6],
                          "others_usd": [2e6, 2e6, 3e6, 4e6]})
    study.attrs.update({"label": "DGCI&S MEIDB", "source": "meidb",
                        "event": {"id": "x", "name": "graphite", "start": "2023-12-01",
                                  "announced": "2023-10-20", "controller": "CHN",
                                  "hs8_lines": ["25041010"]}})
    yearly = pd.DataFrame({"year": 2024, "importer": "IND", "hs8": ["28252000"] * 3,
                           "exporter": ["CHN", "BEL", ""], "value_usd": [6e6, 3e6, 1e6]})
    yearly.attrs.update({"label": "DGCI&S MEIDB", "source": "meidb", "product": "hs8"})
    return {"top": top, "trend": trend, "study": study, "yearly": yearly}


def _every_chart(attrs: dict | None = None) -> dict[str, Any]:
    """Every chart builder of esc.charts on a small hand-made table (``attrs`` copied onto
    each table, so that one label decides them all)."""
    def lab(t: pd.DataFrame) -> pd.DataFrame:
        if attrs is not None:
            t.attrs.clear()
            t.attrs.update(attrs)
        return t

    flows = _flows()
    china_importer = pd.DataFrame({"year": [2022, 2023] * 2, "importer": ["CHN"] * 2 + ["IND"] * 2,
                                   "share_chn": [0.0, 0.0, 0.4, 0.5], "imports_usd": 1e6})
    sens = pd.DataFrame({"redirect": [0.0, 0.1, 0.2] * 2, "uncovered_usd": [3e6, 2e6, 1e6] * 2,
                         "importer": ["CHN"] * 3 + ["IND"] * 3, "year": 2023})
    alts = pd.DataFrame({"hs6": "850760", "exporter": ["KOR", "CHN"], "world_share": [0.3, 0.5],
                         "trusted": [True, False], "headroom_usd": [1e6, 2e6], "rank": [2, 1],
                         "year": 2023})
    ctl = pd.DataFrame({"control": ["cn-graphite"], "importer": ["IND"], "year": 2023,
                        "coverable_usd": [1e6], "uncovered_usd": [2e6]})
    now = pd.DataFrame({"hs6": ["850760"], "shiftable_usd": [2e6], "year": 2023,
                        "shiftable_uncapped_usd": [3e6]})
    nxt = pd.DataFrame({"hs6": ["854143"], "score": [1e6], "density": [0.4]})
    ini = pd.DataFrame({"name": ["SCRI"], "start": ["2021"], "end": ["2025"], "type": ["MoU"]})
    explore = pd.DataFrame({"preset": "study", "year": 2023, "importer": "IND",
                            "hs6": ["850760"], "short_name": ["Li-ion batteries"],
                            "sector": ["Energy"], "imports_usd": [3e9], "hhi": [0.5],
                            "pci": [1.0], "top1_partner": ["CHN"], "top1_share": [0.6],
                            "category": ["A"], "flag": [True]})
    india = {k: (lab(v) if attrs is not None else v) for k, v in _india_tables().items()}
    return {
        "quadrant": charts.quadrant(lab(_quadrant_table())),
        "supplier_bars": charts.supplier_bars(lab(flows.copy())),
        "heatmap": charts.heatmap(lab(flows.copy())),
        "trend": charts.trend(lab(china_importer), y="share_chn", series="importer"),
        "scenario_waterfall": charts.scenario_waterfall(lab(pd.DataFrame(
            {"year": 2023, "hs6": ["850760"], "at_risk_usd": [2e6], "coverable_usd": [1e6]}))),
        "redirect_sensitivity": charts.redirect_sensitivity(lab(sens), series="importer"),
        "alternative_suppliers": charts.alternative_suppliers(lab(alts)),
        "controls_at_risk": charts.controls_at_risk(lab(ctl)),
        "complementarity_lists": charts.complementarity_lists(lab(now), lab(nxt)),
        "ranked_bars": charts.ranked_bars(lab(flows.copy()), value="value_usd",
                                          x_title="Imports (USD million)", colour="exporter"),
        "initiative_timeline": charts.initiative_timeline(lab(ini)),
        "coverage_matrix": charts.coverage_matrix(lab(pd.DataFrame(
            {"product": ["Batteries"], "type": ["MoU"]}))),
        "concentration_chart": charts.concentration_chart(india["top"]),
        "share_trend_chart": charts.share_trend_chart(india["trend"]),
        "event_chart": charts.event_chart(india["study"]),
        "supplier_chart": charts.supplier_chart(india["yearly"]),
        "explorer": charts.explorer(lab(explore)),
    }


def test_every_chart_builds_with_the_data_layer_unreachable(monkeypatch):
    from esc import cache, data
    from esc.sources import dgcis, meidb

    def unreachable(*args, **kwargs):
        raise AssertionError("a chart tried to read data")

    for module, names in ((data, ["load_flows", "provenance", "list_available"]),
                          (cache, ["read", "entries", "read_provenance", "locate"]),
                          (meidb, ["read", "flows"]), (dgcis, ["read"])):
        for attr in names:
            monkeypatch.setattr(module, attr, unreachable)
    built = _every_chart()
    public = {n for n in charts.__all__ if n[0].islower()} - {
        "country_colour", "esc_theme", "interactive", "is_demo", "live", "save", "source_line",
        "supplier_shares", "use_theme"}
    assert set(built) == public  # every builder is covered
    for key, chart in built.items():
        text = json.dumps(chart.to_dict(), ensure_ascii=False)
        assert "Source: " in text, key


def _country_colours(spec: dict) -> dict[str, str]:
    """Name -> colour of every colour scale in a spec whose domain lists country names."""
    out: dict[str, str] = {}
    for d in _walk(spec):
        scale = d.get("scale") if isinstance(d.get("scale"), dict) else None
        if scale and isinstance(scale.get("domain"), list) and isinstance(scale.get("range"),
                                                                          list):
            for name, colour in zip(scale["domain"], scale["range"], strict=False):
                if isinstance(name, str) and isinstance(colour, str):
                    out.setdefault(name, colour)
                    assert out[name] == colour, f"{name} has two colours in one chart"
    return out


def test_china_has_one_colour_in_every_chart_that_shows_countries():
    china = charts.COUNTRY_COLOURS["CHN"]
    seen: dict[str, dict[str, str]] = {}
    for key, chart in _every_chart().items():
        colours = _country_colours(chart.to_dict())
        if "China" in colours:
            seen[key] = colours
    # China is an importer in the trend and sensitivity tables, a supplier elsewhere
    assert set(seen) >= {"supplier_bars", "trend", "redirect_sensitivity", "ranked_bars",
                         "event_chart", "supplier_chart"}
    assert {k: c["China"] for k, c in seen.items()} == {k: china for k in seen}
    # and every other country keeps its colour from chart to chart
    for country in ("India", "South Korea", "Germany", "Belgium"):
        found = {c[country] for c in seen.values() if country in c}
        assert len(found) <= 1, country
    # China's colour does not depend on its rank among suppliers (it was PALETTE[rank])
    flows = _flows()
    flows.loc[flows["exporter"] == "CHN", "value_usd"] /= 100  # China now last
    assert _country_colours(charts.supplier_bars(flows, top=4).to_dict())["China"] == china


def test_country_colours_are_fixed_and_the_fallback_is_deterministic():
    from esc.charts.style import FALLBACK_COLOURS, country_colour

    assert country_colour("CHN") == charts.COUNTRY_COLOURS["CHN"] != country_colour("JPN")
    assert len(set(charts.COUNTRY_COLOURS.values())) == len(charts.COUNTRY_COLOURS)
    # an unmapped code: sha256 of the code picks the colour, so every run agrees
    digest = int(hashlib.sha256(b"ZMB").hexdigest()[:8], 16)
    assert country_colour("ZMB") == FALLBACK_COLOURS[digest % len(FALLBACK_COLOURS)]
    assert country_colour("Other") == charts.OTHER_GREY


def _parity_flows() -> pd.DataFrame:
    # India's imports of one product (USD million): CHN 50, HKG 30, KOR 20, a self-trade row
    # IND 100 (re-imports) and a zero row VNM 0. Of a second: CHN 10, MAC 10, USA 30.
    rows = [("CHN", "850760", 50), ("HKG", "850760", 30), ("KOR", "850760", 20),
            ("IND", "850760", 100), ("VNM", "850760", 0),
            ("CHN", "854142", 10), ("MAC", "854142", 10), ("USA", "854142", 30)]
    df = pd.DataFrame(rows, columns=["exporter", "hs6", "musd"])
    df["value_usd"] = df.pop("musd") * 1e6
    df["year"], df["importer"] = 2023, "IND"
    return df


def _chart_shares(chart) -> dict[tuple[str, str], float]:
    rows = [r for d in _datasets(chart.to_dict()) for r in d if "share" in r and "product" in r]
    return {(r["product"][-7:-1], r["supplier_name"]): r["share"] for r in rows}


@pytest.mark.parametrize("merge_hk", [False, True])
def test_supplier_shares_are_the_shares_behind_the_hhi(merge_hk):
    from esc import metrics

    flows = _parity_flows()
    conc = metrics.concentration(flows, merge_hk=merge_hk).set_index("hs6")
    for build in (charts.supplier_bars, charts.heatmap):
        got = _chart_shares(build(flows, top=10, merge_hk=merge_hk))
        for code in ("850760", "854142"):
            shares = {s: v for (c, s), v in got.items() if c == code}
            assert sum(v * v for v in shares.values()) == pytest.approx(conc.at[code, "hhi"])
            assert max(shares.values()) == pytest.approx(conc.at[code, "top1_share"])
            assert shares["China"] == pytest.approx(conc.at[code, "share_chn"])
    # by hand: self-trade (India 100) and the zero row (Viet Nam) are not suppliers
    li = {s: v for (c, s), v in got.items() if c == "850760"}
    if merge_hk:  # China 50 + Hong Kong 30 = 80 of 100
        assert li == pytest.approx({"China": 0.8, "South Korea": 0.2})
    else:
        assert li == pytest.approx({"China": 0.5, "Hong Kong": 0.3, "South Korea": 0.2})
    # the old chart-side shares counted the self-trade row: China 50 of 200
    assert li["China"] != pytest.approx(50 / 200)


def test_supplier_bars_take_a_partner_shares_table_as_it_is():
    from esc import metrics

    shares = metrics.partner_shares(_parity_flows(), merge_hk=True)
    got = _chart_shares(charts.supplier_bars(shares, top=10))
    assert got[("854142", "China")] == pytest.approx(20 / 50)  # China 10 + Macao 10 of 50


DEMO_CASES = {
    "stamped demo": {"label": DEMO_LABEL, "source": "demo", "data": DEMO.as_dict()},
    "stamped real": {"label": BACI.text, "source": "baci", "data": BACI.as_dict()},
    "BACI VDEMO": stamp(pd.DataFrame(), Label(source="baci", title="CEPII BACI", demo=True,
                                              release="VDEMO")).attrs,
    "printed demo label only": {"label": DEMO_LABEL},
    "a label that mentions demo": {"label": "my demo notes", "source": "demonstration"},
    "source key only": {"source": "demo"},
    "nothing": {},
}


@pytest.mark.parametrize("case", list(DEMO_CASES))
def test_demo_mark_appears_exactly_when_esc_label_says_demo(case):
    from esc.label import is_demo

    attrs = dict(DEMO_CASES[case])
    expected = is_demo(attrs)
    assert expected == (case in ("stamped demo", "BACI VDEMO", "printed demo label only"))
    built = _every_chart(attrs)
    for key, chart in built.items():
        text = json.dumps(chart.to_dict(), ensure_ascii=False)
        assert (charts.DEMO_MARK in text) == expected, key
    assert charts.is_demo(pd.DataFrame().pipe(lambda t: t.attrs.update(attrs) or t)) == expected


def test_explicit_label_or_demo_source_force_the_mark_and_cannot_remove_it():
    real = _flows()
    assert charts.DEMO_MARK in json.dumps(charts.supplier_bars(real, label=DEMO_LABEL).to_dict(),
                                          ensure_ascii=False)
    assert charts.DEMO_MARK in json.dumps(charts.supplier_bars(real, source="demo").to_dict(),
                                          ensure_ascii=False)
    demo = stamp(_flows(), DEMO)
    text = json.dumps(charts.supplier_bars(demo, label="CEPII BACI").to_dict(),
                      ensure_ascii=False)
    assert charts.DEMO_MARK in text  # generated figures always carry the mark


def test_chart_options_are_one_set_and_unknown_ones_are_refused():
    spec = charts.trend(_flows(), title="T", subtitle=["a", "b"], width=300, height=200,
                        source="CEPII BACI", vintage="V1").to_dict()
    assert spec["title"] == {"text": "T", "subtitle": ["a", "b"]}
    assert any(d.get("width") == 300 and d.get("height") == 200 for d in _walk(spec))
    assert "Source: CEPII BACI (V1)" in json.dumps(spec)
    with pytest.raises(TypeError, match="colour_scheme"):
        charts.trend(_flows(), colour_scheme="x")


# ---------------------------------------------------------------------------------------------
# Issue 14 item 3: charts a minister can read
# ---------------------------------------------------------------------------------------------


def test_every_chart_names_its_year_or_period_in_the_title_or_subtitle():
    for key, chart in _every_chart().items():
        title = chart.to_dict()["title"]
        text = json.dumps(title, ensure_ascii=False)
        # the hand-made tables cover 2023, 2022-2023, 2019-20 to 2021-22, 2021-2025, 2024,
        # the months 2023-10 to 2024-01; coverage_matrix's table has no year at all
        years = ("2019", "2020", "2021", "2022", "2023", "2024")
        assert key == "coverage_matrix" or any(y in text for y in years), (key, text)


def test_quadrant_short_names_stay_unique():
    t = _quadrant_table()
    t["short_name"] = ["Steroidal hormones, their derivatives and analogues, used A",
                       "Steroidal hormones, their derivatives and analogues, used B",
                       "Solar cells", "Compressors"]
    t["hhi"], t["pci"] = [0.7, 0.8, 0.2, 0.1], [1.2, 1.1, 0.9, 0.1]
    spec = charts.quadrant(t, hhi_cut=0.4, pci_cut=0.5).to_dict()
    (rows,) = [d for d in _datasets(spec) if d and "short" in d[0]]
    shorts = [r["short"] for r in rows]
    # 30 - 10 = 20 characters: "Steroidal hormones, " is cut to 19, trailing comma dropped
    assert len(set(shorts)) == 4
    assert {s for s in shorts if s.startswith("Steroidal")} == {
        "Steroidal hormones… (850760)", "Steroidal hormones… (854142)"}


def test_a_bar_more_than_five_times_the_next_is_cut_and_labelled():
    # 30 bn against 2 bn: the axis stops at 1.6 x 2,000 = 3,200 USD million, the long bar is
    # marked and every value is printed
    t = pd.DataFrame({"hs6": ["850760", "854143", "841430"], "year": 2023,
                      "imports_usd": [30e9, 2e9, 1e9]})
    spec = charts.ranked_bars(t, value="imports_usd", x_title="Imports (USD million)").to_dict()
    scales = [d["scale"] for d in _walk(spec) if isinstance(d.get("scale"), dict)
              and d["scale"].get("clamp")]
    assert scales == [{"clamp": True, "domain": [0, pytest.approx(3200.0)], "nice": False}]
    printed = {r["_t"] for d in _datasets(spec) for r in d if "_t" in r}
    assert printed == {"30,000 »", "2,000", "1,000"}
    assert "cut at the chart's edge" in json.dumps(spec["title"])
    # bars within five times of each other are drawn as they are
    t["imports_usd"] = [9e9, 2e9, 1e9]
    spec = charts.ranked_bars(t, value="imports_usd", x_title="Imports (USD million)").to_dict()
    assert not [d for d in _walk(spec) if isinstance(d.get("scale"), dict)
                and d["scale"].get("clamp")]


def test_complementarity_lists_cut_a_bar_more_than_five_times_the_next():
    # makes it now: 30 bn against 2 bn -> axis to 3,200 USD million; could relocate: 3 and 2
    # million, within five times -> drawn as they are
    now = pd.DataFrame({"hs6": ["850760", "854143", "841430"], "year": 2023,
                        "shiftable_usd": [30e9, 2e9, 1e9],
                        "shiftable_uncapped_usd": [40e9, 2.5e9, 1e9]})
    nxt = pd.DataFrame({"hs6": ["283691", "250410"], "score": [3e6, 2e6], "density": [0.3, 0.2]})
    spec = charts.complementarity_lists(now, nxt).to_dict()
    domains = [d["scale"]["domain"] for d in _walk(spec) if isinstance(d.get("scale"), dict)
               and d["scale"].get("clamp")]
    assert domains == [[0, pytest.approx(3200.0)]] * 2  # the bars and the uncapped ticks
    assert {r["_t"] for d in _datasets(spec) for r in d if "_t" in r} == {
        "30,000 »", "2,000", "1,000"}
    assert "Year 2023." in json.dumps(spec["title"])


def test_alternative_suppliers_cut_a_share_more_than_five_times_the_next():
    # China 60 % of world exports against South Korea 8 %: the axis stops at 1.6 x 8 = 12.8
    alts = pd.DataFrame({"hs6": "850760", "exporter": ["KOR", "CHN", "JPN"], "year": 2023,
                         "world_share": [0.08, 0.6, 0.05], "trusted": [True, False, True],
                         "headroom_usd": [1e6, 2e6, 1e6], "rank": [2, 1, 3]})
    spec = charts.alternative_suppliers(alts).to_dict()
    domains = [d["scale"]["domain"] for d in _walk(spec) if isinstance(d.get("scale"), dict)
               and d["scale"].get("clamp")]
    assert domains == [[0, pytest.approx(12.8)]]
    assert {r["_t"] for d in _datasets(spec) for r in d if "_t" in r} == {"60 »", "8", "5"}


def test_quadrant_labels_keep_clear_of_each_other_and_of_other_bubbles():
    """Japan's Digital and EE case: two large Category A bubbles almost on top of each other
    (processors, other ICs), a Category C bubble just below and small ones around. Each
    label box (10 px text, about 6 px a character) overlaps no other label and covers no
    other bubble's centre, and a label away from its bubble has a leader line to it."""
    names = ["Processors and controllers (ICs)", "Other integrated circuits", "Memory ICs",
             "Parts of computers", "Doped wafers for electronics", "PV cells in panels"]
    t = pd.DataFrame({
        "year": 2023, "importer": "JPN", "hs6": ["854231", "854239", "854232", "847330",
                                                 "381800", "854143"],
        "short_name": names, "hhi": [0.276, 0.284, 0.259, 0.227, 0.335, 1.0],
        "pci": [1.894, 1.894, 1.917, 1.546, 2.125, 1.457],
        "imports_usd": [19.7e9, 9.7e9, 1.6e9, 6.3e9, 1.1e9, 1.5e9],
        "category": ["A", "A", "A", "C", "A", "A"]})
    spec = charts.quadrant(t).to_dict()
    (rows,) = [d for d in _datasets(spec) if d and "short" in d[0]]
    scales = {ch: enc["scale"]["domain"] for d in _walk(spec)
              for ch, enc in d.get("encoding", {}).items()
              if ch in ("x", "y") and isinstance(enc, dict) and enc.get("field") in ("hhi", "pci")
              and "domain" in enc.get("scale", {})}
    (w, h) = next((d["width"], d["height"]) for d in _walk(spec) if "layer" in d and "width" in d)
    lo, hi = scales["y"]

    def px(x: float, y: float) -> tuple[float, float]:
        return x * w, (hi - y) / (hi - lo) * h

    boxes = {}
    for r in rows:
        if not r["side"]:
            continue
        x, y = px(r["lx"], r["ly"])
        tw = 6.0 * len(r["short"])
        x0 = {"l": x, "r": x - tw, "c": x - tw / 2}[r["side"]]
        boxes[r["short"]] = (x0, y - 6, x0 + tw, y + 6)
    assert len(boxes) == 5  # every Category A product is named (n_labels=5)
    for (a, ba), (b, bb) in itertools.combinations(boxes.items(), 2):
        assert not (ba[0] < bb[2] and bb[0] < ba[2] and ba[1] < bb[3] and bb[1] < ba[3]), (a, b)
    for r in rows:
        cx, cy = px(r["hhi"], r["pci"])
        for other, box in boxes.items():
            if other != r["short"]:
                assert not (box[0] <= cx <= box[2] and box[1] <= cy <= box[3]), (other, r)
    # bubble area: the size scale's range [15, 900] px² over [0, the largest import]
    top = max(r["imports_musd"] for r in rows)
    for r in rows:
        if r["side"]:
            cx, cy = px(r["hhi"], r["pci"])
            radius = math.sqrt((15 + 885 * r["imports_musd"] / top) / math.pi)
            box = boxes[r["short"]]
            nx, ny = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
            gap = math.hypot(nx - cx, ny - cy) - radius
            assert gap <= 6 or r["ax"] is not None, (r["short"], gap)  # a leader line


def test_controls_chart_cuts_a_bar_five_times_the_next_and_keeps_its_split():
    # at risk: 30,000, 2,000 and 1,000 USD million; 30,000 > 5 x 2,000, so the axis stops at
    # 1.6 x 2,000 = 3,200 and the long bar's parts (20,000 + 10,000) are drawn 2/3 and 1/3
    ctl = pd.DataFrame({"control": ["graphite", "gallium", "rare earths"],
                        "importer": ["IND", "JPN", "IND"], "year": 2023,
                        "coverable_usd": [20e9, 1e9, 0.4e9], "uncovered_usd": [10e9, 1e9, 0.6e9]})
    ctl["at_risk_usd"] = ctl["coverable_usd"] + ctl["uncovered_usd"]
    spec = charts.controls_at_risk(ctl).to_dict()
    domains = [d["scale"]["domain"] for d in _walk(spec)
               if d.get("field") == "drawn" and "domain" in d.get("scale", {})]
    assert [0, pytest.approx(3200.0)] in domains
    text = json.dumps(spec, ensure_ascii=False)
    assert "30,000 »" in text and "cut at the chart's edge" in text
    (bars,) = [d for d in _datasets(spec) if d and "drawn" in d[0]]
    graphite = {r["kind"]: r["drawn"] for r in bars if r["step"].startswith("graphite")}
    assert sum(graphite.values()) == pytest.approx(3200.0)
    assert graphite[next(k for k in graphite if k.startswith("Could"))] == pytest.approx(
        3200.0 * 2 / 3)
    # bars within five times each other are drawn whole, without a note
    ctl.loc[0, ["coverable_usd", "uncovered_usd", "at_risk_usd"]] = [2e9, 1e9, 3e9]
    text = json.dumps(charts.controls_at_risk(ctl).to_dict(), ensure_ascii=False)
    assert "»" not in text and "cut at the chart's edge" not in text


def test_waterfall_prints_each_step_when_one_dwarfs_the_rest():
    wf = pd.DataFrame({"year": 2023, "importer": "IND", "hs6": ["850760", "854142", "284690"],
                       "at_risk_usd": [30e9, 2e9, 1e9], "coverable_usd": [10e9, 1e9, 0.2e9]})
    spec = charts.scenario_waterfall(wf).to_dict()
    (ends,) = [d for d in _datasets(spec) if d and "text" in d[0] and "end" in d[0]]
    # steps 30,000, 2,000, 1,000 (USD million) and the total 33,000
    assert sorted(r["text"] for r in ends) == sorted(["30,000", "2,000", "1,000", "33,000"])
    assert "each step's value is printed" in json.dumps(spec)
    wf["at_risk_usd"] = [3e9, 2e9, 1e9]
    spec = charts.scenario_waterfall(wf).to_dict()
    assert not [d for d in _datasets(spec) if d and "text" in d[0] and "end" in d[0]]


def test_units_are_written_once_and_in_usd_million():
    """No chart shows full dollars or "USD m": money is "USD million"; a share axis or legend
    titled "(%)" labels its ticks 0–100 without a second % sign."""
    for key, chart in _every_chart().items():
        spec = chart.to_dict()
        text = json.dumps(spec, ensure_ascii=False)
        assert "(USD)" not in text and "USD m)" not in text, key
        for d in _walk(spec):
            title = d.get("title")
            if isinstance(title, str) and "(%)" in title:
                fmt = (d.get("axis") or d.get("legend") or {}).get("format", "")
                assert "%" not in str(fmt), (key, title)


def test_ranked_bars_and_complementarity_lists_take_the_tables_product_level():
    t = pd.DataFrame({"hs4": ["8507", "8541"], "short_name": ["Batteries", "Semiconductors"],
                      "imports_usd": [3e9, 1e9], "year": 2023})
    t.attrs["product"] = "hs4"
    spec = charts.ranked_bars(t, value="imports_usd", x_title="Imports (USD million)").to_dict()
    labels = {r["_label"] for d in _datasets(spec) for r in d if "_label" in r}
    assert labels == {"Batteries (8507)", "Semiconductors (8541)"}
    now = pd.DataFrame({"hs2": ["85", "28"], "shiftable_usd": [2e9, 1e8],
                        "shiftable_uncapped_usd": [3e9, 2e8], "year": 2023})
    nxt = pd.DataFrame({"hs2": ["84"], "score": [1e8], "density": [0.3]})
    spec = charts.complementarity_lists(now, nxt).to_dict()
    names = {r["name"] for d in _datasets(spec) for r in d if "name" in r}
    assert names == {"85", "28", "84"}  # chapters, not a KeyError on "hs6"


def test_ranked_bars_and_complementarity_lists_draw_a_note_on_an_empty_table():
    empty = stamp(pd.DataFrame({"hs6": pd.Series(dtype=str),
                                "imports_usd": pd.Series(dtype=float)}), DEMO)
    text = json.dumps(charts.ranked_bars(empty, value="imports_usd",
                                         x_title="Imports (USD million)").to_dict())
    assert "no rows" in text and "DEMO DATA" in text
    now = pd.DataFrame({"hs6": pd.Series(dtype=str), "shiftable_usd": pd.Series(dtype=float),
                        "shiftable_uncapped_usd": pd.Series(dtype=float)})
    nxt = pd.DataFrame({"hs6": pd.Series(dtype=str), "score": pd.Series(dtype=float),
                        "density": pd.Series(dtype=float)})
    assert "no rows" in json.dumps(charts.complementarity_lists(now, nxt).to_dict())
