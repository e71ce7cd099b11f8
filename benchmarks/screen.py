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


def pandas_screen(parquet: list[str], year: int, preset: str = "study",
                  hs_rev: str = "HS17") -> pd.DataFrame:
    """The same screen as :func:`esc.screen.screen` of every importer, in plain pandas.

    The same outputs, computed the straightforward way: the year's flows read with pandas
    (needed columns only); concentration with top-1 partner, top-3 share, China's and the
    partner groups' shares by :func:`benchmarks.baselines.concentration_pandas` (one sort of
    the flows, one groupby); world-export HHI and M/X by groupby sums and merges; PCI from
    the same export matrix with esc's own product-space filter and complexity function (the
    same code on both sides); labels (HS names, HS section, the sector registry) merged in;
    the four presets by esc's ``classify`` on the whole table; rows ordered as esc's.
    ``hs_rev``: the flows' HS revision (the generated world is HS2017), for the registry.
    """
    from benchmarks.baselines import concentration_pandas
    from esc import analysis, complexity, vulnerability
    from esc.countries import partner_groups
    from esc.screen import PRESET_NAMES, section_of
    from esc.sources import demo

    df = pd.concat([pd.read_parquet(p, columns=["year", "exporter", "importer", "hs6",
                                                "value_usd"]) for p in parquet])
    df = df[(df["year"] == year) & (df["value_usd"] > 0) & np.isfinite(df["value_usd"])
            & (df["exporter"] != df["importer"])]
    conc = concentration_pandas(df, unique_flows=True, groups=partner_groups())
    conc = conc.drop(columns="year")
    x = df.groupby(["exporter", "hs6"])["value_usd"].sum()
    world_sq = (x / x.groupby(level="hs6").transform("sum")) ** 2
    export_hhi = world_sq.groupby(level="hs6").sum().rename("export_hhi").reset_index()
    xs = x.rename("x").reset_index().rename(columns={"exporter": "importer"})
    conc = conc.merge(export_hhi, on="hs6", how="left").merge(xs, on=["importer", "hs6"],
                                                            how="left")
    conc["import_export_ratio"] = np.where(conc["x"] > 0, conc["imports_usd"] / conc["x"],
                                           np.inf)
    conc = conc.drop(columns="x")
    exports = x.rename("export_value").reset_index().rename(
        columns={"exporter": "country", "hs6": "product"}).assign(year=year)
    kept, _ = analysis.filter_product_space(exports)
    pci = complexity.complexity(kept).pci.rename(columns={"product": "hs6"})[["hs6", "pci"]]
    conc = conc.merge(pci, on="hs6", how="left")
    conc = conc.merge(demo.hs_codes()[["hs6", "description"]], on="hs6", how="left")
    conc["hs2"] = conc["hs6"].str[:2]
    conc["section"] = conc["hs2"].map(section_of)
    conc = conc.merge(analysis.registry_products("hs6", hs_rev, None), on="hs6", how="left")
    conc["short_name"] = conc["short_name"].fillna(conc["description"])
    conc[["sector", "product"]] = conc[["sector", "product"]].fillna("")
    conc["in_registry"] = conc["sector"] != ""
    conc.insert(0, "year", year)
    for name in PRESET_NAMES:
        conc[f"flag_{name}"] = vulnerability.classify(conc, preset=name)["flag"].to_numpy()
    out = vulnerability.classify(conc, preset=preset)
    return out.sort_values(["year", "importer", "imports_usd", "hs6"],
                           ascending=[True, True, False, True]).reset_index(drop=True)


def same_screen(mine: pd.DataFrame, base: pd.DataFrame, tol: float = 1e-9
                ) -> tuple[bool, str]:
    """Compare two screens row by row on every column both have: numbers to ``tol``
    (infinite M/X equal), text and flags equal, categories and flags allowed to differ only
    where HHI or PCI sits on a cut point (within ``tol``)."""
    keys = ["year", "importer", "hs6"]
    both = mine.merge(base, on=keys, suffixes=("", "_pd"))
    edge = ((both["hhi"] - 0.25).abs() < tol) | (both["pci"].abs() < tol)
    worst: dict[str, float] = {}
    for col in [c for c in mine.columns if c in base.columns and c not in keys]:
        a, b = both[col], both[f"{col}_pd"]
        if pd.api.types.is_float_dtype(a) and pd.api.types.is_float_dtype(b):
            x, y = a.to_numpy(float), b.to_numpy(float)
            with np.errstate(invalid="ignore"):  # inf - inf: equal, caught by x == y
                near = np.abs(x - y) <= tol * np.maximum(1.0, np.abs(y))
            same = near | (x == y) | (np.isnan(x) & np.isnan(y))
        else:
            same = ((a == b) | (a.isna() & b.isna())).to_numpy(dtype=bool)
        if col in ("category", "flag") or col.startswith("flag_"):
            same = same | edge.to_numpy()
        worst[col] = int((~same).sum())
    bad = {c: n for c, n in worst.items() if n}
    ok = len(both) == len(mine) == len(base) and not bad
    return ok, (f"rows esc {len(mine):,}, pandas {len(base):,}, matched {len(both):,}; "
                f"{len(worst)} columns compared, differing: {bad or 'none'}")


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
    os.environ["ESC_MEMO"] = "0"  # time the computation, not a stored result
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
    agree, text = same_screen(mine, base)
    print(text)
    print("| case | rows | esc s | pandas s | ratio | esc peak MB (process) | agree |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(f"| screen of every importer and product, one year ({len(reporters)} importers, "
          f"{len(mine):,} rows out) | {args.rows:,} | {esc_s:.2f} | {pandas_s:.2f} | "
          f"{pandas_s / esc_s:.1f}x | {esc_mb:,.0f} | {'yes' if agree else 'NO'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
