"""Import concentration (esc.metrics) against independent pandas computations.

The reference functions below are written from the formulas, row by row in pandas, sharing no
code with esc.metrics (which is SQL run by DuckDB). They are checked on the genuine BACI excerpt
(HS92 2021, every export flow of South Africa and Afghanistan; see its SOURCE.md), on random
tables, and by properties that any HHI must satisfy.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esc import metrics
from esc.countries import iso3_from_numeric, partner_groups
from esc.errors import DataNotFoundError, InputError, MissingColumnError, UnknownCountryError

KEYS = ["year", "importer", "hs6"]


# --------------------------------------------------------------------------- reference code


def ref_shares(df: pd.DataFrame, *, merge_hk: bool = False, product: str = "hs6") -> pd.DataFrame:
    d = df.copy()
    if merge_hk:
        d["exporter"] = d["exporter"].replace({"HKG": "CHN", "MAC": "CHN"})
    d = d[d["value_usd"].notna() & (d["value_usd"] > 0) & (d["exporter"] != d["importer"])]
    keys = ["year", "importer", product]
    d = d.groupby([*keys, "exporter"], as_index=False)["value_usd"].sum()
    d["share"] = d["value_usd"] / d.groupby(keys)["value_usd"].transform("sum")
    return d


def ref_concentration(df: pd.DataFrame, *, merge_hk: bool = False, groups=None,
                      product: str = "hs6") -> pd.DataFrame:
    keys = ["year", "importer", product]
    s = ref_shares(df, merge_hk=merge_hk, product=product)
    s = s.sort_values([*keys, "share", "exporter"], ascending=[True] * 3 + [False, True])
    s["rank"] = s.groupby(keys).cumcount()
    s["s2"] = s["share"] ** 2
    s["s_top3"] = s["share"].where(s["rank"] < 3, 0.0)
    s["s_chn"] = s["share"].where(s["exporter"] == "CHN", 0.0)
    extra = {}
    for name, members in (groups or {}).items():
        col = f"share_{name.lower()}"
        s[col] = s["share"].where(s["exporter"].isin(list(members)), 0.0)
        extra[col] = (col, "sum")
    return s.groupby(keys, as_index=False).agg(
        imports_usd=("value_usd", "sum"), n_partners=("exporter", "size"), hhi=("s2", "sum"),
        top1_partner=("exporter", "first"), top1_share=("share", "first"),
        top3_share=("s_top3", "sum"), share_chn=("s_chn", "sum"), **extra)


def _flows(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["year", "importer", "hs6", "exporter", "value_usd"])
    df["hs_rev"] = "HS17"
    df["quantity_t"] = np.nan
    return df


def _compare(got: pd.DataFrame, want: pd.DataFrame, keys: list[str], cols: list[str]) -> None:
    assert len(got) == len(want)
    g = got.sort_values(keys).reset_index(drop=True)
    w = want.sort_values(keys).reset_index(drop=True)
    for k in keys:
        assert g[k].astype(str).tolist() == w[k].astype(str).tolist(), k
    for c in cols:
        if g[c].dtype.kind in "fi":
            np.testing.assert_allclose(g[c].to_numpy(float), w[c].to_numpy(float), rtol=1e-9,
                                       atol=1e-12, err_msg=c)
        else:
            assert g[c].tolist() == w[c].tolist(), c


# --------------------------------------------------------------------------- real BACI excerpt


@pytest.fixture(scope="module")
def baci_excerpt() -> pd.DataFrame:
    from esc.config import data_dir

    root = data_dir()
    path = root / "baci-example-zaf-afg" / "ExampleTradeData.csv.gz" if root else None
    if path is None or not path.is_file():
        pytest.skip("real BACI excerpt not in the data folder")
    with gzip.open(path, "rt") as fh:
        raw = pd.read_csv(fh, dtype={"q": str})
    return pd.DataFrame({
        "year": raw["t"].astype("int16"),
        "exporter": iso3_from_numeric(raw["i"]),
        "importer": iso3_from_numeric(raw["j"]),
        "hs6": raw["k"].astype(str).str.zfill(6),
        "hs_rev": "HS92",
        "value_usd": raw["v"] * 1000.0,
        "quantity_t": pd.to_numeric(raw["q"].str.strip(), errors="coerce"),
    })


@pytest.mark.rawdata
def test_concentration_matches_pandas_on_real_baci(raw, baci_excerpt):
    raw("baci-example-zaf-afg")
    groups = {"SACU": ["ZAF", "BWA", "NAM", "LSO", "SWZ"], "AF": ["AFG"]}
    got = metrics.concentration(baci_excerpt, groups=groups)
    want = ref_concentration(baci_excerpt, groups=groups)
    cols = ["imports_usd", "n_partners", "hhi", "top1_partner", "top1_share", "top3_share",
            "share_chn", "share_sacu", "share_af"]
    _compare(got, want, KEYS, cols)
    # Two exporters only: every importer-product has one or two partners, and where both sell,
    # HHI is s^2 + (1-s)^2 with s South Africa's share.
    assert set(got["n_partners"]) == {1, 2}
    both = got[got["n_partners"] == 2]
    assert len(both) > 100
    s = both["share_sacu"].to_numpy()
    np.testing.assert_allclose(both["hhi"], s**2 + (1 - s) ** 2, rtol=1e-12)
    np.testing.assert_allclose(got["eff_suppliers"], 1 / got["hhi"], rtol=1e-12)


@pytest.mark.rawdata
def test_one_real_flow_by_hand(raw, baci_excerpt):
    raw("baci-example-zaf-afg")
    # India's imports of each product: the excerpt's rows with j=699, summed by hand.
    ind = baci_excerpt[baci_excerpt["importer"] == "IND"]
    got = metrics.concentration(baci_excerpt, reporters=["IND"])
    assert len(got) == ind["hs6"].nunique()
    assert math.isclose(got["imports_usd"].sum(), ind["value_usd"].sum(), rel_tol=1e-12)
    shares = metrics.partner_shares(baci_excerpt, reporters="IND")
    assert set(shares["exporter"]) <= {"ZAF", "AFG"}
    np.testing.assert_allclose(shares.groupby("hs6")["share"].sum(), 1.0, rtol=1e-12)


@pytest.mark.rawdata
def test_world_exports_and_ratio_on_real_baci(raw, baci_excerpt):
    raw("baci-example-zaf-afg")
    got = metrics.world_export_concentration(baci_excerpt)
    d = baci_excerpt[baci_excerpt["value_usd"] > 0]
    x = d.groupby(["year", "hs6", "exporter"])["value_usd"].sum().rename("x").reset_index()
    tot = x.groupby(["year", "hs6"])["x"].transform("sum")
    x["s2"] = (x["x"] / tot) ** 2
    want = x.groupby(["year", "hs6"]).agg(world_exports_usd=("x", "sum"),
                                          n_exporters=("x", "size"),
                                          export_hhi=("s2", "sum")).reset_index()
    _compare(got, want, ["year", "hs6"], ["world_exports_usd", "n_exporters", "export_hhi"])

    # South Africa's imports in the excerpt are Afghanistan's exports to it.
    ratio = metrics.import_export_ratio(baci_excerpt, "ZAF")
    imp = d[d["importer"] == "ZAF"].groupby("hs6")["value_usd"].sum()
    exp = d[d["exporter"] == "ZAF"].groupby("hs6")["value_usd"].sum()
    both = pd.concat([imp.rename("m"), exp.rename("x")], axis=1).fillna(0.0)
    assert len(ratio) == len(both)
    r = ratio.set_index("hs6").loc[both.index]
    np.testing.assert_allclose(r["imports_usd"], both["m"], rtol=1e-12)
    np.testing.assert_allclose(r["exports_usd"], both["x"], rtol=1e-12)
    only_imported = both["x"] == 0
    assert np.isinf(r.loc[only_imported, "import_export_ratio"]).all()
    np.testing.assert_allclose(r.loc[~only_imported, "import_export_ratio"],
                               both.loc[~only_imported, "m"] / both.loc[~only_imported, "x"])


# --------------------------------------------------------------------------- small hand cases


def test_india_li_ion_example_by_hand():
    # India, 850760, FY2018-19 (design notes): China 773, Hong Kong 267, Vietnam 114 (USD m).
    t = _flows([(2019, "IND", "850760", "CHN", 773.0), (2019, "IND", "850760", "HKG", 267.0),
                (2019, "IND", "850760", "VNM", 114.0)])
    total = 773 + 267 + 114
    apart = metrics.concentration(t).iloc[0]
    assert math.isclose(apart.hhi, (773**2 + 267**2 + 114**2) / total**2, rel_tol=1e-12)
    assert apart.n_partners == 3
    assert math.isclose(apart.top3_share, 1.0, rel_tol=1e-12)
    merged = metrics.concentration(t, merge_hk=True).iloc[0]
    assert math.isclose(merged.hhi, ((773 + 267) ** 2 + 114**2) / total**2, rel_tol=1e-12)
    assert merged.n_partners == 2
    assert math.isclose(merged.share_chn, (773 + 267) / total, rel_tol=1e-12)


def test_self_trade_zero_and_missing_values_are_ignored():
    t = _flows([(2022, "JPN", "284610", "CHN", 60.0), (2022, "JPN", "284610", "JPN", 1e9),
                (2022, "JPN", "284610", "VNM", 0.0), (2022, "JPN", "284610", "MMR", np.nan),
                (2022, "JPN", "284610", "USA", 40.0)])
    r = metrics.concentration(t).iloc[0]
    assert r.n_partners == 2
    assert math.isclose(r.imports_usd, 100.0)
    assert math.isclose(r.hhi, 0.6**2 + 0.4**2)
    assert set(metrics.partner_shares(t)["exporter"]) == {"CHN", "USA"}


def test_ties_and_fewer_than_three_partners():
    t = _flows([(2022, "IND", "811292", "USA", 5.0), (2022, "IND", "811292", "DEU", 5.0)])
    r = metrics.concentration(t).iloc[0]
    assert r.top1_partner == "DEU"  # ties go to the first ISO3 code
    assert math.isclose(r.top3_share, 1.0)
    assert math.isclose(r.eff_suppliers, 2.0)
    assert r.share_chn == 0.0


def test_hs4_is_cut_from_hs6_when_asked():
    t = _flows([(2022, "IND", "850760", "CHN", 3.0), (2022, "IND", "850790", "KOR", 1.0),
                (2022, "IND", "850760", "KOR", 1.0)])
    r = metrics.concentration(t, product="hs4")
    assert r["hs4"].tolist() == ["8507"]
    assert math.isclose(r["hhi"].iloc[0], 0.6**2 + 0.4**2)


def test_filters_select_rows():
    t = _flows([(2021, "IND", "850760", "CHN", 3.0), (2022, "IND", "850760", "CHN", 3.0),
                (2022, "JPN", "850760", "CHN", 3.0), (2022, "JPN", "300490", "DEU", 3.0)])
    r = metrics.concentration(t, reporters=["jpn"], years=2022, products=["850760"])
    assert r[KEYS].values.tolist() == [[2022, "JPN", "850760"]]
    assert r["year"].dtype == np.int16


def test_import_export_ratio_cases():
    t = _flows([(2022, "IND", "850760", "CHN", 90.0), (2022, "USA", "850760", "IND", 30.0),
                (2022, "IND", "300490", "DEU", 5.0), (2022, "USA", "100630", "IND", 7.0),
                (2022, "JPN", "100630", "THA", 7.0)])
    r = metrics.import_export_ratio(t, "IND").set_index("hs6")
    assert r.loc["850760", "import_export_ratio"] == 3.0
    assert np.isinf(r.loc["300490", "import_export_ratio"])
    assert r.loc["100630", "import_export_ratio"] == 0.0
    assert len(r) == 3


def test_world_export_merge_hk_drops_china_hk_trade():
    t = _flows([(2022, "HKG", "854231", "CHN", 50.0), (2022, "USA", "854231", "HKG", 50.0),
                (2022, "USA", "854231", "TWN", 100.0)])
    merged = metrics.world_export_concentration(t, merge_hk=True).iloc[0]
    assert math.isclose(merged.world_exports_usd, 150.0)
    assert merged.top_exporter == "TWN"
    assert math.isclose(merged.export_hhi, (50**2 + 100**2) / 150**2)
    apart = metrics.world_export_concentration(t).iloc[0]
    assert math.isclose(apart.world_exports_usd, 200.0)
    assert apart.n_exporters == 3


def test_errors_name_the_problem(tmp_path: Path):
    t = _flows([(2022, "IND", "850760", "CHN", 1.0)])
    with pytest.raises(MissingColumnError, match="value_usd"):
        metrics.concentration(t.drop(columns="value_usd"))
    with pytest.raises(MissingColumnError, match="hs6"):
        metrics.partner_shares(t.drop(columns="hs6"))
    with pytest.raises(UnknownCountryError, match="India"):
        metrics.concentration(t, reporters=["India"])
    with pytest.raises(InputError, match="product"):
        metrics.concentration(t, product="hs8")
    with pytest.raises(DataNotFoundError, match=r"nothing\.parquet"):
        metrics.concentration(tmp_path / "nothing.parquet")
    with pytest.raises(InputError, match="share_chn"):
        metrics.concentration(t, groups={"chn": ["CHN"]})


# --------------------------------------------------------------------------- random tables


COUNTRIES = ["CHN", "HKG", "MAC", "USA", "JPN", "GBR", "DEU", "KOR", "VNM", "AUS", "FRA", "IDN"]


def _random_flows(rng: np.random.Generator, n: int) -> pd.DataFrame:
    df = pd.DataFrame({
        "year": rng.choice([2021, 2022], n),
        "importer": rng.choice(["IND", "JPN", "USA", "DEU"], n),
        "hs6": rng.choice(["850760", "854231", "284690", "300490", "811292"], n),
        "exporter": rng.choice(COUNTRIES, n),
        "value_usd": rng.lognormal(10, 3, n) * (rng.random(n) > 0.1),
    })
    df["hs_rev"] = "HS22"
    df["quantity_t"] = np.nan
    return df


@pytest.mark.parametrize("merge_hk", [False, True])
def test_random_table_matches_reference(merge_hk: bool):
    df = _random_flows(np.random.default_rng(7), 3000)  # duplicates rows on purpose: summed
    groups = partner_groups()
    got = metrics.concentration(df, merge_hk=merge_hk, groups=groups)
    want = ref_concentration(df, merge_hk=merge_hk, groups=groups)
    share_cols = [f"share_{g.lower()}" for g in groups]
    cols = ["imports_usd", "n_partners", "hhi", "top1_partner", "top1_share", "top3_share",
            "share_chn", *share_cols]
    _compare(got, want, KEYS, cols)
    shares = metrics.partner_shares(df, merge_hk=merge_hk)
    _compare(shares, ref_shares(df, merge_hk=merge_hk), [*KEYS, "exporter"],
             ["value_usd", "share"])


def test_group_shares_use_the_registry_groups():
    groups = partner_groups()
    assert {"Quad", "G7"} <= set(groups)
    t = _flows([(2022, "IND", "850760", "CHN", 50.0), (2022, "IND", "850760", "JPN", 30.0),
                (2022, "IND", "850760", "USA", 20.0)])
    r = metrics.concentration(t, groups=groups).iloc[0]
    assert math.isclose(r.share_quad, 0.5)  # Japan and the USA
    assert math.isclose(r.share_g7, 0.5)
    assert r.share_chn == 0.5


def _filter_formula_shares(df: pd.DataFrame, groups: dict, *, merge_hk: bool) -> pd.DataFrame:
    """The group shares as esc computed them before the membership join: one
    ``coalesce(sum(v) FILTER (WHERE exporter IN (...)), 0) / sum(v)`` per group, written here
    in SQL of its own over the rows summed per (year, importer, hs6, exporter)."""
    exp = "CASE WHEN exporter IN ('HKG', 'MAC') THEN 'CHN' ELSE exporter END" if merge_hk \
        else "exporter"
    def member_of(members: list[str]) -> str:
        return f"exporter IN ({', '.join(repr(m) for m in members)})" if members else "FALSE"

    cols = ", ".join(f"coalesce(sum(v) FILTER (WHERE {member_of(members)}), 0) / sum(v) "
                     f"AS share_{name.lower()}" for name, members in groups.items())
    with duckdb.connect() as con:
        con.register("t", df)
        return con.sql(f"""WITH base AS (
                SELECT year, importer, hs6, {exp} AS exporter, sum(value_usd) AS v FROM t
                WHERE value_usd > 0 AND isfinite(value_usd) AND ({exp}) <> importer
                GROUP BY 1, 2, 3, 4)
            SELECT year, importer, hs6, {cols} FROM base GROUP BY 1, 2, 3""").df()


@pytest.mark.parametrize("merge_hk", [False, True])
def test_membership_join_equals_the_filter_formula_with_overlapping_groups(merge_hk: bool):
    """Overlapping groups (CHN in three, JPN in two, HKG and MAC in one, an empty group, a
    group whose members never export): the joined weights give the old FILTER sums."""
    groups = {"greater_china": ["CHN", "HKG", "MAC"], "asia": ["CHN", "JPN", "KOR", "VNM"],
              "g2": ["CHN", "USA"], "quad": ["JPN", "USA", "AUS", "IND"], "hubs": ["HKG", "MAC"],
              "nobody": ["ZZZ"], "none": []}
    df = _random_flows(np.random.default_rng(11), 2000)
    hub_rows = df.sample(300, random_state=3).assign(exporter="HKG")
    df = pd.concat([df, hub_rows, df.sample(100, random_state=4).assign(exporter="MAC")],
                   ignore_index=True)
    got = metrics.concentration(df, merge_hk=merge_hk, groups=groups, supplier=None)
    want = _filter_formula_shares(df, groups, merge_hk=merge_hk)
    cols = [f"share_{g}" for g in groups]
    _compare(got, want, KEYS, cols)
    m = got.merge(want, on=KEYS, suffixes=("", "_old"))
    assert len(m) == len(got) == len(want) == 40  # 2 years x 4 importers x 5 products
    assert (m["share_greater_china"] > 0).any() and (m["share_quad"] > 0).any()
    assert (m["share_nobody"] == 0).all() and (m["share_none"] == 0).all()
    if merge_hk:  # Hong Kong and Macao are China's after merging: the hubs group is empty
        assert (m["share_hubs"] == 0).all()
    else:
        assert (m["share_hubs"] > 0).any()


# --------------------------------------------------------------------------- properties


values = st.lists(st.floats(min_value=1e-3, max_value=1e12, allow_nan=False), min_size=1,
                  max_size=len(COUNTRIES))
FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _one_product(vals: list[float]) -> pd.DataFrame:
    return _flows([(2022, "IND", "850760", COUNTRIES[i], v) for i, v in enumerate(vals)])


@FAST
@given(values)
def test_hhi_bounds(vals):
    r = metrics.concentration(_one_product(vals)).iloc[0]
    n = len(vals)
    assert r.n_partners == n
    assert 1 / n - 1e-12 <= r.hhi <= 1 + 1e-12
    assert r.top1_share <= r.top3_share + 1e-12 <= 1 + 2e-12
    assert math.isclose(r.eff_suppliers * r.hhi, 1.0, rel_tol=1e-12)


@FAST
@given(values, st.randoms(use_true_random=False),
       st.floats(min_value=1e-6, max_value=1e6, allow_nan=False))
def test_hhi_invariant_to_order_and_scale(vals, rnd, scale):
    df = _one_product(vals)
    base = metrics.concentration(df).iloc[0]
    order = list(range(len(df)))
    rnd.shuffle(order)
    shuffled = metrics.concentration(df.iloc[order]).iloc[0]
    scaled_df = df.assign(value_usd=df["value_usd"] * scale)
    scaled = metrics.concentration(scaled_df).iloc[0]
    for other in (shuffled, scaled):
        assert math.isclose(other.hhi, base.hhi, rel_tol=1e-9)
        assert math.isclose(other.top3_share, base.top3_share, rel_tol=1e-9)


@FAST
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=400))
def test_shares_sum_to_one(seed, n):
    df = _random_flows(np.random.default_rng(seed), n)
    shares = metrics.partner_shares(df)
    if shares.empty:
        return
    sums = shares.groupby(KEYS)["share"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)
    assert shares["share"].between(0, 1 + 1e-12).all()


@FAST
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=400))
def test_merge_hk_moves_hk_and_macao_into_china(seed, n):
    df = _random_flows(np.random.default_rng(seed), n)
    before = metrics.concentration(df, groups={"greater_china": ["CHN", "HKG", "MAC"]})
    after = metrics.concentration(df, merge_hk=True)
    m = before.merge(after, on=KEYS, suffixes=("_before", "_after"))
    assert len(m) == len(before) == len(after)
    np.testing.assert_allclose(m["share_chn_after"], m["share_greater_china"], rtol=1e-12,
                               atol=1e-15)
    assert (m["hhi_after"] >= m["hhi_before"] - 1e-12).all()  # merging can only concentrate


# --------------------------------------------------------------------------- out of core


def _wide_flows(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Many (importer, product) groups, so that the aggregation state outgrows a small cap."""
    df = pd.DataFrame({
        "year": rng.choice([2021, 2022], n),
        "importer": rng.choice([f"I{i:02d}" for i in range(50)], n),
        "hs6": rng.integers(100000, 999999, n).astype(str),
        "exporter": rng.choice([f"E{i:02d}" for i in range(60)], n),
        "value_usd": rng.lognormal(5, 2, n),
    })
    df["hs_rev"] = "HS17"
    df["quantity_t"] = np.nan
    return df


