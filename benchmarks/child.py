"""Run one benchmark case in this process and record its time and peak memory.

``python -m benchmarks.child CASE PARAMS.json RESULT.json``. The peak resident set size is the
process's own high-water mark (the interpreter and its imports included), read after the case;
``rss_before_mb`` is the resident size just before it started, for context.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import traceback


def _status_mb(field: str) -> float | None:
    """A ``/proc/self/status`` memory field in MB (Linux), or None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _peak_mb() -> float:
    """Peak resident set size of this process.

    Linux: ``VmHWM``, the high-water mark of this program's own memory map. ``ru_maxrss`` is
    not used there because exec keeps the parent's resident size as a floor for it.
    """
    hwm = _status_mb("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def main(argv: list[str]) -> int:
    name, params_path, result_path = argv
    from benchmarks.cases import CASES

    with open(params_path) as fh:
        params = json.load(fh)
    record: dict = {"case": name, "rss_before_mb": _status_mb("VmRSS"),
                    "load_before": os.getloadavg()[0]}
    cpu = time.process_time()
    try:
        record.update(CASES[name](params))
        record["ok"] = True
    except Exception as exc:  # reported to the parent, which decides what a failure means
        record.update(ok=False, error=f"{type(exc).__name__}: {exc}",
                      traceback=traceback.format_exc())
    record["cpu_seconds_total"] = time.process_time() - cpu
    record["peak_rss_mb"] = _peak_mb()
    record["load_after"] = os.getloadavg()[0]
    with open(result_path, "w") as fh:
        json.dump(record, fh, indent=2)
    return 0 if record["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
