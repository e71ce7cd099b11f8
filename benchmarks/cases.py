"""The measured cases. Each runs alone in a child process (see :mod:`benchmarks.child`).

A case reads its inputs, times only the operation being compared, then writes what the parent
needs to check agreement (a small Parquet result or a few totals). Each returns a dict with at
least ``seconds``; the child adds peak memory.
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

Params = dict[str, Any]


def _timed(fn: Callable[[], Any]) -> tuple[dict[str, float], Any]:
    """Wall-clock and CPU seconds of ``fn()`` (CPU summed over threads), and its result."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}, out


def _folder_bytes(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # a spill file removed while we looked
                total += os.path.getsize(os.path.join(root, name))
    return total


class _SpillWatch:
    """Polls a folder's size in a thread, to report how much DuckDB spilled to disk."""

    def __init__(self, folder: Path, every: float = 0.1) -> None:
        self.folder, self.every, self.peak = folder, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _folder_bytes(self.folder))
            self._stop.wait(self.every)

    def __enter__(self) -> _SpillWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------- (a) ingest


def ingest_esc(p: Params) -> dict:
    """esc's import of one BACI year CSV into its Parquet cache (validated, ISO3, provenance)."""
    os.environ["ESC_CACHE_DIR"] = p["cache"]
    import duckdb

    from esc import data

    timing, folder = _timed(lambda: data.import_file(p["csv"]))
    files = sorted(str(f) for f in Path(folder).glob("*.parquet"))
    with duckdb.connect() as con:
        rows, total = con.execute(
            f"SELECT count(*), sum(value_usd) FROM read_parquet({files})").fetchone()
    return {**timing, "rows": int(rows), "value_usd": float(total)}


def ingest_pandas(p: Params) -> dict:
    """Plain ``pandas.read_csv`` of the same file (no conversion, no validation, no cache)."""
    timing, df = _timed(lambda: pd.read_csv(p["csv"]))
    return {**timing, "rows": len(df), "value_usd": float(df["v"].sum()) * 1000.0}


# --------------------------------------------------------------------------- (b) concentration

_READ = ["year", "importer", "hs6", "exporter", "value_usd"]


def concentration_esc(p: Params) -> dict:
    """esc.metrics.concentration straight from the year's Parquet cache file."""
    from esc import metrics

    timing, out = _timed(lambda: metrics.concentration(p["parquet"],
                                                        unique_flows=p["unique"]))
    out.to_parquet(p["out"], index=False)
    return {**timing, "rows_out": len(out)}


def concentration_pandas(p: Params) -> dict:
    """pandas: read the same Parquet file (needed columns only), then groupby."""
    from benchmarks.baselines import concentration_pandas as conc

    def run() -> pd.DataFrame:
        df = pd.read_parquet(p["parquet"], columns=_READ)
        return conc(df, unique_flows=p["unique"])

    timing, out = _timed(run)
    out.to_parquet(p["out"], index=False)
    return {**timing, "rows_out": len(out)}


def concentration_mem_esc(p: Params) -> dict:
    """esc on a DataFrame already in memory (reading not timed)."""
    from esc import metrics

    df = pd.read_parquet(p["parquet"], columns=_READ)
    timing, out = _timed(lambda: metrics.concentration(df, unique_flows=p["unique"]))
    out.to_parquet(p["out"], index=False)
    return {**timing, "rows_out": len(out)}


def concentration_mem_pandas(p: Params) -> dict:
    """pandas groupby on the same DataFrame (reading not timed)."""
    from benchmarks.baselines import concentration_pandas as conc

    df = pd.read_parquet(p["parquet"], columns=_READ)
    timing, out = _timed(lambda: conc(df, unique_flows=p["unique"]))
    out.to_parquet(p["out"], index=False)
    return {**timing, "rows_out": len(out)}


# --------------------------------------------------------------------------- (c) complexity

ROLES = {"time": "year", "loc": "country", "prod": "product", "val": "export_value"}


