"""Tests of the initiative tracker: the shipped table against the seed texts, the validating
loader, and the summaries (coverage, gaps, to_usd, timeline, filters).

Tests that read the seed documents take the ``seeds`` fixture: the folder
``<data folder>/../seeds`` (``/work/shared/seeds`` beside the checkout). It skips when absent
and fails instead under ``ESC_REQUIRE_RAW=1``, like the ``raw`` fixture.
"""

from __future__ import annotations

import calendar
import csv
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from esc import initiative_table as itab
from esc import initiatives as ini
from esc.errors import (
    BadValueError,
    MissingColumnError,
    UnknownProductError,
    UnknownReleaseError,
)
from esc.registry import load_registry

FACT_SHEET = "001_6039be9794ea1a0f.txt"
NEWS = ("000_dd8923cf36a43f64.txt", "002_6982af970363306e.txt", "004_71219a9ee79dfeb7.txt")
CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "initiatives.csv"
DOCS_PATH = Path(__file__).resolve().parent.parent / "docs" / "initiatives.md"


@pytest.fixture
def seeds() -> Path:
    folder = itab.seeds_dir()
    if folder is None:
        reason = "seeds folder not found beside the data folder (../shared/seeds)"
        if os.environ.get("ESC_REQUIRE_RAW") == "1":
            pytest.fail(reason + "; ESC_REQUIRE_RAW=1 makes it mandatory")
        pytest.skip(reason)
    return folder


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    """The shipped CSV read with the standard library, independently of the loader."""
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return itab.load_initiatives()


