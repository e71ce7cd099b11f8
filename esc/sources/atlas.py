"""Atlas of Economic Complexity (Harvard Growth Lab): product and country complexity.

The joint study ranks products by the Product Complexity Index (PCI): how few, and how
diversified, the countries that export a product competitively are. The Growth Lab publishes
PCI per HS1992 4-digit heading and year (1995–2023), and the Economic Complexity Index (ECI)
per country and year. esc reads them as published rather than recomputing them, so that its
own complexity code (``esc.complexity``) can be checked against them.

- :func:`read_pci` — ``year, hs4, pci, world_exports_usd`` from ``hs92_product_year_4.csv``
  (columns ``product_hs92_code, year, export_value, pci``). ``hs4`` is read as text: heading
  0101 must not become 101. ``export_value`` is world exports of the heading, current USD.
  The Atlas pseudo-heading ``XXXX`` ("Trade data discrepancies") is not a product and is left
  out; ``9999`` (commodities not specified) is kept, as the Atlas ranks it.
- :func:`read_eci` — ``year, iso3, eci, eci_rank`` from ``atlas_eci.csv`` (the
  ``complexitydata`` R package's copy of the Atlas rankings: ``year, location_code,
  eci_hs92, eci_rank_hs92``).

Both look in the data folder first, then among files fetched with
``esc data fetch atlas --url URL`` (the Growth Lab's Dataverse serves the tables; its file
URLs change between releases, hence ``--url``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from esc.cache import locate
from esc.errors import BadValueError, MissingColumnError
from esc.schema import HS4, YEAR
from esc.source import BaseSource, fetch_file

log = logging.getLogger(__name__)

PUBLISHER = "Harvard Growth Lab, Atlas of Economic Complexity"
LICENCE = ("Atlas data: Harvard Growth Lab Dataverse terms (believed CC BY-NC-SA 4.0; verify "
           "before redistributing); ECI copy via complexitydata (MIT)")
PAGE = "https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/T4CHWJ"
PCI_FILE = "hs92_product_year_4.csv"
ECI_FILE = "atlas_eci.csv"

_PCI_ALIASES = {"hs_product_code": "product_hs92_code", "export_value_usd": "export_value"}
NOT_PRODUCTS: frozenset[str] = frozenset({"XXXX"})
"""Atlas pseudo-headings that are not HS products ("Trade data discrepancies")."""
_ECI_ALIASES = {"country_iso3_code": "location_code", "eci": "eci_hs92",
                "eci_rank": "eci_rank_hs92"}


def _hint(name: str) -> str:
    return (f"Atlas table {name} not found: run `esc data fetch atlas --url URL` with the "
            f"file's URL from the Growth Lab Dataverse ({PAGE}), or put {name} in "
            "<data folder>/atlas-pci-hs92 (PCI) or <data folder>/atlas-complexitydata (ECI)")


def _read(path: Path, aliases: dict[str, str], required: list[str],
          text_columns: list[str]) -> pd.DataFrame:
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    sep = "\t" if header.count("\t") > header.count(",") else ","
    df = pd.read_csv(path, sep=sep, dtype={c: str for c in text_columns + list(aliases)})
    df = df.rename(columns={k: v for k, v in aliases.items() if k in df.columns})
    for col in required:
        if col not in df.columns:
            raise MissingColumnError("required Atlas column is missing", path=path, line=1,
                                     column=col)
    return df


def _numeric(df: pd.DataFrame, col: str, path: Path, *, allow_missing: bool = False
             ) -> pd.Series:
    num = pd.to_numeric(df[col], errors="coerce")
    bad = num.isna() & (df[col].notna() if allow_missing else True)
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise BadValueError(f"value {df[col].iloc[pos]!r} is not numeric", path=path,
                            line=pos + 2, column=col)
    return num


def read_pci(path: str | Path | None = None) -> pd.DataFrame:
    """Atlas PCI per HS92 heading and year: ``year:int16, hs4:str, pci, world_exports_usd``.

    ``pci`` is standardised within each year (mean about 0, sd about 1 across products);
    ``world_exports_usd`` is the heading's world exports in current USD. Missing file ->
    :class:`~esc.errors.DataNotFoundError` saying how to get it.
    """
    file = Path(path) if path else locate([f"atlas-pci-hs92/{PCI_FILE}"], source="atlas",
                                          hint=_hint(PCI_FILE))
    df = _read(file, _PCI_ALIASES, ["product_hs92_code", YEAR, "export_value", "pci"],
               ["product_hs92_code"])
    code = df["product_hs92_code"].astype(str).str.strip().str.zfill(4)
    special = code.isin(NOT_PRODUCTS)
    if special.any():
        log.info("%s: %d rows of Atlas pseudo-headings %s left out", file, int(special.sum()),
                 sorted(NOT_PRODUCTS))
        df, code = df[~special], code[~special]
    bad = ~code.str.fullmatch(r"\d{4}")
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise BadValueError(f"HS4 code {code.iloc[pos]!r} is not 4 digits", path=file,
                            line=pos + 2, column="product_hs92_code")
    out = pd.DataFrame({
        YEAR: _numeric(df, YEAR, file).astype("int16"),
        HS4: code,
        "pci": _numeric(df, "pci", file, allow_missing=True).astype("float64"),
        "world_exports_usd": _numeric(df, "export_value", file).astype("float64"),
    })
    return out.sort_values([YEAR, HS4]).reset_index(drop=True)


def read_eci(path: str | Path | None = None) -> pd.DataFrame:
    """Atlas ECI per country and year: ``year:int16, iso3:str, eci:float64, eci_rank:Int64``.

    Rank 1 is the most complex economy of the year. Missing file ->
    :class:`~esc.errors.DataNotFoundError` saying how to get it.
    """
    file = Path(path) if path else locate([f"atlas-complexitydata/{ECI_FILE}"], source="atlas",
                                          hint=_hint(ECI_FILE))
    df = _read(file, _ECI_ALIASES, [YEAR, "location_code", "eci_hs92", "eci_rank_hs92"],
               ["location_code"])
    iso = df["location_code"].astype(str).str.strip().str.upper()
    bad = ~iso.str.fullmatch(r"[A-Z][A-Z0-9]{2}")
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise BadValueError(f"country {iso.iloc[pos]!r} is not an ISO3 code", path=file,
                            line=pos + 2, column="location_code")
    out = pd.DataFrame({
        YEAR: _numeric(df, YEAR, file).astype("int16"),
        "iso3": iso,
        "eci": _numeric(df, "eci_hs92", file, allow_missing=True).astype("float64"),
        "eci_rank": _numeric(df, "eci_rank_hs92", file, allow_missing=True).astype("Int64"),
    })
    return out.sort_values([YEAR, "eci_rank", "iso3"]).reset_index(drop=True)


def detect_table(path: str | Path) -> str | None:
    """``"pci"`` or ``"eci"`` when a file's header looks like that Atlas table, else None."""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline().replace("\t", ",").replace('"', "")
    cols = {c.strip() for c in header.split(",")}
    if {"pci", YEAR} <= cols and cols & {"product_hs92_code", "hs_product_code"}:
        return "pci"
    if cols & {"eci_hs92", "eci"} and cols & {"location_code", "country_iso3_code"}:
        return "eci"
    return None


