"""Tables as people read them in a terminal, and table files that keep their label.

The analysis tables keep full precision and machine units (USD, shares on 0–1). For the
terminal, :func:`for_people` writes them the way the charts do: values in USD million with
one decimal, shares in percent with one decimal, Taiwan as ``TWN`` (BACI and the demo world
write it "Other Asia, nes", code ``S19``), the product name right after its code, long names
cut, and only as many columns as fit in ``width`` characters (the others are named in a
footer; ``wide=True`` keeps them all). :func:`write_file` saves a table as ``.csv``,
``.xlsx`` or ``.parquet`` with its data label inside the file.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pandas as pd

from esc.atomic import write_atomic
from esc.errors import BadValueError
from esc.label import is_demo, label_of
from esc.schema import DATA_LABEL, DEMO_LABEL

__all__ = ["WIDTH", "for_people", "note", "render", "write_file"]

WIDTH = 120
"""Characters a terminal table may take by default."""
NAME_CHARS = 36
TAIWAN_CODES = {"S19": "TWN", "490": "TWN"}
_NAMES = ("short_name", "name", "product_name", "commodity", "title", "product")
_CODES = ("hs8", "hs6", "hs4", "hs2", "id")
_FOOTNOTES = {
    "flag": "flag: the preset's rule holds (study: Category A; ec2021: HHI > 0.4 and "
            "imports/exports > 1; geodep: also world-export HHI > 0.4 in 2 of 3 years; "
            "crma: one supplier > 65 %)",
    "category": "category: A concentrated and complex, B concentrated, C complex, D neither",
}


def _is_usd(col: str) -> bool:
    return col.endswith("_usd") or col in ("imports_usd", "value_usd")


def _is_share(col: str) -> bool:
    return (col.endswith("_share") or col.startswith("share_") or col == "share"
            or col in ("at_risk_share", "coverable_share", "redirect", "redirect_to_close"))


KEEP = ("category", "flag", "imports (USD m)", "top1_partner", "top1 (%)", "China (%)",
        "hhi", "at risk (USD m)", "uncovered (USD m)", "coverable (USD m)", "pci", "title",
        "name", "effective", "status")
"""Columns a narrow terminal table keeps longest, most important first (after the codes and
the product name)."""


def _least_important(columns: list[str]) -> str:
    """The column to leave out first: the rightmost one not in :data:`KEEP`, else the least
    important of :data:`KEEP`; the leading codes and name go last."""
    lead = set(_lead(columns))
    rest = [c for c in columns if c not in lead]
    if not rest:
        return columns[-1]
    for col in reversed(rest):
        if col not in KEEP:
            return col
    kept = sorted(rest, key=KEEP.index)
    return kept[-1] if kept else columns[-1]


def _lead(columns: list[str]) -> list[str]:
    """The columns that say what a row is: year, countries, product code and name."""
    first = [c for c in ("year", "fiscal_year", "month", "importer", "reporter", "exporter")
             if c in columns]
    code = [c for c in _CODES if c in columns][:1]
    name = [c for c in _NAMES if c in columns and c not in code][:1]
    return first + code + name


def _order(columns: list[str]) -> list[str]:
    """Codes first, then the product name, then everything else as it came."""
    lead = _lead(columns)
    return lead + [c for c in columns if c not in lead]


def for_people(table: pd.DataFrame) -> pd.DataFrame:
    """The table with human units and names, every cell a string (see the module notes).

    >>> t = pd.DataFrame({"hs6": ["850760"], "imports_usd": [3.05e9], "top1_share": [0.629],
    ...                   "top1_partner": ["S19"], "short_name": ["Lithium-ion batteries"]})
    >>> for_people(t).iloc[0].to_dict()
    {'hs6': '850760', 'short_name': 'Lithium-ion batteries', 'imports (USD m)': '3,050.0', \
'top1 (%)': '62.9', 'top1_partner': 'TWN'}
    """
    out = {}
    for col in _order([str(c) for c in table.columns]):
        values = table[col]
        if _is_usd(col) and pd.api.types.is_numeric_dtype(values):
            head = col.removesuffix("_usd").replace("_", " ") + " (USD m)"
            out[head] = values.map(lambda v: "" if pd.isna(v) else f"{v / 1e6:,.1f}")
        elif _is_share(col) and pd.api.types.is_numeric_dtype(values):
            head = ("China" if col == "share_chn" else
                    col.removesuffix("_share").replace("share_", "")) + " (%)"
            out[head] = values.map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}")
        elif pd.api.types.is_float_dtype(values):
            out[col] = values.map(_number)
        else:
            text = values.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v))
                              else str(v))
            text = text.replace(TAIWAN_CODES)
            if col in _NAMES:
                text = text.map(lambda s: s if len(s) <= NAME_CHARS
                                else s[: NAME_CHARS - 1] + "…")
            out[col] = text
    return pd.DataFrame(out, index=table.index)


def _number(v: float) -> str:
    """Whole numbers with thousands separators (counts), others to 3 significant digits."""
    if pd.isna(v):
        return ""
    if float(v).is_integer() and abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def render(table: pd.DataFrame, *, width: int = WIDTH, wide: bool = False) -> str:
    """The text of a terminal table: label line, the columns that fit, footnotes."""
    label = label_text(table)
    shown = for_people(table)
    dropped: list[str] = []
    text = shown.to_string(index=False)
    while not wide and shown.shape[1] > 2 and max(map(len, text.splitlines() or [""])) > width:
        victim = _least_important(list(shown.columns))
        dropped.append(victim)
        shown = shown.drop(columns=[victim])
        text = shown.to_string(index=False)
    lines = [f"# {label}"] if label else []
    lines.append(text)
    notes = [note for col, note in _FOOTNOTES.items() if col in shown.columns]
    if dropped:
        notes.append("not shown (use --wide or --format csv): " + ", ".join(dropped))
    if is_demo(table):
        notes.append(DEMO_LABEL)
    lines += [f"# {line}" for n in notes for line in textwrap.wrap(n, width - 2)]
    return "\n".join(lines) + "\n"


def note(text: str, *, width: int = WIDTH) -> str:
    """A comment line under a table (``# ...``), wrapped to ``width`` characters."""
    return "".join(f"# {line}\n" for line in textwrap.wrap(text, width - 2))


def label_text(table: pd.DataFrame) -> str | None:
    """The printed label of a table (:func:`esc.label.label_of`), None if it has none."""
    found = label_of(table)
    return found.text if found else None


def with_label_column(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose first column ``data_label`` is its label (CSV exports)."""
    out = table.copy()
    text = label_text(table)
    if text:
        out.insert(0, DATA_LABEL, text)
    return out


def write_file(table: pd.DataFrame, path: str | Path) -> Path:
    """Save ``table`` to ``.csv``, ``.xlsx`` or ``.parquet``, keeping its data label.

    CSV gets a first column ``data_label``; Excel a second sheet "About" with the label and
    source; Parquet the label and source in its schema metadata (``esc.label``,
    ``esc.source``). Full precision and machine units in all three.
    """
    target = Path(path)
    label, source = label_text(table), table.attrs.get("source")
    suffix = target.suffix.lower()
    buffer = io.BytesIO()
    if suffix == ".csv":
        payload: bytes | str = with_label_column(table).to_csv(index=False,
                                                               float_format="%.12g")
    elif suffix == ".xlsx":
        with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
            table.to_excel(xl, sheet_name="table", index=False)
            pd.DataFrame({"field": ["data label", "source"],
                          "value": [label or "", source or ""]}).to_excel(
                xl, sheet_name="About", index=False)
        payload = buffer.getvalue()
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = pa.Table.from_pandas(table.reset_index(drop=True), preserve_index=False)
        meta = dict(arrow.schema.metadata or {})
        meta[b"esc.label"] = json.dumps(label).encode()
        meta[b"esc.source"] = json.dumps(source).encode()
        pq.write_table(arrow.replace_schema_metadata(meta), buffer)
        payload = buffer.getvalue()
    else:
        raise BadValueError(f"--output must end in .csv, .xlsx or .parquet, not {suffix!r}",
                            path=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, payload)
