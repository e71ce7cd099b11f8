"""Tables shaped for a chart: the sums, pools and weighted means a chart shows.

The chart builders of :mod:`esc.charts` only draw. What they show beyond the rows they are
given — the steps of a waterfall with the small ones pooled as "Other products", a value per
year and series with the smaller series pooled as "Other", a value-weighted mean of a ratio —
is computed here, in the analysis layer, table in and table out, with no I/O, and tested on
its own. A chart given a raw table calls these functions; a caller may call them first and
keep the table.
"""

from __future__ import annotations

import logging

import pandas as pd

from esc.errors import BadValueError, MissingColumnError

log = logging.getLogger(__name__)

OTHER = "Other"
"""The series that pools everything beyond the top N."""

OTHER_PRODUCTS = "Other products"
"""The waterfall step that pools the steps beyond the top N."""


def _require(table: pd.DataFrame, columns: list[str], what: str) -> None:
    for col in columns:
        if col not in table.columns:
            raise MissingColumnError(f"{what} needs this column", path="<table>", column=col)


def top_with_other(values: pd.Series, top: int, other: str = OTHER) -> dict[str, str]:
    """Map each key of ``values`` to itself when it is among the ``top`` largest, else to
    ``other`` (ties keep the first key).

    >>> top_with_other(pd.Series({"a": 3.0, "b": 1.0, "c": 2.0}), 2)
    {'a': 'a', 'c': 'c', 'b': 'Other'}
    """
    ranked = values.sort_values(ascending=False, kind="stable")
    keep = set(ranked.index[:top])
    return {k: (k if k in keep else other) for k in ranked.index}


def waterfall_steps(
    table: pd.DataFrame,
    *,
    step: str,
    value: str,
    covered: str | None = None,
    top: int = 8,
) -> pd.DataFrame:
    """The steps of a waterfall: ``value`` (and ``covered``) summed per ``step``, largest
    first, the steps beyond ``top`` summed into one step :data:`OTHER_PRODUCTS`.

    Returns a table indexed by the step name with the column ``value`` (and ``covered``
    when given and present), in the table's units (USD for esc's scenarios).

    >>> t = pd.DataFrame({"p": ["a", "b", "c", "a"], "v": [1.0, 5.0, 2.0, 1.0]})
    >>> waterfall_steps(t, step="p", value="v", top=2)["v"].to_dict()
    {'b': 5.0, 'a': 2.0, 'Other products': 2.0}
    """
    _require(table, [step, value], "a waterfall")
    cols = [value] + ([covered] if covered and covered in table.columns else [])
    out = table.groupby(table[step].astype(str))[cols].sum().sort_values(
        value, ascending=False, kind="stable")
    if len(out) > top:
        rest = out.iloc[top:].sum().rename(OTHER_PRODUCTS)
        out = pd.concat([out.iloc[:top], rest.to_frame().T])
    out.index.name = step
    return out


def by_year(
    table: pd.DataFrame,
    *,
    y: str,
    series: pd.Series,
    agg: str,
    weight: str | None = None,
    max_series: int = 8,
) -> pd.DataFrame:
    """``y`` per (year, series): summed, or averaged with weights, the smaller series pooled.

    ``series`` gives each row's series (aligned with ``table``). With more than
    ``max_series`` series, those beyond the ``max_series`` largest in the latest year (by
    the sum of ``y`` for ``agg="sum"``, of ``weight`` for ``agg="mean"``) become
    :data:`OTHER`. ``agg="sum"``: sum of ``y``; ``agg="mean"``: the weighted mean
    ``sum(w * y) / sum(w)`` over rows with a ``y`` (``w`` = ``weight``, 1 when None or
    absent), so a USD 3 bn product counts more than a USD 3 m one.

    Returns ``year, series, <y>`` (year as int).

    >>> t = pd.DataFrame({"year": [2023, 2023], "hhi": [0.2, 0.8], "w": [3.0, 1.0]})
    >>> out = by_year(t, y="hhi", series=pd.Series(["x", "x"]), agg="mean", weight="w")
    >>> out["hhi"].round(2).tolist()
    [0.35]
    """
    _require(table, ["year", y], "a value by year")
    if agg not in ("sum", "mean"):
        raise BadValueError(f"agg must be 'sum' or 'mean', not {agg!r}", path="<table>")
    weighted = agg == "mean" and weight is not None and weight in table.columns
    df = pd.DataFrame({"year": table["year"].astype(int).to_numpy(),
                       "series": series.astype(str).to_numpy(),
                       "_y": table[y].astype(float).to_numpy(),
                       "_w": table[weight].astype(float).to_numpy() if weighted else 1.0})
    if df["series"].nunique() > max_series:
        last = df[df["year"] == df["year"].max()]
        amount = last.groupby("series")["_w" if agg == "mean" else "_y"].sum()
        df["series"] = df["series"].map(top_with_other(amount, max_series)).fillna(OTHER)
    if agg == "sum":
        out = df.groupby(["year", "series"], as_index=False)["_y"].sum()
    else:
        df = df.dropna(subset=["_y"]).assign(_wy=lambda d: d["_w"] * d["_y"])
        out = df.groupby(["year", "series"], as_index=False)[["_wy", "_w"]].sum()
        out["_y"] = out["_wy"] / out["_w"]
    return out[["year", "series", "_y"]].rename(columns={"_y": y})


