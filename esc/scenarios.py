"""Scenarios: what if one supplier stops exporting?

For one reporter and year, each product's imports from the named supplier are the **value at
risk**. The other exporters' world exports of the same product (excluding the supplier and
the reporter itself) bound how much of it could be replaced:

    at_risk_usd      = M_rs                       imports of reporter r from supplier s
    alt_exports_usd  = sum_{i != s, i != r} X_i   world exports of the alternatives
    coverable_usd    = min(at_risk_usd, alt_exports_usd)
    coverable_share  = coverable_usd / at_risk_usd

It is an upper bound: it assumes the alternatives could redirect all their current exports to
the reporter, with no new capacity, price or time constraints. ``replacement="trusted"``
counts only exporters in the "trusted" partner group (``data/partner_groups.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from esc.countries import RE_EXPORT_HUBS, check_countries, partner_groups
from esc.errors import UnknownReleaseError


def supplier_stop(
    flows: pd.DataFrame,
    *,
    reporter: str,
    supplier: str = "CHN",
    year: int,
    replacement: str = "all",
    merge_hk: bool = False,
    product: str = "hs6",
    groups: dict[str, frozenset[str]] | None = None,
) -> pd.DataFrame:
    """Value at risk and coverable share per product when ``supplier`` stops exporting.

    Returns ``year, importer, <product>, imports_usd, at_risk_usd, at_risk_share,
    alt_exports_usd, coverable_usd, coverable_share, uncovered_usd`` (USD; shares 0–1),
    largest value at risk first. ``merge_hk`` counts Hong Kong and Macao as the supplier
    when the supplier is China (re-exports stop too).
    """
    reporter, supplier = check_countries([reporter, supplier])
    if replacement not in ("all", "trusted"):
        raise UnknownReleaseError(f"replacement must be 'all' or 'trusted', not {replacement!r}")
    f = flows[flows["year"] == year]
    if f.empty:
        raise UnknownReleaseError(f"no flows for year {year}; years: "
                                  f"{', '.join(map(str, sorted(flows['year'].unique())))}")
    stopped = {supplier} | (set(RE_EXPORT_HUBS) if merge_hk and supplier == "CHN" else set())
    imp = f[f["importer"] == reporter]
    total = imp.groupby(product)["value_usd"].sum().rename("imports_usd")
    risk = imp[imp["exporter"].isin(stopped)].groupby(product)["value_usd"].sum()
    alt = f[~f["exporter"].isin(stopped | {reporter})]
    if replacement == "trusted":
        trusted = (groups or partner_groups())["trusted"] - {reporter}
        alt = alt[alt["exporter"].isin(trusted)]
    alt_x = alt.groupby(product)["value_usd"].sum()
    out = pd.DataFrame({"imports_usd": total})
    out["at_risk_usd"] = risk.reindex(out.index).fillna(0.0)
    out["at_risk_share"] = out["at_risk_usd"] / out["imports_usd"]
    out["alt_exports_usd"] = alt_x.reindex(out.index).fillna(0.0)
    out["coverable_usd"] = np.minimum(out["at_risk_usd"], out["alt_exports_usd"])
    with np.errstate(invalid="ignore", divide="ignore"):
        out["coverable_share"] = np.where(out["at_risk_usd"] > 0,
                                          out["coverable_usd"] / out["at_risk_usd"], np.nan)
    out["uncovered_usd"] = out["at_risk_usd"] - out["coverable_usd"]
    out = out.reset_index().assign(year=year, importer=reporter)
    cols = ["year", "importer", product] + [c for c in out.columns
                                            if c not in ("year", "importer", product)]
    out = out[cols].sort_values("at_risk_usd", ascending=False).reset_index(drop=True)
    out.attrs.update(flows.attrs)
    out.attrs.update({"supplier": supplier, "replacement": replacement})
    return out


def by_sector(result: pd.DataFrame, labels: pd.DataFrame, *, product: str = "hs6") -> pd.DataFrame:
    """Sum a :func:`supplier_stop` result by sector (``labels``: ``<product>, sector``).

    ``coverable_share`` is recomputed from the sums (value-weighted).
    """
    t = result.merge(labels[[product, "sector"]].drop_duplicates(product), on=product,
                     how="left")
    t["sector"] = t["sector"].fillna("other")
    cols = ["imports_usd", "at_risk_usd", "alt_exports_usd", "coverable_usd", "uncovered_usd"]
    out = t.groupby("sector", as_index=False)[cols].sum()
    out["at_risk_share"] = out["at_risk_usd"] / out["imports_usd"]
    out["coverable_share"] = out["coverable_usd"] / out["at_risk_usd"].where(
        out["at_risk_usd"] > 0)
    out = out.sort_values("at_risk_usd", ascending=False).reset_index(drop=True)
    out.attrs.update(result.attrs)
    return out
