"""The full screen: every product a reporter imports, classified, as the joint study did.

The JETRO-CII-JCCII study did not start from a list: it screened India's and Japan's imports
by HHI and PCI and *found* its Category A products. :func:`screen` does the same for any
reporters and years of a source: one row per (year, reporter, HS6 product) for every product
the reporter imports, with

- import concentration (:func:`esc.metrics.concentration`: ``imports_usd, n_partners, hhi,
  top1_partner, top1_share, top3_share, eff_suppliers, share_chn, share_<group>``);
- the reporter's ``import_export_ratio`` (M/X) and the product's world-export HHI
  ``export_hhi`` (:mod:`esc.metrics`);
- ``pci`` with ``pci_source`` and ``pci_note`` (:func:`esc.analysis.pci_table`: computed only
  from a complete product space, else the Atlas, else empty with the reason);
- ``category`` (A–D or "unclassified", :func:`esc.vulnerability.quadrant`), ``flag`` of the
  chosen preset, and ``flag_study, flag_ec2021, flag_geodep, flag_crma`` side by side (geodep
  with its persistence rule over the years screened);
- labels: ``description`` (HS2022 text), ``hs2``, ``section`` (HS section), and from the
  sector registry ``sector`` and ``product`` (priority product), empty for other products.

The aggregation runs as SQL in DuckDB over the source's Parquet cache (the demo world, BACI
years), with years and reporters pushed into the scan; pandas holds only the result. Other
sources (Comtrade, WITS) are read with :func:`esc.data.load_flows` and passed to the same
SQL. The summaries below turn the table into what the study reported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import duckdb
import pandas as pd
import pyarrow as pa

from esc import analysis, metrics, vulnerability
from esc.countries import check_countries, partner_groups
from esc.errors import UnknownReleaseError
from esc.label import Label, label_of, stamp

log = logging.getLogger(__name__)

PRESET_NAMES = ("study", "ec2021", "geodep", "crma")

# HS sections by chapter (World Customs Organization, HS2022 nomenclature).
SECTIONS: tuple[tuple[str, int, int, str], ...] = (
    ("I", 1, 5, "Live animals, animal products"), ("II", 6, 14, "Vegetable products"),
    ("III", 15, 15, "Fats and oils"), ("IV", 16, 24, "Prepared foodstuffs, beverages, tobacco"),
    ("V", 25, 27, "Mineral products"), ("VI", 28, 38, "Chemical products"),
    ("VII", 39, 40, "Plastics and rubber"), ("VIII", 41, 43, "Hides, leather, furskins"),
    ("IX", 44, 46, "Wood, cork, basketware"), ("X", 47, 49, "Pulp, paper"),
    ("XI", 50, 63, "Textiles"), ("XII", 64, 67, "Footwear, headgear"),
    ("XIII", 68, 70, "Stone, ceramics, glass"), ("XIV", 71, 71, "Pearls, precious metals"),
    ("XV", 72, 83, "Base metals"), ("XVI", 84, 85, "Machinery, electrical equipment"),
    ("XVII", 86, 89, "Vehicles, aircraft, vessels"), ("XVIII", 90, 92, "Instruments, clocks"),
    ("XIX", 93, 93, "Arms and ammunition"), ("XX", 94, 96, "Miscellaneous manufactures"),
    ("XXI", 97, 97, "Works of art"),
)


def section_of(hs2: str) -> str:
    """The HS section ("XVI Machinery, electrical equipment") of a two-digit chapter.

    >>> section_of("85")
    'XVI Machinery, electrical equipment'
    """
    ch = int(hs2)
    for code, lo, hi, name in SECTIONS:
        if lo <= ch <= hi:
            return f"{code} {name}"
    return "other"


def screen_years(year: int, years_back: int, available: Iterable[int],
                 preset: str = "study") -> list[int]:
    """The years screened: ``year`` and up to ``years_back`` before it that the source has
    (at least 2 more for the geodep persistence rule). Raises when ``year`` is missing.

    >>> screen_years(2021, 4, range(2019, 2024))
    [2019, 2020, 2021]
    """
    have = sorted(set(int(y) for y in available))
    if year not in have:
        raise UnknownReleaseError(f"the source has no year {year}; it has "
                                  f"{', '.join(map(str, have))}")
    back = max(int(years_back), 2)  # geodep: 2 of the last 3 years, always shown beside
    return [y for y in have if year - back <= y <= year]


def screen(
    flows: metrics.Flows,
    *,
    label: Label | None = None,
    hs_rev: str | None = None,
    available: Iterable[int] | None = None,
    names: pd.DataFrame | None = None,
    reporters: Iterable[str] | None = ("IND",),
    year: int = 2023,
    years_back: int = 0,
    preset: str = "study",
    pci: str = "computed",
    merge_hk: bool = False,
    sector: str | list[str] | None = None,
    groups: dict[str, frozenset[str]] | None = None,
    hhi_cut: float | None = None,
    pci_cut: float | None = None,
    atlas_pci: analysis.AtlasPci = None,
    unique_flows: bool = False,
) -> pd.DataFrame:
    """Screen every product the reporters import (see the module docstring for columns).

    ``flows``: a flows table, or Parquet files of canonical flows read out of core by DuckDB
    (:func:`esc.study.screen` passes a source's :class:`esc.source.Scan`; ``unique_flows``
    when each flow is one row there). ``label``, ``hs_rev`` and ``available`` (the years the
    data hold) default to what a flows table says. ``names``: ``hs6, description`` (the HS
    nomenclature). ``atlas_pci``: the Atlas table, or a function returning it, for ``pci``
    ``"atlas"`` or an incomplete world (:func:`esc.analysis.pci_table`).

    Rows cover ``year`` and up to ``years_back`` earlier years the data hold (at least two
    earlier years are read for the geodep persistence rule; ``df.attrs["years"]`` lists the
    years screened and ``df.attrs["years_requested"]`` how many were asked for). ``sector``
    keeps only the rows of registry sectors or products (it labels, it does not limit what
    is computed). ``reporters=None`` screens every importer (no importer filter in the SQL).
    """
    start = time.perf_counter()
    every = reporters is None
    reporters = [] if every else check_countries(list(reporters), what="reporter")
    vulnerability.get_preset(preset)
    if isinstance(flows, pd.DataFrame):
        label = label or label_of(flows)
        hs_rev = hs_rev or (str(flows["hs_rev"].iloc[0]) if len(flows) else "HS22")
        available = available if available is not None else flows["year"].unique()
    years = screen_years(year, years_back, [] if available is None else available, preset)
    groups = dict(groups) if groups is not None else partner_groups()
    hs_rev = hs_rev or "HS22"
    table = _measured(flows, reporters=None if every else reporters, years=years,
                      groups=groups, merge_hk=merge_hk, unique_flows=unique_flows, pci=pci,
                      hs_rev=hs_rev, atlas_pci=atlas_pci, names=names)
    table = _classify(table, preset, hhi_cut, pci_cut)
    if sector:
        keep = set(analysis.registry_products("hs6", hs_rev, sector)["hs6"])
        table = table[table["hs6"].isin(keep)]
    table = table.reset_index(drop=True)
    if label is not None:
        stamp(table, label.at_level("hs6"))
    table.attrs.update({"preset": preset, "pci": pci, "merge_hk": merge_hk, "years": years,
                        "years_requested": int(years_back) + 1, "product": "hs6",
                        "hhi_cut": table.attrs.get("hhi_cut"),
                        "pci_cut": table.attrs.get("pci_cut")})
    log.info("screen: %d rows, %d years, %.1f s", len(table), len(years),
             time.perf_counter() - start)
    return table


SCREEN_COLUMNS: dict[str, str] = {
    "year": "int16", "importer": "string", "hs6": "string", "imports_usd": "float64",
    "n_partners": "int64", "hhi": "float64", "top1_partner": "string", "top1_share": "float64",
    "top3_share": "float64", "eff_suppliers": "float64", "share_chn": "float64",
    "export_hhi": "float64", "import_export_ratio": "float64", "pci": "float64",
    "pci_source": "string", "pci_note": "string", "description": "string", "hs2": "string",
    "section": "string", "short_name": "string", "sector": "string", "product": "string",
    "in_registry": "bool", "category": "string", "flag": "bool", "preset": "string",
    **{f"flag_{p}": "bool" for p in PRESET_NAMES},
}
"""The screen's columns and types (the ``share_<group>`` columns follow the partner groups)."""


