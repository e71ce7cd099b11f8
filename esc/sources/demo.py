"""The demo world: generated bilateral HS6 flows for the sector registry, 2019–2023.

**Demo data, not real trade statistics.** No product-level bilateral flows with India or
Japan as importer could be obtained for this project, so esc ships a generator instead of
data. The demo world is built to *look like* the world analysts know, so that every chart and
notebook has something sensible to show, and so that real data (a BACI release, a Comtrade
file) can replace it without changing a line of analysis code. Nothing computed on it is a
finding.

How it is made (all parameters are in this module and are demo assumptions unless a source
is named):

1. World exports per HS6 code and year. The HS4 heading's world exports in 2021 and its
   2019–2023 path are the Atlas of Economic Complexity figures (Harvard Growth Lab,
   ``hs92_product_year_4.csv``, export_value, rounded to USD 10 m); a heading's value is split
   evenly over its HS2022 subheadings, except where :data:`HEADING_SHARE` says otherwise.
2. Who exports: each product group has lead suppliers with world-export shares
   (:data:`GROUPS`, demo assumptions loosely following public market-structure
   descriptions); every other country whose demo *capability* reaches the group's
   *sophistication* exports a small lognormal remainder. This nestedness is what lets esc's
   own complexity code find high PCI for batteries or display modules and low PCI for ores.
3. Who imports: import demand is proportional to a demo country size times a lognormal
   product affinity; each importer buys from the exporters in proportion to their world
   shares times lognormal noise, with a bonus for same-region suppliers. No self-trade.
4. Calibration anchors (:data:`ANCHORS`) then set a few importer-product shares to the public
   figures quoted in the design notes: India's lithium-ion battery imports in 2019 of about
   USD 1.23 bn (China 773 m, Hong Kong 267 m, Vietnam 114 m; FY2018-19, secondary source);
   India's permanent magnets about 93 % from China; Japan's rare earths 60–70 % from China.

The result is deterministic for a given seed and cached (``esc.cache``) as Parquet with a
provenance sidecar whose ``sha256`` fingerprints the generator's source and seed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from esc.countries import TRADE_CODE_EXCEPTIONS, country_name
from esc.errors import UnknownReleaseError
from esc.registry import product_labels
from esc.schema import DEMO_LABEL, validate_flows

log = logging.getLogger(__name__)

GENERATOR_VERSION = "2"
DEFAULT_SEED = 2023
YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023)
RELEASE = "demo-v" + GENERATOR_VERSION

# Atlas of Economic Complexity (Harvard Growth Lab), hs92_product_year_4.csv: world exports of
# the HS92 heading in 2021 (USD bn, rounded) and its 2019..2023 path relative to 2021.
ATLAS_HEADINGS: dict[str, tuple[float, tuple[float, ...]]] = {
    "2504": (0.61, (0.98, 0.86, 1.00, 1.14, 0.86)),
    "2530": (2.81, (0.78, 0.68, 1.00, 3.49, 5.19)),
    "2604": (3.80, (0.86, 0.78, 1.00, 1.17, 0.98)),
    "2605": (0.03, (2.13, 1.22, 1.00, 5.32, 2.30)),
    "2804": (12.01, (0.74, 0.68, 1.00, 1.33, 1.00)),
    "2805": (0.98, (0.80, 0.73, 1.00, 1.46, 1.24)),
    "2814": (9.14, (0.67, 0.58, 1.00, 1.63, 0.73)),
    "2822": (3.24, (0.44, 0.61, 1.00, 0.70, 1.02)),
    "2825": (5.84, (0.83, 0.64, 1.00, 1.92, 2.27)),
    "2836": (7.88, (0.94, 0.83, 1.00, 2.36, 1.99)),
    "2846": (2.47, (0.51, 0.59, 1.00, 1.23, 1.30)),
    "2936": (9.41, (0.81, 0.91, 1.00, 1.02, 0.87)),
    "2937": (19.57, (0.85, 0.95, 1.00, 1.02, 1.55)),
    "2939": (1.71, (1.01, 0.94, 1.00, 1.22, 1.17)),
    "2941": (8.83, (1.18, 1.11, 1.00, 1.05, 1.09)),
    "3004": (374.09, (0.88, 0.96, 1.00, 1.07, 1.08)),
    "3801": (3.03, (0.83, 0.77, 1.00, 1.30, 1.26)),
    "3818": (16.11, (0.82, 0.82, 1.00, 1.19, 1.13)),
    "7501": (6.68, (0.78, 0.77, 1.00, 1.95, 1.87)),
    "7502": (14.50, (0.79, 0.67, 1.00, 1.13, 1.03)),
    "8105": (5.59, (0.65, 0.65, 1.00, 1.51, 0.75)),
    "8112": (1.46, (1.01, 0.77, 1.00, 1.39, 1.63)),
    "8414": (80.79, (0.87, 0.84, 1.00, 1.02, 1.07)),
    "8471": (321.98, (0.78, 0.87, 1.00, 1.01, 0.95)),
    "8473": (252.61, (0.84, 0.84, 1.00, 0.97, 0.83)),
    "8502": (22.09, (0.95, 0.94, 1.00, 1.00, 1.03)),
    "8504": (113.24, (0.77, 0.81, 1.00, 1.14, 1.24)),
    "8505": (10.42, (0.78, 0.75, 1.00, 1.16, 1.03)),
    "8507": (91.40, (0.62, 0.71, 1.00, 1.32, 1.54)),
    "8517": (123.66, (0.99, 0.97, 1.00, 0.71, 0.52)),
    "8541": (123.42, (0.79, 0.80, 1.00, 1.14, 1.13)),
    "8542": (799.09, (0.73, 0.80, 1.00, 1.08, 1.00)),
    "8543": (65.18, (0.80, 0.82, 1.00, 1.02, 0.94)),
    "8544": (138.30, (0.86, 0.80, 1.00, 1.07, 1.10)),
    "9001": (32.56, (0.92, 0.88, 1.00, 0.98, 0.88)),
    "9013": (61.98, (0.86, 0.80, 1.00, 0.34, 0.26)),
}
# Subheadings per HS2022 heading (HS2022 nomenclature), for the even split.
SUBHEADINGS: dict[str, int] = {
    "2504": 2, "2530": 3, "2604": 1, "2605": 1, "2804": 11, "2805": 5, "2814": 2, "2822": 1,
    "2825": 9, "2836": 8, "2846": 2, "2936": 10, "2937": 9, "2939": 19, "2941": 6, "3004": 12,
    "3801": 4, "3818": 1, "7501": 2, "7502": 2, "8105": 3, "8112": 17, "8414": 10, "8471": 8,
    "8473": 5, "8502": 7, "8504": 11, "8505": 4, "8507": 7, "8517": 9, "8541": 12, "8542": 5,
    "8543": 6, "8544": 8, "9001": 6, "9013": 4,
}
# Demo assumptions where an even split would be far off (share of the heading's exports).
HEADING_SHARE: dict[str, float] = {
    "850760": 0.70, "854231": 0.35, "854232": 0.30, "854239": 0.25, "854233": 0.05,
    "854143": 0.12, "854142": 0.05, "300490": 0.55, "850440": 0.30, "851762": 0.30,
    "847150": 0.15, "847330": 0.70, "282520": 0.25, "283691": 0.30, "810520": 0.60,
    "284690": 0.75, "284610": 0.25, "280530": 0.40, "750110": 0.50, "850511": 0.45,
    "850519": 0.20, "901380": 0.30, "901390": 0.20,
}
# HS2022 codes whose heading did not exist in HS92 or was reused: demo world exports, USD bn 2021.
OTHER_SCALE_BN: dict[str, float] = {
    "852411": 18.0, "852412": 6.0, "852419": 1.0, "852491": 14.0, "852492": 8.0, "852499": 2.0,
    "848620": 35.0,
}

# Demo countries: (ISO3, size = relative import demand, capability 0..1, region).
COUNTRIES: tuple[tuple[str, float, float, str], ...] = (
    ("CHN", 10.0, 0.80, "EAS"), ("HKG", 3.0, 0.50, "EAS"), ("JPN", 5.0, 0.95, "EAS"),
    ("KOR", 4.0, 0.90, "EAS"), ("S19", 3.0, 0.90, "EAS"), ("IND", 4.0, 0.55, "SAS"),
    ("USA", 10.0, 0.90, "NAM"), ("CAN", 2.5, 0.70, "NAM"), ("MEX", 3.0, 0.60, "NAM"),
    ("DEU", 6.0, 0.95, "EUR"), ("FRA", 3.5, 0.85, "EUR"), ("ITA", 3.0, 0.80, "EUR"),
    ("GBR", 3.5, 0.85, "EUR"), ("NLD", 3.0, 0.85, "EUR"), ("BEL", 2.0, 0.80, "EUR"),
    ("CHE", 2.0, 0.90, "EUR"), ("SWE", 1.5, 0.85, "EUR"), ("FIN", 0.8, 0.80, "EUR"),
    ("AUT", 1.2, 0.80, "EUR"), ("IRL", 1.2, 0.80, "EUR"), ("ESP", 2.5, 0.70, "EUR"),
    ("POL", 2.0, 0.70, "EUR"), ("HUN", 1.0, 0.70, "EUR"), ("CZE", 1.2, 0.75, "EUR"),
    ("DNK", 0.8, 0.75, "EUR"), ("NOR", 0.8, 0.60, "EUR"), ("EST", 0.3, 0.55, "EUR"),
    ("SGP", 2.5, 0.85, "SEA"), ("MYS", 2.0, 0.65, "SEA"), ("THA", 2.0, 0.60, "SEA"),
    ("VNM", 2.5, 0.50, "SEA"), ("PHL", 1.2, 0.45, "SEA"), ("IDN", 1.8, 0.40, "SEA"),
    ("AUS", 2.0, 0.40, "OCE"), ("ISR", 0.8, 0.80, "MEA"), ("TUR", 1.8, 0.55, "MEA"),
    ("ARE", 1.5, 0.40, "MEA"), ("SAU", 1.2, 0.30, "MEA"), ("BRA", 2.0, 0.45, "LAM"),
    ("CHL", 0.8, 0.30, "LAM"), ("ARG", 0.8, 0.35, "LAM"), ("RUS", 2.0, 0.45, "EUR"),
    ("ZAF", 0.8, 0.45, "AFR"), ("COD", 0.1, 0.10, "AFR"), ("ZMB", 0.1, 0.15, "AFR"),
    ("MOZ", 0.1, 0.10, "AFR"), ("MDG", 0.1, 0.15, "AFR"), ("MMR", 0.2, 0.15, "SEA"),
    ("TTO", 0.1, 0.20, "LAM"), ("BGD", 0.8, 0.20, "SAS"),
)


@dataclass(frozen=True)
class Group:
    """A product group of the demo world: lead exporters' world shares, sophistication
    (0..1: which capability it takes to export at all), and unit value in USD per tonne."""

    codes: tuple[str, ...]
    leads: dict[str, float]
    sophistication: float
    usd_per_t: float


def _g(codes: str, leads: str, soph: float, usd_per_t: float) -> Group:
    pairs = (p.split(":") for p in leads.split())
    return Group(tuple(codes.split()), {k: float(v) for k, v in pairs}, soph, usd_per_t)


GROUPS: tuple[Group, ...] = (
    _g("854231 854232 854233 854239",
       "S19:.28 CHN:.18 HKG:.12 KOR:.14 SGP:.09 MYS:.07 JPN:.04 USA:.04 VNM:.02", .85, 4e6),
    _g("854110 854121 854129 854130 854149 854151 854159 854190",
       "CHN:.30 HKG:.08 S19:.10 JPN:.10 MYS:.08 DEU:.07 KOR:.05 USA:.04", .75, 1e6),
    _g("854141", "CHN:.55 HKG:.08 MYS:.08 S19:.06 JPN:.05 KOR:.05 DEU:.03", .65, 5e5),
    _g("854142 854143", "CHN:.78 VNM:.07 MYS:.04 THA:.03 KOR:.02 DEU:.02 IND:.01", .60, 2e4),
    _g("280461", "CHN:.35 DEU:.25 MYS:.12 USA:.10 JPN:.07 NOR:.05 KOR:.03", .60, 2e4),
    _g("381800", "S19:.25 JPN:.25 KOR:.15 CHN:.10 DEU:.10 USA:.08 SGP:.05", .85, 3e5),
    _g("848620", "JPN:.30 USA:.25 NLD:.25 KOR:.07 DEU:.05 S19:.03 SGP:.03", .92, 1e5),
    _g("847150 847330",
       "CHN:.33 HKG:.05 MEX:.14 S19:.12 USA:.08 VNM:.06 MYS:.05 THA:.05 SGP:.03 JPN:.03", .60, 5e4),
    _g("851762 851771",
       "CHN:.42 HKG:.06 VNM:.10 MEX:.07 USA:.06 S19:.05 MYS:.04 SWE:.03 FIN:.03 KOR:.03", .62, 6e4),
    _g("852411 852412 852419 852491 852492 852499",
       "CHN:.45 KOR:.20 S19:.15 VNM:.08 JPN:.06 MEX:.03", .78, 8e4),
    _g("901380 901390", "CHN:.35 KOR:.18 S19:.15 JPN:.15 USA:.05 DEU:.05", .78, 8e4),
    _g("850440", "CHN:.42 DEU:.10 VNM:.05 JPN:.05 USA:.05 MEX:.05 THA:.04", .55, 2e4),
    _g("850760", "CHN:.55 KOR:.14 POL:.08 HUN:.05 JPN:.06 DEU:.05 USA:.03", .72, 2e4),
    _g("850790", "CHN:.40 KOR:.15 JPN:.15 DEU:.06 USA:.05", .65, 1e4),
    _g("282520 283691", "CHL:.35 CHN:.25 ARG:.12 USA:.05 RUS:.05 KOR:.04", .30, 2e4),
    _g("282200", "CHN:.35 FIN:.20 BEL:.15 COD:.10 ZMB:.05", .35, 3e4),
    _g("810520", "COD:.40 CHN:.15 FIN:.15 ZMB:.08 BEL:.07 JPN:.05", .30, 3e4),
    _g("250410", "CHN:.45 MOZ:.20 BRA:.10 MDG:.10 CAN:.05", .20, 8e2),
    _g("380110", "CHN:.35 JPN:.15 DEU:.10 IND:.08 USA:.06 ESP:.05", .50, 4e3),
    _g("750110 260400", "IDN:.40 PHL:.20 CAN:.15 AUS:.10 FIN:.05", .20, 1e4),
    _g("750210", "RUS:.20 CAN:.15 NOR:.15 AUS:.10 JPN:.05 FIN:.05", .40, 2e4),
    _g("260500", "COD:.90 ZMB:.05", .05, 1e4),
    _g("253090", "AUS:.40 BRA:.10 CHL:.08 ZAF:.06 MMR:.05 TUR:.05", .10, 5e2),
    _g("850511", "CHN:.85 JPN:.05 DEU:.03 VNM:.02 PHL:.02", .55, 4e4),
    _g("850519", "CHN:.60 JPN:.08 DEU:.06 KOR:.04 VNM:.04", .50, 2e4),
    _g("280530", "CHN:.72 VNM:.08 JPN:.04 EST:.04 USA:.03", .25, 5e4),
    _g("284610 284690", "CHN:.55 MYS:.15 MMR:.06 EST:.05 JPN:.05 FRA:.03", .25, 1e4),
    _g("294110 294120 294130 294140 294150 294190",
       "CHN:.45 ITA:.10 IND:.10 ESP:.06 AUT:.05 DEU:.05 USA:.04 CHE:.04", .70, 1e5),
    _g("293621 293622 293623 293624 293625 293626 293627 293628 293629 293690",
       "CHN:.50 DEU:.10 CHE:.08 NLD:.06 IND:.05 USA:.05", .65, 4e4),
    _g("293711 293712 293719 293721 293722 293723 293729 293750 293790",
       "DEU:.15 CHE:.15 USA:.12 IRL:.10 CHN:.10 DNK:.10 FRA:.06 IND:.04", .85, 1e6),
    _g("293911 293919 293920 293930 293941 293942 293943 293944 293945 293949 293951 293959 "
       "293961 293962 293963 293969 293972 293979 293980",
       "CHN:.30 IND:.12 DEU:.10 CHE:.08 USA:.08 ITA:.06 GBR:.05", .70, 2e5),
    _g("300490", "DEU:.18 CHE:.15 USA:.10 IRL:.08 BEL:.08 ITA:.06 FRA:.06 IND:.05 GBR:.05", .75,
       8e4),
    _g("841430 841440 841480 841490",
       "CHN:.35 DEU:.10 USA:.08 JPN:.08 THA:.06 ITA:.05 KOR:.04 MYS:.03 IND:.02", .65, 1e4),
    _g("850231", "DNK:.30 DEU:.25 CHN:.25 ESP:.10 IND:.05", .60, 3e3),
    _g("854330", "CHN:.25 DEU:.20 JPN:.10 USA:.10 ITA:.05 KOR:.05", .70, 3e4),
    _g("281410", "TTO:.20 RUS:.20 SAU:.12 IDN:.08 CAN:.06 USA:.05", .15, 4e2),
    _g("900110 854470", "CHN:.35 USA:.10 JPN:.10 DEU:.07 KOR:.05 IND:.05", .60, 2e4),
    _g("811292", "CHN:.60 USA:.08 JPN:.06 DEU:.05 CAN:.05 RUS:.04", .40, 5e5),
)

# Calibration anchors: (importer, hs6 codes, {year: {exporter: share}}, {year: total USD}).
# Shares not listed are filled by the generated remainder, rescaled.
_LIION_SHARES = {"CHN": 0.629, "HKG": 0.217, "VNM": 0.093}
ANCHORS: tuple[tuple[str, tuple[str, ...], dict[int, dict[str, float]], dict[int, float]], ...] = (
    # India, lithium-ion batteries, FY2018-19: USD 1.23 bn; China 773 m, Hong Kong 267 m,
    # Vietnam 114 m (design notes, secondary source). Later years follow the world trend.
    ("IND", ("850760",), {y: _LIION_SHARES for y in YEARS},
     {2019: 1.23e9, 2020: 1.41e9, 2021: 1.98e9, 2022: 2.62e9, 2023: 3.05e9}),
    # India, permanent magnets: about 93 % from China (FY2025, by quantity; design notes).
    ("IND", ("850511", "850519"), {y: {"CHN": 0.90 + 0.0075 * i} for i, y in enumerate(YEARS)},
     {}),
    # Japan, rare earths: China's share roughly 60-70 % in 2023-24 (design notes).
    ("JPN", ("280530", "284610", "284690"),
     {y: {"CHN": 0.70 - 0.02 * i} for i, y in enumerate(YEARS)}, {}),
)


def _world_exports(code: str) -> np.ndarray:
    """World exports of one HS6 code, USD, one value per year of :data:`YEARS`."""
    if code in OTHER_SCALE_BN:
        base, path = OTHER_SCALE_BN[code] * 1e9, (0.85, 0.9, 1.0, 1.05, 1.08)
    else:
        heading = code[:4]
        if heading not in ATLAS_HEADINGS:
            raise UnknownReleaseError(f"demo world has no calibration for heading {heading}")
        total, path = ATLAS_HEADINGS[heading]
        base = total * 1e9 * HEADING_SHARE.get(code, 1.0 / SUBHEADINGS[heading])
    return base * np.asarray(path)


def _group_of() -> dict[str, Group]:
    return {code: g for g in GROUPS for code in g.codes}


RESOURCE_BELOW = 0.4  # groups less sophisticated than this are raw materials
RESOURCE_CAP = 0.6  # ... whose fringe exporters are the less diversified economies


def _exporter_weights(group: Group, rng: np.random.Generator) -> np.ndarray:
    """World-export shares of every demo country for one product (sums to 1)."""
    iso = [c[0] for c in COUNTRIES]
    cap = np.array([c[2] for c in COUNTRIES])
    w = np.zeros(len(iso))
    for k, share in group.leads.items():
        w[iso.index(k)] = share * rng.lognormal(0, 0.05)
    rest = max(0.02, 1.0 - w.sum())
    if group.sophistication < RESOURCE_BELOW:  # raw materials: resource economies export them
        fringe = (w == 0) & (cap < RESOURCE_CAP)
    else:  # manufactures: every country capable enough exports a little
        fringe = (w == 0) & (cap >= group.sophistication)
    if fringe.any():
        tail = rng.lognormal(0, 1.0, fringe.sum()) * (cap[fringe] - group.sophistication + 0.05)
        w[fringe] = rest * tail / tail.sum()
    return w / w.sum()


def _anchor_for(code: str) -> list[tuple[str, dict[int, dict[str, float]], dict[int, float]]]:
    return [(imp, shares, totals) for imp, codes, shares, totals in ANCHORS if code in codes]


def _one_product(code: str, group: Group, rng: np.random.Generator) -> pd.DataFrame:
    """All flows of one product: a dense (year, importer, exporter) share array, anchored,
    then sparsified (shares under 0.2 % dropped) into flows."""
    iso = np.array([c[0] for c in COUNTRIES])
    size = np.array([c[1] for c in COUNTRIES])
    region = np.array([c[3] for c in COUNTRIES])
    n, n_years = len(iso), len(YEARS)
    w = _exporter_weights(group, rng)
    demand = size * rng.lognormal(0, 0.5, n)
    drift = rng.lognormal(0, 0.08, (n_years, n))
    imports = _world_exports(code)[:, None] * demand * drift
    imports /= (demand * drift).sum(axis=1, keepdims=True)  # (year, importer), USD
    same_region = np.where(region[:, None] == region[None, :], 2.0, 1.0)  # (importer, exporter)
    pref = w[None, None, :] * same_region[None] * rng.lognormal(0, 0.6, (n_years, n, n))
    pref[:, np.arange(n), np.arange(n)] = 0.0  # no self-trade
    pref[pref < 0.002 * pref.sum(axis=2, keepdims=True)] = 0.0
    share = pref / pref.sum(axis=2, keepdims=True)
    for importer, fixed_by_year, totals in _anchor_for(code):
        j = int(np.flatnonzero(iso == importer)[0])
        for y, year in enumerate(YEARS):
            fixed = fixed_by_year.get(year, {})
            cols = [int(np.flatnonzero(iso == e)[0]) for e in fixed]
            rest = share[y, j].copy()
            rest[cols] = 0.0
            share[y, j] = rest / rest.sum() * (1.0 - sum(fixed.values()))
            share[y, j, cols] = list(fixed.values())
            if year in totals:
                imports[y, j] = totals[year]
    values = share * imports[:, :, None]
    y_idx, j_idx, i_idx = np.nonzero(values)
    out = pd.DataFrame({
        "year": np.asarray(YEARS)[y_idx],
        "exporter": iso[i_idx],
        "importer": iso[j_idx],
        "hs6": code,
        "value_usd": values[y_idx, j_idx, i_idx],
    })
    out["quantity_t"] = out["value_usd"] / (group.usd_per_t * rng.lognormal(0, 0.15, len(out)))
    return out


def generate(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Generate the demo world: canonical flows (``hs_rev="HS22"``), every registry HS6 code,
    the demo countries as exporters and importers, years 2019–2023. Values in USD.

    Deterministic for a given ``seed``; a few hundred thousand rows in about a second.
    """
    groups = _group_of()
    codes = product_labels("HS22")["hs6"].tolist()
    missing = [c for c in codes if c not in groups]
    if missing:
        raise UnknownReleaseError(f"demo world has no product group for {', '.join(missing)}")
    rng = np.random.default_rng(seed)
    flows = pd.concat([_one_product(c, groups[c], rng) for c in codes], ignore_index=True)
    flows["hs_rev"] = "HS22"
    flows = validate_flows(flows, source="esc demo world")
    flows.attrs["label"] = DEMO_LABEL
    return flows


