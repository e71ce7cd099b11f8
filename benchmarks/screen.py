"""The full screen at BACI scale: esc against a straightforward pandas implementation.

    python -m benchmarks.screen [--rows 11000000] [--years 1]

Generates (or reuses) a BACI-shaped world with :mod:`benchmarks.generate`, imports it into a
throwaway esc cache, then screens *every importer and product* of the last year: import
concentration, world-export HHI, every importer's imports/exports ratio, PCI computed from the
year's complete export matrix, and the four presets. esc runs SQL over the Parquet cache
(:func:`esc.screen.screen`); the baseline reads the same Parquet file with pandas and does the
same with groupby. Both run in this process one after the other (esc first); the results are
compared (HHI and category per row) and timings printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def pandas_screen(parquet: list[str], year: int) -> pd.DataFrame:
    """The screen in plain pandas: groupby for shares, HHI, top suppliers, world-export HHI
    and M/X; esc's own complexity function for PCI (the same for both sides); quadrant."""
    from esc import analysis, complexity, vulnerability

    df = pd.concat([pd.read_parquet(p, columns=["year", "exporter", "importer", "hs6",
                                                "value_usd"]) for p in parquet])
    df = df[(df["year"] == year) & (df["value_usd"] > 0) & (df["exporter"] != df["importer"])]
    g = df.groupby(["importer", "hs6"])["value_usd"]
    total = g.transform("sum")
    share = df["value_usd"] / total
    df = df.assign(share=share, sq=share * share)
    conc = df.groupby(["importer", "hs6"]).agg(imports_usd=("value_usd", "sum"),
                                               n_partners=("value_usd", "size"),
                                               hhi=("sq", "sum"), top1_share=("share", "max"))
    conc = conc.reset_index()
    x = df.groupby(["exporter", "hs6"])["value_usd"].sum()
    world_sq = (x / x.groupby(level="hs6").transform("sum")) ** 2
    export_hhi = world_sq.groupby(level="hs6").sum().rename("export_hhi").reset_index()
    xs = x.rename("x").reset_index().rename(columns={"exporter": "importer"})
    conc = conc.merge(export_hhi, on="hs6", how="left").merge(xs, on=["importer", "hs6"],
                                                            how="left")
    conc["import_export_ratio"] = np.where(conc["x"] > 0, conc["imports_usd"] / conc["x"],
                                           np.inf)
    exports = x.rename("export_value").reset_index().rename(
        columns={"exporter": "country", "hs6": "product"}).assign(year=year)
    kept, _ = analysis.filter_product_space(exports)
    pci = complexity.complexity(kept).pci.rename(columns={"product": "hs6"})[["hs6", "pci"]]
    conc = conc.merge(pci, on="hs6", how="left")
    conc["year"] = year
    for name in ("study", "ec2021", "crma"):
        conc[f"flag_{name}"] = vulnerability.classify(conc, preset=name)["flag"].to_numpy()
    return vulnerability.classify(conc, preset="study")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=11_000_000)
    ap.add_argument("--years", type=int, default=1)
    args = ap.parse_args(argv)
    from benchmarks.generate import Size, generate

    size = Size(rows_per_year=args.rows, years=args.years)
    world = generate(size)
    cache = Path(tempfile.mkdtemp(prefix="esc-screen-bench-"))
    os.environ["ESC_CACHE_DIR"] = str(cache)
    from esc import data, study

    data.import_file(world.zip_path)
    files = sorted(str(p) for p in cache.rglob("*.parquet"))
    year = size.year_list[-1]
    reporters = sorted(pd.read_parquet(files[-1], columns=["importer"])["importer"].unique())
    start = time.perf_counter()
    mine = study.screen(source="baci", reporters=None, year=year)
    esc_s = time.perf_counter() - start
    esc_mb = _peak_mb()
    mine = mine[mine["year"] == year]
    start = time.perf_counter()
    base = pandas_screen(files[-1:], year)
    pandas_s = time.perf_counter() - start
    both = mine.merge(base, on=["importer", "hs6"], suffixes=("", "_pd"))
    hhi_diff = float((both["hhi"] - both["hhi_pd"]).abs().max())
    edge = ((both["hhi"] - 0.25).abs() < 1e-9) | (both["pci"].abs() < 1e-9)
    cat_diff = int(((both["category"] != both["category_pd"]) & ~edge).sum())
    agree = len(both) == len(mine) == len(base) and hhi_diff < 1e-9 and cat_diff == 0
    print(f"rows esc {len(mine):,}, pandas {len(base):,}, matched {len(both):,}; max |HHI "
          f"diff| {hhi_diff:.1e}; categories differing away from a cut point {cat_diff}, "
          f"at a cut point (1e-9) {int(((both['category'] != both['category_pd']) & edge).sum())}")
    print("| case | rows | esc s | pandas s | ratio | esc peak MB (process) | agree |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(f"| screen of every importer and product, one year ({len(reporters)} importers, "
          f"{len(mine):,} rows out) | {args.rows:,} | {esc_s:.2f} | {pandas_s:.2f} | "
          f"{pandas_s / esc_s:.1f}x | {esc_mb:,.0f} | {'yes' if agree else 'NO'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
