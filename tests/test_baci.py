"""BACI reader, checked against the genuine CEPII rows in baci-example-zaf-afg.

Expected values are computed here with gzip + csv, independently of the reader.
"""

from __future__ import annotations

import math
import zipfile
from collections import defaultdict

import pandas as pd
import pytest

from conftest import _require
from esc.errors import (
    BadValueError,
    CorruptFileError,
    MissingColumnError,
    UnknownCountryError,
    UnknownProductError,
    UnknownReleaseError,
)
from esc.sources import baci

from _fixtures import (
    EXAMPLE,
    baci_csv_text,
    country_table,
    example_rows,
    relabel,
    write_baci_zip,
)


@pytest.fixture(scope="module")
def example():
    """The data folder (skips, or fails under ESC_REQUIRE_RAW=1, without the BACI example)."""
    return _require("baci-example-zaf-afg").parent


@pytest.fixture(scope="module")
def full(example):
    return baci.read(example / EXAMPLE, hs_rev="HS92")


@pytest.fixture(scope="module")
def rows(example):
    return example_rows(example)


# --------------------------------------------------------------------------- names, URLs


def test_parse_filename():
    assert baci.parse_filename("BACI_HS17_Y2022_V202501.csv") == ("HS17", 2022, "V202501")
    assert baci.parse_filename("some/dir/BACI_HS92_Y1995_V202401b.csv.gz") == (
        "HS92", 1995, "V202401b")
    with pytest.raises(BadValueError, match="ExampleTradeData"):
        baci.parse_filename("ExampleTradeData.csv")


def test_release_url():
    assert baci.release_url() == ("https://www.cepii.fr/DATA_DOWNLOAD/baci/data/"
                                  "BACI_HS22_V202501.zip")
    assert baci.release_url("V202401b", "hs17").endswith("/BACI_HS17_V202401b.zip")


@pytest.mark.parametrize("release,hs", [("V202501", "HS23"), ("V202501", "H6"),
                                        ("V2025", "HS22"), ("V202513", "HS22"),
                                        ("202501", "HS22"), ("latest", "HS22")])
def test_release_url_rejects_unknown(release, hs):
    with pytest.raises(UnknownReleaseError):
        baci.release_url(release, hs)


# --------------------------------------------------------------------------- genuine rows


def test_row_count_and_missing_quantities(full, rows):
    assert len(full) == len(rows) == 71192
    n_na = sum(r[5].strip() == "NA" for r in rows)
    assert n_na > 0
    assert int(full["quantity_t"].isna().sum()) == n_na


def test_totals_per_importer_match_independent_sum(example, full, rows):
    iso = country_table(example)
    expected: dict[str, float] = defaultdict(float)
    for r in rows:
        expected[iso[int(r[2])]] += float(r[4]) * 1000
    got = full.groupby("importer")["value_usd"].sum()
    assert set(got.index) == set(expected)
    for importer, value in expected.items():
        assert got[importer] == pytest.approx(value, rel=1e-12), importer
    assert got["IND"] == pytest.approx(expected["IND"])
    assert full["importer"].eq("IND").sum() == 677  # SOURCE.md: 677 flows to India


def test_known_rows(full, rows):
    first = full.iloc[0]
    # line 2 of the file: 2021,4,24,382390,52.051,"       13.235"
    assert rows[0] == ["2021", "4", "24", "382390", "52.051", "       13.235"]
    assert (first["year"], first["exporter"], first["importer"], first["hs6"]) == (
        2021, "AFG", "AGO", "382390")
    assert first["value_usd"] == pytest.approx(52051.0)
    assert first["quantity_t"] == pytest.approx(13.235)
    assert first["hs_rev"] == "HS92"


def test_product_codes_are_zero_padded(full, rows):
    short = [i for i, r in enumerate(rows) if len(r[3]) == 5]
    assert short, "the file has codes that lost their leading zero"
    pos = short[0]
    assert full["hs6"].iloc[pos] == "0" + rows[pos][3]
    assert full["hs6"].str.len().eq(6).all()
    assert full["hs6"].str.startswith("0").sum() == len(short)


def test_na_quantity_is_nan(full, rows):
    pos = next(i for i, r in enumerate(rows) if r[5].strip() == "NA")
    assert math.isnan(full["quantity_t"].iloc[pos])
    assert full["value_usd"].iloc[pos] == pytest.approx(float(rows[pos][4]) * 1000)


