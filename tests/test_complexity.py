"""Tests for esc.complexity.

Fixtures and where they come from:

- Synthetic export matrices (``synthetic_exports``): generated here, not real trade. Presence
  follows a logistic in (country capability - product difficulty), which gives the nested,
  triangular country-product matrix seen in real trade; country sizes are Pareto (skewed) and
  product sizes log-normal. They are the input of the parity tests against the Growth Lab's
  ``ecomplexity`` package (the reference implementation).
- Atlas PCI: ``atlas-pci-hs92/hs92_product_year_4.csv`` in the real data folder (Growth Lab
  release, HS92 4-digit, 1995-2023); expected values are read with the ``csv`` module, not
  through esc.
- UNSD HS2022-HS2017 correlation: ``hs-correlation-hs22-hs17/hs2022_hs2017_correlation.csv``.

Tolerances (observed values on these fixtures in brackets):

| quantity | reference | tolerance |
|---|---|---|
| RCA | ecomplexity | identical floats (0.0) |
| ECI, PCI (binary and continuous) | ecomplexity | 1e-9 (about 3e-14) |
| eigen-equation residual | numpy eigvals | 1e-9 |
| Atlas PCI per heading | CSV value | exact |
"""

from __future__ import annotations

import csv
import time
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from esc.complexity import (
    DEFAULT_ROLES,
    complexity,
    export_table,
    pci_for_hs6,
    rca,
)
from esc.errors import (
    BadValueError,
    DataNotFoundError,
    MissingColumnError,
    UnknownReleaseError,
)

