"""A BACI-shaped world at full scale, for benchmarks only (not trade statistics).

CEPII's BACI has about 200 reporting countries, 5,000 HS6 products and 11 million non-zero
flows a year. Its values are very skewed: for most products a handful of exporters sell most of
the world's supply, and most (exporter, importer, product) cells are empty. The generator copies
that shape, not the numbers:

- each country has an economic "size" (lognormal; the largest economies are the familiar ones);
- each (exporter, product) pair has a "capability" that is zero for most pairs and lognormal
  otherwise; larger economies are capable in more products;
- a flow exists with probability ``1 - exp(-lam * g_i * h_j)`` (``g``, ``h`` grow with exporter
  and importer size; ``lam`` is solved so the expected rows per year hit the target) and is worth
  ``size_i * capability_ik * size_j * lognormal noise`` thousand USD.

Files are written in the layout CEPII ships: ``BACI_HS17_V202501.zip`` holding
``BACI_HS17_Y<year>_V202501.csv`` (columns ``t,i,j,k,v,q``: ``k`` without its leading zero, ``v``
in thousand USD with three decimals, ``q`` a quoted, space-padded string, ``NA`` when missing),
``country_codes_V202501.csv`` and ``product_codes_HS17_V202501.csv``. The year CSVs are also kept
unzipped beside the zip, for the ingest benchmark. Everything sits under ``benchmarks/_data/``
(git-ignored) in a folder named by the size and seed, so reruns reuse it.
"""

from __future__ import annotations

import json
import logging
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pycountry

from esc import registry
from esc.errors import EscError
from esc.sources import hs as hs_tables

logger = logging.getLogger(__name__)

DATA_ROOT = Path(__file__).resolve().parent / "_data"
RELEASE = "V202501"
HS = "HS17"

# BACI's own numeric codes where they differ from ISO 3166-1 numeric (esc.countries lists them).
BACI_CODES = {"IND": 699, "USA": 842, "FRA": 251, "NOR": 579, "CHE": 757}
# Economies given the largest sizes, in order; the rest draw random sizes.
LARGE = ["CHN", "USA", "DEU", "JPN", "KOR", "NLD", "FRA", "ITA", "GBR", "HKG", "MEX", "CAN",
         "IND", "SGP", "VNM", "ESP", "BEL", "CHE", "MYS", "THA", "POL", "AUS", "BRA", "IDN"]
EXCLUDE = {"TWN", "ATA", "BVT", "HMD", "UMI", "ATF", "IOT", "SGS"}  # not BACI reporters as such


@dataclass(frozen=True)
class Size:
    """How big a generated world is: countries, products, rows per year, years."""

    countries: int = 200
    products: int = 5000
    rows_per_year: int = 11_000_000
    years: int = 5
    last_year: int = 2022
    seed: int = 20250101

    @property
    def year_list(self) -> list[int]:
        return list(range(self.last_year - self.years + 1, self.last_year + 1))

    @property
    def key(self) -> str:
        # g2: products are real HS2017 subheadings (esc's import rejects unknown codes)
        return (f"g2_c{self.countries}_p{self.products}_r{self.rows_per_year}_y{self.years}"
                f"_{self.last_year}_s{self.seed}")


@dataclass(frozen=True)
class World:
    """Where one generated world lives on disk."""

    folder: Path
    size: Size

    @property
    def zip_path(self) -> Path:
        return self.folder / f"BACI_{HS}_{RELEASE}.zip"

    def csv(self, year: int) -> Path:
        return self.folder / f"BACI_{HS}_Y{year}_{RELEASE}.csv"

    @property
    def country_codes(self) -> Path:
        return self.folder / f"country_codes_{RELEASE}.csv"

    @property
    def product_codes(self) -> Path:
        return self.folder / f"product_codes_{HS}_{RELEASE}.csv"


# --------------------------------------------------------------------------- countries, products


