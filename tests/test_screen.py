"""The full screen: every imported product, PCI only from a complete product space, the
summaries; checked against independent computations on the raw flows."""

from __future__ import annotations

import csv
from collections import deque

import numpy as np
import pandas as pd
import pytest

from esc import complexity, screen, study
from esc.registry import hs6_codes
from esc.schema import DEMO_LABEL
from esc.sources import demo


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return study.screen(reporters=["IND", "JPN"], year=2023)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return demo.load(years=2023, reporters=["IND", "JPN"])


def test_every_imported_product_is_screened(table, raw):
    latest = table[table["year"] == 2023]
    for reporter in ("IND", "JPN"):
        mine = latest[latest["importer"] == reporter]
        expect = set(raw.loc[raw["importer"] == reporter, "hs6"])
        assert set(mine["hs6"]) == expect
        assert len(mine) > 4000
    assert table.attrs["label"] == DEMO_LABEL
    assert table.attrs["years"] == [2021, 2022, 2023]


def test_screen_figures_match_the_raw_flows(table, raw):
    rng = np.random.default_rng(1)
    latest = table[(table["year"] == 2023) & (table["importer"] == "IND")].set_index("hs6")
    for code in rng.choice(latest.index.to_numpy(), 25, replace=False):
        flows = raw[(raw["importer"] == "IND") & (raw["hs6"] == code)]
        by = flows.groupby("exporter")["value_usd"].sum()
        shares = by / by.sum()
        row = latest.loc[code]
        assert row["imports_usd"] == pytest.approx(by.sum(), rel=1e-9)
        assert row["hhi"] == pytest.approx(float((shares**2).sum()), rel=1e-9)
        assert row["top1_share"] == pytest.approx(float(shares.max()), rel=1e-9)
        assert row["share_chn"] == pytest.approx(float(shares.get("CHN", 0.0)), abs=1e-12)


def test_categories_and_flags_follow_their_rules(table):
    t = table.dropna(subset=["pci"])
    high_h, high_p = t["hhi"] >= 0.25, t["pci"] >= 0.0
    expect = np.select([high_h & high_p, high_h & ~high_p, ~high_h & high_p], list("ABC"), "D")
    assert (t["category"].to_numpy() == expect).all()
    assert (table.loc[table["pci"].isna(), "category"] == "unclassified").all()
    assert (table["flag_crma"] == (table["top1_share"] > 0.65)).all()
    assert (table["flag_study"] == (table["category"] == "A")).all()
    ec = (table["hhi"] > 0.4) & (table["import_export_ratio"] > 1)
    assert (table["flag_ec2021"] == ec).all()
    # geodep: ec2021 and world-export HHI > 0.4 in at least 2 of the 3 years up to t
    inst = table.assign(ok=ec & (table["export_hhi"] > 0.4)).set_index(
        ["importer", "hs6", "year"])["ok"].to_dict()
    for row in table[table["year"] == 2023].itertuples():
        held = sum(inst.get((row.importer, row.hs6, y), False) for y in (2021, 2022, 2023))
        assert row.flag_geodep == (held >= 2)


def test_computed_pci_equals_pci_of_a_pandas_export_matrix(table):
    # the screen takes the export matrix from the sums it already made in DuckDB; here it is
    # summed again with pandas from every country's flows, filtered and ranked the same way
    from esc.analysis import filter_product_space

    world = demo.load(years=2023)
    world = world[(world["value_usd"] > 0) & (world["exporter"] != world["importer"])]
    exports = (world.groupby(["year", "exporter", "hs6"], as_index=False)["value_usd"].sum()
               .rename(columns={"exporter": "country", "hs6": "product",
                                "value_usd": "export_value"}))
    kept, _ = filter_product_space(exports)
    want = complexity.complexity(kept).pci.set_index("product")["pci"]
    got = table[table["year"] == 2023].drop_duplicates("hs6").set_index("hs6")
    assert (got["pci_source"] == "computed").all()
    both = got["pci"].dropna()
    assert len(both) > 4000
    np.testing.assert_allclose(both.to_numpy(), want.reindex(both.index).to_numpy(),
                               rtol=1e-9, atol=1e-12)
    assert got.loc[~got.index.isin(want.index), "pci"].isna().all()


