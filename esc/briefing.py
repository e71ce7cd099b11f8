"""From a report run to a briefing: a slide deck and a workbook.

Notebooks save their key tables with :func:`save_table` (beside the charts, in the run's
``tables/`` folder) and their charts with :func:`esc.charts.save`, which writes a small
sidecar (``<stem>.json``: title, subtitle, takeaway, data label) next to each PNG. After the
notebooks have run, :func:`build` turns the run folder into

- ``tables.xlsx``: one sheet per saved table (in the order saved) and an "About" sheet with
  the source, release, provenance hashes and the data label;
- ``briefing.pptx``: a title slide (reporters, year, source, the "What this shows" paragraph,
  and the data label in large type on demo data), one slide per key chart with its one-line
  takeaway and source line, and a closing slide on method and caveats.

Both are written atomically; a run without tables or charts still gets both files, saying so.
"""

from __future__ import annotations

import io
import json
import logging
import math
from pathlib import Path
from typing import Any

import pandas as pd

from esc.atomic import write_atomic
from esc.cache import provenance_hashes
from esc.countries import country_name
from esc.errors import BadValueError
from esc.findings import what_this_shows
from esc.label import Label, is_demo, label_of
from esc.schema import DEMO_LABEL
from esc.vulnerability import PRESETS

log = logging.getLogger(__name__)

__all__ = ["DECK", "WORKBOOK", "build", "changes_since", "describe_parameters",
           "save_table", "tables_dir"]

DECK = "briefing.pptx"
WORKBOOK = "tables.xlsx"
MAX_CHART_SLIDES = 12
"""Charts on slides when no notebook marked any chart as key (the first ones drawn)."""
_SHEET_CHARS = 31  # Excel's limit on sheet names


def tables_dir(output_dir: str | Path) -> Path:
    """Where a run's tables go: ``tables/`` beside the charts folder ``output_dir``."""
    return Path(output_dir).parent / "tables"


