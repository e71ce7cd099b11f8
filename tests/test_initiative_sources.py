"""``data/initiative_sources.csv`` and ``esc initiatives``: readable source names taken from
the seeds themselves, no NaN and no seed file names in the terminal table."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

from esc import initiative_sources
from esc.cli import main
from esc.errors import BadValueError
from esc.initiative_table import seeds_dir

DATA = initiative_sources.default_path()


@pytest.fixture
def seeds() -> Path:
    """The seed documents (../shared/seeds); mandatory when ESC_REQUIRE_RAW=1."""
    folder = seeds_dir()
    if folder is None:
        reason = "seeds folder not found beside the data folder (../shared/seeds)"
        if os.environ.get("ESC_REQUIRE_RAW") == "1":
            pytest.fail(reason + "; ESC_REQUIRE_RAW=1 makes it mandatory")
        pytest.skip(reason)
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_seed_file_of_the_initiatives_has_a_name():
    with open(DATA.parent / "initiatives.csv", encoding="utf-8") as fh:
        used = {f for row in csv.DictReader(fh) for f in row["source_file"].split(";") if f}
    table = initiative_sources.load_sources()
    assert used <= set(table["file"])
    assert table["name"].map(len).max() <= 45  # fits a terminal table


def test_titles_dates_publishers_come_from_the_seeds(seeds):
    folder = seeds
    table = initiative_sources.load_sources()
    initiative_sources.check_evidence(table, folder)  # raises if a quote is not in its seed
    for row in table.itertuples():
        text = " ".join((folder / row.file).read_text(encoding="utf-8").split())
        if row.title:
            assert row.title in text, row.file
        for who in filter(None, re.split(r",\s*|\s+and\s+", row.publisher)):
            assert who in text, (row.file, who)
        if row.date:  # stated in the seed as e.g. "13 Feb 2026"
            stamp = pd.Timestamp(row.date)
            assert f"{stamp.day} {stamp:%b %Y}" in text, row.file
        assert not row.url or row.url in text


def test_evidence_check_fails_on_words_not_in_the_seed(seeds):
    folder = seeds
    table = initiative_sources.load_sources().copy()
    table.loc[0, "evidence"] = "words no seed contains"
    with pytest.raises(BadValueError, match="evidence"):
        initiative_sources.check_evidence(table, folder)


def test_bad_table_names_file_line_and_column(tmp_path):
    bad = tmp_path / "sources.csv"
    rows = DATA.read_text(encoding="utf-8").splitlines()
    rows[2] = rows[2].replace("news article", "rumour", 1)
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(BadValueError) as err:
        initiative_sources.load_sources(bad)
    assert "line 3" in str(err.value) and "'kind'" in str(err.value)


def test_terminal_table_has_no_nan_and_no_file_names(capsys):
    code, out, _ = run(capsys, "initiatives")
    assert code == 0
    assert not re.search(r"\bnan\b", out, re.IGNORECASE)
    assert not re.search(r"\b\w+\.txt\b", out)
    assert max(map(len, out.splitlines())) <= 120
    assert "source" in out.splitlines()[1]


def test_a_known_initiative_names_its_source(capsys):
    known = initiative_sources.load_sources()
    names = dict(zip(known["file"], known["name"], strict=True))
    with open(DATA.parent / "initiatives.csv", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    first = rows["moc-semiconductor-supply-chain"]["source_file"].split(";")[0]
    code, out, _ = run(capsys, "initiatives", "--sector", "Digital and EE", "--wide")
    assert code == 0
    line = next(s for s in out.splitlines() if "Memorandum of Cooperation on Japan" in s)
    assert names[first] in line
    code, out, _ = run(capsys, "initiatives", "--format", "json")
    by_id = {r["id"]: r for r in json.loads(out)["rows"]}
    files = by_id["dialogue-economic-security"]["source_file"].split(";")
    assert by_id["dialogue-economic-security"]["source"] == "; ".join(names[f] for f in files)


def test_amounts_keep_currency_and_unit(capsys):
    code, out, _ = run(capsys, "initiatives", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    with_amount = table.dropna(subset=["amount"]).iloc[0]
    shown = initiative_sources.for_display(table)
    row = shown.loc[table.index.get_loc(with_amount.name)]
    assert row["amount"].split()[1:] == [with_amount["currency"], with_amount["amount_unit"]]
    assert float(row["amount"].split()[0].replace(",", "")) == with_amount["amount"]
    assert not shown.isna().any().any()
