"""Economic complexity: revealed comparative advantage, ECI and PCI.

The joint study ranks products by the Product Complexity Index (PCI) of the Atlas of Economic
Complexity. This module does two jobs:

1. It *computes* RCA, ECI and PCI from any exports table (country x product x year), the way
   the Growth Lab's reference package ``ecomplexity`` does, so that esc's numbers on the demo
   world or on BACI can be compared with the Atlas. The parity is tested on synthetic
   100-country x 1,000-product matrices (max |diff| below 1e-13; see ``docs/complexity.md``).
2. It *maps* the Atlas' published PCI (HS92 four-digit headings) to HS2022 or HS2017 six-digit
   codes through the UNSD correlation table, because the study's products are HS2022 codes and
   some of them (flat-panel display modules, 8524) did not exist, or meant something else, in
   1992.

Method in brief (Hidalgo and Hausmann 2009; Atlas normalisation):

- Balassa RCA: ``RCA_cp = (x_cp / sum_p x_cp) / (sum_c x_cp / sum_cp x_cp)`` per year.
- Presence: ``M_cp = 1 if RCA_cp >= 1`` ("binary"), or ``M_cp = RCA_cp`` ("continuous").
- Diversity ``D_c = sum_p M_cp``, ubiquity ``U_p = sum_c M_cp``; countries and products with
  zero exports, zero diversity or zero ubiquity are left out of the eigenproblem (NaN index).
- ``M~_pp' = sum_c M_cp M_cp' / (D_c U_p)``; ``k_p`` is its eigenvector of the second-largest
  eigenvalue and ``k_c = sum_p M_cp k_p / D_c`` (the average ``k_p`` of the country's products).
- The sign makes ``k_c`` correlate positively with diversity. ECI standardises ``k_c`` to mean
  0 and (population) s.d. 1; PCI is ``(k_p - mean(k_c)) / sd(k_c)``, i.e. standardised with the
  *countries'* mean and s.d., so that a country's ECI stays the mean PCI of its products.

The eigenproblem is solved on the symmetric matrix ``D^-1/2 M U^-1 M^T D^-1/2`` (or its
product-side twin, whichever is smaller) with ``numpy.linalg.eigh``: a 200 x 5,000 year takes
a fraction of a second, where the reference package diagonalises a dense, non-symmetric
5,000 x 5,000 matrix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from esc import schema
from esc.errors import (
    BadValueError,
    DataNotFoundError,
    MissingColumnError,
    UnknownReleaseError,
)

log = logging.getLogger(__name__)

DEFAULT_ROLES: Mapping[str, str] = MappingProxyType(
    {"time": "year", "loc": "country", "prod": "product", "val": "export_value"}
)
"""Role map (as in ``ecomplexity``): which column holds time, location, product and value."""

PRESENCE_MODES: tuple[str, ...] = ("binary", "continuous")
MAX_HEADINGS = 5
"""An HS2022 code drawn from more HS2017 headings than this is not averaged over them."""

_EIGEN_TOL = 1e-10

# ---------------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------------


def _resolve_roles(roles: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(DEFAULT_ROLES)
    for key, column in (roles or {}).items():
        if key not in DEFAULT_ROLES:
            raise BadValueError(
                f"unknown role {key!r} in roles (expected {', '.join(DEFAULT_ROLES)})"
            )
        merged[key] = column
    if len(set(merged.values())) != len(merged):
        raise BadValueError(f"roles name the same column twice: {merged}")
    return merged


def _prepare(exports: pd.DataFrame, roles: dict[str, str], source: str) -> pd.DataFrame:
    """Check the exports table and return ``[time, loc, prod, val]`` with duplicates summed.

    Values must be numeric, finite and non-negative; a missing value counts as zero exports.
    Errors name the table and the row as a line of the CSV the table would be (header = 1).
    """
    for col in roles.values():
        if col not in exports.columns:
            raise MissingColumnError("required column is missing", path=source, column=col)
    t, loc, prod, val = (roles[k] for k in ("time", "loc", "prod", "val"))
    df = exports[[t, loc, prod, val]].reset_index(drop=True)
    for col in (t, loc, prod):
        bad = np.flatnonzero(df[col].isna().to_numpy())
        if bad.size:
            raise BadValueError("missing key value", path=source, line=int(bad[0]) + 2,
                                column=col)
    values = pd.to_numeric(df[val], errors="coerce").astype("float64")
    bad = np.flatnonzero((values.isna() & df[val].notna()).to_numpy())
    if bad.size:
        raise BadValueError(f"value {df[val].iloc[bad[0]]!r} is not numeric", path=source,
                            line=int(bad[0]) + 2, column=val)
    arr = values.to_numpy()
    bad = np.flatnonzero(np.isinf(arr) | (arr < 0))
    if bad.size:
        raise BadValueError(f"value {arr[bad[0]]!r} is negative or infinite", path=source,
                            line=int(bad[0]) + 2, column=val)
    n_missing = int(np.isnan(arr).sum())
    if n_missing:
        log.warning("%s: %d missing values in %r counted as zero exports", source, n_missing, val)
    df[val] = np.nan_to_num(arr, nan=0.0)
    if df.duplicated([t, loc, prod]).any():
        log.info("%s: duplicate (%s, %s, %s) rows summed", source, t, loc, prod)
        df = df.groupby([t, loc, prod], sort=False, as_index=False)[val].sum()
    return df


@dataclass(frozen=True)
class _YearMatrix:
    """One year of exports as a dense country x product matrix, labels sorted."""

    countries: pd.Index
    products: pd.Index
    values: np.ndarray  # (n_countries, n_products), USD or whatever unit the caller uses
    row: np.ndarray  # matrix row of each input row
    col: np.ndarray  # matrix column of each input row


def _year_matrix(df: pd.DataFrame, loc: str, prod: str, val: str) -> _YearMatrix:
    row, countries = pd.factorize(df[loc], sort=True)
    col, products = pd.factorize(df[prod], sort=True)
    values = np.zeros((len(countries), len(products)))
    values[row, col] = df[val].to_numpy()
    return _YearMatrix(pd.Index(countries), pd.Index(products), values, row, col)


def _balassa(x: np.ndarray) -> np.ndarray:
    """Balassa RCA of a country x product matrix; NaN in rows/columns that sum to zero.

    The arithmetic follows the reference package step by step (share of the product in the
    country's exports, divided by the product's share in world exports, on the block of
    countries and products with positive totals), so that both give the same floating-point
    numbers.
    """
    rows = x.sum(axis=1) > 0
    cols = x.sum(axis=0) > 0
    block = x[np.ix_(rows, cols)]
    country_share = block / np.nansum(block, axis=1)[:, np.newaxis]
    product_total = np.nansum(block, axis=0)[np.newaxis, :]
    world_total = np.nansum(product_total, axis=1)[:, np.newaxis]
    out = np.full(x.shape, np.nan)
    out[np.ix_(rows, cols)] = country_share / (product_total / world_total)
    return out


# ---------------------------------------------------------------------------------------------
# RCA
# ---------------------------------------------------------------------------------------------


def rca(exports: pd.DataFrame, *, roles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Balassa's revealed comparative advantage of each country in each product, per year.

    ``RCA_cp = (x_cp / sum_p x_cp) / (sum_c x_cp / sum_cp x_cp)``: the product's share in the
    country's exports over its share in world exports (dimensionless; 1 = world average).
    Sums run over the rows of ``exports`` for the same year, so pass exports to *all*
    destinations for a world-level RCA (see :func:`export_table`).

    ``roles`` maps ``time``, ``loc``, ``prod``, ``val`` to column names (defaults:
    :data:`DEFAULT_ROLES`). Returns one row per (time, loc, prod) of the input, duplicates
    summed, with the columns of the role map plus ``rca``; a country or product whose total is
    zero gets NaN. Missing values count as zero; negative values raise
    :class:`~esc.errors.BadValueError`.

    >>> t = pd.DataFrame({"year": 2022, "country": ["A", "A", "B", "B"],
    ...                   "product": ["p", "q", "p", "q"], "export_value": [10, 30, 20, 40]})
    >>> rca(t)["rca"].round(4).tolist()   # A in p: (10/40) / (30/100)
    [0.8333, 1.0714, 1.1111, 0.9524]
    """
    r = _resolve_roles(roles)
    df = _prepare(exports, r, "exports")
    values = np.empty(len(df))
    for _, idx in df.groupby(r["time"], sort=True).indices.items():
        ym = _year_matrix(df.iloc[idx], r["loc"], r["prod"], r["val"])
        with np.errstate(divide="ignore", invalid="ignore"):
            values[idx] = _balassa(ym.values)[ym.row, ym.col]
    out = df.copy()
    out["rca"] = values
    return out


