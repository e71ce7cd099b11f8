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

:func:`validate_flows` is the one gate every loader's output passes through. The plausibility
bounds it enforces (:data:`MIN_YEAR`, :func:`max_year`, :data:`MAX_FLOW_USD`) are the same ones
the readers apply to the raw files, where they can name the line and column as written;
docs/reliability.md says why each bound is where it is.
"""

from __future__ import annotations

from datetime import date

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

# ----------------------------------------------------------------------------- output tables
# The columns of the import table (esc.metrics.concentration, esc.analysis.import_table,
# esc.vulnerability.classify), named once. In every output table the importing country is the
# ``importer`` column (the function parameter that selects it is ``reporter``/``reporters``)
# and a supplying country is a ``partner`` (``top1_partner``; ``share_<group>`` for groups).

IMPORTS = "imports_usd"
"""The reporter's imports of the product from every partner, USD."""
N_PARTNERS = "n_partners"
HHI = "hhi"
"""Herfindahl-Hirschman index of partner shares, sum of s_i^2, 0-1."""
TOP1_PARTNER = "top1_partner"
TOP1_SHARE = "top1_share"
TOP3_SHARE = "top3_share"
EFF_SUPPLIERS = "eff_suppliers"
SHARE_PREFIX = "share_"
"""``share_chn`` (one country) and ``share_<group>`` (a partner group) are shares 0-1."""
SHARE_CHN = "share_chn"
EXPORT_HHI = "export_hhi"
IMPORT_EXPORT_RATIO = "import_export_ratio"
PCI = "pci"
PCI_SOURCE = "pci_source"
PCI_NOTE = "pci_note"
SHORT_NAME = "short_name"
SECTOR = "sector"
CATEGORY = "category"
FLAG = "flag"
DATA_LABEL = "data_label"
"""The first column of a CSV export: the table's label (:mod:`esc.label`)."""


def dependence_columns(product: str = HS6, *, groups: list[str] | None = None) -> list[str]:
    """The columns of ``esc dependence``, in order, at product level ``product``; ``groups``
    (``share_<group>`` names) go after China's share in the machine-readable formats."""
    return [IMPORTER, product, SHORT_NAME, IMPORTS, TOP1_PARTNER, TOP1_SHARE, HHI, N_PARTNERS,
            SHARE_CHN, *(groups or []), PCI, PCI_SOURCE, CATEGORY, FLAG]


def screen_columns(product: str = HS6) -> list[str]:
    """The columns ``esc screen`` prints as a table, in order, at product level ``product``
    (the machine-readable formats carry every column of the screen)."""
    return [YEAR, IMPORTER, product, SHORT_NAME, SECTOR, IMPORTS, N_PARTNERS, HHI,
            TOP1_PARTNER, TOP1_SHARE, TOP3_SHARE, SHARE_CHN, IMPORT_EXPORT_RATIO, EXPORT_HHI,
            PCI, PCI_SOURCE, CATEGORY, FLAG]


MIN_YEAR = 1962
"""First year esc accepts: UN Comtrade's annual series, from which BACI and WITS are built,
start in 1962. An earlier year in a trade file is a typo or a wrong column."""

MAX_FLOW_USD = 1e13
"""Largest value esc accepts for one flow (one year, exporter, importer and product), in USD.

World merchandise exports were about US$24 trillion (2.4e13) in 2023 (WTO, World Trade
Statistical Review 2024), summed over every pair and product; the largest single bilateral
HS6 flows are in the order of 1e11 (crude oil, integrated circuits). 1e13 is two orders of
magnitude above those, so a larger value is a unit or parsing error (BACI's thousands read as
dollars twice, a misplaced decimal), never a real flow."""


def max_year(today: date | None = None) -> int:
    """Last year esc accepts: next calendar year (annual data are published after the year).

    >>> max_year(date(2026, 12, 1))
    2027
    """
    return (today or date.today()).year + 1


def year_problem(years: pd.Series | np.ndarray) -> tuple[int, str] | None:
    """``(position, message)`` of the first year outside ``MIN_YEAR .. max_year()``.

    ``years`` is numeric (NaN is left to the caller). ``None`` when all are plausible.

    >>> year_problem(pd.Series([2021, 99999]))[0]
    1
    """
    arr = np.asarray(years, dtype="float64")
    last = max_year()
    bad = _first_bad(~np.isnan(arr) & ((arr < MIN_YEAR) | (arr > last) | (arr != np.floor(arr))))
    if bad is None:
        return None
    value = arr[bad]
    shown = int(value) if value == np.floor(value) else value
    return bad, f"year {shown} is outside {MIN_YEAR}-{last} (or not a whole year)"


def value_problem(values: pd.Series | np.ndarray, *, scale: float = 1.0,
                  what: str = "trade value", missing_ok: bool = False,
                  bound: float | None = MAX_FLOW_USD) -> tuple[int, str] | None:
    """``(position, message)`` of the first value that cannot be a trade value, or ``None``.

    Checked in this order: not a number (NaN; allowed when ``missing_ok``), infinite, negative,
    above ``bound`` USD once multiplied by ``scale`` (1000 for BACI's thousands).

    >>> value_problem(pd.Series([1.0, float("nan")]))
    (1, 'trade value is not a number (NaN)')
    >>> value_problem(pd.Series([2e10]), scale=1000.0)[1]
    'trade value 2e+10 (2e+13 USD) is above 1e+13 USD, more than any single flow can be'
    """
    arr = np.asarray(values, dtype="float64")
    nan = np.isnan(arr)
    checks = [
        (nan & (not missing_ok), "{what} is not a number (NaN)"),
        (np.isinf(arr), "{what} {value} is infinite"),
        (~nan & (arr < 0), "negative {what} {value}"),
    ]
    if bound is not None:
        checks.append((~nan & np.isfinite(arr) & (arr * scale > bound),
                       "{what} {value:g} ({usd:g} USD) is above {bound:g} USD, more than any "
                       "single flow can be" if scale != 1 else
                       "{what} {value:g} USD is above {bound:g} USD, more than any single flow "
                       "can be"))
    found = [(pos, text) for mask, text in checks if (pos := _first_bad(mask)) is not None]
    if not found:
        return None
    pos, text = min(found)
    return pos, text.format(what=what, value=arr[pos], usd=arr[pos] * scale, bound=bound)


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
    for col, kwargs in ((VALUE, {}), (QUANTITY, {"what": "quantity", "missing_ok": True,
                                                  "bound": None})):
        problem = value_problem(pd.to_numeric(df[col]), **kwargs)
        if problem is not None:
            raise BadValueError(problem[1], path=source, line=problem[0] + line_offset,
                                column=col)
    bad = _first_bad(pd.to_numeric(df[YEAR]).isna())
    if bad is not None:
        raise BadValueError("year is missing", path=source, line=bad + line_offset, column=YEAR)
    problem = year_problem(pd.to_numeric(df[YEAR]))
    if problem is not None:
        raise BadValueError(problem[1], path=source, line=problem[0] + line_offset, column=YEAR)
    revs = df[HS_REV].astype(str)
    bad = _first_bad(~revs.isin(HS_REVISIONS))
    if bad is not None:
        raise BadValueError(
            f"HS revision {revs.iloc[bad]!r} is not one of {', '.join(HS_REVISIONS)}",
            path=source, line=bad + line_offset, column=HS_REV,
        )
    return _coerce(df, product)
