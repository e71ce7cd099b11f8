"""Cache: atomic writes, provenance sidecars, filtered reads, two writers at once."""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pandas as pd
import pyarrow as pa
import pytest

from conftest import _require
from esc import __version__, cache
from esc.config import cache_dir
from esc.errors import CacheWriteError, CorruptFileError, DataNotFoundError
from esc.schema import validate_flows
from esc.sources import baci

from _fixtures import tree


@pytest.fixture(scope="module")
def flows():
    """Genuine BACI rows (all exports of South Africa and Afghanistan, 2021)."""
    folder = _require("baci-example-zaf-afg")
    return baci.read(folder / "ExampleTradeData.csv.gz", hs_rev="HS92")


def _small(n: int, year: int = 2022) -> pd.DataFrame:
    return validate_flows(pd.DataFrame({
        "year": [year] * n, "exporter": ["CHN"] * n, "importer": ["IND"] * n,
        "hs6": [f"{850700 + i % 100:06d}" for i in range(n)], "hs_rev": ["HS22"] * n,
        "value_usd": [float(i) for i in range(n)], "quantity_t": [None] * n}))


def _prov(name: str = "t", **extra) -> dict:
    return cache.make_provenance(source="test", release="R1", name=name, url="http://x/y",
                                 input_sha256="ab" * 32, licence="test licence", extra=extra)


def test_entry_path_layout(tmp_path):
    path = cache.entry_path("baci", "V202501", "HS22_Y2022")
    assert path == cache.cache_dir() / "baci" / "V202501" / "HS22_Y2022.parquet"
    assert cache.sidecar_path(path).name == "HS22_Y2022.provenance.json"
    with pytest.raises(ValueError):
        cache.entry_path("baci", "../up", "x")


def test_write_and_sidecar(tmp_path, flows):
    source_file = tmp_path / "input.csv"
    source_file.write_bytes(b"year,value\n2021,1\n")
    prov = cache.make_provenance(source="baci", release="V202301", name="HS92_Y2021",
                                 input_path=source_file, licence="Etalab 2.0")
    path = cache.write_table(flows, "baci", "V202301", "HS92_Y2021", provenance=prov)
    side = json.loads(cache.sidecar_path(path).read_text())
    assert side["sha256"] == hashlib.sha256(source_file.read_bytes()).hexdigest()
    assert side["input_bytes"] == source_file.stat().st_size
    assert side["rows"] == len(flows) and side["columns"] == list(flows.columns)
    assert side["years"] == [2021] and side["product"] == "hs6"
    assert side["esc_version"] == __version__ and side["licence"] == "Etalab 2.0"
    assert side["path"] == str(source_file) and side["source"] == "baci"
    created = datetime.fromisoformat(side["created"])
    assert created.utcoffset().total_seconds() == 0
    assert side["data_bytes"] == path.stat().st_size
    pd.testing.assert_frame_equal(cache.read(path), flows)


@pytest.mark.parametrize("filters", [
    {"reporters": ["IND"]},
    {"reporters": ["IND", "JPN"], "products": ["710239", "260112", "999999"]},
    {"exporters": ["AFG"], "years": [2021]},
    {"years": [2020]},
    {"reporters": []},
])
def test_filtered_reads_equal_a_pandas_filter(flows, filters):
    path = cache.write_table(flows, "test", "R1", "flows", provenance=_prov())
    got = cache.read(path, **filters)
    mask = pd.Series(True, index=flows.index)
    for key, col in (("reporters", "importer"), ("exporters", "exporter"),
                     ("products", "hs6"), ("years", "year")):
        if key in filters:
            mask &= flows[col].isin(filters[key])
    expected = flows[mask].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)


def test_read_over_several_files_filters_by_year(flows):
    a = cache.write_table(flows, "test", "R1", "y2021", provenance=_prov())
    b = cache.write_table(_small(50, 2022), "test", "R1", "y2022", provenance=_prov())
    both = cache.read([a, b])
    assert len(both) == len(flows) + 50
    assert len(cache.read([a, b], years=[2022])) == 50