def _text(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


def _row(rows: list[dict[str, str]], row_id: str) -> dict[str, str]:
    (found,) = [r for r in rows if r["id"] == row_id]
    return found


# --------------------------------------------------------------------------- the fact sheet
#
# Counting rule. The fact sheet is split into *items* by its own layout: an item starts at a
# line whose first character is a bullet marker ("-", "➤", ">"), or at a line that follows a
# blank line and starts with a capital letter; any other line continues the item before it
# (the wrapped "Japan and India appreciated ..." bullet, "3) to support ..." after a page
# break). A line alone between blank lines with at most six words and no final punctuation is
# a section heading. For every item, the number below is the count of company projects and
# government instruments it names, read by hand:
#   - a named dialogue, MoC/MoU, declaration, framework, programme, fund, loan, plant,
#     partnership or joint venture counts once, however many parties;
#   - several named instruments in one item count separately (MSP, IPEF and the Quad
#     Critical Minerals Initiative; the ICT Joint Working Group and the ICT Cooperation
#     Framework; LOTUS and Sakura Science; the three JBIC financing measures);
#   - repeated mentions of an instrument already counted (the second bullet on the economic
#     security dialogue), Indian domestic programmes (Make in India, Chips to Startup), the
#     overall partnership, and the Joint Action Plan (the study's recommendations) count 0.
# Keys are the item's first eight words.

FACT_SHEET_ITEMS: dict[str, int] = {
    "FACT SHEET on Japan-India Economic Security Cooperation": 0,
    "The Japan-India Special Strategic and Global Partnership, anchored": 0,
    "As two vibrant democracies and free market economies,": 0,
    "Japan and India launched the first round of": 1,  # Dialogue on Economic Security
    "Through the existing government-to-government mechanisms as well as": 0,  # same dialogue
    "Japan and India resolved to advance bilateral cooperation": 0,
    "Japan and India recognized key sectors that will": 0,
    "The Government of Japan and the Government of": 0,
    "Japan and India welcomed the launch of the": 1,  # private-sector dialogue
    "The Ministry of Economy Trade and Industry of": 1,  # semiconductor MoC
    "Japan and India held meetings under the India-Japan": 1,  # semiconductor policy dialogue
    "Japan and India appreciated that the private sector": 0,  # lead-in (Make in India)
    "Establishment of a semiconductor OSAT in Sanand, Gujarat": 1,
    "Signing of two MoUs between Renesas and the": 1,  # two MoUs, one instrument pair
    "Renesas signed an MoU with IIT Hyderabad in": 1,
    "Tokyo Electron and TATA Electronics launched a strategic": 1,
    "Japan and India continue to strengthen their collaboration": 1,  # Quad contingency net
    "Japan and India signed and exchanged notes concerning": 1,  # Tamil Nadu yen loan
    "Japan and India are working together to bolster": 3,  # MSP, IPEF, Quad CMI
    "METI and the Ministry of Mines of India": 1,
    "Japan and India deepened their collaboration through the": 1,  # Toyota Tsusho
    "Ministry of Internal Affairs and Communication (MIC) supported": 1,  # Open RAN pilot
    "NEC and Reliance Jio established a strategic partnership": 1,
    "NEC, through its Centre of Excellence Laboratory in": 1,
    "MIC and the Ministry of Communications of India": 2,  # ICT JWG + ICT Framework
    "Japan and India will continue to deepen collaboration": 1,  # JICT / JBIC projects
    "NTT plans to continue to expand its data": 1,
    "Japan and India welcomed the Joint Statement of": 1,  # Energy Dialogue
    "Japan and India welcomed the signing of the": 1,  # JCM MoC
    "METI and the Ministry of New and Renewable": 1,  # hydrogen/ammonia JDI
    "IHI Corporation, Kowa and Adani Power Ltd. signed": 1,
    "JBIC and Osaka Gas signed an arrangement for": 1,
    "Japan and India will continue their cooperation in": 1,  # Global Biofuels Alliance
    "Japan and India welcomed the initiative for promoting": 1,  # battery matchmaking
    "Japan and India welcomed the promotion of investment": 1,  # India-Japan Fund
    "JBIC and Power Finance Corporation Limited signed a": 1,
    "JBIC implemented measures of financing support including financing": 3,
    "Japan and India are deepening their S&T engagement": 1,  # Year of STI Exchanges
    "Japan and India held the 11th Joint Committee": 1,
    "Japan and India have conducted several joint demonstration": 1,  # V2X
    "Japan and India implement international joint calls for": 1,  # SICORP
    "Japan and India launched the Japan-India AI Cooperation": 1,
    "Japan and India renewed the MoC on Digital": 1,
    "Japan and India strengthened the human resource exchange": 2,  # LOTUS, Sakura Science
    "The Ministry of Education Culture, Sports, Science and": 1,  # JSOI
    "NTT DATA, cloud platform company Neysa Networks and": 1,
    "Japan Agency for Medical Research and Development, the": 1,
    "An MOC was signed between the Central Drugs": 1,
    "Japan and India will continue to collaborate on": 1,  # Biopharmaceutical Alliance
    "JBIC is providing loans for investment projects by": 1,
    "Japan and India, recognising their shared interest in": 0,
}
EXPECTED_FACT_SHEET_ROWS = 48

# Fact-sheet section -> the sector name the table uses (documented in docs/initiatives.md).
SECTION_SECTOR = {
    None: "Cross-sector",
    "Semiconductors": "Digital and EE",
    "Critical Minerals": "Critical minerals",
    "Information and Communication Technology": "ICT",
    "Clean Energy": "Clean energy",
    "Scientific Cooperation": "Science and technology",
    "Pharmaceuticals": "Bio-healthcare",
}


def fact_sheet_items(text: str) -> list[dict]:
    """Split the fact sheet into items by the rule above: key, section, character span."""
    items: list[dict] = []
    section, pos, prev_blank = None, 0, True
    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        s = line.strip()
        if not s:
            prev_blank = True
            continue
        marker = s.startswith(("-", "➤", ">"))
        if prev_blank and not marker and len(s.split()) <= 6 and not s.endswith((".", ":")):
            section = s
        elif marker or (prev_blank and s[0].isupper()) or not items:
            body = s.lstrip("-➤> ").strip()
            items.append({"key": " ".join(body.split()[:8]), "section": section,
                          "start": start, "end": pos})
        else:
            items[-1]["end"] = pos
        prev_blank = False
    return items


def test_fact_sheet_rows_match_item_structure(seeds, rows):
    text = _text(seeds, FACT_SHEET)
    items = fact_sheet_items(text)
    keys = [it["key"] for it in items]
    assert len(keys) == len(set(keys)) == 51
    assert keys == list(FACT_SHEET_ITEMS)  # every item annotated, in document order
    from_sheet = [r for r in rows if r["source_file"].split(";")[0] == FACT_SHEET]
    per_item: Counter[str] = Counter()
    for r in from_sheet:
        assert text.count(r["source_quote"]) == 1, r["id"]
        at = text.index(r["source_quote"])
        (item,) = [it for it in items if it["start"] <= at < it["end"]]
        assert at + len(r["source_quote"]) <= item["end"], f"{r['id']}: quote spans items"
        per_item[item["key"]] += 1
        assert r["sector"] == SECTION_SECTOR[item["section"]], r["id"]
    assert {k: per_item[k] for k in FACT_SHEET_ITEMS} == FACT_SHEET_ITEMS
    assert len(from_sheet) == sum(FACT_SHEET_ITEMS.values()) == EXPECTED_FACT_SHEET_ROWS
    # rows resting on news only never duplicate a fact-sheet row
    assert not any(FACT_SHEET in r["source_file"].split(";")[1:] for r in rows)


def test_row_counts(rows, table):
    assert len(rows) == len(table) == 54
    news_only = [r["id"] for r in rows if FACT_SHEET not in r["source_file"]]
    assert len(news_only) == 6


# --------------------------------------------------------------------------- specific rows


def test_renesas_osat_row(seeds, rows):
    r = _row(rows, "renesas-cg-power-osat-sanand")
    text = _text(seeds, FACT_SHEET)
    bullet = text[text.index("Establishment of a semiconductor OSAT"):].split("\n")[0]
    place = re.search(r"OSAT in ([A-Z]\w+, [A-Z]\w+)", bullet).group(1)
    assert r["location"] == place == "Sanand, Gujarat"
    assert set(r["parties"].split("; ")) == {"Renesas Electronics", "CG Power"}
    assert all(p in bullet for p in ("Renesas Electronics", "CG Power"))
    assert r["type"] == "plant" and r["sector"] == "Digital and EE"
    assert r["priority_product"] == "Semiconductors"
    # OSAT ships integrated circuits: the HS2022 subheadings 8542.31-8542.39
    assert r["hs6"].split(";") == ["854231", "854232", "854233", "854239"]
    assert "has opened an OSAT" in _text(seeds, NEWS[0]) and r["status"] == "operating"
    assert r["source_file"].split(";") == [FACT_SHEET, NEWS[0], NEWS[1]]
    assert r["amount"] == "" and r["date"] == ""  # neither is stated


def test_toyota_tsusho_row(seeds, rows):
    r = _row(rows, "toyota-tsusho-rare-earth-refining")
    assert "Toyota Tsusho's rare earth refining project in Andhra Pradesh" in _text(
        seeds, FACT_SHEET)
    assert r["location"] == "Andhra Pradesh" and r["parties"] == "Toyota Tsusho"
    assert r["sector"] == "Critical minerals" and r["priority_product"] == "Rare earths"
    registry = load_registry()
    rare_earth_codes = set(registry.loc[registry["product"] == "Rare earths", "hs6"])
    assert set(r["hs6"].split(";")) == rare_earth_codes == {"280530", "284610", "284690"}
    for news in (NEWS[0], NEWS[1]):
        assert "Toyota Tsusho" in _text(seeds, news) and news in r["source_file"]


def test_clean_max_osaka_gas_row(seeds, rows, table):
    r = _row(rows, "clean-max-osaka-gas")
    text = _text(seeds, FACT_SHEET)
    mw = re.search(r"(\d+)\s*MW renewable energy portfolio", text).group(1)
    assert r["capacity"] == mw == "400" and r["capacity_unit"] == "MW"
    assert r["amount"] == "" and r["currency"] == ""  # capacity is not money
    assert "primarily in Karnataka" in text and r["location"] == "Karnataka"
    assert r["type"] == "joint_venture" and r["status"] == "signed"
    assert "Clean Max Osaka Gas Renewable Energy Pvt. Ltd." in r["source_quote"]
    assert {"Osaka Gas", "Clean Max"} <= set(r["parties"].split("; "))
    assert table.set_index("id").loc["clean-max-osaka-gas", "capacity"] == 400.0


def test_jbic_bioethanol_loan_row(seeds, rows):
    r = _row(rows, "jbic-pfc-bamboo-bioethanol-assam")
    text = _text(seeds, FACT_SHEET)
    m = re.search(r"amounting up to ([A-Z]{3}) (\d+) (billion)", text)
    assert (r["currency"], r["amount"], r["amount_unit"]) == m.groups() == ("JPY", "60",
                                                                            "billion")
    assert r["type"] == "loan" and r["status"] == "signed" and r["location"] == "Assam"
    assert "Power Finance Corporation Limited" in r["parties"]
    assert "Assam Bio Ethanol Private Limited" in r["parties"]


def test_ai_data_centre_row(seeds, rows):
    r = _row(rows, "ai-data-centre-hyderabad")
    text = _text(seeds, FACT_SHEET)
    m = re.search(r"investment of (INR) ([\d,]+) (crore)s", text)
    assert (r["currency"], r["amount"], r["amount_unit"]) == (m.group(1),
                                                              m.group(2).replace(",", ""),
                                                              m.group(3))
    assert r["amount"] == "10500"
    assert "₹10,500 crore" in _text(seeds, NEWS[0])  # the same figure in the news
    assert r["location"] == "Hyderabad"
    assert set(r["parties"].split("; ")) == {"NTT DATA", "Neysa Networks",
                                             "Government of Telangana"}


# --------------------------------------------------------------------------- traceability


def test_every_quote_occurs_verbatim(seeds, rows):
    for r in rows:
        files = r["source_file"].split(";")
        assert all((seeds / f).is_file() for f in files), r["id"]
        assert len(r["source_quote"]) <= 200, r["id"]
        assert r["source_quote"] in _text(seeds, files[0]), r["id"]


def test_quotes_in_notes_occur_in_their_files(seeds, rows):
    cited = 0
    for r in rows:
        for prefix, quote in re.findall(r'(\d{3}): "([^"]+)"', r["notes"]):
            (name,) = [p.name for p in seeds.glob(f"{prefix}_*.txt")]
            assert quote in _text(seeds, name), (r["id"], prefix, quote)
            cited += 1
    assert cited >= 15


@pytest.mark.parametrize("name", ["Renesas", "Toyota Tsusho", "Clean Max", "Tokyo Electron",
                                  "Reliance Jio", "Neysa", "Adani Power", "LOTUS",
                                  "Sakura Science", "Joint Crediting Mechanism"])
def test_news_mentions_are_merged_into_one_row(seeds, rows, name):
    """A project the news names is the fact-sheet row, with the article added to its files."""
    matching = [r for r in rows if name.lower() in (r["title"] + r["source_quote"]).lower()]
    assert matching, name
    for news in NEWS:
        if name in _text(seeds, news):
            for r in matching:
                assert news in r["source_file"].split(";"), (name, r["id"], news)


def test_no_duplicate_ids_or_titles(rows):
    ids = [r["id"] for r in rows]
    titles = [r["title"].lower() for r in rows]
    assert len(set(ids)) == len(ids) and len(set(titles)) == len(titles)


def test_shipped_codes_load_without_the_data_folder(rows):
    """Every hs6 code is in the registry, so the table validates on a machine without data."""
    registry = set(load_registry()["hs6"])
    codes = {c for r in rows for c in r["hs6"].split(";") if c}
    assert codes and codes <= registry


def test_shipped_codes_are_hs2022_subheadings(raw, rows):
    folder = raw("harmonized-system")
    hs = pd.read_csv(folder / "harmonized-system.csv", dtype=str, keep_default_na=False)
    subheadings = set(hs.loc[hs["level"] == "6", "hscode"])
    codes = {c for r in rows for c in r["hs6"].split(";") if c}
    assert codes <= subheadings


def test_docs_list_every_vocabulary_value():
    docs = DOCS_PATH.read_text(encoding="utf-8")
    for value in [*itab.TYPES, *itab.STATUSES, *itab.SCOPES, *itab.STUDY_SECTOR]:
        assert f"`{value}`" in docs, value


# --------------------------------------------------------------------------- validation


def _write_variant(tmp_path: Path, rows: list[dict[str, str]], row_id: str, **changes) -> Path:
    out = tmp_path / "initiatives.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({**r, **changes} if r["id"] == row_id else r)
    return out


def _line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle`` (header = line 1)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("changes", "column", "error"),
    [
        ({"type": "treaty"}, "type", BadValueError),
        ({"status": "rumoured"}, "status", BadValueError),
        ({"sector": "Semiconductor"}, "sector", BadValueError),
        ({"priority_product": "Magnets"}, "priority_product", BadValueError),
        ({"date": "2025-13", "date_precision": "month"}, "date", BadValueError),
        ({"date": "2025-05", "date_precision": "year"}, "date", BadValueError),
        ({"date": "", "date_precision": "month"}, "date_precision", BadValueError),
        ({"hs6": "28053"}, "hs6", UnknownProductError),
        ({"hs6": "280530;280599"}, "hs6", UnknownProductError),  # no such subheading
        ({"amount": "sixty"}, "amount", BadValueError),
        ({"amount_unit": "bn"}, "amount_unit", BadValueError),
        ({"capacity_unit": "MW"}, "capacity_unit", BadValueError),
        ({"parties": " "}, "parties", BadValueError),
        ({"id": "Toyota_Tsusho"}, "id", BadValueError),
        ({"source_quote": "x" * 201}, "source_quote", BadValueError),
    ],
)
def test_bad_row_names_file_line_and_column(tmp_path, rows, changes, column, error):
    path = _write_variant(tmp_path, rows, "toyota-tsusho-rare-earth-refining", **changes)
    with pytest.raises(error) as info:
        itab.load_initiatives(path, seeds=tmp_path / "no-seeds")
    line = _line_of(path, "Toyota Tsusho rare earth refining project in Andhra Pradesh")
    assert info.value.path == str(path) and info.value.line == line
    assert info.value.column == column
    assert str(path) in str(info.value) and f"line {line}" in str(info.value)