def test_dtypes(full):
    assert str(full["year"].dtype) == "int16"
    assert full["value_usd"].dtype == "float64"
    assert full["quantity_t"].dtype == "float64"


@pytest.mark.parametrize("filters", [
    {"reporters": ["IND"]},
    {"reporters": ["IND", "JPN"], "hs6": ["710239", "260112", 260300]},
    {"exporters": ["AFG"], "years": [2021]},
    {"reporters": ["jpn"], "exporters": ["ZAF"]},
])
def test_filters_equal_a_pandas_filter(example, full, filters):
    got = baci.read(example / EXAMPLE, hs_rev="HS92", **filters)
    mask = pd.Series(True, index=full.index)
    if "reporters" in filters:
        mask &= full["importer"].isin([c.upper() for c in filters["reporters"]])
    if "exporters" in filters:
        mask &= full["exporter"].isin(filters["exporters"])
    if "hs6" in filters:
        mask &= full["hs6"].isin([str(c).zfill(6) for c in filters["hs6"]])
    if "years" in filters:
        mask &= full["year"].isin(filters["years"])
    expected = full[mask].reset_index(drop=True)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(got, expected)


def test_unknown_year_names_what_exists(example):
    with pytest.raises(UnknownReleaseError, match=r"2021"):
        baci.read(example / EXAMPLE, hs_rev="HS92", years=[2019])


def test_revision_needed_for_an_unnamed_file(example):
    with pytest.raises(BadValueError, match="hs_rev"):
        baci.read(example / EXAMPLE)


def test_line_numbers_are_exact_across_blocks(tmp_path, rows, monkeypatch):
    monkeypatch.setattr(baci, "_BLOCK", 1 << 14)  # 16 KB blocks: hundreds of them
    bad = [list(r) for r in rows[:20000]]
    bad[15000][4] = "12x"  # data row 15001 -> file line 15002
    path = tmp_path / "BACI_HS92_Y2021_V202301.csv"
    path.write_text(baci_csv_text(bad))
    with pytest.raises(BadValueError) as err:
        baci.read(path)
    assert err.value.line == 15002 and err.value.column == "v"
    assert str(path) in str(err.value) and "'12x'" in str(err.value)


# --------------------------------------------------------------------------- zip layout


def test_zip_equals_csv_and_uses_its_name(tmp_path, example, rows, full):
    zipped = write_baci_zip(tmp_path / "BACI_HS92_V202301.zip", example, {2021: rows})
    info = baci.inspect(zipped)
    assert (info.kind, info.hs_rev, info.release, info.years) == ("zip", "HS92", "V202301",
                                                                 [2021])
    assert info.country_codes[699] == "IND"
    pd.testing.assert_frame_equal(baci.read(zipped), full)


def test_zip_years_are_selected_without_reading_the_others(tmp_path, example, rows):
    # 2020 is the 2021 rows relabelled (layout test); 2022 has a broken value that would
    # raise if the member were read at all.
    broken = [list(r) for r in rows[:50]]
    broken[10][4] = "not-a-number"
    zipped = write_baci_zip(tmp_path / "BACI_HS92_V202301.zip", example,
                            {2020: relabel(rows[:3000], 2020), 2021: rows[:3000],
                             2022: relabel(broken, 2022)})
    got = baci.read(zipped, years=[2020])
    assert set(got["year"]) == {2020} and len(got) == 3000
    with pytest.raises(BadValueError, match=r"BACI_HS92_Y2022_V202301\.csv, line 12"):
        baci.read(zipped, years=[2022])
    with pytest.raises(UnknownReleaseError, match=r"2020, 2021, 2022"):
        baci.read(zipped, years=[2019])


def test_country_codes_override(tmp_path, example, rows):
    got = baci.read(example / EXAMPLE, hs_rev="HS92", country_codes={710: "ZA1"},
                    exporters=["ZA1"], reporters=["IND"])
    expected = sum(float(r[4]) * 1000 for r in rows if r[1] == "710" and r[2] == "699")
    assert got["value_usd"].sum() == pytest.approx(expected)


# --------------------------------------------------------------------------- bad input


