"""Countries: numeric trade codes to ISO3, names, and partner groups.

BACI and UN Comtrade use ISO 3166-1 numeric codes with a few exceptions of their own
(India 699 rather than 356, USA 842 rather than 840, ...). Those exceptions are listed in
:data:`TRADE_CODE_EXCEPTIONS`, taken from CEPII BACI ``country_codes_V202501.csv``; every
other code goes through :mod:`pycountry`.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pandas as pd
import pycountry

from esc.config import package_data_dir
from esc.errors import DataNotFoundError, InputError, MissingColumnError, UnknownCountryError

# Source: CEPII BACI V202501 country_codes (codes that are not ISO 3166-1 numeric), plus the
# UN Comtrade aggregates World (0) and EU (97).
TRADE_CODE_EXCEPTIONS: dict[int, tuple[str, str]] = {
    0: ("WLD", "World"),
    97: ("EUN", "European Union"),
    58: ("BEL", "Belgium-Luxembourg (...1998)"),
    200: ("CSK", "Czechoslovakia (...1992)"),
    251: ("FRA", "France"),
    278: ("DDR", "Dem. Rep. of Germany (...1990)"),
    280: ("DEU", "Fed. Rep. of Germany (...1990)"),
    490: ("S19", "Other Asia, nes (Taiwan)"),
    530: ("ANT", "Netherlands Antilles (...2010)"),
    579: ("NOR", "Norway"),
    697: ("R20", "Europe EFTA, nes"),
    699: ("IND", "India"),
    711: ("ZA1", "Southern African Customs Union (...1999)"),
    736: ("SDN", "Sudan (...2011)"),
    757: ("CHE", "Switzerland"),
    810: ("SUN", "USSR (...1990)"),
    842: ("USA", "USA"),
    849: ("PUS", "US Misc. Pacific Isds"),
    891: ("SCG", "Serbia and Montenegro (...2005)"),
}

RE_EXPORT_HUBS: tuple[str, ...] = ("HKG", "MAC")
"""Hong Kong and Macao: merged into China by the ``merge_hk`` option (re-exports)."""

AGGREGATES: frozenset[str] = frozenset({"WLD", "EUN"})


@cache
def _numeric_table() -> dict[int, str]:
    table = {int(c.numeric): c.alpha_3 for c in pycountry.countries}
    table.update({code: iso for code, (iso, _) in TRADE_CODE_EXCEPTIONS.items()})
    return table


def iso3_from_numeric(
    codes: pd.Series,
    *,
    path: str | Path | None = None,
    column: str | None = None,
    table: dict[int, str] | None = None,
    line_offset: int = 2,
) -> pd.Series:
    """Map numeric trade codes (BACI ``i``/``j``, Comtrade ``reporterCode``) to ISO3.

    ``table`` overrides the built-in mapping (e.g. the ``country_codes`` file of a BACI zip).
    An unknown code raises :class:`UnknownCountryError` naming the file, line and column.

    >>> iso3_from_numeric(pd.Series([699, 392, 156])).tolist()
    ['IND', 'JPN', 'CHN']
    """
    mapping = dict(_numeric_table())
    if table:
        mapping.update(table)
    nums = pd.to_numeric(codes, errors="coerce")
    bad = nums.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(f"country code {codes.iloc[pos]!r} is not numeric", path=path,
                         line=pos + line_offset, column=column)
    uniq = pd.unique(nums.astype("int64"))
    lookup = {u: mapping.get(int(u)) for u in uniq}
    missing = [u for u, iso in lookup.items() if iso is None]
    if missing:
        pos = int((nums.astype("int64") == missing[0]).to_numpy().nonzero()[0][0])
        raise UnknownCountryError(f"unknown country code {int(missing[0])}", path=path,
                                  line=pos + line_offset, column=column)
    return nums.astype("int64").map(lookup).astype(str)


@cache
def _names() -> dict[str, str]:
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update({iso: name for iso, name in TRADE_CODE_EXCEPTIONS.values() if iso not in names})
    names["S19"] = "Taiwan (Other Asia, nes)"
    return names


def country_name(iso3: str) -> str:
    """Short English name of an ISO3 code (``iso3`` itself when unknown)."""
    return _names().get(iso3, iso3)


def is_known_iso3(iso3: str) -> bool:
    """Whether ``iso3`` is an ISO 3166 alpha-3 code or one of the trade-statistics codes."""
    return iso3 in _names()


def check_countries(codes: list[str] | tuple[str, ...], *, what: str = "country") -> list[str]:
    """Upper-case and check a user's list of ISO3 codes; raise on an unknown one."""
    out = []
    for code in codes:
        c = code.strip().upper()
        if not is_known_iso3(c):
            raise UnknownCountryError(f"unknown {what} {code!r}: expected an ISO3 code like IND")
        out.append(c)
    return out


def partner_groups(path: str | Path | None = None) -> dict[str, frozenset[str]]:
    """Partner groups (Quad, G7, EU27, ASEAN, MSP, trusted) as ``{group: {iso3, ...}}``.

    Read from ``path``, else from the file named by ``$ESC_GROUPS_FILE`` (an edited copy,
    e.g. with the user's own "trusted" set), else from ``data/partner_groups.csv``. Columns:
    ``group, iso3, source``.
    """
    env = os.environ.get("ESC_GROUPS_FILE")
    file = Path(path) if path else (Path(env) if env else
                                    package_data_dir() / "partner_groups.csv")
    if not file.is_file():
        raise DataNotFoundError(f"{file}: partner groups file not found")
    df = pd.read_csv(file, dtype=str)
    for col in ("group", "iso3"):
        if col not in df.columns:
            raise MissingColumnError("required column is missing", path=file, column=col)
    bad = ~df["iso3"].map(is_known_iso3)
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise UnknownCountryError(f"unknown country {df['iso3'].iloc[pos]!r}", path=file,
                                  line=pos + 2, column="iso3")
    return {g: frozenset(sub["iso3"]) for g, sub in df.groupby("group", sort=True)}