def test_duplicate_id_points_at_second_line(tmp_path, rows):
    path = _write_variant(tmp_path, rows, "ai-dialogue", id="energy-dialogue")
    with pytest.raises(BadValueError, match="duplicate id") as info:
        itab.load_initiatives(path, seeds=tmp_path / "no-seeds")
    assert info.value.line == _line_of(path, "India-Japan AI Dialogue (foreign ministries)")
    assert f"first on line {_line_of(path, 'energy-dialogue')}" in str(info.value)


def test_missing_column(tmp_path, rows):
    path = tmp_path / "initiatives.csv"
    pd.DataFrame(rows).drop(columns=["source_quote"]).to_csv(path, index=False)
    with pytest.raises(MissingColumnError) as info:
        itab.load_initiatives(path)
    assert info.value.column == "source_quote" and str(path) in str(info.value)


def test_quote_and_file_checked_against_seeds(tmp_path, rows, seeds):
    target = "Semiconductor OSAT in Sanand, Gujarat"
    path = _write_variant(tmp_path, rows, "renesas-cg-power-osat-sanand",
                          source_quote="Renesas opened a fab in Sanand")
    with pytest.raises(BadValueError, match="does not occur in 001_") as info:
        itab.load_initiatives(path, seeds=seeds)
    assert (info.value.line, info.value.column) == (_line_of(path, target), "source_quote")
    path = _write_variant(tmp_path, rows, "renesas-cg-power-osat-sanand",
                          source_file=f"{FACT_SHEET};999_missing.txt")
    with pytest.raises(BadValueError, match=r"999_missing\.txt") as info:
        itab.load_initiatives(path, seeds=seeds)
    assert info.value.column == "source_file"
    # the same bad quote passes when no seeds folder is there to check against
    path = _write_variant(tmp_path, rows, "renesas-cg-power-osat-sanand",
                          source_quote="Renesas opened a fab in Sanand")
    assert len(itab.load_initiatives(path, seeds=tmp_path / "absent")) == len(rows)