# ---------------------------------------------------------------------------------------------
# ECI and PCI
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplexityResult:
    """Output of :func:`complexity`; the key columns carry the caller's names (role map).

    - ``eci``: ``[time, loc, eci, diversity]``, one row per country and year;
    - ``pci``: ``[time, prod, pci, ubiquity]``, one row per product and year;
    - ``rca``: ``[time, loc, prod, val, rca, mcp]``, one row per input row (duplicates summed);
      pairs absent from the input are zero exports (RCA 0, M 0);
    - ``spectrum``: ``[time, n_countries, n_products, eigenvalue_1, eigenvalue_2,
      eigenvalue_3]`` of the matrix ``M~`` (eigenvalue_1 is 1; a gap near zero between 1 and 2,
      or 2 and 3, means the ranking is not unique and is logged as a warning).

    Diversity and ubiquity are counts of products/countries with ``M = 1`` (binary presence)
    or sums of RCA (continuous presence).
    """

    eci: pd.DataFrame
    pci: pd.DataFrame
    rca: pd.DataFrame
    spectrum: pd.DataFrame
    presence: str = "binary"
    roles: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLES))


@dataclass(frozen=True)
class _Eigen:
    kc: np.ndarray
    kp: np.ndarray
    eigenvalues: np.ndarray  # three largest, descending (NaN-padded)


