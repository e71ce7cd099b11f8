"""Fuzzing the readers with genuine rows: a valid canonical table or a named esc error.

Hypothesis takes real rows of the sample files in the data folder (CEPII BACI
``baci-example-zaf-afg``, UN Comtrade ``comtrade-cmm-sample``), breaks them (cells replaced by
edge values or random text, rows repeated or dropped, the file cut short, bytes that are not
UTF-8) and hands the result to each reader. The reader must either return a table that passes
:func:`esc.schema.validate_flows`, or raise a subclass of :class:`esc.errors.EscError`; never
another exception. The cache must be byte-identical afterwards (readers do not write it, and
an import that fails leaves it as it was).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esc import data
from esc.config import cache_dir
from esc.errors import EscError
from esc.schema import validate_flows
from esc.sources import baci, comtrade

from _fixtures import baci_csv_text, example_rows, tree

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

EDGE = ["", " ", "nan", "NaN", "inf", "-inf", "-1", "0", "99999", "1950", "2019", "1e13",
        "1e300", "NA", "abc", "1.5", "0x1F", "8105", "81051", "8105200", "TOTAL", "999999",
        "\"", "''", "1,2", "é", "\t", "-0"]
cells = st.one_of(st.sampled_from(EDGE), st.text(max_size=8),
                  st.integers(-10**12, 10**12).map(str),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr))


@st.composite
def mutations(draw, n_rows: int, n_cols: int, used: tuple[int, ...] = ()) -> list[tuple]:
    """A short list of edits: set a cell (mostly in a column the reader uses), repeat a row,
    drop a row, cut the file, put a byte that is not UTF-8 in it."""
    ops = []
    columns = st.integers(0, n_cols - 1)
    if used:
        columns = st.one_of(st.sampled_from(used), st.sampled_from(used), columns)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "repeat", "drop", "cut", "latin1"]))
        row = draw(st.integers(0, n_rows - 1))
        if kind == "cell":
            ops.append(("cell", row, draw(columns), draw(cells)))
        elif kind == "cut":
            ops.append(("cut", draw(st.floats(0.05, 0.99))))
        else:
            ops.append((kind, row))
    return ops


def _apply(rows: list[list[str]], ops: list[tuple]) -> tuple[list[list[str]], float | None,
                                                              bool]:
    rows = [list(r) for r in rows]
    cut, latin1 = None, False
    for op in ops:
        if op[0] == "cell" and op[1] < len(rows):
            rows[op[1]][op[2]] = op[3]
        elif op[0] == "repeat" and op[1] < len(rows):
            rows.insert(min(op[1] + 3, len(rows)), list(rows[op[1]]))
        elif op[0] == "drop" and op[1] < len(rows) and len(rows) > 1:
            del rows[op[1]]
        elif op[0] == "cut":
            cut = op[1]
        elif op[0] == "latin1":
            latin1 = True
    return rows, cut, latin1


def _write(path: Path, text: str, cut: float | None, latin1: bool) -> Path:
    raw = text.encode("latin-1", errors="replace") if latin1 else text.encode("utf-8")
    if latin1:
        raw = raw.replace(b"\n", b"\xe9\n", 1)
    if cut is not None:
        raw = raw[: max(1, int(len(raw) * cut))]
    path.write_bytes(raw)
    return path


def _check(read, path: Path) -> None:
    """``read(path)`` returns a valid canonical table or raises an EscError; the cache is
    unchanged; and an import of the same file either succeeds or changes nothing."""
    before = tree(cache_dir())
    try:
        table = read(path)
    except EscError:
        table = None
    assert tree(cache_dir()) == before
    if table is not None:
        validate_flows(table)
        _plausible(table)
        return
    with pytest.raises(EscError):
        data.import_file(path)
    assert tree(cache_dir()) == before


def _plausible(table: pd.DataFrame) -> None:
    """What any accepted table must satisfy, checked here without esc's own validation:
    years 1962 to next year, values finite, not negative, at most 1e13 USD for one flow."""
    values = table["value_usd"].to_numpy(dtype=float)
    assert np.isfinite(values).all() and (values >= 0).all() and (values <= 1e13).all()
    years = table["year"].astype(int)
    assert years.between(1962, date.today().year + 1).all()
    quantity = table["quantity_t"].to_numpy(dtype=float)
    assert not np.isinf(quantity).any() and not (quantity < 0).any()


@pytest.fixture
def baci_rows(raw) -> list[list[str]]:
    return example_rows(raw("baci-example-zaf-afg").parent, 30)


@pytest.fixture
def comtrade_rows(raw) -> list[list[str]]:
    path = raw("comtrade-cmm-sample") / "cobalt_trade_data.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))[:30]


@SETTINGS
@given(ops=mutations(30, 6))
def test_baci_reader(baci_rows, ops):
    rows, cut, latin1 = _apply(baci_rows, ops)
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp) / "BACI_HS92_Y2021_V202301.csv", baci_csv_text(rows), cut,
                      latin1)
        _check(lambda p: baci.read(p), path)


COMTRADE_USED = ("refYear", "reporterCode", "flowCode", "partnerCode", "partner2Code",
                 "classificationCode", "cmdCode", "customsCode", "motCode", "netWgt",
                 "primaryValue")


@SETTINGS
@given(ops=st.data(), level=st.sampled_from(["hs4", "hs6"]))
def test_comtrade_csv_reader(comtrade_rows, ops, level):
    header, body = comtrade_rows[0], comtrade_rows[1:]
    used = tuple(header.index(c) for c in COMTRADE_USED)
    ops = ops.draw(mutations(len(body), len(header), used))
    rows, cut, latin1 = _apply(body, [op if op[0] != "cell" else
                                      (op[0], op[1], op[2] % len(header), op[3]) for op in ops])
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp) / "trade.csv", out.getvalue(), cut, latin1)
        _check(lambda p: comtrade.read_csv(p, product_level=level), path)


json_values = st.one_of(cells, st.none(), st.booleans(), st.integers(-10**20, 10**20),
                        st.floats(allow_nan=False, allow_infinity=False),
                        st.lists(st.integers(), max_size=2),
                        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@SETTINGS
@given(edits=st.lists(st.tuples(st.integers(0, 28), st.integers(0, 48), json_values),
                      min_size=1, max_size=4),
       whole=st.one_of(st.none(), st.tuples(st.integers(0, 28), json_values)))
def test_comtrade_json_reader(comtrade_rows, edits, whole):
    header = comtrade_rows[0]
    records: list = [dict(zip(header, row, strict=True)) for row in comtrade_rows[1:]]
    for row, col, value in edits:
        records[row % len(records)][header[col % len(header)]] = value
    if whole is not None:  # a record that is not an object at all
        records[whole[0] % len(records)] = whole[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answer.json"
        path.write_text(json.dumps({"data": records}), encoding="utf-8")
        _check(lambda p: comtrade.read_json(p, product_level="hs6"), path)


def test_unbroken_rows_read(baci_rows, comtrade_rows):
    """The fuzz starts from files the readers accept (checked with an independent count)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "BACI_HS92_Y2021_V202301.csv"
        path.write_text(baci_csv_text(baci_rows), newline="")
        assert len(baci.read(path)) == len(baci_rows)
        out = io.StringIO()
        csv.writer(out).writerows(comtrade_rows)
        ct = Path(tmp) / "trade.csv"
        ct.write_text(out.getvalue())
        six = [r for r in comtrade_rows[1:] if len(r[comtrade_rows[0].index("cmdCode")]) == 6]
        assert len(comtrade.read_csv(ct, product_level="hs6")) <= len(six)
        assert isinstance(comtrade.read_csv(ct, product_level="hs4"), pd.DataFrame)