ROLES = dict(DEFAULT_ROLES)
TOL = 1e-9


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """One BLAS thread: on a busy 2-core machine, threaded BLAS made ecomplexity 7x slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # comes with scikit-learn, which ecomplexity needs
        yield
        return
    with threadpool_limits(1):
        yield

# ---------------------------------------------------------------------------------------------
# Synthetic data and the reference package
# ---------------------------------------------------------------------------------------------


def synthetic_exports(seed: int, n_countries: int = 110, n_products: int = 1000,
                      years: tuple[int, ...] = (2020,)) -> pd.DataFrame:
    """A nested, skewed exports table; every country and product has at least one flow."""
    rng = np.random.default_rng(seed)
    capability = rng.uniform(size=n_countries)
    difficulty = rng.uniform(size=n_products)
    size_c = rng.pareto(1.2, n_countries) + 1.0
    size_p = rng.lognormal(0.0, 1.5, n_products)
    frames = []
    for k, year in enumerate(years):
        drift = capability + k * rng.normal(0.0, 0.05, n_countries)
        prob = 1.0 / (1.0 + np.exp(-8.0 * (drift[:, None] - difficulty[None, :])))
        present = rng.uniform(size=prob.shape) < prob
        present[rng.integers(0, n_countries, n_products), np.arange(n_products)] = True
        present[np.arange(n_countries), rng.integers(0, n_products, n_countries)] = True
        x = present * size_c[:, None] * size_p[None, :] * rng.lognormal(0, 1, prob.shape) * 1e6
        r, c = np.nonzero(x)
        frames.append(pd.DataFrame({
            "year": year,
            "country": [f"C{i:03d}" for i in r],
            "product": [f"{j:06d}" for j in c],
            "export_value": x[r, c],
        }))
    return pd.concat(frames, ignore_index=True)


def run_reference(df: pd.DataFrame, **kwargs) -> pd.DataFrame:
    ecomplexity = pytest.importorskip("ecomplexity").ecomplexity
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(df, ROLES, verbose=False, check_logsupermodularity=False, **kwargs)


def _aligned(ours: pd.DataFrame, ref: pd.DataFrame, keys: list[str], col: str):
    ref_s = ref.groupby(keys)[col].first()
    ours_s = ours.set_index(keys)[col]
    assert set(ref_s.index) == set(ours_s.index)
    return ours_s.reindex(ref_s.index).to_numpy(), ref_s.to_numpy()


def assert_parity(result, ref: pd.DataFrame) -> dict[str, float]:
    """ECI and PCI agree with ecomplexity (same NaNs, max |diff| < TOL); returns the diffs."""
    diffs = {}
    for table, keys, col in ((result.eci, ["year", "country"], "eci"),
                             (result.pci, ["year", "product"], "pci")):
        ours, theirs = _aligned(table, ref, keys, col)
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
        ok = ~np.isnan(ours)
        diffs[col] = float(np.max(np.abs(ours[ok] - theirs[ok])))
        assert diffs[col] < TOL, (col, diffs[col])
    return diffs


@pytest.fixture(scope="module", params=[11, 12])
def one_year(request):
    df = synthetic_exports(request.param, n_countries=100, n_products=1000)
    return df, run_reference(df)


@pytest.fixture(scope="module")
def two_years():
    """Two years, plus a country and a product whose exports are all zero in 2022."""
    df = synthetic_exports(21, n_countries=100, n_products=1000, years=(2021, 2022))
    zeros = pd.DataFrame({"year": 2022, "country": ["ZZZ", "ZZZ", "C001"],
                          "product": ["000001", "999999", "999999"], "export_value": 0.0})
    df = pd.concat([df, zeros], ignore_index=True)
    return df, run_reference(df)


# ---------------------------------------------------------------------------------------------
# RCA
# ---------------------------------------------------------------------------------------------


def test_rca_by_hand():
    t = pd.DataFrame({"year": 2022, "country": ["A", "A", "B", "B"],
                      "product": ["p", "q", "p", "q"], "export_value": [10.0, 30.0, 20.0, 40.0]})
    out = rca(t)
    # world total 100; p is 30 % of world exports, A exports 40.
    expected = [(10 / 40) / (30 / 100), (30 / 40) / (70 / 100),
                (20 / 60) / (30 / 100), (40 / 60) / (70 / 100)]
    np.testing.assert_allclose(out["rca"], expected, rtol=1e-15)


def test_rca_keeps_caller_columns_and_sums_duplicates():
    t = pd.DataFrame({"t": [1, 1, 1, 1, 1], "exporter": ["A", "A", "A", "B", "B"],
                      "hs6": ["p", "p", "q", "p", "q"], "v": [4.0, 6.0, 30.0, 20.0, 40.0]})
    out = rca(t, roles={"time": "t", "loc": "exporter", "prod": "hs6", "val": "v"})
    assert list(out.columns) == ["t", "exporter", "hs6", "v", "rca"]
    assert len(out) == 4
    row = out[(out.exporter == "A") & (out.hs6 == "p")].iloc[0]
    assert row["v"] == 10.0
    assert row["rca"] == pytest.approx((10 / 40) / (30 / 100))


def test_rca_of_zero_exporter_is_nan_and_years_are_separate():
    t = pd.DataFrame({"year": [1, 1, 1, 2, 2], "country": ["A", "B", "C", "A", "B"],
                      "product": ["p", "p", "p", "p", "q"], "export_value": [5, 5, 0, 1, 3]})
    out = rca(t).set_index(["year", "country", "product"])["rca"]
    assert np.isnan(out[(1, "C", "p")])
    assert out[(1, "A", "p")] == 1.0
    assert out[(2, "A", "p")] == pytest.approx(1 / (1 / 4))


@pytest.mark.parametrize(("value", "message"), [(-1.0, "negative"), ("abc", "not numeric"),
                                                (np.inf, "infinite")])
def test_bad_values_name_the_row(value, message):
    t = pd.DataFrame({"year": 2022, "country": ["A", "B"], "product": ["p", "p"],
                      "export_value": pd.Series([1.0, value], dtype=object)})
    with pytest.raises(BadValueError, match=message) as err:
        rca(t)
    assert err.value.line == 3 and err.value.column == "export_value"


def test_missing_column_and_bad_options():
    t = pd.DataFrame({"year": [2022], "country": ["A"], "product": ["p"]})
    with pytest.raises(MissingColumnError, match="export_value"):
        complexity(t)
    t["export_value"] = 1.0
    with pytest.raises(BadValueError, match="presence"):
        complexity(t, presence="fuzzy")
    with pytest.raises(BadValueError, match="unknown role"):
        rca(t, roles={"place": "country"})


def test_rca_identical_to_ecomplexity(one_year):
    df, ref = one_year
    ours = complexity(df).rca
    merged = ours.merge(ref[["year", "country", "product", "rca", "mcp"]],
                        on=["year", "country", "product"], suffixes=("", "_ref"))
    assert len(merged) == len(df)
    np.testing.assert_array_equal(merged["rca"].to_numpy(), merged["rca_ref"].to_numpy())
    np.testing.assert_array_equal(merged["mcp"].to_numpy(), merged["mcp_ref"].to_numpy())


# ---------------------------------------------------------------------------------------------
# ECI / PCI parity with ecomplexity
# ---------------------------------------------------------------------------------------------


def test_eci_pci_match_ecomplexity(one_year):
    df, ref = one_year
    assert df["country"].nunique() >= 100 and df["product"].nunique() >= 1000
    result = complexity(df)
    assert_parity(result, ref)
    ours, theirs = _aligned(result.eci, ref, ["year", "country"], "diversity")
    np.testing.assert_array_equal(ours, theirs)


def test_two_years_and_zero_rows_match_ecomplexity(two_years):
    df, ref = two_years
    result = complexity(df)
    assert_parity(result, ref)
    eci = result.eci.set_index(["year", "country"])["eci"]
    pci = result.pci.set_index(["year", "product"])["pci"]
    assert np.isnan(eci[(2022, "ZZZ")]) and np.isnan(pci[(2022, "999999")])
    assert not np.isnan(eci[(2021, "C001")])
    # each year is standardised on its own: ECI mean 0, population s.d. 1
    for _, g in result.eci.dropna().groupby("year"):
        assert g["eci"].mean() == pytest.approx(0, abs=1e-12)
        assert g["eci"].std(ddof=0) == pytest.approx(1, abs=1e-12)


def test_more_countries_than_products_matches_ecomplexity():
    """esc then diagonalises the product-side matrix; the reference always does."""
    df = synthetic_exports(22, n_countries=150, n_products=60)
    assert_parity(complexity(df), run_reference(df))


def test_continuous_presence_matches_ecomplexity_on_rca():
    df = synthetic_exports(31, n_countries=100, n_products=600)
    ours = complexity(df, presence="continuous")
    fed = ours.rca[["year", "country", "product"]].assign(export_value=ours.rca["rca"])
    ref = run_reference(fed, presence_test="manual")
    assert_parity(ours, ref)
    assert ours.rca["mcp"].equals(ours.rca["rca"])


def test_threshold_changes_presence():
    df = synthetic_exports(41, n_countries=40, n_products=200)
    base, strict = complexity(df), complexity(df, rca_threshold=2.0)
    assert (strict.rca["mcp"] == (strict.rca["rca"] >= 2.0)).all()
    assert strict.rca["mcp"].sum() < base.rca["mcp"].sum()


def test_eci_solves_the_eigen_equation():
    """Independent of ecomplexity: with M~ = D^-1 M U^-1 M^T (built here from the mcp column),
    M~ ECI = lambda_2 ECI + const, lambda_2 the second-largest eigenvalue from numpy."""
    df = synthetic_exports(51, n_countries=60, n_products=300)
    res = complexity(df)
    m = res.rca.pivot_table(index="country", columns="product", values="mcp", fill_value=0)
    m = m.to_numpy(dtype=float)
    d, u = m.sum(axis=1), m.sum(axis=0)
    mcc = (m / d[:, None]) @ (m / u[None, :]).T
    lam2 = np.sort(np.linalg.eigvals(mcc).real)[-2]
    eci = res.eci.sort_values("country")["eci"].to_numpy()
    resid = mcc @ eci - lam2 * eci
    assert np.ptp(resid) < TOL
    assert res.spectrum["eigenvalue_2"].iloc[0] == pytest.approx(lam2, abs=TOL)
    # sign convention: ECI rises with diversity
    div = res.eci.sort_values("country")["diversity"].to_numpy()
    assert np.corrcoef(div, eci)[0, 1] > 0


def test_eci_is_mean_pci_of_products_made():
    """Atlas convention: PCI standardised with ECI's moments keeps ECI_c = mean PCI over M_cp=1."""
    res = complexity(synthetic_exports(52, n_countries=60, n_products=300))
    pci = res.pci.set_index("product")["pci"]
    made = res.rca[res.rca["mcp"] == 1]
    mean_pci = made.assign(pci=made["product"].map(pci)).groupby("country")["pci"].mean()
    eci = res.eci.set_index("country")["eci"]
    np.testing.assert_allclose(eci.reindex(mean_pci.index), mean_pci, atol=1e-10)


