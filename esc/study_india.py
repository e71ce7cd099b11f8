"""India's own statistics in the study: loading DGCI&S and MEIDB tables for the analysis of
:mod:`esc.india` (which takes tables and reads nothing)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from esc import complexity, india, registry
from esc.countries import check_countries
from esc.errors import EscError, UnknownReleaseError
from esc.schema import HS6
from esc.sources import atlas, dgcis, meidb
from esc.sources import hs as hs_tables

log = logging.getLogger(__name__)


def india_dependence(
    source: str,
    *,
    year: int,
    reporters: Iterable[str] | None = None,
    sector: str | list[str] | None = None,
    merge_hk: bool = False,
    groups: Mapping[str, Iterable[str]] | None = None,
    preset: str = "study",
    hhi_cut: float | None = None,
    pci_cut: float | None = None,
) -> pd.DataFrame:
    """The ``esc dependence --source dgcis|meidb`` table (:func:`esc.india.dependence`).

    ``dgcis``: one row per principal commodity of the fiscal year starting in ``year``
    (``sector``: names in ``data/dgcis_sectors.csv``). ``meidb``: one row per HS6 line of
    calendar ``year`` (``sector``: the sector registry), with the Atlas PCI of its heading
    where the Atlas table is present.
    """
    wanted = check_countries(list(reporters or ["IND"]), what="reporter")
    if set(wanted) != {dgcis.REPORTER}:
        raise UnknownReleaseError(f"{source} holds India's imports only: use --reporter IND")
    options = {"merge_hk": merge_hk, "groups": groups, "preset": preset, "hhi_cut": hhi_cut,
               "pci_cut": pci_cut}
    if source == dgcis.CACHE_SOURCE:
        table = dgcis.read(years=[year], commodities=india.sector_commodities(sector))
        return india.dependence(table, **options)
    if source != meidb.CACHE_SOURCE:
        raise UnknownReleaseError(f"India's own statistics are dgcis or meidb, not {source!r}")
    codes = registry.products(sector=sector)[HS6].unique().tolist() if sector else None
    table = meidb.read(years=[year], level=HS6, freq="year", codes=codes)
    if table.empty:
        raise UnknownReleaseError(f"the MEIDB files hold no line of sector {sector!r} "
                                  "(they cover graphite, lithium compounds and copper)")
    lines = meidb.read(years=[year], codes=codes)
    names = lines.groupby(HS6)["description"].agg(lambda s: "; ".join(dict.fromkeys(s)))
    pci = atlas_pci_of_lines(sorted(table[HS6].unique()), year)
    return india.dependence(table, names=names.to_dict(), pci=pci, **options)


def atlas_pci_of_lines(codes: list[str], year: int) -> pd.DataFrame:
    """Atlas PCI of each HS6 code's HS92 heading (:func:`esc.complexity.pci_for_hs6`) with a
    note of the mapping, or NaN with the reason when the Atlas or correlation table is absent.
    Columns ``hs6, pci, pci_note``."""
    try:
        pci = complexity.pci_for_hs6(codes, hs_rev="HS22" if year >= meidb.HS22_FROM else "HS17",
                                     atlas_pci=atlas.read_pci(),
                                     correlation=hs_tables.correlation_hs22_hs17())
    except EscError as exc:  # no Atlas table or correlation: the column says why
        log.warning("no Atlas PCI for MEIDB lines: %s", exc)
        return pd.DataFrame({HS6: codes, "pci": np.nan,
                             "pci_note": f"no PCI: Atlas PCI table unavailable ({exc})"})
    pci["pci_note"] = ("Atlas PCI " + pci["pci_year"].astype("Int64").astype(str) + " of HS92 "
                       + pci["hs92_hs4"].astype(str) + " (" + pci["mapping"] + ")")
    return pci[[HS6, "pci", "pci_note"]]