def test_loader_types(table):
    assert table["amount"].dtype == "float64" and table["capacity"].dtype == "float64"
    assert table["amount"].notna().sum() == 2
    assert set(table["study_sector"]) <= {"", "Digital and EE", "Energy and critical minerals",
                                          "Bio-healthcare", "Industrial base"}
    assert table.loc[table["sector"] == "ICT", "study_sector"].eq("Digital and EE").all()


# --------------------------------------------------------------------------- summaries


def test_by_sector_and_by_product_agree_with_a_plain_count(rows, table):
    expected = Counter(r["sector"] for r in rows)
    got = ini.by_sector(table).set_index("sector")["n_initiatives"].to_dict()
    assert got == dict(expected)
    study = ini.by_sector(table, column="study_sector")
    energy = sum(expected[s] for s in ("Critical minerals", "Clean energy"))
    assert study.set_index("study_sector").loc["Energy and critical minerals",
                                               "n_initiatives"] == energy
    products = Counter(r["priority_product"] for r in rows if r["priority_product"])
    by_product = ini.by_product(table).set_index("priority_product")
    assert by_product["n_initiatives"].to_dict() == dict(products)
    assert by_product.loc["Ammonia", "n_with_hs6"] == 2  # JDI and the Mundra co-firing
    full = ini.by_product(table, all_products=True).set_index("priority_product")
    assert full.loc["Compressors", "n_initiatives"] == 0
    assert len(full) == load_registry()["product"].nunique()


