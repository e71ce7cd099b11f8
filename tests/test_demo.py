"""The generated demo world: deterministic, complete, labelled, and calibrated to the
public figures quoted in the design notes (checked here from the raw flows, not from esc's
metrics)."""

from __future__ import annotations

import pandas as pd
import pytest

from esc.errors import UnknownReleaseError
from esc.registry import hs6_codes
from esc.schema import DEMO_LABEL, FLOW_COLUMNS
from esc.sources import demo


@pytest.fixture(scope="module")
def world() -> pd.DataFrame:
    return demo.generate()


def test_same_seed_same_world_other_seed_other_world(world):
    again = demo.generate()
    pd.testing.assert_frame_equal(world, again)
    other = demo.generate(seed=7)
    assert not world["value_usd"].equals(other["value_usd"])


def test_shape_and_coverage(world):
    assert list(world.columns) == FLOW_COLUMNS
    assert sorted(world["year"].unique()) == [2019, 2020, 2021, 2022, 2023]
    assert set(world["hs6"]) == set(hs6_codes(hs_rev="HS22"))
    assert {"IND", "JPN", "CHN"} <= set(world["importer"]) & set(world["exporter"])
    assert (world["exporter"] != world["importer"]).all(), "no self-trade"
    assert (world["value_usd"] > 0).all()
    assert world.duplicated(["year", "exporter", "importer", "hs6"]).sum() == 0


def test_india_lithium_ion_2019_matches_public_figures(world):
    # FY2018-19: about USD 1.23 bn; China 773 m, Hong Kong 267 m, Vietnam 114 m.
    t = world[(world["importer"] == "IND") & (world["hs6"] == "850760") & (world["year"] == 2019)]
    by = t.groupby("exporter")["value_usd"].sum()
    assert by.sum() == pytest.approx(1.23e9, rel=1e-9)
    assert by["CHN"] == pytest.approx(773e6, rel=0.01)
    assert by["HKG"] == pytest.approx(267e6, rel=0.01)
    assert by["VNM"] == pytest.approx(114e6, rel=0.01)
    shares = by / by.sum()
    # the design notes: HHI about 0.45 with Hong Kong apart, about 0.72 merged into China
    assert (shares**2).sum() == pytest.approx(0.45, abs=0.01)
    merged = shares.rename(lambda c: "CHN" if c in ("HKG", "MAC") else c).groupby(level=0).sum()
    assert (merged**2).sum() == pytest.approx(0.72, abs=0.01)


def test_magnets_and_rare_earth_anchors(world):
    ind = world[(world["importer"] == "IND") & world["hs6"].isin(["850511", "850519"])
                & (world["year"] == 2023)]
    for _, g in ind.groupby("hs6"):
        assert g.loc[g["exporter"] == "CHN", "value_usd"].sum() / g["value_usd"].sum() == \
            pytest.approx(0.93, abs=0.001)
    jpn = world[(world["importer"] == "JPN") & (world["hs6"] == "280530")]
    share = jpn[jpn["exporter"] == "CHN"].groupby("year")["value_usd"].sum() / jpn.groupby(
        "year")["value_usd"].sum()
    assert 0.6 <= share[2023] <= 0.7
    assert share.is_monotonic_decreasing


def test_world_exports_follow_atlas_heading_path(world):
    # 8542's world exports move with the Atlas 2019..2023 path of heading 8542
    total = world[world["hs6"].str.startswith("8542")].groupby("year")["value_usd"].sum()
    path = demo.ATLAS_HEADINGS["8542"][1]
    ratio = (total / total[2021]).round(2).tolist()
    assert ratio == pytest.approx(list(path), abs=0.06)


def test_load_filters_and_labels():
    t = demo.load(years=2019, importers="IND", hs6="850760")
    assert set(t["year"]) == {2019} and set(t["importer"]) == {"IND"}
    assert t.attrs["label"] == DEMO_LABEL
    with pytest.raises(UnknownReleaseError, match="no year 2031"):
        demo.load(years=2031)


def test_cache_has_provenance_and_is_reused():
    first = demo.ensure_cached()
    mtime = first.stat().st_mtime_ns
    meta = demo.provenance()
    assert meta["label"] == DEMO_LABEL and meta["rows"] > 100_000 and meta["source"] == "demo"
    assert len(meta["sha256"]) == 64
    assert demo.ensure_cached().stat().st_mtime_ns == mtime


def test_baci_layout_zip(tmp_path):
    import zipfile

    path = demo.write_baci_zip(tmp_path / "BACI_HS22_VDEMO.zip", years=(2022,))
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert "BACI_HS22_Y2022_VDEMO.csv" in names
        raw = pd.read_csv(zf.open("BACI_HS22_Y2022_VDEMO.csv"))
    assert list(raw.columns) == ["t", "i", "j", "k", "v", "q"]
    # v is thousands of USD; India is 699 in BACI's codes
    ind = raw[raw["j"] == 699]
    expect = demo.load(years=2022, importers="IND")["value_usd"].sum() / 1000
    assert ind["v"].sum() == pytest.approx(expect, rel=1e-6)
    assert raw["k"].dtype.kind == "i", "k is written as an integer, as CEPII ships it"