def _single_pass_fails_without_spilling(folder: Path, groups, memory_limit: str) -> None:
    """The whole pass, one query, spilling forbidden: DuckDB runs out of memory."""
    con = metrics.connect(memory_limit=memory_limit, threads=1,
                          temp_directory=folder / "spill")
    con.execute("SET max_temp_directory_size = '0KB'")
    src = metrics._Source(con, folder)
    with pytest.raises(duckdb.OutOfMemoryException):
        sql = metrics._concentration_sql(src, groups=groups, spill=True, years=[2022])
        con.execute(f"COPY ({sql}) TO '{folder / 'x.out'}' (FORMAT parquet)")
    con.close()


def test_out_of_core_spills_and_matches_in_memory(tmp_path: Path):
    df = _wide_flows(np.random.default_rng(11), 300_000)
    for year, part in df.groupby("year"):
        part.to_parquet(tmp_path / f"flows_{year}.parquet", index=False)
    groups = {"Low": [f"E{i:02d}" for i in range(10)]}
    want = metrics.concentration(df, groups=groups)
    cols = ["imports_usd", "n_partners", "hhi", "top1_partner", "top1_share", "top3_share",
            "share_low"]
    # One year in one pass does not fit in 48 MB unless DuckDB spills ...
    _single_pass_fails_without_spilling(tmp_path, groups, "48MB")
    # ... and the same single pass completes under that cap once it may spill: it spilled.
    one_pass = metrics.concentration_out_of_core(tmp_path, memory_limit="48MB", threads=1,
                                                 rows_per_pass=10**9, groups=groups,
                                                 years=[2022])
    _compare(one_pass, want[want["year"] == 2022], KEYS, cols)
    # Under a tighter cap the default cuts the work into passes of whole importers.
    got = metrics.concentration_out_of_core(tmp_path, memory_limit="32MB", threads=2,
                                            groups=groups)
    _compare(got, want, KEYS, cols)
    assert got[KEYS].equals(want[KEYS].reset_index(drop=True))  # same order as in memory
    out = metrics.concentration_out_of_core(str(tmp_path / "flows_*.parquet"),
                                            memory_limit="32MB", threads=1,
                                            out=tmp_path / "result.out", years=[2022],
                                            groups=groups)
    _compare(pd.read_parquet(out), want[want["year"] == 2022], KEYS, cols)