def test_timeline(rows, table):
    tl = ini.timeline(table)
    assert len(tl) == sum(1 for r in rows if r["date"])
    assert tl["start"].is_monotonic_increasing and (tl["start"] <= tl["end"]).all()
    nov = tl.set_index("id").loc["dialogue-economic-security"]
    assert (nov["start"], nov["end"]) == (pd.Timestamp(2024, 11, 1), pd.Timestamp(
        2024, 11, calendar.monthrange(2024, 11)[1]))
    v2x = tl.set_index("id").loc["v2x-demonstrations"]
    assert (v2x["end"], v2x["year"]) == (pd.Timestamp(2019, 12, 31), 2019)
    assert len(ini.timeline(table, include_undated=True)) == len(rows)


def test_filter_initiatives(rows, table):
    energy = ini.filter_initiatives(table, "energy AND critical minerals")
    assert len(energy) == sum(r["sector"] in {"Critical minerals", "Clean energy"}
                              for r in rows)
    clean = ini.filter_initiatives(table, ["clean energy", "ICT"])
    assert len(clean) == sum(r["sector"] in {"Clean energy", "ICT"} for r in rows)
    batteries = ini.filter_initiatives(table, "Batteries")
    assert batteries["id"].tolist() == ["battery-supply-chain-matchmaking"]
    assert ini.filter_initiatives(table, "Compressors").empty
    assert ini.filter_initiatives(table) is table
    with pytest.raises(UnknownReleaseError, match=r"known: .*Clean energy"):
        ini.filter_initiatives(table, "Quantum")


