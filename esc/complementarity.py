"""Complementarity: where one partner exports what the other depends on.

The joint study's thesis is that India's scale and Japan's technology can together reduce
dependence on third countries. Measured: products where the **exporter** (say India) has a
revealed comparative advantage, RCA >= 1 (Balassa), while the **importer** (say Japan) buys
from concentrated sources (import HHI >= ``hhi_cut``) whose top supplier is a third country.

    RCA_cp        = (X_cp / sum_p X_cp) / (sum_c X_cp / sum_cp X_cp)
    shiftable_usd = M_importer,p x top1_share     imports from the dominant third country

Products are ranked by ``shiftable_usd``: the value that could move to the partner if its
exports grew. RCA is computed on the products present in ``flows``; on a registry-only table
(the demo world) it is relative to that set of products, not to all trade.
"""

from __future__ import annotations

import pandas as pd

from esc import metrics
from esc.countries import check_countries


def complementarity(
    flows: pd.DataFrame,
    *,
    exporter: str = "IND",
    importer: str = "JPN",
    year: int,
    hhi_cut: float = 0.25,
    rca_min: float = 1.0,
    product: str = "hs6",
) -> pd.DataFrame:
    """Products where ``exporter`` has RCA >= ``rca_min`` and ``importer`` depends on a third
    country (HHI >= ``hhi_cut``, top supplier neither of the two), ranked by value.

    Columns: ``<product>, exporter, importer, exporter_rca, exporter_world_exports_usd,
    importer_imports_usd, importer_hhi, top_supplier, top_supplier_share,
    exporter_share_now, shiftable_usd`` (USD; shares 0–1).
    """
    from esc.complexity import export_table, rca

    exporter, importer = check_countries([exporter, importer])
    f = flows[flows["year"] == year]
    ex = rca(export_table(f, product=product))
    ex = ex[ex["country"] == exporter].rename(columns={"product": product, "rca": "exporter_rca",
                                                       "export_value":
                                                       "exporter_world_exports_usd"})
    conc = metrics.concentration(f[f["importer"] == importer], product=product,
                                 country=exporter)
    share_col = f"share_{exporter.lower()}"
    conc = conc.rename(columns={"imports_usd": "importer_imports_usd", "hhi": "importer_hhi",
                                "top1_partner": "top_supplier", "top1_share":
                                "top_supplier_share", share_col: "exporter_share_now"})
    t = ex[[product, "exporter_rca", "exporter_world_exports_usd"]].merge(
        conc[[product, "importer_imports_usd", "importer_hhi", "top_supplier",
              "top_supplier_share", "exporter_share_now"]], on=product, how="inner")
    keep = ((t["exporter_rca"] >= rca_min) & (t["importer_hhi"] >= hhi_cut)
            & ~t["top_supplier"].isin([exporter, importer]))
    t = t[keep].copy()
    t["shiftable_usd"] = t["importer_imports_usd"] * t["top_supplier_share"]
    t.insert(1, "exporter", exporter)
    t.insert(2, "importer", importer)
    t["year"] = year
    out = t.sort_values("shiftable_usd", ascending=False).reset_index(drop=True)
    out.attrs.update(flows.attrs)
    return out


def both_ways(flows: pd.DataFrame, *, year: int, a: str = "IND", b: str = "JPN",
              **kwargs) -> pd.DataFrame:
    """:func:`complementarity` in both directions, stacked, with a ``direction`` column."""
    one = complementarity(flows, exporter=a, importer=b, year=year, **kwargs)
    two = complementarity(flows, exporter=b, importer=a, year=year, **kwargs)
    out = pd.concat([one.assign(direction=f"{a} -> {b}"), two.assign(direction=f"{b} -> {a}")],
                    ignore_index=True)
    out.attrs.update(flows.attrs)
    return out