def empty_screen() -> pd.DataFrame:
    """A screen with no rows and every column of :func:`screen` (its summaries are empty)."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in SCREEN_COLUMNS.items()})


def import_export_ratios(flows: metrics.Flows, reporters: list[str] | None, years: list[int],
                         *, con=None) -> pd.DataFrame:
    """``M / X`` of every reporter and product in one pass (as
    :func:`esc.metrics.import_export_ratio`, which does one country at a time).

    ``M`` = the reporter's imports of the product from every other country, ``X`` = its
    exports to every other country (USD); ``inf`` when ``X = 0``. Returns ``year, importer,
    hs6, import_export_ratio`` for the (year, reporter, product) with imports;
    ``reporters=None``: every importer.
    """
    own = con is None
    con = con or metrics.connect()
    try:
        src = metrics._Source(con, flows)
        try:
            prod = src.product_expr("hs6")
            sel = metrics._in_list("year", years)
            base = f"""FROM {src.sql} WHERE {sel} AND value_usd > 0 AND isfinite(value_usd)
                       AND exporter <> importer"""
            imp = "" if reporters is None else "AND " + metrics._in_list("importer", reporters)
            exp = "" if reporters is None else "AND " + metrics._in_list("exporter", reporters)
            sql = f"""WITH m AS (SELECT CAST(year AS INTEGER) AS year, importer, {prod} AS hs6,
                                        sum(value_usd) AS m {base} {imp}
                                 GROUP BY 1, 2, 3),
                           x AS (SELECT CAST(year AS INTEGER) AS year, exporter AS importer,
                                        {prod} AS hs6, sum(value_usd) AS x
                                 {base} {exp} GROUP BY 1, 2, 3)
                      SELECT m.year, m.importer, m.hs6,
                             CASE WHEN coalesce(x.x, 0) > 0 THEN m.m / x.x
                                  ELSE 'inf'::DOUBLE END AS import_export_ratio
                      FROM m LEFT JOIN x USING (year, importer, hs6)"""
            out = con.sql(sql).df()
        finally:
            src.close()
    finally:
        if own:
            con.close()
    out["year"] = out["year"].astype("int16")
    return out


def _measured(flows: metrics.Flows, *, reporters: list[str] | None, years: list[int],
              groups: dict[str, frozenset[str]], merge_hk: bool, unique_flows: bool, pci: str,
              hs_rev: str, atlas_pci: analysis.AtlasPci, names: pd.DataFrame | None
              ) -> pd.DataFrame:
    """Every number and label of the screen, one row per (year, importer, hs6), ordered by
    year, importer, imports (largest first) and code.

    The concentration pass (:func:`esc.metrics.concentration`'s SQL) and the exporters' sums
    ``X`` (:func:`export_sums`) stay in DuckDB as temporary tables; ``export_hhi`` and ``M/X``
    come from them (``M`` is ``imports_usd``: the same rows, summed once), and the product
    tables (PCI, labels: a few thousand rows) are joined there too, so the million-row result
    leaves DuckDB once. With ``merge_hk`` the world HHI counts Hong Kong and Macao as China
    while M/X keeps the countries as reported, so both are computed by their own queries.
    """
    con = metrics.connect()
    try:
        src = metrics._Source(con, flows)
        try:
            conc = metrics._concentration_sql(src, product="hs6", merge_hk=merge_hk,
                                              groups=groups, reporters=reporters, years=years,
                                              unique_flows=unique_flows, ordered=False)
            con.execute(f"CREATE TEMP TABLE esc_conc AS SELECT * RENAME "
                        f"({metrics.PRODUCT} AS hs6) FROM ({conc})")
            if merge_hk:
                world = metrics.world_export_concentration(flows, years=years, merge_hk=True,
                                                           con=con)
                ratio = import_export_ratios(flows, reporters, years, con=con)
                con.register("esc_world", world[["year", "hs6", "export_hhi"]])
                con.register("esc_ratio", ratio)
            else:
                con.execute(f"CREATE TEMP TABLE esc_sums AS {_export_sums_sql(src, years)}")
                con.execute("""CREATE TEMP TABLE esc_x AS SELECT year, exporter, hs6, x
                               FROM esc_sums WHERE by_importer = 0""")
                con.execute("""CREATE TEMP TABLE esc_world AS SELECT year, hs6,
                                   sum(x * x) / (sum(x) * sum(x)) AS export_hhi
                               FROM esc_x GROUP BY year, hs6""")
        finally:
            src.close()
        codes = [r[0] for r in con.execute("SELECT DISTINCT hs6 FROM esc_conc ORDER BY 1")
                 .fetchall()]
        exports, shape = (None, None) if merge_hk or pci != "computed" else _export_matrix(con)
        pcis = analysis.pci_table(flows, years=years, codes=codes, mode=pci, hs_rev=hs_rev,
                                  atlas_pci=atlas_pci, exports=exports, shape=shape)
        del exports
        con.register("esc_pci", pcis.astype({"year": "int32"}))
        con.register("esc_labels", _product_labels(codes, hs_rev, names))
        con.execute(_PRODUCTS_SQL)
        con.execute("SET arrow_large_buffer_size = true")  # pandas' str: no conversion
        products = con.sql(f"SELECT {', '.join(PRODUCT_COLUMNS)} FROM esc_prod ORDER BY idx"
                           ).to_arrow_table()
        joined = con.sql(_JOINED_SQL.format(**(_RATIO_FROM_TABLE if merge_hk
                                               else _RATIO_FROM_SUMS))).to_arrow_table()
    finally:
        con.close()  # frees DuckDB's temporary tables before the frame is built
    # column by column, each Arrow buffer released once converted: the table is not held
    # twice (three BACI years: about 3 M rows)
    joined = _with_product_columns(joined, products)
    out = joined.to_pandas(split_blocks=True, self_destruct=True)
    del joined
    out["year"] = out["year"].astype("int16")
    out["n_partners"] = out["n_partners"].astype("int64")
    out["in_registry"] = out["in_registry"].astype(bool)
    return out


def _export_matrix(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The world export matrix for PCI (``year, country, product, export_value``) and its
    shape (:func:`esc.analysis.world_shape`), from the exporters' sums ``esc_x`` already in
    DuckDB: the same rows and filters as :func:`esc.analysis.world_exports`, with no further
    pass over the flows; the importers are counted in the same pass (``esc_sums``)."""
    exports = con.sql("""SELECT year, exporter AS country, hs6 AS product, x AS export_value
                         FROM esc_x""").df()
    shape = con.sql("""SELECT year, count(DISTINCT exporter) AS exporters,
                              count(DISTINCT hs6) AS products FROM esc_x GROUP BY year""").df()
    importers = con.sql("""SELECT year, count(*) AS importers FROM esc_sums
                           WHERE by_importer = 1 GROUP BY year""").df()
    shape = shape.merge(importers, on="year", how="left")
    shape["importers"] = shape["importers"].fillna(0)
    return exports, shape


def _export_sums_sql(src: metrics._Source, years: list[int]) -> str:
    """SQL for ``X`` in one pass over the flows: every exporter's exports of each product to
    every other country (USD), rows ``year, exporter, hs6, x`` with ``by_importer = 0``
    (self-trade and non-positive values left out, as
    :func:`esc.metrics.world_export_concentration` without ``merge_hk``), and the same rows
    summed per ``year, importer`` (``by_importer = 1``; they count the importers for
    :func:`esc.analysis.incomplete_reason`)."""
    return f"""SELECT year, exporter, importer, hs6, sum(value_usd) AS x,
                      CAST(GROUPING(importer) = 0 AS INTEGER) AS by_importer
               FROM (SELECT CAST(year AS INTEGER) AS year, exporter, importer,
                            {src.product_expr("hs6")} AS hs6, value_usd
                     FROM {src.sql}
                     WHERE {metrics._in_list("year", years)} AND value_usd > 0
                           AND isfinite(value_usd) AND exporter <> importer)
               GROUP BY GROUPING SETS ((year, exporter, hs6), (year, importer))"""


def _with_product_columns(joined: pa.Table, products: pa.Table) -> pa.Table:
    """The result with the per-product columns (:data:`PRODUCT_COLUMNS`) gathered from the
    small product table by each row's ``esc_idx`` (Arrow ``take``), so that DuckDB sorts
    only the narrow rows, not their long texts."""
    idx = joined.column("esc_idx")
    joined = joined.drop_columns(["esc_idx"])
    for col in PRODUCT_COLUMNS:
        joined = joined.append_column(col, products.column(col).take(idx))
    names = [c for c in joined.column_names if c != "import_export_ratio"]
    at = names.index("export_hhi") + 1  # the order of SCREEN_COLUMNS
    return joined.select([*names[:at], "import_export_ratio", *names[at:]])


PRODUCT_COLUMNS = ("export_hhi", "pci", "pci_source", "pci_note", "description", "hs2",
                   "section", "short_name", "sector", "product", "in_registry")
"""The screen's columns that depend on the (year, product) only, after ``import_export_ratio``."""

# One row per (year, product), numbered by idx: world-export HHI, PCI and the labels (a few
# thousand rows), so that the million-row result is joined to one small table.
_PRODUCTS_SQL = """CREATE TEMP TABLE esc_prod AS
    SELECT row_number() OVER () - 1 AS idx, p.year, p.hs6, w.export_hhi, p.pci, p.pci_source,
           p.pci_note, l.description, l.hs2, l.section, l.short_name, l.sector, l.product,
           l.in_registry
    FROM esc_pci p
    LEFT JOIN esc_world w ON w.year = p.year AND w.hs6 = p.hs6
    LEFT JOIN esc_labels l ON l.hs6 = p.hs6"""

# M / X per (year, reporter, product): M the concentration pass's imports_usd (the same rows,
# filters and sum as import_export_ratios' M), X the reporter's exports (esc_x); inf when
# X = 0. With merge_hk the ratios come from their own query (esc_ratio).
_RATIO_FROM_SUMS = {
    "ratio": "CASE WHEN coalesce(x.x, 0) > 0 THEN c.imports_usd / x.x ELSE 'inf'::DOUBLE END",
    "ratio_join": "LEFT JOIN esc_x x ON x.year = c.year AND x.exporter = c.importer "
                  "AND x.hs6 = c.hs6"}
_RATIO_FROM_TABLE = {
    "ratio": "r.import_export_ratio",
    "ratio_join": "LEFT JOIN esc_ratio r ON r.year = c.year AND r.importer = c.importer "
                  "AND r.hs6 = c.hs6"}

_JOINED_SQL = """SELECT c.*, {ratio} AS import_export_ratio, p.idx AS esc_idx
    FROM esc_conc c
    {ratio_join}
    LEFT JOIN esc_prod p ON p.year = c.year AND p.hs6 = c.hs6
    ORDER BY c.year, c.importer, c.imports_usd DESC, c.hs6"""


def _product_labels(codes: list[str], hs_rev: str, names: pd.DataFrame | None
                    ) -> pd.DataFrame:
    """One row per product code: ``hs6, description, hs2, section, short_name, sector,
    product, in_registry`` (HS names, HS section, the sector registry's labels)."""
    table = pd.DataFrame({"hs6": pd.Series(codes, dtype=str)})
    if names is None:
        names = pd.DataFrame({"hs6": pd.Series(dtype=str), "description": pd.Series(dtype=str)})
    table = table.merge(names[["hs6", "description"]].drop_duplicates("hs6"), on="hs6",
                        how="left")
    table["hs2"] = table["hs6"].str[:2]
    table["section"] = table["hs2"].map({c: section_of(c) for c in table["hs2"].unique()})
    reg = analysis.registry_products("hs6", hs_rev, None)
    table = table.merge(reg, on="hs6", how="left")
    table["short_name"] = table["short_name"].fillna(table["description"])
    for col in ("sector", "product"):
        table[col] = table[col].fillna("")
    table["in_registry"] = table["sector"] != ""
    return table


def _classify(table: pd.DataFrame, preset: str, hhi_cut: float | None,
              pci_cut: float | None) -> pd.DataFrame:
    """``category``, ``flag`` and ``preset`` of the chosen preset and ``flag_<name>`` of each
    preset (:func:`esc.vulnerability.quadrant` and :func:`esc.vulnerability.preset_flag`, as
    :func:`esc.vulnerability.classify` does). The quadrant is computed once per pair of cut
    points and the persistence rule's groups once, and the million-row table is not copied."""
    cuts: dict[tuple[float, float], pd.Series] = {}
    key = None
    flags = {}
    for name in dict.fromkeys([*PRESET_NAMES, preset]):
        pair = vulnerability.cut_points(name, hhi_cut, pci_cut)
        if pair not in cuts:
            cuts[pair] = vulnerability.quadrant(table["hhi"], table["pci"], hhi_cut=pair[0],
                                                pci_cut=pair[1])
        if vulnerability.get_preset(name).persistence and key is None:
            key = vulnerability.persistence_key(table)
        flags[name] = vulnerability.preset_flag(table, name, category=cuts[pair], key=key)
    chosen = vulnerability.cut_points(preset, hhi_cut, pci_cut)
    out = table.assign(category=cuts[chosen].array, flag=flags[preset],
                       preset=preset,
                       **{f"flag_{name}": flags[name] for name in PRESET_NAMES})
    out.attrs.update({"hhi_cut": chosen[0], "pci_cut": chosen[1], "preset": preset})
    return out


# --------------------------------------------------------------------------- what it says


def _latest(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["year"] == table["year"].max()]


def _keep(src: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    out = out.reset_index(drop=True)
    out.attrs.update(src.attrs)
    return out


def by_category(table: pd.DataFrame) -> pd.DataFrame:
    """Products and import value per category (latest year), with the share of the
    reporter's total imports: ``importer, category, products, imports_usd, share_of_imports``.
    """
    t = _latest(table)
    out = t.groupby(["importer", "category"], as_index=False).agg(
        products=("hs6", "size"), imports_usd=("imports_usd", "sum"))
    out["share_of_imports"] = out["imports_usd"] / out.groupby("importer")[
        "imports_usd"].transform("sum")
    return _keep(table, out)


def by_group(table: pd.DataFrame, column: str = "section") -> pd.DataFrame:
    """Per ``section`` (HS section) or ``sector`` (study sector; products outside the
    registry are left out): products, imports, Category A products and their imports, flagged
    products (the preset's flag), latest year."""
    t = _latest(table)
    if column == "sector":
        t = t[t["sector"] != ""]
    t = t.assign(a=t["category"] == "A", a_usd=t["imports_usd"].where(t["category"] == "A", 0))
    out = t.groupby(["importer", column], as_index=False).agg(
        products=("hs6", "size"), imports_usd=("imports_usd", "sum"),
        category_a=("a", "sum"), category_a_usd=("a_usd", "sum"), flagged=("flag", "sum"))
    return _keep(table, out.sort_values(["importer", "imports_usd"], ascending=[True, False]))


def category_a_share(table: pd.DataFrame) -> pd.DataFrame:
    """Share of each reporter's total imports that is Category A, per year screened:
    ``year, importer, imports_usd, category_a_usd, share_a, products_a``."""
    t = table.assign(a_usd=table["imports_usd"].where(table["category"] == "A", 0.0),
                     a=table["category"] == "A")
    out = t.groupby(["year", "importer"], as_index=False).agg(
        imports_usd=("imports_usd", "sum"), category_a_usd=("a_usd", "sum"),
        products_a=("a", "sum"))
    out["share_a"] = out["category_a_usd"] / out["imports_usd"]
    return _keep(table, out)


def unlisted(table: pd.DataFrame, category: str = "A") -> pd.DataFrame:
    """The products of ``category`` that the sector registry does not name (what the study's
    list misses), largest imports first, latest year."""
    t = _latest(table)
    cols = ["importer", "hs6", "description", "section", "imports_usd", "hhi", "pci",
            "pci_source", "top1_partner", "top1_share", "share_chn"]
    out = t[(t["category"] == category) & ~t["in_registry"]][cols]
    return _keep(table, out.sort_values(["importer", "imports_usd"], ascending=[True, False]))


def churn(table: pd.DataFrame) -> pd.DataFrame:
    """Year-to-year churn of the preset's flag: per (year, importer), how many products
    entered, left, stayed flagged (from :func:`esc.vulnerability.churn`)."""
    ch = vulnerability.churn(table)
    out = ch.groupby(["year", "importer", "change"]).size().unstack(fill_value=0)
    for col in ("entered", "left", "stayed"):
        if col not in out.columns:
            out[col] = 0
    return _keep(table, out[["entered", "left", "stayed"]].reset_index())


def presets_side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """How many products each preset flags (latest year) and how many each pair shares:
    one row per (importer, preset) with ``flagged, flagged_usd`` and ``with_<preset>``."""
    t = _latest(table)
    rows = []
    for importer, g in t.groupby("importer"):
        for a in PRESET_NAMES:
            fa = g[f"flag_{a}"]
            row = {"importer": importer, "preset": a, "flagged": int(fa.sum()),
                   "flagged_usd": float(g.loc[fa, "imports_usd"].sum())}
            for b in PRESET_NAMES:
                row[f"with_{b}"] = int((fa & g[f"flag_{b}"]).sum())
            rows.append(row)
    return _keep(table, pd.DataFrame(rows))


SUMMARIES = {
    "category": by_category,
    "section": lambda t: by_group(t, "section"),
    "sector": lambda t: by_group(t, "sector"),
    "share-a": category_a_share,
    "unlisted": unlisted,
    "churn": churn,
    "presets": presets_side_by_side,
}
