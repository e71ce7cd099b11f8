"""``python -m benchmarks [--quick] [--json out.json] [--rows N] [--years K] [--only NAME]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from benchmarks.generate import DATA_ROOT
from benchmarks.run import GROUPS, NOT_QUICK_GROUPS, Settings, format_report, run, write_json


def parse(argv: list[str]) -> Settings:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes: runs in seconds")
    ap.add_argument("--json", type=Path, help="write every measurement to this JSON file")
    ap.add_argument("--rows", type=int, help="rows per year (default 11,000,000; quick 20,000)")
    ap.add_argument("--years", type=int, help="years of data (default 5)")
    ap.add_argument("--only", action="append", choices=GROUPS,
                    help="run only this group (repeatable); default: all")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest counts")
    ap.add_argument("--memory-limit", help="DuckDB cap for the out-of-core case "
                    "(default 1GB; quick 64MB)")
    ap.add_argument("--data-dir", type=Path, default=DATA_ROOT,
                    help="where generated data are cached (default benchmarks/_data)")
    ap.add_argument("-v", "--verbose", action="store_true", help="log each case as it runs")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(message)s")
    default = [g for g in GROUPS if not (args.quick and g in NOT_QUICK_GROUPS)]
    return Settings(quick=args.quick, rows=args.rows, years=args.years,
                    only=tuple(args.only or default), json_out=args.json,
                    data_root=args.data_dir, repeat=max(args.repeat, 1),
                    memory_limit=args.memory_limit)


def main(argv: list[str] | None = None) -> int:
    settings = parse(sys.argv[1:] if argv is None else argv)
    report = run(settings)
    print(format_report(report))
    if settings.json_out:
        write_json(report, settings.json_out)
    bad = [c["name"] for c in report.comparisons if not c["agree"]]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
