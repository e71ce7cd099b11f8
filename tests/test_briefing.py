"""The briefing files of a report run: the deck, the workbook and the findings text."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from esc import briefing, charts
from esc.findings import category_a_sentence, what_this_shows
from esc.label import Label
from esc.schema import DEMO_LABEL


def _table(label: str) -> pd.DataFrame:
    t = pd.DataFrame({
        "year": 2023, "importer": ["IND", "IND", "IND", "JPN", "JPN"],
        "hs6": ["850760", "854143", "270900", "850511", "284690"],
        "short_name": ["Lithium-ion batteries", "PV modules", "Crude oil", "Magnets",
                       "Rare-earth compounds"],
        "imports_usd": [3.05e9, 1.2e9, 80e9, 0.4e9, 0.2e9],
        "category": ["A", "A", "D", "A", "B"],
        "top1_partner": ["CHN", "CHN", "IRQ", "CHN", "CHN"],
        "top1_share": [0.629, 0.8, 0.2, 0.93, 0.6],
    })
    t.attrs["label"] = label
    return t


def test_findings_are_computed_from_the_table_and_follow_it():
    t = _table(DEMO_LABEL)
    text = what_this_shows(t)
    assert text.startswith("Demo data, not real trade statistics")
    ind = t[t.importer == "IND"]
    a = ind[ind.category == "A"]
    share = 100 * a.imports_usd.sum() / ind.imports_usd.sum()
    assert f"India, 2023: {len(a)} products in Category A" in text
    assert f"USD {a.imports_usd.sum() / 1e9:.1f} bn, {share:.1f} %" in text
    assert "the largest is Lithium-ion batteries (850760, USD 3.0 bn, 63 % from China)" in text
    assert "Japan, 2023: 1 product in Category A, USD 400.0 m" in text
    # change the data, the sentence changes
    t.loc[t.hs6 == "854143", "imports_usd"] = 9e9
    after = category_a_sentence(t, "IND")
    assert "the largest is PV modules (854143, USD 9.0 bn, 80 % from China)" in after
    assert after != category_a_sentence(_table(DEMO_LABEL), "IND")
    real = what_this_shows(_table("CEPII BACI V202501 (HS22)"))
    assert "demo" not in real.lower()


def _run_folder(tmp_path: Path, label: str) -> tuple[Path, dict]:
    folder = tmp_path / "run"
    out = folder / "charts"
    briefing.save_table(_table(label), out, "overview-categories", title="Categories 2023",
                        findings=True)
    briefing.save_table(_table(label).head(2), out, "sector-batteries",
                        title="Batteries 2023")
    bars = alt.Chart(pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})).mark_bar().encode(
        x="x", y="y").properties(title={"text": "India's batteries, 2023",
                                        "subtitle": charts.DEMO_MARK if label == DEMO_LABEL
                                        else "CEPII BACI"})
    charts.save(bars, out, "overview-quadrant", takeaway="China supplies 63 % of Li-ion",
                key=True)
    charts.save(bars, out, "unimportant")
    manifest = {"run": "r1", "parameters": {"reporters": ["IND", "JPN"], "year": 2023,
                                            "source": "demo" if label == DEMO_LABEL else
                                            "baci", "preset": "study"},
                "label": (Label("demo", "esc demo world, generated", demo=True)
                          if label == DEMO_LABEL else
                          Label("baci", "CEPII BACI", release="V202501", hs_rev="HS22")
                          ).as_dict(),
                "data_provenance": {"sha256": "f" * 64, "publisher": "esc"},
                "charts_in_order": ["charts/overview-quadrant.png", "charts/unimportant.png"],
                "versions": {"esc": "0.2.0"}}
    return folder, manifest


@pytest.mark.parametrize("label", [DEMO_LABEL, "CEPII BACI V202501 (HS22)"])
def test_deck_and_workbook_carry_titles_years_and_the_label(tmp_path, label):
    from openpyxl import load_workbook
    from pptx import Presentation

    folder, manifest = _run_folder(tmp_path, label)
    written = briefing.build(folder, manifest)
    assert [p.name for p in written] == ["tables.xlsx", "briefing.pptx"]
    deck = Presentation(str(folder / "briefing.pptx"))
    texts = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame]
             for s in deck.slides]
    assert len(texts) == 3  # title, the one key chart, method
    title = " ".join(texts[0])
    assert "India (IND), Japan (JPN)" in title and "2023" in title
    assert (DEMO_LABEL.upper() in title) == (label == DEMO_LABEL)
    assert "What this shows:" in title and "Category A" in title
    assert texts[1][0] == "India's batteries, 2023"
    assert "China supplies 63 % of Li-ion" in texts[1]
    assert (DEMO_LABEL in " ".join(texts[1]).lower()) == (label == DEMO_LABEL)
    assert texts[2][0] == "Method and caveats"
    book = load_workbook(folder / "tables.xlsx")
    assert book.sheetnames == ["About", "overview-categories", "sector-batteries"]
    about = {r[0]: r[1] for r in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["data label"] == (DEMO_LABEL if label == DEMO_LABEL else "real data")
    assert about["provenance sha256"] == "f" * 64 and about["year"] == "2023"
    sheet = book["overview-categories"]
    assert sheet["A1"].value == "Categories 2023" and sheet["A2"].value == label
    assert [c.value for c in sheet[4]][:3] == ["year", "importer", "hs6"]


def test_workbook_sheet_holds_what_pandas_to_excel_writes(tmp_path):
    # the streamed sheet against pandas' own writer on a table with every kind of value
    from openpyxl import load_workbook

    folder, manifest = _run_folder(tmp_path, DEMO_LABEL)
    frame = pd.DataFrame({
        "hs6": pd.array(["850760", None, "280469"], dtype="string"),
        "imports_usd": [1.5e9, float("nan"), 2.0],
        "ratio": [float("inf"), 0.25, float("-inf")],
        "n": [3, 1, 2], "flag": [True, False, True],
        "count": pd.array([1, None, 7], dtype="Int64")})
    briefing.save_table(frame, folder / "charts", "zz-values", title="Values")
    briefing.build(folder, manifest)
    with pd.ExcelWriter(tmp_path / "pandas.xlsx", engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name="s", index=False, startrow=3)

    def rows(path, sheet, first):
        return list(load_workbook(path)[sheet].iter_rows(min_row=first, values_only=True))

    assert rows(folder / "tables.xlsx", "zz-values", 4) == rows(tmp_path / "pandas.xlsx", "s", 4)
    head = load_workbook(folder / "tables.xlsx")["zz-values"]
    assert head["A1"].value == "Values" and head["A4"].font.b


def test_chart_sidecar_records_title_takeaway_and_demo(tmp_path):
    folder, _ = _run_folder(tmp_path, DEMO_LABEL)
    meta = json.loads((folder / "charts" / "overview-quadrant.json").read_text())
    assert meta == {"title": "India's batteries, 2023", "subtitle": charts.DEMO_MARK,
                    "takeaway": "China supplies 63 % of Li-ion", "key": True,
                    "label": DEMO_LABEL, "source": None}
    assert briefing.save_table(_table("x"), None, "t", title="t") is None


def test_real_chart_in_a_demo_run_keeps_its_own_source_and_no_demo_mark(tmp_path):
    from pptx import Presentation

    folder, manifest = _run_folder(tmp_path, DEMO_LABEL)
    real = alt.Chart(pd.DataFrame({"x": ["a"], "y": [1]})).mark_bar().encode(
        x="x", y="y").properties(title={"text": "India's graphite imports",
                                        "subtitle": charts.source_line(source="DGCI&S")})
    charts.save(real, folder / "charts", "india-graphite", key=True, takeaway="real")
    manifest["charts_in_order"].append("charts/india-graphite.png")
    briefing.build(folder, manifest)
    slides = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame]
              for s in Presentation(str(folder / "briefing.pptx")).slides]
    real_slide = next(t for t in slides if t[0] == "India's graphite imports")
    assert any(t.startswith("Source: DGCI&S") for t in real_slide)
    assert not any("demo" in t.lower() for t in real_slide)
    demo_slide = next(t for t in slides if t[0] == "India's batteries, 2023")
    assert any(DEMO_LABEL[1:] in t for t in demo_slide)


def test_parameters_say_what_the_data_is_from_the_run_label():
    from esc.briefing import describe_parameters
    from esc.label import Label

    params = {"source": "baci", "reporters": ["IND"], "year": 2023}
    vdemo = Label("baci", "CEPII BACI", demo=True, release="VDEMO").as_dict()
    real = Label("baci", "CEPII BACI", release="V202501", hs_rev="HS22").as_dict()
    assert describe_parameters(params, vdemo)["Data"].startswith("esc's generated demo world")
    assert describe_parameters(params, real)["Data"] == "CEPII BACI V202501 (HS22)"
    assert "demo" not in describe_parameters(params, real)["Data"]
