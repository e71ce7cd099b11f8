"""The manifest of a report run: what was run, on which data, with which software.

``manifest.json`` sits in every run folder. It records the parameters, the data label
(:mod:`esc.label`, decided once when the run starts), the data provenance, the versions of
Python and of the packages a run depends on, each notebook's status, time and outputs, the
charts and tables written, the briefing files and, for a re-run, "what changed since" the
previous run of the same parameters.

The *run key* that decides reuse (:mod:`esc.report.runner`) is a SHA-256 over the parameters,
the data provenance hashes, esc's version and :func:`inputs_fingerprint`. Manifests are
written to a temporary file and moved into place (:func:`write_manifest`), so a reader never
sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import esc
from esc import briefing, cache, data
from esc.atomic import write_atomic
from esc.cache import sha256_file
from esc.config import data_dir, package_data_dir

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
VERSION_PACKAGES = ("esc", "pandas", "duckdb", "altair", "papermill", "nbconvert",
                    "vl-convert-python", "pyarrow", "numpy")


# ------------------------------------------------------------------------------- helpers


def utc_now() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


def iso(ts: datetime) -> str:
    """``2026-12-02T01:40:07Z``: how manifests write a time.

    >>> iso(datetime(2026, 12, 2, 1, 40, 7, tzinfo=UTC))
    '2026-12-02T01:40:07Z'
    """
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256_json(obj: Any) -> str:
    """SHA-256 (hex) of ``obj`` as canonical JSON (sorted keys, no spaces).

    >>> sha256_json({"b": 1, "a": 2}) == sha256_json({"a": 2, "b": 1})
    True
    """
    canonical = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON atomically (temporary file, then rename)."""
    write_atomic(path, json.dumps(obj, indent=2, default=str) + "\n")


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the run folder ``folder`` (OSError or ValueError if unreadable)."""
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest`` to ``folder/manifest.json`` atomically; return the path."""
    path = folder / MANIFEST
    write_json(path, manifest)
    return path


# ---------------------------------------------------------------------- what went in


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages a run depends on (``"absent"`` if missing)."""
    out = {"python": platform.python_version()}
    for name in VERSION_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = esc.__version__ if name == "esc" else "absent"
    return out


def data_provenance(source: str) -> dict[str, Any]:
    """:func:`esc.data.provenance` of ``source``.

    An unknown source raises :class:`~esc.errors.UnknownSourceError` and a source with no
    data yet :class:`~esc.errors.DataNotFoundError` (both before any notebook runs); an
    unreadable sidecar gives a note instead, and the run is then not reused.
    """
    try:
        return dict(data.provenance(source))
    except OSError as exc:
        log.warning("no provenance for %s: %s", source, exc)
        return {"source": source, "unavailable": str(exc)}


def inputs_fingerprint(templates: Sequence[Path]) -> dict[str, Any]:
    """Everything besides the parameters and the data provenance that can change a result.

    - ``notebooks``: SHA-256 of each notebook file run;
    - ``package_data``: SHA-256 of each of esc's own data files (``data/*.csv``: the sector
      registry, partner groups, initiatives, export controls, ...);
    - ``groups_file``: SHA-256 of the partner groups file named by ``$ESC_GROUPS_FILE``;
    - ``code``: one SHA-256 over esc's Python source files (a change of code without a new
      version number still counts);
    - ``data_folder``: name, size and modification time of every file in the data folder
      (the raw files some notebooks read directly, e.g. the Atlas PCI table): cheap to take
      for gigabyte files, and any replacement of a file changes it.
    """
    files = sorted(package_data_dir().glob("*.csv"))
    groups = os.environ.get("ESC_GROUPS_FILE")
    code = hashlib.sha256()
    for path in sorted(Path(esc.__file__).parent.rglob("*.py")):
        code.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    root = data_dir()
    folder = ([(p.relative_to(root).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
               for p in sorted(root.rglob("*")) if p.is_file()] if root else [])
    return {
        "notebooks": {t.name: sha256_file(t) for t in templates},
        "package_data": {f.name: sha256_file(f) for f in files},
        "groups_file": sha256_file(Path(groups)) if groups and Path(groups).is_file()
        else groups,
        "code": code.hexdigest(),
        "data_folder": sha256_json(folder),
    }


def run_key(parameters: dict[str, Any], templates: Sequence[Path],
            provenance: dict[str, Any]) -> str:
    """The reuse key: SHA-256 over the parameters, :func:`inputs_fingerprint`, the data's
    provenance hashes (the whole provenance when it has none) and esc's version."""
    return sha256_json({
        "parameters": parameters,
        "inputs": inputs_fingerprint(templates),
        "data": cache.provenance_hashes(provenance) or provenance,
        "esc": esc.__version__,
    })


