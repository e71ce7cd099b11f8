"""Tables shaped for charts (:mod:`esc.tables`): waterfall steps and values by year, checked
against sums worked out by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from esc import tables
from esc.errors import BadValueError, MissingColumnError


def test_waterfall_steps_sum_per_step_and_pool_the_rest():
    t = pd.DataFrame({"name": ["a", "b", "c", "d", "a", "e"],
                      "at_risk_usd": [5.0, 9.0, 2.0, 1.0, 6.0, 0.5],
                      "coverable_usd": [1.0, 3.0, 0.0, 1.0, 1.0, 0.5]})
    out = tables.waterfall_steps(t, step="name", value="at_risk_usd", covered="coverable_usd",
                                 top=2)
    # a = 5 + 6 = 11 (covered 2), b = 9 (3); c + d + e = 3.5 (covered 1.5)
    assert list(out.index) == ["a", "b", tables.OTHER_PRODUCTS]
    assert out["at_risk_usd"].tolist() == [11.0, 9.0, 3.5]
    assert out["coverable_usd"].tolist() == [2.0, 3.0, 1.5]
    assert out["at_risk_usd"].sum() == t["at_risk_usd"].sum()  # nothing lost in the pool


def test_waterfall_steps_without_covered_and_missing_column():
    t = pd.DataFrame({"name": ["a", "b"], "v": [1.0, 2.0]})
    out = tables.waterfall_steps(t, step="name", value="v", covered="coverable_usd")
    assert list(out.columns) == ["v"] and list(out.index) == ["b", "a"]
    with pytest.raises(MissingColumnError):
        tables.waterfall_steps(t, step="product", value="v")


def test_by_year_weighted_mean_and_pooled_series():
    t = pd.DataFrame({"year": [2022, 2022, 2023, 2023, 2023],
                      "hhi": [0.5, 0.1, 0.4, 0.2, 0.9],
                      "w": [1.0, 3.0, 2.0, 2.0, 1.0]})
    series = pd.Series(["x", "y", "x", "y", "z"])
    out = tables.by_year(t, y="hhi", series=series, agg="mean", weight="w", max_series=2)
    got = {(r.year, r.series): round(r.hhi, 6) for r in out.itertuples()}
    # 2023 weights: x 2, y 2, z 1 -> x and y kept (ties keep the first), z pooled as Other
    assert got == {(2022, "x"): 0.5, (2022, "y"): 0.1, (2023, "x"): 0.4, (2023, "y"): 0.2,
                   (2023, tables.OTHER): 0.9}
    # one series: (0.5*1 + 0.1*3) / 4 = 0.2 in 2022; (0.8 + 0.4 + 0.9) / 5 = 0.42 in 2023
    one = tables.by_year(t, y="hhi", series=pd.Series(["all"] * 5), agg="mean", weight="w")
    assert one["hhi"].round(6).tolist() == [0.2, 0.42]


def test_by_year_sum_and_bad_agg():
    t = pd.DataFrame({"year": [2023, 2023, 2022], "v": [1.0, 2.0, 4.0]})
    out = tables.by_year(t, y="v", series=pd.Series(["a", "a", "a"]), agg="sum")
    assert out.set_index("year")["v"].to_dict() == {2022: 4.0, 2023: 3.0}
    with pytest.raises(BadValueError):
        tables.by_year(t, y="v", series=pd.Series(["a"] * 3), agg="median")


def test_supplier_mix_pools_small_suppliers_over_the_whole_table():
    # suppliers by value over both products: CHN 9, KOR 4, DEU 2, VNM 1 -> top 2 CHN, KOR
    s = pd.DataFrame({"importer": "IND", "hs6": ["1", "1", "1", "2", "2", "2"],
                      "exporter": ["CHN", "KOR", "DEU", "CHN", "VNM", "KOR"],
                      "value_usd": [6.0, 2.0, 2.0, 3.0, 1.0, 2.0],
                      "share": [0.6, 0.2, 0.2, 0.5, 1 / 6, 1 / 3]})
    out = tables.supplier_mix(s, product="hs6", top=2)
    assert out.attrs["suppliers"] == ["CHN", "KOR", tables.OTHER]
    got = {(r.hs6, r.supplier): (r.value_usd, round(r.share, 6)) for r in out.itertuples()}
    assert got == {("1", "CHN"): (6.0, 0.6), ("1", "KOR"): (2.0, 0.2),
                   ("1", tables.OTHER): (2.0, 0.2), ("2", "CHN"): (3.0, 0.5),
                   ("2", "KOR"): (2.0, round(1 / 3, 6)), ("2", tables.OTHER): (1.0,
                                                                             round(1 / 6, 6))}
    # each product's shares still add up to one
    assert out.groupby("hs6")["share"].sum().round(9).tolist() == [1.0, 1.0]
    # max_products=1 keeps product 1 (imports 10 against 6)
    assert set(tables.supplier_mix(s, product="hs6", top=2, max_products=1)["hs6"]) == {"1"}


def test_coverage_counts_sum_per_product_and_type_and_keep_empty_products():
    t = pd.DataFrame({"product": ["Batteries", "Batteries", "Magnets", "Solar"],
                      "type": ["MoU", "MoU", "Fund", "MoU"], "n_initiatives": [2, 1, 1, 4]})
    out = tables.coverage_counts(t, products=["Batteries", "Magnets", "Antibiotics"])
    got = {(r.product, r.kind): r.n for r in out.itertuples()}
    # Batteries/MoU 2 + 1 = 3; Solar left out; Antibiotics has none: one row of 0
    assert got == {("Batteries", "MoU"): 3, ("Magnets", "Fund"): 1, ("Antibiotics", "MoU"): 0}
    # without a count column each row is one initiative
    rows = tables.coverage_counts(t.drop(columns="n_initiatives"))
    assert rows.set_index(["product", "kind"])["n"].to_dict() == {
        ("Batteries", "MoU"): 2, ("Magnets", "Fund"): 1, ("Solar", "MoU"): 1}


def test_weighted_mean_keeps_gaps_and_weighs_by_value():
    t = pd.DataFrame({"sector": ["x", "x", "x", "y"], "year": [2021, 2021, 2022, 2021],
                      "share": [0.6, 0.2, None, 0.5], "imports_usd": [1.0, 3.0, 5.0, 2.0]})
    out = tables.weighted_mean(t, keys=["sector", "year"], y="share", weight="imports_usd")
    got = out.set_index(["sector", "year"])["share"]
    # x 2021: (0.6*1 + 0.2*3) / 4 = 0.3; x 2022: no published share -> NaN; y 2021: 0.5
    assert round(got[("x", 2021)], 9) == 0.3
    assert pd.isna(got[("x", 2022)])
    assert got[("y", 2021)] == 0.5
