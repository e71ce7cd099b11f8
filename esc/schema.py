"""The canonical tables: one vocabulary of column names for every source.

Flows table (one row per year, exporter, importer and product)::

    year        int16    calendar year
    exporter    str      ISO 3166-1 alpha-3 (BACI's "S19", Taiwan / "Other Asia, nes", kept)
    importer    str      ISO3
    hs6         str      6-digit HS code, zero-padded ("010121"); chapter-level sources use
                         ``hs2`` (2 digits) in its place, see :data:`PRODUCT_COLUMNS`
    hs_rev      str      HS revision of the code: "HS92", "HS96", ... "HS17", "HS22"
    value_usd   float64  trade value in current US dollars (BACI's ``v`` is thousands: x 1000)
    quantity_t  float64  quantity in metric tonnes, NaN where not reported

:func:`validate_flows` is the one gate every loader's output passes through.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from esc.errors import BadValueError, MissingColumnError

YEAR = "year"
EXPORTER = "exporter"
IMPORTER = "importer"
HS6 = "hs6"
HS2 = "hs2"
HS4 = "hs4"
HS_REV = "hs_rev"
VALUE = "value_usd"
QUANTITY = "quantity_t"

FLOW_COLUMNS: list[str] = [YEAR, EXPORTER, IMPORTER, HS6, HS_REV, VALUE, QUANTITY]
PRODUCT_COLUMNS: dict[str, int] = {HS2: 2, HS4: 4, HS6: 6}
HS_REVISIONS: tuple[str, ...] = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")

DEMO_LABEL = "demo data, not real trade statistics"
"""Printed on every table, chart and report built on the generated demo world."""


def product_column(df: pd.DataFrame) -> str:
    """Return the product column of a flows table: ``hs6``, ``hs4`` or ``hs2``."""
    for col in (HS6, HS4, HS2):
        if col in df.columns:
            return col
    raise MissingColumnError("no product column (expected one of hs6, hs4, hs2)", column=HS6)


def flow_columns(product: str = HS6) -> list[str]:
    """Canonical column order for a flows table whose product column is ``product``."""
    return [YEAR, EXPORTER, IMPORTER, product, HS_REV, VALUE, QUANTITY]


def empty_flows(product: str = HS6) -> pd.DataFrame:
    """An empty flows table with canonical dtypes."""
    return _coerce(pd.DataFrame({c: [] for c in flow_columns(product)}), product)


def _coerce(df: pd.DataFrame, product: str) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            YEAR: df[YEAR].astype("int16"),
            EXPORTER: df[EXPORTER].astype(str),
            IMPORTER: df[IMPORTER].astype(str),
            product: df[product].astype(str),
            HS_REV: df[HS_REV].astype(str),
            VALUE: df[VALUE].astype("float64"),
            QUANTITY: df[QUANTITY].astype("float64"),
        }
    )
    return out.reset_index(drop=True)


def _first_bad(mask: np.ndarray | pd.Series) -> int | None:
    idx = np.flatnonzero(np.asarray(mask))
    return int(idx[0]) if idx.size else None


def validate_flows(
    df: pd.DataFrame,
    *,
    source: str = "<table>",
    product: str | None = None,
    line_offset: int = 2,
) -> pd.DataFrame:
    """Check a flows table and return it with canonical column order and dtypes.

    Raises :class:`~esc.errors.MissingColumnError` or :class:`~esc.errors.BadValueError`
    naming ``source`` and the first offending row (``line_offset`` converts the row position
    to a file line: 2 for a CSV with one header line).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"year": [2022], "exporter": ["CHN"], "importer": ["IND"],
    ...     "hs6": ["850760"], "hs_rev": ["HS17"], "value_usd": [1e6], "quantity_t": [None]})
    >>> validate_flows(t).dtypes["year"]
    dtype('int16')
    """
    product = product or product_column(df)
    for col in flow_columns(product):
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path=source, column=col)
    width = PRODUCT_COLUMNS[product]
    codes = df[product].astype(str)
    bad = _first_bad(~codes.str.fullmatch(rf"\d{{{width}}}"))
    if bad is not None:
        raise BadValueError(
            f"HS code {codes.iloc[bad]!r} is not {width} digits",
            path=source, line=bad + line_offset, column=product,
        )
    for col in (EXPORTER, IMPORTER):
        vals = df[col].astype(str)
        bad = _first_bad(~vals.str.fullmatch(r"[A-Z][A-Z0-9]{2}"))
        if bad is not None:
            raise BadValueError(
                f"country {vals.iloc[bad]!r} is not an ISO3 code",
                path=source, line=bad + line_offset, column=col,
            )
    for col in (YEAR, VALUE, QUANTITY):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = _first_bad(num.isna() & df[col].notna())
        if bad is not None:
            raise BadValueError(
                f"value {df[col].iloc[bad]!r} is not numeric",
                path=source, line=bad + line_offset, column=col,
            )
    bad = _first_bad(pd.to_numeric(df[VALUE]).fillna(0) < 0)
    if bad is not None:
        raise BadValueError("negative trade value", path=source, line=bad + line_offset,
                            column=VALUE)
    bad = _first_bad(pd.to_numeric(df[YEAR]).isna())
    if bad is not None:
        raise BadValueError("year is missing", path=source, line=bad + line_offset, column=YEAR)
    revs = df[HS_REV].astype(str)
    bad = _first_bad(~revs.isin(HS_REVISIONS))
    if bad is not None:
        raise BadValueError(
            f"HS revision {revs.iloc[bad]!r} is not one of {', '.join(HS_REVISIONS)}",
            path=source, line=bad + line_offset, column=HS_REV,
        )
    return _coerce(df, product)
