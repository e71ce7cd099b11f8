"""The import table: concentration, dependence, chokepoints and complexity in one frame.

This module assembles, for a set of reporters and years, one row per (year, reporter,
product) from any source: import concentration (:mod:`esc.metrics`), the reporter's
imports/exports ratio, the world-export HHI of the product, and its PCI
(:mod:`esc.complexity`), labelled with the sector registry. :func:`esc.vulnerability.overview`
classifies it; the CLI's ``esc dependence`` prints it.

Product level follows the source: HS6 for the demo world, BACI and Comtrade; HS2 chapters
for the WITS mirror data (``product="hs2"``), where the registry is reduced to its chapters.
"""

from __future__ import annotations

import logging

import pandas as pd

from esc import metrics
from esc.countries import check_countries, partner_groups
from esc.registry import products
from esc.schema import DEMO_LABEL

log = logging.getLogger(__name__)

CHAPTER_LEVEL_SOURCES = {"wits-india": "hs2"}

# Short titles of the HS chapters the registry touches (abbreviated from the HS2022 chapter
# titles, World Customs Organization).
CHAPTER_NAMES: dict[str, str] = {
    "25": "Salt, sulphur, earths, stone",
    "26": "Ores, slag and ash",
    "28": "Inorganic chemicals, rare-earth compounds",
    "29": "Organic chemicals",
    "30": "Pharmaceutical products",
    "38": "Miscellaneous chemical products",
    "75": "Nickel",
    "81": "Other base metals",
    "84": "Machinery, computers",
    "85": "Electrical machinery, electronics",
    "90": "Optical, measuring instruments",
}


def product_level(source: str) -> str:
    """``"hs2"`` for chapter-level sources (WITS), else ``"hs6"``."""
    return CHAPTER_LEVEL_SOURCES.get(source, "hs6")


def registry_products(product: str, hs_rev: str, sector: str | list[str] | None) -> pd.DataFrame:
    """Registry codes at the source's level: ``<product>, short_name, sector, product_name``."""
    rev = hs_rev if hs_rev in ("HS22", "HS17") else "HS22"
    if rev != hs_rev and product == "hs6":
        log.warning("the registry has no %s codes; matching on HS2022 codes", hs_rev)
    reg = products(sector=sector, hs_rev=rev)
    if product == "hs6":
        out = reg.drop_duplicates("hs6")[["hs6", "short_name", "sector", "product"]]
    else:
        width = {"hs2": 2, "hs4": 4}[product]
        reg = reg.assign(code=reg["hs6"].str[:width])
        out = reg.groupby("code", sort=False).agg(
            sector=("sector", "first"),
            product=("product", lambda s: "; ".join(dict.fromkeys(s)))).reset_index()
        out = out.rename(columns={"code": product})
        out["short_name"] = out[product].map(CHAPTER_NAMES).fillna(out[product])
        out = out[[product, "short_name", "sector", "product"]]
    return out.reset_index(drop=True)


def _pci_computed(flows: pd.DataFrame, product: str) -> pd.DataFrame:
    from esc import complexity

    exports = complexity.export_table(flows, product=product)
    result = complexity.complexity(exports)
    return result.pci.rename(columns={"product": product})[["year", product, "pci"]]


def _pci_chapters(years: list[int]) -> pd.DataFrame | None:
    """Atlas PCI aggregated to HS2 chapters (world-export-weighted mean of HS4 headings)."""
    try:
        from esc.sources import atlas

        pci = atlas.read_pci()
    except Exception as exc:  # no data folder: PCI stays empty, the table says so
        log.warning("no Atlas PCI table for chapter-level PCI: %s", exc)
        return None
    pci = pci[pci["year"].isin(years)].dropna(subset=["pci"])
    pci = pci.assign(hs2=pci["hs4"].str[:2], w=pci["world_exports_usd"])
    pci["wp"] = pci["w"] * pci["pci"]
    agg = pci.groupby(["year", "hs2"], as_index=False)[["wp", "w"]].sum()
    agg["pci"] = agg["wp"] / agg["w"]
    return agg[["year", "hs2", "pci"]]


