"""The demo world: a generated, complete world of bilateral HS6 flows, 2015–2023.

**Demo data, not real trade statistics.** No product-level bilateral flows with India or
Japan as importer could be obtained for this project, so esc ships a generator instead of
data. The demo world is built to *look like* the world analysts know — every HS2022
six-digit product, 145 countries that hold nearly all world trade, nine years — so that the
screen, every chart and every notebook have something sensible to show, and so that real
data (a BACI release) can replace it without changing a line of analysis code. Nothing
computed on it is a finding.

How it is made (parameters in this module; figures with a source are in
:mod:`esc.sources.demo_calibration`, rebuilt by ``tools/build_demo_calibration.py``):

1. **Products.** The 5,613 HS2022 subheadings, read through :func:`esc.sources.hs.nomenclature`
   from the HS tables in the data folder (or fetched once with ``esc data fetch hs``); esc
   commits no copy of them.
   Each product gets a demo *sophistication* drawn around its chapter's mean Atlas PCI
   (normal, s.d. :data:`SOPH_SD`) and a lognormal weight in its chapter. No product is
   placed by hand: which products come out complex is decided by the draw and the network.
2. **World exports per product and year**: the chapter's world exports (Atlas, sum of its
   HS92 headings, 2015–2023) times the product's weight; the headings in
   :data:`ATLAS_HEADINGS` follow their own Atlas figures.
3. **Countries**: the 145 countries with an Atlas ECI (Taiwan as ``S19``), whose ECI is
   their *capability*, and an export and import size (:data:`SIZES`, rounded WTO
   merchandise trade 2021 for the large traders; a demo rule for the others).
4. **Who exports**: country ``c`` exports product ``p`` with probability
   ``sigmoid(a + b log X_c + g (k_c - s_p))`` (capable and large economies export more
   products; nobody exports what is far beyond its capability) and with intensity
   ``X_c exp(beta k_c s_p + noise)`` (capable economies specialise in sophisticated
   products). This nestedness is what lets esc's complexity code recover high PCI for
   electronics and low PCI for ores. The registry's product groups (:data:`GROUPS`) have
   lead exporters with demo world-export shares loosely following public descriptions.
5. **Who imports**: import demand is the country's import size times a lognormal product
   affinity; each importer buys from the exporters in proportion to their world shares
   times a same-region bonus and lognormal noise; suppliers below :data:`MIN_SHARE` of an
   importer's purchases are dropped (the world stays sparse). No self-trade.
6. **India calibration**: India's imports per chapter and the shares of its five largest
   suppliers per chapter follow the WITS mirror data (2019–2023), by a multiplicative
   adjustment of supplier weights inside each chapter.
7. **Anchors** (:data:`ANCHORS`) set a few importer-product shares to the public figures
   quoted in the design notes: India's lithium-ion battery imports in 2019 of about USD
   1.23 bn (China 773 m, Hong Kong 267 m, Vietnam 114 m; FY2018-19, secondary source);
   India's permanent magnets about 93 % from China; Japan's rare earths 70 % -> 62 % from
   China.

The result is deterministic for a given seed and cached (``esc.cache``) as Parquet with a
provenance sidecar whose ``sha256`` fingerprints the generator's source, its calibration
and the seed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from esc import cache as esc_cache
from esc.countries import TRADE_CODE_EXCEPTIONS, country_name
from esc.errors import DataNotFoundError, UnknownReleaseError
from esc.label import Label, stamp
from esc.schema import DEMO_LABEL, HS6, validate_flows
from esc.source import BaseSource, Query, Scan
from esc.sources import demo_calibration as calib
from esc.sources import hs as hs_tables

log = logging.getLogger(__name__)

GENERATOR_VERSION = "4"
DEFAULT_SEED = 2023
REPORTERS = ("IND", "JPN")
"""The study's two reporters: they buy every registry product in the demo world."""
YEARS: tuple[int, ...] = tuple(range(2015, 2024))
RELEASE = "demo-v" + GENERATOR_VERSION

SOPH_SD = 0.6  # s.d. of a product's sophistication around its chapter's mean PCI
SOPH_SHIFT = -3.0  # sophistication sits this far below capability (puts the mean PCI near 0)
PRESENCE_OFFSET = -5.0  # the constant of the export-presence logit
BETA = 0.6  # specialisation: exp(BETA * capability * sophistication)
MIN_SHARE = 0.05  # suppliers under this share of an importer's purchases are dropped
TOP_EXPORTERS = 40  # an importer buys a product from its largest world exporters only
REGION_BONUS = 2.5  # same-region suppliers weigh this much more

# Atlas of Economic Complexity (Harvard Growth Lab), hs92_product_year_4.csv: world exports of
# the HS92 heading in 2021 (USD bn, rounded) and its 2019..2023 path relative to 2021.
# Before 2019 a heading follows its chapter.
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