# --------------------------------------------------------------------------- money


def test_to_usd_arithmetic_with_given_rates():
    rates = pd.DataFrame({"currency": ["JPY", "INR"], "year": [2023, 2025],
                          "units_per_usd": [150.0, 80.0]})
    t = pd.DataFrame({
        "date": ["2023-05", "", "2024", ""],
        "amount": [60.0, 10500.0, 5.0, np.nan],
        "currency": ["JPY", "INR", "USD", ""],
        "amount_unit": ["billion", "crore", "million", ""],
    })
    out = ini.to_usd(t, rates, default_year=2025)
    # 60 bn yen at 150/USD; 10,500 crore = 1.05e11 rupees at 80/USD; USD unchanged
    assert out["amount_usd"].iloc[0] == pytest.approx(60e9 / 150)
    assert out["amount_usd"].iloc[1] == pytest.approx(1.05e11 / 80)
    assert out["amount_usd"].iloc[2] == pytest.approx(5e6)
    assert np.isnan(out["amount_usd"].iloc[3])
    assert out["rate_year"].tolist()[:3] == [2023, 2025, 2024]
    # a year without a rate falls back to default_year: 2024 yen at the 2023 rate here
    late = ini.to_usd(t.iloc[[0]].assign(date="2024-02"), rates, default_year=2023)
    assert late["amount_usd"].iloc[0] == pytest.approx(60e9 / 150)