def notebook_key(template: Path, parameters: dict[str, Any], provenance: dict[str, Any],
                 inputs: dict[str, Any]) -> str:
    """The reuse key of one notebook of a run: SHA-256 over its template file, the parameters
    it is given (``output_dir``, which names the run folder, left out), the data's
    provenance hashes, ``inputs`` (:func:`inputs_fingerprint` of no notebook: esc's code and
    data files, the groups file, the data folder) and esc's version.

    A notebook that takes no year or preset (``india_official``) has the same key in a run
    with another year or preset, and its executed output can be reused.
    """
    return sha256_json({
        "template": sha256_file(template),
        "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
        "inputs": inputs,
        "data": cache.provenance_hashes(provenance) or provenance,
        "esc": esc.__version__,
    })


# ---------------------------------------------------------------------------- manifest


def _outputs(folder: Path) -> dict[str, list[str]]:
    """Charts (alphabetical and in drawing order), tables and briefing files of a run."""
    files = [p for p in (folder / "charts").glob("*") if p.is_file()
             and not p.name.startswith(".")]
    return {
        "charts": sorted(p.relative_to(folder).as_posix() for p in files),
        # the order the notebooks drew them in: overview first, as the report reads
        "charts_in_order": [p.relative_to(folder).as_posix() for p in
                            sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))],
        "tables": sorted(p.relative_to(folder).as_posix()
                         for p in (folder / "tables").glob("*") if p.is_file()),
        "briefing": briefing_files(folder),
    }


def briefing_files(folder: Path) -> list[str]:
    """The briefing files (deck, workbook) present in ``folder``."""
    return [name for name in (briefing.DECK, briefing.WORKBOOK) if (folder / name).is_file()]


def build_manifest(
    folder: Path, *, status: str, key: str, parameters: dict[str, Any],
    label: dict[str, Any], provenance: dict[str, Any], notebooks: list[dict[str, Any]],
    kernel: str, started: datetime, finished: datetime | None, reused_from: Path | None,
) -> dict[str, Any]:
    """The manifest of the run folder ``folder`` as it stands now.

    ``label`` is the run's data label (:meth:`esc.label.Label.as_dict`), read back with
    :func:`esc.label.is_demo`; ``notebooks`` one record per notebook (name, template, its
    sha256, parameters, status, seconds, output, html, error). ``seconds`` is
    ``finished - started`` in seconds.
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "run": folder.name,
        "status": status,
        "started_utc": iso(started),
        "finished_utc": iso(finished) if finished else None,
        "seconds": round((finished - started).total_seconds(), 3) if finished else None,
        "key": key,
        "reused_from": reused_from.name if reused_from else None,
        "parameters": parameters,
        "label": label,
        "data_provenance": provenance,
        "versions": package_versions(),
        "kernel": kernel,
        "platform": f"{platform.system()} {platform.machine()}",
        "host": platform.node(),
        "pid": os.getpid(),
        "notebooks": notebooks,
        **_outputs(folder),
    }


# ------------------------------------------------------------------ changes since


def _earlier_run(out: Path, folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """The latest finished run before ``folder`` in ``out`` with the same parameters.

    Run folders are named ``<UTC start>-<8 hex of the parameters' hash>[-n]``, so the
    same parameters share the hash part and names sort by start time.
    """
    tag = folder.name.split("-")[1]
    for other in sorted(out.glob(f"*-{tag}*"), reverse=True):
        if other.name >= folder.name or not other.is_dir():
            continue
        try:
            manifest = read_manifest(other)
        except (OSError, ValueError):
            continue
        if manifest.get("status") in ("ok", "reused"):
            return other, manifest
    return None


def changes(out: Path, folder: Path, manifest: dict[str, Any]) -> dict[str, Any] | None:
    """"What changed since" an earlier run of the same parameters (None if there is none):
    ``since`` (its start), ``previous`` (its folder) and ``lines`` from
    :func:`esc.briefing.changes_since`."""
    earlier = _earlier_run(out, folder)
    if earlier is None:
        return None
    other, old = earlier
    source = old.get("reused_from") or other.name
    lines = briefing.changes_since(out / source if (out / source).is_dir() else other, folder,
                                   previous_manifest=old, manifest=manifest)
    return {"since": old.get("started_utc"), "previous": other.name,
            "lines": lines or ["Nothing changed in Category A, the flags or the data."]}
