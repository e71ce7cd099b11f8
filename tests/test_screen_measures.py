"""The screen's M/X, world-export HHI and row order, against plain-Python sums of the flows.

esc.screen takes M from the concentration pass and X and the world-export HHI from one table
of exporters' sums (one scan of the flows for all three); these tests recompute each figure
from the rows with dictionaries, for every importer and for a reporter subset, with and
without Hong Kong and Macao merged into China.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from esc import screen

HUBS = {"HKG": "CHN", "MAC": "CHN"}


@pytest.fixture(scope="module")
def flows() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    countries = ["CHN", "HKG", "MAC", "IND", "JPN", "USA", "DEU", "KOR", "VNM", "AUS"]
    products = [f"{code:06d}" for code in rng.choice(np.arange(10000, 999999), 25,
                                                     replace=False)]
    rows = []
    for year in (2022, 2023):
        for _ in range(900):
            exporter, importer = rng.choice(countries, 2)  # may be equal: self-trade
            value = float(rng.choice([0.0, -1.0, 5.0, round(rng.uniform(1, 100), 3)],
                                     p=[0.05, 0.02, 0.13, 0.8]))
            rows.append((year, exporter, importer, str(rng.choice(products)), value))
    t = pd.DataFrame(rows, columns=["year", "exporter", "importer", "hs6", "value_usd"])
    t["hs_rev"] = "HS22"
    return t  # duplicate (year, exporter, importer, hs6) rows occur and are summed


def _rows(flows: pd.DataFrame, merge_hk: bool) -> set:
    """The screen's (year, importer, hs6): an import from another country; with
    ``merge_hk`` the exporter relabelled first (the importer as reported)."""
    return {(r.year, r.importer, r.hs6) for r in flows.itertuples() if r.value_usd > 0
            and (HUBS.get(r.exporter, r.exporter) if merge_hk else r.exporter) != r.importer}


def _sums(flows: pd.DataFrame, merge_hk: bool) -> tuple[dict, dict]:
    """Imports per (year, importer, hs6) and exports per (year, exporter, hs6), plain loops;
    with ``merge_hk`` the exporters (world side) relabelled and flows among them dropped."""
    imports: dict = defaultdict(float)
    exports: dict = defaultdict(float)
    for r in flows.itertuples():
        if not (r.value_usd > 0) or r.exporter == r.importer:
            continue
        imports[(r.year, r.importer, r.hs6)] += r.value_usd
        exp, imp = r.exporter, r.importer
        if merge_hk:
            exp, imp = HUBS.get(exp, exp), HUBS.get(imp, imp)
            if exp == imp:
                continue
        exports[(r.year, exp, r.hs6)] += r.value_usd
    return imports, exports


@pytest.mark.parametrize("merge_hk", [False, True])
@pytest.mark.parametrize("reporters", [None, ["IND", "HKG"]])
def test_ratio_and_world_hhi_match_the_flows(flows, merge_hk, reporters):
    t = screen.screen(flows, reporters=reporters, year=2023, years_back=1, merge_hk=merge_hk)
    imports, _ = _sums(flows, merge_hk=False)  # M/X always on the countries as reported
    _, world = _sums(flows, merge_hk=merge_hk)
    expect_rows = {k for k in _rows(flows, merge_hk) if reporters is None or k[1] in reporters}
    assert set(zip(t["year"], t["importer"], t["hs6"], strict=True)) == expect_rows
    _, own = _sums(flows, merge_hk=False)
    for r in t.itertuples():
        m, x = imports.get((r.year, r.importer, r.hs6)), own.get((r.year, r.importer, r.hs6), 0.0)
        if m is None:  # merge_hk: the row's only imports came from the importer itself
            assert merge_hk and math.isnan(r.import_export_ratio)
        elif x > 0:
            assert r.import_export_ratio == pytest.approx(m / x, rel=1e-12)
        else:
            assert math.isinf(r.import_export_ratio)
        sellers = [v for (y, _, p), v in world.items() if y == r.year and p == r.hs6]
        total = sum(sellers)
        assert r.export_hhi == pytest.approx(sum((v / total) ** 2 for v in sellers),
                                             rel=1e-12)


def test_rows_are_ordered_by_year_importer_and_imports(flows):
    t = screen.screen(flows, reporters=None, year=2023, years_back=1)
    keys = list(zip(t["year"], t["importer"], -t["imports_usd"], t["hs6"], strict=True))
    assert keys == sorted(keys)
    assert t.index.tolist() == list(range(len(t)))