def test_to_usd_missing_rate_raises():
    rates = pd.DataFrame({"currency": ["JPY"], "year": [2023], "units_per_usd": [150.0]})
    t = pd.DataFrame({"date": ["2024"], "amount": [1.0], "currency": ["INR"],
                      "amount_unit": ["crore"]})
    with pytest.raises(UnknownReleaseError, match="no exchange rate for INR"):
        ini.to_usd(t, rates)


def test_to_usd_on_the_shipped_table(table):
    out = ini.to_usd(table).set_index("id")
    assert out.loc["jbic-pfc-bamboo-bioethanol-assam", "amount_local"] == 60e9
    assert out.loc["ai-data-centre-hyderabad", "amount_local"] == 1.05e11
    jpy = ini.RATES.set_index(["currency", "year"]).loc[("JPY", ini.DEFAULT_RATE_YEAR),
                                                        "units_per_usd"]
    assert out.loc["jbic-pfc-bamboo-bioethanol-assam", "amount_usd"] == pytest.approx(
        60e9 / jpy)
    assert 3e8 < out.loc["jbic-pfc-bamboo-bioethanol-assam", "amount_usd"] < 5e8
    assert 1e9 < out.loc["ai-data-centre-hyderabad", "amount_usd"] < 1.4e9


def test_rate_table_states_its_sources():
    assert (ini.RATES["source"].str.len() > 20).all()
    unverified = ini.RATES[~ini.RATES["verified"]]
    assert unverified["source"].str.contains("approximate").all()
    assert set(ini.RATES["currency"]) >= {"JPY", "INR"}


# --------------------------------------------------------------------------- coverage


def _hand_initiatives() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["refinery", "battery-talks", "fund", "chip-moc"],
        "hs6": ["280530", "", "", ""],
        "priority_product": ["Rare earths", "Batteries", "", "Semiconductors"],
        "status": ["launched", "held", "operating", "planned"],
    })


def _hand_classified() -> pd.DataFrame:
    return pd.DataFrame({
        "year": [2023] * 7 + [2022],
        "importer": ["IND", "IND", "IND", "JPN", "IND", "JPN", "IND", "IND"],
        "hs6": ["280530", "284690", "850760", "850760", "841430", "854231", "854231",
                "841430"],
        "category": ["B", "B", "A", "A", "A", "A", "C", "D"],
        "product": ["Permanent magnets", "Permanent magnets", "Batteries", "Batteries",
                    "Compressors", "Semiconductors", "Semiconductors", "Compressors"],
        "imports_usd": [5.0, 3.0, 100.0, 80.0, 40.0, 60.0, 10.0, 1.0],
    })