def test_200_by_5000_is_fast():
    df = synthetic_exports(61, n_countries=200, n_products=5000)
    start = time.process_time()  # CPU time: robust to a busy machine
    res = complexity(df)
    elapsed = time.process_time() - start
    assert res.pci["pci"].notna().sum() == 5000
    # about 0.5 s here; ecomplexity needs minutes (dense non-symmetric 5,000 x 5,000 eig)
    assert elapsed < 10.0, f"complexity() took {elapsed:.2f} s of CPU on 200 x 5000"


# ---------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------------------------

_cells = st.one_of(st.just(0.0), st.floats(0.5, 1e6, allow_nan=False))


@st.composite
def export_matrices(draw) -> np.ndarray:
    n_c = draw(st.integers(3, 8))
    n_p = draw(st.integers(3, 10))
    return draw(arrays(np.float64, (n_c, n_p), elements=_cells))


def _long(x: np.ndarray, scale: float = 1.0) -> pd.DataFrame:
    r, c = np.indices(x.shape)
    return pd.DataFrame({"year": 2020, "country": [f"c{i}" for i in r.ravel()],
                         "product": [f"p{j:02d}" for j in c.ravel()],
                         "export_value": x.ravel() * scale})


def _keyed(res):
    eci = res.eci.set_index("country")["eci"].sort_index()
    pci = res.pci.set_index("product")["pci"].sort_index()
    return eci, pci


