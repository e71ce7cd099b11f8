"""The import table: concentration, dependence, chokepoints and complexity in one frame.

This module assembles, for a set of reporters and years, one row per (year, reporter,
product) from any source: import concentration (:mod:`esc.metrics`), the reporter's
imports/exports ratio, the world-export HHI of the product, and its PCI
(:mod:`esc.complexity`), labelled with the sector registry. It reads no flows:
:func:`esc.study.overview` loads them, and :func:`esc.vulnerability.classify` classifies the
table.

Product level follows the source: HS6 for the demo world, BACI and Comtrade; HS2 chapters
for the WITS mirror data (``product="hs2"``), where the registry is reduced to its chapters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from esc import complexity, metrics
from esc.countries import check_countries, partner_groups
from esc.errors import BadValueError, EscError, MissingColumnError
from esc.label import carry, label_of
from esc.registry import products

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class AtlasTables:
    """The reference tables that place an HS6 code in the Atlas PCI: ``pci`` (the Atlas
    table, :func:`esc.sources.atlas.read_pci`) and ``hs22_hs17`` (the UNSD HS2022-HS2017
    correlation, :func:`esc.sources.hs.correlation_hs22_hs17`; None when absent, and then
    HS2022 codes get no Atlas PCI, with the reason in ``pci_note``)."""

    pci: pd.DataFrame
    hs22_hs17: pd.DataFrame | None = None


AtlasPci = (pd.DataFrame | AtlasTables | Callable[[], "pd.DataFrame | AtlasTables | None"]
            | None)
"""The Atlas tables (:class:`AtlasTables`, or the Atlas PCI table alone), a function returning
them (:func:`esc.study.atlas_pci`, called only when a year needs them), or None. This module
reads no file itself."""

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


def chapter_pci(atlas_pci: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Atlas PCI of HS2 chapters: the world-export-weighted mean of their HS4 headings,

        PCI_c,t = sum_h (X_h,t' x PCI_h,t') / sum_h X_h,t'   (h the headings of chapter c)

    with ``t'`` the latest Atlas year at or before ``t`` (the first Atlas year for earlier
    years), as :func:`esc.complexity.pci_for_hs6` does for HS6 codes. ``atlas_pci`` is
    :func:`esc.sources.atlas.read_pci` (``year, hs4, pci, world_exports_usd``; exports in
    USD). Returns ``year, hs2, pci, pci_source ("atlas"), pci_note`` (naming the Atlas year).
    """
    pci = atlas_pci.dropna(subset=["pci"])
    have = sorted(int(y) for y in pci["year"].unique())
    frames = []
    for year in years:
        use = max([y for y in have if y <= year], default=have[0]) if have else None
        rows = pci[pci["year"] == use]
        rows = rows.assign(hs2=rows["hs4"].str[:2], w=rows["world_exports_usd"])
        rows = rows.assign(wp=rows["w"] * rows["pci"])
        agg = rows.groupby("hs2", as_index=False)[["wp", "w"]].sum()
        frames.append(pd.DataFrame({
            "year": year, "hs2": agg["hs2"], "pci": agg["wp"] / agg["w"], "pci_source": "atlas",
            "pci_note": f"chapter mean of Atlas {use} headings"}))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["year", "hs2", "pci", "pci_source", "pci_note"])
    out["year"] = out["year"].astype("int16")
    return out


# --------------------------------------------------------------------------- PCI: product space

PCI_MODES = ("computed", "atlas")
MIN_PRODUCTS = 1000  # a complete product space has at least this many HS6 codes in the year
MIN_EXPORTERS = 50  # ... this many exporters
MIN_IMPORTERS = 50  # ... and this many importers (not one reporter's imports)
MIN_COUNTRY_EXPORTS_USD = 1e9  # Atlas-style: countries exporting less are left out
MIN_PRODUCT_EXPORTERS = 3  # products exported by fewer countries are left out
MIN_PRODUCT_EXPORTS_USD = 1e7  # products with smaller world exports are left out
NOISY_CHAPTERS = ("77", "98", "99")  # reserved / national-use chapters, not products