def test_coverage_by_hand():
    cov = ini.coverage(_hand_initiatives(), _hand_classified())
    got = {(r.importer, r.hs6): (r.initiative_ids, r.n_direct) for r in cov.itertuples()}
    # By hand: 280530 is named by the refinery (direct); 284690 is a registry rare-earth code
    # (product link); 850760 is a Batteries code; 841430 nothing; 854231 a Semiconductors code.
    assert got == {
        ("IND", "280530"): ("refinery", 1),
        ("IND", "284690"): ("refinery", 0),
        ("IND", "850760"): ("battery-talks", 0),
        ("JPN", "850760"): ("battery-talks", 0),
        ("IND", "841430"): ("", 0),
        ("JPN", "854231"): ("chip-moc", 0),
        ("IND", "854231"): ("chip-moc", 0),
    }
    assert len(cov) == 7  # only the latest year (2023)
    assert cov["n_initiatives"].tolist() == [int(i != "") for i in cov["initiative_ids"]]


def test_coverage_matches_the_tables_product_column():
    classified = pd.DataFrame({"importer": ["IND"], "hs6": ["999990"], "category": ["A"],
                               "product": ["Batteries"]})
    cov = ini.coverage(_hand_initiatives(), classified)
    assert cov["initiative_ids"].tolist() == ["battery-talks"]


def test_gaps_by_hand():
    gaps = ini.gaps(_hand_initiatives(), _hand_classified())
    assert list(zip(gaps["importer"], gaps["hs6"], strict=True)) == [("IND", "841430")]
    active = ["launched", "held", "signed", "operating"]
    gaps = ini.gaps(_hand_initiatives(), _hand_classified(), statuses=active)
    assert list(zip(gaps["importer"], gaps["hs6"], strict=True)) == [("IND", "841430"),
                                                                    ("JPN", "854231")]
    assert ini.gaps(_hand_initiatives(), _hand_classified(), categories=("C",),
                    statuses=active)["hs6"].tolist() == ["854231"]
    older = ini.gaps(_hand_initiatives(), _hand_classified(), categories=("D",), year=2022)
    assert older["hs6"].tolist() == ["841430"]


def test_coverage_product_level_by_hand():
    cov = ini.coverage(_hand_initiatives(), _hand_classified(), level="product")
    magnets = cov[(cov["importer"] == "IND") & (cov["product"] == "Permanent magnets")]
    assert magnets[["n_hs6", "n_initiatives", "initiative_ids", "n_direct"]].values.tolist() \
        == [[2, 1, "refinery", 1]]
    assert magnets["imports_usd"].tolist() == [8.0]
    gaps = ini.gaps(_hand_initiatives(), _hand_classified(), level="product")
    assert gaps[["importer", "product"]].values.tolist() == [["IND", "Compressors"]]


def test_coverage_needs_its_columns():
    with pytest.raises(MissingColumnError, match="category"):
        ini.coverage(_hand_initiatives(), pd.DataFrame({"importer": ["IND"], "hs6": ["1"]}))


def test_coverage_on_the_shipped_table(table):
    classified = pd.DataFrame({"importer": ["IND", "IND", "JPN"],
                               "hs6": ["284610", "841480", "281410"],
                               "category": ["B", "A", "B"]})
    cov = ini.coverage(table, classified).set_index("hs6")
    assert cov.loc["284610", "initiative_ids"] == "toyota-tsusho-rare-earth-refining"
    assert cov.loc["281410", "initiative_ids"] == (
        "ammonia-cofiring-mundra;jdi-clean-hydrogen-ammonia")
    assert cov.loc["281410", "n_direct"] == 2
    assert ini.gaps(table, classified)["hs6"].tolist() == ["841480"]  # compressors


def test_product_links_reach_priority_products_through_hs_codes():
    from esc.initiative_table import load_initiatives
    from esc.initiatives import product_links

    inits = load_initiatives()
    links = product_links(inits)
    toyota = links[links["id"] == "toyota-tsusho-rare-earth-refining"]
    # its codes 280530/284610/284690 are listed under Permanent magnets in data/sectors.csv
    assert set(toyota["product"]) == {"Permanent magnets"}
    assert set(toyota["via"]) == {"hs6"}
    named = inits[inits["priority_product"] == "Semiconductors"]["id"]
    assert set(named) <= set(links.loc[links["product"] == "Semiconductors", "id"])
    assert not links.duplicated(["id", "product"]).any()
