"""The study: where esc loads flows once and builds the tables the CLI and notebooks show.

This is esc's one orchestration home. The analysis modules (:mod:`esc.analysis`,
:mod:`esc.vulnerability`, :mod:`esc.scenarios`, :mod:`esc.complementarity`,
:mod:`esc.initiatives`) take tables and return tables; this module reads the data for them:

- :func:`product_level` asks the source registry at which level a source's flows are
  (``hs6`` for the demo world, BACI and Comtrade; ``hs2`` chapters for the WITS mirror data),
  and every table below is built at that level: nothing downstream assumes ``hs6``;
- :func:`load_flows` reads flows through :func:`esc.data.load_flows` with the reporters,
  years and products pushed into the scan;
- :func:`overview` is the classified vulnerability matrix of the registry (``esc dependence``
  and the overview notebook), :func:`screen` the screen of every imported product;
- :func:`not_applicable` says, in one sentence, why a section cannot be computed from a
  table (an HS6-only method on chapter data, a one-importer mirror table where a complete world
  is needed); the notebooks print it and go on;
- :func:`india_dependence` loads India's own statistics (DGCI&S principal commodities, MEIDB
  lines) for :func:`esc.india.dependence` (``esc dependence --source dgcis|meidb``).

Default scope (the same in the CLI and the notebooks): the study's four sectors
(:data:`DEFAULT_SCOPE`), printed by :func:`scope_text`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from esc import (
    analysis,
    complementarity,
    complexity,
    controls,
    data,
    india,
    initiative_table,
    memo,
    registry,
    scenarios,
    vulnerability,
)
from esc import screen as screening
from esc.countries import check_countries
from esc.errors import BadValueError, EscError, UnknownReleaseError
from esc.initiatives import filter_initiatives
from esc.label import carry, label_of, stamp
from esc.schema import HS6
from esc.sources import atlas, demo, dgcis, meidb
from esc.sources import hs as hs_tables

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_SCOPE",
    "MIN_WORLD_IMPORTERS",
    "atlas_pci_of_lines",
    "import_table",
    "india_dependence",
    "load_flows",
    "not_applicable",
    "overview",
    "product_level",
    "registry_codes",
    "scope",
    "scope_text",
    "screen",
    "screen_text",
]

DEFAULT_SCOPE = "study"
"""Registry origin used when no sector is given: the joint study's four sectors."""

MIN_WORLD_IMPORTERS = 2
"""A flows table with fewer importers is one reporter's (mirror) imports, not a world: methods
that need every country's exports (RCA, complementarity, redirectable exports) do not apply."""


def product_level(source: str) -> str:
    """The product column of ``source``'s flows (``hs6``, ``hs4``, ``hs2``, ...), from the
    source registry (:func:`esc.data.product_level`).

    >>> product_level("demo")
    'hs6'
    """
    return data.product_level(source)


def scope(sector: str | list[str] | None) -> str | list[str]:
    """The sectors a table covers: ``sector``, or the study's four sectors when None."""
    return sector if sector else registry.sectors(DEFAULT_SCOPE)


def scope_text(sector: str | list[str] | None, level: str = "hs6") -> str:
    """One line naming the scope, e.g. ``"scope: the study's four sectors (... ; 93 hs6 codes)"``.

    >>> scope_text("Batteries").startswith("scope: Batteries")
    True
    """
    chosen = scope(sector)
    codes = registry_codes(chosen, level)
    names = chosen if isinstance(chosen, str) else "; ".join(chosen)
    head = "the study's four sectors" if not sector else names
    return f"scope: {head}; {len(codes)} {level} codes"


def registry_codes(sector: str | list[str] | None, level: str = "hs6",
                   hs_rev: str = "HS22") -> list[str]:
    """The registry's codes for ``sector`` at ``level`` (HS6 codes cut to their heading or
    chapter for ``hs4``/``hs2``; every registry code when ``sector`` is None)."""
    return analysis.registry_products(level, hs_rev, sector)[level].tolist()