# Export and import size (USD bn), rounded WTO merchandise trade 2021 (WTO Stats) for the
# large traders; others: demo rule 8 * exp(0.6 * ECI) for both.
SIZES: dict[str, tuple[float, float]] = {
    "CHN": (3364, 2687), "USA": (1754, 2937), "DEU": (1632, 1419), "NLD": (837, 758),
    "JPN": (756, 769), "HKG": (670, 712), "KOR": (644, 615), "ITA": (610, 567),
    "FRA": (585, 714), "BEL": (545, 509), "CAN": (507, 489), "MEX": (495, 522),
    "RUS": (494, 304), "GBR": (468, 694), "S19": (446, 382), "SGP": (457, 406),
    "IND": (395, 573), "ARE": (425, 347), "CHE": (380, 324), "ESP": (391, 425),
    "AUS": (342, 261), "VNM": (336, 331), "SAU": (286, 153), "POL": (338, 342),
    "MYS": (299, 238), "THA": (271, 267), "BRA": (281, 235), "CZE": (227, 212),
    "AUT": (202, 219), "IDN": (231, 196), "SWE": (190, 187), "IRL": (196, 120),
    "NOR": (161, 99), "TUR": (225, 271), "DNK": (126, 122), "HUN": (141, 140),
    "SVK": (104, 105), "QAT": (87, 28), "PHL": (75, 124), "ISR": (60, 92), "CHL": (95, 92),
    "ZAF": (121, 94), "ARG": (78, 63), "KAZ": (60, 41), "PRT": (75, 98), "FIN": (82, 86),
    "ROU": (88, 116), "IRQ": (80, 50), "NGA": (47, 52), "KWT": (70, 30), "OMN": (44, 28),
    "EGY": (40, 74), "COL": (41, 61), "PER": (63, 51), "NZL": (45, 49), "BGD": (44, 80),
    "PAK": (28, 72), "UKR": (68, 72), "GRC": (47, 76), "SVN": (45, 48), "BGR": (41, 46),
    "LTU": (40, 45), "DZA": (38, 37),
}

REGIONS: dict[str, str] = {
    "EAS": "CHN HKG JPN KOR S19 MNG",
    "SEA": "SGP MYS THA PHL VNM IDN KHM LAO MMR",
    "SAS": "IND PAK BGD LKA NPL AFG",
    "EUR": "CHE DEU GBR CZE SVN AUT SWE FIN HUN IRL ITA FRA SVK BEL ROU NLD EST DNK POL BLR "
           "LTU HRV BGR SRB ESP PRT LVA BIH NOR CYP GRC UKR MKD MDA ALB RUS",
    "MEA": "ISR BHR ARE LBN SAU TUR TUN JOR EGY IRN OMN KWT QAT MAR DZA IRQ YEM LBY ARM GEO "
           "AZE",
    "CAS": "UZB KGZ KAZ TJK TKM",
    "NAM": "USA CAN MEX",
    "LAM": "CRI COL TTO SLV DOM JAM GTM PAN HND PRY CHL PER BOL ECU VEN NIC CUB HTI URY ARG "
           "BRA",
    "OCE": "AUS NZL PNG",
}


@dataclass(frozen=True)
class Group:
    """A registry product group: lead exporters' world shares (demo assumptions) and unit
    value in USD per tonne."""

    codes: tuple[str, ...]
    leads: dict[str, float]
    usd_per_t: float


def _g(codes: str, leads: str, usd_per_t: float) -> Group:
    pairs = (p.split(":") for p in leads.split())
    return Group(tuple(codes.split()), {k: float(v) for k, v in pairs}, usd_per_t)