def test_registry_is_a_label_and_the_screen_finds_more(table):
    reg = set(hs6_codes(hs_rev="HS22"))
    assert (table["in_registry"] == table["hs6"].isin(reg)).all()
    missed = screen.unlisted(table)
    assert not missed["hs6"].isin(reg).any()
    for reporter in ("IND", "JPN"):
        mine = missed[missed["importer"] == reporter]
        assert len(mine) > 0
        assert mine["imports_usd"].is_monotonic_decreasing


def test_summaries_add_up(table):
    cats = screen.by_category(table)
    latest = table[table["year"] == 2023]
    for reporter, g in cats.groupby("importer"):
        assert g["products"].sum() == (latest["importer"] == reporter).sum()
        assert g["share_of_imports"].sum() == pytest.approx(1.0)
    share = screen.category_a_share(table).set_index(["year", "importer"])
    ind = latest[latest["importer"] == "IND"]
    a = ind.loc[ind["category"] == "A", "imports_usd"].sum() / ind["imports_usd"].sum()
    assert share.loc[(2023, "IND"), "share_a"] == pytest.approx(a)
    side = screen.presets_side_by_side(table).set_index(["importer", "preset"])
    assert side.loc[("IND", "crma"), "flagged"] == int(ind["flag_crma"].sum())
    assert side.loc[("IND", "crma"), "with_study"] == int((ind["flag_crma"]
                                                           & ind["flag_study"]).sum())
    ch = screen.churn(table)
    assert set(ch["year"]) == {2022, 2023}


def test_sector_filters_rows_not_computation(table):
    sub = study.screen(reporters=["IND"], year=2023, sector="Batteries")
    codes = set(hs6_codes(sector="Batteries"))
    assert set(sub["hs6"]) <= codes
    full = table[(table["importer"] == "IND") & table["hs6"].isin(codes)]
    merged = sub.merge(full, on=["year", "importer", "hs6"], suffixes=("", "_full"))
    assert len(merged) == len(sub)
    np.testing.assert_allclose(merged["pci"], merged["pci_full"])  # same product space


def test_years_are_clipped_to_what_the_source_has():
    t = study.screen(reporters=["IND"], year=2016, years_back=4, sector="Batteries")
    assert t.attrs["years"] == [2015, 2016]
    assert t.attrs["years_requested"] == 5
    assert screen.screen_years(2021, 4, range(2015, 2024)) == [2017, 2018, 2019, 2020, 2021]


def _components(m: np.ndarray) -> int:
    """Connected components of the bipartite country-product graph (independent BFS)."""
    n_c = m.shape[0]
    seen_c, seen_p, count = set(), set(), 0
    for start in range(n_c):
        if start in seen_c or not m[start].any():
            continue
        count += 1
        queue = deque([("c", start)])
        seen_c.add(start)
        while queue:
            kind, i = queue.popleft()
            if kind == "c":
                for j in np.flatnonzero(m[i]):
                    if j not in seen_p:
                        seen_p.add(j)
                        queue.append(("p", j))
            else:
                for k in np.flatnonzero(m[:, i]):
                    if k not in seen_c:
                        seen_c.add(k)
                        queue.append(("c", k))
    return count


def test_disconnected_network_gives_nan_not_numbers():
    rng = np.random.default_rng(3)
    rows = [(2022, c, p, float(rng.uniform(1, 10))) for c in "ABC" for p in "pqr"]
    rows += [(2022, c, p, float(rng.uniform(1, 10))) for c in "DEF" for p in "stu"]
    ex = pd.DataFrame(rows, columns=["year", "country", "product", "export_value"])
    res = complexity.complexity(ex)
    mcp = res.rca.pivot_table(index="country", columns="product", values="mcp",
                              fill_value=0).to_numpy()
    assert _components(mcp) == 2
    assert res.pci["pci"].isna().all() and res.eci["eci"].isna().all()
    joined = pd.concat([ex, pd.DataFrame([(2022, "A", "s", 30.0), (2022, "D", "p", 30.0)],
                                         columns=ex.columns)])
    res2 = complexity.complexity(joined)
    mcp2 = res2.rca.pivot_table(index="country", columns="product", values="mcp",
                                fill_value=0).to_numpy()
    if _components(mcp2) == 1:
        assert res2.pci["pci"].notna().all()


