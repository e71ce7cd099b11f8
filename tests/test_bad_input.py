"""The bad-input corpus: every class of bad file or fault esc must refuse, through the CLI.

Each case is built inside the test from genuine rows of the data folder (BACI
``baci-example-zaf-afg``, UN Comtrade ``comtrade-cmm-sample``) with one thing broken at a known
row, and run as a user would run it: ``esc.cli.main([...])``. Each asserts

- the exit code 2 (bad input, message printed, no traceback);
- a fragment of the message: the file, and the line and column as the file writes them
  (a text editor's line: the header is line 1);
- that the cache folder is byte-identical afterwards (every file under ``ESC_CACHE_DIR``
  hashed before and after), with an entry already in it, so that "existing entries intact"
  is checked too.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from esc import cache
from esc.cli import main
from esc.config import cache_dir
from esc.schema import validate_flows

from _fixtures import baci_csv_text, example_rows, http_server, tree

BACI_NAME = "BACI_HS92_Y2021_V202301.csv"
COMTRADE = "comtrade-cmm-sample/cobalt_trade_data.csv"
WITS_HEADER = ("Nomenclature,ReporterISO3,ProductCode,ReporterName,PartnerISO3,PartnerName,"
               "Year,TradeFlowName,TradeFlowCode,TradeValue in 1000 USD")


@pytest.fixture
def root(raw) -> Path:
    """The data folder (skips, or fails under ESC_REQUIRE_RAW=1, without the sample files)."""
    raw("comtrade-cmm-sample")
    return raw("baci-example-zaf-afg").parent


@pytest.fixture
def seeded() -> dict[str, str]:
    """A cache that already holds one entry; returns its tree (file -> sha256)."""
    frame = validate_flows(pd.DataFrame({
        "year": [2022, 2022], "exporter": ["CHN", "JPN"], "importer": ["IND", "IND"],
        "hs6": ["850760", "854142"], "hs_rev": ["HS22", "HS22"],
        "value_usd": [1e6, 2e6], "quantity_t": [None, 3.0]}))
    prov = cache.make_provenance(source="test", release="R1", name="seed", url="http://x",
                                 input_sha256="ab" * 32, licence="test")
    cache.write_table(frame, "test", "R1", "seed", provenance=prov)
    return tree(cache_dir())


def _run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refusals
        code = exc.code
    return code, capsys.readouterr().err


def _expect_refused(argv, fragments, seeded, capsys) -> str:
    code, err = _run([str(a) for a in argv], capsys)
    assert code == 2, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert tree(cache_dir()) == seeded
    return err


# --------------------------------------------------------------------------- BACI


def _baci_rows(root: Path, n: int = 20) -> list[list[str]]:
    return [list(r) for r in example_rows(root, n)]


def _baci_file(tmp: Path, rows: list[list[str]], name: str = BACI_NAME) -> Path:
    path = tmp / name
    path.write_text(baci_csv_text(rows), newline="")
    return path


def _set(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    rows[row]["tijkvq".index(column)] = value
    return rows


BACI_CASES: dict[str, tuple[int, str, str, str]] = {
    # name: (row, column, new value, message fragment); the file line is row + 2
    "year_overflow": (3, "t", "99999", "year 99999 is outside"),
    "year_before_1962": (3, "t", "1950", "year 1950 is outside"),
    "year_not_file_name": (3, "t", "2019", "the file name, which says Y2021"),
    "value_nan": (4, "v", "nan", "not a number"),
    "value_inf": (4, "v", "inf", "infinite"),
    "value_too_large": (4, "v", "2e10", "above 1e+13 USD"),
    "value_negative": (4, "v", "-5", "negative trade value"),
    "quantity_inf": (6, "q", "inf", "quantity inf is infinite"),
    "code_not_in_hs92": (7, "k", "770000", "not in the HS92 nomenclature"),
}


@pytest.mark.parametrize("case", list(BACI_CASES))
def test_baci_bad_value(case, root, tmp_path, seeded, capsys):
    row, column, value, fragment = BACI_CASES[case]
    path = _baci_file(tmp_path, _set(_baci_rows(root), row, column, value))
    err = _expect_refused(["data", "import", path], [fragment], seeded, capsys)
    assert f"{path}, line {row + 2}, column '{column}'" in err


def test_baci_nan_is_not_called_negative(root, tmp_path, seeded, capsys):
    path = _baci_file(tmp_path, _set(_baci_rows(root), 0, "v", "NaN"))
    err = _expect_refused(["data", "import", path], ["line 2, column 'v'"], seeded, capsys)
    assert "negative" not in err


def test_baci_duplicate_flow_names_both_lines(root, tmp_path, seeded, capsys):
    rows = _baci_rows(root)
    rows.insert(9, list(rows[2]))  # file lines 4 and 11 now hold the same (t, i, j, k)
    path = _baci_file(tmp_path, rows)
    _expect_refused(["data", "import", path], [str(path), "line 11", "lines 4 and 11"],
                    seeded, capsys)


def test_baci_code_not_in_the_zips_own_product_list(root, tmp_path, seeded, capsys):
    rows = _baci_rows(root)
    dropped = rows[5][3].zfill(6)
    path = tmp_path / "BACI_HS92_V202301.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(BACI_NAME, baci_csv_text(rows))
        codes = sorted({r[3].zfill(6) for r in rows} - {dropped})
        zf.writestr("product_codes_HS92_V202301.csv",
                    "code,description\n" + "".join(f"{c},x\n" for c in codes))
    _expect_refused(["data", "import", path],
                    [f"{path}:{BACI_NAME}, line 7, column 'k'", f"'{dropped}'",
                     "product_codes_HS92_V202301.csv"], seeded, capsys)


def test_gzip_full_of_garbage(tmp_path, seeded, capsys):
    path = tmp_path / (BACI_NAME + ".gz")
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 8)  # gzip magic, then garbage
    _expect_refused(["data", "import", path], [str(path)], seeded, capsys)


# --------------------------------------------------------------------------- UN Comtrade


def _comtrade(root: Path, tmp: Path, change: Callable[[list[str], list[list[str]]], None],
              name: str = "trade.csv") -> Path:
    with open(root / COMTRADE, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[:15]
    header = rows[0]
    change(header, rows)
    path = tmp / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _cell(column: str, row: int, value: str) -> Callable[[list[str], list[list[str]]], None]:
    def change(header: list[str], rows: list[list[str]]) -> None:
        rows[row][header.index(column)] = value
    return change


def _h5_cell(column: str, value: str) -> Callable[[list[str], list[list[str]]], None]:
    """Change the first HS2017 (H5) row, whose codes esc can check one by one."""
    def change(header: list[str], rows: list[list[str]]) -> None:
        row = next(i for i, r in enumerate(rows) if r[header.index("classificationCode")] == "H5")
        rows[row][header.index(column)] = value
    return change


COMTRADE_CASES: dict[str, tuple[Callable, str]] = {
    "year_overflow": (_cell("refYear", 3, "99999"), "line 4, column 'refYear': year 99999"),
    "year_after_next": (_cell("refYear", 3, "2999"), "line 4, column 'refYear': year 2999"),
    "value_inf": (_cell("primaryValue", 5, "inf"), "line 6, column 'primaryValue'"),
    "value_nan": (_cell("primaryValue", 5, "nan"), "line 6, column 'primaryValue': value "
                                                   "'nan' is not a number"),
    "value_too_large": (_cell("primaryValue", 5, "3e13"), "line 6, column 'primaryValue'"),
    "code_5_digits": (_cell("cmdCode", 7, "81051"), "line 8, column 'cmdCode'"),
    "code_7_digits": (_cell("cmdCode", 7, "8105200"), "line 8, column 'cmdCode'"),
    "code_letters": (_cell("cmdCode", 7, "81O5"), "line 8, column 'cmdCode'"),
    "code_not_in_hs17": (_h5_cell("cmdCode", "7700"), "not in the HS17 nomenclature"),
}


@pytest.mark.parametrize("case", list(COMTRADE_CASES))
def test_comtrade_bad_value(case, root, tmp_path, seeded, capsys):
    change, fragment = COMTRADE_CASES[case]
    path = _comtrade(root, tmp_path, change)
    _expect_refused(["data", "import", path], [str(path), fragment], seeded, capsys)


def test_comtrade_error_names_the_column_as_written(root, tmp_path, seeded, capsys):
    """A legacy bulk file writes ``Trade Value (US$)``: that is the name in the message."""
    def legacy(header: list[str], rows: list[list[str]]) -> None:
        header[header.index("primaryValue")] = "Trade Value (US$)"
        rows[2][header.index("Trade Value (US$)")] = "-inf"
    path = _comtrade(root, tmp_path, legacy)
    err = _expect_refused(["data", "import", path],
                          [f"{path}, line 3, column 'Trade Value (US$)'"], seeded, capsys)
    assert "'primaryValue'" not in err and "value_usd" not in err


def test_comtrade_blank_line_keeps_editor_line_numbers(root, tmp_path, seeded, capsys):
    path = _comtrade(root, tmp_path, _cell("refYear", 5, "99999"))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:3], "\n", *lines[3:]]), encoding="utf-8")
    # rows[5] was file line 6; one blank line above it makes it line 7, as an editor shows
    _expect_refused(["data", "import", path], ["line 7, column 'refYear'"], seeded, capsys)


def test_json_data_not_records(tmp_path, seeded, capsys):
    path = tmp_path / "answer.json"
    path.write_text(json.dumps({"data": [1, 2]}))
    _expect_refused(["data", "import", path], [str(path), "record 1"], seeded, capsys)


# --------------------------------------------------------------------------- WITS


def test_wits_zip_with_latin1_bytes(tmp_path, seeded, capsys):
    rows = [WITS_HEADER, "H3,FRA,01,France,IND,India,2020,Export,6,10",
            "H3,CIV,02,C\xf4te d'Ivoire,IND,India,2020,Export,6,12"]
    path = tmp_path / "wits.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("trade.csv", ("\r\n".join(rows) + "\r\n").encode("latin-1"))
    _expect_refused(["data", "import", path], [f"{path}:trade.csv, line 3", "UTF-8"],
                    seeded, capsys)


@pytest.mark.parametrize(("column", "value", "fragment"), [
    ("Year", "1950", "year 1950 is outside"),
    ("TradeValue in 1000 USD", "inf", "infinite"),
    ("TradeValue in 1000 USD", "5e10", "above 1e+13 USD"),
])
def test_wits_implausible_values(column, value, fragment, tmp_path, seeded, capsys):
    header = WITS_HEADER.split(",")
    rows = [["H3", "FRA", "01", "France", "IND", "India", "2020", "Export", "6", "10"],
            ["H3", "DEU", "02", "Germany", "IND", "India", "2020", "Export", "6", "12"]]
    rows[1][header.index(column)] = value
    path = tmp_path / "wits.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("trade.csv", "\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n")
    _expect_refused(["data", "import", path],
                    [f"{path}:trade.csv, line 3, column '{column}'", fragment], seeded, capsys)


# --------------------------------------------------------------------------- esc pci, groups


def _pci_file(tmp: Path, body: bytes | str) -> Path:
    path = tmp / "exports.csv"
    path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    return path


PCI_BODY = "year,country,product,export_value\n2020,FRA,01,5\n2020,DEU,02,3\n"


def test_pci_missing_file(tmp_path, seeded, capsys):
    path = tmp_path / "nowhere.csv"
    _expect_refused(["pci", "--exports", path], [str(path), "no such file"], seeded, capsys)


def test_pci_empty_file(tmp_path, seeded, capsys):
    path = _pci_file(tmp_path, "")
    _expect_refused(["pci", "--exports", path], [f"{path}, line 1", "empty"], seeded, capsys)


def test_pci_latin1_file(tmp_path, seeded, capsys):
    path = _pci_file(tmp_path, (PCI_BODY + "2020,Fran\xe7e,03,1\n").encode("latin-1"))
    _expect_refused(["pci", "--exports", path], [f"{path}, line 4", "UTF-8"], seeded, capsys)


def test_pci_non_numeric_year(tmp_path, seeded, capsys):
    path = _pci_file(tmp_path, PCI_BODY + "20x1,JPN,01,4\n")
    _expect_refused(["pci", "--exports", path], [f"{path}, line 4, column 'year'", "'20x1'"],
                    seeded, capsys)


@pytest.mark.parametrize("command", [["dependence"], ["scenario"]])
def test_empty_groups_file(command, tmp_path, seeded, capsys):
    path = tmp_path / "groups.csv"
    path.write_text("")
    _expect_refused([*command, "--groups", path], [f"{path}, line 1", "empty"], seeded,
                    capsys)


# --------------------------------------------------------------------------- fetch arguments


@pytest.mark.parametrize("option", [["--hs", "/../../../../escaped"],
                                    ["--release", "V202501/../../../../escaped"]])
def test_fetch_arguments_checked_before_any_path(option, tmp_path, seeded, capsys):
    outside = cache_dir().parent
    before = sorted(p.name for p in outside.iterdir())
    with http_server({"/x.zip": b"PK not really"}) as (url, state):
        _expect_refused(["data", "fetch", "baci", *option, "--url", url + "/x.zip"],
                        ["escaped"], seeded, capsys)
    assert state["requests"] == []
    assert sorted(p.name for p in outside.iterdir()) == before
    assert not (cache_dir() / "downloads").exists()


# --------------------------------------------------------------------------- faults


def test_read_only_cache_folder(root, tmp_path, seeded, capsys, monkeypatch):
    path = _comtrade(root, tmp_path, lambda header, rows: None)
    folder = cache_dir()
    os.chmod(folder, 0o555)
    try:
        if os.geteuid() == 0:  # root ignores permission bits: give the error the kernel would
            def denied(*args, **kwargs):
                raise PermissionError(errno.EACCES, "Permission denied")

            monkeypatch.setattr(cache.pq, "ParquetWriter", denied)
        _expect_refused(["data", "import", path], ["not writable", str(folder)], seeded,
                        capsys)
    finally:
        os.chmod(folder, 0o755)


def test_full_disk(root, tmp_path, seeded, capsys, monkeypatch):
    path = _comtrade(root, tmp_path, lambda header, rows: None)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache.pq.ParquetWriter, "write_table", full)
    _expect_refused(["data", "import", path], ["disk is full", str(cache_dir())], seeded,
                    capsys)


def test_full_disk_in_the_middle_of_a_release(root, tmp_path, seeded, capsys, monkeypatch):
    """Two years staged, the disk fills while the second is written: neither is committed."""
    rows = _baci_rows(root)
    path = tmp_path / "BACI_HS92_V202301.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("BACI_HS92_Y2020_V202301.csv",
                    baci_csv_text([["2020", *r[1:]] for r in rows]))
        zf.writestr(BACI_NAME, baci_csv_text(rows))
    real, calls = cache.pq.ParquetWriter.write_table, []

    def fills_up(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cache.pq.ParquetWriter, "write_table", fills_up)
    _expect_refused(["data", "import", path], ["disk is full"], seeded, capsys)
    assert len(calls) == 2


def test_corpus_is_self_consistent(root, tmp_path, capsys):
    """The unbroken files of the corpus import cleanly (so each case fails for its one
    change, not for the way the files are built)."""
    for path in (_baci_file(tmp_path, _baci_rows(root)),
                 _comtrade(root, tmp_path, lambda header, rows: None)):
        code, err = _run(["data", "import", str(path)], capsys)
        assert code == 0, err