def _well_posed(res) -> bool:
    """A unique second eigenvector and a clear sign: the comparisons below are meaningful."""
    s = res.spectrum.iloc[0]
    eci = res.eci.dropna()
    if eci.empty or not (s["eigenvalue_1"] - s["eigenvalue_2"] > 1e-4
                         and s["eigenvalue_2"] - s["eigenvalue_3"] > 1e-4):
        return False
    with np.errstate(invalid="ignore"):
        corr = np.corrcoef(eci["diversity"], eci["eci"])[0, 1]
    return bool(abs(corr) > 1e-3)


_settings = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@_settings
@given(x=export_matrices(), data=st.data())
def test_row_order_does_not_matter(x, data):
    df = _long(x)
    perm = data.draw(st.permutations(range(len(df))))
    a, b = complexity(df), complexity(df.iloc[list(perm)])
    for s1, s2 in zip(_keyed(a), _keyed(b), strict=True):
        np.testing.assert_allclose(s1, s2, atol=1e-12, equal_nan=True)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(x=export_matrices(), data=st.data())
def test_relabelling_countries_does_not_matter(x, data):
    """A different sort order of names permutes the matrix; indices must follow the names."""
    df = _long(x)
    res = complexity(df)
    assume(_well_posed(res))
    names = sorted(df["country"].unique())
    shuffled = data.draw(st.permutations(names))
    rename = {old: f"z{i}_{old}" for i, old in enumerate(shuffled)}
    res2 = complexity(df.assign(country=df["country"].map(rename)))
    eci2 = res2.eci.assign(country=res2.eci["country"].str.split("_").str[1])
    np.testing.assert_allclose(_keyed(res)[0], eci2.set_index("country")["eci"].sort_index(),
                               atol=1e-7, equal_nan=True)
    np.testing.assert_allclose(_keyed(res)[1], _keyed(res2)[1], atol=1e-7, equal_nan=True)


@_settings
@given(x=export_matrices(), k=st.integers(-20, 20))
def test_scaling_by_a_power_of_two_changes_nothing(x, k):
    """Binary scaling is exact in floating point, so RCA must be bit-identical."""
    a, b = complexity(_long(x)), complexity(_long(x, 2.0**k))
    np.testing.assert_array_equal(a.rca["rca"].to_numpy(), b.rca["rca"].to_numpy())
    for s1, s2 in zip(_keyed(a), _keyed(b), strict=True):
        np.testing.assert_allclose(s1, s2, atol=1e-12, equal_nan=True)


