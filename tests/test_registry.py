"""The sector registry: every code exists in the nomenclature of its revision."""

from __future__ import annotations

import pandas as pd
import pytest

from esc import registry
from esc.errors import UnknownReleaseError


def test_study_has_four_sectors_and_eight_priority_products():
    reg = registry.load_registry()
    study = reg[reg["origin"] == "study"]
    assert study["sector"].nunique() == 4
    assert study["product"].nunique() == 8
    assert set(reg["hs_rev"]) == {"HS22", "HS17"}
    assert reg["hs6"].str.fullmatch(r"\d{6}").all()


def test_unknown_sector_lists_known_ones():
    with pytest.raises(UnknownReleaseError, match="Batteries"):
        registry.products(sector="Batterie")
    assert registry.products(sector="batteries")["product"].eq("Batteries").all()


def test_hs22_codes_exist_in_the_hs2022_nomenclature(raw):
    folder = raw("harmonized-system")
    hs = pd.read_csv(folder / "harmonized-system.csv", dtype=str)
    valid = set(hs.loc[hs["level"] == "6", "hscode"])
    codes = set(registry.products(hs_rev="HS22")["hs6"])
    assert codes - valid == set()


def test_hs17_codes_exist_in_the_hs2017_nomenclature(raw):
    folder = raw("baci-codes")
    hs17 = pd.read_csv(folder / "product_codes_HS17_V202301 copy.csv", dtype=str)
    valid = set(hs17["code"].str.zfill(6))
    codes = set(registry.products(hs_rev="HS17")["hs6"])
    assert codes - valid == set()


def test_flat_panel_modules_have_no_hs17_equivalent():
    hs17 = registry.products(sector="Flat-panel displays", hs_rev="HS17")["hs6"]
    assert not hs17.str.startswith("8524").any()
    assert set(hs17) == {"901380", "901390"}