def _second_eigenvector(m: np.ndarray) -> _Eigen:
    """Country and product vectors of the second-largest eigenvalue of ``M~``.

    With ``A = D^-1/2 M U^-1/2``, ``S = A A^T`` is symmetric and similar to
    ``M~_cc = D^-1 M U^-1 M^T`` (``M~_cc = D^-1/2 S D^1/2``); ``A^T A`` is likewise similar to
    ``M~_pp``. We diagonalise the smaller of the two. If ``S w = lambda w`` (country side) then
    ``k_p = U^-1/2 A^T w`` solves ``M~_pp k_p = lambda k_p``; finally
    ``k_c = D^-1 M k_p`` exactly as the reference package derives it (``k_c`` then equals
    ``lambda`` times the country eigenvector, a scale that the standardisation removes).
    """
    d = m.sum(axis=1)
    u = m.sum(axis=0)
    sqrt_u = np.sqrt(u)
    a = m / np.sqrt(d)[:, np.newaxis] / sqrt_u[np.newaxis, :]
    if a.shape[0] <= a.shape[1]:
        vals, vecs = np.linalg.eigh(a @ a.T)
        kp = (a.T @ vecs[:, -2]) / sqrt_u
    else:
        vals, vecs = np.linalg.eigh(a.T @ a)
        kp = vecs[:, -2] / sqrt_u
    kc = (m @ kp) / d
    top = np.full(3, np.nan)
    top[: min(3, vals.size)] = vals[::-1][:3]
    return _Eigen(kc=kc, kp=kp, eigenvalues=top)


def _standardise(kc: np.ndarray, kp: np.ndarray, diversity: np.ndarray,
                 when: Any) -> tuple[np.ndarray, np.ndarray]:
    """Sign (ECI rises with diversity) and Atlas standardisation with the countries' mean/s.d."""
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(diversity, kc)[0, 1]
    sign = -1.0 if corr < 0 else 1.0
    if np.isnan(corr):
        log.warning("%s: diversity is constant; sign of ECI/PCI is arbitrary", when)
    kc, kp = sign * kc, sign * kp
    mean, sd = kc.mean(), kc.std()
    if not sd > 0:
        log.warning("%s: ECI has no spread; ECI and PCI set to NaN", when)
        return np.full_like(kc, np.nan), np.full_like(kp, np.nan)
    return (kc - mean) / sd, (kp - mean) / sd


def _check_spectrum(vals: np.ndarray, when: Any) -> bool:
    """False when the country-product network is disconnected (eigenvalue 1 repeats): the
    indices of different components cannot be ranked against each other, so they are NaN."""
    if vals[0] - vals[1] < _EIGEN_TOL:
        log.warning("%s: the country-product network is disconnected (eigenvalue 1 repeats); "
                    "ECI/PCI set to NaN", when)
        return False
    if vals[1] - vals[2] < _EIGEN_TOL:
        log.warning("%s: second and third eigenvalues coincide; ECI/PCI are not unique", when)
    return True


