"""Tests for esc.relatedness: proximity, density, COI and COG.

Reference: the Growth Lab's ``ecomplexity`` package, on the same synthetic matrices as the PCI
parity tests (``tests/test_complexity.py``: ``synthetic_exports``, seeds 11 and 12, 100
countries x 1,000 products), for every presence option it has (RCA, RCA fed as manual
presence, RPOP, manual). Tolerance 1e-9, absolute, or relative where a value exceeds 1 in
size (with continuous presence COG reaches about 1e6); observed about 1e-14 (binary) and 1e-12
relative (continuous). Small cases are checked against hand computations from the formulas.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from test_complexity import ROLES, synthetic_exports

from esc.complexity import complexity
from esc.errors import BadValueError, MissingColumnError
from esc.relatedness import density_matrix, proximity_matrix, relatedness

TOL = 1e-9
KEYS = ["year", "country", "product"]


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """One BLAS thread (see tests/test_complexity.py): faster on a busy 2-core machine."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(1):
        yield


def reference(df: pd.DataFrame, **kwargs) -> pd.DataFrame:
    ecomplexity = pytest.importorskip("ecomplexity").ecomplexity
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(df, ROLES, verbose=False, check_logsupermodularity=False, **kwargs)


def assert_parity(ours, ref: pd.DataFrame) -> dict[str, float]:
    """Density, COG (pairs), COI and ECI (countries), PCI (products) agree with the reference
    (same NaNs; |diff| / max(1, |reference|) < TOL); returns the largest differences."""
    diffs = {}
    pairs = ours.density.merge(ref, on=KEYS, suffixes=("", "_ref"), validate="1:1")
    assert len(pairs) == len(ours.density) == len(ref.dropna(subset=["density"]))
    countries = ours.coi.merge(ref.groupby(["year", "country"], as_index=False)[
        ["coi", "eci"]].first(), on=["year", "country"], suffixes=("", "_ref"))
    products = ours.pci.merge(ref.groupby(["year", "product"], as_index=False)["pci"].first(),
                              on=["year", "product"], suffixes=("", "_ref"))
    for table, col in ((pairs, "mcp"), (pairs, "density"), (pairs, "cog"), (countries, "coi"),
                       (countries, "eci"), (products, "pci")):
        a, b = table[col].to_numpy(float), table[f"{col}_ref"].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
        diffs[col] = float(np.nanmax(np.abs(a - b) / np.maximum(1.0, np.abs(b))))
        assert diffs[col] < TOL, (col, diffs[col])
    return diffs


@pytest.fixture(scope="module", params=[11, 12])
def one_year(request):
    df = synthetic_exports(request.param, n_countries=100, n_products=1000)
    return df, reference(df)


def test_density_coi_cog_match_ecomplexity(one_year):
    df, ref = one_year
    assert_parity(relatedness(df), ref)


def test_proximity_matches_ecomplexity(one_year):
    df, _ = one_year
    prox = pytest.importorskip("ecomplexity").proximity
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = prox(df, ROLES)
    theirs = ref.pivot(index="product_1", columns="product_2", values="proximity")
    ours = relatedness(df).proximity[2020]
    theirs = theirs.reindex(index=ours.index, columns=ours.columns)
    assert np.max(np.abs(ours.to_numpy() - theirs.to_numpy())) < TOL


def test_two_years_and_zero_rows_match_ecomplexity():
    df = synthetic_exports(21, n_countries=100, n_products=1000, years=(2021, 2022))
    zeros = pd.DataFrame({"year": 2022, "country": ["ZZZ", "ZZZ", "C001"],
                          "product": ["000001", "999999", "999999"], "export_value": 0.0})
    df = pd.concat([df, zeros], ignore_index=True)
    ours = relatedness(df)
    assert_parity(ours, reference(df))
    assert "ZZZ" not in set(ours.coi["country"])


def test_continuous_presence_matches_ecomplexity_fed_rca():
    df = synthetic_exports(31, n_countries=100, n_products=600)
    rca = complexity(df, presence="continuous").rca
    fed = rca[KEYS].assign(export_value=rca["rca"])
    assert_parity(relatedness(df, presence="continuous"), reference(fed, presence_test="manual"))


