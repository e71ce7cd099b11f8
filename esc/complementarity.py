"""Complementarity: where one partner exports what the other depends on.

The joint study's thesis is that India's scale and Japan's technology can together reduce
dependence on third countries. Measured: products where the **exporter** (say India) has a
revealed comparative advantage, RCA >= 1 (Balassa), while the **importer** (say Japan) buys
from concentrated sources (import HHI >= ``hhi_cut``) whose top supplier is a third country.

    RCA_cp                  = (X_cp / sum_p X_cp) / (sum_c X_cp / sum_cp X_cp)
    shiftable_uncapped_usd  = M_importer,p x top1_share   imports from the dominant third country
    shiftable_usd           = min(shiftable_uncapped_usd, X_exporter,p)

The partner cannot sell Japan more than it sells the whole world today, so the shiftable value
is capped by the exporter's world exports of the product (the uncapped value is shown next to
it). Products are ranked by the capped ``shiftable_usd``.

:func:`could_relocate` lists, separately, products the exporter does *not* make yet (RCA < 1)
but is close to making: its density in the product (:mod:`esc.relatedness`, the Atlas
measure) is among its highest, and the importer depends on a third country. They are ranked by
``value x density`` (value: the importer's imports from the dominant third country, USD).

RCA and density are computed on the products present in ``flows``; on a registry-only table
they are relative to that set of products, not to all trade.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from esc import metrics
from esc.complexity import export_table, rca
from esc.countries import check_countries
from esc.errors import BadValueError
from esc.relatedness import relatedness

COMPLEMENTARITY_COLUMNS = ("exporter", "importer", "exporter_rca",
                           "exporter_world_exports_usd", "importer_imports_usd", "importer_hhi",
                           "top_supplier", "top_supplier_share", "exporter_share_now",
                           "shiftable_uncapped_usd", "shiftable_usd", "capped", "year")
"""Columns of :func:`complementarity` after the product column."""
RELOCATE_COLUMNS = ("exporter", "importer", "exporter_rca", "exporter_world_exports_usd",
                    "density", "density_cut", "cog", "importer_imports_usd", "importer_hhi",
                    "top_supplier", "top_supplier_share", "value_usd", "score", "year")
"""Columns of :func:`could_relocate` after the product column."""


def empty(product: str = "hs6", *, relocate: bool = False) -> pd.DataFrame:
    """A result of :func:`complementarity` (or :func:`could_relocate`) with no rows."""
    cols = RELOCATE_COLUMNS if relocate else COMPLEMENTARITY_COLUMNS
    return pd.DataFrame({c: [] for c in (product, *cols)})


def complementarity(
    flows: pd.DataFrame,
    *,
    exporter: str = "IND",
    reporter: str = "JPN",
    year: int,
    hhi_cut: float = 0.25,
    rca_min: float = 1.0,
    product: str = "hs6",
) -> pd.DataFrame:
    """Products where ``exporter`` has RCA >= ``rca_min`` and the importing country
    ``reporter`` depends on a third country (HHI >= ``hhi_cut``, top supplier neither of the
    two), ranked by value.

    Columns: ``<product>, exporter, importer, exporter_rca, exporter_world_exports_usd,
    importer_imports_usd, importer_hhi, top_supplier, top_supplier_share,
    exporter_share_now, shiftable_uncapped_usd, shiftable_usd, capped`` (USD; shares 0–1;
    ``capped`` is True where the exporter's world exports bind).
    """
    exporter, importer = check_countries([exporter, reporter])
    f = flows[flows["year"] == year]
    ex = rca(export_table(f, product=product))
    ex = ex[ex["country"] == exporter].rename(columns={"product": product, "rca": "exporter_rca",
                                                       "export_value":
                                                       "exporter_world_exports_usd"})
    conc = metrics.concentration(f[f["importer"] == importer], product=product,
                                 supplier=exporter)
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
    t["shiftable_uncapped_usd"] = t["importer_imports_usd"] * t["top_supplier_share"]
    t["shiftable_usd"] = t[["shiftable_uncapped_usd", "exporter_world_exports_usd"]].min(axis=1)
    t["capped"] = t["shiftable_uncapped_usd"] > t["exporter_world_exports_usd"]
    t.insert(1, "exporter", exporter)
    t.insert(2, "importer", importer)
    t["year"] = year
    out = t.sort_values("shiftable_usd", ascending=False).reset_index(drop=True)
    out.attrs.update(flows.attrs)
    out.attrs.update({"year": year, "assumption": (
        f"shiftable = {importer}'s imports from its dominant third-country supplier, capped by "
        f"{exporter}'s world exports; {exporter} RCA >= {rca_min:g}, {importer} HHI >= "
        f"{hhi_cut:g}")})
    return out


@dataclass(frozen=True)
class ExportSpace:
    """One year's export table (:func:`esc.complexity.export_table`) and its product-space
    density (:func:`esc.relatedness.relatedness`), the same for every pair of countries."""

    exports: pd.DataFrame
    density: pd.DataFrame


def export_space(flows: pd.DataFrame, *, year: int, product: str = "hs6") -> ExportSpace:
    """The :class:`ExportSpace` of ``year`` in ``flows`` (every country's exports)."""
    ex_rows = export_table(flows[flows["year"] == year], product=product)
    return ExportSpace(ex_rows, relatedness(ex_rows).density)


def could_relocate(
    flows: pd.DataFrame,
    *,
    exporter: str = "IND",
    reporter: str = "JPN",
    year: int,
    hhi_cut: float = 0.25,
    density_quantile: float = 0.75,
    product: str = "hs6",
    space: ExportSpace | None = None,
) -> pd.DataFrame:
    """Products ``exporter`` does not make yet but is close to, that the importing country
    ``reporter`` needs.

    Kept: ``exporter`` RCA < 1 (Balassa; no comparative advantage yet) and density (Atlas,
    binary RCA presence, :func:`esc.relatedness.relatedness`) at or above the
    ``density_quantile`` of its densities over all products it does not make; ``reporter``
    import HHI >= ``hhi_cut`` with a top supplier that is neither of the two. Ranked by

        score = value_usd x density,  value_usd = M_importer,p x top1_share  (USD)

    Columns: ``<product>, exporter, importer, exporter_rca, exporter_world_exports_usd,
    density, density_cut, cog, importer_imports_usd, importer_hhi, top_supplier,
    top_supplier_share, value_usd, score, year``. ``space``: the year's
    :func:`export_space` when the caller has it (it is the same for every pair; computing
    it is most of the cost).
    """
    exporter, importer = check_countries([exporter, reporter])
    if not 0.0 <= density_quantile <= 1.0:
        raise BadValueError(f"density_quantile must be between 0 and 1, not {density_quantile}",
                            column="density_quantile")
    f = flows[flows["year"] == year]
    space = space or export_space(flows, year=year, product=product)
    ex_rows, rel = space.exports, space.density
    mine = rel[rel["country"] == exporter].rename(columns={"product": product})
    if mine.empty:
        return _empty_relocate(flows, product, year)
    r = rca(ex_rows)
    r = r[r["country"] == exporter].rename(columns={"product": product, "rca": "exporter_rca",
                                                    "export_value":
                                                    "exporter_world_exports_usd"})
    t = mine[[product, "density", "cog", "mcp"]].merge(
        r[[product, "exporter_rca", "exporter_world_exports_usd"]], on=product, how="left")
    t[["exporter_rca", "exporter_world_exports_usd"]] = t[
        ["exporter_rca", "exporter_world_exports_usd"]].fillna(0.0)
    t = t[t["mcp"] == 0]
    cut = float(t["density"].quantile(density_quantile)) if len(t) else float("nan")
    t = t[t["density"] >= cut].assign(density_cut=cut)
    conc = metrics.concentration(f[f["importer"] == importer], product=product,
                                 supplier=exporter).rename(columns={
        "imports_usd": "importer_imports_usd", "hhi": "importer_hhi",
        "top1_partner": "top_supplier", "top1_share": "top_supplier_share"})
    t = t.merge(conc[[product, "importer_imports_usd", "importer_hhi", "top_supplier",
                      "top_supplier_share"]], on=product, how="inner")
    t = t[(t["importer_hhi"] >= hhi_cut) & ~t["top_supplier"].isin([exporter, importer])].copy()
    t["value_usd"] = t["importer_imports_usd"] * t["top_supplier_share"]
    t["score"] = t["value_usd"] * t["density"]
    t.insert(1, "exporter", exporter)
    t.insert(2, "importer", importer)
    t["year"] = year
    cols = [product, "exporter", "importer", "exporter_rca", "exporter_world_exports_usd",
            "density", "density_cut", "cog", "importer_imports_usd", "importer_hhi",
            "top_supplier", "top_supplier_share", "value_usd", "score", "year"]
    out = t[cols].sort_values("score", ascending=False).reset_index(drop=True)
    out.attrs.update(flows.attrs)
    out.attrs.update({"year": year, "assumption": (
        f"{exporter} RCA < 1 and density in its top {1 - density_quantile:.0%} of products it "
        f"does not make; {importer} HHI >= {hhi_cut:g}; ranked by value x density")})
    return out


def _empty_relocate(flows: pd.DataFrame, product: str, year: int) -> pd.DataFrame:
    out = empty(product, relocate=True)
    out.attrs.update(flows.attrs)
    out.attrs["year"] = year
    return out


def both_ways(flows: pd.DataFrame, *, year: int,
              reporters: tuple[str, str] | list[str] = ("IND", "JPN"), **kwargs) -> pd.DataFrame:
    """:func:`complementarity` in both directions between the two ``reporters``, stacked, with
    a ``direction`` column."""
    a, b = reporters[0], reporters[1]
    one = complementarity(flows, exporter=a, reporter=b, year=year, **kwargs)
    two = complementarity(flows, exporter=b, reporter=a, year=year, **kwargs)
    out = pd.concat([one.assign(direction=f"{a} -> {b}"), two.assign(direction=f"{b} -> {a}")],
                    ignore_index=True)
    out.attrs.update(flows.attrs)
    return out