def countries(n: int) -> pd.DataFrame:
    """``n`` countries with BACI codes: the large economies first, then ISO order."""
    iso = {c.alpha_3: c for c in pycountry.countries}
    order = LARGE + sorted(set(iso) - set(LARGE) - EXCLUDE)
    rows = []
    for code in order[:n]:
        c = iso[code]
        rows.append({"country_code": BACI_CODES.get(code, int(c.numeric)),
                     "country_name": getattr(c, "common_name", None) or c.name,
                     "country_iso2": c.alpha_2, "country_iso3": code})
    return pd.DataFrame(rows)


def products(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` HS6 codes: the registry's HS2017 codes, then other real HS2017 subheadings drawn
    at random (esc's HS17 table, so that esc's import accepts them), or, where esc has no
    HS17 table, made-up codes in real chapters (esc then warns about them)."""
    known = list(dict.fromkeys(registry.load_registry().query("hs_rev == 'HS17'")["hs6"]))
    known = known[:n]
    try:
        pool = sorted(set(hs_tables.nomenclature("HS17")["hs6"]) - set(known))
    except EscError:
        pool = []
    if len(pool) >= n - len(known):
        extra = sorted(rng.choice(pool, n - len(known), replace=False).tolist())
        allc = known + extra
        return pd.DataFrame({"code": allc, "description": [f"benchmark product {c} (generated)"
                                                           for c in allc]})
    chapters = np.array([c for c in range(1, 98) if c != 77])
    codes = set(known)
    while len(codes) < n:
        k = n - len(codes)
        draw = (rng.choice(chapters, k) * 10000 + rng.integers(1, 100, k) * 100
                + rng.integers(0, 100, k))
        codes.update(f"{c:06d}" for c in draw)
    extra = sorted(codes - set(known))[: n - len(known)]
    allc = known + extra
    return pd.DataFrame({"code": allc,
                         "description": [f"benchmark product {c} (generated)" for c in allc]})


# --------------------------------------------------------------------------- the flow model


@dataclass
class _Model:
    exporter_size: np.ndarray
    importer_size: np.ndarray
    cap_exporter: np.ndarray  # capable (exporter, product) pairs
    cap_product: np.ndarray
    cap_value: np.ndarray
    presence: np.ndarray  # p[i, j] of a flow given capability


def _sizes(n: int, rng: np.random.Generator) -> np.ndarray:
    s = rng.lognormal(0.0, 1.6, n)
    top = min(len(LARGE), n)
    s[:top] = np.sort(s)[::-1][:top] * np.linspace(8, 1.5, top)  # familiar giants on top
    return s / s.max()


def _model(size: Size, rng: np.random.Generator) -> _Model:
    nc, npd = size.countries, size.products
    exp_size = _sizes(nc, rng)
    imp_size = np.clip(exp_size * rng.lognormal(0, 0.5, nc), 1e-6, None)
    # Capability: larger economies are capable in more products; products differ in ubiquity.
    ubiquity = rng.beta(0.8, 2.5, npd)
    p_cap = np.clip(0.05 + 0.9 * np.sqrt(exp_size)[:, None] * ubiquity[None, :] * 2.0, 0, 1)
    capable = rng.random((nc, npd)) < p_cap
    ci, ck = np.nonzero(capable)
    cv = rng.lognormal(0.0, 1.6, ci.size)
    g = exp_size**0.35
    h = imp_size**0.45
    base = np.outer(g, h)
    np.fill_diagonal(base, 0.0)
    per_exporter = np.bincount(ci, minlength=nc).astype(float)

    def expected(lam: float) -> float:
        return float(per_exporter @ (1 - np.exp(-lam * base)).sum(axis=1))

    lo, hi = 1e-6, 1e4
    if expected(hi) < size.rows_per_year:
        logger.warning("at most %.0f rows a year fit this many countries and products",
                       expected(hi))
    for _ in range(80):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if expected(mid) < size.rows_per_year else (lo, mid)
    presence = 1 - np.exp(-hi * base)
    return _Model(exp_size, imp_size, ci, ck, cv, presence)


def _year_flows(model: _Model, year: int, seed: int, block: int = 4000) -> dict[str, np.ndarray]:
    """Index arrays (exporter, importer, product) and values for one year."""
    rng = np.random.default_rng([seed, year])
    drift = rng.lognormal(0.0, 0.15, model.exporter_size.size)  # sizes move a little per year
    parts_i, parts_j, parts_k, parts_v = [], [], [], []
    npairs = model.cap_exporter.size
    for start in range(0, npairs, block):
        ci = model.cap_exporter[start:start + block]
        ck = model.cap_product[start:start + block]
        cv = model.cap_value[start:start + block]
        hit = rng.random((ci.size, model.presence.shape[1])) < model.presence[ci]
        row, j = np.nonzero(hit)
        i = ci[row]
        v = (model.exporter_size[i] * drift[i] * cv[row] * model.importer_size[j]
             * rng.lognormal(0.0, 1.2, row.size) * 2e5)
        parts_i.append(i)
        parts_j.append(j)
        parts_k.append(ck[row])
        parts_v.append(v)
    return {"i": np.concatenate(parts_i), "j": np.concatenate(parts_j),
            "k": np.concatenate(parts_k), "v": np.concatenate(parts_v)}


# --------------------------------------------------------------------------- writing


def _write_year(world: World, flows: dict[str, np.ndarray], year: int, codes: np.ndarray,
                prods: np.ndarray, rng: np.random.Generator) -> int:
    v = np.maximum(np.round(flows["v"], 3), 0.001)
    unit_value = rng.lognormal(1.0, 1.5, prods.size)  # thousand USD per tonne, per product
    q = v / unit_value[flows["k"]]
    q[rng.random(q.size) < 0.05] = np.nan
    table = pd.DataFrame({"t": np.int16(year), "i": codes[flows["i"]], "j": codes[flows["j"]],
                          "k": prods[flows["k"]], "v": v, "q": q})
    table = table.sort_values(["i", "j", "k"], kind="stable")
    con = duckdb.connect()
    con.register("flows", table)
    target = str(world.csv(year)).replace("'", "''")
    con.execute(f"""COPY (
        SELECT t, i, j, k, CAST(v AS DECIMAL(18, 3)) AS v,
               lpad(coalesce(CAST(CAST(q AS DECIMAL(18, 3)) AS VARCHAR), 'NA'), 15, ' ') AS q
        FROM flows) TO '{target}' (FORMAT csv, HEADER, FORCE_QUOTE (q))""")
    con.close()
    return len(table)


def generate(size: Size, *, root: Path = DATA_ROOT, force: bool = False) -> World:
    """Generate (or reuse) the world of this size; return where its files are."""
    world = World(root / size.key, size)
    marker = world.folder / "done.json"
    if marker.is_file() and not force:
        logger.info("reusing generated data in %s", world.folder)
        return world
    world.folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rng = np.random.default_rng(size.seed)
    ctry = countries(size.countries)
    prod = products(size.products, rng)
    ctry.to_csv(world.country_codes, index=False)
    prod.to_csv(world.product_codes, index=False)
    model = _model(size, rng)
    codes = ctry["country_code"].to_numpy()
    prods = prod["code"].astype(int).to_numpy()  # BACI's k: the code without its leading zero
    rows = {}
    for year in size.year_list:
        flows = _year_flows(model, year, size.seed)
        rows[year] = _write_year(world, flows, year, codes, prods, rng)
        logger.info("year %d: %d rows", year, rows[year])
    with zipfile.ZipFile(world.zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path in [*(world.csv(y) for y in size.year_list), world.country_codes,
                     world.product_codes]:
            zf.write(path, arcname=path.name)
    info = {"size": asdict(size), "rows": rows, "seconds": time.perf_counter() - start,
            "note": "generated benchmark data, not trade statistics"}
    marker.write_text(json.dumps(info, indent=2))
    return world


def generation_info(world: World) -> dict:
    """What :func:`generate` recorded (rows per year, seconds)."""
    return json.loads((world.folder / "done.json").read_text())