def load_flows(
    source: str,
    *,
    years: Iterable[int],
    reporters: Iterable[str] | None = None,
    products: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Flows of ``source`` at its own level, with filters pushed into the scan.

    ``reporters`` are importers (None: every importer, as world measures need); ``products``
    are codes at the source's level (:func:`product_level`); both go into the source's scan
    (:func:`esc.data.load_flows`).
    """
    wanted = None if products is None else sorted({str(p) for p in products})
    importers = None if reporters is None else check_countries(list(reporters),
                                                               what="reporter")
    flows = data.load_flows(source, years=list(years), reporters=importers,
                            products=wanted or None)
    if wanted == []:  # no codes asked for: no flows (an empty filter is no filter to a scan)
        flows = carry(flows, flows.iloc[:0].reset_index(drop=True))
    return flows


def not_applicable(table: pd.DataFrame | None, *, needs: str = "hs6") -> str | None:
    """Why a method cannot use ``table``, in one sentence; None when it can.

    ``needs="hs6"``: an HS6-only method (the full screen, export controls on HS6 codes) on
    data at another level. ``needs="world"``: a method that needs every country's exports
    (complementarity, alternatives' redirectable exports) on a table with fewer than
    :data:`MIN_WORLD_IMPORTERS` importers (a reporter's own or mirror imports).
    """
    if table is None:
        return None
    found = label_of(table)
    name = found.source if found and found.source else "this source"
    level = (found.product_level if found else None) or table.attrs.get("product", "hs6")
    if needs == "hs6" and level != "hs6":
        return (f"{name} is at {level} level: this section needs HS6 products and is "
                "skipped.")
    if needs == "world" and "importer" in table.columns:
        n = table["importer"].nunique()
        if n < MIN_WORLD_IMPORTERS:
            return (f"{name} holds the imports of {n} reporter(s) only: this section needs "
                    "every country's exports and is skipped.")
    return None


def screen(
    *,
    source: str = "demo",
    reporters: Sequence[str] | None = ("IND",),
    year: int = 2023,
    preset: str = "study",
    **options,
) -> pd.DataFrame:
    """The screen of every product the reporters import (:func:`esc.screen.screen`).

    The screen is an HS6 method; at another product level it returns an empty screen table
    whose ``attrs["skipped"]`` says why (:func:`not_applicable`), so that its summaries are
    empty and a notebook goes on.
    """
    level = product_level(source)
    if level == "hs6":
        return _screen_memoised(source, reporters, year, preset, options)
    out = stamp(screening.empty_screen(), data.label(source))
    out.attrs.update({"product": level, "preset": preset, "years": [], "skipped": (
                          f"{source} is at {level} level: the screen of every product needs "
                          "HS6 flows and is skipped.")})
    return out


def _screen_memoised(source: str, reporters: Sequence[str] | None, year: int, preset: str,
                     options: dict) -> pd.DataFrame:
    """The HS6 screen through the results memo (:func:`esc.memo.memoised`).

    For a source read from Parquet files the screen of every product is stored once and the
    ``sector`` filter applied to it afterwards (the filter only drops rows of the finished
    screen, as :func:`esc.screen.screen` does), so the notebooks of one report share it. The
    key holds the source's provenance and files, every parameter and esc's code: a changed
    data file, parameter or code computes anew.
    """
    found = data.scan(source)
    shared = dict(options)
    sector = shared.pop("sector", None) if found is not None else None
    back = int(shared.get("years_back", 0))
    # the options left at their defaults are keyed as such; years_back below 2 reads the same
    # years as 2 (esc.screen.screen_years) and differs only in attrs["years_requested"]
    params = {**_SCREEN_DEFAULTS, "source": source, "year": int(year), "preset": preset,
              "reporters": None if reporters is None else list(reporters), **shared,
              "years_back": max(back, 2)}

    def compute() -> pd.DataFrame:
        first = range(year - max(int(shared.get("years_back", 0)), 2), year + 1)
        out = screening.screen(**screen_inputs(source, first), reporters=reporters, year=year,
                               preset=preset, **{"atlas_pci": atlas_pci, **shared})
        out.attrs.update({"skipped": None, "source": source})
        return out

    table = memo.memoised("screen", params, source, compute)
    table.attrs["years_requested"] = back + 1
    if not sector:
        return table
    keep = set(analysis.registry_products("hs6", found.hs_rev or "HS22", sector)["hs6"])
    out = table[table["hs6"].isin(keep)].reset_index(drop=True)
    out.attrs.update(table.attrs)
    return out


_SCREEN_DEFAULTS = {name: p.default for name, p in
                    inspect.signature(screening.screen).parameters.items()
                    if name in ("years_back", "pci", "merge_hk", "groups", "hhi_cut", "pci_cut")}
"""Defaults of :func:`esc.screen.screen`'s options, so that a call leaving one out and a call
naming its default share a memo entry."""


def screen_inputs(source: str, years: Iterable[int]) -> dict:
    """What :func:`esc.screen.screen` reads for a source: its Parquet files out of core when
    the source has a :class:`esc.source.Scan` (the demo world, BACI), else the flows of
    ``years`` loaded through :func:`load_flows`; with the label, HS revision, the years the
    source holds and the HS2022 names of the products."""
    found = data.scan(source)
    if found is not None:
        inputs = {"flows": list(found.paths), "label": found.label, "hs_rev": found.hs_rev,
                  "available": list(found.years), "unique_flows": True}
    else:
        flows = data.load_flows(source, years=[y for y in years])
        inputs = {"flows": flows, "label": label_of(flows), "available": None}
    return {**inputs, "names": demo.hs_codes()}


def screen_text(table: pd.DataFrame, year: int) -> str:
    """What a screen holds, for a notebook to print: its label and row count, or the one
    sentence saying why it was skipped."""
    if table.attrs.get("skipped"):
        return str(table.attrs["skipped"])
    rows = int((table["year"] == year).sum())
    return (f"{table.attrs.get('label', '')}\n{rows:,} (reporter, product) rows in {year}; "
            f"years read: {table.attrs.get('years')}")


def atlas_pci() -> analysis.AtlasTables | None:
    """The Atlas PCI table (:func:`esc.sources.atlas.read_pci`) with the HS2022-HS2017
    correlation that places HS2022 codes in it (:func:`esc.sources.hs.correlation_hs22_hs17`;
    None when absent), or None when the data folder has no Atlas table (PCI then stays empty,
    and the tables say so)."""
    try:
        pci = atlas.read_pci()
    except EscError as exc:
        log.warning("no Atlas PCI table: %s", exc)
        return None
    try:
        correlation = hs_tables.correlation_hs22_hs17()
    except EscError as exc:
        log.warning("no HS2022-HS2017 correlation table: %s", exc)
        correlation = None
    return analysis.AtlasTables(pci=pci, hs22_hs17=correlation)


def import_table(
    *,
    source: str = "demo",
    reporters: Sequence[str] = ("IND", "JPN"),
    years: Sequence[int] = (2023,),
    sector: str | list[str] | None = None,
    **options,
) -> pd.DataFrame:
    """:func:`esc.analysis.import_table` on the flows of ``source`` for ``years`` (read once,
    at the source's level; every importer is read, since world-export measures need them)."""
    flows = load_flows(source, years=years)
    return analysis.import_table(flows, reporters=reporters, years=years, sector=sector,
                                 atlas_pci=atlas_pci, **options)


def overview(
    *,
    source: str = "demo",
    reporters: Sequence[str] = ("IND", "JPN"),
    year: int = 2023,
    sector: str | list[str] | None = None,
    preset: str = "study",
    merge_hk: bool = False,
    hhi_cut: float | None = None,
    pci_cut: float | None = None,
    pci: pd.DataFrame | None = None,
    years_back: int = 0,
    groups: dict[str, frozenset[str]] | None = None,
    pci_mode: str = "computed",
    screened: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The vulnerability matrix of the registry: one row per (year, reporter, registry
    product), classified by :func:`esc.vulnerability.classify`.

    ``screened``: a :func:`screen` of the same source, reporters, year and preset that the
    caller already holds (the overview notebook); its registry rows are kept instead of
    screening again. It must cover the years asked for (``years_back``, the preset's
    persistence) and have been run without ``hhi_cut``/``pci_cut``/``merge_hk``/``groups``
    other than given here.

    ``sector=None`` means the study's four sectors (:data:`DEFAULT_SCOPE`), in the CLI and in
    the notebooks alike; ``df.attrs["scope"]`` says which. Columns: ``year, importer,
    <product>, short_name, sector, product, imports_usd, n_partners, hhi, top1_partner,
    top1_share, top3_share, eff_suppliers, share_chn, share_<group>, import_export_ratio,
    export_hhi, pci, pci_source, pci_note, category, flag, preset`` (USD; shares and HHI 0–1).
    For HS6 sources the rows come from the full screen (:func:`esc.screen.screen`), so PCI is
    computed from the complete product space; at other levels from
    :func:`esc.analysis.import_table` (chapter PCI: export-weighted mean of the Atlas
    headings). ``years_back`` adds up to that many earlier years the source has
    (``df.attrs["years"]``).
    """
    chosen = scope(sector)
    p = vulnerability.get_preset(preset)
    back = max(years_back, (p.persistence[1] - 1) if p.persistence else 0)
    level = product_level(source)
    if level == "hs6" and pci is None:
        if screened is not None:
            table = _registry_rows(screened, chosen, preset=preset, year=year, back=back)
        else:
            table = screen(source=source, reporters=reporters, year=year, years_back=back,
                           preset=preset, pci=pci_mode, merge_hk=merge_hk, sector=chosen,
                           groups=groups, hhi_cut=hhi_cut, pci_cut=pci_cut)
        keep = table["in_registry"] & (table["year"] >= year - back)
        out = table[keep].reset_index(drop=True)
        out.attrs.update(table.attrs)
        out.attrs["years"] = sorted(int(y) for y in out["year"].unique())
    else:
        years = list(range(year - back, year + 1))
        table = import_table(source=source, reporters=reporters, years=years, sector=chosen,
                             merge_hk=merge_hk, pci=pci, groups=groups, pci_mode=pci_mode)
        out = vulnerability.classify(table, preset=preset, hhi_cut=hhi_cut, pci_cut=pci_cut,
                                     product=level)
        out.attrs["years"] = years
    out.attrs["scope"] = scope_text(sector, level)
    return out



def _registry_rows(screened: pd.DataFrame, sector: str | list[str], *, preset: str, year: int,
                   back: int) -> pd.DataFrame:
    """The rows of a screen table in the registry ``sector`` (what :func:`screen` keeps with
    ``sector=``), checked to be the screen :func:`overview` would run."""
    have = screened.attrs.get("preset")
    years = set(int(y) for y in screened["year"].unique())
    if have != preset or not set(range(year - back, year + 1)) <= years:
        raise BadValueError(f"screened= is a screen with preset {have!r} and years "
                            f"{sorted(years)}; the overview needs preset {preset!r} and years "
                            f"{year - back}-{year}")
    found = label_of(screened)
    hs_rev = (found.hs_rev if found is not None else None) or "HS22"
    keep = set(analysis.registry_products(HS6, hs_rev, sector)[HS6])
    out = screened[screened[HS6].isin(keep)].reset_index(drop=True)
    out.attrs.update(screened.attrs)
    return out


# --------------------------------------------------------------------------- scenarios


def product_names(level: str = "hs6") -> pd.DataFrame:
    """``<level>, short_name`` for the registry's codes at ``level`` (chapter titles for
    ``hs2``)."""
    return analysis.registry_products(level, "HS22", None)[[level, "short_name"]]


def caption(table: pd.DataFrame, year: int) -> str:
    """The line printed under a scenario table: the skip sentence, or ``"<label>; year <y>;
    assumes: <assumption>."``."""
    if table.attrs.get("skipped"):
        return str(table.attrs["skipped"])
    return (f"{table.attrs.get('label', '')}; year {year}; assumes: "
            f"{table.attrs.get('assumption', '')}.")


def supplier_stop(flows: pd.DataFrame, *, reporter: str, year: int, supplier: str = "CHN",
                  **options) -> pd.DataFrame:
    """:func:`esc.scenarios.supplier_stop` at the level of ``flows``, with ``short_name``
    (on a one-importer table its assumption says that coverage counts the alternatives'
    exports to other markets as 0)."""
    level = analysis.level_of(flows)
    out = scenarios.supplier_stop(flows, reporter=reporter, supplier=supplier, year=year,
                                  product=level, **options)
    attrs = dict(out.attrs)
    out = out.merge(product_names(level).drop_duplicates(level), on=level, how="left")
    out.attrs.update(attrs)
    return out


def scenario(source: str, *, reporter: str, year: int, supplier: str = "CHN",
             control: str | None = None, sector: str | list[str] | None = None,
             **options) -> pd.DataFrame:
    """``esc scenario``: :func:`esc.scenarios.supplier_stop` of ``supplier`` on the registry's
    products (``sector`` narrows them), or, with ``control`` (an id of
    ``data/export_controls.csv``), :func:`esc.scenarios.control_stop` on exactly that
    control's codes, registry or not, its country stopping. Read at the source's level, with
    ``short_name`` and ``sector``; ``options`` go to the scenario (``redirect``, ``shared``,
    ``replacement``, ``merge_hk``, ``groups``)."""
    level = product_level(source)
    row = controls.get_control(control) if control else None
    only = controls.split_hs6(row["hs6"]) if row is not None else None
    flows = load_flows(source, years=[year], products=only)
    codes = analysis.registry_products(level, str(flows["hs_rev"].iloc[0]), sector)
    if row is not None:
        out = scenarios.control_stop(flows, row, reporter=reporter, year=year, product=level,
                                     **options)
    else:
        out = scenarios.supplier_stop(flows[flows[level].isin(codes[level])], reporter=reporter,
                                      supplier=supplier, year=year, product=level, **options)
    attrs = dict(out.attrs)
    out = out.merge(codes[[level, "short_name", "sector"]], on=level, how="left")
    out.attrs.update(attrs)
    return out


def alternatives_for(source: str, *, reporter: str, year: int, products: Sequence[str] = (),
                     flagged: bool = False, preset: str = "study", supplier: str = "CHN",
                     sector: str | list[str] | None = None, **options) -> pd.DataFrame:
    """``esc alternatives``: other exporters of ``products`` (codes at the source's level);
    with none given, of every product the screen flags for ``reporter`` (``flagged``, largest
    imports first), else of every registry product (``sector`` narrows) whose stop by
    ``supplier`` leaves an uncovered part (:func:`esc.scenarios.supplier_stop`). ``options``:
    ``merge_hk``, ``groups``, ``redirect`` (used for the stop and the headroom), ``top``."""
    flows = load_flows(source, years=[year])
    level = analysis.level_of(flows)
    wanted = list(products)
    stop_opts = {k: v for k, v in options.items() if k in ("merge_hk", "groups", "redirect")}
    if not wanted and flagged:
        table = screen(source=source, reporters=[reporter], year=year, preset=preset,
                       **{k: v for k, v in stop_opts.items() if k != "redirect"})
        table = table[(table["year"] == year) & table["flag"].astype(bool)]
        wanted = table.sort_values("imports_usd", ascending=False)[level].tolist()
    if not wanted:
        codes = analysis.registry_products(level, str(flows["hs_rev"].iloc[0]), sector)
        stop = scenarios.supplier_stop(flows[flows[level].isin(codes[level])], reporter=reporter,
                                       supplier=supplier, year=year, product=level, **stop_opts)
        wanted = stop.loc[stop["uncovered_usd"] > 0, level].tolist()
    return alternatives(flows, reporter=reporter, year=year, products=wanted,
                        supplier=supplier, **options)


def initiatives(sector: str | list[str] | None = None) -> pd.DataFrame:
    """The initiatives table (:func:`esc.initiative_table.load_initiatives`, validated), with
    only ``sector``'s rows when given (:func:`esc.initiatives.filter_initiatives`)."""
    table = initiative_table.load_initiatives()
    return filter_initiatives(table, sector) if sector else table


def controls_at_risk(source: str, *, reporters: Sequence[str], year: int,
                     **options) -> pd.DataFrame:
    """Each announced export control (:mod:`esc.controls`) for each reporter: value at risk,
    coverable and uncovered (USD), with ``uncovered_if_shared_usd`` when the control stops
    exports to every importer (:func:`esc.scenarios.controls_at_risk` with ``shared=True``).

    Controls name HS6 codes: at another product level the table is empty and
    ``attrs["skipped"]`` says why.
    """
    listing = controls.load_controls()
    level = product_level(source)
    if level != "hs6":
        out = pd.DataFrame({c: pd.Series(dtype=float if c.endswith("usd") else object)
                            for c in CONTROL_COLUMNS})
        stamp(out, data.label(source))
        out.attrs["skipped"] = (f"{source} is at {level} level: export controls name HS6 "
                                "codes, so this section is skipped.")
        return out
    codes = sorted({c for cell in listing["hs6"] for c in controls.split_hs6(cell)})
    flows = load_flows(source, years=[year], products=codes)
    at_risk = scenarios.controls_at_risk(flows, listing, reporters=reporters, year=year,
                                         **options)
    everyone = scenarios.controls_at_risk(flows, listing, reporters=reporters, year=year,
                                          shared=True, **options)
    at_risk["uncovered_if_shared_usd"] = everyone["uncovered_usd"].to_numpy()
    at_risk.attrs["skipped"] = None
    return at_risk


CONTROL_COLUMNS = ("control", "name", "effective", "importer", "imports_usd", "at_risk_usd",
                   "coverable_usd", "uncovered_usd", "uncovered_share",
                   "uncovered_if_shared_usd")
"""Columns of :func:`controls_at_risk`."""


def alternatives(flows: pd.DataFrame, *, reporter: str, year: int, products: Sequence[str],
                 **options) -> pd.DataFrame:
    """:func:`esc.scenarios.alternatives` at the level of ``flows``; empty, with
    ``attrs["skipped"]``, when the flows hold one importer (world shares need every
    importer)."""
    level = analysis.level_of(flows)
    reason = not_applicable(flows, needs="world")
    if reason:
        cols = ["year", level, "rank", "exporter", "world_exports_usd", "world_share", "rca",
                "groups", "trusted", "reporter_imports_usd", "headroom_usd"]
        out = carry(flows, pd.DataFrame({c: [] for c in cols}))
        out.attrs.update({"skipped": reason, "assumption": reason, "year": year})
        return out
    out = scenarios.alternatives(flows, reporter=reporter, year=year, products=products,
                                 product=level, **options)
    out.attrs["skipped"] = None
    return out


# --------------------------------------------------------------------------- complementarity


def names(level: str = "hs6") -> pd.DataFrame:
    """``<level>, short_name, sector``: registry names, else (HS6) the first 50 characters of
    the HS2022 description; chapter titles at ``hs2``."""
    if level != "hs6":
        return analysis.registry_products(level, "HS22", None)[[level, "short_name", "sector"]]
    out = demo.hs_codes().merge(
        registry.product_labels()[["hs6", "short_name", "sector"]], on="hs6", how="left")
    out["short_name"] = out["short_name"].fillna(out["description"].str.slice(0, 50))
    return out[["hs6", "short_name", "sector"]]


def _pairs(reporters: Sequence[str]) -> list[tuple[str, str]]:
    a, b = check_countries(list(reporters)[:2], what="reporter")
    return [(a, b), (b, a)]


def _both(flows: pd.DataFrame, year: int, reporters: Sequence[str], sector, find,
          **options) -> pd.DataFrame:
    level = analysis.level_of(flows)
    reason = not_applicable(flows, needs="world")
    frames = [] if reason else [
        find(flows, exporter=a, reporter=b, year=year, product=level, **options).assign(
            direction=f"{a} -> {b}") for a, b in _pairs(reporters)]
    if frames:
        out = pd.concat(frames, ignore_index=True)
        a, b = _pairs(reporters)[0]
        assumption = f"{a} -> {b} and the reverse; {frames[0].attrs.get('assumption', '')}"
    else:
        none = complementarity.empty(level, relocate=find is complementarity.could_relocate)
        out, assumption = none.assign(direction=pd.Series(dtype=str)), reason
        if "hs6" not in out.columns:  # the charts still read an hs6 column; it stays empty
            out["hs6"] = pd.Series(dtype=str)
    out = out.merge(names(level), on=level, how="left")
    if sector:
        out = out[out[level].isin(registry_codes(sector, level))].reset_index(drop=True)
    carry(flows, out)
    out.attrs.update({"year": year, "skipped": reason, "assumption": assumption})
    return out


def complementarity_table(flows: pd.DataFrame, *, year: int, reporters: Sequence[str],
                          sector: str | list[str] | None = None, **options) -> pd.DataFrame:
    """:func:`esc.complementarity.complementarity` both ways between the first two
    reporters, with ``direction`` and product names, at the level of ``flows``; only
    ``sector``'s codes when given. Empty with ``attrs["skipped"]`` on a one-importer table
    (RCA needs every country's exports)."""
    return _both(flows, year, reporters, sector, complementarity.complementarity, **options)


def relocate_table(flows: pd.DataFrame, *, year: int, reporters: Sequence[str],
                   sector: str | list[str] | None = None, **options) -> pd.DataFrame:
    """:func:`esc.complementarity.could_relocate` both ways, as
    :func:`complementarity_table`; the year's export space is computed once for both."""
    if not not_applicable(flows, needs="world") and "space" not in options:
        options["space"] = complementarity.export_space(flows, year=year,
                                                        product=analysis.level_of(flows))
    return _both(flows, year, reporters, sector, complementarity.could_relocate, **options)


# --------------------------------------------------------------------------- India's own statistics


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


# ---------------------------------------------------------------------------- explorer

EXPLORER_COLUMNS = ["preset", "year", "importer", "short_name", "sector", "imports_usd", "hhi",
                    "pci", "top1_partner", "top1_share", "category", "flag"]
"""The columns of :func:`explorer_table` besides the product code."""


def explorer_table(
    screened: pd.DataFrame,
    *,
    sector: str | list[str] | None = None,
    presets: Sequence[str] | None = None,
) -> pd.DataFrame:
    """What the overview's explorer filters: the registry rows of a screen (:func:`screen`)
    once per preset, each with that preset's flag.

    One row per (preset, year, reporter, registry product of ``sector``'s scope; the study's
    four sectors when None). The screen already holds the quadrant category (every preset
    cuts at the same HHI and PCI) and each preset's flag (``flag_<preset>``), so nothing is
    recomputed: ``flag`` is the screen's ``flag_<preset>``. Columns: the product code
    (``attrs["product"]``, ``hs6``) and :data:`EXPLORER_COLUMNS` (USD; HHI and shares 0–1).
    The screen's label travels; ``attrs["presets"]`` lists the presets, ``attrs["scope"]``
    the scope line. An empty screen (a source at another level) gives an empty table.
    """
    level = screened.attrs.get("product") or HS6
    chosen = list(presets or vulnerability.PRESETS)
    for name in chosen:
        vulnerability.get_preset(name)  # an unknown preset raises, naming the known ones
    codes = set(registry_codes(scope(sector), level))
    rows = screened[screened[level].astype(str).isin(codes)] if level in screened else screened
    keep = [level, *(c for c in EXPLORER_COLUMNS if c in rows.columns and c != "flag")]
    parts = [rows[keep].assign(preset=name, flag=rows.get(f"flag_{name}", False))
             for name in chosen]
    out = pd.concat(parts, ignore_index=True) if len(rows) else pd.DataFrame(
        columns=[level, *EXPLORER_COLUMNS])
    out = carry(screened, out[[level, *EXPLORER_COLUMNS]].reset_index(drop=True))
    out.attrs.update({"product": level, "presets": chosen, "scope": scope_text(sector, level),
                      "hhi_cut": screened.attrs.get("hhi_cut", 0.25),
                      "pci_cut": screened.attrs.get("pci_cut", 0.0)})
    return out