def test_extract_is_not_a_product_space(raw):
    # a two-product extract: esc does not compute PCI from it
    flows = raw[raw["hs6"].isin(["282520", "283691"])].copy()
    flows.attrs["label"] = "extract"
    t = screen.screen(flows, reporters=["IND"], year=2023)
    assert (t["pci_source"] != "computed").all()
    assert t["pci_note"].str.contains("not a complete").all() or (
        t["pci_source"] == "atlas").all()
    assert (t["category"].isin(list("ABCD")) == t["pci"].notna()).all()


@pytest.mark.rawdata
def test_comtrade_lithium_uses_the_atlas_not_a_computed_pci(tmp_path):
    from esc import data
    from esc.config import data_dir
    from esc.study import overview

    folder = data_dir() / "comtrade-cmm-sample"
    data.import_file(folder / "lithium_trade_data.csv")
    t = overview(source="comtrade", reporters=["CHN"], year=2022, sector="Lithium")
    t = t[t["hs6"].isin(["282520", "283691"])]
    assert len(t) == 2
    assert (t["pci_source"] == "atlas").all()
    with open(data_dir() / "atlas-pci-hs92" / "hs92_product_year_4.csv", newline="") as fh:
        atlas = {(r["product_hs92_code"], r["year"]): float(r["pci"])
                 for r in csv.DictReader(fh) if r["pci"]}
    pci = t.set_index("hs6")["pci"]
    assert pci["282520"] == pytest.approx(atlas[("2825", "2022")])
    assert pci["283691"] == pytest.approx(atlas[("2836", "2022")])
    assert not (t["category"] == "A").any()


def test_cli_screen_summary(capsys):
    from esc.cli import main

    assert main(["screen", "--reporter", "IND", "--year", "2023", "--summary", "unlisted",
                 "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert DEMO_LABEL in out and "hs6" in out.splitlines()[0]


def test_all_reporters_ratio_equals_one_country_at_a_time():
    from esc import metrics

    path = demo.ensure_cached()
    both = screen.import_export_ratios(path, ["IND", "JPN"], [2023])
    for reporter in ("IND", "JPN"):
        one = metrics.import_export_ratio(path, reporter, years=2023)
        one = one[one["imports_usd"] > 0].set_index("hs6")["import_export_ratio"]
        mine = both[both["importer"] == reporter].set_index("hs6")["import_export_ratio"]
        assert set(mine.index) == set(one.index)
        np.testing.assert_allclose(mine.sort_index(), one.sort_index(), rtol=1e-12)


def test_screen_runs_the_same_on_an_imported_baci_release(tmp_path):
    # the demo world written in CEPII's layout and imported like a real release
    from esc import data

    zipped = demo.write_baci_zip(tmp_path / "BACI_HS22_VDEMO.zip", years=(2022, 2023))
    data.import_file(zipped)
    via_baci = study.screen(source="baci", reporters=["IND"], year=2023, sector="Batteries")
    direct = study.screen(source="demo", reporters=["IND"], year=2023, sector="Batteries")
    assert via_baci.attrs["years"] == [2022, 2023]
    assert via_baci.attrs["label"] == DEMO_LABEL  # a VDEMO release stays labelled demo
    a = via_baci[via_baci["year"] == 2023].set_index("hs6")
    b = direct[direct["year"] == 2023].set_index("hs6")
    assert set(a.index) == set(b.index)
    np.testing.assert_allclose(a["hhi"], b.loc[a.index, "hhi"], rtol=1e-6)
    np.testing.assert_allclose(a["pci"], b.loc[a.index, "pci"], atol=1e-6)
    assert (a["pci_source"] == "computed").all()