@dataclass(frozen=True)
class _YearResult:
    eci: np.ndarray
    pci: np.ndarray
    diversity: np.ndarray
    ubiquity: np.ndarray
    rca: np.ndarray
    mcp: np.ndarray
    eigenvalues: np.ndarray
    n_countries: int
    n_products: int


def _presence(r: np.ndarray, presence: str, threshold: float) -> np.ndarray:
    """``M_cp``: 1 where RCA >= threshold (binary) or the RCA itself (continuous); 0 for NaN."""
    r = np.nan_to_num(r, nan=0.0)
    if presence == "binary":
        return (r >= threshold).astype(np.float64)
    return r


def _year_complexity(x: np.ndarray, presence: str, threshold: float, when: Any) -> _YearResult:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _balassa(x)
    m = _presence(r, presence, threshold)
    diversity, ubiquity = m.sum(axis=1), m.sum(axis=0)
    rows, cols = diversity > 0, ubiquity > 0
    eci = np.full(x.shape[0], np.nan)
    pci = np.full(x.shape[1], np.nan)
    vals = np.full(3, np.nan)
    if rows.sum() >= 2 and cols.sum() >= 2:
        block = m[np.ix_(rows, cols)]
        eig = _second_eigenvector(block)
        vals = eig.eigenvalues
        if _check_spectrum(vals, when):
            eci[rows], pci[cols] = _standardise(eig.kc, eig.kp, diversity[rows], when)
    else:
        log.warning("%s: fewer than 2 countries or products with exports; no ECI/PCI", when)
    return _YearResult(eci, pci, diversity, ubiquity, r, m, vals,
                       int(rows.sum()), int(cols.sum()))


def complexity(
    exports: pd.DataFrame,
    *,
    roles: Mapping[str, str] | None = None,
    presence: str = "binary",
    rca_threshold: float = 1.0,
) -> ComplexityResult:
    """ECI and PCI by the eigenvector method, year by year, with Atlas normalisation.

    For each year: ``RCA_cp`` (Balassa, see :func:`rca`); presence ``M_cp = [RCA_cp >=
    rca_threshold]`` (``presence="binary"``, the Atlas' rule with threshold 1) or ``M_cp =
    RCA_cp`` (``presence="continuous"``, the raw, uncapped RCA: diversity and ubiquity become
    RCA sums); ``D_c = sum_p M_cp``, ``U_p = sum_c M_cp``; ``k_p`` = eigenvector of the
    second-largest eigenvalue of ``M~_pp' = sum_c M_cp M_cp' / (D_c U_p)``;
    ``k_c = sum_p M_cp k_p / D_c``; sign so that ``corr(k_c, D_c) > 0``;
    ``ECI = (k_c - mean k_c) / sd k_c`` and ``PCI = (k_p - mean k_c) / sd k_c`` (population
    s.d., the countries' moments for both). Countries and products with zero exports or zero
    diversity/ubiquity get NaN and do not enter the moments. When the network of countries
    and products is disconnected (the eigenvalue 1 repeats, e.g. two groups of countries
    that share no product at a high RCA threshold), every index of the year is NaN: the
    components cannot be ranked against each other. Indices are dimensionless.

    This reproduces ``ecomplexity.ecomplexity`` (binary: default options; continuous:
    ``presence_test="manual"`` fed with RCA) to about 1e-13 where its eigenvector is unique.

    >>> t = pd.DataFrame({"year": 2022, "country": list("AAAABBBCCD"),
    ...     "product": list("pqrspqrpqp"), "export_value": [1, 2, 3, 4, 2, 3, 1, 3, 1, 5]})
    >>> res = complexity(t)
    >>> res.eci.round(3).values.tolist()
    [[2022, 'A', 1.387, 2], [2022, 'B', 0.47, 2], [2022, 'C', -0.674, 2], [2022, 'D', -1.183, 1]]
    """
    if presence not in PRESENCE_MODES:
        raise BadValueError(f"presence must be one of {PRESENCE_MODES}, not {presence!r}")
    r = _resolve_roles(roles)
    t, loc, prod, val = (r[k] for k in ("time", "loc", "prod", "val"))
    df = _prepare(exports, r, "exports")
    eci_parts, pci_parts, spec_rows = [], [], []
    rca_col = np.empty(len(df))
    mcp_col = np.empty(len(df))
    for year, idx in df.groupby(t, sort=True).indices.items():
        ym = _year_matrix(df.iloc[idx], loc, prod, val)
        res = _year_complexity(ym.values, presence, rca_threshold, f"{t}={year}")
        rca_col[idx] = res.rca[ym.row, ym.col]
        mcp_col[idx] = res.mcp[ym.row, ym.col]
        counts = "int64" if presence == "binary" else "float64"
        eci_parts.append(pd.DataFrame({t: year, loc: ym.countries, "eci": res.eci,
                                       "diversity": res.diversity.astype(counts)}))
        pci_parts.append(pd.DataFrame({t: year, prod: ym.products, "pci": res.pci,
                                       "ubiquity": res.ubiquity.astype(counts)}))
        spec_rows.append({t: year, "n_countries": res.n_countries,
                          "n_products": res.n_products,
                          **{f"eigenvalue_{i + 1}": v for i, v in enumerate(res.eigenvalues)}})
    rca_table = df.copy()
    rca_table["rca"] = rca_col
    rca_table["mcp"] = mcp_col.astype("int8") if presence == "binary" else mcp_col
    return ComplexityResult(
        eci=_concat(eci_parts, [t, loc, "eci", "diversity"], exports[t].dtype, t),
        pci=_concat(pci_parts, [t, prod, "pci", "ubiquity"], exports[t].dtype, t),
        rca=rca_table,
        spectrum=_concat([pd.DataFrame(spec_rows)], [t, "n_countries", "n_products",
                         "eigenvalue_1", "eigenvalue_2", "eigenvalue_3"], exports[t].dtype, t),
        presence=presence,
        roles=MappingProxyType(r),
    )