GROUPS: tuple[Group, ...] = (
    _g("854231 854232 854233 854239",
       "S19:.28 CHN:.18 HKG:.12 KOR:.14 SGP:.09 MYS:.07 JPN:.04 USA:.04 VNM:.02", 4e6),
    _g("854110 854121 854129 854130 854149 854151 854159 854190",
       "CHN:.30 HKG:.08 S19:.10 JPN:.10 MYS:.08 DEU:.07 KOR:.05 USA:.04", 1e6),
    _g("854141", "CHN:.55 HKG:.08 MYS:.08 S19:.06 JPN:.05 KOR:.05 DEU:.03", 5e5),
    _g("854142 854143", "CHN:.78 VNM:.07 MYS:.04 THA:.03 KOR:.02 DEU:.02 IND:.01", 2e4),
    _g("280461", "CHN:.35 DEU:.25 MYS:.12 USA:.10 JPN:.07 NOR:.05 KOR:.03", 2e4),
    _g("381800", "S19:.25 JPN:.25 KOR:.15 CHN:.10 DEU:.10 USA:.08 SGP:.05", 3e5),
    _g("848620", "JPN:.30 USA:.25 NLD:.25 KOR:.07 DEU:.05 S19:.03 SGP:.03", 1e5),
    _g("847150 847330",
       "CHN:.33 HKG:.05 MEX:.14 S19:.12 USA:.08 VNM:.06 MYS:.05 THA:.05 SGP:.03 JPN:.03", 5e4),
    _g("851762 851771",
       "CHN:.42 HKG:.06 VNM:.10 MEX:.07 USA:.06 S19:.05 MYS:.04 SWE:.03 FIN:.03 KOR:.03", 6e4),
    _g("852411 852412 852419 852491 852492 852499",
       "CHN:.45 KOR:.20 S19:.15 VNM:.08 JPN:.06 MEX:.03", 8e4),
    _g("901380 901390", "CHN:.35 KOR:.18 S19:.15 JPN:.15 USA:.05 DEU:.05", 8e4),
    _g("850440", "CHN:.42 DEU:.10 VNM:.05 JPN:.05 USA:.05 MEX:.05 THA:.04", 2e4),
    _g("850760", "CHN:.55 KOR:.14 POL:.08 HUN:.05 JPN:.06 DEU:.05 USA:.03", 2e4),
    _g("850790", "CHN:.40 KOR:.15 JPN:.15 DEU:.06 USA:.05", 1e4),
    _g("282520 283691", "CHL:.35 CHN:.25 ARG:.12 USA:.05 RUS:.05 KOR:.04", 2e4),
    _g("282200", "CHN:.35 FIN:.20 BEL:.15 COD:.10 ZMB:.05", 3e4),
    _g("810520", "COD:.40 CHN:.15 FIN:.15 ZMB:.08 BEL:.07 JPN:.05", 3e4),
    _g("250410", "CHN:.45 MOZ:.20 BRA:.10 MDG:.10 CAN:.05", 8e2),
    _g("380110", "CHN:.35 JPN:.15 DEU:.10 IND:.08 USA:.06 ESP:.05", 4e3),
    _g("750110 260400", "IDN:.40 PHL:.20 CAN:.15 AUS:.10 FIN:.05", 1e4),
    _g("750210", "RUS:.20 CAN:.15 NOR:.15 AUS:.10 JPN:.05 FIN:.05", 2e4),
    _g("260500", "COD:.90 ZMB:.05", 1e4),
    _g("253090", "AUS:.40 BRA:.10 CHL:.08 ZAF:.06 MMR:.05 TUR:.05", 5e2),
    _g("850511", "CHN:.85 JPN:.05 DEU:.03 VNM:.02 PHL:.02", 4e4),
    _g("850519", "CHN:.60 JPN:.08 DEU:.06 KOR:.04 VNM:.04", 2e4),
    _g("280530", "CHN:.72 VNM:.08 JPN:.04 EST:.04 USA:.03", 5e4),
    _g("284610 284690", "CHN:.55 MYS:.15 MMR:.06 EST:.05 JPN:.05 FRA:.03", 1e4),
    _g("294110 294120 294130 294140 294150 294190",
       "CHN:.45 ITA:.10 IND:.10 ESP:.06 AUT:.05 DEU:.05 USA:.04 CHE:.04", 1e5),
    _g("293621 293622 293623 293624 293625 293626 293627 293628 293629 293690",
       "CHN:.50 DEU:.10 CHE:.08 NLD:.06 IND:.05 USA:.05", 4e4),
    _g("293711 293712 293719 293721 293722 293723 293729 293750 293790",
       "DEU:.15 CHE:.15 USA:.12 IRL:.10 CHN:.10 DNK:.10 FRA:.06 IND:.04", 1e6),
    _g("293911 293919 293920 293930 293941 293942 293943 293944 293945 293949 293951 293959 "
       "293961 293962 293963 293969 293972 293979 293980",
       "CHN:.30 IND:.12 DEU:.10 CHE:.08 USA:.08 ITA:.06 GBR:.05", 2e5),
    _g("300490", "DEU:.18 CHE:.15 USA:.10 IRL:.08 BEL:.08 ITA:.06 FRA:.06 IND:.05 GBR:.05", 8e4),
    _g("841430 841440 841480 841490",
       "CHN:.35 DEU:.10 USA:.08 JPN:.08 THA:.06 ITA:.05 KOR:.04 MYS:.03 IND:.02", 1e4),
    _g("850231", "DNK:.30 DEU:.25 CHN:.25 ESP:.10 IND:.05", 3e3),
    _g("854330", "CHN:.25 DEU:.20 JPN:.10 USA:.10 ITA:.05 KOR:.05", 3e4),
    _g("281410", "TTO:.20 RUS:.20 SAU:.12 IDN:.08 CAN:.06 USA:.05", 4e2),
    _g("900110 854470", "CHN:.35 USA:.10 JPN:.10 DEU:.07 KOR:.05 IND:.05", 2e4),
    _g("811292", "CHN:.60 USA:.08 JPN:.06 DEU:.05 CAN:.05 RUS:.04", 5e5),
)

