"""Reports: execute esc's notebooks with papermill into one dated run folder.

A run is what an analyst hands on: every notebook executed with the same parameters, its
HTML, every chart as PNG and SVG, a ``manifest.json`` that says exactly what was run on which
data with which software, and an ``index.html`` front page. ``esc report`` (the CLI) is a
thin wrapper over :func:`run_report`.

Three parts:

- :mod:`esc.report.runner`: the jobs, executing notebooks with papermill, reuse of an
  identical earlier run, the lock, and marking interrupted runs (:func:`run_report`);
- :mod:`esc.report.manifest`: building, reading and writing ``manifest.json``, the inputs'
  fingerprint and the run key, package versions and "what changed since";
- :mod:`esc.report.index`: the HTML front page ``index.html``.

Every name below is importable from ``esc.report`` as before the split.
"""

from __future__ import annotations

from esc.errors import UnknownReleaseError
from esc.report.index import INDEX, index_html, write_index
from esc.report.manifest import (
    MANIFEST,
    VERSION_PACKAGES,
    build_manifest,
    data_provenance,
    inputs_fingerprint,
    notebook_key,
    package_versions,
    read_manifest,
    run_key,
    write_manifest,
)
from esc.report.runner import (
    DEFAULT_ORDER,
    INDEX_NAME,
    KERNEL,
    LOCK_NAME,
    NEEDS_DATA,
    SECTOR_TEMPLATE,
    NotebookRun,
    RunResult,
    check_parameters,
    mark_interrupted,
    order_charts,
    run_report,
    slugify,
    strip_local_paths,
    without_data,
    workers,
)

__all__ = [
    "DEFAULT_ORDER",
    "INDEX",
    "INDEX_NAME",
    "KERNEL",
    "LOCK_NAME",
    "MANIFEST",
    "NEEDS_DATA",
    "SECTOR_TEMPLATE",
    "VERSION_PACKAGES",
    "NotebookRun",
    "RunResult",
    "UnknownReleaseError",
    "build_manifest",
    "check_parameters",
    "data_provenance",
    "index_html",
    "inputs_fingerprint",
    "mark_interrupted",
    "notebook_key",
    "order_charts",
    "package_versions",
    "read_manifest",
    "run_key",
    "run_report",
    "slugify",
    "strip_local_paths",
    "without_data",
    "workers",
    "write_index",
    "write_manifest",
]