def _concat(parts: list[pd.DataFrame], columns: list[str], time_dtype: Any,
            time: str) -> pd.DataFrame:
    if not parts or all(p.empty for p in parts):
        return pd.DataFrame({c: [] for c in columns})
    out = pd.concat(parts, ignore_index=True)[columns]
    out[time] = out[time].astype(time_dtype)
    return out


# ---------------------------------------------------------------------------------------------
# Flows -> exports
# ---------------------------------------------------------------------------------------------


def export_table(flows: pd.DataFrame, *, product: str = schema.HS6) -> pd.DataFrame:
    """Exports per (year, exporter, product) from a canonical flows table, for :func:`complexity`.

    ``export_value = sum over importers of value_usd`` (USD). ``product`` names the product
    column ("hs6", "hs4", "hs2"); when the table carries a finer code than asked (hs6 flows,
    ``product="hs4"``), codes are cut to that many digits, which is valid within one HS
    revision. A year that mixes HS revisions raises :class:`~esc.errors.BadValueError`.
    Returns ``[year, country, product, export_value]`` (the default role map), sorted.

    RCA is relative to the flows given: exports to all importers give a world RCA; exports to
    a handful of importers give an RCA within that market.

    >>> f = pd.DataFrame({"year": 2022, "exporter": ["CHN", "CHN", "VNM"],
    ...     "importer": ["IND", "JPN", "IND"], "hs6": ["850760"] * 3, "hs_rev": "HS22",
    ...     "value_usd": [5.0, 7.0, 1.0], "quantity_t": None})
    >>> export_table(f)["export_value"].tolist()
    [12.0, 1.0]
    """
    if product not in schema.PRODUCT_COLUMNS:
        raise BadValueError(f"product must be one of {list(schema.PRODUCT_COLUMNS)}, "
                            f"not {product!r}")
    codes = _product_codes(flows, product)
    for col in (schema.YEAR, schema.EXPORTER, schema.VALUE):
        if col not in flows.columns:
            raise MissingColumnError("required column is missing", path="flows", column=col)
    _check_one_revision(flows)
    df = pd.DataFrame({
        "year": flows[schema.YEAR].to_numpy(),
        "country": flows[schema.EXPORTER].astype(str).to_numpy(),
        "product": codes.to_numpy(),
        "export_value": pd.to_numeric(flows[schema.VALUE]).to_numpy(dtype="float64"),
    })
    out = df.groupby(["year", "country", "product"], as_index=False, sort=True)[
        "export_value"].sum()
    out["year"] = out["year"].astype(flows[schema.YEAR].dtype)
    return out