class AtlasSource(BaseSource):
    """The Growth Lab's Atlas tables (HS92 4-digit PCI, country ECI): reference tables, not
    flows; fetched from a Dataverse URL or put in the data folder."""

    name = "atlas"
    title = "Atlas of Economic Complexity (Harvard Growth Lab)"
    publisher = PUBLISHER
    licence = LICENCE
    page = PAGE
    product_level = HS4
    levels = (HS4,)
    hs_revisions = ("HS92",)
    raw_folders = ("atlas-pci-hs92", "atlas-complexitydata", "atlas-classifications")
    reads_flows = False

    def fetch(self, *, release: str | None = None, hs: str | None = None,
              url: str | None = None, sha256: str | None = None,
              progress: bool = True) -> Path:
        """An Atlas PCI or ECI table from ``url`` (required: Dataverse links change)."""
        return fetch_file(self, url, _keep_as, sha256=sha256, progress=progress)


def _keep_as(file: Path) -> str:
    """The name a fetched Atlas table is kept under, after reading it as that table."""
    kind = detect_table(file)
    if kind == "pci":
        read_pci(file)
        return PCI_FILE
    if kind == "eci":
        read_eci(file)
        return ECI_FILE
    raise BadValueError("not an Atlas PCI (product_hs92_code, year, pci) or ECI "
                        "(location_code, eci_hs92) table", path=file, line=1)


SOURCE = AtlasSource()
