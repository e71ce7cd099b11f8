"""The seed documents behind ``data/initiatives.csv``, by readable name.

``data/initiatives.csv`` names its sources by seed file (``001_6039be9794ea1a0f.txt``).
``data/initiative_sources.csv`` says what each file is: ``kind`` (fact sheet, news article,
joint study), a short readable ``name``, and the ``title``, ``publisher``, ``date``
(``YYYY-MM-DD``) and ``url`` where the seed itself states them (empty where it does not: no
seed gives a URL). ``evidence`` holds the seed's own words that the title, publisher or date
rest on; :func:`check_evidence` checks that they occur in the seed. Tables shown to people
then read "Fact sheet on Japan-India Economic Security Cooperation" instead of a file name
(:func:`readable_sources`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from esc.config import package_data_dir
from esc.errors import BadValueError, DataNotFoundError, MissingColumnError

__all__ = ["COLUMNS", "KINDS", "check_evidence", "default_path", "for_display", "load_sources",
           "readable_sources"]

log = logging.getLogger(__name__)

COLUMNS = ["file", "kind", "name", "title", "publisher", "date", "url", "evidence"]
KINDS = ("fact sheet", "news article", "joint study")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def default_path() -> Path:
    """``data/initiative_sources.csv`` of the package."""
    return package_data_dir() / "initiative_sources.csv"


def load_sources(path: str | Path | None = None) -> pd.DataFrame:
    """The seed-source table, every cell text ("" when empty), checked.

    Raises :class:`~esc.errors.MissingColumnError` for a missing column and
    :class:`~esc.errors.BadValueError` naming the file, line and column for a duplicate or
    empty ``file`` or ``name``, an unknown ``kind`` or a malformed ``date``.
    """
    file = Path(path) if path else default_path()
    if not file.is_file():
        raise DataNotFoundError(f"{file}: no such file (the initiative sources table)")
    table = pd.read_csv(file, dtype=str, keep_default_na=False)
    for col in COLUMNS:
        if col not in table.columns:
            raise MissingColumnError("required column is missing", path=file, line=1,
                                     column=col)
    for i, row in table.iterrows():
        line = int(i) + 2  # the header is line 1
        for col in ("file", "name"):
            if not row[col].strip():
                raise BadValueError("empty", path=file, line=line, column=col)
            if (table[col] == row[col]).sum() > 1:
                raise BadValueError(f"{row[col]!r} is listed twice", path=file, line=line,
                                    column=col)
        if row["kind"] not in KINDS:
            raise BadValueError(f"kind {row['kind']!r} is not one of {', '.join(KINDS)}",
                                path=file, line=line, column="kind")
        if row["date"] and not _DATE.fullmatch(row["date"]):
            raise BadValueError(f"date {row['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD",
                                path=file, line=line, column="date")
    return table[COLUMNS]


def check_evidence(table: pd.DataFrame, seeds: str | Path) -> None:
    """Every ``evidence`` must occur in its seed file (runs of whitespace as one space)."""
    folder = Path(seeds)
    for i, row in table.iterrows():
        seed = folder / row["file"]
        if not seed.is_file():
            raise DataNotFoundError(f"seed file {row['file']!r} not found in {folder}")
        text = " ".join(seed.read_text(encoding="utf-8").split())
        if " ".join(row["evidence"].split()) not in text:
            raise BadValueError(f"evidence not found in {row['file']}", path=default_path(),
                                line=int(i) + 2, column="evidence")


def readable_sources(cells: pd.Series, table: pd.DataFrame | None = None, *,
                     first_only: bool = False) -> pd.Series:
    """``;``-separated seed file names -> their readable names joined by ``"; "``.

    ``first_only`` gives the first (the quoted) source and how many more there are
    (``"Fact sheet: ... (+2)"``), for narrow tables. A file the table does not list keeps its
    file name (and is logged); an empty cell stays "". ``table`` defaults to
    :func:`load_sources`.
    """
    known = load_sources() if table is None else table
    names = dict(zip(known["file"], known["name"], strict=True))

    def one(cell: object) -> str:
        if not isinstance(cell, str) or not cell.strip():
            return ""
        files = [f.strip() for f in cell.split(";") if f.strip()]
        unknown = [f for f in files if f not in names]
        if unknown:
            log.warning("seed files without a readable name: %s", ", ".join(unknown))
        shown = [names.get(f, f) for f in files]
        if first_only and len(shown) > 1:
            return f"{shown[0]} (+{len(shown) - 1})"
        return "; ".join(shown)

    return cells.map(one)


def for_display(initiatives: pd.DataFrame) -> pd.DataFrame:
    """The initiatives as people read them: title, date, type, status, ``source`` (the
    readable name of the quoted seed, "+N" for further seeds), sector, priority product and
    ``amount`` as stated with its currency and unit ("60 JPY billion"); every cell text,
    "" where the data has nothing (never NaN). The table's ``attrs`` are kept."""
    df = initiatives
    out = pd.DataFrame(index=df.index)
    for col in ("title", "date", "type", "status"):
        out[col] = _text(df[col]) if col in df.columns else ""
    out["source"] = readable_sources(df["source_file"], first_only=True)
    for col in ("sector", "priority_product"):
        out[col] = _text(df[col]) if col in df.columns else ""
    if "amount" in df.columns:
        out["amount"] = [_amount(a, c, u) for a, c, u in zip(
            df["amount"], df.get("currency", ""), df.get("amount_unit", ""), strict=True)]
    out = out.reset_index(drop=True)
    out.attrs.update(initiatives.attrs)
    return out


def _text(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v))
                      else str(v))


def _amount(amount: object, currency: object, unit: object) -> str:
    """``60.0, "JPY", "billion"`` -> ``"60 JPY billion"``; "" when there is no amount."""
    if amount is None or (isinstance(amount, float) and pd.isna(amount)) or amount == "":
        return ""
    value = float(amount)  # type: ignore[arg-type]
    number = f"{value:,.0f}" if value.is_integer() else f"{value:,g}"
    words = [str(w) for w in (currency, unit) if isinstance(w, str) and w]
    return " ".join([number, *words])