def complexity_esc(p: Params) -> dict:
    """esc.complexity.complexity (binary RCA >= 1 presence) on one year's exports table."""
    from esc.complexity import complexity

    exports = pd.read_parquet(p["exports"])
    timing, res = _timed(lambda: complexity(exports, roles=ROLES))
    res.pci.to_parquet(p["out_pci"], index=False)
    res.eci.to_parquet(p["out_eci"], index=False)
    return {**timing, "countries": len(res.eci), "products": len(res.pci)}


def complexity_ecomplexity(p: Params) -> dict:
    """The Growth Lab's ``ecomplexity`` on the same table (its default RCA presence test).

    It also computes proximity, density, COI and COG, which esc's function does not; the
    log-supermodularity diagnostic is switched off.
    """
    import io
    import warnings

    from ecomplexity import ecomplexity

    exports = pd.read_parquet(p["exports"])
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        timing, out = _timed(lambda: ecomplexity(exports, ROLES, verbose=False,
                                                  check_logsupermodularity=False))
    pci = out.groupby(["year", "product"], as_index=False)["pci"].first()
    eci = out.groupby(["year", "country"], as_index=False)["eci"].first()
    pci.to_parquet(p["out_pci"], index=False)
    eci.to_parquet(p["out_eci"], index=False)
    return {**timing, "countries": len(eci), "products": len(pci)}


def relatedness_esc(p: Params) -> dict:
    """esc.relatedness.relatedness (proximity, density, COI, COG, with ECI/PCI) on one year."""
    from esc.relatedness import relatedness

    exports = pd.read_parquet(p["exports"])
    timing, res = _timed(lambda: relatedness(exports, roles=ROLES))
    res.density.to_parquet(p["out_density"], index=False)
    res.coi.to_parquet(p["out_coi"], index=False)
    return {**timing, "countries": len(res.coi), "products": len(res.pci)}


def relatedness_ecomplexity(p: Params) -> dict:
    """``ecomplexity`` on the same table, its density, COI and COG kept for comparison."""
    import io
    import warnings

    from ecomplexity import ecomplexity

    exports = pd.read_parquet(p["exports"])
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        timing, out = _timed(lambda: ecomplexity(exports, ROLES, verbose=False,
                                                  check_logsupermodularity=False))
    keys = ["year", "country", "product"]
    out[[*keys, "mcp", "density", "cog"]].to_parquet(p["out_density"], index=False)
    coi = out.groupby(["year", "country"], as_index=False)[["coi", "eci"]].first()
    coi.to_parquet(p["out_coi"], index=False)
    return {**timing, "countries": len(coi), "products": int(out["product"].nunique())}


# --------------------------------------------------------------------------- (d) filtered read


def filtered_esc(p: Params) -> dict:
    """esc.data.load_flows from the multi-year cache, filters pushed into the Parquet scan."""
    os.environ["ESC_CACHE_DIR"] = p["cache"]
    from esc import data

    timing, df = _timed(lambda: data.load_flows("baci", years=p["years"],
                                                 reporters=[p["importer"]], hs6=p["hs6"]))
    df.to_parquet(p["out"], index=False)
    return {**timing, "rows_out": len(df)}


def filtered_pandas(p: Params) -> dict:
    """pandas: load every year file whole, then filter."""
    from benchmarks.baselines import filtered_pandas as read

    timing, df = _timed(lambda: read(p["files"], importer=p["importer"], years=p["years"],
                                      hs6=p["hs6"]))
    df.to_parquet(p["out"], index=False)
    return {**timing, "rows_out": len(df)}


# --------------------------------------------------------------------------- out of core


def out_of_core_esc(p: Params) -> dict:
    """The concentration pass over every year under a DuckDB memory cap, result to Parquet."""
    from esc import metrics

    spill = Path(p["spill"])
    spill.mkdir(parents=True, exist_ok=True)
    with _SpillWatch(spill) as watch:
        timing, _ = _timed(lambda: metrics.concentration_out_of_core(
            p["files"], memory_limit=p["memory_limit"], temp_directory=spill,
            out=p["out"], unique_flows=p["unique"]))
    rows = len(pd.read_parquet(p["out"], columns=["hhi"]))
    return {**timing, "rows_out": rows, "memory_limit": p["memory_limit"],
            "spilled_mb": watch.peak / 1e6}