def _product_codes(flows: pd.DataFrame, product: str) -> pd.Series:
    if product in flows.columns:
        return flows[product].astype(str)
    width = schema.PRODUCT_COLUMNS[product]
    for finer, finer_width in sorted(schema.PRODUCT_COLUMNS.items(), key=lambda kv: kv[1]):
        if finer_width > width and finer in flows.columns:
            log.info("export_table: %s codes cut to %d digits for %s", finer, width, product)
            return flows[finer].astype(str).str[:width]
    raise MissingColumnError("no product column at this level or finer", path="flows",
                             column=product)


def _check_one_revision(flows: pd.DataFrame) -> None:
    if schema.HS_REV not in flows.columns:
        return
    n_revs = flows.groupby(schema.YEAR)[schema.HS_REV].nunique()
    mixed = n_revs[n_revs > 1]
    if not mixed.empty:
        year = mixed.index[0]
        revs = sorted(flows.loc[flows[schema.YEAR] == year, schema.HS_REV].unique())
        raise BadValueError(f"year {year} mixes HS revisions {revs}; convert to one first",
                            path="flows", column=schema.HS_REV)


# ---------------------------------------------------------------------------------------------
# Atlas PCI for HS2022 / HS2017 six-digit codes
# ---------------------------------------------------------------------------------------------

_PCI_REVISIONS = ("HS92", "HS17", "HS22")


def _atlas_frame(atlas_pci: pd.DataFrame) -> pd.DataFrame:
    """``[year, hs4, pci]`` from esc's ``read_pci`` table or the raw Atlas CSV columns."""
    df = atlas_pci.rename(columns={"product_hs92_code": schema.HS4})
    for col in (schema.YEAR, schema.HS4, "pci"):
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path="atlas_pci", column=col)
    out = pd.DataFrame({
        schema.YEAR: pd.to_numeric(df[schema.YEAR]).astype("int64"),
        schema.HS4: df[schema.HS4].astype(str).str.zfill(4),
        "pci": pd.to_numeric(df["pci"], errors="coerce"),
    })
    return out[out[schema.HS4].str.fullmatch(r"\d{4}")]


@dataclass(frozen=True)
class _Correlation:
    """HS2022 code -> its HS2017 correlates (table order), and the set of HS2017 headings."""

    correlates: Mapping[str, tuple[str, ...]]
    hs17_headings: frozenset[str]


def _correlation_map(correlation: pd.DataFrame | None) -> _Correlation:
    """Read esc's (``hs22``, ``hs17``) or UNSD's (``HS2022``, ``HS2017``) correlation columns."""
    if correlation is None:
        raise DataNotFoundError(
            "no HS2022-HS2017 correlation table: pass correlation= (columns hs22, hs17), "
            "e.g. esc.sources.hs.correlation_hs22_hs17() or the UNSD "
            "hs2022_hs2017_correlation.csv")
    lower = {c: c.lower() for c in correlation.columns}
    df = correlation.rename(columns=lower).rename(columns={"hs2022": "hs22", "hs2017": "hs17"})
    for col in ("hs22", "hs17"):
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path="correlation",
                                     column=col)
    pairs = pd.DataFrame({"hs22": df["hs22"].astype(str).str.zfill(6),
                          "hs17": df["hs17"].astype(str).str.zfill(6)}).drop_duplicates()
    return _Correlation(
        correlates={k: tuple(v) for k, v in pairs.groupby("hs22", sort=False)["hs17"]},
        hs17_headings=frozenset(pairs["hs17"].str[:4]),
    )