@_settings
@given(x=export_matrices(), c=st.floats(1e-3, 1e3))
def test_scaling_by_any_constant_changes_nothing(x, c):
    a, b = complexity(_long(x)), complexity(_long(x, c))
    # rounding may move an RCA of exactly 1 across the threshold; leave those cases out
    assume(not np.any(np.abs(a.rca["rca"].to_numpy() - 1.0) < 1e-9))
    np.testing.assert_allclose(a.rca["rca"], b.rca["rca"], rtol=1e-12, equal_nan=True)
    for s1, s2 in zip(_keyed(a), _keyed(b), strict=True):
        np.testing.assert_allclose(s1, s2, atol=1e-9, equal_nan=True)


@_settings
@given(x=export_matrices(), share=st.floats(1e-3, 10.0))
def test_country_with_world_basket_has_rca_one(x, share):
    world = x.sum(axis=0)
    assume(world.sum() > 0)
    basket = share * world  # exports every product in world proportions
    df = _long(np.vstack([x, basket]))
    df = df[df["product"].isin([f"p{j:02d}" for j in np.flatnonzero(world > 0)])]
    out = rca(df)
    mine = out[out["country"] == f"c{x.shape[0]}"]
    np.testing.assert_allclose(mine["rca"], 1.0, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# export_table
# ---------------------------------------------------------------------------------------------


def _flows(**over) -> pd.DataFrame:
    base = {"year": [2022, 2022, 2022, 2022], "exporter": ["CHN", "CHN", "VNM", "CHN"],
            "importer": ["IND", "JPN", "IND", "IND"],
            "hs6": ["850760", "850760", "850760", "850790"], "hs_rev": "HS22",
            "value_usd": [5.0, 7.0, 1.0, 2.0], "quantity_t": np.nan}
    base.update(over)
    return pd.DataFrame(base)


def test_export_table_sums_over_importers_and_cuts_codes():
    out = export_table(_flows())
    assert list(out.columns) == ["year", "country", "product", "export_value"]
    assert out.set_index(["country", "product"])["export_value"].to_dict() == {
        ("CHN", "850760"): 12.0, ("CHN", "850790"): 2.0, ("VNM", "850760"): 1.0}
    hs4 = export_table(_flows(), product="hs4")
    assert hs4.set_index("country")["export_value"].to_dict() == {"CHN": 14.0, "VNM": 1.0}
    assert set(hs4["product"]) == {"8507"}


def test_export_table_refuses_mixed_revisions_and_missing_columns():
    with pytest.raises(BadValueError, match="mixes HS revisions"):
        export_table(_flows(hs_rev=["HS22", "HS17", "HS22", "HS22"]))
    with pytest.raises(MissingColumnError):
        export_table(_flows().drop(columns="exporter"))


def test_export_table_feeds_complexity():
    flows = synthetic_exports(71, n_countries=30, n_products=80).rename(
        columns={"country": "exporter", "product": "hs6", "export_value": "value_usd"})
    flows = flows.assign(importer="WLD", hs_rev="HS22", quantity_t=np.nan)
    direct = complexity(flows, roles={"loc": "exporter", "prod": "hs6", "val": "value_usd"})
    via = complexity(export_table(flows))
    np.testing.assert_allclose(direct.eci["eci"], via.eci["eci"], atol=1e-12)
    assert list(direct.eci.columns) == ["year", "exporter", "eci", "diversity"]


# ---------------------------------------------------------------------------------------------
# Atlas PCI for HS6 codes (real files)
# ---------------------------------------------------------------------------------------------

ATLAS_CSV = Path("atlas-pci-hs92") / "hs92_product_year_4.csv"
CORR_CSV = Path("hs-correlation-hs22-hs17") / "hs2022_hs2017_correlation.csv"


@cache
def _read_atlas(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"product_hs92_code": str}).rename(
        columns={"product_hs92_code": "hs4"})


@cache
def _atlas_rows(path: str) -> dict[tuple[str, int], float]:
    with open(path, newline="") as fh:
        return {(r["product_hs92_code"], int(r["year"])): float(r["pci"])
                for r in csv.DictReader(fh) if r["pci"] != ""}


@pytest.fixture
def atlas_path(raw) -> str:
    return str(raw("atlas-pci-hs92") / ATLAS_CSV.name)


@pytest.fixture
def atlas(atlas_path) -> pd.DataFrame:
    return _read_atlas(atlas_path)


@pytest.fixture
def corr(raw) -> pd.DataFrame:
    return pd.read_csv(raw("hs-correlation-hs22-hs17") / CORR_CSV.name, dtype=str)