# --------------------------------------------------------------------------- the full screen

_SCREEN_OUT = ["year", "importer", "hs6", "hhi", "pci", "pci_source", "category", "flag",
               "imports_usd", "top1_partner", "top1_share", "top3_share", "share_chn",
               "export_hhi", "import_export_ratio", "sector"]


def screen_esc(p: Params) -> dict:
    """esc.screen.screen of every importer and product (``reporters=None``) over the cached
    BACI-shaped years: concentration with partner groups, world-export HHI, M/X, PCI from the
    complete export matrix, labels and the four presets. SQL over the Parquet cache; the
    results memo is off, so that the screen is computed, not read back."""
    os.environ["ESC_CACHE_DIR"] = p["cache"]
    os.environ["ESC_MEMO"] = "0"
    from esc import study

    timing, out = _timed(lambda: study.screen(source="baci", reporters=None, year=p["year"],
                                              years_back=p["years_back"],
                                              preset=p["preset"]))
    out[_SCREEN_OUT].to_parquet(p["out"], index=False)
    return {**timing, "rows_out": len(out), "years": sorted(int(y) for y in out.year.unique())}


def screen_pandas(p: Params) -> dict:
    """The same screen with pandas groupbys over the same Parquet files (benchmarks.baselines)."""
    from benchmarks.baselines import screen_pandas as run

    timing, out = _timed(lambda: run(p["files"], p["years"], p["preset"]))
    out["pci_source"] = "computed"
    out[_SCREEN_OUT].to_parquet(p["out"], index=False)
    return {**timing, "rows_out": len(out), "years": sorted(int(y) for y in out.year.unique())}


# --------------------------------------------------------------------------- the report


def _report(p: Params) -> dict:
    """``esc report`` as a user runs it: a fresh process of the command line, demo world."""
    import subprocess
    import sys

    env = dict(os.environ, ESC_CACHE_DIR=p["cache"])
    script = Path(sys.executable).with_name("esc")
    command = [str(script)] if script.is_file() else [
        sys.executable, "-c", "import sys; from esc.cli import main; sys.exit(main())"]
    args = [*command, "report", "--out", p["out"], "--no-progress", *p["args"]]
    timing, proc = _timed(lambda: subprocess.run(args, env=env, capture_output=True,
                                                 text=True))
    if proc.returncode != 0:
        raise RuntimeError(f"esc report {' '.join(p['args'])} failed ({proc.returncode}): "
                           f"{proc.stderr[-2000:]}")
    notebooks = sorted(str(f.name) for f in Path(p["out"]).rglob("*.ipynb"))
    # the work is in this process's children: their CPU time is what the report cost
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {**timing, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "rows_out": len(notebooks), "args": p["args"], "pages": notebooks}


def report_first(p: Params) -> dict:
    """The first ``esc report`` on a fresh cache: demo world generation included."""
    import shutil

    shutil.rmtree(p["cache"], ignore_errors=True)
    shutil.rmtree(p["out"], ignore_errors=True)
    return _report(p)


def report_rerun(p: Params) -> dict:
    """``esc report`` again with other parameters, on the cache the first run left."""
    return _report(p)


CASES: dict[str, Callable[[Params], dict]] = {
    f.__name__: f for f in (
        ingest_esc, ingest_pandas, concentration_esc, concentration_pandas,
        concentration_mem_esc, concentration_mem_pandas, complexity_esc,
        complexity_ecomplexity, filtered_esc, filtered_pandas, out_of_core_esc,
        relatedness_esc, relatedness_ecomplexity, screen_esc, screen_pandas, report_first,
        report_rerun,
    )
}

NOT_QUICK = frozenset({"report_first", "report_rerun"})
"""Cases that ``--quick`` leaves out: the report runs notebooks for minutes at any size."""


# --------------------------------------------------------------------------- preparation


def import_release(p: Params) -> dict:
    """Not compared: esc's import of the whole generated release zip, to build the cache."""
    os.environ["ESC_CACHE_DIR"] = p["cache"]
    from esc import data

    timing, folder = _timed(lambda: data.import_file(p["zip"]))
    return {**timing, "folder": str(folder)}


CASES["import_release"] = import_release