def _generator_sha256(seed: int) -> str:
    """A fingerprint of what the demo world is made from: this module's source and the seed.

    It stands in for the "input file" hash of a real source in the provenance record, and
    keys the cache so that a changed generator never serves a stale world.
    """
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(f"seed={seed}".encode())
    return h.hexdigest()


def ensure_cached(seed: int = DEFAULT_SEED) -> Path:
    """Generate the demo world once and keep it in the cache (``demo/<release>/flows``).

    Written through :mod:`esc.cache`: atomic, with a provenance sidecar, safe when two
    processes race. The release name carries the seed and the generator's fingerprint.
    """
    from esc import cache

    fingerprint = _generator_sha256(seed)
    release = f"{RELEASE}-seed{seed}-{fingerprint[:10]}"
    path = cache.entry_path("demo", release, "flows")
    if path.is_file() and cache.sidecar_path(path).is_file():
        return path
    flows = generate(seed)
    prov = cache.make_provenance(
        source="demo", release=release, name="flows", input_sha256=fingerprint,
        licence="generated by esc (MIT); calibrated to Atlas HS4 world exports and the public "
                "figures in docs/data.md",
        extra={"label": DEMO_LABEL, "seed": seed,
               "generator": f"esc.sources.demo v{GENERATOR_VERSION}",
               "publisher": "esc (generated demo world, not real trade statistics)"})
    written = cache.write_table(flows, "demo", release, "flows", provenance=prov, product="hs6")
    log.info("generated demo world: %s rows -> %s", len(flows), written)
    return written