# Calibration anchors: (importer, hs6 codes, {year: {exporter: share}}, {year: total USD}).
# Shares not listed are filled by the generated remainder, rescaled.
_ANCHOR_YEARS = (2019, 2020, 2021, 2022, 2023)
_LIION_SHARES = {"CHN": 0.629, "HKG": 0.217, "VNM": 0.093}
ANCHORS: tuple[tuple[str, tuple[str, ...], dict[int, dict[str, float]], dict[int, float]], ...] = (
    # India, lithium-ion batteries, FY2018-19: USD 1.23 bn; China 773 m, Hong Kong 267 m,
    # Vietnam 114 m (design notes, secondary source). Later years follow the world trend.
    ("IND", ("850760",), {y: _LIION_SHARES for y in _ANCHOR_YEARS},
     {2019: 1.23e9, 2020: 1.41e9, 2021: 1.98e9, 2022: 2.62e9, 2023: 3.05e9}),
    # India, permanent magnets: about 93 % from China (FY2025, by quantity; design notes).
    ("IND", ("850511", "850519"),
     {y: {"CHN": 0.90 + 0.0075 * i} for i, y in enumerate(_ANCHOR_YEARS)}, {}),
    # Japan, rare earths: China's share roughly 60-70 % in 2023-24 (design notes).
    ("JPN", ("280530", "284610", "284690"),
     {y: {"CHN": 0.70 - 0.02 * i} for i, y in enumerate(_ANCHOR_YEARS)}, {}),
)


# --------------------------------------------------------------------------- inputs


@cache
def hs_codes() -> pd.DataFrame:
    """The HS2022 subheadings the demo world is made of: ``hs6, description`` (5,613 rows).

    Read from the HS tables esc finds (:func:`esc.sources.hs.nomenclature`: the data folder's
    ``harmonized-system.csv`` or BACI product codes, or a file fetched with ``esc data fetch
    hs``), descriptions with their white space collapsed and cut to 72 characters. Raises
    :class:`~esc.errors.DataNotFoundError` saying how to get the list when there is none.
    """
    try:
        table = hs_tables.nomenclature("HS22")
    except DataNotFoundError as exc:
        raise DataNotFoundError(
            "the demo world is made of every HS2022 subheading, and esc found no HS2022 "
            f"code list: {exc}") from exc
    table = table[table[HS6].str.fullmatch(r"\d{6}")].copy()
    table["description"] = (table["description"].astype(str)
                            .str.replace(r"\s+", " ", regex=True).str.slice(0, 72))
    return table[[HS6, "description"]].reset_index(drop=True)


def countries() -> pd.DataFrame:
    """The demo countries: ``iso3, capability (Atlas ECI 2021), exports_bn, imports_bn,
    region`` (sizes from :data:`SIZES` or the demo rule)."""
    region = {c: r for r, members in REGIONS.items() for c in members.split()}
    rows = []
    for iso, eci in calib.ECI.items():
        default = 8.0 * float(np.exp(0.6 * eci))
        x, m = SIZES.get(iso, (default, default))
        rows.append((iso, float(eci), float(x), float(m), region.get(iso, "AFR")))
    return pd.DataFrame(rows, columns=["iso3", "capability", "exports_bn", "imports_bn",
                                       "region"])


def _group_of() -> dict[str, Group]:
    return {code: g for g in GROUPS for code in g.codes}


@dataclass(frozen=True)
class _Products:
    codes: np.ndarray  # (P,) str, sorted
    chapter: np.ndarray  # (P,) str
    soph: np.ndarray  # (P,) sophistication
    world: np.ndarray  # (P, T) world exports, USD
    usd_per_t: np.ndarray  # (P,)


def _products(rng: np.random.Generator) -> _Products:
    codes = hs_codes()["hs6"].to_numpy()
    chapter = np.array([c[:2] for c in codes])
    mean_pci = np.array([calib.CHAPTERS.get(ch, (0.0, ()))[0] for ch in chapter])
    soph = mean_pci + SOPH_SHIFT + rng.normal(0.0, SOPH_SD, len(codes))
    weight = rng.lognormal(0.0, 1.3, len(codes))
    world = np.zeros((len(codes), len(YEARS)))
    for ch in np.unique(chapter):
        idx = np.flatnonzero(chapter == ch)
        path = np.asarray(calib.CHAPTERS.get(ch, (0.0, (0.0,) * len(YEARS)))[1]) * 1e9
        world[idx] = (weight[idx] / weight[idx].sum())[:, None] * path[None, :]
    drift = np.exp(np.cumsum(rng.normal(0.0, 0.05, (len(codes), len(YEARS))), axis=1))
    world *= drift / drift[:, YEARS.index(2021)][:, None]
    for i, code in enumerate(codes):
        fixed = _heading_exports(code)
        if fixed is not None:
            world[i] = fixed
    unit = 10 ** (3.6 + 0.5 * (soph - SOPH_SHIFT) + rng.normal(0.0, 0.4, len(codes)))
    groups = _group_of()
    unit = np.array([groups[c].usd_per_t if c in groups else u for c, u in zip(codes, unit,
                                                                              strict=True)])
    return _Products(codes, chapter, soph, world, unit)