def _one(codes, **kwargs) -> pd.Series:
    return pci_for_hs6(codes, **kwargs).set_index("hs6")


def test_854142_goes_via_hs17_854140(atlas, atlas_path, corr):
    assert set(corr.loc[corr["HS2022"] == "854142", "HS2017"]) == {"854140"}
    latest = max(y for _, y in _atlas_rows(atlas_path))
    row = _one(["854142"], hs_rev="HS22", atlas_pci=atlas, correlation=corr).loc["854142"]
    assert row["mapping"] == "via HS17 854140"
    assert row["hs92_hs4"] == "8541" and row["pci_year"] == latest
    assert row["pci"] == _atlas_rows(atlas_path)[("8541", latest)]


def test_852411_display_modules_have_no_hs92_heading(atlas, atlas_path, corr):
    out = _one(["852411"], hs_rev="HS22", atlas_pci=atlas, correlation=corr).loc["852411"]
    assert np.isnan(out["pci"]) and pd.isna(out["hs92_hs4"])
    assert "no HS92 heading" in out["mapping"]
    # the trap: cutting the code to 8524 would find HS92 "recorded media" with a PCI
    assert ("8524", int(out["pci_year"])) in _atlas_rows(atlas_path)


def test_850760_maps_to_8507_and_published_2021_values(atlas, atlas_path, corr):
    out = _one(["850760", "854142", "854231"], hs_rev="HS22", atlas_pci=atlas,
               correlation=corr, year=2021)
    assert out.loc["850760", "hs92_hs4"] == "8507"
    assert out.loc["850760", "mapping"] == "1:1 heading"
    # values printed in the data folder's SOURCE.md for 2021
    assert out.loc["850760", "pci"] == pytest.approx(1.216)
    assert out.loc["854142", "pci"] == pytest.approx(1.379)
    assert out.loc["854231", "pci"] == pytest.approx(1.441)
    assert (out["pci_year"] == 2021).all()


def test_drones_take_the_mean_of_two_headings(atlas, atlas_path, corr):
    heads = sorted({c[:4] for c in corr.loc[corr["HS2022"] == "880622", "HS2017"]})
    assert heads == ["8525", "8802"]
    out = _one(["880622"], hs_rev="HS22", atlas_pci=atlas, correlation=corr, year=2020)
    values = _atlas_rows(atlas_path)
    assert out.loc["880622", "pci"] == pytest.approx(
        (values[("8525", 2020)] + values[("8802", 2020)]) / 2, abs=1e-12)
    assert out.loc["880622", "mapping"] == "n:n, mean of 2 headings"
    assert out.loc["880622", "hs92_hs4"] == "8525+8802"


def test_surviving_code_keeps_its_heading_and_hs17_input(atlas, corr):
    out = _one(["852990"], hs_rev="HS22", atlas_pci=atlas, correlation=corr)
    assert out.loc["852990", "hs92_hs4"] == "8529"
    assert out.loc["852990", "mapping"].startswith("same code in HS17")
    hs17 = _one(["854140"], hs_rev="HS17", atlas_pci=atlas)
    assert hs17.loc["854140", "hs92_hs4"] == "8541"


def test_carved_in_codes_keep_their_existing_heading(atlas, atlas_path, corr):
    """854159 (semiconductor transducers) draws from 29 HS2017 headings, none of them 8541,
    but heading 8541 existed in HS2017; 841470 draws from 8414 and 8421."""
    heads = {c[:4] for c in corr.loc[corr["HS2022"] == "854159", "HS2017"]}
    assert len(heads) > 5 and "8541" not in heads
    assert "8541" in set(corr["HS2017"].str[:4])
    out = _one(["854159", "841470"], hs_rev="HS22", atlas_pci=atlas, correlation=corr,
               year=2022)
    values = _atlas_rows(atlas_path)
    assert out.loc["854159", "hs92_hs4"] == "8541"
    assert out.loc["854159", "pci"] == values[("8541", 2022)]
    assert out.loc["854159", "mapping"].startswith("own heading kept")
    assert out.loc["841470", "hs92_hs4"] == "8414"
    assert out.loc["841470", "mapping"].startswith("same heading in HS17")