def import_table(
    *,
    source: str = "demo",
    reporters: tuple[str, ...] | list[str] = ("IND", "JPN"),
    years: list[int] | tuple[int, ...] = (2023,),
    sector: str | list[str] | None = None,
    merge_hk: bool = False,
    pci: pd.DataFrame | None = None,
    flows: pd.DataFrame | None = None,
    groups: dict[str, frozenset[str]] | None = None,
) -> pd.DataFrame:
    """One row per (year, reporter, registry product) with concentration, dependence,
    chokepoint and complexity columns (see :func:`esc.vulnerability.overview`).

    ``flows`` may be passed directly (any canonical flows table); otherwise it is loaded
    with :func:`esc.data.load_flows` from ``source``. ``groups`` (default
    :func:`esc.countries.partner_groups`) gives one ``share_<group>`` column each. Values in
    USD, shares 0–1.
    """
    reporters = check_countries(list(reporters), what="reporter")
    years = [int(y) for y in years]
    product = product_level(source)
    if flows is None:
        from esc import data

        flows = data.load_flows(source, years=years)
    hs_rev = str(flows["hs_rev"].iloc[0]) if len(flows) else "HS22"
    reg = registry_products(product, hs_rev, sector)
    codes = reg[product].tolist()
    sel = flows[flows[product].isin(codes)]
    groups = dict(groups) if groups is not None else partner_groups()
    conc = metrics.concentration(sel[sel["importer"].isin(reporters)], product=product,
                                 merge_hk=merge_hk, country="CHN", groups=groups)
    table = conc.merge(reg, on=product, how="left")
    table = table.merge(_ratios(flows, reporters, product), on=["year", "importer", product],
                        how="left")
    if (sel["importer"].nunique() > 1):
        world = metrics.world_export_concentration(sel, product=product, merge_hk=merge_hk)
        table = table.merge(world[["year", product, "export_hhi"]], on=["year", product],
                            how="left")
    else:  # mirror data: one importer only, no world-export view
        table["export_hhi"] = float("nan")
    table = table.merge(_pci(pci, flows, product, years), on=["year", product], how="left")
    table = _order(table, product)
    label = DEMO_LABEL if source == "demo" else flows.attrs.get("label", f"source: {source}")
    table.attrs.update({"label": label, "source": source, "product": product,
                        "merge_hk": merge_hk})
    return table


def _ratios(flows: pd.DataFrame, reporters: list[str], product: str) -> pd.DataFrame:
    frames = []
    for country in reporters:
        if not (flows["exporter"] == country).any():
            continue  # the source has no exports of this reporter (e.g. WITS mirror imports)
        r = metrics.import_export_ratio(flows, country, product=product)
        frames.append(r.assign(importer=country)[["year", "importer", product,
                                                  "import_export_ratio"]])
    if not frames:
        return pd.DataFrame({"year": pd.Series(dtype="int16"), "importer": pd.Series(dtype=str),
                             product: pd.Series(dtype=str),
                             "import_export_ratio": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)


def _pci(pci: pd.DataFrame | None, flows: pd.DataFrame, product: str,
         years: list[int]) -> pd.DataFrame:
    if pci is not None:
        out = pci.copy()
        if "year" not in out.columns:
            out = out.merge(pd.DataFrame({"year": years}), how="cross")
        return out[["year", product, "pci"]]
    if product == "hs6":
        return _pci_computed(flows, product)
    chapters = _pci_chapters(years)
    if chapters is None:
        return pd.DataFrame({"year": pd.Series(dtype="int16"), product: pd.Series(dtype=str),
                             "pci": pd.Series(dtype=float)})
    return chapters


def _order(table: pd.DataFrame, product: str) -> pd.DataFrame:
    first = ["year", "importer", product, "short_name", "sector", "product", "imports_usd",
             "n_partners", "hhi", "top1_partner", "top1_share", "top3_share", "eff_suppliers",
             "share_chn", "share_trusted", "import_export_ratio", "export_hhi", "pci"]
    cols = [c for c in first if c in table.columns]
    cols += [c for c in table.columns if c not in cols]
    table["year"] = table["year"].astype("int16")
    return table[cols].sort_values(["year", "importer", "imports_usd"],
                                   ascending=[True, True, False]).reset_index(drop=True)