def _heading_exports(code: str) -> np.ndarray | None:
    """World exports (USD per year of :data:`YEARS`) of a code under a calibrated heading."""
    chapter_path = np.asarray(calib.CHAPTERS.get(code[:2], (0.0, (1.0,) * len(YEARS)))[1])
    if code in OTHER_SCALE_BN:
        base, late = OTHER_SCALE_BN[code] * 1e9, (0.85, 0.9, 1.0, 1.05, 1.08)
    elif code[:4] in ATLAS_HEADINGS:
        total, late = ATLAS_HEADINGS[code[:4]]
        base = total * 1e9 * HEADING_SHARE.get(code, 1.0 / _subheadings(code[:4]))
    else:
        return None
    out = np.empty(len(YEARS))
    i19 = YEARS.index(2019)
    out[i19:] = base * np.asarray(late)
    early = chapter_path[:i19] / max(chapter_path[i19], 1e-9)
    out[:i19] = out[i19] * early
    return out


@cache
def _subheadings(heading: str) -> int:
    return int(hs_codes()["hs6"].str.startswith(heading).sum())


# --------------------------------------------------------------------------- the network


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _exporter_weights(prod: _Products, ctry: pd.DataFrame,
                      rng: np.random.Generator) -> np.ndarray:
    """World-export shares (P, C): nested presence times specialised intensity, leads set."""
    cap = ctry["capability"].to_numpy()
    logx = np.log(ctry["exports_bn"].to_numpy())
    z = (PRESENCE_OFFSET + 1.0 * (logx - np.median(logx))[None, :]
         + 1.6 * (cap[None, :] - prod.soph[:, None]))
    present = rng.random(z.shape) < _sigmoid(z)
    w = (np.exp(logx)[None, :] * np.exp(BETA * cap[None, :] * prod.soph[:, None]
                                        + rng.normal(0.0, 0.5, z.shape)))
    w = np.where(present, w, 0.0)
    empty = w.sum(axis=1) == 0
    w[empty, np.argmax(logx)] = 1.0
    w /= w.sum(axis=1, keepdims=True)
    iso = ctry["iso3"].tolist()
    pos = {c: i for i, c in enumerate(prod.codes)}
    for g in GROUPS:
        for code in g.codes:
            row = w[pos[code]]
            lead_idx = [iso.index(k) for k in g.leads]
            rest = row.copy()
            rest[lead_idx] = 0.0
            rest = rest / rest.sum() if rest.sum() > 0 else rest
            row[:] = rest * max(0.02, 1.0 - sum(g.leads.values()))
            row[lead_idx] = list(g.leads.values())
            row /= row.sum()
    return w


def _reporters_buy_registry(prod: _Products, ctry: pd.DataFrame) -> np.ndarray:
    """(P, C) mask: India and Japan import every product of the registry groups, as both do
    in the real data of the study (its screen found them importing each priority product)."""
    mask = np.zeros((len(prod.codes), len(ctry)), dtype=bool)
    rows = np.isin(prod.codes, list(_group_of()))
    cols = ctry["iso3"].isin(REPORTERS).to_numpy()
    mask[np.ix_(rows, cols)] = True
    return mask