def world_shape(flows: metrics.Flows, years: list[int], product: str = "hs6") -> pd.DataFrame:
    """Per year: distinct exporters, importers and products of a flows table (DuckDB), over
    the rows the export matrix sums (:func:`world_exports`: positive, finite, not
    self-trade)."""
    con = metrics.connect()
    try:
        src = metrics._Source(con, flows)
        prod = src.product_expr(product)
        sql = f"""SELECT CAST(year AS INTEGER) AS year, count(DISTINCT exporter) AS exporters,
                         count(DISTINCT importer) AS importers, count(DISTINCT {prod}) AS products
                  FROM {src.sql} WHERE {metrics._in_list("year", years)} AND value_usd > 0
                        AND isfinite(value_usd) AND exporter <> importer
                  GROUP BY 1 ORDER BY 1"""
        try:
            return con.sql(sql).df()
        finally:
            src.close()
    except duckdb.Error as exc:  # pragma: no cover - reported as an empty shape
        log.warning("could not measure the flows: %s", exc)
        return pd.DataFrame(columns=["year", "exporters", "importers", "products"])
    finally:
        con.close()


def incomplete_reason(shape: pd.Series) -> str | None:
    """Why one year's flows are not a complete product space (None when they are)."""
    if shape["importers"] < MIN_IMPORTERS:
        return (f"not a complete world: {int(shape['importers'])} importer(s) (a reporter's or "
                f"mirror imports); PCI needs every country's exports (>= {MIN_IMPORTERS} "
                "importers)")
    if shape["products"] < MIN_PRODUCTS:
        return (f"not a complete product space: {int(shape['products'])} products (an "
                f"extract); PCI needs >= {MIN_PRODUCTS}")
    if shape["exporters"] < MIN_EXPORTERS:
        return (f"not a complete world: {int(shape['exporters'])} exporters; PCI needs >= "
                f"{MIN_EXPORTERS}")
    return None


def world_exports(flows: metrics.Flows, years: list[int], product: str = "hs6"
                  ) -> pd.DataFrame:
    """``year, country, product, export_value``: every exporter's exports to all importers
    (USD), summed in DuckDB (self-trade and non-positive values left out)."""
    con = metrics.connect()
    try:
        src = metrics._Source(con, flows)
        prod = src.product_expr(product)
        sql = f"""SELECT CAST(year AS INTEGER) AS year, exporter AS country,
                         {prod} AS product, sum(value_usd) AS export_value
                  FROM {src.sql}
                  WHERE {metrics._in_list("year", years)} AND value_usd > 0
                        AND isfinite(value_usd) AND exporter <> importer
                  GROUP BY 1, 2, 3"""
        try:
            return con.sql(sql).df()
        finally:
            src.close()
    finally:
        con.close()