def _population(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Population roughly proportional to total exports (every country then has RPOP >= 1
    somewhere), times a random factor; generated here, not real."""
    rng = np.random.default_rng(seed)
    totals = df.groupby(["year", "country"], as_index=False)["export_value"].sum()
    factor = rng.uniform(0.7, 1.3, len(totals))
    return pd.DataFrame({"year": totals["year"], "country": totals["country"],
                         "population": totals["export_value"] / 1e3 * factor})


def test_rpop_presence_matches_ecomplexity():
    df = synthetic_exports(41, n_countries=100, n_products=1000)
    pop = _population(df, 41)
    ref = reference(df, presence_test="rpop", pop=pop)
    ours = relatedness(df, presence="rpop", population=pop)
    assert_parity(ours, ref)
    # RPOP by hand for one pair: (x_cp / pop_c) / (sum_c x_cp / sum_c pop_c) >= 1
    x = df.set_index(["country", "product"])["export_value"]
    c, p = "C005", df[df["country"] == "C005"]["product"].iloc[0]
    popc = pop.set_index("country")["population"]
    rpop = (x[(c, p)] / popc[c]) / (x.xs(p, level="product").sum() / popc.sum())
    got = ours.density.set_index(["country", "product"]).loc[(c, p), "mcp"]
    assert got == float(rpop >= 1.0)


def test_manual_presence_matches_ecomplexity():
    df = synthetic_exports(51, n_countries=100, n_products=1000)
    m = complexity(df, rca_threshold=1.5).rca
    fed = m[KEYS].assign(export_value=m["mcp"].astype(float))
    ours = relatedness(fed, presence="manual")
    assert_parity(ours, reference(fed, presence_test="manual"))
    assert set(ours.density["mcp"].unique()) <= {0.0, 1.0}


def test_small_case_by_hand():
    """Three countries, three products; M (RCA >= 1) worked out by hand:
    A makes q and r, B makes q, C makes p. U = (1, 2, 1)."""
    t = pd.DataFrame({"year": 2022, "country": list("AAABBC"), "product": list("pqrpqp"),
                      "export_value": [1, 2, 3, 2, 3, 5]})
    res = relatedness(t)
    m = np.array([[0, 1, 1], [0, 1, 0], [1, 0, 0]], dtype=float)
    got_m = res.density.pivot(index="country", columns="product", values="mcp").to_numpy()
    np.testing.assert_array_equal(got_m, m)
    # phi(q, r) = co-occurrence 1 / max(U_q = 2, U_r = 1) = 0.5; p is isolated
    phi = np.array([[1, 0, 0], [0, 1, 0.5], [0, 0.5, 1]])
    np.testing.assert_allclose(res.proximity[2022].to_numpy(), phi)
    # density of B in r: (M_Bp phi_rp + M_Bq phi_rq + M_Br phi_rr) / (0 + 0.5 + 1) = 0.5 / 1.5
    dens = res.density.set_index(["country", "product"])["density"]
    assert dens[("B", "r")] == pytest.approx(0.5 / 1.5)
    assert dens[("A", "p")] == 0.0


def test_density_and_cog_properties():
    df = synthetic_exports(61, n_countries=60, n_products=300)
    res = relatedness(df)
    d = res.density
    assert d["density"].between(0, 1 + 1e-12).all()
    assert (d.loc[d["mcp"] == 1, "cog"] == 0).all(), "no gain from a product already made"
    phi = res.proximity[2020].to_numpy()
    np.testing.assert_allclose(phi, phi.T)
    np.testing.assert_allclose(np.diag(phi), 1.0)
    assert res.coi["coi"].mean() == pytest.approx(0, abs=1e-9)
    assert res.coi["coi"].std(ddof=0) == pytest.approx(1)
    # density by the matrix formula, built here from the mcp column
    m = d.pivot(index="country", columns="product", values="mcp").to_numpy()
    expected = (m @ phi.T) / phi.sum(axis=1)[None, :]
    got = d.pivot(index="country", columns="product", values="density").to_numpy()
    np.testing.assert_allclose(got, expected, atol=1e-12)
    np.testing.assert_allclose(density_matrix(m, proximity_matrix(m)), expected, atol=1e-12)


def test_bad_options():
    df = synthetic_exports(71, n_countries=10, n_products=20)
    with pytest.raises(BadValueError, match="presence"):
        relatedness(df, presence="both")
    with pytest.raises(BadValueError, match="population"):
        relatedness(df, presence="rpop")
    pop = _population(df, 1)
    with pytest.raises(BadValueError, match="no population for C000"):
        relatedness(df, presence="rpop", population=pop[pop["country"] != "C000"])
    with pytest.raises(MissingColumnError):
        relatedness(df, presence="rpop", population=pop.rename(columns={"population": "pop"}))
