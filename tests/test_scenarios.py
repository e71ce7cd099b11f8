"""Supplier-stop scenarios and complementarity, on hand-made flows with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from esc import complementarity, scenarios
from esc.errors import UnknownCountryError, UnknownReleaseError


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
    out = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023).set_index(
        "hs6")
    assert out.loc["000001", "at_risk_usd"] == 80.0
    assert out.loc["000001", "at_risk_share"] == pytest.approx(0.8)
    # alternatives: JPN 20 (to India) + KOR 30 + VNM 100 = 150 >= 80 -> fully coverable
    assert out.loc["000001", "alt_exports_usd"] == 150.0
    assert out.loc["000001", "coverable_share"] == 1.0
    assert out.loc["000002", "at_risk_usd"] == 0.0
    assert pd.isna(out.loc["000002", "coverable_share"])
    assert out.index[0] == "000001", "largest value at risk first"


def test_trusted_replacement_and_merge_hk():
    out = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023,
                                  replacement="trusted").set_index("hs6")
    # trusted alternatives: JPN 20 + KOR 30 = 50 of 80
    assert out.loc["000001", "coverable_usd"] == 50.0
    assert out.loc["000001", "coverable_share"] == pytest.approx(50 / 80)
    assert out.loc["000001", "uncovered_usd"] == 30.0
    merged = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023,
                                     merge_hk=True).set_index("hs6")
    assert merged.loc["000003", "at_risk_usd"] == 50.0
    apart = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023)
    assert apart.set_index("hs6").loc["000003", "at_risk_usd"] == 10.0


def test_by_sector_sums():
    res = scenarios.supplier_stop(FLOWS, reporter="IND", supplier="CHN", year=2023)
    labels = pd.DataFrame({"hs6": ["000001", "000002", "000003"], "sector": ["x", "x", "y"]})
    sec = scenarios.by_sector(res, labels).set_index("sector")
    assert sec.loc["x", "imports_usd"] == 110.0 and sec.loc["x", "at_risk_usd"] == 80.0


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
    out = complementarity.complementarity(flows, exporter="IND", importer="JPN", year=2023)
    assert out["hs6"].tolist() == ["000001"]
    row = out.iloc[0]
    # RCA of India in 000001: (210/215) / (300/2355); world total 2355
    assert row["exporter_rca"] == pytest.approx((210 / 215) / (300 / 2355))
    assert row["top_supplier"] == "CHN" and row["shiftable_usd"] == pytest.approx(90.0)
    assert row["exporter_share_now"] == pytest.approx(0.1)