def test_out_of_core_passes_hold_whole_importers(tmp_path: Path, caplog):
    df = _wide_flows(np.random.default_rng(4), 20_000)
    df.to_parquet(tmp_path / "flows.parquet", index=False)
    want = metrics.concentration(df)
    with caplog.at_level("INFO", logger="esc.metrics"):
        got = metrics.concentration_out_of_core(tmp_path, rows_per_pass=1_000)
    # 2 years x 50 importers of about 200 rows each: about 5 importers a pass.
    assert any("pass(es)" in r.message and int(r.message.split(": ")[1].split()[0]) >= 18
               for r in caplog.records)
    _compare(got, want, KEYS, ["imports_usd", "n_partners", "hhi", "top1_partner",
                               "top3_share", "share_chn"])
    empty = metrics.concentration_out_of_core(tmp_path, reporters=["ZZZ"])
    assert empty.empty and "hhi" in empty.columns


def test_parquet_list_and_filters_push_down(tmp_path: Path):
    df = _random_flows(np.random.default_rng(5), 5000)
    paths = []
    for year, part in df.groupby("year"):
        paths.append(tmp_path / f"flows_{year}.parquet")
        part.to_parquet(paths[-1], index=False)
    got = metrics.partner_shares(paths, reporters="IND", years=2022)
    want = ref_shares(df[(df["importer"] == "IND") & (df["year"] == 2022)])
    _compare(got, want, [*KEYS, "exporter"], ["value_usd", "share"])
    with pytest.raises(InputError, match="unknown option"):
        metrics.concentration_out_of_core(tmp_path, merge_hkg=True)


@pytest.mark.parametrize("merge_hk", [False, True])
def test_unique_flows_shortcut_agrees(merge_hk: bool):
    df = _random_flows(np.random.default_rng(3), 4000)
    df = df.drop_duplicates(["year", "importer", "hs6", "exporter"])
    groups = {"Quad": ["AUS", "IND", "JPN", "USA"]}
    fast = metrics.concentration(df, merge_hk=merge_hk, groups=groups, unique_flows=True)
    want = ref_concentration(df, merge_hk=merge_hk, groups=groups)
    _compare(fast, want, KEYS, ["imports_usd", "n_partners", "hhi", "top1_partner",
                                "top3_share", "share_chn", "share_quad"])
    shares = metrics.partner_shares(df, merge_hk=merge_hk, unique_flows=True)
    _compare(shares, ref_shares(df, merge_hk=merge_hk), [*KEYS, "exporter"], ["share"])