@dataclass(frozen=True)
class _Route:
    """The HS2017 (or HS92) headings a code stands for, and a label for ``mapping``."""

    headings: tuple[str, ...]
    label: str


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _route(code: str, hs_rev: str, corr: _Correlation, max_headings: int) -> _Route:
    """Which HS2017 headings an HS2022 code stands for (rules in :func:`pci_for_hs6`)."""
    own = code[:4]
    if hs_rev in ("HS92", "HS17"):
        return _Route((own,), "1:1 heading")
    correlates = corr.correlates.get(code)
    if not correlates:
        return _Route((), "not in the HS2022-HS2017 correlation table")
    if correlates == (code,):
        return _Route((own,), "1:1 heading")
    if code in correlates:
        others = _count(len(correlates) - 1, "other correlate")
        return _Route((own,), f"same code in HS17 ({others} ignored)")
    heads = tuple(dict.fromkeys(c[:4] for c in correlates))
    if len(heads) == 1:
        shown = ", ".join(correlates[:3]) + (", ..." if len(correlates) > 3 else "")
        return _Route(heads, f"via HS17 {shown}")
    if own in heads:
        others = _count(len(heads) - 1, "other heading")
        return _Route((own,), f"same heading in HS17 ({others} ignored)")
    if len(heads) <= max_headings:
        return _Route(heads, f"n:n, mean of {len(heads)} headings")
    if own in corr.hs17_headings:
        return _Route((own,), f"own heading kept (drawn from {len(heads)} HS17 headings)")
    return _Route((), f"no HS92 heading (new HS2022 heading, drawn from {len(heads)} HS17 "
                      "headings)")


def _as_list(target: str | Sequence[str]) -> list[str]:
    return [target] if isinstance(target, str) else list(target)


def _to_hs92(headings: Sequence[str], hs_rev: str,
             overrides: Mapping[str, str | Sequence[str]]) -> list[str]:
    """HS92 headings for HS2017 headings: the same number unless ``overrides`` says otherwise."""
    if hs_rev == "HS92":
        return list(headings)
    out = [h92 for h in headings for h92 in _as_list(overrides.get(h, h))]
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class _PciContext:
    pci: Mapping[str, float]  # HS92 heading -> PCI in the chosen year
    known: frozenset[str]  # HS92 headings in the Atlas table in any year
    year: int
    overrides: Mapping[str, str | Sequence[str]]
    max_headings: int
    corr: _Correlation


def _map_one(code: str, hs_rev: str, ctx: _PciContext) -> tuple[str | None, float, str]:
    """(HS92 headings joined by '+', PCI, mapping label) for one code."""
    if code in ctx.overrides:
        hs92 = list(dict.fromkeys(_as_list(ctx.overrides[code])))
        label, note = "hs92_headings override", ""
    else:
        route = _route(code, hs_rev, ctx.corr, ctx.max_headings)
        if not route.headings:
            return None, np.nan, route.label
        hs92 = _to_hs92(route.headings, hs_rev, ctx.overrides)
        label = route.label
        note = (" (hs92_headings override)"
                if any(h in ctx.overrides for h in route.headings) else "")
    known = [h for h in hs92 if h in ctx.known]
    if not known:
        return None, np.nan, f"no HS92 heading ({'+'.join(hs92)} not in HS92)" + note
    valued = [h for h in known if h in ctx.pci]
    if not valued:
        return None, np.nan, (f"HS92 heading {'+'.join(known)} has no Atlas PCI in {ctx.year}"
                              + note)
    if len(valued) > 1:
        mean = f"mean of {len(valued)} headings"
        label = f"{label}, {mean}" if code in ctx.overrides else f"n:n, {mean}"
    if len(valued) < len(hs92):
        label += f" ({len(hs92) - len(valued)} without PCI)"
    return "+".join(valued), float(np.mean([ctx.pci[h] for h in valued])), label + note


def _clean_codes(codes: Iterable[str] | str) -> list[str]:
    items = [codes] if isinstance(codes, str) else list(codes)
    out = []
    for i, c in enumerate(items):
        s = str(c).strip()
        if not (len(s) == 6 and s.isdigit()):
            raise BadValueError(f"codes[{i}] = {c!r} is not a 6-digit HS code", column="hs6")
        out.append(s)
    return list(dict.fromkeys(out))