def filter_product_space(exports: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Atlas-style filters on a world export matrix, per year.

    Left out, in this order: noisy codes (not six digits, or chapters
    :data:`NOISY_CHAPTERS`); countries whose exports are below
    :data:`MIN_COUNTRY_EXPORTS_USD` (the Atlas also drops countries under 1 million people,
    which esc cannot see in trade data); products exported by fewer than
    :data:`MIN_PRODUCT_EXPORTERS` of the remaining countries or with world exports below
    :data:`MIN_PRODUCT_EXPORTS_USD`. Returns the kept rows and ``year, product, pci_note`` for
    the products left out.
    """
    ex = exports[exports["export_value"] > 0]
    code = ex["product"].astype(str)
    noisy = ~code.str.fullmatch(r"\d{6}") | code.str[:2].isin(NOISY_CHAPTERS)
    dropped = [ex.loc[noisy, ["year", "product"]].assign(pci_note="left out: noisy code")]
    ex = ex[~noisy]
    total = ex.groupby(["year", "country"])["export_value"].transform("sum")
    ex = ex[total >= MIN_COUNTRY_EXPORTS_USD]
    g = ex.groupby(["year", "product"])["export_value"]
    few = (g.transform("size") < MIN_PRODUCT_EXPORTERS) | (
        g.transform("sum") < MIN_PRODUCT_EXPORTS_USD)
    dropped.append(ex.loc[few, ["year", "product"]].drop_duplicates().assign(
        pci_note=f"left out: fewer than {MIN_PRODUCT_EXPORTERS} exporters or world exports "
                 f"under USD {MIN_PRODUCT_EXPORTS_USD:,.0f}"))
    notes = pd.concat(dropped, ignore_index=True).drop_duplicates(["year", "product"])
    return ex[~few], notes


def pci_table(
    flows: metrics.Flows,
    *,
    years: list[int],
    codes: list[str],
    mode: str = "computed",
    hs_rev: str = "HS22",
    product: str = "hs6",
    atlas_pci: AtlasPci = None,
    exports: pd.DataFrame | None = None,
    shape: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """PCI for ``codes`` in each year, only from a complete product space.

    ``mode="computed"``: esc's eigenvector PCI (:func:`esc.complexity.complexity`) from the
    same flows' world export matrix for the year (all products, all exporters), after
    :func:`filter_product_space`; NaN where the network is disconnected. It is computed only
    when the flows are a complete world (:func:`incomplete_reason`); otherwise the Atlas PCI
    is used when the Atlas table is available, else PCI stays NaN, with a warning.
    ``mode="atlas"``: the Atlas HS92 four-digit PCI mapped by
    :func:`esc.complexity.pci_for_hs6` (the Atlas year nearest below or equal). The Atlas
    table is ``atlas_pci`` (:func:`esc.sources.atlas.read_pci`, or a function returning it,
    called only when a year needs it); this function reads no file itself.

    ``exports`` (:func:`world_exports`' table for ``years``) and ``shape``
    (:func:`world_shape`'s) may be passed by a caller that has already summed the flows
    (:func:`esc.screen.screen` has); otherwise they are computed from ``flows``.

    Returns ``year, <product>, pci, pci_source ("computed", "atlas" or ""), pci_note``.
    """
    if mode not in PCI_MODES:
        raise BadValueError(f"pci must be one of {', '.join(PCI_MODES)}, not {mode!r}")
    frames = []
    if mode == "computed" and shape is None:
        shape = world_shape(flows, years, product)
    shape = shape.set_index("year") if mode == "computed" else None
    for year in years:
        reason = None
        if shape is not None:
            reason = ("no flows in the year" if year not in shape.index
                      else incomplete_reason(shape.loc[year]))
        if mode == "computed" and reason is None:
            frames.append(_computed(
                world_exports(flows, [year], product) if exports is None
                else exports[exports["year"] == year], year, codes))
            continue
        atlas = _atlas(codes, year, hs_rev, atlas_pci)
        if reason and atlas["pci"].notna().any():
            log.warning("%s: %s; using the Atlas PCI", year, reason)
            atlas["pci_note"] = atlas["pci_note"].where(atlas["pci_note"] != "", reason)
        elif reason:
            log.warning("%s: %s, and no Atlas PCI table: PCI left empty", year, reason)
            atlas["pci_note"] = reason + "; no Atlas PCI table"
        frames.append(atlas.assign(year=year))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["year", "hs6", "pci", "pci_source", "pci_note"])
    out["year"] = out["year"].astype("int16")
    return out.rename(columns={"hs6": product})[["year", product, "pci", "pci_source",
                                                  "pci_note"]]


def _computed(exports: pd.DataFrame, year: int, codes: list[str]) -> pd.DataFrame:
    """PCI of ``codes`` from one year's world export matrix
    (``year, country, product, export_value``)."""
    kept, notes = filter_product_space(exports)
    res = complexity.complexity(kept).pci[["product", "pci"]]
    out = pd.DataFrame({"hs6": codes}).merge(res.rename(columns={"product": "hs6"}), on="hs6",
                                            how="left")
    out = out.merge(notes.drop(columns="year").rename(columns={"product": "hs6"}), on="hs6",
                    how="left")
    out["pci_note"] = out["pci_note"].fillna("")
    out.loc[out["pci"].isna() & (out["pci_note"] == ""), "pci_note"] = (
        "no PCI: not exported with RCA >= 1 anywhere, or the network is disconnected")
    out["pci_source"] = "computed"
    out["year"] = year
    return out


def resolve_atlas(atlas_pci: AtlasPci) -> AtlasTables | None:
    """The Atlas tables themselves: ``atlas_pci`` called when it is a loader (read only when a
    year needs it); a bare PCI table comes without the HS correlation."""
    tables = atlas_pci() if callable(atlas_pci) else atlas_pci
    if tables is None or isinstance(tables, AtlasTables):
        return tables
    return AtlasTables(pci=tables)


def _atlas(codes: list[str], year: int, hs_rev: str, atlas_pci: AtlasPci) -> pd.DataFrame:
    """Atlas PCI for ``codes`` (``hs6, pci, pci_source, pci_note``); NaN when no table."""
    tables = resolve_atlas(atlas_pci)
    if tables is None:
        return pd.DataFrame({"hs6": codes, "pci": float("nan"), "pci_source": "",
                             "pci_note": "no Atlas PCI table"})
    try:
        years = sorted(int(y) for y in tables.pci["year"].unique())
        use = max([y for y in years if y <= year], default=years[0])
        mapped = complexity.pci_for_hs6(codes, hs_rev=hs_rev if hs_rev in ("HS92", "HS17",
                                        "HS22") else "HS22", atlas_pci=tables.pci,
                                        correlation=tables.hs22_hs17, year=use)
    except EscError as exc:
        log.info("no Atlas PCI: %s", exc)
        return pd.DataFrame({"hs6": codes, "pci": float("nan"), "pci_source": "",
                             "pci_note": f"no Atlas PCI table ({exc})"})
    out = mapped[["hs6", "pci"]].copy()
    out["pci_source"] = "atlas"
    out["pci_note"] = np.where(mapped["pci"].isna(), mapped["mapping"], "")
    return out


def import_table(
    flows: pd.DataFrame,
    *,
    reporters: tuple[str, ...] | list[str] = ("IND", "JPN"),
    years: list[int] | tuple[int, ...] | None = None,
    sector: str | list[str] | None = None,
    merge_hk: bool = False,
    pci: pd.DataFrame | None = None,
    groups: dict[str, frozenset[str]] | None = None,
    pci_mode: str = "computed",
    product: str | None = None,
    atlas_pci: AtlasPci = None,
) -> pd.DataFrame:
    """One row per (year, reporter, registry product) with concentration, dependence,
    chokepoint and complexity columns (see :func:`esc.study.overview`).

    ``flows`` is a canonical flows table (read by :func:`esc.study.load_flows`); its product
    level is ``product`` or, by default, the level its label carries (``hs6``, ``hs4``,
    ``hs2``). ``years`` defaults to the years in ``flows``. ``groups`` (default
    :func:`esc.countries.partner_groups`) gives one ``share_<group>`` column each. Values in
    USD, shares 0–1. PCI follows :func:`pci_table` (``pci_mode``), with ``pci_source`` and
    ``pci_note`` columns; at chapter level (``hs2``) the PCI is :func:`chapter_pci` of
    ``atlas_pci`` (the Atlas table, read by :func:`esc.study.atlas_pci`), empty without it.
    The result carries the label of ``flows`` (:func:`esc.label.carry`):
    real flows stay real, demo flows stay demo.
    """
    reporters = check_countries(list(reporters), what="reporter")
    product = product or level_of(flows)
    years = ([int(y) for y in years] if years is not None
             else sorted(int(y) for y in flows["year"].unique()))
    flows = flows[flows["year"].isin(years)] if len(flows) else flows
    hs_rev = str(flows["hs_rev"].iloc[0]) if len(flows) else "HS22"
    reg = registry_products(product, hs_rev, sector)
    codes = reg[product].tolist()
    sel = flows[flows[product].isin(codes)]
    groups = dict(groups) if groups is not None else partner_groups()
    conc = metrics.concentration(sel[sel["importer"].isin(reporters)], product=product,
                                 merge_hk=merge_hk, supplier="CHN", groups=groups)
    table = conc.merge(reg, on=product, how="left")
    table = table.merge(_ratios(flows, reporters, product), on=["year", "importer", product],
                        how="left")
    if (sel["importer"].nunique() > 1):
        world = metrics.world_export_concentration(sel, product=product, merge_hk=merge_hk)
        table = table.merge(world[["year", product, "export_hhi"]], on=["year", product],
                            how="left")
    else:  # mirror data: one importer only, no world-export view
        table["export_hhi"] = float("nan")
    table["year"] = table["year"].astype("int16")
    pcis = _pci(pci, flows, product, years, sorted(table[product].unique()), pci_mode,
                atlas_pci)
    table = table.merge(pcis, on=["year", product], how="left")
    table = _order(table, product)
    carry(flows, table, product_level=product)
    table.attrs.update({"product": product, "merge_hk": merge_hk})
    return table


def level_of(flows: pd.DataFrame) -> str:
    """The product column of a flows table: the level its label carries, else the first of
    ``hs6``, ``hs4``, ``hs2`` it has."""
    found = label_of(flows)
    if found is not None and found.product_level in flows.columns:
        return found.product_level
    for col in ("hs6", "hs4", "hs2"):
        if col in flows.columns:
            return col
    raise MissingColumnError("no product column (hs6, hs4 or hs2)", path="<flows>",
                             column="hs6")


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
         years: list[int], codes: list[str], mode: str = "computed",
         atlas_pci: AtlasPci = None) -> pd.DataFrame:
    if pci is not None:
        out = pci.copy()
        if "year" not in out.columns:
            out = out.merge(pd.DataFrame({"year": years}), how="cross")
        out = out[["year", product, "pci"]].assign(pci_source="given", pci_note="")
        out["year"] = out["year"].astype("int16")
        return out
    if product == "hs6":
        hs_rev = str(flows["hs_rev"].iloc[0]) if len(flows) else "HS22"
        return pci_table(flows, years=years, codes=codes, mode=mode, hs_rev=hs_rev,
                         atlas_pci=atlas_pci)
    tables = resolve_atlas(atlas_pci)
    if tables is None or product != "hs2":
        log.warning("no PCI at %s level (%s)", product,
                    "no Atlas table given" if tables is None else "chapters only")
        return pd.DataFrame({"year": pd.Series(dtype="int16"), product: pd.Series(dtype=str),
                             "pci": pd.Series(dtype=float), "pci_source": pd.Series(dtype=str),
                             "pci_note": pd.Series(dtype=str)})
    return chapter_pci(tables.pci, years)


def _order(table: pd.DataFrame, product: str) -> pd.DataFrame:
    first = ["year", "importer", product, "short_name", "sector", "product", "imports_usd",
             "n_partners", "hhi", "top1_partner", "top1_share", "top3_share", "eff_suppliers",
             "share_chn", "share_trusted", "import_export_ratio", "export_hhi", "pci",
             "pci_source"]
    cols = [c for c in first if c in table.columns]
    cols += [c for c in table.columns if c not in cols]
    table["year"] = table["year"].astype("int16")
    return table[cols].sort_values(["year", "importer", "imports_usd"],
                                   ascending=[True, True, False]).reset_index(drop=True)
