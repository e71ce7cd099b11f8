"""Render a benchmark JSON as the Markdown tables of ``docs/performance.md``.

``python -m benchmarks.markdown results.json`` prints the tables, so the numbers in the
documentation are copied from a measured run and never typed by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _mb(x: float) -> str:
    return f"{x:,.0f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def comparisons(report: dict[str, Any]) -> str:
    rows = ["| case | baseline | esc s | baseline s | ratio | esc CPU s | baseline CPU s | "
            "esc peak MB | baseline peak MB | load | agree |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for c in report["comparisons"]:
        rows.append(
            f"| {c['name']} | {c['baseline']} | {c['esc_seconds']:.2f} | "
            f"{c['baseline_seconds']:.2f} | **{c['ratio']:.1f}x** | {c['esc_cpu_seconds']:.2f} | "
            f"{c['baseline_cpu_seconds']:.2f} | {_mb(c['esc_peak_rss_mb'])} | "
            f"{_mb(c['baseline_peak_rss_mb'])} | {c['load_avg']:.1f} | "
            f"{'yes' if c['agree'] else 'NO'} |")
    return "\n".join(rows)


def checks(report: dict[str, Any]) -> str:
    rows = ["| case | agreement check | note |", "|---|---|---|"]
    for c in report["comparisons"]:
        rows.append(f"| {c['name']} | {_cell(c['check'])} | {_cell(c['note'])} |")
    return "\n".join(rows)


def scaling(report: dict[str, Any]) -> str:
    with_groups = all("groups" in p for p in report["scaling"])
    head = "| rows |" + (" (year, importer, product) groups |" if with_groups else "")
    rows = [head + " esc s | esc CPU s | pandas s | pandas CPU s | ratio | esc peak MB | "
            "pandas peak MB |", "|---:|" + ("---:|" if with_groups else "") + "---:|" * 7]
    for p in report["scaling"]:
        groups = f" {p['groups']:,} |" if with_groups else ""
        rows.append(f"| {p['rows']:,} |{groups} {p['esc_seconds']:.2f} | "
                    f"{p['esc_cpu_seconds']:.2f} | {p['pandas_seconds']:.2f} | "
                    f"{p['pandas_cpu_seconds']:.2f} | {p['ratio']:.1f}x | "
                    f"{_mb(p['esc_peak_rss_mb'])} | {_mb(p['pandas_peak_rss_mb'])} |")
    return "\n".join(rows)


def targets(report: dict[str, Any]) -> str:
    rows = ["| target | measured | status |", "|---|---:|---|"]
    for t in report["targets"]:
        rows.append(f"| {t['target']} | {t['value']:,.2f} {t['unit']} | **{t['status']}** |")
    return "\n".join(rows)


def machine(report: dict[str, Any]) -> str:
    m = report["machine"]
    return (f"{m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, {m['platform']}; "
            f"Python {m['python']}, DuckDB {m['duckdb']}, pandas {m['pandas']}, "
            f"numpy {m['numpy']}, pyarrow {m['pyarrow']}, ecomplexity {m['ecomplexity']}")


def render(report: dict[str, Any]) -> str:
    return "\n\n".join([machine(report), comparisons(report), checks(report),
                        scaling(report), targets(report)])


if __name__ == "__main__":
    print(render(json.loads(Path(sys.argv[1]).read_text())))
