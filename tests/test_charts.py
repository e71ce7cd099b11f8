"""Briefing charts: titles, units, the demo mark, cut lines, shares, and PNG/SVG output.

All tables are small and hand-made here; expected numbers are worked out by hand in the
comments, not read back from the code.
"""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd
import pytest

import esc
from esc import charts
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


def test_quadrant_labels_only_category_a():
    spec = charts.quadrant(_quadrant_table(), hhi_cut=0.4, pci_cut=0.5).to_dict()
    (rows,) = [d for d in _datasets(spec) if d and "side" in d[0]]
    labelled = {r["short"] for r in rows if r["side"]}
    assert labelled == {"Li-ion batteries"}


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
        name = esc.source.get("demo").title
    except UnknownSourceError:
        name = "demo"
    assert charts.source_line(source="demo") == f"Source: {name}. Chart: esc {esc.__version__}."


def test_save_without_folder_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert charts.save(charts.supplier_bars(_flows()), None, "bars") == []
    assert list(tmp_path.iterdir()) == []
