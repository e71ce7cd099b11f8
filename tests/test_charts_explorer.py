"""The overview explorer: four menus built from the table, filters that select what a pandas
filter of the same table selects, the prepared table checked against ``study.overview``, and
(with Chromium) the menus redrawing the table in a real browser with no network.

The vega expressions of the chart are evaluated here by a small translator to Python
(:func:`_py`), so a wrong field or parameter name in a filter shows up as a different set of
rows than the plain pandas filter written in each test.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pandas as pd
import pytest

from esc import charts, study
from esc.charts import explore as ex
from esc.label import Label, stamp

DEMO = Label(source="demo", title="esc demo world, generated", demo=True, release="demo-v4")


def _table() -> pd.DataFrame:
    """A small explorer table: 2 reporters x 2 years x 3 products x 2 presets."""
    rows = []
    products = [("850760", "Lithium-ion batteries", "Energy", 0.60, 1.2, "A"),
                ("854231", "Processors", "Digital", 0.30, 1.8, "A"),
                ("294110", "Penicillins", "Bio", 0.50, -0.4, "B")]
    for imp, year, (hs6, nm, sec, hhi, pci, cat) in itertools.product(
            ["IND", "JPN"], [2022, 2023], products):
        value = (1e9 if imp == "IND" else 2e9) * (1 + (year - 2022)) * (1 + len(nm) / 10)
        for preset in ("study", "crma"):
            # crma flags only Penicillins of Japan; study flags Category A
            flag = cat == "A" if preset == "study" else (imp == "JPN" and hs6 == "294110")
            rows.append({"preset": preset, "year": year, "importer": imp, "hs6": hs6,
                         "short_name": nm, "sector": sec, "imports_usd": value, "hhi": hhi,
                         "pci": pci, "top1_partner": "CHN", "top1_share": 0.5,
                         "category": cat, "flag": flag})
    t = stamp(pd.DataFrame(rows), DEMO)
    t.attrs.update({"presets": ["study", "crma"], "preset": "study", "product": "hs6",
                    "hhi_cut": 0.25, "pci_cut": 0.0})
    return t


def _walk(obj: Any):
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def _py(expr: str) -> str:
    """A vega expression of the explorer as Python (datum.x -> d['x'], && -> and, ...)."""
    out = re.sub(r"datum\.(\w+)", r"d['\1']", expr)
    out = re.sub(r"indexof\(([^,]+), ([^)]+)\) >= 0", r"(\1).find(\2) >= 0", out)
    return out.replace("&&", " and ").replace("||", " or ")


def _shown(rows: list[dict], filters: list[str], choice: dict[str, Any]) -> list[dict]:
    """The rows that pass every filter expression for a choice of the four menus."""
    env = {ex.PARAMS[k]: v for k, v in choice.items()}
    return [d for d in rows if all(eval(_py(f), {}, {**env, "d": d}) for f in filters)]


def _layer_with(spec: dict, key: str) -> dict:
    """The view whose encoding has ``key`` in its tooltip (the points) or text (the table)."""
    for d in _walk(spec):
        enc = d.get("encoding", {})
        if key == "tooltip" and "tooltip" in enc and "transform" in d:
            return d
        if key == "text" and enc.get("text", {}).get("field") == "product":
            return d
    raise AssertionError(f"no view with {key}")


def _filters(view: dict) -> list[str]:
    return [t["filter"] for t in view.get("transform", []) if "filter" in t]


def test_the_four_menus_offer_the_tables_values():
    t = _table()
    spec = charts.explorer(t).to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert set(params) == set(ex.PARAMS.values())
    bind = {k: params[ex.PARAMS[k]]["bind"] for k in ex.PARAMS}
    assert all(b["input"] == "select" for b in bind.values())
    assert bind["reporter"]["options"] == ["IND", "JPN"]
    assert bind["reporter"]["labels"] == ["India", "Japan"]
    assert sorted(bind["year"]["options"]) == sorted(t["year"].unique().tolist())
    assert bind["sector"]["options"] == [ex.ALL_SECTORS, *sorted(t["sector"].unique())]
    assert bind["preset"]["options"] == ["study", "crma"]
    # first choice: first reporter, latest year, all sectors, the screen's preset
    assert params[ex.PARAMS["year"]]["value"] == 2023
    assert params[ex.PARAMS["sector"]]["value"] == ex.ALL_SECTORS
    assert params[ex.PARAMS["preset"]]["value"] == "study"


def test_points_and_table_filter_as_pandas_does_for_every_choice():
    t = _table()
    spec = charts.explorer(t, top=2).to_dict()
    points, table = _layer_with(spec, "tooltip"), _layer_with(spec, "text")
    rows = spec["datasets"][points["data"]["name"]]
    # every (reporter, year, product) of the table travels in the chart
    assert len(rows) == len(t.drop_duplicates(["importer", "year", "hs6"]))
    point_filters = _filters(points)  # the preset does not hide points, it rings them
    assert any("esc_preset" in c["calculate"] for c in points["transform"] if "calculate" in c)
    table_filters = [f for f in _filters(table) if "datum.row" not in f]
    assert {p for p in ex.PARAMS.values() if any(p in f for f in table_filters)} == set(
        ex.PARAMS.values())
    menus = ex.menus(t)
    for reporter, year, sector, preset in itertools.product(
            *(menus[k][0] for k in ("reporter", "year", "sector", "preset"))):
        choice = {"reporter": reporter, "year": year, "sector": sector, "preset": preset}
        sel = t[(t["importer"] == reporter) & (t["year"] == year) & (t["preset"] == preset)
                & ((sector == ex.ALL_SECTORS) | (t["sector"] == sector))]
        got = _shown(rows, point_filters, choice)
        assert sorted(r["product"].split(" (")[-1][:-1] for r in got) == sorted(sel["hs6"])
        flagged = _shown(rows, table_filters, choice)
        want = sel[sel["flag"]].nlargest(2, "imports_usd")["hs6"].tolist()
        top2 = sorted(flagged, key=lambda r: -r["imports_musd"])[:2]
        assert [r["product"].split(" (")[-1][:-1] for r in top2] == want


def test_labels_are_placed_for_every_reporter_year_and_sector_choice():
    t = _table()
    spec = charts.explorer(t, n_labels=1).to_dict()
    label_rows = next(v for v in spec["datasets"].values() if v and "sector_key" in v[0])
    keys = {(r["importer"], r["year"], r["sector_key"]) for r in label_rows}
    # "all": one A and one B per (reporter, year); each sector holds one product
    for imp, year in itertools.product(["IND", "JPN"], [2022, 2023]):
        for sector in [ex.ALL_SECTORS, "Bio", "Digital", "Energy"]:
            assert (imp, year, sector) in keys
        n_all = sum(1 for r in label_rows if (r["importer"], r["year"], r["sector_key"])
                    == (imp, year, ex.ALL_SECTORS))
        assert n_all == 2  # the largest A (Lithium-ion batteries) and the only B


def test_an_empty_table_draws_a_no_rows_note():
    t = _table().iloc[:0]
    spec = charts.explorer(t).to_dict()
    text = json.dumps(spec)
    assert "no rows" in text.lower()
    assert "params" not in spec


def test_live_gives_offline_html():
    bundle = charts.live(charts.explorer(_table()))._repr_mimebundle_()
    html = bundle["text/html"]
    assert "vegaEmbed" in html and "cdn.jsdelivr" not in html
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert "esc_reporter" in html


@pytest.mark.slow
def test_explorer_table_flags_match_study_overview_per_preset():
    """The explorer's rows for each preset are the rows and flags ``study.overview`` gives
    with that preset (a separate run of the screen per preset)."""
    scr = study.screen(source="demo", reporters=["IND", "JPN"], year=2023, preset="study")
    t = study.explorer_table(scr)
    assert t.attrs["presets"] == ["study", "ec2021", "geodep", "crma"]
    for preset in ("study", "crma"):
        ov = study.overview(source="demo", reporters=["IND", "JPN"], year=2023, preset=preset)
        ov = ov[ov["year"] == 2023]
        mine = t[(t["preset"] == preset) & (t["year"] == 2023)]
        a = mine.set_index(["importer", "hs6"])[["category", "flag"]].sort_index()
        b = ov.set_index(["importer", "hs6"])[["category", "flag"]].sort_index()
        assert a.index.equals(b.index)
        assert (a["category"].astype(str) == b["category"].astype(str)).all()
        assert (a["flag"].astype(bool) == b["flag"].astype(bool)).all()
    # every preset repeats the same products
    sizes = t.groupby("preset").size()
    assert sizes.nunique() == 1 and sizes.iloc[0] == len(t) / 4


def test_explorer_in_a_browser_redraws_the_table_offline(tmp_path):
    """The menus work in headless Chromium with the network blocked: choosing Japan shows
    Japan's flagged products, as a pandas filter of the table lists them."""
    from _browser import Browser, open_page, require_chromium

    t = _table()
    html = charts.live(charts.explorer(t))._repr_mimebundle_()["text/html"]
    page = tmp_path / "explorer.html"
    page.write_text(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{html}"
                    "</body></html>")
    texts = "Array.from(document.querySelectorAll('.mark-text text')).map(e => e.textContent)"
    choose = ("(() => { const s = document.querySelector('select[name=esc_reporter]'); "
              "s.value = 'JPN'; s.dispatchEvent(new Event('change')); "
              "return new Promise(r => setTimeout(() => r(" + texts + "), 500)); })()")
    with Browser(require_chromium()) as browser:
        got = open_page(browser, page, ready="document.querySelector('select') !== null "
                        "&& document.querySelectorAll('.mark-text text').length > 0",
                        probe=f"Promise.all([{texts}, {choose}])")
    before, after = got.value
    assert got.errors == []
    for who, shown in (("IND", before), ("JPN", after)):
        sel = t[(t["importer"] == who) & (t["year"] == 2023) & (t["preset"] == "study")
                & t["flag"]]
        for _, r in sel.iterrows():
            assert f"{r['short_name']} ({r['hs6']})" in shown
    # study flags the same products for both: the figures differ (Japan imports twice as much)
    ind = t[(t["importer"] == "IND") & (t["year"] == 2023) & (t["preset"] == "study")]
    jpn = t[(t["importer"] == "JPN") & (t["year"] == 2023) & (t["preset"] == "study")]
    assert f"{ind['imports_usd'].max() / 1e6:,.1f}" in before
    assert f"{jpn['imports_usd'].max() / 1e6:,.1f}" in after
    assert f"{ind['imports_usd'].max() / 1e6:,.1f}" not in after


def test_explorer_table_of_an_empty_screen_at_chapter_level_is_empty():
    """A chapter-level source (WITS) has an empty screen: the explorer gets an empty table
    with every column and draws its "no rows" note instead of failing."""
    from esc import screen

    empty = screen.empty_screen()
    empty.attrs.update({"product": "hs2", "preset": "study"})
    t = study.explorer_table(empty, sector=["Batteries", "Solar power"])
    assert t.empty and list(t.columns) == ["hs2", *study.EXPLORER_COLUMNS]
    assert t.attrs["product"] == "hs2"
    assert "no rows" in json.dumps(charts.explorer(t).to_dict()).lower()