def test_crash_before_commit_keeps_previous_entry(monkeypatch):
    path = cache.write_table(_small(10), "test", "R1", "t", provenance=_prov())
    before = path.read_bytes(), cache.sidecar_path(path).read_bytes()

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(cache, "_commit", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        cache.write_table(_small(25), "test", "R1", "t", provenance=_prov())
    assert (path.read_bytes(), cache.sidecar_path(path).read_bytes()) == before
    assert len(cache.read(path)) == 10
    assert sorted(p.name for p in path.parent.iterdir()) == ["t.lock", "t.parquet",
                                                              "t.provenance.json"]


def test_crash_between_data_and_sidecar_is_detected(monkeypatch):
    path = cache.write_table(_small(10), "test", "R1", "t", provenance=_prov())

    real_replace = os.replace

    def crash(src, dst):  # the data file is replaced, the power goes before the sidecar
        if str(dst).endswith(cache.SIDECAR_SUFFIX):
            raise RuntimeError("power cut")
        real_replace(src, dst)

    monkeypatch.setattr(cache.os, "replace", crash)
    with pytest.raises(RuntimeError):
        cache.write_table(_small(25), "test", "R1", "t", provenance=_prov())
    with pytest.raises(CorruptFileError, match="re-import") as err:
        cache.read(path)
    assert str(path) in str(err.value)


def test_leftover_temp_files_are_not_entries():
    path = cache.write_table(_small(10), "test", "R1", "t", provenance=_prov())
    (path.parent / ".t.parquet.tmp-999-deadbeef").write_bytes(b"half a file")
    assert [e["name"] for e in cache.entries("test")] == ["t"]
    assert len(cache.read(path)) == 10


def test_missing_sidecar(tmp_path):
    path = cache.write_table(_small(3), "test", "R1", "t", provenance=_prov())
    cache.sidecar_path(path).unlink()
    with pytest.raises(CorruptFileError, match="sidecar"):
        cache.read(path)
    assert cache.entries("test") == []


def test_stage_by_year_discards_everything_on_error():
    schema = pa.Table.from_pandas(_small(1), preserve_index=False).schema

    def tables():
        yield pa.Table.from_pandas(_small(5, 2021), preserve_index=False)
        yield pa.Table.from_pandas(_small(5, 2022), preserve_index=False)
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        cache.stage_by_year(tables(), "test", "R1", lambda y: f"Y{y}", schema=schema)
    assert [p for p in (cache.cache_dir() / "test").rglob("*") if p.is_file()] == []


def _writer(n: int, rounds: int, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    for _ in range(rounds):
        cache.write_table(_small(n), "test", "R1", "shared", provenance=_prov("shared"))


def test_two_processes_writing_the_same_entry():
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(n, 15, start)) for n in (100, 250)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    path = cache.entry_path("test", "R1", "shared")
    prov = cache.verify(path)
    frame = cache.read(path)
    assert prov["rows"] == len(frame) and len(frame) in (100, 250)
    pd.testing.assert_frame_equal(frame, _small(len(frame)))
    assert [p.name for p in path.parent.iterdir() if ".tmp-" in p.name] == []


def test_locate_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("ESC_DATA_DIR", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="fetch it") as err:
        cache.locate(["atlas-pci-hs92/x.csv"], source="atlas", hint="fetch it")
    assert str(tmp_path / "atlas-pci-hs92" / "x.csv") in str(err.value)
    fetched = cache.files_dir("atlas")
    fetched.mkdir(parents=True)
    (fetched / "x.csv").write_text("a\n")
    assert cache.locate(["atlas-pci-hs92/x.csv"], source="atlas", hint="") == fetched / "x.csv"


def test_clear():
    cache.write_table(_small(3), "test", "R1", "a", provenance=_prov())
    cache.write_table(_small(3), "test", "R2", "b", provenance=_prov())
    assert cache.clear("test", "R1") == 1
    assert [e["release"] for e in cache.entries("test")] == ["R2"]


def _temps(root) -> list[str]:
    return sorted(p.name for p in root.rglob(".*") if ".tmp-" in p.name or ".incoming-" in p.name)


def test_killed_writer_leaves_nothing_for_good():
    """A process killed (SIGKILL) in the middle of a write leaves temporary files; the next
    write in that cache removes them, because their process id no longer runs."""
    script = textwrap.dedent("""
        import os, signal
        import pandas as pd
        from esc import cache
        staged = cache.stage("test", "R1", "killed")
        frame = pd.DataFrame({"year": [2022], "value_usd": [1.0]})
        import pyarrow as pa
        table = pa.Table.from_pandas(frame, preserve_index=False)
        staged.write(table, table.schema)
        staged.close()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ), timeout=120)
    assert done.returncode == -9  # really killed, no clean-up code ran
    root = cache_dir()
    assert len(_temps(root)) == 1  # the symptom: a temporary file nobody will ever remove
    cache.write_table(_small(3), "test", "R1", "other", provenance=_prov("other"))
    assert _temps(root) == []
    assert [e["name"] for e in cache.entries("test")] == ["other"]


def test_stale_temp_files_by_age_and_live_ones_kept():
    folder = cache_dir() / "test" / "R1"
    folder.mkdir(parents=True)
    live = os.getppid()  # a process that runs (pytest's parent)
    old = folder / f".t.parquet.tmp-{live}-0badc0de"
    fresh = folder / f".t.parquet.tmp-{live}-00c0ffee"
    for path in (old, fresh):
        path.write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    assert cache.clean_stale() == [old]
    assert fresh.exists()


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_while_writing_data_changes_nothing(monkeypatch):
    path = cache.write_table(_small(10), "test", "R1", "t", provenance=_prov())
    before = tree(cache_dir())
    monkeypatch.setattr(cache.pq.ParquetWriter, "write_table", _disk_full)
    with pytest.raises(CacheWriteError, match="disk is full") as err:
        cache.write_table(_small(25), "test", "R1", "t", provenance=_prov())
    assert str(path.parent) in str(err.value)
    assert tree(cache_dir()) == before
    assert len(cache.read(path)) == 10


def test_full_disk_while_writing_sidecar_changes_nothing(monkeypatch):
    path = cache.write_table(_small(10), "test", "R1", "t", provenance=_prov())
    before = tree(cache_dir())
    monkeypatch.setattr(cache, "_stage_json", _disk_full)
    with pytest.raises(CacheWriteError, match="disk is full"):
        cache.write_table(_small(25), "test", "R1", "t", provenance=_prov())
    assert tree(cache_dir()) == before
    assert len(cache.read(path)) == 10


def test_read_only_cache_folder(monkeypatch):
    path = cache.write_table(_small(10), "test", "R1", "t", provenance=_prov())
    before = tree(cache_dir())
    os.chmod(path.parent, 0o555)
    try:
        if os.geteuid() == 0:  # root ignores permission bits: give the error the kernel would
            def denied(*args, **kwargs):
                raise PermissionError(errno.EACCES, "Permission denied")

            monkeypatch.setattr(cache.pq, "ParquetWriter", denied)
        with pytest.raises(CacheWriteError, match="not writable"):
            cache.write_table(_small(25), "test", "R1", "t", provenance=_prov())
    finally:
        os.chmod(path.parent, 0o755)
    assert tree(cache_dir()) == before