def _write(tmp_path, rows, header=None, name="BACI_HS92_Y2021_V202301.csv"):
    path = tmp_path / name
    path.write_text(baci_csv_text(rows, header))
    return path


def test_missing_column(tmp_path, rows):
    path = _write(tmp_path, [r[:5] for r in rows[:10]], header=["t", "i", "j", "k", "v"])
    with pytest.raises(MissingColumnError) as err:
        baci.read(path)
    assert err.value.column == "q" and err.value.line == 1 and str(path) in str(err.value)


def test_unknown_country(tmp_path, rows):
    bad = [list(r) for r in rows[:100]]
    bad[41][2] = "999"
    path = _write(tmp_path, bad)
    with pytest.raises(UnknownCountryError) as err:
        baci.read(path)
    assert (err.value.line, err.value.column) == (43, "j") and "999" in str(err.value)


@pytest.mark.parametrize("column,value,cls", [
    (3, "1234567", BadValueError), (3, "85A760", BadValueError), (0, "20x1", BadValueError),
    (5, "lots", BadValueError), (4, "-5.0", BadValueError), (4, "", BadValueError),
])
def test_bad_values_name_line_and_column(tmp_path, rows, column, value, cls):
    bad = [list(r) for r in rows[:100]]
    bad[6][column] = value
    path = _write(tmp_path, bad)
    with pytest.raises(cls) as err:
        baci.read(path)
    assert err.value.line == 8
    assert err.value.column == "tijkvq"[column]
    assert str(path) in str(err.value)


def test_truncated_zip(tmp_path, example, rows):
    zipped = write_baci_zip(tmp_path / "BACI_HS92_V202301.zip", example, {2021: rows})
    data = zipped.read_bytes()
    cut = tmp_path / "cut" / zipped.name
    cut.parent.mkdir()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="truncated") as err:
        baci.read(cut)
    assert str(cut) in str(err.value)


def test_truncated_gzip(tmp_path, example):
    data = (example / EXAMPLE).read_bytes()
    cut = tmp_path / "BACI_HS92_Y2021_V202301.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError) as err:
        baci.read(cut)
    assert str(cut) in str(err.value)


def test_codes_of_a_revision_without_a_list_are_counted_in_a_warning(tmp_path, rows, caplog):
    """esc has no HS12 code list: a code whose chapter exists in no revision (77) is not
    refused but counted in a warning naming the file and its lines."""
    data = [list(r) for r in rows[:20]]
    data[4][3], data[9][3] = "770000", "770011"  # file lines 6 and 11
    path = tmp_path / "BACI_HS12_Y2021_V202301.csv"
    path.write_text(baci_csv_text(data), newline="")
    with caplog.at_level("WARNING", logger="esc.sources.baci"):
        got = baci.read(path)
    assert len(got) == 20
    warning = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warning) == 1
    assert str(path) in warning[0] and "2 rows" in warning[0] and "lines 6, 11" in warning[0]


def test_codes_outside_the_zips_own_list_are_refused(tmp_path, example, rows):
    data = [list(r) for r in rows[:20]]
    path = write_baci_zip(tmp_path / "BACI_HS92_V202301.zip", example, {2021: data[:19]})
    with zipfile.ZipFile(path, "a") as zf:  # a member whose code the product list lacks
        zf.writestr("BACI_HS92_Y2022_V202301.csv", baci_csv_text(
            [["2022", *r[1:]] for r in data[:3]] + [["2022", data[19][1], data[19][2], "970600",
                                                     "1.0", "1.0"]]))
    codes = {r[3].zfill(6) for r in data[:19]}
    assert "970600" not in codes
    with pytest.raises(UnknownProductError, match="not in the HS92 nomenclature") as err:
        baci.read(path)
    assert err.value.line == 5 and err.value.column == "k"
    assert "BACI_HS92_Y2022_V202301.csv" in str(err.value)


def test_empty_line_counts_as_a_line(tmp_path, rows):
    text = baci_csv_text([list(r) for r in rows[:5]]).split("\r\n")
    text.insert(3, "")  # an empty file line 4
    path = tmp_path / "BACI_HS92_Y2021_V202301.csv"
    path.write_text("\r\n".join(text), newline="")
    with pytest.raises(BadValueError) as err:
        baci.read(path)
    assert err.value.line == 4