def _import_demand(prod: _Products, ctry: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Imports (P, C, T) in USD: each product's world exports split over reporters."""
    logm = np.log(ctry["imports_bn"].to_numpy())
    z = -2.5 + 1.2 * (logm - np.median(logm))[None, :] + rng.normal(0.0, 1.0, (len(prod.codes),
                                                                             len(logm)))
    present = rng.random(z.shape) < _sigmoid(z)
    present |= _reporters_buy_registry(prod, ctry)
    d = np.where(present, np.exp(logm)[None, :] * rng.lognormal(0.0, 0.8, z.shape), 0.0)
    d[d.sum(axis=1) == 0, np.argmax(logm)] = 1.0
    drift = rng.lognormal(0.0, 0.1, (len(prod.codes), len(logm), len(YEARS)))
    dt = d[:, :, None] * drift
    demand = dt / dt.sum(axis=1, keepdims=True) * prod.world[:, None, :]
    return _india_totals(demand, prod, ctry)


def _india_totals(demand: np.ndarray, prod: _Products, ctry: pd.DataFrame) -> np.ndarray:
    """Scale India's imports of each chapter to the WITS mirror total (2019-2023 mean),
    following the world path of the chapter across years."""
    j = ctry["iso3"].tolist().index("IND")
    for ch, (total_bn, _) in calib.INDIA_CHAPTERS.items():
        idx = np.flatnonzero(prod.chapter == ch)
        if not idx.size:
            continue
        path = np.asarray(calib.CHAPTERS.get(ch, (0.0, (1.0,) * len(YEARS)))[1], dtype=float)
        late = path[YEARS.index(2019):].mean()
        target = total_bn * 1e9 * (path / late if late > 0 else np.ones(len(YEARS)))
        now = demand[idx, j, :].sum(axis=0)
        scale = np.where(now > 0, target / np.where(now > 0, now, 1.0), 0.0)
        demand[idx, j, :] *= scale[None, :]
    return demand


def _india_targets(ctry: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    iso = ctry["iso3"].tolist()
    out = {}
    for ch, (_, shares) in calib.INDIA_CHAPTERS.items():
        known = [(iso.index(k), v) for k, v in shares.items() if k in iso]
        out[ch] = (np.array([k for k, _ in known], dtype=int),
                   np.array([v for _, v in known]))
    return out


def _calibrate_india(share: np.ndarray, demand: np.ndarray, cols: np.ndarray,
                     target: np.ndarray, rounds: int = 4) -> np.ndarray:
    """Rescale India's supplier weights in one chapter so that the chapter's supplier shares
    of ``cols`` approach ``target`` (multiplicative, products keep their own pattern).

    ``share``: (P, C) India's supplier shares per product; ``demand``: (P,) India's imports.
    """
    for _ in range(rounds):
        value = (share * demand[:, None]).sum(axis=0)
        total = value.sum()
        if total <= 0:
            return share
        now = value / total
        factor = np.ones(share.shape[1])
        rest_now = 1.0 - now[cols].sum()
        rest_target = max(1.0 - target.sum(), 0.0)
        factor[:] = rest_target / rest_now if rest_now > 0 else 1.0
        factor[cols] = np.where(now[cols] > 0, target / np.where(now[cols] > 0, now[cols], 1),
                                1.0)
        share = share * factor[None, :]
        sums = share.sum(axis=1, keepdims=True)
        share = np.divide(share, sums, out=np.zeros_like(share), where=sums > 0)
    return share


def _anchor_for(code: str) -> list[tuple[str, dict[int, dict[str, float]], dict[int, float]]]:
    return [(imp, shares, totals) for imp, codes, shares, totals in ANCHORS if code in codes]


def _anchored(values: np.ndarray, ex: np.ndarray, codes: np.ndarray, year: int,
              iso: list[str], india: np.ndarray | None, weights: np.ndarray) -> dict | None:
    """Take the anchored importer-product columns out of ``values`` (zeroed in place) and
    return them as flows with the anchor's supplier shares and totals.

    ``values``: (P, K, C) USD for one chapter and year, exporter ``k`` of product ``p`` being
    country ``ex[p, k]``; ``india`` (P, C) holds India's flows in the full country space;
    ``weights`` (P, C) the world-export shares that fill a remainder nobody supplies."""
    rows: list[tuple[int, int, int, float]] = []
    for p, code in enumerate(codes):
        for importer, fixed_by_year, totals in _anchor_for(str(code)):
            j = iso.index(importer)
            if importer == "IND" and india is not None:
                full = india[p].copy()
                india[p] = 0.0
            else:
                full = np.zeros(len(iso))
                np.add.at(full, ex[p], values[p, :, j])
                values[p, :, j] = 0.0
            total = totals.get(year, float(full.sum()))
            fixed = fixed_by_year.get(year, {})
            idx = [iso.index(e) for e in fixed]
            rest = full.copy()
            rest[idx] = 0.0
            if rest.sum() <= 0:
                rest = weights[p].copy()
                rest[[*idx, j]] = 0.0
            rest_sum = rest.sum()
            share = rest / rest_sum * (1.0 - sum(fixed.values())) if rest_sum > 0 else rest
            share[idx] = list(fixed.values())
            rows += [(p, int(i), j, float(v)) for i, v in enumerate(share * total) if v > 0]
    if not rows:
        return None
    arr = np.array(rows)
    return {"p": arr[:, 0].astype(int), "e": arr[:, 1].astype(int),
            "m": arr[:, 2].astype(int), "v": arr[:, 3]}


def _prune(share: np.ndarray) -> np.ndarray:
    """Drop suppliers under :data:`MIN_SHARE` (keeping each importer's largest), renormalise.

    ``share``: (P, exporter, importer), columns summing to 1 over exporters."""
    top = share.max(axis=1, keepdims=True)
    share = np.where((share >= MIN_SHARE) | (share >= top), share, 0.0)
    sums = share.sum(axis=1, keepdims=True)
    return np.divide(share, sums, out=np.zeros_like(share), where=sums > 0)


def _india(share: np.ndarray, ex: np.ndarray, demand: np.ndarray, cols: np.ndarray,
           target: np.ndarray, n: int) -> np.ndarray:
    """India's imports (P, C) in USD, supplier shares calibrated in the full country space.

    A target supplier that the network left out of a product gets a seed share of
    :data:`MIN_SHARE` before the calibration scales it."""
    full = np.zeros((share.shape[0], n))
    rows = np.arange(share.shape[0])[:, None]
    full[rows, ex] = share
    buying = full.sum(axis=1) > 0
    seed = np.zeros(n)
    seed[cols] = MIN_SHARE
    full[buying] += seed[None, :] * (full[buying] == 0)
    sums = full.sum(axis=1, keepdims=True)
    full = np.divide(full, sums, out=np.zeros_like(full), where=sums > 0)
    return _calibrate_india(full, demand, cols, target) * demand[:, None]


def _chapter(ch: str, idx: np.ndarray, net: _Network, rng: np.random.Generator) -> list[dict]:
    """The flows of one chapter, all years, from dense (product, exporter, importer) arrays
    over each product's :data:`TOP_EXPORTERS` largest exporters."""
    n = len(net.iso)
    j_ind = net.iso.index("IND")
    w = net.weights[idx]
    ex = np.argsort(-w, axis=1, kind="stable")[:, :TOP_EXPORTERS]  # (P, K) country index
    wk = np.take_along_axis(w, ex, axis=1).astype(np.float32)
    eta = rng.lognormal(0.0, 0.5, (len(idx), ex.shape[1], n)).astype(np.float32)
    base = wk[:, :, None] * net.region[ex] * eta
    base[ex[:, :, None] == np.arange(n)[None, None, :]] = 0.0  # no self-trade
    del eta
    cols, target = net.india.get(ch, (np.array([], dtype=int), np.array([])))
    parts = []
    for t, year in enumerate(YEARS):
        mu = rng.lognormal(0.0, 0.15, ex.shape).astype(np.float32)
        pref = base * mu[:, :, None]
        sums = pref.sum(axis=1, keepdims=True)
        share = _prune(np.divide(pref, sums, out=np.zeros_like(pref), where=sums > 0))
        del pref
        india = None
        if cols.size:
            india = _india(share[:, :, j_ind], ex, net.demand[idx, j_ind, t], cols, target, n)
            share[:, :, j_ind] = 0.0
        values = (share * net.demand[idx, None, :, t].astype(np.float32)).astype(np.float64)
        extra = _anchored(values, ex, net.codes[idx], year, net.iso, india, w)
        p_i, k_i, m_i = np.nonzero(values > 1.0)
        found = {"p": p_i, "e": ex[p_i, k_i], "m": m_i, "v": values[p_i, k_i, m_i]}
        ind_part = None
        if india is not None:
            p_j, e_j = np.nonzero(india > 1.0)
            ind_part = {"p": p_j, "e": e_j, "m": np.full(len(p_j), j_ind),
                        "v": india[p_j, e_j]}
        for part in (found, extra, ind_part):
            if part is None:
                continue
            parts.append({"year": np.full(len(part["p"]), year, dtype=np.int16),
                          "exporter": part["e"].astype(np.int16),
                          "importer": part["m"].astype(np.int16),
                          "product": idx[part["p"]].astype(np.int32), "value_usd": part["v"]})
    return parts


@dataclass(frozen=True)
class _Network:
    iso: list[str]
    codes: np.ndarray
    weights: np.ndarray  # (P, C) world-export shares
    demand: np.ndarray  # (P, C, T) imports, USD
    region: np.ndarray  # (C, C) float32, same-region bonus
    india: dict[str, tuple[np.ndarray, np.ndarray]]


def generate(seed: int = DEFAULT_SEED, *, chapters: tuple[str, ...] | None = None
             ) -> pd.DataFrame:
    """Generate the demo world: canonical flows (``hs_rev="HS22"``), every HS2022
    subheading, 145 countries as exporters and reporters, years 2015–2023. Values in USD.

    Deterministic for a given ``seed``: about 0.86 million flows a year, 7.8 million in all,
    in under a minute on one core. ``chapters`` (two-digit HS chapters) generates only those
    chapters, with the values they have in the whole world (for quick checks).
    """
    rng = np.random.default_rng(seed)
    ctry = countries()
    prod = _products(rng)
    region = ctry["region"].to_numpy()
    same = np.where(region[:, None] == region[None, :], REGION_BONUS, 1.0).astype(np.float32)
    net = _Network(ctry["iso3"].tolist(), prod.codes, _exporter_weights(prod, ctry, rng),
                   _import_demand(prod, ctry, rng), same, _india_targets(ctry))
    parts: list[dict] = []
    for ch in sorted(set(prod.chapter)):
        if chapters is not None and ch not in chapters:
            continue
        idx = np.flatnonzero(prod.chapter == ch)
        parts += _chapter(ch, idx, net, np.random.default_rng([seed, int(ch)]))
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    iso = np.asarray(net.iso)
    flows = pd.DataFrame({
        "year": cat["year"],
        "exporter": iso[cat["exporter"]],
        "importer": iso[cat["importer"]],
        "hs6": prod.codes[cat["product"]],
        "hs_rev": "HS22",
        "value_usd": cat["value_usd"],
    })
    noise = np.random.default_rng([seed, 999]).lognormal(0.0, 0.15, len(flows))
    flows["quantity_t"] = cat["value_usd"] / (prod.usd_per_t[cat["product"]] * noise)
    flows = flows.sort_values(["year", "hs6", "importer", "exporter"], kind="stable")
    flows = validate_flows(flows.reset_index(drop=True), source="esc demo world")
    flows.attrs["label"] = DEMO_LABEL
    return flows


def _generator_sha256(seed: int) -> str:
    """A fingerprint of what the demo world is made from: this module's source, its
    calibration figures, the HS code list and the seed.

    It stands in for the "input file" hash of a real source in the provenance record, and
    keys the cache so that a changed generator never serves a stale world.
    """
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(calib.__file__).read_bytes())
    codes = hs_codes()
    h.update("\n".join(codes[HS6] + "\t" + codes["description"]).encode("utf-8"))
    h.update(f"seed={seed}".encode())
    return h.hexdigest()


def ensure_cached(seed: int = DEFAULT_SEED) -> Path:
    """Generate the demo world once and keep it in the cache (``demo/<release>/flows``).

    Written through :mod:`esc.cache`: atomic, with a provenance sidecar, safe when two
    processes race. The release name carries the seed and the generator's fingerprint.

    ``$ESC_DEMO_DIR``, when set, is a store of generated worlds shared by several caches
    (e.g. every test of a pytest session): a world found there is linked into the cache
    instead of being generated again, and a newly generated one is copied there. The
    fingerprint in the release name keeps it from ever serving a stale world.
    """
    fingerprint = _generator_sha256(seed)
    release = f"{RELEASE}-seed{seed}-{fingerprint[:10]}"
    path = esc_cache.entry_path("demo", release, "flows")
    if path.is_file() and esc_cache.sidecar_path(path).is_file():
        return path
    shared = os.environ.get("ESC_DEMO_DIR")
    store = Path(shared) / release / path.name if shared else None
    if store is not None and store.is_file() and esc_cache.sidecar_path(store).is_file():
        _share(store, path)
        return path
    flows = generate(seed)
    prov = esc_cache.make_provenance(
        source="demo", release=release, name="flows", input_sha256=fingerprint,
        licence="generated by esc (MIT); calibrated to Atlas chapter and heading figures, WITS "
                "India mirror shares and the public figures in docs/data.md",
        extra={"label": DEMO_LABEL, "seed": seed,
               "generator": f"esc.sources.demo v{GENERATOR_VERSION}",
               "publisher": "esc (generated demo world, not real trade statistics)"})
    written = esc_cache.write_table(flows, "demo", release, "flows", provenance=prov, product="hs6")
    log.info("generated demo world: %s rows -> %s", len(flows), written)
    if store is not None:
        _share(written, store)
    return written


def _share(src: Path, dest: Path) -> None:
    """Hard-link (else copy) a Parquet entry and its sidecar into place atomically, sidecar
    last, so a reader never sees a sidecar without its data."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for a, b in ((src, dest), (esc_cache.sidecar_path(src), esc_cache.sidecar_path(dest))):
        tmp = b.with_name(f".{b.name}.{os.getpid()}.tmp")
        try:
            os.link(a, tmp)
        except OSError:
            shutil.copy2(a, tmp)
        os.replace(tmp, b)


def provenance(seed: int = DEFAULT_SEED) -> dict:
    """The provenance record of the cached demo world (generating it if needed)."""
    return esc_cache.read_provenance(ensure_cached(seed))


def load(
    *,
    years: list[int] | tuple[int, ...] | int | None = None,
    reporters: list[str] | tuple[str, ...] | str | None = None,
    exporters: list[str] | tuple[str, ...] | str | None = None,
    hs6: list[str] | tuple[str, ...] | str | None = None,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """The demo world's flows, filtered while reading. ``df.attrs["label"]`` says demo data.

    An unknown year raises :class:`~esc.errors.UnknownReleaseError` naming the years there are.

    >>> t = load(years=2019, reporters="IND", hs6="850760")
    >>> round(float(t["value_usd"].sum()) / 1e9, 2)
    1.23
    """
    import pyarrow.dataset as ds

    def as_list(v):
        return None if v is None else ([v] if isinstance(v, str | int) else list(v))

    years_l, imp_l, exp_l, hs_l = map(as_list, (years, reporters, exporters, hs6))
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
    return stamp(df, SOURCE.label())


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
        hs_codes().rename(columns={"hs6": "code"}).to_csv(buf, index=False)
        zf.writestr("product_codes_HS22_VDEMO.csv", buf.getvalue())
    return path


class DemoSource(BaseSource):
    """The generated demo world as a source: HS6 flows, every table labelled demo data."""

    name = "demo"
    title = "esc demo world, generated"
    publisher = "esc (generated demo world, not real trade statistics)"
    licence = "generated by esc (MIT)"
    page = "docs/data.md"

    def label(self, release: str | None = None) -> Label:
        """Always demo data; the release is the generator's (``demo-v4``)."""
        return Label(source=self.name, title=self.title, demo=True,
                     release=release or RELEASE, hs_rev="HS22")

    def load(self, query: Query) -> pd.DataFrame:
        """:func:`load` with the query's filters (HS6 only)."""
        self.check_level(query)
        return load(years=query.years, reporters=query.reporters, exporters=query.exporters,
                    hs6=query.products)

    def scan(self, query: Query) -> Scan:
        """The generated world's one Parquet file (generated if needed), every year."""
        return Scan((str(ensure_cached()),), self.label(), "HS22", YEARS)

    def entries(self) -> list[dict]:
        """The provenance of the generated world (generating it if needed)."""
        return [provenance()]

    def provenance(self) -> dict:
        """The demo world's provenance record, as :func:`provenance`."""
        return provenance()


SOURCE = DemoSource()