def supplier_mix(
    shares: pd.DataFrame,
    *,
    product: str,
    top: int = 6,
    max_products: int | None = None,
    importer: str = "importer",
    supplier: str = "exporter",
    value: str = "value_usd",
) -> pd.DataFrame:
    """Supplier shares per (importer, product) with the suppliers beyond the ``top`` largest
    pooled as :data:`OTHER`, for a stacked bar or a grid.

    ``shares`` is a :func:`esc.metrics.partner_shares` table (``importer, <product>,
    exporter, value_usd, share``). The top suppliers are the largest by import value over
    the whole table, so a colour means one country in every bar; an "Other" row adds the
    pooled suppliers' values and shares (nothing is recomputed). With ``max_products``,
    only each importer's ``max_products`` largest products (by import value) are kept.

    Returns ``importer, <product>, supplier, value_usd, share``; ``attrs["suppliers"]``
    lists the suppliers in legend order (largest first, :data:`OTHER` last when used).

    >>> s = pd.DataFrame({"importer": "IND", "hs6": "1", "exporter": ["A", "B", "C"],
    ...                   "value_usd": [6.0, 3.0, 1.0], "share": [0.6, 0.3, 0.1]})
    >>> out = supplier_mix(s, product="hs6", top=1)
    >>> out[["supplier", "share"]].values.tolist(), out.attrs["suppliers"]
    ([['A', 0.6], ['Other', 0.4]], ['A', 'Other'])
    """
    _require(shares, [importer, product, supplier, value, "share"], "a supplier mix")
    df = shares.assign(**{product: shares[product].astype(str)})
    if max_products:
        totals = df.groupby([importer, product], as_index=False)[value].sum()
        biggest = totals.sort_values(value, ascending=False, kind="stable").groupby(
            importer).head(max_products)
        df = df.merge(biggest[[importer, product]], on=[importer, product])
    by_supplier = df.groupby(supplier)[value].sum()
    df["supplier"] = df[supplier].map(top_with_other(by_supplier, top))
    out = df.groupby([importer, product, "supplier"], as_index=False, sort=False)[
        [value, "share"]].sum().rename(columns={importer: "importer", value: "value_usd"})
    order = list(by_supplier.sort_values(ascending=False, kind="stable").index[:top])
    out.attrs["suppliers"] = [*order, OTHER] if len(by_supplier) > top else order
    return out


def coverage_counts(
    coverage: pd.DataFrame,
    *,
    product: str = "product",
    kind: str = "type",
    count: str = "n_initiatives",
    products: list[str] | None = None,
) -> pd.DataFrame:
    """Initiatives per (product, type), with every product of ``products`` present.

    ``count`` is summed per (product, type); without a ``count`` column each row counts one
    (e.g. the initiatives table itself). With ``products``, only those are kept, and a
    product with no row at all gets one row of count 0 (under the first type), so a chart
    can show it as an empty row. Returns ``product, kind, n`` (``n`` an int).

    >>> t = pd.DataFrame({"product": ["a", "a", "b"], "type": ["MoU", "MoU", "Fund"]})
    >>> coverage_counts(t, products=["a", "c"]).values.tolist()
    [['a', 'MoU', 2], ['c', 'MoU', 0]]
    """
    _require(coverage, [product, kind], "a coverage count")
    df = coverage.assign(**{count: coverage[count] if count in coverage.columns else 1})
    out = df.groupby([df[product].astype(str), df[kind].astype(str)], as_index=False)[
        count].sum().rename(columns={product: "product", kind: "kind", count: "n"})
    if products is not None:
        out = out[out["product"].isin(list(products))]
        missing = [p for p in products if p not in set(out["product"])]
        first_kind = out["kind"].iloc[0] if len(out) else "none"
        out = pd.concat([out, pd.DataFrame({"product": missing, "kind": first_kind, "n": 0})],
                        ignore_index=True)
    return out.assign(n=out["n"].astype(int)).reset_index(drop=True)


def weighted_mean(table: pd.DataFrame, *, keys: list[str], y: str, weight: str) -> pd.DataFrame:
    """``sum(w * y) / sum(w)`` of ``y`` per ``keys`` (``w`` = ``weight``, e.g. import value
    in USD, so a large commodity counts more than a small one).

    A group with no value of ``y`` stays NaN (an unpublished year remains a gap, not a 0).
    Returns ``keys`` and ``y``.

    >>> t = pd.DataFrame({"k": ["a", "a", "b"], "s": [0.5, 0.1, None], "w": [1.0, 3.0, 2.0]})
    >>> weighted_mean(t, keys=["k"], y="s", weight="w")["s"].round(2).tolist()
    [0.2, nan]
    """
    _require(table, [*keys, y, weight], "a weighted mean")
    w = table[weight].astype(float)
    df = table[keys].assign(_wy=table[y].astype(float) * w, _w=w.where(table[y].notna()))
    out = df.groupby(keys, as_index=False).agg(
        _wy=("_wy", lambda s: s.sum(min_count=1)), _w=("_w", lambda s: s.sum(min_count=1)))
    out[y] = out["_wy"] / out["_w"]
    return out[[*keys, y]]