def save_table(table: pd.DataFrame, output_dir: str | Path | None, stem: str, *,
               title: str, findings: bool = False) -> Path | None:
    """Keep a key table of a notebook for the workbook (and the deck's findings).

    Writes ``tables/<stem>.parquet`` and ``tables/<stem>.json`` (title, data label, source,
    order saved). ``findings=True`` marks the classified table that the title slide's "What
    this shows" paragraph is written from. ``output_dir=None`` (a notebook run by hand) writes
    nothing and returns None.
    """
    if output_dir is None:
        return None
    if not stem.replace("-", "").replace("_", "").isalnum():
        raise BadValueError(f"table name {stem!r} must be letters, digits, '-' and '_'")
    folder = tables_dir(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    table.reset_index(drop=True).to_parquet(buffer, index=False)
    path = write_atomic(folder / f"{stem}.parquet", buffer.getvalue())
    meta = {"title": title, "label": table.attrs.get("label"),
            "source": table.attrs.get("source"), "findings": findings,
            "order": len(list(folder.glob("*.json")))}
    write_atomic(folder / f"{stem}.json", json.dumps(meta, indent=1, default=str))
    return path


def describe_parameters(parameters: dict[str, Any], label: dict[str, Any] | None = None
                        ) -> dict[str, str]:
    """A run's parameters as a person reads them: names, not codes; lists joined. ``label``
    (the manifest's) says what the data is: the demo world read back as BACI ``VDEMO`` is
    described as the demo world, a real source by its title and release.

    >>> people = describe_parameters({"reporters": ["IND", "JPN"], "year": 2023,
    ...     "source": "demo", "preset": "crma", "sectors": [], "notebooks": ["overview"]})
    >>> people["Reporters"]
    'India (IND), Japan (JPN)'
    """
    def joined(items: Any) -> str:
        return ", ".join(str(i) for i in items) if items else "none"

    preset = str(parameters.get("preset"))
    source = str(parameters.get("source"))
    year = parameters.get("year")
    return {
        "Reporters": ", ".join(f"{country_name(r)} ({r})" for r in parameters.get("reporters",
                                                                                   [])),
        "Year": str(year) if year is not None else "each notebook's default",
        "Data": _data_line(source, label_of({"label": label}) if label else None),
        "Preset": (f"{preset}: {PRESETS[preset].description}" if preset in PRESETS
                   else preset),
        "Sectors": joined(parameters.get("sectors")),
        "Notebooks": joined(parameters.get("notebooks")),
    }


def _data_line(source: str, found: Label | None) -> str:
    """What the data of a run is, for people."""
    if source == "demo" or (found is not None and found.demo):
        read_as = "" if source == "demo" else f", read as source {source}"
        return f"esc's generated demo world (not real trade statistics){read_as}"
    return found.text if found is not None else source


# ------------------------------------------------------------------------------ reading


def _tables(folder: Path) -> list[tuple[str, dict[str, Any], pd.DataFrame]]:
    out = []
    for meta_path in (folder / "tables").glob("*.json"):
        data = meta_path.with_suffix(".parquet")
        if data.is_file():
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            frame = pd.read_parquet(data)
            frame.attrs["label"] = meta.get("label")
            out.append((meta_path.stem, meta, frame))
    return sorted(out, key=lambda t: (t[1].get("order", 0), t[0]))


def _charts(folder: Path, manifest: dict[str, Any]) -> list[tuple[Path, dict[str, Any]]]:
    """Key charts in drawing order: those marked ``key``, else the first ones drawn."""
    order = manifest.get("charts_in_order") or manifest.get("charts", [])
    found = []
    for rel in order:
        if rel.endswith(".png"):
            png = folder / rel
            meta_path = png.with_suffix(".json")
            meta = (json.loads(meta_path.read_text(encoding="utf-8"))
                    if meta_path.is_file() else {})
            found.append((png, meta))
    key = [c for c in found if c[1].get("key")]
    return key or found[:MAX_CHART_SLIDES]


def _about(manifest: dict[str, Any], demo: bool) -> pd.DataFrame:
    prov = manifest.get("data_provenance", {}) or {}
    entries = prov.get("entries") or []
    releases = sorted({str(e.get("release")) for e in entries if e.get("release")})
    hashes = sorted({str(e.get("sha256")) for e in entries if e.get("sha256")})
    if prov.get("sha256"):
        hashes.insert(0, str(prov["sha256"]))
    params = manifest.get("parameters", {})
    rows = [
        ("data label", DEMO_LABEL if demo else "real data"),
        ("source", str(params.get("source"))),
        ("publisher", str(prov.get("publisher", ""))),
        ("licence", str(prov.get("licence", ""))),
        ("release", ", ".join(releases) or str(prov.get("release", ""))),
        ("provenance sha256", "; ".join(hashes)),
        ("reporters", ", ".join(params.get("reporters", []))),
        ("year", str(params.get("year"))),
        ("preset", str(params.get("preset"))),
        ("run", str(manifest.get("run"))),
        ("esc version", str(manifest.get("versions", {}).get("esc"))),
    ]
    return pd.DataFrame(rows, columns=["field", "value"])


# ------------------------------------------------------------------------------ writing


def _sheet_name(stem: str, taken: set[str]) -> str:
    base = stem[:_SHEET_CHARS]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"-{n}"
        name, n = base[: _SHEET_CHARS - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def write_workbook(folder: Path, manifest: dict[str, Any]) -> Path:
    """``tables.xlsx``: the "About" sheet first, then one sheet per saved table.

    Each table's sheet holds its title (A1), data label (A2), a blank row, the column names
    and the rows: what ``DataFrame.to_excel`` writes (empty cells for missing values, ``inf``
    for infinities), streamed with openpyxl's write-only workbook, which is several times
    faster than cell-by-cell writes on a screen table of several hundred thousand cells.
    """
    from openpyxl import Workbook

    tables = _tables(folder)
    demo = is_demo(manifest)  # the run's label, decided when it started
    book = Workbook(write_only=True)
    _append_frame(book.create_sheet("About"), _about(manifest, demo))
    taken = {"about"}
    for stem, meta, frame in tables:
        sheet = book.create_sheet(_sheet_name(stem, taken))
        sheet.append([meta.get("title", stem)])
        sheet.append([meta.get("label") or None])
        sheet.append([])
        _append_frame(sheet, frame)
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(folder / WORKBOOK, buffer.getvalue())


def _append_frame(sheet: Any, frame: pd.DataFrame) -> None:
    """Column names, then one row per record, as Excel values (NaN/NA -> empty, +-inf ->
    "inf"/"-inf", numpy scalars -> Python)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    columns = [_excel_values(frame[c]) for c in frame.columns]
    for row in zip(*columns, strict=True):
        sheet.append(row)


def _excel_values(col: pd.Series) -> list[Any]:
    values = col.astype(object).where(col.notna(), None).tolist()
    if pd.api.types.is_float_dtype(col.dtype):
        values = [("inf" if v > 0 else "-inf") if v is not None and math.isinf(v) else v
                  for v in values]
    return values


def _text_box(slide, left, top, width, height, text: str, size: int, *, bold=False,
              colour=None) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    para = frame.paragraphs[0]
    para.text = text
    para.font.size = Pt(size)
    para.font.bold = bold
    if colour:
        para.font.color.rgb = RGBColor.from_string(colour)


def _picture(slide, png: Path, left, top, max_w, max_h) -> None:
    from PIL import Image

    with Image.open(png) as img:
        w, h = img.size
    scale = min(max_w / w, max_h / h)
    slide.shapes.add_picture(str(png), left, top, int(w * scale), int(h * scale))


def write_deck(folder: Path, manifest: dict[str, Any]) -> Path:
    """``briefing.pptx``: title slide, one slide per key chart, method and caveats."""
    from pptx import Presentation
    from pptx.util import Inches


    tables = _tables(folder)
    demo = is_demo(manifest)  # the run's label, decided when it started
    people = describe_parameters(manifest.get("parameters", {}), manifest.get("label"))
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]
    width = deck.slide_width - Inches(1)

    title = deck.slides.add_slide(blank)
    _text_box(title, Inches(0.5), Inches(0.4), width, Inches(1), "India–Japan economic "
              "security: where imports depend on few suppliers", 32, bold=True)
    _text_box(title, Inches(0.5), Inches(1.5), width, Inches(0.8),
              f"{people['Reporters']} · {people['Year']} · {people['Data']} · preset "
              f"{manifest.get('parameters', {}).get('preset')}", 16)
    if demo:
        _text_box(title, Inches(0.5), Inches(2.3), width, Inches(1), DEMO_LABEL.upper(), 40,
                  bold=True, colour="B2182B")
    findings = [frame for _, meta, frame in tables if meta.get("findings")]
    if findings:
        _text_box(title, Inches(0.5), Inches(3.5), width, Inches(3),
                  "What this shows: " + what_this_shows(findings[0]), 16)

    for png, meta in _charts(folder, manifest):
        slide = deck.slides.add_slide(blank)
        heading = meta.get("title") or png.stem.replace("-", " ")
        _text_box(slide, Inches(0.5), Inches(0.2), width, Inches(0.7), heading, 24, bold=True)
        takeaway = meta.get("takeaway") or meta.get("subtitle") or ""
        if takeaway:
            _text_box(slide, Inches(0.5), Inches(0.85), width, Inches(0.5), takeaway, 14)
        _picture(slide, png, Inches(0.5), Inches(1.4), width, Inches(5.3))
        # each chart's own label and source line: a real chart in a demo run stays real
        label = meta.get("label")
        source = meta.get("source") or (f"Source: {people['Data']}." if label == DEMO_LABEL
                                         else "")
        if label == DEMO_LABEL:
            source = f"{source} {DEMO_LABEL[0].upper()}{DEMO_LABEL[1:]}.".strip()
        _text_box(slide, Inches(0.5), Inches(6.9), width, Inches(0.4), source, 10,
                  colour="B2182B" if label == DEMO_LABEL else "555555")

    closing = deck.slides.add_slide(blank)
    _text_box(closing, Inches(0.5), Inches(0.4), width, Inches(0.8), "Method and caveats", 28,
              bold=True)
    _text_box(closing, Inches(0.5), Inches(1.4), width, Inches(5), _METHOD
              + (f" {DEMO_LABEL[0].upper()}{DEMO_LABEL[1:]}: the figures come from esc's "
                 "generated demo world, calibrated to public totals; they illustrate the "
                 "method and must not be quoted." if demo else ""), 16)
    buffer = io.BytesIO()
    deck.save(buffer)
    return write_atomic(folder / DECK, buffer.getvalue())


_METHOD = ("Import concentration is the Herfindahl–Hirschman Index of a product's import "
           "sources (0–1). Complexity is the Product Complexity Index (PCI). Category A: "
           "high HHI and high PCI; B: high HHI, low PCI; C: low HHI, high PCI; D: neither "
           "(cut points as in the JETRO–CII–JCCII study unless another preset is named). "
           "Partner shares use the importer's reported imports; Hong Kong and Macao are "
           "counted apart from China unless stated. Scenarios are upper bounds under the "
           "stated redirect share.")


def build(folder: Path, manifest: dict[str, Any]) -> list[Path]:
    """Write the workbook and the deck of a finished run folder; return their paths.

    A failure here is logged and leaves the run's other outputs as they are.
    """
    written = []
    for writer in (write_workbook, write_deck):
        try:
            written.append(writer(folder, manifest))
        except Exception as exc:  # the notebooks' outputs stand even if a briefing file fails
            log.error("%s: %s", writer.__name__, exc)
    return written


# ------------------------------------------------------------------- what changed since


def findings_table(folder: Path) -> pd.DataFrame | None:
    """The table a run saved with ``findings=True`` (None when it saved none)."""
    found = [frame for _, meta, frame in _tables(folder) if meta.get("findings")]
    return found[0] if found else None


def _keyed(table: pd.DataFrame) -> pd.DataFrame:
    who = "reporter" if "reporter" in table.columns else "importer"
    code = next((c for c in ("hs6", "hs4", "hs2", "hs8", "commodity") if c in table.columns),
                None)
    if code is None or who not in table.columns:
        return table.iloc[0:0]
    if "year" in table.columns and len(table):
        table = table[table["year"] == table["year"].max()]
    out = table.assign(_key=table[who].astype(str) + " " + table[code].astype(str))
    return out.set_index("_key")


def changes_since(previous: Path, folder: Path, *, previous_manifest: dict[str, Any],
                  manifest: dict[str, Any]) -> list[str]:
    """What is new in ``folder`` against an earlier run of the same parameters, as lines.

    Products entering and leaving Category A (by reporter and code, latest year of each
    findings table), preset flags that flipped, and a change of the input data (its sha256
    hashes). An empty list when nothing changed.
    """
    lines: list[str] = []
    old_hashes = sorted(provenance_hashes(previous_manifest.get("data_provenance")))
    new_hashes = sorted(provenance_hashes(manifest.get("data_provenance")))
    if old_hashes != new_hashes:
        lines.append("The input data changed (a new release or file: its sha256 differs).")
    old_t, new_t = findings_table(previous), findings_table(folder)
    if old_t is None or new_t is None or "category" not in new_t.columns:
        return lines
    old, new = _keyed(old_t), _keyed(new_t)
    old_a = set(old.index[old["category"] == "A"])
    new_a = set(new.index[new["category"] == "A"])
    for verb, keys, table in (("entered", new_a - old_a, new), ("left", old_a - new_a, old)):
        if keys:
            names = [f"{k} {table.loc[k, 'short_name']}" if "short_name" in table.columns
                     else k for k in sorted(keys)]
            lines.append(f"{len(keys)} product(s) {verb} Category A: {', '.join(names[:10])}"
                         + (" …" if len(names) > 10 else "") + ".")
    if "flag" in old.columns and "flag" in new.columns:
        both = old.index.intersection(new.index)
        flipped = [k for k in both if bool(old.loc[k, "flag"]) != bool(new.loc[k, "flag"])]
        if flipped:
            lines.append(f"{len(flipped)} preset flag(s) flipped: {', '.join(flipped[:10])}"
                         + (" …" if len(flipped) > 10 else "") + ".")
    return lines
