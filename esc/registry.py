"""The sector registry: the joint study's 4 sectors and 8 priority products, the fact
sheet's sectors and a critical-minerals list, each with HS6 codes per HS revision.

It lives in ``data/sectors.csv`` (columns ``origin, sector, product, hs6, hs_rev,
short_name, basis``) and is rebuilt by ``tools/build_registry.py``. HS2022 codes come from
the design card's list expanded against the HS2022 nomenclature; HS2017 rows from the UNSD
HS2022-HS2017 correlation. Flat-panel display modules (8524) have no HS2017 row: in HS2017
they were parts of their host machines (an n:n link with hundreds of codes).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from esc.config import package_data_dir
from esc.errors import MissingColumnError, UnknownReleaseError

REGISTRY_COLUMNS = ["origin", "sector", "product", "hs6", "hs_rev", "short_name", "basis"]
ORIGINS = ("study", "critical_minerals", "fact_sheet")


@cache
def _read(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in REGISTRY_COLUMNS:
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path=path, column=col)
    return df


def load_registry(path: str | Path | None = None) -> pd.DataFrame:
    """The whole registry as a DataFrame (a copy; edit freely)."""
    file = Path(path) if path else package_data_dir() / "sectors.csv"
    return _read(str(file)).copy()


def sectors(origin: str | None = "study") -> list[str]:
    """Sector names, in registry order (``origin=None`` for every list)."""
    reg = load_registry()
    if origin:
        reg = reg[reg["origin"] == origin]
    return list(dict.fromkeys(reg["sector"]))


def products(
    *,
    sector: str | list[str] | None = None,
    origin: str | None = None,
    hs_rev: str = "HS22",
) -> pd.DataFrame:
    """Registry rows for one HS revision, optionally restricted to sectors or an origin.

    ``sector`` matches the sector name or the product name, case-insensitively, so
    ``sector="Batteries"`` and ``sector="energy and critical minerals"`` both work.
    Raises :class:`~esc.errors.UnknownReleaseError` on a name that matches nothing.

    >>> products(sector="Permanent magnets")["hs6"].tolist()
    ['850511', '850519', '280530', '284610', '284690']
    """
    reg = load_registry()
    if hs_rev not in set(reg["hs_rev"]):
        raise UnknownReleaseError(f"the registry has no {hs_rev} codes (has "
                                  f"{', '.join(sorted(set(reg['hs_rev'])))})")
    reg = reg[reg["hs_rev"] == hs_rev]
    if origin:
        reg = reg[reg["origin"] == origin]
    if sector:
        wanted = [sector] if isinstance(sector, str) else list(sector)
        masks = []
        for name in wanted:
            key = name.strip().lower()
            m = (reg["sector"].str.lower() == key) | (reg["product"].str.lower() == key)
            if not m.any():
                known = sorted(set(reg["sector"]) | set(reg["product"]))
                raise UnknownReleaseError(f"unknown sector or product {name!r}; known: "
                                          + ", ".join(known))
            masks.append(m)
        reg = reg[pd.concat(masks, axis=1).any(axis=1)]
    return reg.reset_index(drop=True)


def hs6_codes(*, sector: str | list[str] | None = None, hs_rev: str = "HS22") -> list[str]:
    """Distinct HS6 codes of the registry (all lists), in registry order."""
    return list(dict.fromkeys(products(sector=sector, hs_rev=hs_rev)["hs6"]))


def product_labels(hs_rev: str = "HS22") -> pd.DataFrame:
    """One row per HS6 code: ``hs6, short_name, sector, product`` (first listing wins)."""
    reg = products(hs_rev=hs_rev)
    return reg.drop_duplicates("hs6")[["hs6", "short_name", "sector", "product"]].reset_index(
        drop=True)


def dgcis_sectors(path: str | Path | None = None) -> pd.DataFrame:
    """The study's sectors mapped to DGCI&S principal commodities (``data/dgcis_sectors.csv``):
    ``sector, product, principal_commodity, fit, also_contains``."""
    file = package_data_dir() / "dgcis_sectors.csv" if path is None else Path(path)
    df = pd.read_csv(file, dtype=str, comment="#", keep_default_na=False)
    for col in ("sector", "product", "principal_commodity", "fit", "also_contains"):
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path=file, column=col)
    return df