def test_heading_new_since_1992_and_override(atlas, atlas_path, corr):
    out = _one(["848620"], hs_rev="HS22", atlas_pci=atlas, correlation=corr, year=2019)
    assert np.isnan(out.loc["848620", "pci"])
    assert out.loc["848620", "mapping"] == "no HS92 heading (8486 not in HS92)"
    fixed = _one(["848620"], hs_rev="HS22", atlas_pci=atlas, correlation=corr, year=2019,
                 hs92_headings={"8486": ["8456", "8479"]})
    values = _atlas_rows(atlas_path)
    assert fixed.loc["848620", "pci"] == pytest.approx(
        (values[("8456", 2019)] + values[("8479", 2019)]) / 2, abs=1e-12)
    assert "override" in fixed.loc["848620", "mapping"]
    proxy = _one(["852411"], hs_rev="HS22", atlas_pci=atlas, correlation=corr, year=2019,
                 hs92_headings={"852411": ["8529", "8473"]})
    assert proxy.loc["852411", "pci"] == pytest.approx(
        (values[("8529", 2019)] + values[("8473", 2019)]) / 2, abs=1e-12)
    assert proxy.loc["852411", "mapping"] == "hs92_headings override, mean of 2 headings"


def test_every_hs22_code_gets_a_row(atlas, corr):
    codes = corr["HS2022"].unique()
    out = pci_for_hs6(codes, hs_rev="HS22", atlas_pci=atlas, correlation=corr)
    assert list(out["hs6"]) == list(codes)
    assert out["pci"].notna().mean() > 0.97
    one = out[out["mapping"] == "1:1 heading"]
    assert (one["hs92_hs4"] == one["hs6"].str[:4]).all()
    # carve-outs drawn from dozens of HS2017 headings: display modules (8524), e-waste 8549.2-.9
    wide = out["hs6"].str[:4].eq("8524") | out["hs6"].str.match(r"8549[2-9]")
    assert wide.sum() == 12
    assert out.loc[wide, "pci"].isna().all()
    assert out.loc[wide, "mapping"].str.startswith("no HS92 heading (new HS2022 heading").all()
    assert out["pci"].isna().eq(out["hs92_hs4"].isna()).all()


def test_correlation_is_given_not_read_and_study_supplies_it(raw, atlas, corr):
    """pci_for_hs6 reads no file: HS2022 codes without correlation= are refused; the tables
    esc.study.atlas_pci gives (the Atlas table read by read_pci, the UNSD correlation) map the
    codes exactly as the tables read here with csv/pandas do."""
    raw("hs-correlation-hs22-hs17"), raw("atlas-pci-hs92")
    from esc import analysis, study

    codes = ["854142", "852411", "850760", "880622", "852990"]
    with pytest.raises(DataNotFoundError, match="correlation"):
        pci_for_hs6(codes, hs_rev="HS22", atlas_pci=atlas)
    tables = study.atlas_pci()
    assert isinstance(tables, analysis.AtlasTables) and tables.hs22_hs17 is not None
    explicit = pci_for_hs6(codes, hs_rev="HS22", atlas_pci=atlas, correlation=corr)
    supplied = pci_for_hs6(codes, hs_rev="HS22", atlas_pci=tables.pci,
                           correlation=tables.hs22_hs17)
    pd.testing.assert_frame_equal(explicit, supplied)


def test_pci_for_hs6_errors(atlas, corr):
    with pytest.raises(BadValueError, match="6-digit"):
        pci_for_hs6(["85076"], hs_rev="HS22", atlas_pci=atlas, correlation=corr)
    with pytest.raises(UnknownReleaseError, match="no year 1900"):
        pci_for_hs6(["850760"], hs_rev="HS22", atlas_pci=atlas, correlation=corr, year=1900)
    with pytest.raises(UnknownReleaseError, match="HS12"):
        pci_for_hs6(["850760"], hs_rev="HS12", atlas_pci=atlas)
    with pytest.raises(MissingColumnError):
        pci_for_hs6(["850760"], hs_rev="HS17", atlas_pci=atlas.drop(columns="pci"))
    unknown = _one(["010100"], hs_rev="HS22", atlas_pci=atlas, correlation=corr)
    assert unknown.loc["010100", "mapping"] == "not in the HS2022-HS2017 correlation table"
