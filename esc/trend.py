"""One product's imports over the years: value, China's share, top supplier and HHI.

``esc trend --reporter IND --hs6 850760 --years 2019-2023`` reads the flows of one importer
and one product (the caller loads them, e.g. with :func:`esc.data.load_flows`) and
:func:`trend_table` returns one row per year, computed by :func:`esc.metrics.concentration`
(no arithmetic of its own). With ``v_j`` the importer's imports of the product from
exporter ``j`` in a year (USD) and ``s_j = v_j / sum_k v_k``:

- ``imports_usd = sum_j v_j`` (USD) and ``n_partners`` (exporters with ``v_j > 0``);
- ``share_chn``: China's share ``s_CHN`` (0-1; with ``merge_hk`` Hong Kong and Macao count as
  China);
- ``top1_partner`` and ``top1_share``: the largest supplier and its share (0-1);
- ``hhi = sum_j s_j**2`` (0-1).

A year the caller asked for in which the importer bought none of the product gets a row with
``imports_usd = 0``, ``n_partners = 0`` and empty shares, so that a gap shows as a gap.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import pandas as pd

from esc import metrics, schema
from esc.errors import BadValueError, UnknownProductError

__all__ = ["TREND_COLUMNS", "parse_years", "trend_table"]

log = logging.getLogger(__name__)

TREND_COLUMNS = ["year", "importer", "imports_usd", "share_chn", "top1_partner", "top1_share",
                 "hhi", "n_partners"]
"""The columns of :func:`trend_table` after the product code, in order."""

_YEARS = re.compile(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?")


def parse_years(text: str) -> list[int]:
    """``"2019-2023"`` -> ``[2019, ..., 2023]``; ``"2021"`` -> ``[2021]``.

    A range is inclusive at both ends; the first year must not follow the last. Anything
    else raises :class:`~esc.errors.BadValueError` naming the text.

    >>> parse_years("2019-2021")
    [2019, 2020, 2021]
    """
    match = _YEARS.fullmatch(text or "")
    if not match:
        raise BadValueError(f"--years {text!r} is not a year or a range like 2019-2023")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if first > last:
        raise BadValueError(f"--years {text!r}: the first year {first} follows the last {last}")
    return list(range(first, last + 1))


def check_code(code: str, product: str) -> str:
    """The product code as text, checked to have the digits of its level (6 for ``hs6``)."""
    width = schema.PRODUCT_COLUMNS.get(product)
    if width is None:
        raise BadValueError(f"product level must be one of {', '.join(schema.PRODUCT_COLUMNS)}, "
                            f"not {product!r}")
    text = str(code).strip()
    if not (text.isdigit() and len(text) == width):
        raise UnknownProductError(f"{product} code {code!r} must be {width} digits, "
                                  f"like {'850760'[:width]}")
    return text


def trend_table(
    flows: pd.DataFrame,
    *,
    reporter: str,
    code: str,
    product: str = schema.HS6,
    years: Sequence[int] | None = None,
    merge_hk: bool = False,
) -> pd.DataFrame:
    """One row per year of ``reporter``'s imports of product ``code`` (see the module notes).

    ``flows`` is a canonical flows table (``year, exporter, importer, <product>, value_usd``);
    rows of other importers, products or years are left out. ``years`` (default: the years
    of the flows) are the rows wanted: a year without imports of the product gets
    ``imports_usd = 0``. Returns :data:`TREND_COLUMNS` with ``product`` after ``importer``;
    ``attrs`` are those of ``flows`` (its data label) plus ``reporter``, ``product``, ``code``
    and ``merge_hk``. Raises :class:`~esc.errors.UnknownProductError` when the reporter
    imports none of the product in any of the years.
    """
    code, reporter = check_code(code, product), reporter.strip().upper()
    conc = metrics.concentration(flows, product=product, merge_hk=merge_hk, supplier="CHN",
                                 reporters=[reporter], products=[code], years=years)
    if conc.empty:
        span = f"{min(years)}-{max(years)}" if years else "any year"
        raise UnknownProductError(f"{reporter} imports nothing under {product} {code} in "
                                  f"{span} in this data ({flows.attrs.get('source', 'flows')})")
    wanted = sorted(set(years) if years else set(conc["year"].astype(int)))
    out = (conc.assign(year=conc["year"].astype(int)).set_index("year")
           .reindex(pd.Index(wanted, name="year")).reset_index())
    out["importer"] = reporter
    out[product] = code
    out["imports_usd"] = out["imports_usd"].fillna(0.0)
    out["n_partners"] = out["n_partners"].fillna(0).astype("int64")
    missing = [int(y) for y in out.loc[out["imports_usd"] == 0, "year"]]
    if missing:
        log.info("%s imported no %s %s in %s", reporter, product, code, missing)
    cols = [*TREND_COLUMNS[:2], product, *TREND_COLUMNS[2:]]
    out = out[cols].reset_index(drop=True)
    out.attrs.update(flows.attrs)
    out.attrs.update(reporter=reporter, product=product, code=code, merge_hk=merge_hk)
    return out
