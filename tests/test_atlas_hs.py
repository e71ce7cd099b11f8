"""Atlas PCI/ECI and HS reference tables, checked against the genuine files.

Expected values come from the csv module (independent of esc) and from the numbers quoted in
each folder's SOURCE.md.
"""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from conftest import _require
from esc.errors import (
    DataNotFoundError,
    MissingColumnError,
    UnknownProductError,
    UnknownReleaseError,
)
from esc.sources import atlas, hs

from _fixtures import write_baci_zip


def _csv(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- Atlas


def test_read_pci_matches_the_file():
    folder = _require("atlas-pci-hs92")
    raw = _csv(folder / atlas.PCI_FILE)
    pci = atlas.read_pci()
    products = [r for r in raw if r["product_hs92_code"] != "XXXX"]
    assert len(raw) - len(products) == 29  # one "Trade data discrepancies" row per year
    assert len(pci) == len(products)
    assert list(pci.columns) == ["year", "hs4", "pci", "world_exports_usd"]
    assert str(pci["year"].dtype) == "int16"
    assert pci["hs4"].str.fullmatch(r"\d{4}").all()
    assert "0101" in set(pci["hs4"])  # leading zero kept
    row = pci[(pci["year"] == 2021) & (pci["hs4"] == "8541")].iloc[0]
    assert row["pci"] == pytest.approx(1.379)  # SOURCE.md
    expected = next(r for r in raw if r["year"] == "2021" and r["product_hs92_code"] == "8541")
    assert row["world_exports_usd"] == float(expected["export_value"])
    by_year = Counter(r["year"] for r in products)
    assert pci.groupby("year").size().to_dict() == {int(k): v for k, v in by_year.items()}


def test_read_eci_matches_the_file():
    _require("atlas-complexitydata")
    eci = atlas.read_eci()
    assert len(eci) == 4179
    assert list(eci.columns) == ["year", "iso3", "eci", "eci_rank"]
    latest = eci[eci["year"] == 2023].set_index("iso3")
    assert latest.loc["IND", "eci"] == pytest.approx(0.469)
    assert latest.loc["IND", "eci_rank"] == 83
    assert latest.loc["JPN", "eci"] == pytest.approx(2.492)
    assert latest.loc["JPN", "eci_rank"] == 2


def test_atlas_tab_separated_dataverse_layout(tmp_path):
    path = tmp_path / "hs92_product_year_4.tab"
    path.write_text("product_id\ths_product_code\tyear\texport_value\tpci\n"
                    "650\t0101\t2020\t1000\t0.5\n651\t8541\t2020\t2500\t1.25\n")
    got = atlas.read_pci(path)
    assert got["hs4"].tolist() == ["0101", "8541"]
    assert got["world_exports_usd"].tolist() == [1000.0, 2500.0]
    assert atlas.detect_table(path) == "pci"


def test_atlas_missing_file_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("ESC_DATA_DIR", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="esc data fetch atlas") as err:
        atlas.read_pci()
    assert "dataverse" in str(err.value).lower()
    with pytest.raises(DataNotFoundError, match=r"atlas_eci\.csv"):
        atlas.read_eci()


def test_atlas_missing_column(tmp_path):
    path = tmp_path / "pci.csv"
    path.write_text("product_hs92_code,year,pci\n0101,2020,0.1\n")
    with pytest.raises(MissingColumnError) as err:
        atlas.read_pci(path)
    assert err.value.column == "export_value" and str(path) in str(err.value)


# --------------------------------------------------------------------------- HS


def test_hs22_nomenclature():
    folder = _require("harmonized-system")
    expected = {r["hscode"] for r in _csv(folder / "harmonized-system.csv") if r["level"] == "6"}
    nom = hs.nomenclature("HS22")
    assert len(nom) == len(expected) == 5613  # SOURCE.md: 5,613 subheadings
    assert set(nom["hs6"]) == expected
    assert {"854142", "854143", "850760", "852411"} <= expected


def test_hs17_nomenclature_is_zero_padded():
    folder = _require("baci-codes")
    raw = _csv(folder / "product_codes_HS17_V202301 copy.csv")
    nom = hs.nomenclature("HS17")
    assert len(nom) == len(raw) == 5384
    assert nom["hs6"].str.fullmatch(r"\d{6}").all()
    assert "010121" in set(nom["hs6"]) and "10121" in {r["code"] for r in raw}
    assert "854140" in set(nom["hs6"]) and "854142" not in set(nom["hs6"])


def test_hs92_nomenclature():
    _require("atlas-classifications")
    nom = hs.nomenclature("HS92")
    folder = _require("atlas-pci-hs92")
    codes = json.loads((folder / "HS92 codes.json").read_text())["results"]
    un = {c["id"] for c in codes if c["aggrlevel"] == 6 and c["id"].isdigit()}
    assert set(nom["hs6"]) <= un | {"999999"}
    assert len(set(nom["hs6"]) & un) > 5000
    assert "010111" in set(nom["hs6"])
    comtrade_list = hs.nomenclature(path=folder / "HS92 codes.json")
    assert set(comtrade_list["hs6"]) == un


def test_unknown_revision():
    with pytest.raises(UnknownReleaseError, match="HS22"):
        hs.nomenclature("HS99")


def test_check_codes():
    _require("harmonized-system")
    assert hs.check_codes(["850760", 280530, "8541", "85"]) == ["850760", "280530", "8541",
                                                                 "85"]
    with pytest.raises(UnknownProductError, match="'854199'"):
        hs.check_codes(["850760", "854199"])
    with pytest.raises(UnknownProductError, match="'85076'"):
        hs.check_codes(["85076"])
    _require("baci-codes")
    with pytest.raises(UnknownProductError, match="'854142' is not in the HS17"):
        hs.check_codes(["854142"], rev="HS17")


def test_correlation_hs22_hs17():
    folder = _require("hs-correlation-hs22-hs17")
    raw = _csv(folder / "hs2022_hs2017_correlation.csv")
    corr = hs.correlation_hs22_hs17()
    assert len(corr) == len(raw) == 15657
    assert corr["relationship"].value_counts().to_dict() == dict(
        Counter(r["Relationship"] for r in raw))
    pv = set(corr.loc[corr["hs17"] == "854140", "hs22"])
    assert pv == {r["HS2022"] for r in raw if r["HS2017"] == "854140"}
    assert {"854141", "854142", "854143", "854149"} <= pv  # SOURCE.md: PV split in HS2022


def test_baci_country_codes(tmp_path):
    folder = _require("baci-codes")
    codes = hs.baci_country_codes()
    assert (codes[699], codes[392], codes[156], codes[490], codes[516]) == (
        "IND", "JPN", "CHN", "S19", "NAM")
    raw = _csv(folder / "country_codes_V202501.csv")
    assert len(codes) == len(raw)
    zipped = write_baci_zip(tmp_path / "BACI_HS92_V202301.zip", folder.parent,
                            {2021: [["2021", "4", "699", "10121", "1.0", "NA"]]})
    assert hs.baci_country_codes(zipped) == codes