def provenance(seed: int = DEFAULT_SEED) -> dict:
    """The provenance record of the cached demo world (generating it if needed)."""
    from esc import cache

    return cache.read_provenance(ensure_cached(seed))


def load(
    *,
    years: list[int] | tuple[int, ...] | int | None = None,
    importers: list[str] | tuple[str, ...] | str | None = None,
    exporters: list[str] | tuple[str, ...] | str | None = None,
    hs6: list[str] | tuple[str, ...] | str | None = None,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """The demo world's flows, filtered while reading. ``df.attrs["label"]`` says demo data.

    An unknown year raises :class:`~esc.errors.UnknownReleaseError` naming the years there are.

    >>> t = load(years=2019, importers="IND", hs6="850760")
    >>> round(float(t["value_usd"].sum()) / 1e9, 2)
    1.23
    """
    import pyarrow.dataset as ds

    def as_list(v):
        return None if v is None else ([v] if isinstance(v, str | int) else list(v))

    years_l, imp_l, exp_l, hs_l = map(as_list, (years, importers, exporters, hs6))
    if years_l:
        unknown = sorted(set(years_l) - set(YEARS))
        if unknown:
            raise UnknownReleaseError(
                f"the demo world has no year {unknown[0]}; it covers {YEARS[0]}-{YEARS[-1]}")
    dataset = ds.dataset(ensure_cached(seed), format="parquet")
    cond = None
    for col, vals in (("year", years_l), ("importer", imp_l), ("exporter", exp_l),
                      ("hs6", hs_l)):
        if vals:
            term = ds.field(col).isin(vals)
            cond = term if cond is None else cond & term
    df = dataset.to_table(filter=cond).to_pandas()
    df = validate_flows(df, source="esc demo world")
    df.attrs["label"] = DEMO_LABEL
    df.attrs["source"] = "demo"
    return df


def _numeric_codes() -> dict[str, int]:
    import pycountry

    codes = {c.alpha_3: int(c.numeric) for c in pycountry.countries}
    codes.update({iso: num for num, (iso, _) in TRADE_CODE_EXCEPTIONS.items()})
    return codes


def write_baci_zip(path: str | Path, *, seed: int = DEFAULT_SEED,
                   years: tuple[int, ...] = YEARS) -> Path:
    """Write the demo world in CEPII's BACI release layout: one zip holding
    ``BACI_HS22_Y<year>_VDEMO.csv`` (t,i,j,k,v,q; v in thousand USD, k without leading zeros)
    plus ``country_codes_VDEMO.csv`` and ``product_codes_HS22_VDEMO.csv``.

    Used to exercise the BACI loader end to end on data that ships with esc.
    """
    path = Path(path)
    flows = load(years=list(years), seed=seed)
    num = _numeric_codes()
    labels = product_labels("HS22")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for year, part in flows.groupby("year"):
            baci = pd.DataFrame({
                "t": part["year"].astype(int),
                "i": part["exporter"].map(num),
                "j": part["importer"].map(num),
                "k": part["hs6"].astype(int),
                "v": (part["value_usd"] / 1000).round(3),
                "q": part["quantity_t"].round(3),
            })
            zf.writestr(f"BACI_HS22_Y{year}_VDEMO.csv", baci.to_csv(index=False))
        isos = sorted(set(flows["exporter"]) | set(flows["importer"]))
        cc = pd.DataFrame({"country_code": [num[c] for c in isos],
                           "country_name": [country_name(c) for c in isos],
                           "country_iso2": "", "country_iso3": isos})
        zf.writestr("country_codes_VDEMO.csv", cc.to_csv(index=False))
        buf = io.StringIO()
        labels.rename(columns={"hs6": "code", "short_name": "description"})[
            ["code", "description"]].to_csv(buf, index=False)
        zf.writestr("product_codes_HS22_VDEMO.csv", buf.getvalue())
    return path
