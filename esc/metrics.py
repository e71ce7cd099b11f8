"""Import concentration: who supplies each product to each importer, and how concentrated it is.

The joint study screened imports by the Herfindahl–Hirschman Index of their sources. This module
computes that screen, and the figures an analyst reads beside it, for every (year, importer,
product) of a flows table in one pass:

- partner shares ``s_j = v_j / sum_k v_k`` over the exporters ``j`` that sell the product to the
  importer (values in US dollars; self-trade, zero and missing values left out);
- ``hhi = sum_j s_j**2`` on the 0–1 scale (1 = a single supplier; 1/n = n equal suppliers) and its
  reading as an "effective number of suppliers" ``1 / hhi``;
- the largest supplier and its share, the combined share of the three largest;
- the share of a named country (China by default) and of partner groups (Quad, G7, EU27, ...).

Hong Kong and Macao re-export a good part of what they sell abroad; ``merge_hk=True`` counts their
exports as China's (the study's India Li-ion example: HHI about 0.45 with Hong Kong apart, about
0.72 merged).

Two further screens come from the literature on strategic dependence: the concentration of world
exports of a product (a chokepoint even for a diversified importer) and an importer's
import/export ratio (is the country a net buyer of the product?).

The aggregation is SQL run by DuckDB, so the same functions work on a DataFrame in memory and on
a Parquet cache larger than memory (a path, folder or glob; DuckDB reads only the needed columns
and row groups and spills to disk under a memory limit, see :func:`concentration_out_of_core`).
The SQL is plain enough to move to a distributed engine later. Results come back as pandas
DataFrames.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from esc import schema
from esc.countries import RE_EXPORT_HUBS
from esc.errors import (
    DataNotFoundError,
    InputError,
    MissingColumnError,
    UnknownCountryError,
)

logger = logging.getLogger(__name__)

Flows = pd.DataFrame | str | Path | Sequence[str | Path]
"""A canonical flows table, or Parquet file(s) holding one: a path, a folder, a glob or a list."""

PRODUCT = "product"  # the product column inside the SQL, renamed to hs6/hs4/hs2 on the way out

CONCENTRATION_COLUMNS = [
    "imports_usd", "n_partners", "hhi", "top1_partner", "top1_share", "top3_share",
    "eff_suppliers",
]
SHARE_COLUMNS = [schema.EXPORTER, schema.VALUE, "share"]
WORLD_COLUMNS = [
    "world_exports_usd", "n_exporters", "export_hhi", "top_exporter", "top_exporter_share",
]
RATIO_COLUMNS = ["imports_usd", "exports_usd", "import_export_ratio"]

_ISO3 = re.compile(r"[A-Z][A-Z0-9]{2}")


# --------------------------------------------------------------------------- connection and input


def connect(
    *,
    memory_limit: str | None = None,
    temp_directory: str | Path | None = None,
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection for the metrics, with optional resource limits.

    ``memory_limit`` is DuckDB's setting (e.g. ``"1GB"``); above it, sorts, joins and
    aggregations spill to ``temp_directory``. ``threads`` defaults to every core.
    """
    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{_setting(memory_limit)}'")
    if temp_directory:
        con.execute(f"SET temp_directory = '{_setting(str(temp_directory))}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    return con


def _setting(text: str) -> str:
    return text.replace("'", "''")


class _Source:
    """A flows table made visible to one DuckDB connection as a SQL ``FROM`` item."""

    def __init__(self, con: duckdb.DuckDBPyConnection, flows: Flows) -> None:
        self.con = con
        self.view: str | None = None
        if isinstance(flows, pd.DataFrame):
            self.label = "<DataFrame>"
            self.view = f"esc_flows_{uuid.uuid4().hex[:12]}"
            con.register(self.view, flows)
            self.sql = self.view
            self.columns = [str(c) for c in flows.columns]
        else:
            files = _parquet_files(flows)
            self.label = ", ".join(files)
            listed = ", ".join(f"'{_setting(f)}'" for f in files)
            self.sql = f"read_parquet([{listed}], union_by_name = true)"
            self.columns = self._describe()

    def _describe(self) -> list[str]:
        try:
            rows = self.con.execute(f"DESCRIBE SELECT * FROM {self.sql}").fetchall()
        except duckdb.IOException as exc:
            raise DataNotFoundError(f"no Parquet flows at {self.label}: {exc}") from exc
        return [r[0] for r in rows]

    def close(self) -> None:
        if self.view:
            self.con.unregister(self.view)

    def require(self, *columns: str) -> None:
        for col in columns:
            if col not in self.columns:
                raise MissingColumnError("required column is missing", path=self.label,
                                         column=col)

    def product_expr(self, product: str) -> str:
        """SQL for the product column; hs4/hs2 are cut from a finer code when absent."""
        if product not in schema.PRODUCT_COLUMNS:
            raise InputError(f"product must be one of {', '.join(schema.PRODUCT_COLUMNS)}, "
                             f"not {product!r}", path=self.label)
        if product in self.columns:
            return f"CAST({product} AS VARCHAR)"
        width = schema.PRODUCT_COLUMNS[product]
        for finer, w in sorted(schema.PRODUCT_COLUMNS.items(), key=lambda kv: kv[1]):
            if w > width and finer in self.columns:
                return f"left(CAST({finer} AS VARCHAR), {width})"
        raise MissingColumnError("product column is missing", path=self.label, column=product)


def _parquet_files(flows: str | Path | Sequence[str | Path]) -> list[str]:
    items = [flows] if isinstance(flows, str | Path) else list(flows)
    if not items:
        raise DataNotFoundError("no Parquet files given")
    out = []
    for item in items:
        path = Path(item).expanduser()
        if path.is_dir():
            out.append(str(path / "**" / "*.parquet"))
        elif path.is_file() or any(ch in str(item) for ch in "*?["):
            out.append(str(path))
        else:
            raise DataNotFoundError(f"{path}: no such Parquet file or folder")
    return out


def _codes(values: Iterable[str] | str | None, *, what: str) -> list[str] | None:
    if values is None:
        return None
    items = [values] if isinstance(values, str) else list(values)
    out = []
    for v in items:
        code = str(v).strip().upper()
        if not _ISO3.fullmatch(code):
            raise UnknownCountryError(f"{what} {v!r} is not an ISO3 code like IND")
        out.append(code)
    return out


def _in_list(column: str, values: Sequence[str] | Sequence[int]) -> str:
    if not values:
        return "FALSE"
    items = ", ".join(str(int(v)) if isinstance(v, int | np.integer) else f"'{_setting(str(v))}'"
                      for v in values)
    return f"{column} IN ({items})"


def _filters(
    src: _Source,
    *,
    product_sql: str,
    reporters: Iterable[str] | str | None = None,
    years: Iterable[int] | int | None = None,
    products: Iterable[str] | str | None = None,
) -> list[str]:
    """WHERE clauses: finite positive values plus the caller's selections."""
    where = [f"isfinite({schema.VALUE})", f"{schema.VALUE} > 0"]
    imp = _codes(reporters, what="reporter")
    if imp is not None:
        where.append(_in_list(schema.IMPORTER, imp))
    if years is not None:
        yrs = [years] if isinstance(years, int | np.integer) else list(years)
        try:
            yrs = [int(y) for y in yrs]
        except (TypeError, ValueError) as exc:
            raise InputError(f"years must be integers: {exc}", path=src.label,
                             column=schema.YEAR) from exc
        where.append(_in_list(schema.YEAR, yrs))
    if products is not None:
        prods = [products] if isinstance(products, str) else [str(p) for p in products]
        where.append(_in_list(product_sql, prods))
    return where


def _exporter_sql(merge_hk: bool, column: str = schema.EXPORTER) -> str:
    if not merge_hk:
        return column
    hubs = ", ".join(f"'{h}'" for h in RE_EXPORT_HUBS)
    return f"CASE WHEN {column} IN ({hubs}) THEN 'CHN' ELSE {column} END"


def _base_cte(
    src: _Source,
    *,
    product: str,
    merge_hk: bool,
    unique_flows: bool = False,
    reporters: Iterable[str] | str | None = None,
    years: Iterable[int] | int | None = None,
    products: Iterable[str] | str | None = None,
) -> str:
    """CTE ``base``: one row per (year, importer, product, exporter) with its value ``v``.

    Rows are summed to that grain unless the caller vouches that they already are
    (``unique_flows``) and no codes are merged: summing 11 M distinct keys is the costliest
    step of a full BACI year. With ``merge_hk`` only the China/Hong Kong/Macao rows are summed.
    """
    src.require(schema.YEAR, schema.EXPORTER, schema.IMPORTER, schema.VALUE)
    prod = src.product_expr(product)
    exp = _exporter_sql(merge_hk)
    where = _filters(src, product_sql=prod, reporters=reporters, years=years, products=products)
    where.append(f"({exp}) <> {schema.IMPORTER}")
    cond = " AND ".join(where)
    cols = (f"CAST({schema.YEAR} AS INTEGER) AS year, {schema.IMPORTER} AS importer, "
            f"{prod} AS {PRODUCT}")

    def summed(condition: str) -> str:
        return f"""SELECT {cols}, {exp} AS exporter, sum({schema.VALUE}) AS v
            FROM {src.sql} WHERE {condition} GROUP BY 1, 2, 3, 4"""

    if not unique_flows or product not in src.columns:
        return f"base AS ({summed(cond)})"
    raw = f"SELECT {cols}, {schema.EXPORTER} AS exporter, {schema.VALUE} AS v FROM {src.sql}"
    if not merge_hk:
        return f"base AS ({raw} WHERE {cond})"
    china = _in_list(schema.EXPORTER, ["CHN", *RE_EXPORT_HUBS])
    return f"""base AS (
        {raw} WHERE {cond} AND NOT {china}
        UNION ALL
        {summed(f"{cond} AND {china}")})"""


def _run(con: duckdb.DuckDBPyConnection, sql: str, what: str) -> pd.DataFrame:
    start = time.perf_counter()
    df = con.sql(sql).to_arrow_table().to_pandas()
    logger.debug("%s: %d rows in %.2f s", what, len(df), time.perf_counter() - start)
    return df


def _finish(df: pd.DataFrame, product: str) -> pd.DataFrame:
    df = df.rename(columns={PRODUCT: product})
    if schema.YEAR in df.columns:
        df[schema.YEAR] = df[schema.YEAR].astype("int16")
    return df.reset_index(drop=True)


@contextmanager
def _opened(
    con: duckdb.DuckDBPyConnection | None, flows: Flows
) -> Iterator[tuple[duckdb.DuckDBPyConnection, _Source]]:
    """The caller's connection (or a fresh one, closed afterwards) with ``flows`` visible."""
    own = con is None
    con = con or connect()
    try:
        src = _Source(con, flows)
        try:
            yield con, src
        finally:
            src.close()
    finally:
        if own:
            con.close()


# --------------------------------------------------------------------------- partner shares

def partner_shares(
    flows: Flows,
    *,
    product: str = schema.HS6,
    merge_hk: bool = False,
    reporters: Iterable[str] | str | None = None,
    years: Iterable[int] | int | None = None,
    products: Iterable[str] | str | None = None,
    unique_flows: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Each exporter's share of an importer's imports of a product in a year.

    ``share = v_ij / sum_k v_kj`` (0–1) where ``v_ij`` is the value in USD that exporter ``i``
    sold to importer ``j``; self-trade (exporter == importer) and zero or missing values are
    left out, duplicate rows summed. With ``merge_hk`` Hong Kong and Macao count as China (and
    a flow whose relabelled exporter is the importer is dropped as self-trade). ``product``
    names the product column (``hs4``/``hs2`` are cut from ``hs6`` when the table has only
    that). ``reporters``, ``years``, ``products``, ``unique_flows`` and ``con`` as in
    :func:`concentration`.

    Returns ``year, importer, <product>, exporter, value_usd, share``, largest share first
    within each (year, importer, product).

    >>> t = pd.DataFrame({"year": 2022, "importer": "IND", "hs6": "850760",
    ...     "exporter": ["CHN", "HKG", "VNM"], "value_usd": [773.0, 267.0, 114.0]})
    >>> partner_shares(t, merge_hk=True)[["exporter", "share"]].round(3).values.tolist()
    [['CHN', 0.901], ['VNM', 0.099]]
    """
    with _opened(con, flows) as (con, src):
        base = _base_cte(src, product=product, merge_hk=merge_hk, unique_flows=unique_flows,
                         reporters=reporters, years=years, products=products)
        sql = f"""WITH {base}
            SELECT year, importer, {PRODUCT}, exporter, v AS value_usd,
                   v / sum(v) OVER (PARTITION BY year, importer, {PRODUCT}) AS share
            FROM base
            ORDER BY year, importer, {PRODUCT}, share DESC, exporter"""
        return _finish(_run(con, sql, "partner_shares"), product)


# --------------------------------------------------------------------------- concentration


def _share_columns(
    supplier: str | None, groups: Mapping[str, Iterable[str]] | None
) -> dict[str, list[str]]:
    """``{output column: exporters}`` for the named supplier and each partner group."""
    cols: dict[str, list[str]] = {}
    if supplier:
        code = _codes([supplier], what="supplier")[0]  # type: ignore[index]
        cols[f"share_{code.lower()}"] = [code]
    for name, members in (groups or {}).items():
        col = "share_" + re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")
        if col in cols or col == "share_":
            raise InputError(f"partner group {name!r} gives a column name {col!r} that is "
                             "empty or already taken")
        cols[col] = sorted(set(_codes(members, what=f"member of group {name!r}") or []))
    return cols


def _membership_sql(share_cols: Mapping[str, Sequence[str]]) -> tuple[str, str, str]:
    """SQL for the ``share_<supplier>`` and ``share_<group>`` columns by a membership join.

    CTE ``members`` holds one row per exporter named in any group, with a 0/1 weight
    ``w_k`` per output column ``k`` (1 when the exporter belongs to that group; groups may
    overlap). CTE ``weighted`` is ``base`` left-joined to it, weights 0 for everyone else.
    The share is then a plain sum: ``share_k = sum_j v_j * w_jk / sum_j v_j`` (0–1), which
    equals the group's value over the importer's total, ``sum_{j in k} v_j / sum_j v_j``,
    term for term (``v * 1 = v`` and ``v * 0 = 0`` exactly in floating point). One hash join
    against a table of a few dozen rows replaces one ``FILTER (WHERE exporter IN (...))``
    aggregate per group, which cost more than half of a full BACI year's pass.

    Returns ``(members CTE, weighted CTE, select list)``; three empty strings when there are
    no share columns. The join is on the exporter after any Hong Kong merge, as before.
    """
    if not share_cols:
        return "", "", ""
    names = list(share_cols)
    everyone = sorted({code for codes in share_cols.values() for code in codes})
    weights = [f"w{k}" for k in range(len(names))]
    rows = ", ".join(
        "('" + code + "', " + ", ".join("1.0" if code in share_cols[c] else "0.0" for c in names)
        + ")" for code in everyone)
    if not rows:  # only empty groups: every share is 0
        rows = "(CAST(NULL AS VARCHAR), " + ", ".join("0.0" for _ in names) + ")"
    # the literals 1.0/0.0 are DECIMALs in DuckDB: cast once here, on the few member rows,
    # not on each of the flows (casting 11 M rows per group cost about 2 CPU-seconds)
    members = ("members AS (SELECT member, "
               + ", ".join(f"CAST({w} AS DOUBLE) AS {w}" for w in weights)
               + f" FROM (VALUES {rows}) AS m(member, {', '.join(weights)}))")
    weighted = ("weighted AS (SELECT base.*, "
                + ", ".join(f"coalesce(members.{w}, CAST(0 AS DOUBLE)) AS {w}"
                            for w in weights)
                + " FROM base LEFT JOIN members ON base.exporter = members.member)")
    shares = "".join(f",\n sum(v * {w}) / sum(v) AS {col}"
                     for w, col in zip(weights, names, strict=True))
    return members, weighted, shares


def _concentration_sql(
    src: _Source,
    *,
    product: str = schema.HS6,
    merge_hk: bool = False,
    supplier: str | None = "CHN",
    groups: Mapping[str, Iterable[str]] | None = None,
    reporters: Iterable[str] | str | None = None,
    years: Iterable[int] | int | None = None,
    products: Iterable[str] | str | None = None,
    unique_flows: bool = False,
    spill: bool = False,
    ordered: bool = True,
) -> str:
    """The concentration query. ``spill`` ranks suppliers with a window (sorts can spill to
    disk) instead of keeping a top-3 list per group in memory (faster, but not spillable).
    ``ordered=False`` leaves out the final sort by (year, importer, product), for a caller
    that keeps the result in DuckDB and orders what it returns itself (:mod:`esc.screen`)."""
    base = _base_cte(src, product=product, merge_hk=merge_hk, unique_flows=unique_flows,
                     reporters=reporters, years=years, products=products)
    share_cols = _share_columns(supplier, groups)
    members, weighted, shares = _membership_sql(share_cols)
    if members:
        base = f"{base},\n{members},\n{weighted}"
    rows = "weighted" if members else "base"
    # HHI = sum_j (v_j / V)^2 = sum_j v_j^2 / V^2: one pass, no shares table needed.
    # The largest supplier: ties go to the alphabetically first exporter.
    if spill:
        source = f"""(SELECT *, row_number() OVER (PARTITION BY year, importer, {PRODUCT}
                                                  ORDER BY v DESC, exporter) AS rank
                    FROM {rows})"""
        top1 = "any_value(exporter) FILTER (WHERE rank = 1)"
        top3 = "sum(v) FILTER (WHERE rank <= 3)"
    else:
        source, top1, top3 = rows, "arg_min(exporter, (-v, exporter))", "list_sum(max(v, 3))"
    return f"""WITH {base}
        SELECT year, importer, {PRODUCT},
               sum(v) AS imports_usd,
               count(*) AS n_partners,
               sum(v * v) / (sum(v) * sum(v)) AS hhi,
               {top1} AS top1_partner,
               max(v) / sum(v) AS top1_share,
               {top3} / sum(v) AS top3_share,
               (sum(v) * sum(v)) / sum(v * v) AS eff_suppliers{shares}
        FROM {source}
        GROUP BY year, importer, {PRODUCT}
        {f"ORDER BY year, importer, {PRODUCT}" if ordered else ""}"""


def concentration(
    flows: Flows,
    *,
    product: str = schema.HS6,
    merge_hk: bool = False,
    supplier: str | None = "CHN",
    groups: Mapping[str, Iterable[str]] | None = None,
    reporters: Iterable[str] | str | None = None,
    years: Iterable[int] | int | None = None,
    products: Iterable[str] | str | None = None,
    unique_flows: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Import concentration of every (year, importer, product) in ``flows``.

    With ``v_j`` the importer's imports of the product from exporter ``j`` (USD) and
    ``s_j = v_j / sum_k v_k`` its share (see :func:`partner_shares`):

    - ``imports_usd = sum_j v_j`` (USD), ``n_partners`` = number of exporters with ``v_j > 0``;
    - ``hhi = sum_j s_j**2`` in [1/n_partners, 1]; ``eff_suppliers = 1 / hhi``;
    - ``top1_partner`` / ``top1_share``: the largest supplier and its share (ties: first ISO3);
    - ``top3_share``: sum of the three largest shares (all of them when fewer than three);
    - ``share_<supplier>`` (``share_chn`` by default; ``supplier=None`` to omit) and one
      ``share_<group>`` per entry of ``groups`` (``{name: ISO3 codes}``, e.g.
      :func:`esc.countries.partner_groups`; the name lower-cased), 0 when no member supplies.

    ``merge_hk=True`` counts Hong Kong's and Macao's exports as China's before anything is
    computed. ``reporters``, ``years`` and ``products`` restrict the rows read (pushed into the
    Parquet scan when ``flows`` is a path). Pass ``con`` (see :func:`connect`) to set DuckDB's
    threads; for a memory cap use :func:`concentration_out_of_core`.

    Rows are first summed to one per (year, importer, product, exporter). ``unique_flows=True``
    vouches that they already are, as in BACI files, esc's BACI cache and the demo world, and
    skips that step (about half the time of a full BACI year); duplicate rows would then count
    as separate partners, so leave it False for tables of unknown origin.

    >>> t = pd.DataFrame({"year": 2022, "importer": "IND", "hs6": "850760",
    ...     "exporter": ["CHN", "HKG", "VNM"], "value_usd": [773.0, 267.0, 114.0]})
    >>> r = concentration(t)
    >>> round(float(r.hhi[0]), 3), r.top1_partner[0], round(float(r.share_chn[0]), 3)
    (0.512, 'CHN', 0.67)
    >>> round(float(concentration(t, merge_hk=True).hhi[0]), 3)
    0.822
    """
    with _opened(con, flows) as (con, src):
        sql = _concentration_sql(src, product=product, merge_hk=merge_hk, supplier=supplier,
                                 groups=groups, reporters=reporters, years=years,
                                 products=products, unique_flows=unique_flows)
        return _concentration_frame(_run(con, sql, "concentration"), product)


def _concentration_frame(out: pd.DataFrame, product: str) -> pd.DataFrame:
    out["n_partners"] = out["n_partners"].astype("int64")
    return _finish(out, product)


BYTES_PER_ROW_IN_PASS = 400
"""Memory one input flow row costs a concentration pass in DuckDB (aggregation, supplier
ranking, sort), in bytes. Measured with DuckDB 2.0 on 2 cores: a pass over 75,000 rows fits
in 32 MB, one over 150,000 rows does not without spilling. :func:`concentration_out_of_core`
sizes its passes with it."""


def concentration_out_of_core(
    parquet: str | Path | Sequence[str | Path],
    *,
    memory_limit: str = "1GB",
    temp_directory: str | Path | None = None,
    threads: int | None = None,
    out: str | Path | None = None,
    rows_per_pass: int | None = None,
    **options,
) -> pd.DataFrame | Path:
    """:func:`concentration` over Parquet files larger than memory.

    The work is cut into passes of whole (year, importer) groups, each holding at most
    ``rows_per_pass`` input rows (default ``memory_limit / BYTES_PER_ROW_IN_PASS``; an importer
    larger than that gets a pass of its own). Every (year, importer, product) lies in exactly
    one pass, so the passes' results are the results. Within a pass DuckDB keeps at most
    ``memory_limit`` in memory and spills the aggregation, the supplier ranking and the sort
    to ``temp_directory`` (a fresh temporary folder, removed afterwards, when not given).

    Each pass is written to Parquet by DuckDB's ``COPY`` and the parts are joined in
    (year, importer, product) order. With ``out`` the result is streamed into that Parquet
    file row group by row group (it never becomes a DataFrame) and its path is returned;
    otherwise the DataFrame is returned, which must then fit in memory (about 100 bytes per
    importer-product-year). ``options`` are :func:`concentration`'s keywords.
    """
    allowed = {"product", "merge_hk", "supplier", "groups", "reporters", "years", "products",
               "unique_flows"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InputError(f"unknown option(s): {', '.join(unknown)}")
    product = options.get("product", schema.HS6)
    budget = rows_per_pass or max(1, _bytes(memory_limit) // BYTES_PER_ROW_IN_PASS)
    with tempfile.TemporaryDirectory(prefix="esc-duckdb-") as scratch:
        con = connect(memory_limit=memory_limit, temp_directory=temp_directory or scratch,
                      threads=threads)
        try:
            src = _Source(con, parquet)
            passes = _passes(con, src, budget, **options)
            if not passes and out is None:  # nothing selected: the empty table, typed
                sql = _concentration_sql(src, spill=True, **options)
                return _concentration_frame(_run(con, f"{sql} LIMIT 0", "concentration"),
                                            product)
            parts = []
            for n, (year, reporters) in enumerate(passes):
                sql = _concentration_sql(src, spill=True, **{**options, "years": [year],
                                                              "reporters": reporters})
                part = Path(scratch) / f"part-{n:05d}.parquet"
                renamed = f"SELECT * RENAME ({PRODUCT} AS {product}) FROM ({sql})"
                con.execute(f"COPY ({renamed}) TO '{_setting(str(part))}' (FORMAT parquet)")
                parts.append(part)
        finally:
            con.close()
        logger.info("concentration out of core: %d pass(es) of at most %d rows", len(parts),
                    budget)
        if out is not None:
            return _join_parts(parts, Path(out))
        frame = pa.concat_tables([pq.read_table(p) for p in parts]).to_pandas()
        return _concentration_frame(frame, product)


def _bytes(setting: str) -> int:
    """``"32MB"`` -> 33,554,432 (DuckDB's units are powers of 1024)."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]i?B|B)?\s*", setting, flags=re.IGNORECASE)
    if not match:
        raise InputError(f"memory_limit {setting!r} is not a size like '1GB' or '512MB'")
    unit = (match.group(2) or "B").upper().replace("IB", "B")
    power = {"B": 0, "KB": 1, "MB": 2, "GB": 3, "TB": 4}[unit]
    return int(float(match.group(1)) * 1024**power)


def _passes(con: duckdb.DuckDBPyConnection, src: _Source, budget: int, **options
            ) -> list[tuple[int, list[str]]]:
    """(year, reporters) of each pass: whole importers packed in order up to ``budget`` rows."""
    prod = src.product_expr(options.get("product", schema.HS6))
    where = " AND ".join(_filters(src, product_sql=prod, reporters=options.get("reporters"),
                                  years=options.get("years"),
                                  products=options.get("products")))
    counts = con.execute(f"""SELECT CAST({schema.YEAR} AS INTEGER), {schema.IMPORTER},
                                    count(*) FROM {src.sql} WHERE {where}
                             GROUP BY 1, 2 ORDER BY 1, 2""").fetchall()
    passes: list[tuple[int, list[str]]] = []
    rows = 0
    for year, importer, n in counts:
        if not passes or passes[-1][0] != year or rows + n > budget:
            passes.append((year, []))
            rows = 0
        passes[-1][1].append(importer)
        rows += n
    return passes


def _join_parts(parts: list[Path], target: Path) -> Path:
    """Concatenate the passes' Parquet files into ``target``, one row group at a time."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not parts:
        raise InputError("no flows match the selection: nothing to write", path=target)
    schema_ = pq.read_schema(parts[0])
    with pq.ParquetWriter(target, schema_) as writer:
        for part in parts:
            file = pq.ParquetFile(part)
            for i in range(file.num_row_groups):
                writer.write_table(file.read_row_group(i).cast(schema_))
    logger.info("concentration written to %s", target)
    return target


# --------------------------------------------------------------------------- world exports


def world_export_concentration(
    flows: Flows,
    *,
    product: str = schema.HS6,
    merge_hk: bool = False,
    years: Iterable[int] | int | None = None,
    products: Iterable[str] | str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """Concentration of world exports of each product by exporter (the chokepoint screen).

    ``world_exports_usd = sum_i X_i`` where ``X_i`` is exporter ``i``'s exports of the product to
    every other country (USD); ``export_hhi = sum_i (X_i / sum_k X_k)**2`` on 0–1;
    ``top_exporter`` / ``top_exporter_share`` the largest exporter and its share (ties: first
    ISO3). It needs a table with every importer (BACI, the demo world), not one reporter's
    imports.

    ``merge_hk=True`` relabels Hong Kong and Macao as China on both sides, so flows between the
    three become internal and are dropped, and Hong Kong's re-exports count once, as China's.

    Returns ``year, <product>, world_exports_usd, n_exporters, export_hhi, top_exporter,
    top_exporter_share``.

    >>> t = pd.DataFrame({"year": 2022, "hs6": "850511", "importer": ["JPN", "IND", "IND"],
    ...     "exporter": ["CHN", "CHN", "JPN"], "value_usd": [60.0, 30.0, 10.0]})
    >>> r = world_export_concentration(t)
    >>> r.top_exporter[0], float(r.top_exporter_share[0]), round(float(r.export_hhi[0]), 2)
    ('CHN', 0.9, 0.82)
    """
    with _opened(con, flows) as (con, src):
        src.require(schema.YEAR, schema.EXPORTER, schema.IMPORTER, schema.VALUE)
        prod = src.product_expr(product)
        exp = _exporter_sql(merge_hk)
        where = _filters(src, product_sql=prod, years=years, products=products)
        where.append(f"({exp}) <> ({_exporter_sql(merge_hk, schema.IMPORTER)})")
        sql = f"""WITH by_exporter AS (
                SELECT CAST({schema.YEAR} AS INTEGER) AS year, {prod} AS {PRODUCT},
                       {exp} AS exporter, sum({schema.VALUE}) AS x
                FROM {src.sql}
                WHERE {" AND ".join(where)}
                GROUP BY 1, 2, 3
            )
            SELECT year, {PRODUCT},
                   sum(x) AS world_exports_usd,
                   count(*) AS n_exporters,
                   sum(x * x) / (sum(x) * sum(x)) AS export_hhi,
                   arg_min(exporter, (-x, exporter)) AS top_exporter,
                   max(x) / sum(x) AS top_exporter_share
            FROM by_exporter
            GROUP BY year, {PRODUCT}
            ORDER BY year, {PRODUCT}"""
        out = _run(con, sql, "world_export_concentration")
        out["n_exporters"] = out["n_exporters"].astype("int64")
        return _finish(out, product)


# --------------------------------------------------------------------------- import/export ratio


def import_export_ratio(
    flows: Flows,
    reporter: str,
    *,
    product: str = schema.HS6,
    years: Iterable[int] | int | None = None,
    products: Iterable[str] | str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pd.DataFrame:
    """A reporter's imports over its exports of each product (the net-dependence screen).

    ``import_export_ratio = M / X`` with ``M`` the country's imports of the product from every
    other country and ``X`` its exports to every other country (both USD, self-trade left out).
    The ratio is ``inf`` when the country imports but does not export the product (``X = 0``,
    ``M > 0``) and 0 when it exports but does not import. Products it neither imports nor exports
    do not appear. The EC (2021) screen flags ratios above 1.

    Returns ``year, <product>, imports_usd, exports_usd, import_export_ratio``.

    >>> t = pd.DataFrame({"year": 2022, "hs6": ["850760", "850760", "300490"],
    ...     "importer": ["IND", "USA", "IND"], "exporter": ["CHN", "IND", "DEU"],
    ...     "value_usd": [90.0, 30.0, 5.0]})
    >>> import_export_ratio(t, "IND").import_export_ratio.tolist()
    [inf, 3.0]
    """
    code = _codes([reporter], what="reporter")[0]  # type: ignore[index]
    with _opened(con, flows) as (con, src):
        src.require(schema.YEAR, schema.EXPORTER, schema.IMPORTER, schema.VALUE)
        prod = src.product_expr(product)
        where = _filters(src, product_sql=prod, years=years, products=products)
        where += [f"{schema.EXPORTER} <> {schema.IMPORTER}",
                  f"({schema.IMPORTER} = '{code}' OR {schema.EXPORTER} = '{code}')"]
        sql = f"""SELECT CAST({schema.YEAR} AS INTEGER) AS year, {prod} AS {PRODUCT},
                   coalesce(sum({schema.VALUE}) FILTER (WHERE {schema.IMPORTER} = '{code}'), 0)
                       AS imports_usd,
                   coalesce(sum({schema.VALUE}) FILTER (WHERE {schema.EXPORTER} = '{code}'), 0)
                       AS exports_usd
            FROM {src.sql}
            WHERE {" AND ".join(where)}
            GROUP BY 1, 2
            ORDER BY 1, 2"""
        out = _run(con, sql, "import_export_ratio")
    imports = out["imports_usd"].to_numpy(dtype="float64")
    exports = out["exports_usd"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["import_export_ratio"] = np.where(exports > 0, imports / np.where(exports > 0,
                                              exports, 1.0), np.inf)
    return _finish(out, product)
