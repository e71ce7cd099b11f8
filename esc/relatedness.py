"""Relatedness in the Atlas manner: proximity, density, COI and COG.

Which products could a country start making? The Atlas of Economic Complexity answers with the
*product space* (Hidalgo, Klinger, Barabasi and Hausmann 2007, "The Product Space Conditions the
Development of Nations", Science 317: 482-487) and the outlook measures of Hausmann et al.
(The Atlas of Economic Complexity, 2014). This module computes them from the same export
matrix as :func:`esc.complexity.complexity`, the way the Growth Lab's ``ecomplexity`` package
does (parity to 1e-9 is tested on 100 x 1,000 matrices, ``tests/test_relatedness.py``).

For one year, with presence ``M_cp`` (below), ubiquity ``U_p = sum_c M_cp``:

- **proximity** ``phi_pp' = sum_c M_cp M_cp' / max(U_p, U_p')``: the smaller of the two
  conditional probabilities that a country exporting one product with RCA also exports the
  other (symmetric, 1 on the diagonal, 0-1);
- **density** ``d_cp = sum_p' M_cp' phi_pp' / sum_p' phi_pp'``: the share of the product's
  neighbourhood that the country already makes (0-1 with binary presence);
- **complexity outlook index** ``COI_c = sum_p d_cp (1 - M_cp) k_p``, standardised to mean 0
  and s.d. 1 across countries: how much complexity sits near what the country makes;
- **complexity outlook gain** ``COG_cp = (1 - M_cp) sum_p' (1 - M_cp') phi_p'p k_p' /
  sum_p'' phi_p'p''``, divided by the s.d. of the countries' ``k_c``: how much making ``p``
  would raise the country's outlook (0 for products it already makes).

``k_p`` and ``k_c`` are the PCI and ECI eigenvectors *before* standardisation (sign as in
:mod:`esc.complexity`; any positive scale cancels): that is how ``ecomplexity`` defines COI and
COG, and why they cannot be recomputed from the published, standardised PCI alone.

Presence options, as in ``ecomplexity``'s ``presence_test``:

- ``"binary"``: ``M_cp = [RCA_cp >= rca_threshold]`` (Balassa RCA; the Atlas' rule);
- ``"continuous"``: ``M_cp = RCA_cp`` (``ecomplexity`` with ``presence_test="manual"`` fed RCA);
- ``"rpop"``: ``M_cp = [RPOP_cp >= rpop_threshold]`` with ``RPOP_cp = (x_cp / pop_c) /
  (sum_c x_cp / sum_c pop_c)``, exports per head relative to the world's (needs
  ``population``);
- ``"manual"``: ``M_cp`` is the value column itself (a presence matrix computed elsewhere).

Countries and products whose exports (values) sum to zero are left out, as the reference does.
Where the reference would return NaN for every country (a product with zero ubiquity in
``rpop`` or ``manual`` mode), esc leaves that product out of COI and COG and gives it zero
proximity; the parity tests do not cover that case.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from esc.complexity import (
    _balassa,
    _prepare,
    _resolve_roles,
    _second_eigenvector,
    _year_matrix,
)
from esc.errors import BadValueError, MissingColumnError

log = logging.getLogger(__name__)

PRESENCE_OPTIONS: tuple[str, ...] = ("binary", "continuous", "rpop", "manual")


@dataclass(frozen=True)
class RelatednessResult:
    """Output of :func:`relatedness`; key columns carry the caller's names (role map).

    - ``density``: ``[time, loc, prod, mcp, density, cog]``, every country x product of each
      year (rectangular; pairs absent from the input are zero exports);
    - ``coi``: ``[time, loc, coi, eci, diversity]``, one row per country;
    - ``pci``: ``[time, prod, pci, ubiquity]``, one row per product;
    - ``proximity``: ``{time: DataFrame}``, the product x product matrix of each year.
    """

    density: pd.DataFrame
    coi: pd.DataFrame
    pci: pd.DataFrame
    proximity: Mapping[object, pd.DataFrame]
    presence: str = "binary"


@dataclass(frozen=True)
class _Year:
    m: np.ndarray
    proximity: np.ndarray
    density: np.ndarray
    cog: np.ndarray
    coi: np.ndarray
    eci: np.ndarray
    pci: np.ndarray


def proximity_matrix(m: np.ndarray) -> np.ndarray:
    """``phi_pp' = (M^T M)_pp' / max(U_p, U_p')`` for a country x product presence matrix.

    Zero where a product has zero ubiquity (no co-occurrence to speak of).

    >>> proximity_matrix(np.array([[1.0, 1.0], [1.0, 0.0]])).tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    """
    u = m.sum(axis=0)
    co = m.T @ m
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = co / u[np.newaxis, :]
    phi = np.minimum(phi, phi.T)
    return np.nan_to_num(phi, nan=0.0, posinf=0.0)


def density_matrix(m: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """``d_cp = sum_p' M_cp' phi_pp' / sum_p' phi_pp'`` (country x product)."""
    den = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m @ (phi.T / den[np.newaxis, :])


def _rpop(x: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """``RPOP_cp = (x_cp / pop_c) / (sum_c x_cp / sum_c pop_c)`` (reference arithmetic)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x / pop[:, np.newaxis]) / (np.nansum(x, axis=0)[np.newaxis, :] / np.nansum(pop))


def _presence_block(x: np.ndarray, presence: str, rca_threshold: float, rpop_threshold: float,
                    pop: np.ndarray | None) -> np.ndarray:
    if presence == "manual":
        return x.copy()
    if presence == "rpop":
        return (np.nan_to_num(_rpop(x, pop)) >= rpop_threshold).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.nan_to_num(_balassa(x), nan=0.0)
    return (r >= rca_threshold).astype(np.float64) if presence == "binary" else r


def _eigen(m: np.ndarray, when: object) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ECI, PCI standardised; k_c, k_p signed and divided by sd(k_c)), NaN where undefined."""
    d, u = m.sum(axis=1), m.sum(axis=0)
    rows, cols = d > 0, u > 0
    eci, pci = np.full(m.shape[0], np.nan), np.full(m.shape[1], np.nan)
    kc_s, kp_s = np.full(m.shape[0], np.nan), np.full(m.shape[1], np.nan)
    if rows.sum() < 2 or cols.sum() < 2:
        log.warning("%s: fewer than 2 countries or products present; no ECI/PCI/COI/COG", when)
        return eci, pci, kc_s, kp_s
    eig = _second_eigenvector(m[np.ix_(rows, cols)])
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(d[rows], eig.kc)[0, 1]
    sign = -1.0 if corr < 0 else 1.0
    kc, kp = sign * eig.kc, sign * eig.kp
    mean, sd = kc.mean(), kc.std()
    if not sd > 0:
        log.warning("%s: ECI has no spread; ECI, PCI, COI and COG set to NaN", when)
        return eci, pci, kc_s, kp_s
    eci[rows], pci[cols] = (kc - mean) / sd, (kp - mean) / sd
    kc_s[rows], kp_s[cols] = kc / sd, kp / sd
    return eci, pci, kc_s, kp_s


def _year_relatedness(x: np.ndarray, presence: str, rca_threshold: float,
                      rpop_threshold: float, pop: np.ndarray | None, when: object) -> _Year:
    m = _presence_block(x, presence, rca_threshold, rpop_threshold, pop)
    phi = proximity_matrix(m)
    dens = density_matrix(m, phi)
    eci, pci, _, kp = _eigen(m, when)
    k = np.nan_to_num(kp, nan=0.0)
    absent = 1.0 - m
    coi_raw = (dens * absent) @ k
    sd = coi_raw.std()
    coi = (coi_raw - coi_raw.mean()) / sd if sd > 0 else np.full_like(coi_raw, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.nan_to_num(k / phi.sum(axis=1))
    cog = absent * (absent @ (phi * weights[:, np.newaxis]))
    if np.isnan(kp).all():
        coi, cog = np.full_like(coi, np.nan), np.full_like(cog, np.nan)
    return _Year(m, phi, dens, cog, coi, eci, pci)


def _population(population: pd.DataFrame | None, roles: dict[str, str], year: object,
                countries: pd.Index) -> np.ndarray:
    if population is None:
        raise BadValueError("presence='rpop' needs population= (columns time, loc, population)")
    t, loc = roles["time"], roles["loc"]
    for col in (t, loc, "population"):
        if col not in population.columns:
            raise MissingColumnError("required column is missing", path="population",
                                     column=col)
    pop = population[population[t] == year].set_index(loc)["population"]
    missing = countries.difference(pop.index)
    if len(missing):
        raise BadValueError(f"no population for {', '.join(map(str, missing[:5]))} in {year}",
                            path="population", column="population")
    values = pd.to_numeric(pop.reindex(countries)).to_numpy(dtype=float)
    if not (values > 0).all():
        raise BadValueError(f"population must be positive ({year})", path="population",
                            column="population")
    return values


def relatedness(
    exports: pd.DataFrame,
    *,
    roles: Mapping[str, str] | None = None,
    presence: str = "binary",
    rca_threshold: float = 1.0,
    rpop_threshold: float = 1.0,
    population: pd.DataFrame | None = None,
) -> RelatednessResult:
    """Proximity, density, COI and COG (and ECI/PCI under the same presence), year by year.

    Formulas and presence options in the module docstring. ``exports`` is a (time, loc, prod,
    val) table as for :func:`esc.complexity.complexity` (``roles`` names its columns; values
    are USD or, with ``presence="manual"``, the presence itself). ``population`` (for
    ``"rpop"``): columns ``<time>, <loc>, population``. Density is 0-1 with binary presence;
    COI is standardised across countries; COG is in units of the ECI's s.d.

    >>> t = pd.DataFrame({"year": 2022, "country": list("AAABBC"),
    ...     "product": list("pqrpqp"), "export_value": [1, 2, 3, 2, 3, 5]})
    >>> res = relatedness(t)
    >>> res.proximity[2022].round(2).values.tolist()  # A makes q and r, B q, C p (RCA >= 1)
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.5, 1.0]]
    """
    if presence not in PRESENCE_OPTIONS:
        raise BadValueError(f"presence must be one of {PRESENCE_OPTIONS}, not {presence!r}")
    r = _resolve_roles(roles)
    t, loc, prod, val = (r[k] for k in ("time", "loc", "prod", "val"))
    df = _prepare(exports, r, "exports")
    dens_parts, coi_parts, pci_parts, prox = [], [], [], {}
    for year, idx in df.groupby(t, sort=True).indices.items():
        ym = _year_matrix(df.iloc[idx], loc, prod, val)
        rows, cols = ym.values.sum(axis=1) > 0, ym.values.sum(axis=0) > 0
        countries, products = ym.countries[rows], ym.products[cols]
        x = ym.values[np.ix_(rows, cols)]
        pop = (_population(population, r, year, countries) if presence == "rpop" else None)
        res = _year_relatedness(x, presence, rca_threshold, rpop_threshold, pop, f"{t}={year}")
        nc, npr = len(countries), len(products)
        dens_parts.append(pd.DataFrame({
            t: year, loc: np.repeat(countries.to_numpy(), npr),
            prod: np.tile(products.to_numpy(), nc), "mcp": res.m.ravel(),
            "density": res.density.ravel(), "cog": res.cog.ravel()}))
        coi_parts.append(pd.DataFrame({t: year, loc: countries, "coi": res.coi,
                                       "eci": res.eci, "diversity": res.m.sum(axis=1)}))
        pci_parts.append(pd.DataFrame({t: year, prod: products, "pci": res.pci,
                                       "ubiquity": res.m.sum(axis=0)}))
        prox[year] = pd.DataFrame(res.proximity, index=products, columns=products)
    return RelatednessResult(
        density=pd.concat(dens_parts, ignore_index=True),
        coi=pd.concat(coi_parts, ignore_index=True),
        pci=pd.concat(pci_parts, ignore_index=True),
        proximity=MappingProxyType(prox),
        presence=presence,
    )
