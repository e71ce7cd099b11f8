"""Supplier-stop scenarios and complementarity, on hand-made flows with known answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from esc import complementarity, controls, scenarios, study
from esc.errors import BadValueError, UnknownCountryError, UnknownReleaseError


def _flows(rows):
    df = pd.DataFrame(rows, columns=["exporter", "importer", "hs6", "value_usd"])
    return df.assign(year=2023, hs_rev="HS22", quantity_t=float("nan"))


FLOWS = _flows([
    # India imports product 000001: 80 from China, 20 from Japan
    ("CHN", "IND", "000001", 80.0), ("JPN", "IND", "000001", 20.0),
    # world exports of 000001 by others: Korea 30 (trusted), Vietnam 100 (not trusted)
    ("KOR", "USA", "000001", 30.0), ("VNM", "USA", "000001", 100.0),
    ("CHN", "USA", "000001", 500.0),
    # product 000002: India buys 10 from Germany only
    ("DEU", "IND", "000002", 10.0),
    # Hong Kong re-exports of 000003 to India
    ("HKG", "IND", "000003", 40.0), ("CHN", "IND", "000003", 10.0), ("KOR", "DEU", "000003", 5.0),
])


def test_value_at_risk_and_coverable_share():
    out = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023,
                                  redirect=1.0).set_index("hs6")
    assert out.loc["000001", "at_risk_usd"] == 80.0
    assert out.loc["000001", "at_risk_share"] == pytest.approx(0.8)
    # alternatives' exports to markets other than India: KOR 30 + VNM 100 (JPN's 20 already
    # goes to India and cannot be redirected to it)
    assert out.loc["000001", "alt_exports_usd"] == 130.0
    assert out.loc["000001", "alt_to_reporter_usd"] == 20.0
    assert out.loc["000001", "coverable_share"] == 1.0
    assert out.loc["000002", "at_risk_usd"] == 0.0
    assert pd.isna(out.loc["000002", "coverable_share"])
    assert out.index[0] == "000001", "largest value at risk first"


def test_redirect_share_caps_what_alternatives_cover():
    out = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023,
                                  redirect=0.1).set_index("hs6")
    # 10 % of 130 = 13 of the 80 at risk
    assert out.loc["000001", "coverable_usd"] == pytest.approx(13.0)
    assert out.loc["000001", "uncovered_usd"] == pytest.approx(67.0)
    assert out.loc["000001", "redirect_to_close"] == pytest.approx(80 / 130)
    # 000003: 10 at risk, alternatives KOR 5 -> cannot close even at 100 %
    assert pd.isna(out.loc["000003", "redirect_to_close"])
    assert out.attrs["redirect"] == 0.1 and "10%" in out.attrs["assumption"]


def test_default_redirect_is_the_documented_assumption():
    out = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023)
    assert out["redirect"].eq(scenarios.DEFAULT_REDIRECT).all()
    doc = (Path(__file__).resolve().parent.parent / "docs" / "scenarios.md").read_text()
    assert f"{scenarios.DEFAULT_REDIRECT:.0%}" in doc


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_redirect_outside_zero_one_is_refused(bad):
    with pytest.raises(BadValueError, match="redirect"):
        scenarios.supplier_stop(FLOWS, reporter="IND", year=2023, redirect=bad)


def test_trusted_replacement_and_merge_hk():
    out = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023,
                                  replacement="trusted", redirect=1.0).set_index("hs6")
    # trusted alternatives' exports to other markets: KOR 30 (JPN sells only to India)
    assert out.loc["000001", "coverable_usd"] == 30.0
    assert out.loc["000001", "coverable_share"] == pytest.approx(30 / 80)
    assert out.loc["000001", "uncovered_usd"] == 50.0
    assert "KOR" in out.attrs["trusted"] and "trusted partners only" in out.attrs["assumption"]
    merged = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023,
                                     merge_hk=True).set_index("hs6")
    assert merged.loc["000003", "at_risk_usd"] == 50.0
    apart = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023)
    assert apart.set_index("hs6").loc["000003", "at_risk_usd"] == 10.0


def test_shared_stop_splits_the_alternatives_between_all_importers():
    # 000001: China exports 80 to India and 500 to the USA (W = 580); the alternatives export
    # 130 to markets other than India; India's pro-rata part is 130 x 80 / 580
    out = scenarios.supplier_stop(FLOWS, reporter="IND", year=2023, redirect=1.0,
                                  shared=True).set_index("hs6")
    assert out.loc["000001", "stopped_world_exports_usd"] == 580.0
    assert out.loc["000001", "alt_available_usd"] == pytest.approx(130 * 80 / 580)
    assert out.loc["000001", "coverable_usd"] == pytest.approx(130 * 80 / 580)
    assert pd.isna(out.loc["000001", "redirect_to_close"])  # 580 / 130 > 1
    low = scenarios.supplier_stop(FLOWS, reporter="IND", year=2023, redirect=0.1,
                                  shared=True).set_index("hs6")
    assert low.loc["000001", "uncovered_usd"] == pytest.approx(80 - 0.1 * 130 * 80 / 580)
    assert "every importer" in low.attrs["assumption"]
    sens = scenarios.sensitivity(low.reset_index())
    row = sens[sens["redirect"] == 1.0].iloc[0]
    assert row["uncovered_usd"] == pytest.approx(out["uncovered_usd"].sum())


def test_sensitivity_matches_the_stop_at_every_share():
    res = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023)
    sens = scenarios.sensitivity(res)
    assert sens["redirect"].min() == 0.0 and sens["redirect"].max() == 1.0
    for r in (0.0, 0.25, 0.5, 1.0):
        again = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023,
                                        redirect=r)
        row = sens[sens["redirect"] == r].iloc[0]
        assert row["uncovered_usd"] == pytest.approx(again["uncovered_usd"].sum())
    # at 0 % nothing is covered; uncovered never rises with the share
    assert sens.iloc[0]["uncovered_usd"] == pytest.approx(res["at_risk_usd"].sum())
    assert (sens["uncovered_usd"].diff().dropna() <= 1e-9).all()
    assert sens.loc[sens["is_default"], "redirect"].tolist() == [scenarios.DEFAULT_REDIRECT]
    per = scenarios.sensitivity(res, product="hs6")
    assert set(per["hs6"]) == set(res["hs6"])


# ---------------------------------------------------------------------------------------------
# The demo world: expectations computed here from the raw flows, row by row
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_flows() -> pd.DataFrame:
    from esc.sources import demo

    return demo.load(years=[2023])


def _by_hand(flows: pd.DataFrame, reporter: str, code: str, redirect: float,
             stopped=("CHN",)) -> tuple[float, float]:
    """(at risk, uncovered) for one product, summed from the flow rows with plain masks."""
    rows = flows[flows["hs6"] == code]
    from_stopped = rows["exporter"].isin(stopped)
    at_risk = float(rows.loc[from_stopped & (rows["importer"] == reporter), "value_usd"].sum())
    others = ~from_stopped & (rows["exporter"] != reporter) & (rows["importer"] != reporter)
    alt = float(rows.loc[others, "value_usd"].sum())
    return at_risk, at_risk - min(at_risk, redirect * alt)


@pytest.mark.parametrize("reporter", ["IND", "JPN"])
def test_demo_magnets_and_rare_earths_keep_an_uncovered_part(demo_flows, reporter):
    """The registry's "Permanent magnets" product (magnets, rare-earth metals and compounds):
    at the default redirect share, part of what China supplies stays uncovered."""
    from esc.registry import products

    codes = sorted(set(products(sector=None, hs_rev="HS22").query(
        "product == 'Permanent magnets'")["hs6"]))
    assert {"850511", "280530", "284690"} <= set(codes)
    sub = demo_flows[demo_flows["hs6"].isin(codes)]
    res = scenarios.supplier_stop(sub, reporter=reporter, year=2023, products=codes)
    res = res.set_index("hs6")
    total_uncovered = 0.0
    by_group = {"magnets": 0.0, "rare earths": 0.0}
    for code in codes:
        at_risk, uncovered = _by_hand(sub, reporter, code, scenarios.DEFAULT_REDIRECT)
        assert res.loc[code, "at_risk_usd"] == pytest.approx(at_risk, rel=1e-9)
        assert res.loc[code, "uncovered_usd"] == pytest.approx(uncovered, rel=1e-9, abs=1e-3)
        total_uncovered += uncovered
        by_group["magnets" if code.startswith("8505") else "rare earths"] += uncovered
    # magnets (8505) and rare earths (2805, 2846) each keep an uncovered part, for both
    assert by_group["magnets"] > 0 and by_group["rare earths"] > 0
    assert res["uncovered_usd"].sum() == pytest.approx(total_uncovered, rel=1e-9)
    assert res.attrs["label"] == demo_flows.attrs["label"]


def test_control_stop_runs_on_exactly_the_controls_codes(demo_flows):

    codes = controls.control_hs6("cn-graphite-2023-12")
    res = scenarios.control_stop(demo_flows, controls.get_control("cn-graphite-2023-12"),
                                 reporter="IND", year=2023)
    assert sorted(res["hs6"]) == sorted(codes)
    assert res.attrs["control"] == "cn-graphite-2023-12" and res.attrs["supplier"] == "CHN"
    for code in codes:
        at_risk, uncovered = _by_hand(demo_flows, "IND", code, scenarios.DEFAULT_REDIRECT)
        row = res.set_index("hs6").loc[code]
        assert row["at_risk_usd"] == pytest.approx(at_risk, rel=1e-9)
        assert row["uncovered_usd"] == pytest.approx(uncovered, rel=1e-9, abs=1e-3)


def test_controls_at_risk_sums_each_control(demo_flows):

    table = scenarios.controls_at_risk(demo_flows, controls.load_controls(), year=2023)
    assert len(table) == 2 * len(controls.load_controls())
    row = table[(table["control"] == "cn-rare-earths-2025-04")
                & (table["importer"] == "JPN")].iloc[0]
    expected = sum(_by_hand(demo_flows, "JPN", c, scenarios.DEFAULT_REDIRECT)[0]
                   for c in controls.control_hs6("cn-rare-earths-2025-04"))
    assert row["at_risk_usd"] == pytest.approx(expected, rel=1e-9)
    assert "redirect 10%" in table.attrs["assumption"]


def test_alternatives_ranked_by_world_share_with_headroom():
    groups = {"trusted": frozenset({"KOR", "JPN"}), "Quad": frozenset({"JPN", "IND"})}
    out = scenarios.alternatives(FLOWS, reporter="IND", year=2023, products=["000001"],
                                 groups=groups, redirect=0.5)
    # world exports of 000001: CHN 580 (stopped), VNM 100, KOR 30, JPN 20 -> total 730
    assert out["exporter"].tolist() == ["VNM", "KOR", "JPN"]
    assert out["rank"].tolist() == [1, 2, 3]
    row = out.set_index("exporter")
    assert row.loc["VNM", "world_share"] == pytest.approx(100 / 730)
    assert row.loc["JPN", "reporter_imports_usd"] == 20.0
    assert row.loc["JPN", "headroom_usd"] == 0.0  # all of Japan's exports already go to India
    assert row.loc["KOR", "headroom_usd"] == pytest.approx(15.0)
    assert row.loc["JPN", "groups"] == "Quad, trusted" and bool(row.loc["KOR", "trusted"])
    # RCA of Vietnam in 000001: it exports only 000001; world total 795 -> 1 / (730 / 795)
    assert row.loc["VNM", "rca"] == pytest.approx(1 / (730 / 795))


def test_alternatives_on_the_demo_world(demo_flows):
    out = scenarios.alternatives(demo_flows, reporter="IND", year=2023, products=["850760"],
                                 top=None)
    x = demo_flows[demo_flows["hs6"] == "850760"].groupby("exporter")["value_usd"].sum()
    expected = (x / x.sum()).drop(["CHN", "IND"], errors="ignore").sort_values(ascending=False)
    assert out["exporter"].tolist()[:5] == expected.index.tolist()[:5]
    assert out["world_share"].to_numpy()[:5] == pytest.approx(expected.to_numpy()[:5])
    assert "CHN" not in set(out["exporter"]) and out.attrs["label"] == demo_flows.attrs["label"]


def test_by_sector_sums():
    res = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023)
    labels = pd.DataFrame({"hs6": ["000001", "000002", "000003"], "sector": ["x", "x", "y"]})
    sec = scenarios.by_sector(res, labels).set_index("sector")
    assert sec.loc["x", "imports_usd"] == 110.0 and sec.loc["x", "at_risk_usd"] == 80.0
    # x: 000001 closes at 80/130, 000002 has nothing at risk -> the sector closes at 80/130;
    # y: 000003 (10 at risk, 5 of alternatives' exports) never closes
    assert sec.loc["x", "redirect_to_close"] == pytest.approx(80 / 130)
    assert pd.isna(sec.loc["y", "redirect_to_close"])
    assert sec.loc["x", "uncovered_usd"] == pytest.approx(80 - 0.1 * 130)


def test_scenario_bad_input():
    with pytest.raises(UnknownCountryError, match="XXX"):
        scenarios.supplier_stop(FLOWS, reporter="XXX", year=2023)
    with pytest.raises(UnknownReleaseError, match="no flows for year 1999"):
        scenarios.supplier_stop(FLOWS, reporter="IND", year=1999)


def test_complementarity_finds_india_exports_japan_needs():
    flows = _flows([
        # Japan imports 000001 mostly from China (HHI high); India exports 000001 heavily
        ("CHN", "JPN", "000001", 90.0), ("IND", "JPN", "000001", 10.0),
        ("IND", "USA", "000001", 200.0),
        # India also exports 000002, but Japan buys it from diversified sources
        ("IND", "USA", "000002", 5.0), ("USA", "JPN", "000002", 10.0),
        ("DEU", "JPN", "000002", 10.0), ("KOR", "JPN", "000002", 10.0),
        ("FRA", "JPN", "000002", 10.0), ("ITA", "JPN", "000002", 10.0),
        # the rest of the world's exports, so that RCA is meaningful
        ("USA", "DEU", "000003", 1000.0), ("CHN", "USA", "000003", 1000.0),
    ])
    out = complementarity.complementarity(flows, exporter="IND", reporter="JPN", year=2023)
    assert out["hs6"].tolist() == ["000001"]
    row = out.iloc[0]
    # RCA of India in 000001: (210/215) / (300/2355); world total 2355
    assert row["exporter_rca"] == pytest.approx((210 / 215) / (300 / 2355))
    assert row["top_supplier"] == "CHN" and row["shiftable_usd"] == pytest.approx(90.0)
    assert row["exporter_share_now"] == pytest.approx(0.1)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _csv_out(capsys, argv) -> pd.DataFrame:
    import io

    from esc.cli import main

    assert main(argv) == 0
    return pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"hs6": str})


def test_cli_scenario_control_runs_the_stop_on_the_controls_codes(capsys, demo_flows):

    out = _csv_out(capsys, ["scenario", "--control", "cn-graphite-2023-12", "--reporter", "IND",
                            "--year", "2023", "--format", "csv"])
    codes = controls.control_hs6("cn-graphite-2023-12")
    assert sorted(out["hs6"]) == sorted(codes)
    for code in codes:
        at_risk, uncovered = _by_hand(demo_flows, "IND", code, scenarios.DEFAULT_REDIRECT)
        row = out.set_index("hs6").loc[code]
        assert row["at_risk_usd"] == pytest.approx(at_risk, rel=1e-9)
        assert row["uncovered_usd"] == pytest.approx(uncovered, rel=1e-9, abs=1e-3)
    assert out["data_label"].eq(demo_flows.attrs["label"]).all()
    assert out["assumption"].str.contains("redirect 10%").all()


def test_cli_scenario_redirect_and_bad_values(capsys):
    from esc.cli import main

    out = _csv_out(capsys, ["scenario", "--reporter", "JPN", "--year", "2023", "--redirect",
                            "0.5", "--format", "csv"])
    assert out["redirect"].eq(0.5).all() and out["assumption"].str.contains("50%").all()
    assert main(["scenario", "--redirect", "2", "--year", "2023"]) == 2
    assert "redirect" in capsys.readouterr().err
    assert main(["scenario", "--control", "cn-nothing-2020-01", "--year", "2023"]) == 2
    assert "cn-graphite-2023-12" in capsys.readouterr().err


def test_cli_alternatives(capsys, demo_flows):
    out = _csv_out(capsys, ["alternatives", "--reporter", "IND", "--hs6", "850760", "--year",
                            "2023", "--format", "csv"])
    x = demo_flows[demo_flows["hs6"] == "850760"].groupby("exporter")["value_usd"].sum()
    expected = (x / x.sum()).drop(["CHN", "IND"], errors="ignore").sort_values(ascending=False)
    assert out["exporter"].tolist() == expected.index.tolist()[:10]
    assert out["headroom_usd"].ge(0).all() and "assumption" in out.columns


# ---------------------------------------------------------------------------------------------
# Complementarity that respects capacity, and products the exporter could relocate
# ---------------------------------------------------------------------------------------------


def test_shiftable_is_capped_by_the_exporters_world_exports():
    flows = _flows([
        # Japan buys 500 of 000001 from China; India exports only 60 of it to the world
        ("CHN", "JPN", "000001", 500.0), ("IND", "JPN", "000001", 10.0),
        ("IND", "USA", "000001", 50.0),
        ("USA", "DEU", "000003", 1000.0), ("CHN", "USA", "000003", 1000.0),
    ])
    row = complementarity.complementarity(flows, exporter="IND", reporter="JPN",
                                          year=2023).iloc[0]
    assert row["shiftable_uncapped_usd"] == pytest.approx(500.0)
    assert row["shiftable_usd"] == pytest.approx(60.0) and bool(row["capped"])


def test_demo_complementarity_never_shifts_more_than_the_exporter_sells(demo_flows):
    for a, b in (("IND", "JPN"), ("JPN", "IND")):
        out = complementarity.complementarity(demo_flows, exporter=a, reporter=b, year=2023)
        world = demo_flows[demo_flows["exporter"] == a].groupby("hs6")["value_usd"].sum()
        assert len(out) > 0
        assert (out["shiftable_usd"].to_numpy()
                <= world.reindex(out["hs6"]).to_numpy() * (1 + 1e-12)).all()
        assert (out["shiftable_usd"] <= out["shiftable_uncapped_usd"] + 1e-6).all()
        assert out.attrs["label"] == demo_flows.attrs["label"] and "capped" in out.attrs[
            "assumption"]


def test_could_relocate_lists_products_not_yet_made_ranked_by_value_times_density(demo_flows):
    out = complementarity.could_relocate(demo_flows, exporter="IND", reporter="JPN", year=2023)
    assert len(out) > 0
    # India's RCA by hand: share of the product in India's exports over its world share
    x = demo_flows.groupby(["exporter", "hs6"])["value_usd"].sum()
    india = x.xs("IND", level="exporter")
    world = x.groupby(level="hs6").sum()
    rca_hand = (india / india.sum()) / (world / world.sum())
    assert (rca_hand.reindex(out["hs6"]).fillna(0.0).to_numpy() < 1).all()
    assert (out["density"] >= out["density_cut"]).all()
    assert out["score"].is_monotonic_decreasing
    # value of the top row: Japan's imports from its largest supplier of that product
    top = out.iloc[0]
    jp = demo_flows[(demo_flows["importer"] == "JPN") & (demo_flows["hs6"] == top["hs6"])]
    by = jp.groupby("exporter")["value_usd"].sum()
    assert top["top_supplier"] == by.idxmax() and top["value_usd"] == pytest.approx(by.max())
    assert top["score"] == pytest.approx(by.max() * top["density"])
    # no overlap with the products India already has an advantage in
    assert not set(out["hs6"]) & set(rca_hand[rca_hand >= 1].index)


def test_relocate_both_ways_with_one_export_space_equals_each_way_alone(demo_flows):
    # study.relocate_table computes the year's export space once for both directions
    both = study.relocate_table(demo_flows, year=2023, reporters=["IND", "JPN"])
    for a, b in (("IND", "JPN"), ("JPN", "IND")):
        alone = complementarity.could_relocate(demo_flows, exporter=a, reporter=b, year=2023)
        got = both[both["direction"] == f"{a} -> {b}"][alone.columns].reset_index(drop=True)
        assert len(alone) > 0
        pd.testing.assert_frame_equal(got, alone, check_dtype=False)


# ---------------------------------------------------------------------------------------------
# Charts: label, year and assumption on every figure
# ---------------------------------------------------------------------------------------------


def _spec_text(chart) -> tuple[dict, str]:
    import json

    spec = chart.to_dict()
    return spec, json.dumps(spec, ensure_ascii=False)


def test_sensitivity_chart_marks_the_default_and_states_the_assumption():
    from esc import charts

    flows = FLOWS.copy()
    flows.attrs.update({"label": "demo data, not real trade statistics", "source": "demo"})
    res = scenarios.supplier_stop(flows, reporter="IND", year=2023)
    sens = scenarios.sensitivity(res)
    spec, text = _spec_text(charts.redirect_sensitivity(sens))
    rows = [r for d in spec["datasets"].values() for r in d if "uncovered" in r]
    # uncovered in USD million at each share, from the table
    got = {round(r["share"]): r["uncovered"] for r in rows}
    assert got[0] == pytest.approx(sens.iloc[0]["uncovered_usd"] / 1e6)
    assert len(got) == len(scenarios.REDIRECT_GRID)
    assert "default 10% (assumption)" in text and "Year 2023" in text
    assert "redirect 10%" in text and charts.DEMO_MARK in text


def test_stop_waterfall_subtitle_names_the_redirect_share():
    from esc import charts

    res = scenarios.supplier_stop(FLOWS, reporter="IND", year=2023, redirect=0.25)
    _, text = _spec_text(charts.scenario_waterfall(res))
    assert "25% of other countries' exports to other markets" in text
    assert charts.DEMO_MARK not in text  # FLOWS carries no demo label


def test_alternatives_controls_and_complementarity_charts(demo_flows):
    from esc import charts

    alt_t = scenarios.alternatives(demo_flows, reporter="IND", year=2023, products=["850760"])
    spec, text = _spec_text(charts.alternative_suppliers(alt_t))
    shares = sorted((r["share"] for d in spec["datasets"].values() for r in d if "share" in r),
                    reverse=True)
    assert shares == pytest.approx(sorted(alt_t["world_share"] * 100, reverse=True))
    assert charts.DEMO_MARK in text and "Year 2023" in text
    ctl = scenarios.controls_at_risk(demo_flows, controls.load_controls(), year=2023)
    _, text = _spec_text(charts.controls_at_risk(ctl))
    assert "cn-graphite-2023-12" in text and "redirect 10%" in text and charts.DEMO_MARK in text
    now = complementarity.complementarity(demo_flows, exporter="IND", reporter="JPN", year=2023)
    nxt = complementarity.could_relocate(demo_flows, exporter="IND", reporter="JPN", year=2023)
    _, text = _spec_text(charts.complementarity_lists(now, nxt))
    assert "Makes it now (RCA >= 1)" in text and "Could relocate" in text
    assert charts.DEMO_MARK in text and "capped by" in text


def test_cli_alternatives_for_every_flagged_product(capsys):
    out = _csv_out(capsys, ["alternatives", "--reporter", "IND", "--year", "2023", "--flagged",
                            "--top", "2", "--format", "csv"])
    table = study.screen(source="demo", reporters=["IND"], year=2023)
    flagged = set(table.loc[(table["year"] == 2023) & table["flag"], "hs6"])
    assert flagged and set(out["hs6"]) <= flagged
    assert out.groupby("hs6")["rank"].max().le(2).all()
    assert "CHN" not in set(out["exporter"]) and "IND" not in set(out["exporter"])


def test_cli_complementarity_states_its_cap_and_lists_could_relocate(capsys, demo_flows):
    out = _csv_out(capsys, ["complementarity", "--format", "csv"])
    world = demo_flows[demo_flows["exporter"] == "IND"].groupby("hs6")["value_usd"].sum()
    assert (out["shiftable_usd"].to_numpy()
            <= world.reindex(out["hs6"]).to_numpy() * (1 + 1e-9)).all()
    assert out["assumption"].str.contains("capped by IND's world exports").all()
    out = _csv_out(capsys, ["complementarity", "--relocate", "--format", "csv"])
    assert len(out) > 0 and out["score"].is_monotonic_decreasing
    assert out["assumption"].str.contains("value x density").all()
    assert out["data_label"].eq(demo_flows.attrs["label"]).all()