def pci_for_hs6(
    codes: Iterable[str] | str,
    *,
    hs_rev: str,
    atlas_pci: pd.DataFrame,
    correlation: pd.DataFrame | None = None,
    hs92_headings: Mapping[str, str | Sequence[str]] | None = None,
    year: int | None = None,
    max_headings: int = MAX_HEADINGS,
) -> pd.DataFrame:
    """Atlas PCI (HS92 headings) for HS2022, HS2017 or HS92 six-digit codes.

    An HS2022 code is placed in HS2017 headings through the UNSD correlation table
    (``correlation``: columns ``hs22``, ``hs17`` or UNSD's ``HS2022``, ``HS2017``, e.g.
    ``esc.sources.hs.correlation_hs22_hs17()``; required for HS2022 codes, this function
    reads no file), first rule that applies:

    1. the code itself is among its HS2017 correlates: its own heading ("1:1 heading" when it
       is the only one, else "same code in HS17 (k other correlates ignored)");
    2. all correlates share one heading: that heading ("via HS17 854140");
    3. its own heading is among the correlates' headings: the own heading ("same heading in
       HS17 ...");
    4. at most ``max_headings`` headings: the *simple* (unweighted) mean of their PCIs
       ("n:n, mean of k headings");
    5. more, and its heading existed in HS2017: the own heading ("own heading kept (drawn
       from k HS17 headings)", e.g. 854159 semiconductor transducers); if the heading is new
       in HS2022 (8524 display modules, 8549 e-waste): NaN, "no HS92 heading (...)".

    An HS2017 heading stands for the HS92 heading of the same number when the Atlas table has
    that heading in some year, unless ``hs92_headings`` maps it elsewhere (``{"8487": "8485"}``
    or a list of headings, averaged); otherwise NaN, "no HS92 heading (8486 not in HS92)".
    A six-digit key in ``hs92_headings`` replaces the whole route for that input code (e.g. an
    analyst's proxy ``{"852411": ["8529", "8473"]}``; "hs92_headings override").
    HS17 and HS92 codes start at their own heading. The PCI is the Atlas value (standardised
    index, dimensionless) of ``year`` (default: the latest in ``atlas_pci``, which may be
    esc's ``read_pci`` table or the raw Atlas CSV columns).

    Returns one row per distinct code, in input order: ``[hs6, hs_rev, hs92_hs4, pci,
    pci_year, mapping]``; ``hs92_hs4`` joins several headings with "+".

    >>> atlas = pd.DataFrame({"year": [2023], "hs4": ["8541"], "pci": [0.56]})
    >>> corr = pd.DataFrame({"hs22": ["854142"], "hs17": ["854140"]})
    >>> out = pci_for_hs6(["854142"], hs_rev="HS22", atlas_pci=atlas, correlation=corr)
    >>> print(out.to_string(index=False))
       hs6 hs_rev hs92_hs4  pci  pci_year         mapping
    854142   HS22     8541 0.56      2023 via HS17 854140
    """
    rev = str(hs_rev).upper()
    if rev not in _PCI_REVISIONS:
        raise UnknownReleaseError(f"hs_rev {hs_rev!r}: PCI mapping supports {_PCI_REVISIONS}")
    wanted = _clean_codes(codes)
    atlas = _atlas_frame(atlas_pci)
    years = sorted(atlas[schema.YEAR].unique())
    if not years:
        raise BadValueError("Atlas PCI table is empty", path="atlas_pci")
    chosen = int(years[-1]) if year is None else int(year)
    if chosen not in years:
        raise UnknownReleaseError(f"Atlas PCI table has no year {chosen} "
                                  f"(it covers {years[0]}-{years[-1]})")
    in_year = atlas[(atlas[schema.YEAR] == chosen) & atlas["pci"].notna()]
    ctx = _PciContext(
        pci=dict(zip(in_year[schema.HS4], in_year["pci"], strict=True)),
        known=frozenset(atlas[schema.HS4]),
        year=chosen,
        overrides=dict(hs92_headings or {}),
        max_headings=max_headings,
        corr=(_correlation_map(correlation) if rev == "HS22"
              else _Correlation({}, frozenset())),
    )
    rows = [(code, rev, *_map_one(code, rev, ctx), chosen) for code in wanted]
    out = pd.DataFrame(rows, columns=["hs6", "hs_rev", "hs92_hs4", "pci", "mapping",
                                      "pci_year"])
    out = out[["hs6", "hs_rev", "hs92_hs4", "pci", "pci_year", "mapping"]]
    out["pci"] = out["pci"].astype("float64")
    out["pci_year"] = out["pci_year"].astype("int64")
    n_nan = int(out["pci"].isna().sum())
    if n_nan:
        log.info("pci_for_hs6: %d of %d codes have no Atlas PCI", n_nan, len(out))
    return out
