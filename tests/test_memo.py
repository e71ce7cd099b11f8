"""The results memo (esc.memo) behind study.screen: a hit returns the same table, with its
label, as computing it again; a change of data, parameter, data folder or code misses."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from esc import data, memo, study
from esc import screen as screening
from esc.schema import DEMO_LABEL


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Each call of esc.screen.screen made through study.screen, recorded."""
    calls: list[dict] = []
    original = screening.screen

    def wrapper(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(study.screening, "screen", wrapper)
    return calls


def _direct(monkeypatch: pytest.MonkeyPatch, **kwargs) -> pd.DataFrame:
    """The screen computed with the memo switched off (the reference)."""
    monkeypatch.setenv("ESC_MEMO", "0")
    try:
        return study.screen(**kwargs)
    finally:
        monkeypatch.delenv("ESC_MEMO")


def _entries() -> list[Path]:
    from esc.config import cache_dir

    return sorted((cache_dir() / "memo" / "screen").glob("*.parquet"))


def test_second_call_is_served_from_the_memo_unchanged(counted, monkeypatch):
    args = {"source": "demo", "reporters": ["IND"], "year": 2023, "preset": "geodep"}
    first = study.screen(**args)
    assert len(counted) == 1 and len(_entries()) == 1
    second = study.screen(**args)
    assert len(counted) == 1, "the second call computed the screen again"
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs == first.attrs
    assert second.attrs["label"] == DEMO_LABEL
    reference = _direct(monkeypatch, **args)
    assert len(counted) == 2
    pd.testing.assert_frame_equal(second, reference)
    assert second.attrs == reference.attrs


def test_sector_rows_come_from_the_shared_screen_as_computed_directly(counted, monkeypatch):
    args = {"source": "demo", "reporters": ["IND", "JPN"], "year": 2023, "preset": "study"}
    whole = study.screen(**args)
    batteries = study.screen(**args, sector="Batteries")
    minerals = study.screen(**args, sector=["Energy and critical minerals"])
    assert len(counted) == 1, "a sector's screen was computed instead of filtered"
    for sector, got in (("Batteries", batteries), (["Energy and critical minerals"], minerals)):
        reference = _direct(monkeypatch, **args, sector=sector)
        assert 0 < len(got) < len(whole)
        pd.testing.assert_frame_equal(got, reference)
        assert got.attrs == reference.attrs


def test_years_back_below_two_shares_the_entry_and_keeps_its_own_attrs(counted, monkeypatch):
    args = {"source": "demo", "reporters": ["JPN"], "year": 2022, "preset": "study"}
    two = study.screen(**args, years_back=2)
    zero = study.screen(**args)
    assert len(counted) == 1
    assert (two.attrs["years_requested"], zero.attrs["years_requested"]) == (3, 1)
    reference = _direct(monkeypatch, **args)
    pd.testing.assert_frame_equal(zero, reference)
    assert zero.attrs == reference.attrs


def test_a_changed_parameter_or_data_file_misses(counted):
    args = {"source": "demo", "reporters": ["IND"], "year": 2023, "preset": "study"}
    study.screen(**args)
    study.screen(**{**args, "year": 2022})
    study.screen(**{**args, "preset": "crma"})
    study.screen(**args, merge_hk=True)
    assert len(counted) == 4
    study.screen(**args)
    assert len(counted) == 4
    (path,) = data.scan("demo").paths  # the data file replaced (same bytes, new time)
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    study.screen(**args)
    assert len(counted) == 5, "a screen of replaced data was served from the memo"


def test_environment_follows_the_data_folder_and_groups_file(tmp_path, monkeypatch):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "atlas.csv").write_text("hs4,pci\n2825,-1.1\n")
    monkeypatch.setenv("ESC_DATA_DIR", str(folder))
    before = memo.environment()
    assert memo.environment() == before
    (folder / "atlas.csv").write_text("hs4,pci\n2825,-1.2\n")
    os.utime(folder / "atlas.csv", ns=(1, 2))
    changed = memo.environment()
    assert changed != before
    groups = tmp_path / "groups.csv"
    groups.write_text("group,iso3\nquad,IND\n")
    monkeypatch.setenv("ESC_GROUPS_FILE", str(groups))
    with_groups = memo.environment()
    groups.write_text("group,iso3\nquad,JPN\n")
    assert memo.environment() not in (changed, with_groups)


def test_a_key_names_every_parameter_and_refuses_objects():
    state = {"provenance": {"sha256": "ab"}, "files": []}
    base = memo.memo_key("screen", {"year": 2023, "groups": None}, state)
    assert base == memo.memo_key("screen", {"groups": None, "year": 2023}, state)
    assert base != memo.memo_key("screen", {"year": 2022, "groups": None}, state)
    assert base != memo.memo_key("screen", {"year": 2023, "groups": None},
                                 {**state, "provenance": {"sha256": "cd"}})
    with pytest.raises(memo.NotPlain):
        memo.memo_key("screen", {"pci": pd.DataFrame()}, state)


def test_memo_off_and_unplain_parameters_compute_each_time(counted, monkeypatch):
    args = {"source": "demo", "reporters": ["IND"], "year": 2023, "preset": "study"}
    monkeypatch.setenv("ESC_MEMO", "off")
    study.screen(**args)
    study.screen(**args)
    assert len(counted) == 2 and not _entries()


def test_prune_removes_the_entries_used_longest_ago(tmp_path, monkeypatch):
    from esc.config import cache_dir

    folder = cache_dir() / "memo" / "screen"
    folder.mkdir(parents=True)
    sizes = {"old": 3000, "mid": 2000, "new": 1000}
    for age, (name, size) in enumerate(sizes.items()):
        path = folder / f"{name}.parquet"
        path.write_bytes(b"x" * size)
        os.utime(path, ns=(10**18 + age, 10**18 + age))  # old < mid < new
    monkeypatch.setenv("ESC_MEMO_MB", str(3500 / 1024 / 1024))
    assert memo.limit_bytes() == 3500
    removed = memo.prune()
    assert [p.stem for p in removed] == ["old"]  # 6000 -> 3000 bytes, within 3500
    assert sorted(p.stem for p in folder.glob("*.parquet")) == ["mid", "new"]
    assert memo.prune(limit=0) and not list(folder.glob("*.parquet"))
